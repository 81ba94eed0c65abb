/**
 * The local exchange's public market data streams in Binance's exact formats, so the desk's own Binance
 * adapter and LiveFeed consume them unchanged (`web-socket-streams.md`; USD-M "Websocket Market
 * Streams"): raw streams at `/ws/<stream>[/<stream>...]` and combined streams at `/stream?streams=a/b`
 * wrapped as `{"stream","data"}` (USD-M also under the routed `/public` and `/market` prefixes);
 * `<symbol>@depth@100ms` diff events every 100 ms with `U`/`u` continuing the REST snapshot's
 * `lastUpdateId` (spot `{"e":"depthUpdate","E","s","U","u","b","a"}`; USD-M adds `"T"` and `"pu"`, the
 * previous event's `u`), `<symbol>@trade`, `<symbol>@aggTrade` and `<symbol>@bookTicker`. A client whose
 * socket backs up beyond 4 MB is disconnected, as the venue drops slow consumers.
 */
import type WebSocket from 'ws';
import type { PublicTrade, SimExchange } from '../sim-exchange.js';
import type { Dialect, DialectSymbol, Formats } from './dialect.js';

type StreamKind = 'depth' | 'trade' | 'aggTrade' | 'bookTicker';

interface Subscriber {
  readonly socket: WebSocket;
  readonly combined: boolean;
  readonly streams: ReadonlyMap<StreamKind, string>;
}

const MAX_BUFFERED = 4 * 1024 * 1024;
export const DEPTH_INTERVAL_MS = 100;

export class MarketStreams {
  private readonly subscribers = new Set<Subscriber>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastFinalId = 0;
  private lastTop = '';
  private readonly lower: string;

  constructor(
    private readonly dialect: Dialect,
    private readonly spec: DialectSymbol,
    private readonly exchange: SimExchange,
    private readonly fmt: Formats,
  ) {
    this.lower = spec.symbol.toLowerCase();
  }

  start(): void {
    this.lastFinalId = this.exchange.book.updateId();
    this.exchange.book.takeDiff();
    this.timer = setInterval(() => this.flush(), DEPTH_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const sub of this.subscribers) sub.socket.terminate();
    this.subscribers.clear();
  }

  /** The stream names this exchange serves among `names` (others are ignored, as unknown streams are). */
  attach(socket: WebSocket, names: readonly string[], combined: boolean): number {
    const streams = new Map<StreamKind, string>();
    for (const name of names) {
      const kind = this.kindOf(name);
      if (kind) streams.set(kind, name);
    }
    const sub: Subscriber = { socket, combined, streams };
    this.subscribers.add(sub);
    socket.on('close', () => this.subscribers.delete(sub));
    return streams.size;
  }

  private kindOf(name: string): StreamKind | null {
    switch (name) {
      case `${this.lower}@depth@100ms`:
        return 'depth';
      case `${this.lower}@trade`:
        return 'trade';
      case `${this.lower}@aggTrade`:
        return 'aggTrade';
      case `${this.lower}@bookTicker`:
        return 'bookTicker';
      default:
        return null;
    }
  }

  /** Publishes the levels changed since the last diff (and the top of book when it changed). */
  flush(): void {
    const diff = this.exchange.book.takeDiff();
    const now = Math.floor(this.exchange.serverMs());
    if (diff) {
      const level = (pair: readonly [number, number]): [string, string] => [this.fmt.price(this.exchange.price(pair[0])), this.fmt.qty(this.exchange.qty(pair[1]))];
      const bids = diff.bids.map(level);
      const asks = diff.asks.map(level);
      const event =
        this.dialect === 'binance-spot'
          ? { e: 'depthUpdate', E: now, s: this.spec.symbol, U: diff.firstId, u: diff.lastId, b: bids, a: asks }
          : { e: 'depthUpdate', E: now, T: now, s: this.spec.symbol, U: diff.firstId, u: diff.lastId, pu: this.lastFinalId, b: bids, a: asks };
      this.lastFinalId = diff.lastId;
      this.send('depth', event);
      this.bookTicker(now);
    }
  }

  private bookTicker(now: number): void {
    const book = this.exchange.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (Number.isNaN(bid) || Number.isNaN(ask)) return;
    const b = this.fmt.price(this.exchange.price(bid));
    const bq = this.fmt.qty(this.exchange.qty(book.sizeAt('bid', bid)));
    const a = this.fmt.price(this.exchange.price(ask));
    const aq = this.fmt.qty(this.exchange.qty(book.sizeAt('ask', ask)));
    const top = `${b}/${bq}/${a}/${aq}`;
    if (top === this.lastTop) return;
    this.lastTop = top;
    const u = book.updateId();
    const event = this.dialect === 'binance-spot' ? { u, s: this.spec.symbol, b, B: bq, a, A: aq } : { e: 'bookTicker', u, E: now, T: now, s: this.spec.symbol, b, B: bq, a, A: aq };
    this.send('bookTicker', event);
  }

  onPublicTrade(trade: PublicTrade): void {
    const now = Math.floor(this.exchange.serverMs());
    const p = this.fmt.price(this.exchange.price(trade.priceTicks));
    const q = this.fmt.qty(this.exchange.qty(trade.lots));
    const raw = this.dialect === 'binance-spot' ? { e: 'trade', E: now, s: this.spec.symbol, t: trade.id, p, q, T: trade.timeMs, m: trade.buyerIsMaker, M: true } : { e: 'trade', E: now, T: trade.timeMs, s: this.spec.symbol, t: trade.id, p, q, X: 'MARKET', m: trade.buyerIsMaker };
    this.send('trade', raw);
    const agg = { e: 'aggTrade', E: now, s: this.spec.symbol, a: trade.id, p, q, f: trade.id, l: trade.id, T: trade.timeMs, m: trade.buyerIsMaker, ...(this.dialect === 'binance-spot' ? { M: true } : {}) };
    this.send('aggTrade', agg);
  }

  private send(kind: StreamKind, data: unknown): void {
    let raw: string | null = null;
    for (const sub of this.subscribers) {
      const name = sub.streams.get(kind);
      if (name === undefined) continue;
      if (sub.socket.bufferedAmount > MAX_BUFFERED) {
        sub.socket.terminate();
        continue;
      }
      raw ??= JSON.stringify(data);
      sub.socket.send(sub.combined ? `{"stream":${JSON.stringify(name)},"data":${raw}}` : raw);
    }
  }
}
