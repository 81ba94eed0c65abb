/**
 * The Electron IPC transport of the desk API: one `ipcMain.handle` per DeskApi entry and the batched
 * stream pushed on `desk:stream`. Every call is checked to come from our own window's main frame (a
 * foreign frame or window gets an error, like VS Code's validated IPC). Commands go to the engine thread
 * with the raw payload, validated there by the same code as the HTTP API (`engine/commands.ts`); the
 * stream is built from the same mirror the HTTP server feeds its clients from, and reads and exports come
 * from read workers (`bridge/reads.ts`), so the main process — which also owns the kill shortcut — is
 * never held by them. The monitor's preferences are a JSON file in the user-data folder and its alerts
 * Electron's `Notification`, both through payloads checked by the shared schemas. Adds transport, never
 * logic.
 */
import { dialog, ipcMain, Notification, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  ALERT_NOTICE_SCHEMA,
  EXPORT_KIND_SCHEMA,
  FILLS_LIMIT_SCHEMA,
  RECORD_SCHEMA,
  SESSION_ID_SCHEMA,
  SESSION_SPEC_SCHEMA,
  describeSchemaError,
  type CommandResult,
  type DeskMetrics,
  type DeskState,
} from '../../shared/contract.js';
import { IPC_CHANNELS } from '../../shared/ipc-channels.js';
import { ReadService } from '../bridge/reads.js';
import { StreamHub, type StreamClient } from '../bridge/stream-hub.js';
import type { CommandName } from '../engine/commands.js';
import type { EngineLink } from '../engine/engine-link.js';
import type { EngineRead } from '../engine/protocol.js';
import { loadPreferencesFile, savePreferencesFile } from './preferences-file.js';

export interface IpcFiles {
  /** The monitor's preferences file (in the user-data folder). */
  readonly preferencesFile: string;
  readonly log: (line: string) => void;
}

export function registerIpc(link: EngineLink, dbPath: string, window: BrowserWindow, rendererUrlPrefix: string, files: IpcFiles, nativeBinding?: string): () => void {
  const hub = new StreamHub(link, { maxClients: 1 });
  const reads = new ReadService(dbPath, 2, nativeBinding);
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
  const command =
    (name: CommandName) =>
    async (_event: IpcMainInvokeEvent, payload?: unknown): Promise<CommandResult> =>
      link.command(name, payload, 'operator:electron');
  const read = async <T>(what: EngineRead): Promise<T> => {
    const answer = await link.read(what);
    if (!answer.ok) throw new Error(answer.error);
    return JSON.parse(answer.text) as T;
  };
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
  const currentSession = (): number => {
    const id = link.session().sessionId;
    if (id === null) throw new Error('no session is running');
    return id;
  };

  handle(IPC_CHANNELS.getState, () => read<DeskState>('state'));
  handle(IPC_CHANNELS.getMetrics, () => read<DeskMetrics>('metrics'));
  // Database reads answer with the JSON text a read worker made; the preload parses it in the window.
  handle(IPC_CHANNELS.getFills, async (_e, limit) => {
    const request = { kind: 'fills', sessionId: currentSession(), limit: limitOf(limit) } as const;
    await link.committed();
    return reads.text(request);
  });
  handle(IPC_CHANNELS.getSessions, async (_e, limit) => {
    const request = { kind: 'sessions', limit: limitOf(limit) } as const;
    await link.committed();
    return reads.text(request);
  });
  handle(IPC_CHANNELS.getSessionFills, async (_e, sessionId, limit) => {
    const request = { kind: 'fills', sessionId: sessionOf(sessionId), limit: limitOf(limit) } as const;
    await link.committed();
    return reads.text(request);
  });
  handle(IPC_CHANNELS.getSession, () => link.session());
  handle(IPC_CHANNELS.getRecordings, () => link.recordings());
  handle(IPC_CHANNELS.startSession, (_e, spec) => {
    const parsed = SESSION_SPEC_SCHEMA.safeParse(spec);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return link.startSession(parsed.data);
  });
  handle(IPC_CHANNELS.stopSession, () => link.stopSession());
  handle(IPC_CHANNELS.setRecording, (_e, payload) => {
    const parsed = RECORD_SCHEMA.safeParse(payload);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return link.setRecording(parsed.data.on);
  });
  handle(IPC_CHANNELS.kill, command('kill'));
  handle(IPC_CHANNELS.rearm, command('rearm'));
  handle(IPC_CHANNELS.pause, command('pause'));
  handle(IPC_CHANNELS.resume, command('resume'));
  handle(IPC_CHANNELS.reduce, command('reduce'));
  handle(IPC_CHANNELS.acceptPosition, command('acceptPosition'));
  handle(IPC_CHANNELS.flatten, command('flatten'));
  handle(IPC_CHANNELS.cancelFlatten, command('cancelFlatten'));
  handle(IPC_CHANNELS.cancelOrder, command('cancelOrder'));
  handle(IPC_CHANNELS.setParams, command('setParams'));
  handle(IPC_CHANNELS.replay, command('replay'));
  handle(IPC_CHANNELS.loadPreferences, () => loadPreferencesFile(files.preferencesFile, files.log));
  handle(IPC_CHANNELS.savePreferences, (_e, value) => savePreferencesFile(files.preferencesFile, value));
  handle(IPC_CHANNELS.notify, (_e, value) => {
    const parsed = ALERT_NOTICE_SCHEMA.safeParse(value);
    if (!parsed.success || !Notification.isSupported()) return false;
    new Notification({ title: parsed.data.title, body: parsed.data.body }).show();
    return true;
  });
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
    const target = choice.filePath;
    await link.committed();
    await reads.toFile({ kind: 'csv', csv: parsedKind.data, sessionId: id }, target);
    return target;
  });

  let client: StreamClient | null = null;
  handle(IPC_CHANNELS.subscribe, (event) => {
    client?.detach();
    const contents: WebContents = event.sender;
    // The window gets the same messages as a WebSocket client, paced to one update per display frame.
    client = hub.attach({
      send: (message) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.stream, message.text);
      },
      bufferedBytes: () => 0,
      drop: () => undefined,
    });
    return true;
  });

  return () => {
    client?.detach();
    hub.close();
    void reads.close();
    for (const channel of Object.values(IPC_CHANNELS)) ipcMain.removeHandler(channel);
  };
}
