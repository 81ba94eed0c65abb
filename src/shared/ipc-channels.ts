/**
 * Names of the Electron IPC channels, one per DeskApi entry (src/shared/contract.ts), plus the stream
 * channel the main process pushes batched updates on, and the app's own channels (the overview of every
 * desk, the kill-all, the live keys: `desktop-bridge.ts`). Every desk channel's first argument is the
 * desk's name. Kept free of imports so the sandboxed preload bundles nothing else; `contract.ts` checks
 * the names cover every DeskApi entry.
 */
/** Names of the IPC channels, one per DeskApi entry (the stream is pushed on `desk:stream` as (desk, text)). */
export const IPC_CHANNELS = {
  getState: 'desk:getState',
  getMetrics: 'desk:getMetrics',
  getFills: 'desk:getFills',
  kill: 'desk:kill',
  rearm: 'desk:rearm',
  pause: 'desk:pause',
  resume: 'desk:resume',
  flatten: 'desk:flatten',
  cancelFlatten: 'desk:cancelFlatten',
  setParams: 'desk:setParams',
  replay: 'desk:replay',
  reduce: 'desk:reduce',
  acceptPosition: 'desk:acceptPosition',
  cancelOrder: 'desk:cancelOrder',
  getSessions: 'desk:getSessions',
  getSessionFills: 'desk:getSessionFills',
  exportCsv: 'desk:exportCsv',
  getSession: 'desk:getSession',
  startSession: 'desk:startSession',
  stopSession: 'desk:stopSession',
  getRecordings: 'desk:getRecordings',
  setRecording: 'desk:setRecording',
  getLive: 'desk:getLive',
  subscribe: 'desk:subscribe',
  unsubscribe: 'desk:unsubscribe',
  loadPreferences: 'desk:loadPreferences',
  savePreferences: 'desk:savePreferences',
  notify: 'desk:notify',
  stream: 'desk:stream',
} as const;

/** The app's channels beside the desks' (`DesktopBridge`); the overview is pushed on `app:overviewStream`. */
export const APP_CHANNELS = {
  overview: 'app:overview',
  subscribeOverview: 'app:subscribeOverview',
  overviewStream: 'app:overviewStream',
  killAll: 'app:killAll',
  saveKeys: 'app:saveKeys',
  clearKeys: 'app:clearKeys',
} as const;
