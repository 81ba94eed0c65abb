/**
 * A scripted Binance-spot venue on 127.0.0.1 for the risk tests: a real `ws` WebSocket server and a
 * node:http REST server on one port (exchangeInfo, depth snapshot), whose market is a small book the
 * test moves by hand. Every frame is a real `depthUpdate` with consecutive update ids; a heartbeat frame
 * (a deep level re-stated) keeps the feed alive unless the test makes it `silent` (a dead link: no frame and
 * no answer to the client's pings) or `quiet` (a quiet market: no frame, pings answered). Faults on demand: a
 * sequence gap, a crossed frame the venue's own book never held, a frame that is not JSON, silence, and
 * `blast` (as many frames as the socket takes, for the kill-switch-under-load tests). The REST snapshot
 * is always the venue's true book at its last update id, so every resync repairs the client. Test support.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const SYMBOL = 'RISKUSDT';

export class ScriptedVenue {
  /** Price in ticks (0.01) → size in lots (0.001). */
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private id = 1_000;
  private client: WebSocket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private blasting = false;
  private blastTimer: ReturnType<typeof setImmediate> | null = null;
  private flip = false;
  silent = false;
  quiet = false;
  sent = 0;
  connections = 0;
  snapshots = 0;
  /** Called after every frame sent (tests re-check their conditions here). */
  onSent: () => void = () => undefined;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(midTicks = 10_000, heartbeatMs = 5): Promise<ScriptedVenue> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, autoPong: false });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const venue = new ScriptedVenue(http, wss, (http.address() as AddressInfo).port);
    venue.reset(midTicks);
    http.on('request', (req, res) => venue.onRequest(req, res));
    wss.on('connection', (socket) => venue.onConnection(socket));
    venue.heartbeat = setInterval(() => {
      if (!venue.silent && !venue.quiet && !venue.blasting) venue.beat();
    }, heartbeatMs);
    return venue;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.stopBlast();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /* ----------------------------------------------------------------- the market */

  /** A book of 10 levels each side around `midTicks` (spread 2 ticks), without sending anything. */
  private reset(midTicks: number): void {
    this.bids.clear();
    this.asks.clear();
    for (let i = 0; i < 10; i++) {
      this.bids.set(midTicks - 1 - i, 5_000 + 1_000 * i);
      this.asks.set(midTicks + 1 + i, 5_000 + 1_000 * i);
    }
  }

  bestBid(): number {
    return Math.max(...this.bids.keys());
  }

  bestAsk(): number {
    return Math.min(...this.asks.keys());
  }

  /** Moves the whole book to a new mid in one frame (old levels removed, new ones added). */
  moveTo(midTicks: number): void {
    const b: Array<[number, number]> = [...this.bids.keys()].map((p) => [p, 0]);
    const a: Array<[number, number]> = [...this.asks.keys()].map((p) => [p, 0]);
    this.reset(midTicks);
    for (const [p, s] of this.bids) b.push([p, s]);
    for (const [p, s] of this.asks) a.push([p, s]);
    this.frame(this.id + 1, this.id + 1, b, a);
    this.id++;
  }

  /** Re-states a deep level (alternating sizes): a real update that changes nothing near the touch. */
  beat(): void {
    const deep = this.bestBid() - 9;
    this.flip = !this.flip;
    const size = this.flip ? 14_000 : 14_001;
    this.bids.set(deep, size);
    this.frame(this.id + 1, this.id + 1, [[deep, size]], []);
    this.id++;
  }

  /** Update ids jump: the client must see a gap and resync from the snapshot. */
  gap(): void {
    this.id += 5;
    this.beat();
  }

  /** A frame putting a bid above the best ask; the venue's true book never holds it. */
  crossed(): void {
    this.frame(this.id + 1, this.id + 1, [[this.bestAsk() + 3, 1_000]], []);
    this.id++;
  }

  /** Half a frame: not JSON. */
  garble(): void {
    const text = this.text(this.id + 1, this.id + 1, [], []);
    this.id++;
    this.raw(text.slice(0, text.length >> 1));
  }

  /** Sends heartbeat frames back to back (a few hundred per macrotask) until `stopBlast`. */
  blast(perTurn = 200): void {
    this.blasting = true;
    const loop = (): void => {
      if (!this.blasting) return;
      for (let i = 0; i < perTurn && this.client; i++) this.beat();
      this.blastTimer = setImmediate(loop);
    };
    loop();
  }

  stopBlast(): void {
    this.blasting = false;
    if (this.blastTimer) clearImmediate(this.blastTimer);
    this.blastTimer = null;
  }

  /* ----------------------------------------------------------------- wire */

  private fmt(ticks: number): string {
    return (ticks / 100).toFixed(2);
  }

  private lots(lots: number): string {
    return (lots / 1000).toFixed(3);
  }

  private text(first: number, last: number, b: Array<[number, number]>, a: Array<[number, number]>): string {
    const data = {
      e: 'depthUpdate',
      E: Date.now(),
      s: SYMBOL,
      U: first,
      u: last,
      b: b.map(([p, s]) => [this.fmt(p), this.lots(s)]),
      a: a.map(([p, s]) => [this.fmt(p), this.lots(s)]),
    };
    return JSON.stringify({ stream: `${SYMBOL.toLowerCase()}@depth@100ms`, data });
  }

  private frame(first: number, last: number, b: Array<[number, number]>, a: Array<[number, number]>): void {
    this.raw(this.text(first, last, b, a));
  }

  private raw(text: string): void {
    if (!this.client) return;
    this.client.send(text);
    this.sent++;
    this.onSent();
  }

  private onConnection(socket: WebSocket): void {
    this.connections++;
    if (this.client) this.client.terminate();
    this.client = socket;
    socket.on('ping', (data) => {
      if (!this.silent) socket.pong(data);
    });
    socket.on('close', () => {
      if (this.client === socket) this.client = null;
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.restUrl);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v3/depth') {
      this.snapshots++;
      const side = (m: Map<number, number>, dir: 1 | -1) => [...m.entries()].sort((x, y) => dir * (x[0] - y[0])).map(([p, s]) => [this.fmt(p), this.lots(s)]);
      return json(200, { lastUpdateId: this.id, bids: side(this.bids, -1), asks: side(this.asks, 1) });
    }
    if (url.pathname === '/api/v3/exchangeInfo') {
      return json(200, {
        symbols: [
          {
            symbol: SYMBOL,
            quoteAsset: 'USDT',
            filters: [
              { filterType: 'PRICE_FILTER', tickSize: '0.01' },
              { filterType: 'LOT_SIZE', stepSize: '0.001' },
            ],
          },
        ],
      });
    }
    json(404, { error: `no route ${url.pathname}` });
  }
}
