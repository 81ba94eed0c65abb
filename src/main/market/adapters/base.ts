/**
 * The common machinery of every venue adapter: counters, trust transitions and their feed events, the
 * pending action for the connector, crossed-book detection after a whole message, latency stamping, and
 * allocation-free conversion of decimal strings into ticks and lots with the instrument's DecimalGrids.
 *
 * Venue folders implement only their message rules (`handle`). `onMessage` never throws: anything
 * unexpected is counted as malformed, and when it could hide a book change the book becomes untrusted
 * and a resync is requested. Trades are delivered through ONE reused MarketTrade object (the hot path
 * does not allocate): a sink that keeps a trade must copy it. Pure: no node, electron or DOM imports.
 */
import { DecimalGrid } from '../../../shared/units.js';
import type { Instrument, LocalUs, Side } from '../../../shared/units.js';
import { PriceLevelBook } from '../book/order-book.js';
import type { BookSideName, FeedEvent, MarketTrade } from '../types.js';
import type { AdapterAction, AdapterCounters, AdapterSink, AdapterVenue, VenueAdapter } from './types.js';

/** Options every adapter factory accepts. */
export interface AdapterOptions {
  /** Book depth subscribed (Bybit `orderbook.{depth}`, Kraken `book` depth). Default: the venue's. */
  depth?: number;
  /**
   * What a sequence jump does where the venue numbers messages across channels (Coinbase): `resync`
   * (default, the venue's rule: untrusted + resubscribe) or `count` (count it, keep trusting) — only for
   * captures known to have had other channels' messages filtered out.
   */
  sequenceGaps?: 'resync' | 'count';
  /** REST base url override (Binance snapshot), e.g. a testnet or a local test server. */
  restBaseUrl?: string;
  /** Dense window of the book per side, in ticks (see PriceLevelBook). */
  windowTicks?: number;
}

/** AdapterCounters plus figures specific to this implementation. */
export interface AdapterCountersEx extends AdapterCounters {
  /** Public trades delivered. */
  trades: number;
}

export type UntrustCause = Extract<FeedEvent, { type: 'untrusted' }>['cause'];

interface MutableTrade {
  localUs: number;
  exchUs: number | null;
  price: number;
  size: number;
  aggressor: Side | null;
}

const NO_ACTION: AdapterAction = { type: 'none' };
const RESUBSCRIBE: AdapterAction = { type: 'resubscribe' };
const NULL_SINK: AdapterSink = { onTrade: () => undefined, onFeedEvent: () => undefined };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fresh counters for an adapter: everything zero, no venue stamp seen yet. */
export function emptyCounters(): AdapterCountersEx {
  return {
    messages: 0,
    applied: 0,
    dropped: 0,
    gaps: 0,
    resyncs: 0,
    checksumFailures: 0,
    crossedBooks: 0,
    malformed: 0,
    lastExchUs: Number.NaN,
    lastLatencyUs: Number.NaN,
    trades: 0,
  };
}

export abstract class BaseAdapter implements VenueAdapter {
  readonly book: PriceLevelBook;
  readonly counters: AdapterCountersEx = emptyCounters();
  protected readonly priceGrid: DecimalGrid;
  protected readonly sizeGrid: DecimalGrid;
  protected sink: AdapterSink = NULL_SINK;
  private isTrusted = false;
  /** A resync was requested and has not been satisfied by a fresh snapshot yet. */
  protected resyncPending = false;
  private action: AdapterAction = NO_ACTION;
  private readonly trade: MutableTrade = { localUs: 0, exchUs: null, price: 0, size: 0, aggressor: null };

  constructor(
    readonly venue: AdapterVenue,
    readonly instrument: Instrument,
    options: AdapterOptions,
  ) {
    this.priceGrid = new DecimalGrid(instrument.tickSize);
    this.sizeGrid = new DecimalGrid(instrument.lotSize);
    this.book = new PriceLevelBook(options.windowTicks === undefined ? {} : { windowTicks: options.windowTicks });
  }

  setSink(sink: AdapterSink): void {
    this.sink = sink;
  }

  trusted(): boolean {
    return this.isTrusted;
  }

  takeAction(): AdapterAction {
    const a = this.action;
    this.action = NO_ACTION;
    return a;
  }

  onMessage(kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    this.counters.messages++;
    try {
      return this.handle(kind, msg, localUs);
    } catch (err) {
      // why: a bug or an exotic payload must not kill the feed; the book may be half-updated, so distrust it.
      this.malformed(localUs, `adapter error: ${err instanceof Error ? err.message : String(err)}`, true);
      return false;
    }
  }

  onText(kind: 'ws' | 'rest', text: string, localUs: LocalUs): boolean {
    return this.onMessage(kind, JSON.parse(text) as unknown, localUs);
  }

  reset(localUs: LocalUs): void {
    this.book.clear();
    this.resetState();
    this.action = NO_ACTION;
    this.resyncPending = false;
    if (this.isTrusted) {
      this.isTrusted = false;
      this.emit({ type: 'untrusted', localUs, cause: 'snapshot-pending', detail: 'new connection: waiting for a snapshot' });
    }
  }

  /** Venue rules for one message. May throw only on programming errors (caught above). */
  protected abstract handle(kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean;
  /** Forget venue sequencing state (new connection). */
  protected abstract resetState(): void;
  /** What to ask the connector for when the book must be rebuilt. */
  protected resyncAction(): AdapterAction {
    return RESUBSCRIBE;
  }

  // ---- trust ---------------------------------------------------------------------------------------

  protected emit(event: FeedEvent): void {
    this.sink.onFeedEvent(event);
  }

  protected setAction(action: AdapterAction): void {
    this.action = action;
  }

  /** Marks the book untrusted at once and requests a resync (once per incident). */
  protected untrust(cause: UntrustCause, detail: string, localUs: LocalUs): void {
    if (!this.resyncPending) {
      this.resyncPending = true;
      this.counters.resyncs++;
      this.action = this.resyncAction();
    }
    if (this.isTrusted) {
      this.isTrusted = false;
      this.emit({ type: 'untrusted', localUs, cause, detail });
    }
  }

  /** A fresh snapshot was applied: the book is the venue's again. */
  protected retrust(localUs: LocalUs): void {
    this.resyncPending = false;
    this.action = NO_ACTION;
    if (!this.isTrusted) {
      this.isTrusted = true;
      this.emit({ type: 'trusted', localUs });
    }
  }

  protected gap(localUs: LocalUs, detail: string): void {
    this.counters.gaps++;
    this.untrust('gap', detail, localUs);
  }

  /** Counts a malformed message; when it could hide a book change (`bookRelevant`) the book is distrusted. */
  protected malformed(localUs: LocalUs, detail: string, bookRelevant: boolean): void {
    this.counters.malformed++;
    this.counters.dropped++;
    if (!bookRelevant) return;
    if (this.isTrusted || this.resyncPending || this.book.levels('bid') + this.book.levels('ask') > 0) {
      this.untrust('gap', `malformed message: ${detail}`, localUs);
    }
  }

  /** After a whole book message: a crossed book is never the venue's. Returns false when crossed. */
  protected checkCrossed(localUs: LocalUs): boolean {
    if (!this.book.isCrossed()) return true;
    this.counters.crossedBooks++;
    this.untrust('crossed', `crossed book: bid ${this.book.bestBid()} >= ask ${this.book.bestAsk()} ticks`, localUs);
    return false;
  }

  protected stamp(exchUs: number, localUs: LocalUs): void {
    if (!(exchUs > 0)) return;
    this.counters.lastExchUs = exchUs;
    this.counters.lastLatencyUs = localUs - exchUs;
  }

  // ---- conversion ----------------------------------------------------------------------------------

  protected price(text: unknown): number {
    return typeof text === 'string' ? this.priceGrid.toSteps(text) : Number.NaN;
  }

  protected size(text: unknown): number {
    return typeof text === 'string' ? this.sizeGrid.toSteps(text) : Number.NaN;
  }

  /**
   * Applies `[[price, size, ...], ...]` to one side with absolute sizes (0 removes). Returns false at the
   * first malformed entry (entries before it stay applied: the caller distrusts the book).
   */
  protected applyLevels(side: BookSideName, levels: unknown): boolean {
    if (!Array.isArray(levels)) return false;
    const book = this.book;
    for (let i = 0; i < levels.length; i++) {
      const level: unknown = levels[i];
      if (!Array.isArray(level)) return false;
      const p = this.price(level[0]);
      const q = this.size(level[1]);
      if (!Number.isSafeInteger(p) || !(q >= 0)) return false;
      book.set(side, p, q);
    }
    return true;
  }

  protected deliverTrade(localUs: LocalUs, exchUs: number | null, priceText: unknown, sizeText: unknown, aggressor: Side | null): boolean {
    const p = this.price(priceText);
    const q = this.size(sizeText);
    if (!Number.isSafeInteger(p) || !(q >= 0)) return false;
    const t = this.trade;
    t.localUs = localUs;
    t.exchUs = exchUs;
    t.price = p;
    t.size = q;
    t.aggressor = aggressor;
    this.counters.trades++;
    this.sink.onTrade(t as MarketTrade);
    return true;
  }
}

function digitAt(text: string, i: number): number {
  return text.charCodeAt(i) - 48;
}

/**
 * Parses an ISO-8601 UTC stamp ("2026-08-09T21:05:48.229198328Z") into µs since the epoch without
 * allocating; NaN when it is not one.
 */
export function isoToUs(text: unknown): number {
  if (typeof text !== 'string' || text.length < 19) return Number.NaN;
  const year = digitAt(text, 0) * 1000 + digitAt(text, 1) * 100 + digitAt(text, 2) * 10 + digitAt(text, 3);
  const month = digitAt(text, 5) * 10 + digitAt(text, 6);
  const day = digitAt(text, 8) * 10 + digitAt(text, 9);
  const hour = digitAt(text, 11) * 10 + digitAt(text, 12);
  const minute = digitAt(text, 14) * 10 + digitAt(text, 15);
  const second = digitAt(text, 17) * 10 + digitAt(text, 18);
  let micros = 0;
  if (text.charCodeAt(19) === 46 /* '.' */) {
    let scale = 100_000;
    for (let i = 20; i < text.length; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      micros += c * scale;
      scale /= 10;
    }
    micros = Math.floor(micros);
  }
  // days from civil (Howard Hinnant's algorithm)
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  const us = ((days * 24 + hour) * 60 + minute) * 60 + second;
  const result = us * 1_000_000 + micros;
  return Number.isFinite(result) ? result : Number.NaN;
}
