/**
 * LiveFeed: a venue's public market data over a real WebSocket (`ws`) and REST (global `fetch`), driven
 * through the same pure venue adapter the replay uses. It owns only I/O: connect and subscribe
 * (`venueEndpoints`), hand every frame to the adapter as received (`onText('ws', text,
 * localUs)`), carry out what the adapter asks (`fetch-snapshot`: GET the url and feed the answer as a
 * `rest` message; `resubscribe`: a fresh connection, which every venue answers with a new snapshot),
 * keep the connection alive as the venue requires (application pings for Bybit/Kraken; Binance's ping
 * frames are answered by `ws` itself; Coinbase sends heartbeats), reconnect with capped exponential
 * backoff and jitter, and call the FeedListener (onBook once per whole applied message, onTrade,
 * onFeedEvent, onTime on a periodic timer). Our own WebSocket ping goes out every `pingIntervalMs`: a
 * frame or the pong proves the connection alive, so a quiet market on a healthy link is told apart from a
 * dead one (feed-health.ts). A connection silent (no frame, no pong) for longer than
 * `reconnectAfterSilentMs` is replaced. A frame that is not valid JSON could hide a book change: the book is reset and the
 * connection replaced. An optional tap receives every frame (ws text exactly as received, REST bodies
 * with their url) in the capture format, for the recorder (`startRecording`/`stopRecording`, which first
 * writes the venue's instrument answer so a replay knows the tick and lot).
 * Endpoints are overridable (`wsUrl`, `restUrl`) for testnets and local test servers.
 */
import WebSocket from 'ws';
import { backoffDelayMs, type BackoffOptions } from '../../../shared/backoff.js';
import type { FeedHealthView, VenueName } from '../../../shared/contract.js';
import type { Instrument, LocalUs } from '../../../shared/units.js';
import {
  createAdapter,
  knownInstrument,
  parseInstrumentResponse,
  venueEndpoints,
  type AdapterOptions,
  type VenueEndpoints,
} from '../adapters/index.js';
import type { AdapterSink, VenueAdapter } from '../adapters/types.js';
import { CaptureWriter, type CaptureFrameInput } from '../capture/index.js';
import { FeedHealthTracker } from '../feed-health.js';
import type { BookReader, Clock, FeedEvent, FeedListener, MarketFeed, MarketTrade } from '../types.js';

export type LiveVenue = Exclude<VenueName, 'sim'>;
export { backoffDelayMs, type BackoffOptions };

export interface LiveFeedOptions {
  readonly venue: LiveVenue;
  readonly symbol: string;
  readonly instrument: Instrument;
  /**
   * WebSocket url override. A bare origin (`ws://127.0.0.1:9000`) keeps the venue's default path and
   * query (Binance's `/stream?streams=...`); a url with a path is used as is.
   */
  readonly wsUrl?: string;
  /** REST base url override (`http://127.0.0.1:9000`): snapshot and instrument requests go there. */
  readonly restUrl?: string;
  /** Subscribed depth (Bybit, Kraken). */
  readonly depth?: number;
  readonly adapterOptions?: AdapterOptions;
  readonly staleAfterMs?: number;
  /** Replace a connection that has been silent (no frame, no pong) this long (default max(3 × staleAfterMs, 15,000) ms). */
  readonly reconnectAfterSilentMs?: number;
  /** Our WebSocket ping to the venue (default staleAfterMs / 5, within 20..1,000 ms: five chances to answer). */
  readonly pingIntervalMs?: number;
  /** Period of `onTime` (default 250 ms). */
  readonly timeTickMs?: number;
  readonly backoff?: BackoffOptions;
  /** Random source for jitter (default Math.random). */
  readonly random?: () => number;
  /** Timeout of a REST request (default 10,000 ms). */
  readonly restTimeoutMs?: number;
  /** Receives every frame in the capture format (the recorder). */
  readonly tap?: (frame: CaptureFrameInput) => void;
  /** The venue's instrument answer `instrument` came from: `startRecording` writes it first, so replays read the spec. */
  readonly instrumentResponse?: InstrumentResponse | null;
}

/** Connection-id prefix per venue in captures (what ReplayFeed's detection reads). */
export const CONN_PREFIX: Readonly<Record<LiveVenue, string>> = {
  'binance-spot': 'BINANCE',
  'binance-usdm': 'BINANCE_FUTURES',
  'bybit-spot': 'BYBIT_SPOT',
  'bybit-linear': 'BYBIT_LINEAR',
  kraken: 'KRAKEN',
  coinbase: 'COINBASE',
};

/** µs since the epoch from the high-resolution clock (monotone within the process). */
export function wallClockUs(): LocalUs {
  return Math.round((performance.timeOrigin + performance.now()) * 1_000);
}

/** Applies a base-url override to a venue url (keeps path and query). */
function withBase(url: string, base: string | undefined): string {
  if (!base) return url;
  const u = new URL(url);
  const b = new URL(base);
  const basePath = b.pathname.replace(/\/+$/, '');
  return `${b.origin}${basePath}${u.pathname}${u.search}`;
}

function wsUrlFor(endpoints: VenueEndpoints, override: string | undefined): string {
  if (!override) return endpoints.wsUrl;
  const o = new URL(override);
  if ((o.pathname === '/' || o.pathname === '') && !o.search) {
    const d = new URL(endpoints.wsUrl);
    return `${o.origin}${d.pathname}${d.search}`;
  }
  return override;
}

/** The venue's answer to the instrument request, as received: `record` stores it in the capture. */
export interface InstrumentResponse {
  readonly url: string;
  readonly text: string;
  /** Local receive time, µs. */
  readonly localUs: LocalUs;
}

/**
 * Tick and lot of a symbol from the venue's public instrument endpoint (`restUrl` overrides its base), with
 * the answer as received (`response`); when the request or the parse fails, the documented spec
 * (`knownInstrument`) is used; when neither exists, an Error says which venue and symbol. `offline: true`
 * skips the network.
 */
export async function resolveInstrument(
  venue: LiveVenue,
  symbol: string,
  options: { restUrl?: string; offline?: boolean; timeoutMs?: number } = {},
): Promise<{ instrument: Instrument; source: 'venue' | 'known'; error: string | null; response: InstrumentResponse | null }> {
  let error: string | null = null;
  if (!options.offline) {
    try {
      const url = withBase(venueEndpoints(venue, symbol).instrumentUrl, options.restUrl);
      const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
      const text = await res.text();
      const localUs = wallClockUs();
      const instrument = parseInstrumentResponse(venue, symbol, JSON.parse(text) as unknown);
      return { instrument, source: 'venue', error: null, response: { url, text, localUs } };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  const known = knownInstrument(venue, symbol);
  if (known) return { instrument: known, source: 'known', error, response: null };
  throw new Error(
    `no tick/lot for ${venue} ${symbol}: ${error ? `the venue's instrument endpoint failed (${error})` : 'offline'} and the symbol is not in the known-instrument table`,
  );
}

/** The instrument answer as a capture line (`kind: "rest"` with its url), as `record` writes it first. */
export function instrumentFrame(venue: LiveVenue, response: InstrumentResponse): CaptureFrameInput {
  // why: one capture line per message; a pretty-printed answer is stored compact (the same JSON).
  const rawMsg = /[\r\n]/.test(response.text) ? JSON.stringify(JSON.parse(response.text)) : response.text;
  return { recvTs: response.localUs / 1_000_000, kind: 'rest', url: response.url, conn: `${CONN_PREFIX[venue]}.http.0`, rawMsg };
}

const NULL_LISTENER: FeedListener = {
  onBook: () => undefined,
  onTrade: () => undefined,
  onFeedEvent: () => undefined,
  onTime: () => undefined,
};

export class LiveFeed implements MarketFeed, Clock {
  readonly mode = 'live' as const;
  readonly instrument: Instrument;
  readonly book: BookReader;
  readonly venue: LiveVenue;
  readonly symbol: string;
  readonly adapter: VenueAdapter;
  readonly endpoints: VenueEndpoints;
  readonly wsUrl: string;
  private readonly tracker: FeedHealthTracker;
  private readonly options: LiveFeedOptions;
  private readonly connPrefix: string;
  private listener: FeedListener = NULL_LISTENER;
  private tap: ((frame: CaptureFrameInput) => void) | null;
  private socket: WebSocket | null = null;
  private connectionNo = 0;
  private attempt = 0;
  private running = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private keepAliveTimer: ReturnType<typeof setInterval> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private fetchInFlight: AbortController | null = null;
  /** The connection last showed life: a frame, or the pong to our ping. */
  private lastAliveUs = Number.NaN;
  private wsFrames = 0;
  private recorder: CaptureWriter | null = null;
  private firstOpen: (() => void) | null = null;

  constructor(options: LiveFeedOptions) {
    this.options = options;
    this.venue = options.venue;
    this.symbol = options.symbol;
    this.instrument = options.instrument;
    this.endpoints = venueEndpoints(options.venue, options.symbol, options.depth === undefined ? {} : { depth: options.depth });
    this.wsUrl = wsUrlFor(this.endpoints, options.wsUrl);
    const adapterOptions: AdapterOptions = { ...(options.adapterOptions ?? {}) };
    if (options.depth !== undefined) adapterOptions.depth = options.depth;
    if (options.restUrl !== undefined) adapterOptions.restBaseUrl = options.restUrl;
    this.adapter = createAdapter(options.venue, options.instrument, adapterOptions);
    this.book = this.adapter.book;
    this.connPrefix = CONN_PREFIX[options.venue];
    this.tap = options.tap ?? null;
    this.tracker = new FeedHealthTracker(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs });
    this.tracker.bindCounters(this.adapter.counters);
    const sink: AdapterSink = {
      onTrade: (trade: MarketTrade) => this.listener.onTrade(trade),
      onFeedEvent: (event: FeedEvent) => {
        if (event.type === 'trusted') this.attempt = 0; // a healthy book ends the backoff sequence
        this.emit(event);
      },
    };
    this.adapter.setSink(sink);
  }

  nowUs(): LocalUs {
    return wallClockUs();
  }

  trusted(): boolean {
    return this.adapter.trusted();
  }

  health(nowUs: LocalUs): FeedHealthView {
    return this.tracker.view(nowUs);
  }

  /** WebSocket frames received since start (all connections). */
  framesReceived(): number {
    return this.wsFrames;
  }

  /** Connects; resolves once the first connection attempt has opened or failed (retries go on). */
  async start(listener: FeedListener): Promise<void> {
    if (this.running) throw new Error('live feed already started');
    this.running = true;
    this.listener = listener;
    const tickMs = this.options.timeTickMs ?? 250;
    this.tickTimer = setInterval(() => this.onTick(), tickMs);
    const opened = new Promise<void>((resolve) => (this.firstOpen = resolve));
    this.connect();
    await opened;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.reconnectTimer = null;
    this.tickTimer = null;
    this.stopKeepAlive();
    this.fetchInFlight?.abort();
    this.fetchInFlight = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
    this.tracker.setConnection('closed', this.nowUs());
    this.firstOpen?.();
    this.firstOpen = null;
    if (this.recorder) await this.stopRecording();
    this.listener = NULL_LISTENER;
  }

  // ---- recorder ------------------------------------------------------------------------------------

  /** Sets (or removes) the frame tap; the recorder uses it. */
  setTap(tap: ((frame: CaptureFrameInput) => void) | null): void {
    this.tap = tap;
  }

  /**
   * Starts writing every frame to `file` (`.jsonl` / `.jsonl.gz`). With `resync` (default true) the
   * connection is replaced so the recording begins with a full snapshot and replays on its own; the book
   * is untrusted for the moment that takes (the desk pulls quotes meanwhile).
   */
  async startRecording(file: string, options: { resync?: boolean } = {}): Promise<void> {
    if (this.recorder) throw new Error(`already recording to ${this.recorder.file}`);
    const writer = await CaptureWriter.open(file);
    if (this.options.instrumentResponse) writer.write(instrumentFrame(this.venue, this.options.instrumentResponse));
    this.recorder = writer;
    this.tap = (frame) => writer.write(frame);
    if ((options.resync ?? true) && this.running) this.reconnect('recording started: fresh snapshot for the recording', 0);
  }

  /** Stops writing and publishes the file (renamed into place). */
  async stopRecording(): Promise<{ file: string; frames: number } | null> {
    const writer = this.recorder;
    if (!writer) return null;
    this.recorder = null;
    this.tap = this.options.tap ?? null;
    await writer.close();
    return { file: writer.file, frames: writer.frames };
  }

  recording(): { file: string; frames: number } | null {
    return this.recorder ? { file: this.recorder.file, frames: this.recorder.frames } : null;
  }

  // ---- connection ----------------------------------------------------------------------------------

  private emit(event: FeedEvent): void {
    this.tracker.recordFeedEvent(event);
    this.listener.onFeedEvent(event);
  }

  private connect(): void {
    if (!this.running) return;
    this.connectionNo++;
    const conn = `${this.connPrefix}.ws.${this.connectionNo}`;
    this.tracker.setConnection('connecting', this.nowUs());
    const socket = new WebSocket(this.wsUrl, { handshakeTimeout: 10_000, perMessageDeflate: false });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      const now = this.nowUs();
      this.lastAliveUs = now;
      this.tracker.setConnection('connected', now);
      this.emit({ type: 'connected', localUs: now });
      for (const message of this.endpoints.subscribe) socket.send(JSON.stringify(message));
      this.startKeepAlive(socket);
      this.firstOpen?.();
      this.firstOpen = null;
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.socket !== socket) return;
      const text = isBinary ? '' : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
      this.onFrame(conn, text);
    });
    socket.on('pong', () => {
      if (this.socket !== socket) return;
      const now = this.nowUs();
      this.lastAliveUs = now;
      this.tracker.recordAlive(now);
    });
    socket.on('error', (err: Error) => {
      if (this.socket !== socket) return;
      this.tracker.recordError(`${conn}: ${err.message}`);
      this.emit({ type: 'error', localUs: this.nowUs(), detail: `${conn}: ${err.message}` });
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (this.socket !== socket) return;
      this.onClosed(`socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
    });
  }

  private onClosed(reason: string): void {
    this.socket = null;
    this.stopKeepAlive();
    this.fetchInFlight?.abort();
    this.fetchInFlight = null;
    const now = this.nowUs();
    this.adapter.reset(now);
    this.emit({ type: 'disconnected', localUs: now, reason });
    this.firstOpen?.();
    this.firstOpen = null;
    if (!this.running) return;
    this.scheduleReconnect(backoffDelayMs(this.attempt++, this.options.backoff, this.options.random));
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.socket === null) {
        this.tracker.recordReconnect();
        this.connect();
      }
    }, delayMs);
  }

  /** Drops the current connection (if any) and connects again after `delayMs` (backoff when omitted). */
  private reconnect(reason: string, delayMs?: number): void {
    const socket = this.socket;
    this.socket = null;
    this.stopKeepAlive();
    this.fetchInFlight?.abort();
    this.fetchInFlight = null;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
    const now = this.nowUs();
    this.adapter.reset(now);
    this.emit({ type: 'disconnected', localUs: now, reason });
    if (!this.running) return;
    this.scheduleReconnect(delayMs ?? backoffDelayMs(this.attempt++, this.options.backoff, this.options.random));
  }

  private startKeepAlive(socket: WebSocket): void {
    this.stopKeepAlive();
    const staleMs = this.tracker.staleAfterUs / 1_000;
    const pingMs = this.options.pingIntervalMs ?? Math.min(1_000, Math.max(20, staleMs / 5));
    this.pingTimer = setInterval(() => {
      // why: a protocol ping every venue's server answers, whatever its market does: the pong is the
      // connection's proof of life when the market is quiet.
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, pingMs);
    const ka = this.endpoints.keepAlive;
    if (ka.kind !== 'client-message') return;
    const text = JSON.stringify(ka.message);
    this.keepAliveTimer = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    }, ka.intervalMs);
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private onTick(): void {
    const now = this.nowUs();
    const silentMs = this.options.reconnectAfterSilentMs ?? Math.max(3 * (this.tracker.staleAfterUs / 1_000), 15_000);
    if (this.socket !== null && this.socket.readyState === WebSocket.OPEN && now - this.lastAliveUs > silentMs * 1_000) {
      this.reconnect(`connection silent (no frame, no answer to our ping) for ${Math.round((now - this.lastAliveUs) / 1_000)} ms`);
    }
    this.listener.onTime(now);
  }

  // ---- messages ------------------------------------------------------------------------------------

  private onFrame(conn: string, text: string): void {
    const localUs = this.nowUs();
    this.lastAliveUs = localUs;
    this.wsFrames++;
    this.tap?.({ recvTs: localUs / 1_000_000, kind: 'ws', conn, rawMsg: text.length > 0 ? text : 'null' });
    this.tracker.recordMessage(localUs);
    let changed: boolean;
    try {
      // The adapter parses the frame (Kraken and Binance apply book updates straight from the text).
      changed = this.adapter.onText('ws', text, localUs);
    } catch (error) {
      // why: a truncated or garbled frame may have carried a book change; only a fresh snapshot is safe.
      const what = error instanceof SyntaxError ? 'a frame that is not JSON' : `a frame the adapter failed on (${String(error)})`;
      this.tracker.recordError(`${conn}: ${what} (${text.slice(0, 60)})`);
      this.reconnect('malformed frame: resync', 0);
      return;
    }
    this.afterMessage(changed, localUs);
  }

  /** Tells the desk the book changed, then does what the adapter asks (fetch a snapshot, resubscribe). */
  private afterMessage(changed: boolean, localUs: LocalUs): void {
    if (changed) this.listener.onBook(localUs);
    const action = this.adapter.takeAction();
    switch (action.type) {
      case 'none':
        return;
      case 'fetch-snapshot':
        this.fetchSnapshot(action.url);
        return;
      case 'resubscribe':
        // Every venue sends a fresh snapshot on a new subscription; a new connection is the simplest clean one.
        this.reconnect('resync requested by the adapter', 0);
        return;
    }
  }

  private fetchSnapshot(url: string): void {
    if (this.fetchInFlight !== null) return;
    const controller = new AbortController();
    this.fetchInFlight = controller;
    const socket = this.socket;
    const timeout = setTimeout(() => controller.abort(), this.options.restTimeoutMs ?? 10_000);
    void (async () => {
      try {
        const res = await fetch(url, { signal: controller.signal });
        const text = await res.text();
        if (this.fetchInFlight !== controller || this.socket !== socket) return;
        this.fetchInFlight = null;
        if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 120)}`);
        const localUs = this.nowUs();
        this.tap?.({ recvTs: localUs / 1_000_000, kind: 'rest', url, conn: `${this.connPrefix}.http.0`, rawMsg: text });
        this.tracker.recordMessage(localUs);
        // A body that is not JSON throws here (SyntaxError): reported below as a failed snapshot, then a reconnect.
        this.afterMessage(this.adapter.onText('rest', text, localUs), localUs);
      } catch (err) {
        if (controller.signal.aborted && this.fetchInFlight !== controller) return; // we cancelled it (reconnect/stop)
        if (this.fetchInFlight === controller) this.fetchInFlight = null;
        const detail = `snapshot request failed: ${err instanceof Error ? err.message : String(err)}`;
        this.tracker.recordError(detail);
        if (this.running && this.socket === socket) this.reconnect(detail);
      } finally {
        clearTimeout(timeout);
      }
    })();
  }
}
