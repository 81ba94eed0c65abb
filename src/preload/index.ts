/**
 * The sandboxed preload: exposes `window.quotedesk`, one function per DeskApi entry and nothing else
 * (never `ipcRenderer` itself). Bundled into one CommonJS file, as a sandboxed preload must be.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DeskApi, FillView, SessionSummaryView, StreamMessage } from '../shared/contract.js';
import { IPC_CHANNELS } from '../shared/ipc-channels.js';

const api = {
  getState: () => ipcRenderer.invoke(IPC_CHANNELS.getState),
  getMetrics: () => ipcRenderer.invoke(IPC_CHANNELS.getMetrics),
  // Database reads arrive as the JSON text a read worker made (main never builds the objects).
  getFills: async (limit) => JSON.parse((await ipcRenderer.invoke(IPC_CHANNELS.getFills, limit)) as string) as FillView[],
  kill: () => ipcRenderer.invoke(IPC_CHANNELS.kill),
  rearm: () => ipcRenderer.invoke(IPC_CHANNELS.rearm, { confirm: true }),
  pause: () => ipcRenderer.invoke(IPC_CHANNELS.pause),
  resume: () => ipcRenderer.invoke(IPC_CHANNELS.resume),
  reduce: () => ipcRenderer.invoke(IPC_CHANNELS.reduce),
  acceptPosition: () => ipcRenderer.invoke(IPC_CHANNELS.acceptPosition),
  flatten: (request) => ipcRenderer.invoke(IPC_CHANNELS.flatten, request),
  cancelFlatten: () => ipcRenderer.invoke(IPC_CHANNELS.cancelFlatten),
  cancelOrder: (clientOrderId) => ipcRenderer.invoke(IPC_CHANNELS.cancelOrder, { clientOrderId }),
  setParams: (patch) => ipcRenderer.invoke(IPC_CHANNELS.setParams, patch),
  replay: (command) => ipcRenderer.invoke(IPC_CHANNELS.replay, command),
  getSessions: async (limit) => JSON.parse((await ipcRenderer.invoke(IPC_CHANNELS.getSessions, limit)) as string) as SessionSummaryView[],
  getSessionFills: async (sessionId, limit) => JSON.parse((await ipcRenderer.invoke(IPC_CHANNELS.getSessionFills, sessionId, limit)) as string) as FillView[],
  exportCsv: (kind, sessionId) => ipcRenderer.invoke(IPC_CHANNELS.exportCsv, kind, sessionId),
  getSession: () => ipcRenderer.invoke(IPC_CHANNELS.getSession),
  startSession: (spec) => ipcRenderer.invoke(IPC_CHANNELS.startSession, spec),
  stopSession: () => ipcRenderer.invoke(IPC_CHANNELS.stopSession),
  getRecordings: () => ipcRenderer.invoke(IPC_CHANNELS.getRecordings),
  setRecording: (on) => ipcRenderer.invoke(IPC_CHANNELS.setRecording, { on }),
  loadPreferences: () => ipcRenderer.invoke(IPC_CHANNELS.loadPreferences),
  savePreferences: (preferences) => ipcRenderer.invoke(IPC_CHANNELS.savePreferences, preferences),
  notify: (notice) => ipcRenderer.invoke(IPC_CHANNELS.notify, notice),
  subscribe: (listener) => {
    // The main process sends each stream message as the JSON text every other client gets.
    const handler = (_event: IpcRendererEvent, text: string): void => listener(JSON.parse(text) as StreamMessage);
    ipcRenderer.on(IPC_CHANNELS.stream, handler);
    void ipcRenderer.invoke(IPC_CHANNELS.subscribe);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.stream, handler);
    };
  },
} satisfies DeskApi;

contextBridge.exposeInMainWorld('quotedesk', api);
