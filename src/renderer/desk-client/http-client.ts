/**
 * The desk API over HTTP + WebSocket, for the monitor served by `quotedesk serve` in a plain browser.
 *
 * Every request carries `Authorization: Bearer <token>` when the page has one (the token it was opened
 * with, see `connect.ts`): writes always need it, and reads do too when the desk is bound to a network
 * address; the stream offers it as a subprotocol (`shared/stream-auth.ts`), since a browser cannot set
 * headers on a WebSocket. Server refusals (400 `{error, field}`, 401) come back as a failed CommandResult,
 * never as a thrown error, so the controls can show them next to the field. The stream is ONE WebSocket
 * shared by every subscriber; when it drops it reconnects with exponential backoff (250 ms doubling to
 * 5 s) and the server sends a fresh snapshot on every connect, so the store never shows a gap. The
 * connection status is published separately (`onConnection`) for the "disconnected" banner. It owns
 * transport only: no state is kept here beyond the socket.
 *
 * An instance is bound to ONE desk: the server's first desk at `/api/...` (a single-desk serve, the
 * default), or desk NAME of a several-desk serve at `/api/desks/NAME/...` (`HttpDeskApi.forDesk`), with
 * its own stream socket. The monitor opens one per desk in view.
 */
import type {
  AlertNotice,
  CommandResult,
  DeskMetrics,
  DeskState,
  ExportKind,
  FillView,
  FlattenRequest,
  LiveKeysView,
  RecordingView,
  ReplayCommand,
  SessionSpec,
  SessionSummaryView,
  SessionView,
  StreamMessage,
} from '../../shared/contract.js';

import { PREFERENCES_SCHEMA, readPreferences, type Preferences } from '../../shared/preferences.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import type { ConnectionInfo, StreamingDeskApi } from './streaming-api.js';

/** The page acknowledges each update it took in (credit flow control) rather than relying on server pacing alone. */
const ACKNOWLEDGE_FRAMES = true;
/** The browser keeps the monitor's preferences here (this origin: one desk per host and port). */
export const PREFERENCES_KEY = 'quotedesk.preferences';

export class HttpDeskApi implements StreamingDeskApi {
  private readonly listeners = new Set<(message: StreamMessage) => void>();
  private readonly connectionListeners = new Set<(info: ConnectionInfo) => void>();
  private readonly socket: ReconnectingSocket;

  /**
   * `prefix` is where this desk's API lives on the server: `/api` (the first desk) or `/api/desks/NAME`.
   */
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | null,
    private readonly prefix = '/api',
  ) {
    this.socket = new ReconnectingSocket(baseUrl, this.route('/api/stream'), token, {
      // Acknowledged mode (`{"type":"hello","ack":true}`): the server sends the next update only after the
      // page took in the last one, so a page that stops reading is never sent more than one update; what
      // piles up meanwhile reaches it merged. The page acknowledges on receipt, not after the frame that
      // painted the update: waiting for the frame held back every update the desk published between the
      // receipt and that frame by a whole frame (test/bench/monitor.bench.ts, three interleaved runs each:
      // event → pixels p50 7 ms and p95 3-6 ms lower; still no second with more updates than frames, since
      // the store publishes once per frame whatever arrives).
      opened: (send) => {
        this.unacked = false;
        send(JSON.stringify({ type: 'hello', ack: ACKNOWLEDGE_FRAMES }));
      },
      message: (text) => this.onStreamText(text),
      status: (info) => {
        for (const listener of this.connectionListeners) listener(info);
      },
    });
  }

  private onStreamText(text: string): void {
    let message: StreamMessage;
    try {
      message = JSON.parse(text) as StreamMessage;
    } catch {
      return;
    }
    for (const listener of this.listeners) listener(message);
    if (message.type === 'update') {
      this.unacked = true;
      this.acknowledge();
    }
  }

  /** The API of desk `name` of a several-desk server (its routes under `/api/desks/NAME/`). */
  static forDesk(baseUrl: string, token: string | null, name: string): HttpDeskApi {
    return new HttpDeskApi(baseUrl, token, `/api/desks/${encodeURIComponent(name)}`);
  }

  /** The server path of an `/api/...` route for this desk. */
  private route(path: string): string {
    return `${this.prefix}${path.slice('/api'.length)}`;
  }

  getState(): Promise<DeskState> {
    return this.getJson<DeskState>(this.route('/api/state'));
  }

  getMetrics(): Promise<DeskMetrics> {
    return this.getJson<DeskMetrics>(this.route('/api/metrics'));
  }

  getFills(limit: number): Promise<FillView[]> {
    return this.getJson<FillView[]>(this.route(`/api/fills?limit=${limit}`));
  }

  getSessions(limit: number): Promise<SessionSummaryView[]> {
    return this.getJson<SessionSummaryView[]>(this.route(`/api/sessions?limit=${limit}`));
  }

  async getSessionFills(sessionId: number, limit: number): Promise<FillView[]> {
    const fills = await this.getJson<FillView[]>(this.route(`/api/session-fills?session=${sessionId}&limit=${limit}`));
    // why: never show another session's fills under this session's name, whatever the server answered.
    return fills.filter((fill) => fill.sessionId === sessionId);
  }

  getSession(): Promise<SessionView> {
    return this.getJson<SessionView>(this.route('/api/session'));
  }

  getLive(): Promise<LiveKeysView> {
    return this.getJson<LiveKeysView>(this.route('/api/live'));
  }

  getRecordings(): Promise<RecordingView[]> {
    return this.getJson<RecordingView[]>(this.route('/api/recordings'));
  }

  startSession(spec: SessionSpec): Promise<CommandResult> {
    return this.send('POST', this.route('/api/session'), spec);
  }

  stopSession(): Promise<CommandResult> {
    return this.send('DELETE', this.route('/api/session'), {});
  }

  setRecording(on: boolean): Promise<CommandResult> {
    return this.send('POST', this.route('/api/record'), { on });
  }

  async exportCsv(kind: ExportKind, sessionId: number): Promise<string | null> {
    const path = this.route(`/api/export/${kind}.csv?session=${sessionId}`);
    const name = `quotedesk-${kind}-session-${sessionId}.csv`;
    // On a loopback desk reads need no token: a plain link download keeps the CSV out of the page's
    // memory. A desk on a network address needs the token, which only a fetch can carry.
    let href = `${this.baseUrl}${path}`;
    let objectUrl: string | null = null;
    if (!isLoopbackHost(new URL(this.baseUrl).hostname)) {
      const response = await fetch(href, { headers: this.readHeaders() });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await errorText(response)}`);
      objectUrl = URL.createObjectURL(await response.blob());
      href = objectUrl;
    }
    const anchor = document.createElement('a');
    anchor.href = href;
    anchor.download = name;
    anchor.rel = 'noopener';
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    if (objectUrl !== null) setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
    return null;
  }

  kill(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/kill'), {});
  }
  rearm(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/rearm'), { confirm: true });
  }
  pause(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/pause'), {});
  }
  resume(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/resume'), {});
  }
  reduce(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/reduce'), {});
  }
  acceptPosition(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/accept-position'), {});
  }
  flatten(request: FlattenRequest): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/flatten'), request);
  }
  cancelFlatten(): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/cancel-flatten'), {});
  }
  cancelOrder(clientOrderId: string): Promise<CommandResult> {
    return this.send('POST', this.route('/api/control/cancel-order'), { clientOrderId });
  }
  setParams(patch: unknown): Promise<CommandResult> {
    return this.send('PUT', this.route('/api/params'), patch);
  }
  replay(command: ReplayCommand): Promise<CommandResult> {
    return this.send('POST', this.route('/api/replay'), command);
  }

  loadPreferences(): Promise<Preferences> {
    let value: unknown = null;
    try {
      const text = window.localStorage.getItem(PREFERENCES_KEY);
      value = text === null ? null : (JSON.parse(text) as unknown);
    } catch {
      value = null; // storage off or text that is not JSON: the defaults
    }
    return Promise.resolve(readPreferences(value).preferences);
  }

  savePreferences(preferences: Preferences): Promise<CommandResult> {
    const parsed = PREFERENCES_SCHEMA.safeParse(preferences);
    if (!parsed.success) return Promise.resolve({ ok: false, error: parsed.error.issues[0]?.message ?? 'invalid preferences', field: parsed.error.issues[0]?.path.join('.') ?? '' });
    try {
      window.localStorage.setItem(PREFERENCES_KEY, JSON.stringify(parsed.data));
    } catch (error) {
      return Promise.resolve({ ok: false, error: `the browser refused to keep the preferences: ${(error as Error).message}` });
    }
    return Promise.resolve({ ok: true });
  }

  /** The browser's Notification API, when the user allowed it (asked on a click: see the alerts panel). */
  notify(notice: AlertNotice): Promise<boolean> {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return Promise.resolve(false);
    try {
      new Notification(notice.title, { body: notice.body, tag: notice.kind });
      return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    }
  }

  subscribe(listener: (message: StreamMessage) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.socket.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.socket.stop();
    };
  }

  private unacked = false;

  /** An acknowledgement the socket could not take at receipt goes out with the next frame. */
  frameRendered(): void {
    this.acknowledge();
  }

  private acknowledge(): void {
    if (!this.unacked) return;
    if (this.socket.send('{"type":"ack"}')) this.unacked = false;
  }

  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.socket.connection);
    return () => this.connectionListeners.delete(listener);
  }

  private async getJson<T>(path: string): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: this.readHeaders() });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await errorText(response)}`);
    return (await response.json()) as T;
  }

  private readHeaders(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  private async send(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown): Promise<CommandResult> {
    return (await sendJson(this.baseUrl, this.token, method, path, body)).result;
  }
}

/** A write's outcome: the command result (refusals in the server's words) and the parsed body, if any. */
export interface SentJson {
  readonly result: CommandResult;
  readonly status: number | null;
  readonly body: unknown;
}

/**
 * Sends a JSON write with the page's token. Never throws: an unreachable server, a 401 and a refusal
 * (`{error, field}`) all come back as a failed result, with the parsed body for callers that read more.
 */
export async function sendJson(baseUrl: string, token: string | null, method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown): Promise<SentJson> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
  } catch (error) {
    return { result: { ok: false, error: `server unreachable: ${(error as Error).message}` }, status: null, body: null };
  }
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    /* a body that is not JSON: keep the status */
  }
  if (response.ok) return { result: { ok: true }, status: response.status, body: parsed };
  if (response.status === 401) {
    return { result: { ok: false, error: token ? 'the server refused the token (401)' : 'no token: open the URL printed by `quotedesk serve` or `quotedesk fleet` (…/#token=…)' }, status: 401, body: parsed };
  }
  const answer = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { error?: unknown; field?: unknown };
  return {
    result: { ok: false, error: typeof answer.error === 'string' ? answer.error : `HTTP ${response.status}`, field: typeof answer.field === 'string' ? answer.field : '' },
    status: response.status,
    body: parsed,
  };
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

async function errorText(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 200);
  } catch {
    return '';
  }
}
