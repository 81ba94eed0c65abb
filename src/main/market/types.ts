/**
 * What the desk sees of a market: a read-only order book, public trades, feed health, and the source
 * (live venue, replay or simulated market) that drives them.
 *
 * Every source implements `MarketFeed`; the desk never knows which one it runs on. The book is
 * market-by-price in integer ticks and lots. Absent prices are NaN (never 0 or -1: a price of 0 ticks
 * is legal on some grids). This module declares types only.
 */
import type { FeedHealthView } from '../../shared/contract.js';
import type { Instrument, LocalUs, ExchUs, Lots, Side, Ticks } from '../../shared/units.js';

export type BookSideName = 'bid' | 'ask';

/** Read access to a market-by-price book. Implementations must not allocate in these calls. */
export interface BookReader {
  /** Best bid in ticks, NaN when the side is empty. */
  bestBid(): Ticks;
  /** Best ask in ticks, NaN when the side is empty. */
  bestAsk(): Ticks;
  /** Size resting at a price on one side (0 when none). */
  sizeAt(side: BookSideName, price: Ticks): Lots;
  /** Number of non-empty levels on a side. */
  levels(side: BookSideName): number;
  /**
   * Copies up to `n` best levels of a side into the caller's arrays (best first) and returns how many
   * were written. Walks only non-empty levels.
   */
  top(side: BookSideName, n: number, prices: Float64Array, sizes: Float64Array): number;
  /**
   * Depth-weighted imbalance over the best `levels` levels of each side, weight 1/(i+1):
   * (bid − ask) / (bid + ask) in [−1, 1]; 0 when both are empty.
   */
  imbalance(levels: number): number;
  /** Best bid ≥ best ask. Judged by callers only after a whole message has been applied. */
  isCrossed(): boolean;
}

/** Write access, used by adapters and the simulated market only. */
export interface OrderBook extends BookReader {
  /** Sets the absolute size at a price; size 0 removes the level. */
  set(side: BookSideName, price: Ticks, size: Lots): void;
  /** Empties both sides. */
  clear(): void;
  /** Keeps only the best `depth` levels of a side (Kraken's depth truncation). */
  truncate(side: BookSideName, depth: number): void;
}

/** A public trade on the venue. */
export interface MarketTrade {
  readonly localUs: LocalUs;
  readonly exchUs: ExchUs | null;
  readonly price: Ticks;
  readonly size: Lots;
  /** Side of the aggressor: `buy` = a buyer lifted the offer. Null when the venue does not say. */
  readonly aggressor: Side | null;
}

/** What happened to the feed, as it happens. */
export type FeedEvent =
  | { readonly type: 'connected'; readonly localUs: LocalUs }
  | { readonly type: 'disconnected'; readonly localUs: LocalUs; readonly reason: string }
  | { readonly type: 'untrusted'; readonly localUs: LocalUs; readonly cause: 'gap' | 'checksum' | 'crossed' | 'disconnect' | 'snapshot-pending'; readonly detail: string }
  | { readonly type: 'trusted'; readonly localUs: LocalUs }
  | { readonly type: 'error'; readonly localUs: LocalUs; readonly detail: string };

export interface FeedListener {
  /** The book changed; called once per whole message, after it was applied and checked. */
  onBook(localUs: LocalUs): void;
  onTrade(trade: MarketTrade): void;
  onFeedEvent(event: FeedEvent): void;
  /** Time passed without market data (live: a periodic tick; replay: event time between messages). */
  onTime(localUs: LocalUs): void;
}

/** A source of market data for the desk: a live venue, a replay, or the simulated market. */
export interface MarketFeed {
  readonly instrument: Instrument;
  readonly book: BookReader;
  readonly mode: 'live' | 'replay';
  /** False while the book may differ from the venue's (before the first snapshot, after a gap, ...). */
  trusted(): boolean;
  health(nowUs: LocalUs): FeedHealthView;
  start(listener: FeedListener): Promise<void>;
  stop(): Promise<void>;
}

/** The desk's clock: wall time live, event time in replay and in the simulated market. */
export interface Clock {
  nowUs(): LocalUs;
}
