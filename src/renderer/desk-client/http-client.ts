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
 */
import type {
  AlertNotice,
  CommandResult,
  DeskMetrics,
  DeskState,
  ExportKind,
  FillView,
  FlattenRequest,
  RecordingView,
  ReplayCommand,
  SessionSpec,
  SessionSummaryView,
  SessionView,
  StreamMessage,
} from '../../shared/contract.js';

import { PREFERENCES_SCHEMA, readPreferences, type Preferences } from '../../shared/preferences.js';
import { streamProtocols } from '../../shared/stream-auth.js';
import type { ConnectionInfo, StreamingDeskApi } from './streaming-api.js';

/** The page acknowledges each rendered frame (credit flow control) rather than relying on server pacing alone. */
const ACKNOWLEDGE_FRAMES = true;
/** The browser keeps the monitor's preferences here (this origin: one desk per host and port). */
export const PREFERENCES_KEY = 'quotedesk.preferences';
const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

export class HttpDeskApi implements StreamingDeskApi {
  private readonly listeners = new Set<(message: StreamMessage) => void>();
  private readonly connectionListeners = new Set<(info: ConnectionInfo) => void>();
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connection: ConnectionInfo = { status: 'connecting', attempts: 0, retryAtMs: null };

  constructor(
    private readonly baseUrl: string,
    private readonly token: string | null,
  ) {}

  getState(): Promise<DeskState> {
    return this.getJson<DeskState>('/api/state');
  }

  getMetrics(): Promise<DeskMetrics> {
    return this.getJson<DeskMetrics>('/api/metrics');
  }

  getFills(limit: number): Promise<FillView[]> {
    return this.getJson<FillView[]>(`/api/fills?limit=${limit}`);
  }

  getSessions(limit: number): Promise<SessionSummaryView[]> {
    return this.getJson<SessionSummaryView[]>(`/api/sessions?limit=${limit}`);
  }

  async getSessionFills(sessionId: number, limit: number): Promise<FillView[]> {
    const fills = await this.getJson<FillView[]>(`/api/session-fills?session=${sessionId}&limit=${limit}`);
    // why: never show another session's fills under this session's name, whatever the server answered.
    return fills.filter((fill) => fill.sessionId === sessionId);
  }

  getSession(): Promise<SessionView> {
    return this.getJson<SessionView>('/api/session');
  }

  getRecordings(): Promise<RecordingView[]> {
    return this.getJson<RecordingView[]>('/api/recordings');
  }

  startSession(spec: SessionSpec): Promise<CommandResult> {
    return this.send('POST', '/api/session', spec);
  }

  stopSession(): Promise<CommandResult> {
    return this.send('DELETE', '/api/session', {});
  }

  setRecording(on: boolean): Promise<CommandResult> {
    return this.send('POST', '/api/record', { on });
  }

  async exportCsv(kind: ExportKind, sessionId: number): Promise<string | null> {
    const path = `/api/export/${kind}.csv?session=${sessionId}`;
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
    return this.send('POST', '/api/control/kill', {});
  }
  rearm(): Promise<CommandResult> {
    return this.send('POST', '/api/control/rearm', { confirm: true });
  }
  pause(): Promise<CommandResult> {
    return this.send('POST', '/api/control/pause', {});
  }
  resume(): Promise<CommandResult> {
    return this.send('POST', '/api/control/resume', {});
  }
  reduce(): Promise<CommandResult> {
    return this.send('POST', '/api/control/reduce', {});
  }
  acceptPosition(): Promise<CommandResult> {
    return this.send('POST', '/api/control/accept-position', {});
  }
  flatten(request: FlattenRequest): Promise<CommandResult> {
    return this.send('POST', '/api/control/flatten', request);
  }
  cancelFlatten(): Promise<CommandResult> {
    return this.send('POST', '/api/control/cancel-flatten', {});
  }
  cancelOrder(clientOrderId: string): Promise<CommandResult> {
    return this.send('POST', '/api/control/cancel-order', { clientOrderId });
  }
  setParams(patch: unknown): Promise<CommandResult> {
    return this.send('PUT', '/api/params', patch);
  }
  replay(command: ReplayCommand): Promise<CommandResult> {
    return this.send('POST', '/api/replay', command);
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
    if (this.listeners.size === 1) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  private unacked = false;

  frameRendered(): void {
    const socket = this.socket;
    if (!this.unacked || !socket || socket.readyState !== WebSocket.OPEN) return;
    this.unacked = false;
    socket.send('{"type":"ack"}');
  }

  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connection);
    return () => this.connectionListeners.delete(listener);
  }

  private setConnection(info: ConnectionInfo): void {
    this.connection = info;
    for (const listener of this.connectionListeners) listener(info);
  }

  private connect(): void {
    this.retryTimer = null;
    const url = new URL('/api/stream', this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url.toString(), streamProtocols(this.token));
    this.socket = socket;
    this.unacked = false;
    // Acknowledged mode (`{"type":"hello","ack":true}`): the server sends the next update only after the
    // page rendered a frame with the last one (see frameRendered), so the page never receives more than
    // one update per frame even when its frames slow down; server pacing alone let a slow second through
    // (measured by test/bench/monitor.bench.ts, at the same event-to-pixel latency within noise).
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', ack: ACKNOWLEDGE_FRAMES }));
    this.setConnection({ status: 'connecting', attempts: this.connection.attempts, retryAtMs: null });
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      let message: StreamMessage;
      try {
        message = JSON.parse(event.data) as StreamMessage;
      } catch {
        return;
      }
      // why: "open" means data flows — a socket that opens and closes without a snapshot is still down.
      if (this.connection.status !== 'open') this.setConnection({ status: 'open', attempts: 0, retryAtMs: null });
      if (message.type === 'update') this.unacked = true;
      for (const listener of this.listeners) listener(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    socket.onerror = () => socket.close();
  }

  private scheduleReconnect(): void {
    if (this.listeners.size === 0) return;
    const attempts = this.connection.attempts + 1;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (attempts - 1));
    this.setConnection({ status: 'disconnected', attempts, retryAtMs: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private disconnect(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
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
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    } catch (error) {
      return { ok: false, error: `desk unreachable: ${(error as Error).message}` };
    }
    if (response.ok) return { ok: true };
    if (response.status === 401) {
      return { ok: false, error: this.token ? 'the desk refused the token (401)' : 'no token: open the URL printed by `quotedesk serve` (…/#token=…)' };
    }
    let error = `HTTP ${response.status}`;
    let field = '';
    try {
      const parsed = (await response.json()) as { error?: unknown; field?: unknown };
      if (typeof parsed.error === 'string') error = parsed.error;
      if (typeof parsed.field === 'string') field = parsed.field;
    } catch {
      /* a body that is not JSON: keep the status */
    }
    return { ok: false, error, field };
  }
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
