/**
 * A venue on 127.0.0.1 for the live-path tests: a real `ws` WebSocket server and a node:http REST server
 * on one port that serve a real capture the way the venue would. The "market" is the capture itself:
 * a reference ReplayFeed applies every frame as it is produced, so at any moment the server knows the
 * venue's true book and answers a REST depth snapshot (Binance `GET /api/v3/depth`, `/fapi/v1/depth`) or
 * a subscription (Bybit v5 `{"op":"subscribe"}` → a `snapshot` message) from that book, numbered with
 * the last update id produced. Streaming starts where the capture's own book became trusted. Faults on
 * demand: `disconnectAfter` (terminate the first connection after N frames, the client must reconnect),
 * `lostOnReconnect` (frames the market produced while the client was away: applied, never sent) and
 * `dropFrame` (one depth frame produced but not sent: a gap the client must detect and repair),
 * `silenceAfter` (the first connection goes dead but stays open: no frame, no answer to pings — a stale
 * feed), `quietAfter` (the first connection stops sending market frames but answers pings — a quiet market
 * on a healthy link) and `garbleFrame` (one frame cut in half: not JSON). Pings are answered by hand
 * (`autoPong` off), so a dead connection really stays silent.
 * The market advances only while a client is connected and subscribed. Test support only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { DecimalGrid } from '../../src/shared/units.js';
import { ReplayFeed } from '../../src/main/market/replay/index.js';
import type { BookSideName } from '../../src/main/market/types.js';

export type ServedVenue = 'binance-spot' | 'binance-usdm' | 'bybit-spot' | 'bybit-linear';

export interface VenueServerOptions {
  readonly capture: string;
  readonly venue: ServedVenue;
  /** Pause between produced frames (default 1 ms; 0 = every macrotask). */
  readonly intervalMs?: number;
  readonly disconnectAfter?: number;
  readonly lostOnReconnect?: number;
  /** Number (1-based, over all produced streaming frames) of a depth frame that is produced but not sent. */
  readonly dropFrame?: number;
  /** On the first connection, stop sending after this many frames and stop answering pings; the socket stays open (a dead link). */
  readonly silenceAfter?: number;
  /** On the first connection, stop sending after this many frames but keep answering pings (a quiet market). */
  readonly quietAfter?: number;
  /** On the first connection, send this frame (1-based, sent numbering) cut in half: invalid JSON. */
  readonly garbleFrame?: number;
  /** Bybit depth of the reference and of the snapshots (default 200: the captures' topic). */
  readonly depth?: number;
  /** The instrument the venue publishes (its exchangeInfo answer); default the capture's own spec. */
  readonly instrument?: { readonly tickSize: string; readonly lotSize: string };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class VenueServer {
  readonly restRequests: string[] = [];
  /** Frames sent to clients, lost while away, and dropped on purpose. */
  sent = 0;
  lost = 0;
  dropped = 0;
  garbled = 0;
  connections = 0;
  /** Resolves when the whole capture has been produced. */
  readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;
  private client: WebSocket | null = null;
  /** The connection that went dead (silenceAfter): its pings go unanswered. */
  private deaf: WebSocket | null = null;
  private subscribed = false;
  private cursor = 0;
  private produced = 0;
  private lastU = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly priceGrid: DecimalGrid;
  private readonly sizeGrid: DecimalGrid;

  private constructor(
    readonly options: VenueServerOptions,
    readonly reference: ReplayFeed,
    private readonly frames: ReadonlyArray<{ kind: 'ws' | 'rest'; msg: unknown }>,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.priceGrid = new DecimalGrid(reference.instrument.tickSize);
    this.sizeGrid = new DecimalGrid(reference.instrument.lotSize);
    // Produce (silently) until the capture's own book is trusted: streaming starts from a known truth.
    while (this.cursor < frames.length && !reference.trusted()) this.apply();
  }

  static async start(options: VenueServerOptions): Promise<VenueServer> {
    const isBybit = options.venue.startsWith('bybit');
    const reference = await ReplayFeed.open(options.capture, {
      venue: options.venue,
      autoplay: false,
      timeTickMs: 0,
      ...(isBybit ? { adapterOptions: { depth: options.depth ?? 200 } } : {}),
      ...(options.instrument ? { instrumentSpec: options.instrument } : {}),
    });
    await reference.start({ onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined });
    const { loadCapture } = await import('../../src/main/market/capture/index.js');
    const { frames } = await loadCapture(options.capture);
    const http = createServer();
    const wss = new WebSocketServer({ server: http, autoPong: false });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    const server = new VenueServer(options, reference, frames, http, wss, port);
    http.on('request', (req, res) => server.onRequest(req, res));
    wss.on('connection', (socket) => server.onConnection(socket));
    return server;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything produced and the reference book is the capture's final book. */
  get finished(): boolean {
    return this.cursor >= this.frames.length;
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.reference.stop();
  }

  // ---- market --------------------------------------------------------------------------------------

  /** Applies the next capture frame to the reference; returns it. */
  private apply(): { kind: 'ws' | 'rest'; msg: unknown } {
    const frame = this.frames[this.cursor]!;
    this.reference.step(1);
    this.cursor++;
    const msg = frame.msg;
    if (frame.kind === 'rest' && isRecord(msg) && typeof msg['lastUpdateId'] === 'number') {
      this.lastU = Math.max(this.lastU, msg['lastUpdateId']);
    }
    const data = isRecord(msg) && isRecord(msg['data']) ? msg['data'] : msg;
    if (isRecord(data) && data['e'] === 'depthUpdate' && typeof data['u'] === 'number') this.lastU = Math.max(this.lastU, data['u']);
    if (isRecord(data) && typeof data['u'] === 'number' && isRecord(msg) && typeof msg['topic'] === 'string') this.lastU = data['u'];
    if (this.finished) this.resolveDone();
    return frame;
  }

  private isDepthFrame(msg: unknown): boolean {
    if (!isRecord(msg)) return false;
    if (typeof msg['topic'] === 'string') return msg['topic'].startsWith('orderbook.');
    const data = isRecord(msg['data']) ? msg['data'] : msg;
    return data['e'] === 'depthUpdate';
  }

  private pump(): void {
    this.timer = null;
    const client = this.client;
    if (!client || !this.subscribed || this.finished) return;
    const frame = this.apply();
    if (frame.kind === 'ws') {
      this.produced++;
      if (this.options.dropFrame === this.produced && this.isDepthFrame(frame.msg)) {
        this.dropped++;
      } else if (!this.isBybit() || this.isDepthFrame(frame.msg)) {
        const text = JSON.stringify(frame.msg);
        const garble = this.connections === 1 && this.options.garbleFrame === this.sent + 1;
        client.send(garble ? text.slice(0, text.length >> 1) : text);
        this.sent++;
        if (garble) this.garbled++;
        if (this.connections === 1 && this.options.silenceAfter === this.sent) {
          this.deaf = client; // dead link: socket open, nothing sent, pings unanswered
          return;
        }
        if (this.connections === 1 && this.options.quietAfter === this.sent) return; // quiet market, pings answered
        if (this.connections === 1 && this.options.disconnectAfter === this.sent) {
          this.client = null;
          client.terminate();
          return;
        }
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.finished) return;
    const ms = this.options.intervalMs ?? 1;
    this.timer = setTimeout(() => this.pump(), ms);
  }

  private isBybit(): boolean {
    return this.options.venue.startsWith('bybit');
  }

  private onConnection(socket: WebSocket): void {
    this.connections++;
    if (this.client) this.client.terminate();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.client = socket;
    this.subscribed = false;
    if (this.connections > 1) {
      // The venue kept trading while the client was away.
      for (let i = 0; i < (this.options.lostOnReconnect ?? 0) && !this.finished; i++) {
        if (this.apply().kind === 'ws') this.lost++;
      }
    }
    socket.on('message', (data) => this.onClientMessage(socket, data.toString()));
    socket.on('ping', (data) => {
      if (this.deaf !== socket) socket.pong(data);
    });
    socket.on('close', () => {
      if (this.client === socket) this.client = null;
    });
    if (!this.isBybit()) {
      // Binance streams start on connect (the url names the streams).
      this.subscribed = true;
      this.schedule();
    }
  }

  private onClientMessage(socket: WebSocket, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(msg)) return;
    if (msg['op'] === 'ping') {
      socket.send(JSON.stringify({ success: true, ret_msg: 'pong', op: 'ping' }));
      return;
    }
    if (msg['op'] === 'subscribe' && this.isBybit()) {
      socket.send(JSON.stringify({ success: true, ret_msg: '', op: 'subscribe' }));
      const depth = this.options.depth ?? 200;
      const symbol = this.reference.symbol;
      socket.send(
        JSON.stringify({
          topic: `orderbook.${depth}.${symbol}`,
          type: 'snapshot',
          ts: Math.round(this.reference.nowUs() / 1000),
          data: { s: symbol, b: this.levels('bid', depth), a: this.levels('ask', depth), u: this.lastU, seq: this.lastU },
          cts: Math.round(this.reference.nowUs() / 1000),
        }),
      );
      this.subscribed = true;
      this.schedule();
    }
  }

  private levels(side: BookSideName, n: number): Array<[string, string]> {
    const px = new Float64Array(n);
    const sz = new Float64Array(n);
    const k = this.reference.book.top(side, n, px, sz);
    const out: Array<[string, string]> = [];
    for (let i = 0; i < k; i++) out.push([this.priceGrid.format(px[i]!), this.sizeGrid.format(sz[i]!)]);
    return out;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.restUrl);
    this.restRequests.push(url.pathname + url.search);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const symbol = this.reference.symbol;
    if ((url.pathname === '/api/v3/depth' || url.pathname === '/fapi/v1/depth') && !this.isBybit()) {
      if (url.searchParams.get('symbol') !== symbol) return json(400, { code: -1121, msg: 'Invalid symbol.' });
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      return json(200, { lastUpdateId: this.lastU, bids: this.levels('bid', limit), asks: this.levels('ask', limit) });
    }
    if (url.pathname === '/api/v3/exchangeInfo' || url.pathname === '/fapi/v1/exchangeInfo') {
      const i = this.reference.instrument;
      return json(200, {
        symbols: [
          {
            symbol,
            quoteAsset: i.quoteCurrency,
            filters: [
              { filterType: 'PRICE_FILTER', tickSize: i.tickSize },
              { filterType: 'LOT_SIZE', stepSize: i.lotSize },
            ],
          },
        ],
      });
    }
    json(404, { error: `no route ${url.pathname}` });
  }
}
