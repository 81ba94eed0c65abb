/**
 * The sandboxed preload: exposes `window.quotedesk` (`DesktopBridge`): `desk(name)` returning one
 * function per DeskApi entry bound to that desk (each call carries the desk's name), the overview of every
 * desk, the kill-all and the live keys — and nothing else (never `ipcRenderer` itself). Payloads are
 * validated in the main process. Bundled into one CommonJS file, as a sandboxed preload must be.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DeskApi, FillView, SessionSummaryView, StreamMessage } from '../shared/contract.js';
import type { DesktopBridge } from '../shared/desktop-bridge.js';
import type { DeskSummaryView, OverviewMessage } from '../shared/desks.js';
import { APP_CHANNELS, IPC_CHANNELS } from '../shared/ipc-channels.js';

function deskApi(name: string): DeskApi {
  const call = (channel: string, ...args: unknown[]): Promise<never> => ipcRenderer.invoke(channel, name, ...args) as Promise<never>;
  return {
    getState: () => call(IPC_CHANNELS.getState),
    getMetrics: () => call(IPC_CHANNELS.getMetrics),
    // Database reads arrive as the JSON text a read worker made (main never builds the objects).
    getFills: async (limit) => JSON.parse((await ipcRenderer.invoke(IPC_CHANNELS.getFills, name, limit)) as string) as FillView[],
    kill: () => call(IPC_CHANNELS.kill),
    rearm: () => call(IPC_CHANNELS.rearm, { confirm: true }),
    pause: () => call(IPC_CHANNELS.pause),
    resume: () => call(IPC_CHANNELS.resume),
    reduce: () => call(IPC_CHANNELS.reduce),
    acceptPosition: () => call(IPC_CHANNELS.acceptPosition),
    flatten: (request) => call(IPC_CHANNELS.flatten, request),
    cancelFlatten: () => call(IPC_CHANNELS.cancelFlatten),
    cancelOrder: (clientOrderId) => call(IPC_CHANNELS.cancelOrder, { clientOrderId }),
    setParams: (patch) => call(IPC_CHANNELS.setParams, patch),
    replay: (command) => call(IPC_CHANNELS.replay, command),
    getSessions: async (limit) => JSON.parse((await ipcRenderer.invoke(IPC_CHANNELS.getSessions, name, limit)) as string) as SessionSummaryView[],
    getSessionFills: async (sessionId, limit) => JSON.parse((await ipcRenderer.invoke(IPC_CHANNELS.getSessionFills, name, sessionId, limit)) as string) as FillView[],
    exportCsv: (kind, sessionId) => call(IPC_CHANNELS.exportCsv, kind, sessionId),
    getSession: () => call(IPC_CHANNELS.getSession),
    startSession: (spec) => call(IPC_CHANNELS.startSession, spec),
    stopSession: () => call(IPC_CHANNELS.stopSession),
    getRecordings: () => call(IPC_CHANNELS.getRecordings),
    setRecording: (on) => call(IPC_CHANNELS.setRecording, { on }),
    getLive: () => call(IPC_CHANNELS.getLive),
    loadPreferences: () => call(IPC_CHANNELS.loadPreferences),
    savePreferences: (preferences) => call(IPC_CHANNELS.savePreferences, preferences),
    notify: (notice) => call(IPC_CHANNELS.notify, notice),
    subscribe: (listener) => {
      // The main process sends each stream message of this desk as the JSON text every other client gets.
      const handler = (_event: IpcRendererEvent, desk: string, text: string): void => {
        if (desk === name) listener(JSON.parse(text) as StreamMessage);
      };
      ipcRenderer.on(IPC_CHANNELS.stream, handler);
      void ipcRenderer.invoke(IPC_CHANNELS.subscribe, name);
      return () => {
        ipcRenderer.removeListener(IPC_CHANNELS.stream, handler);
        void ipcRenderer.invoke(IPC_CHANNELS.unsubscribe, name);
      };
    },
  };
}

const bridge = {
  desk: (name) => deskApi(name),
  overview: () => ipcRenderer.invoke(APP_CHANNELS.overview) as Promise<DeskSummaryView[]>,
  subscribeOverview: (listener) => {
    const handler = (_event: IpcRendererEvent, text: string): void => listener(JSON.parse(text) as OverviewMessage);
    ipcRenderer.on(APP_CHANNELS.overviewStream, handler);
    void ipcRenderer.invoke(APP_CHANNELS.subscribeOverview);
    return () => {
      ipcRenderer.removeListener(APP_CHANNELS.overviewStream, handler);
    };
  },
  killAll: (request) => ipcRenderer.invoke(APP_CHANNELS.killAll, request),
  saveKeys: (keys) => ipcRenderer.invoke(APP_CHANNELS.saveKeys, keys),
  clearKeys: () => ipcRenderer.invoke(APP_CHANNELS.clearKeys),
} satisfies DesktopBridge;

contextBridge.exposeInMainWorld('quotedesk', bridge);
