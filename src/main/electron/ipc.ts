/**
 * The Electron IPC transport of the desk API for every desk of the app: one `ipcMain.handle` per DeskApi
 * entry whose first argument names the desk (validated by the shared schema, then looked up in the
 * fleet: an unknown name is refused), the batched stream of each desk the window subscribed to, pushed on
 * `desk:stream` as (desk, text), the overview of every desk on `app:overviewStream`, the kill-all and the
 * live keys (`shared/desktop-bridge.ts`). Every call is checked to come from our own window's main frame (a
 * foreign frame or window gets an error, like VS Code's validated IPC). Commands go to the desk's engine
 * thread with the raw payload, validated there by the same code as the HTTP API (`engine/commands.ts`);
 * each stream is built from the same mirror the HTTP server feeds its clients from, reads and exports come
 * from read workers (`bridge/reads.ts`), so the main process — which also owns the kill shortcut — is never
 * held by them. Adds transport, never logic.
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
  type LiveKeysView,
} from '../../shared/contract.js';
import { KILL_ALL_SCHEMA, LIVE_KEYS_INPUT_SCHEMA, type KeysAnswer, type KillAllAnswer, type LiveKeysInput } from '../../shared/desktop-bridge.js';
import { APP_CHANNELS, IPC_CHANNELS } from '../../shared/ipc-channels.js';
import { OverviewHub } from '../bridge/overview-hub.js';
import { ReadService } from '../bridge/reads.js';
import { StreamHub, type StreamClient } from '../bridge/stream-hub.js';
import type { CommandName } from '../engine/commands.js';
import type { DeskFleet, FleetDesk } from '../engine/desk-fleet.js';
import type { EngineRead } from '../engine/protocol.js';
import { deskNamed } from './desktop-desks.js';
import { loadPreferencesFile, savePreferencesFile } from './preferences-file.js';

export interface IpcOptions {
  /** The monitor's preferences file (in the user-data folder). */
  readonly preferencesFile: string;
  readonly log: (line: string) => void;
  readonly nativeBinding?: string;
  /** The live keys: what is configured (never the keys), storing and forgetting them (main process). */
  readonly keys: {
    status(): LiveKeysView;
    save(keys: LiveKeysInput): Promise<LiveKeysView>;
    clear(): Promise<LiveKeysView>;
  };
}

/** What the main process keeps per desk for the window: its stream hub and its read workers, made on first use. */
interface DeskTransport {
  readonly desk: FleetDesk;
  readonly hub: StreamHub;
  readonly reads: ReadService;
  client: StreamClient | null;
}

export function registerIpc(fleet: DeskFleet, window: BrowserWindow, rendererUrlPrefix: string, options: IpcOptions): () => void {
  const transports = new Map<string, DeskTransport>();
  const transportOf = (value: unknown): DeskTransport => {
    const desk = deskNamed(fleet, value);
    let transport = transports.get(desk.name);
    if (!transport) {
      transport = { desk, hub: new StreamHub(desk.link, { maxClients: 1 }), reads: new ReadService(desk.dbPath, 2, options.nativeBinding), client: null };
      transports.set(desk.name, transport);
    }
    return transport;
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
  /** A desk channel: the first argument names the desk. */
  const handleDesk = (channel: string, fn: (desk: DeskTransport, event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void => {
    handle(channel, (event, name, ...args) => fn(transportOf(name), event, ...args));
  };
  const command =
    (name: CommandName) =>
    (desk: DeskTransport, _event: IpcMainInvokeEvent, payload?: unknown): Promise<CommandResult> =>
      desk.desk.link.command(name, payload, 'operator:electron');
  const read = async <T>(desk: DeskTransport, what: EngineRead): Promise<T> => {
    const answer = await desk.desk.link.read(what);
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
  const currentSession = (desk: DeskTransport): number => {
    const id = desk.desk.link.session().sessionId;
    if (id === null) throw new Error('no session is running');
    return id;
  };

  handleDesk(IPC_CHANNELS.getState, (desk) => read<DeskState>(desk, 'state'));
  handleDesk(IPC_CHANNELS.getMetrics, (desk) => read<DeskMetrics>(desk, 'metrics'));
  // Database reads answer with the JSON text a read worker made; the preload parses it in the window.
  handleDesk(IPC_CHANNELS.getFills, async (desk, _e, limit) => {
    const request = { kind: 'fills', sessionId: currentSession(desk), limit: limitOf(limit) } as const;
    await desk.desk.link.committed();
    return desk.reads.text(request);
  });
  handleDesk(IPC_CHANNELS.getSessions, async (desk, _e, limit) => {
    const request = { kind: 'sessions', limit: limitOf(limit) } as const;
    await desk.desk.link.committed();
    return desk.reads.text(request);
  });
  handleDesk(IPC_CHANNELS.getSessionFills, async (desk, _e, sessionId, limit) => {
    const request = { kind: 'fills', sessionId: sessionOf(sessionId), limit: limitOf(limit) } as const;
    await desk.desk.link.committed();
    return desk.reads.text(request);
  });
  handleDesk(IPC_CHANNELS.getSession, (desk) => desk.desk.link.session());
  handleDesk(IPC_CHANNELS.getRecordings, (desk) => desk.desk.link.recordings());
  handleDesk(IPC_CHANNELS.getLive, () => options.keys.status());
  handleDesk(IPC_CHANNELS.startSession, (desk, _e, spec) => {
    const parsed = SESSION_SPEC_SCHEMA.safeParse(spec);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return desk.desk.link.startSession(parsed.data);
  });
  handleDesk(IPC_CHANNELS.stopSession, (desk) => desk.desk.link.stopSession());
  handleDesk(IPC_CHANNELS.setRecording, (desk, _e, payload) => {
    const parsed = RECORD_SCHEMA.safeParse(payload);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return desk.desk.link.setRecording(parsed.data.on);
  });
  handleDesk(IPC_CHANNELS.kill, command('kill'));
  handleDesk(IPC_CHANNELS.rearm, command('rearm'));
  handleDesk(IPC_CHANNELS.pause, command('pause'));
  handleDesk(IPC_CHANNELS.resume, command('resume'));
  handleDesk(IPC_CHANNELS.reduce, command('reduce'));
  handleDesk(IPC_CHANNELS.acceptPosition, command('acceptPosition'));
  handleDesk(IPC_CHANNELS.flatten, command('flatten'));
  handleDesk(IPC_CHANNELS.cancelFlatten, command('cancelFlatten'));
  handleDesk(IPC_CHANNELS.cancelOrder, command('cancelOrder'));
  handleDesk(IPC_CHANNELS.setParams, command('setParams'));
  handleDesk(IPC_CHANNELS.replay, command('replay'));
  // The preferences and notifications are the window's, whichever desk it shows (the name is still checked).
  handleDesk(IPC_CHANNELS.loadPreferences, () => loadPreferencesFile(options.preferencesFile, options.log));
  handleDesk(IPC_CHANNELS.savePreferences, (_desk, _e, value) => savePreferencesFile(options.preferencesFile, value));
  handleDesk(IPC_CHANNELS.notify, (_desk, _e, value) => {
    const parsed = ALERT_NOTICE_SCHEMA.safeParse(value);
    if (!parsed.success || !Notification.isSupported()) return false;
    new Notification({ title: parsed.data.title, body: parsed.data.body }).show();
    return true;
  });
  handleDesk(IPC_CHANNELS.exportCsv, async (desk, _e, kind, sessionId) => {
    const parsedKind = EXPORT_KIND_SCHEMA.safeParse(kind);
    if (!parsedKind.success) throw new Error('kind must be fills, orders or audit');
    const id = sessionOf(sessionId);
    const choice = await dialog.showSaveDialog(window, {
      title: `Export ${parsedKind.data} of desk ${desk.desk.name}`,
      defaultPath: `quotedesk-${desk.desk.name}-${parsedKind.data}-session-${id}.csv`,
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });
    if (choice.canceled || !choice.filePath) return null;
    const target = choice.filePath;
    await desk.desk.link.committed();
    await desk.reads.toFile({ kind: 'csv', csv: parsedKind.data, sessionId: id }, target);
    return target;
  });

  handleDesk(IPC_CHANNELS.subscribe, (desk, event) => {
    desk.client?.detach();
    const contents: WebContents = event.sender;
    const name = desk.desk.name;
    // The window gets the same messages as a WebSocket client, paced to one update per display frame.
    desk.client = desk.hub.attach({
      send: (message) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.stream, name, message.text);
      },
      bufferedBytes: () => 0,
      drop: () => undefined,
    });
    return true;
  });
  handleDesk(IPC_CHANNELS.unsubscribe, (desk) => {
    desk.client?.detach();
    desk.client = null;
    return true;
  });

  // ---------------------------------------------------------------- the app's own channels
  const overview = new OverviewHub(fleet, { ratePerSec: 4, highWaterBytes: Number.POSITIVE_INFINITY, slowClientMs: Number.POSITIVE_INFINITY });
  let overviewClient: { detach(): void } | null = null;
  handle(APP_CHANNELS.overview, () => fleet.summaries());
  handle(APP_CHANNELS.subscribeOverview, (event) => {
    overviewClient?.detach();
    const contents: WebContents = event.sender;
    overviewClient = overview.attach({
      send: (message) => {
        if (!contents.isDestroyed()) contents.send(APP_CHANNELS.overviewStream, message.text);
      },
      bufferedBytes: () => 0,
      drop: () => undefined,
    });
    return true;
  });
  handle(APP_CHANNELS.killAll, async (_e, request): Promise<KillAllAnswer> => {
    const parsed = KILL_ALL_SCHEMA.safeParse(request ?? {});
    const why = parsed.success ? (parsed.data.why ?? 'kill-all') : 'kill-all';
    // why: a malformed reason never stands between the operator and the kill: it is replaced, not refused.
    const desks = await fleet.killAll('operator:electron', why);
    return { ok: desks.every((desk) => desk.ok), desks };
  });
  handle(APP_CHANNELS.saveKeys, async (_e, value): Promise<KeysAnswer> => {
    const parsed = LIVE_KEYS_INPUT_SCHEMA.safeParse(value);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    try {
      return { ok: true, keys: await options.keys.save(parsed.data) };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  });
  handle(APP_CHANNELS.clearKeys, async (): Promise<KeysAnswer> => ({ ok: true, keys: await options.keys.clear() }));

  return () => {
    overviewClient?.detach();
    overview.close();
    for (const transport of transports.values()) {
      transport.client?.detach();
      transport.hub.close();
      void transport.reads.close();
    }
    for (const channel of [...Object.values(IPC_CHANNELS), ...Object.values(APP_CHANNELS)]) ipcMain.removeHandler(channel);
  };
}
