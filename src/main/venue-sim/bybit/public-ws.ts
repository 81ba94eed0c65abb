/**
 * The local exchange's Bybit v5 public stream (`websocket/public/orderbook.mdx`, `trade.mdx`, the "Connect"
 * page) at `/v5/public/{spot|linear}`, so the desk's own Bybit adapter and LiveFeed consume it unchanged:
 * `{"op":"subscribe","args":["orderbook.{depth}.{symbol}","publicTrade.{symbol}"]}` answered with
 * `success`, an orderbook `snapshot` of the top `depth` levels at once, then a `delta` every 100 ms with the
 * levels of the top `depth` that changed, entered or left it (absolute sizes, "0" deletes), `u` one above
 * the topic's previous message; trades as
 * `{T, s, S (taker side), v, p, i}`; `{"op":"ping"}` answered with a pong. A client whose socket backs up
 * beyond 4 MB is disconnected.
 */
import type WebSocket from 'ws';
import type { Formats } from '../binance/dialect.js';
import type { PublicTrade, SimExchange } from '../sim-exchange.js';

const MAX_BUFFERED = 4 * 1024 * 1024;
const DEPTHS = new Set([1, 50, 200, 1000]);
export const BYBIT_DEPTH_INTERVAL_MS = 100;

/** The top `n` levels of one side as [price, size] texts (snapshots and the REST orderbook). */
export function bookLevels(exchange: SimExchange, fmt: Formats, side: 'bid' | 'ask', n: number): Array<[string, string]> {
  const prices = new Float64Array(n);
  const sizes = new Float64Array(n);
  const count = exchange.book.top(side, n, prices, sizes);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < count; i++) out.push([fmt.price(exchange.price(prices[i] ?? 0)), fmt.qty(exchange.qty(sizes[i] ?? 0))]);
  return out;
}

interface Subscriber {
  readonly socket: WebSocket;
  readonly connId: string;
  /** Subscribed depth of the book topic, when subscribed. */
  depth: number | null;
  trades: boolean;
}

interface DepthTopic {
  u: number;
  /** What the topic's subscribers hold: "b:price" / "a:price" → size text. */
  sent: Map<string, string>;
}

export class BybitPublicStreams {
  private readonly subs = new Set<Subscriber>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly topics = new Map<number, DepthTopic>();
  private seq = 0;

  constructor(
    private readonly category: 'spot' | 'linear',
    private readonly symbol: string,
    private readonly exchange: SimExchange,
    private readonly fmt: Formats,
  ) {}

  start(): void {
    this.exchange.book.takeDiff();
    this.timer = setInterval(() => this.flush(), BYBIT_DEPTH_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const sub of this.subs) sub.socket.terminate();
    this.subs.clear();
  }

  attach(socket: WebSocket, connId: string): void {
    const sub: Subscriber = { socket, connId, depth: null, trades: false };
    this.subs.add(sub);
    socket.on('close', () => this.subs.delete(sub));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.onMessage(sub, data.toString('utf8'));
    });
  }

  private onMessage(sub: Subscriber, text: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      message = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return sub.socket.send(JSON.stringify({ success: false, ret_msg: 'error:invalid op', conn_id: sub.connId, op: '' }));
    }
    const reqId = typeof message['req_id'] === 'string' ? message['req_id'] : '';
    const op = message['op'];
    if (op === 'ping') return sub.socket.send(JSON.stringify({ success: true, ret_msg: 'pong', conn_id: sub.connId, req_id: reqId, op: 'ping' }));
    if (op !== 'subscribe') return sub.socket.send(JSON.stringify({ success: false, ret_msg: `error:handler not found,op:${String(op).slice(0, 20)}`, conn_id: sub.connId, req_id: reqId, op: String(op).slice(0, 20) }));
    const args = Array.isArray(message['args']) ? message['args'] : [];
    const snapshots: number[] = [];
    for (const arg of args) {
      if (typeof arg !== 'string') continue;
      const book = /^orderbook\.(\d+)\.([A-Z0-9]+)$/.exec(arg);
      if (book && book[2] === this.symbol && DEPTHS.has(Number(book[1]))) {
        sub.depth = Number(book[1]);
        snapshots.push(sub.depth);
      } else if (arg === `publicTrade.${this.symbol}`) {
        sub.trades = true;
      } else {
        return sub.socket.send(JSON.stringify({ success: false, ret_msg: `error:Invalid topic ${arg.slice(0, 60)}`, conn_id: sub.connId, req_id: reqId, op: 'subscribe' }));
      }
    }
    sub.socket.send(JSON.stringify({ success: true, ret_msg: this.category === 'spot' ? 'subscribe' : '', conn_id: sub.connId, req_id: reqId, op: 'subscribe' }));
    for (const depth of snapshots) this.snapshot(sub, depth);
  }

  private topic(depth: number): DepthTopic {
    let topic = this.topics.get(depth);
    if (!topic) {
      topic = { u: 1, sent: this.topOf(depth) };
      this.topics.set(depth, topic);
    }
    return topic;
  }

  /** The top `depth` levels now, keyed as the topic keeps them. */
  private topOf(depth: number): Map<string, string> {
    const out = new Map<string, string>();
    for (const side of ['bid', 'ask'] as const) for (const [price, size] of bookLevels(this.exchange, this.fmt, side, depth)) out.set(`${side === 'bid' ? 'b' : 'a'}:${price}`, size);
    return out;
  }

  private snapshot(sub: Subscriber, depth: number): void {
    const topic = this.topic(depth);
    // why: a late subscriber gets the book as it is now at the topic's u; the next delta (u + 1) sets
    // absolute sizes, so any level that moved in between is made right by it
    const now = Math.floor(this.exchange.serverMs());
    const msg = { topic: `orderbook.${depth}.${this.symbol}`, type: 'snapshot', ts: now, data: { s: this.symbol, b: bookLevels(this.exchange, this.fmt, 'bid', depth), a: bookLevels(this.exchange, this.fmt, 'ask', depth), u: topic.u, seq: this.seq }, cts: now };
    sub.socket.send(JSON.stringify(msg));
  }

  /** Publishes, per subscribed depth, the levels of its top that changed, entered or left it. */
  flush(): void {
    if (!this.exchange.book.takeDiff()) return;
    this.seq++;
    const now = Math.floor(this.exchange.serverMs());
    const depths = new Set<number>();
    for (const sub of this.subs) if (sub.depth !== null) depths.add(sub.depth);
    for (const depth of depths) {
      const topic = this.topic(depth);
      const current = this.topOf(depth);
      const b: Array<[string, string]> = [];
      const a: Array<[string, string]> = [];
      for (const [key, size] of current) if (topic.sent.get(key) !== size) (key.startsWith('b') ? b : a).push([key.slice(2), size]);
      for (const key of topic.sent.keys()) if (!current.has(key)) (key.startsWith('b') ? b : a).push([key.slice(2), '0']);
      topic.sent = current;
      if (b.length === 0 && a.length === 0) continue;
      topic.u++;
      const msg = { topic: `orderbook.${depth}.${this.symbol}`, type: 'delta', ts: now, data: { s: this.symbol, b, a, u: topic.u, seq: this.seq }, cts: now };
      for (const sub of this.subs) if (sub.depth === depth) this.send(sub, msg);
    }
  }

  onPublicTrade(trade: PublicTrade): void {
    const now = Math.floor(this.exchange.serverMs());
    const entry = { T: trade.timeMs, s: this.symbol, S: trade.buyerIsMaker ? 'Sell' : 'Buy', v: this.fmt.qty(this.exchange.qty(trade.lots)), p: this.fmt.price(this.exchange.price(trade.priceTicks)), L: 'ZeroPlusTick', i: String(trade.id), BT: false };
    for (const sub of this.subs) if (sub.trades) this.send(sub, { topic: `publicTrade.${this.symbol}`, type: 'snapshot', ts: now, data: [entry] });
  }

  private send(sub: Subscriber, msg: unknown): void {
    if (sub.socket.bufferedAmount > MAX_BUFFERED) {
      sub.socket.terminate();
      return;
    }
    sub.socket.send(JSON.stringify(msg));
  }
}
