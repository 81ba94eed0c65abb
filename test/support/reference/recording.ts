/**
 * Reference reader of recordings for the independent check: replays a LOBSTER recording (as written by
 * `quotedesk import-lobster`) or a raw Binance USD-M depth capture into a plain map-based book, and hands
 * the caller every applied frame with the book after it, plus the public trades. Written from the formats'
 * own documentation (the LOBSTER sample read-me, Binance's "how to manage a local order book"), it shares
 * no code with `src/`: if the product's adapters and this reader disagree, the check fails.
 *
 * Time: a frame's instant is round(recv_ts × 10⁶) µs, as the capture format defines it. Prices become
 * integer ticks of the session's tick, sizes integer lots.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type RefSide = 'buy' | 'sell';

export interface RefTrade {
  readonly t: number;
  /** Ticks; a hidden LOBSTER print between ticks is put on the tick its aggressor could reach. */
  readonly price: number;
  readonly size: number;
  readonly aggressor: RefSide;
}

/** A price-level book: ticks → lots per side. */
export class RefBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();

  set(side: 'bid' | 'ask', price: number, size: number): void {
    const levels = side === 'bid' ? this.bids : this.asks;
    if (size === 0) levels.delete(price);
    else levels.set(price, size);
  }

  bestBid(): number {
    let best = Number.NaN;
    for (const price of this.bids.keys()) if (!(price <= best)) best = price;
    return best;
  }

  bestAsk(): number {
    let best = Number.NaN;
    for (const price of this.asks.keys()) if (!(price >= best)) best = price;
    return best;
  }

  /** Displayed volume on the side opposite `side` at prices that reach `price` (a buy: asks ≤ price). */
  volumeReaching(side: RefSide, price: number): number {
    let volume = 0;
    if (side === 'buy') for (const [p, s] of this.asks) if (p <= price) volume += s;
    if (side === 'sell') for (const [p, s] of this.bids) if (p >= price) volume += s;
    return volume;
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }
}

export interface RefFrameVisitor {
  /** A frame changed the book (called after it was applied, in file order). */
  frame(t: number, book: RefBook): void;
  trade(trade: RefTrade): void;
}

interface Line {
  readonly t: number;
  readonly kind: string;
  readonly msg: Record<string, unknown>;
}

function readLines(file: string): Line[] {
  const raw = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const out: Line[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const rec = JSON.parse(line) as { recv_ts: number; kind: string; msg: Record<string, unknown> };
    out.push({ t: Math.round(rec.recv_ts * 1_000_000), kind: rec.kind, msg: rec.msg });
  }
  return out;
}

/** Instant of the recording's first and last line. */
export function recordingSpan(file: string): { firstUs: number; lastUs: number } {
  const lines = readLines(file);
  return { firstUs: lines[0]?.t ?? Number.NaN, lastUs: lines.at(-1)?.t ?? Number.NaN };
}

/** LOBSTER: prices are dollars × 10 000, the tick is 0.01 dollars = 100 of those units. */
export function replayLobster(file: string, visit: RefFrameVisitor): void {
  const book = new RefBook();
  let lastSeq = -1;
  for (const { t, msg } of readLines(file)) {
    const seq = msg['seq'] as number;
    if (lastSeq >= 0 && seq !== lastSeq + 1) throw new Error(`reference: LOBSTER row ${seq} after ${lastSeq}`);
    lastSeq = seq;
    const type = msg['type'];
    if (type === 4 || type === 5) {
      // An execution of a sell limit order (direction −1) was bought by the aggressor.
      const aggressor: RefSide = msg['dir'] === -1 ? 'buy' : 'sell';
      const exact = (msg['px'] as number) / 100;
      visit.trade({ t, price: aggressor === 'buy' ? Math.floor(exact) : Math.ceil(exact), size: msg['size'] as number, aggressor });
    }
    if (msg['snap'] === true) book.clear();
    for (const [px, size] of msg['b'] as Array<[number, number]>) book.set('bid', px / 100, size);
    for (const [px, size] of msg['a'] as Array<[number, number]>) book.set('ask', px / 100, size);
    visit.frame(t, book);
  }
}

/**
 * Binance USD-M diff depth ("How to manage a local order book correctly", USD-M futures): buffer the depth
 * events until a REST snapshot; then drop buffered events whose u is below its lastUpdateId; the first event
 * applied must start at or before it (U ≤ lastUpdateId, or pu = lastUpdateId); every later event's pu must
 * be the previous event's u (an event whose u is not beyond the book's is stale and dropped). A gap, or a
 * crossed book, means the book is no longer the venue's: nothing more is applied until a new snapshot.
 */
export function replayBinanceUsdm(file: string, tickSize: string, lotSize: string, visit: RefFrameVisitor): void {
  const tick = Number(tickSize);
  const lot = Number(lotSize);
  const book = new RefBook();
  const ticks = (text: string): number => Math.round(Number(text) / tick);
  const lots = (text: string): number => Math.round(Number(text) / lot);
  let buffer: Array<Record<string, unknown>> = [];
  let synced = false;
  let firstAfterSnapshot = false;
  let bookId = -1;
  /** Applies one event to the synced book; false when it was stale (nothing changed). */
  const apply = (event: Record<string, unknown>): boolean => {
    const first = event['U'] as number;
    const final = event['u'] as number;
    if (firstAfterSnapshot ? final < bookId : final <= bookId) return false;
    const continues = firstAfterSnapshot ? first <= bookId || event['pu'] === bookId : event['pu'] === bookId;
    if (!continues) {
      synced = false;
      buffer = [event];
      return false;
    }
    for (const [px, size] of event['b'] as Array<[string, string]>) book.set('bid', ticks(px), lots(size));
    for (const [px, size] of event['a'] as Array<[string, string]>) book.set('ask', ticks(px), lots(size));
    bookId = final;
    firstAfterSnapshot = false;
    return true;
  };
  const crossed = (): boolean => book.bestBid() >= book.bestAsk();
  for (const { t, kind, msg } of readLines(file)) {
    if (kind === 'rest') {
      book.clear();
      for (const [px, size] of msg['bids'] as Array<[string, string]>) book.set('bid', ticks(px), lots(size));
      for (const [px, size] of msg['asks'] as Array<[string, string]>) book.set('ask', ticks(px), lots(size));
      bookId = msg['lastUpdateId'] as number;
      synced = true;
      firstAfterSnapshot = true;
      const pending = buffer;
      buffer = [];
      for (const event of pending) {
        if (synced) apply(event);
        else buffer.push(event);
      }
      if (synced && crossed()) synced = false;
      visit.frame(t, book);
      continue;
    }
    const data = msg['data'] as Record<string, unknown> | undefined;
    if (data?.['e'] !== 'depthUpdate') continue;
    if (!synced) {
      buffer.push(data);
      continue;
    }
    if (!apply(data)) continue;
    if (crossed()) synced = false;
    visit.frame(t, book);
  }
}
