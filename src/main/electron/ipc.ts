/**
 * The Electron IPC transport of the desk API: one `ipcMain.handle` per DeskApi entry and the batched
 * stream pushed on `desk:stream`. Every call is checked to come from our own window's main frame (a
 * foreign frame or window gets an error, like VS Code's validated IPC), and every payload goes through
 * the same validation as the HTTP API (`bridge/desk-service.ts`). Adds transport, never logic.
 */
import { writeFileSync } from 'node:fs';
import { dialog, ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  EXPORT_KIND_SCHEMA,
  FILLS_LIMIT_SCHEMA,
  RECORD_SCHEMA,
  SESSION_ID_SCHEMA,
  SESSION_SPEC_SCHEMA,
  describeSchemaError,
  type CommandResult,
  type StreamMessage,
} from '../../shared/contract.js';
import { IPC_CHANNELS } from '../../shared/ipc-channels.js';
import { executeCommand, type CommandName } from '../bridge/desk-service.js';
import { exportCsv } from '../bridge/exports.js';
import { StreamFlow } from '../bridge/stream-flow.js';
import type { Desk } from '../desk/desk.js';
import type { DeskHost } from '../desk/desk-host.js';

export function registerIpc(host: DeskHost, window: BrowserWindow, rendererUrlPrefix: string): () => void {
  const currentDesk = (): Desk => {
    const desk = host.desk;
    if (!desk) throw new Error(host.session().status === 'starting' ? 'the session is starting' : 'no session is running');
    return desk;
  };
  const trusted = (event: IpcMainInvokeEvent): void => {
    const frame = event.senderFrame;
    if (event.sender !== window.webContents || !frame || frame.parent !== null || !frame.url.startsWith(rendererUrlPrefix)) {
      throw new Error('desk API refused: the request did not come from the Quotedesk window');
    }
  };
  const handle = (channel: string, fn: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void => {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      trusted(event);
      return fn(event, ...args);
    });
  };
  const command = (name: CommandName) => (_event: IpcMainInvokeEvent, payload?: unknown): CommandResult => executeCommand(currentDesk(), name, payload, 'electron');
  const limitOf = (value: unknown): number => {
    const parsed = FILLS_LIMIT_SCHEMA.safeParse(value);
    if (!parsed.success) throw new Error('limit must be an integer from 1 to 100000');
    return parsed.data;
  };
  const sessionOf = (value: unknown): number => {
    const parsed = SESSION_ID_SCHEMA.safeParse(value);
    if (!parsed.success) throw new Error('sessionId must be a positive integer');
    return parsed.data;
  };

  handle(IPC_CHANNELS.getState, () => currentDesk().state());
  handle(IPC_CHANNELS.getMetrics, () => currentDesk().metrics());
  handle(IPC_CHANNELS.getFills, (_e, limit) => currentDesk().fills(limitOf(limit)));
  handle(IPC_CHANNELS.getSessions, (_e, limit) => currentDesk().sessions(limitOf(limit)));
  handle(IPC_CHANNELS.getSessionFills, (_e, sessionId, limit) => currentDesk().sessionFills(sessionOf(sessionId), limitOf(limit)));
  handle(IPC_CHANNELS.getSession, () => host.session());
  handle(IPC_CHANNELS.getRecordings, () => host.recordings());
  handle(IPC_CHANNELS.startSession, (_e, spec) => {
    const parsed = SESSION_SPEC_SCHEMA.safeParse(spec);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return host.start(parsed.data);
  });
  handle(IPC_CHANNELS.stopSession, () => host.stop());
  handle(IPC_CHANNELS.setRecording, (_e, payload) => {
    const parsed = RECORD_SCHEMA.safeParse(payload);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return host.setRecording(parsed.data.on);
  });
  handle(IPC_CHANNELS.kill, command('kill'));
  handle(IPC_CHANNELS.rearm, command('rearm'));
  handle(IPC_CHANNELS.pause, command('pause'));
  handle(IPC_CHANNELS.resume, command('resume'));
  handle(IPC_CHANNELS.reduce, command('reduce'));
  handle(IPC_CHANNELS.flatten, command('flatten'));
  handle(IPC_CHANNELS.cancelFlatten, command('cancelFlatten'));
  handle(IPC_CHANNELS.setParams, command('setParams'));
  handle(IPC_CHANNELS.replay, command('replay'));
  handle(IPC_CHANNELS.exportCsv, async (_e, kind, sessionId) => {
    const parsedKind = EXPORT_KIND_SCHEMA.safeParse(kind);
    if (!parsedKind.success) throw new Error('kind must be fills, orders or audit');
    const id = sessionOf(sessionId);
    const choice = await dialog.showSaveDialog(window, {
      title: `Export ${parsedKind.data}`,
      defaultPath: `quotedesk-${parsedKind.data}-session-${id}.csv`,
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });
    if (choice.canceled || !choice.filePath) return null;
    const store = host.current?.store;
    if (!store) throw new Error('no session is running');
    writeFileSync(choice.filePath, exportCsv(currentDesk(), store, parsedKind.data, id));
    return choice.filePath;
  });

  let unsubscribe: (() => void) | null = null;
  let flow: StreamFlow | null = null;
  handle(IPC_CHANNELS.subscribe, (event) => {
    unsubscribe?.();
    flow?.close();
    const contents: WebContents = event.sender;
    // At most one update per display frame reaches the window, merged in between (see StreamFlow).
    const paced = new StreamFlow((message: StreamMessage) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.stream, message);
    });
    flow = paced;
    unsubscribe = host.subscribe((message) => paced.offer(message));
    return true;
  });

  return () => {
    unsubscribe?.();
    flow?.close();
    for (const channel of Object.values(IPC_CHANNELS)) ipcMain.removeHandler(channel);
  };
}
