/**
 * Binance spot and USD-M futures diff-depth adapter (`<symbol>@depth@100ms` + REST depth snapshot), plus
 * public trades (`trade`, `aggTrade`). Follows "How to manage a local order book correctly" for each
 * market exactly (../shared/reference/book-rules.md):
 * - spot: buffer events until a snapshot; a snapshot whose lastUpdateId < the first buffered U is too old
 *   (fetch again); drop buffered events with u <= lastUpdateId; the first applied event must satisfy
 *   U <= lastUpdateId + 1 <= u; afterwards U must be previous u + 1, a larger U is a gap.
 * - usdm: drop events with u < lastUpdateId (strictly less); the first applied event must satisfy
 *   U <= lastUpdateId <= u (or, for a snapshot taken exactly at an event boundary, pu == lastUpdateId);
 *   afterwards `pu` must equal the previous event's u (U is NOT previous u + 1).
 * A gap or a crossed book makes the book untrusted at once and requests `fetch-snapshot` with the REST url;
 * events are buffered again until the snapshot arrives. Removing an unknown level is normal (ignored by
 * the book). `bookTicker` messages are counted as dropped (tests use them as an independent check).
 * The live connector hands frames as text (`onText`): a depth event for a synced book that the id rules
 * apply or drop, and a REST snapshot, are read straight from the text when the strict scanner
 * (depth-text.ts) accepts them whole; everything else (buffering, gaps, trades, bookTicker, unusual text)
 * is JSON.parse + onMessage. Both run the same rules (verdict, snapshotTooOld, synchronise). Pure.
 */
import type { Instrument, LocalUs } from '../../../../shared/units.js';
import type { BookSideName } from '../../types.js';
import type { AdapterAction } from '../types.js';
import { BaseAdapter, isRecord } from '../base.js';
import type { AdapterOptions } from '../base.js';
import { StepReader } from '../decimal-text.js';
import { ScannedDepth, scanDepthSnapshot, scanDepthUpdate } from './depth-text.js';
import type { DepthReaders, ScannedLevels } from './depth-text.js';

export type BinanceMarket = 'spot' | 'usdm';

const MAX_BUFFER = 10_000;

/** What the id rules say of a depth event for the synced book. */
const APPLY = 0;
const DROP = 1;
const GAP = 2;
type Verdict = typeof APPLY | typeof DROP | typeof GAP;

/** Which received-text path onText takes. */
const PARSE = 0;
const TEXT_SNAPSHOT = 1;
const TEXT_UPDATE = 2;
const TEXT_STALE = 3;
type TextPath = typeof PARSE | typeof TEXT_SNAPSHOT | typeof TEXT_UPDATE | typeof TEXT_STALE;

export const BINANCE_REST_BASE: Record<BinanceMarket, string> = {
  spot: 'https://api.binance.com',
  usdm: 'https://fapi.binance.com',
};

/** REST depth snapshot url: spot `/api/v3/depth`, USD-M `/fapi/v1/depth` (limit 1000, as the captures). */
export function binanceSnapshotUrl(market: BinanceMarket, symbol: string, restBaseUrl?: string, limit = 1000): string {
  const base = (restBaseUrl ?? BINANCE_REST_BASE[market]).replace(/\/+$/, '');
  const path = market === 'spot' ? '/api/v3/depth' : '/fapi/v1/depth';
  return `${base}${path}?symbol=${encodeURIComponent(symbol.toUpperCase())}&limit=${limit}`;
}

export class BinanceAdapter extends BaseAdapter {
  private readonly market: BinanceMarket;
  private readonly symbolUpper: string;
  private readonly snapshotAction: AdapterAction;
  /** Depth events waiting for a snapshot (references to JSON.parse's objects). */
  private buffer: Record<string, unknown>[] = [];
  private synced = false;
  private snapshotRequested = false;
  /** Update id of the local book (snapshot lastUpdateId, then each applied event's u). */
  private bookId = 0;
  /** The next event is the first after a snapshot (its own bracket rule applies). */
  private firstAfterSnapshot = false;
  /** The received-text path: the grids as text readers, and its scratch. */
  private readonly readers: DepthReaders;
  private readonly scanned = new ScannedDepth();

  constructor(market: BinanceMarket, instrument: Instrument, options: AdapterOptions = {}) {
    super(market === 'spot' ? 'binance-spot' : 'binance-usdm', instrument, options);
    this.market = market;
    this.symbolUpper = instrument.symbol.toUpperCase();
    this.snapshotAction = { type: 'fetch-snapshot', url: binanceSnapshotUrl(market, instrument.symbol, options.restBaseUrl) };
    this.readers = { price: new StepReader(this.priceGrid), size: new StepReader(this.sizeGrid) };
  }

  /**
   * Feeds one received text frame: exactly `onMessage(kind, JSON.parse(text), localUs)`, which it falls back
   * to (so a text that is not JSON throws JSON.parse's SyntaxError, as the caller's own parse would). A REST
   * snapshot, and a depth event that a synced book applies or drops as stale, are taken straight from the
   * text when the scanner accepts them whole: no JSON.parse, no level strings. The live connector calls this.
   */
  override onText(kind: 'ws' | 'rest', text: string, localUs: LocalUs): boolean {
    const path = this.textPath(kind, text);
    if (path === PARSE) return this.onMessage(kind, JSON.parse(text) as unknown, localUs);
    this.counters.messages++;
    try {
      return path === TEXT_SNAPSHOT ? this.snapshotFromText(localUs) : this.updateFromText(path === TEXT_STALE, localUs);
    } catch (err) {
      // why: as onMessage: a bug must not kill the feed; the book may be half-updated, so distrust it
      this.malformed(localUs, `adapter error: ${err instanceof Error ? err.message : String(err)}`, true);
      return false;
    }
  }

  /**
   * Which path a text takes; scans it (changing nothing but the scratch). Buffering (not synced) and a gap
   * keep the parsed event for the next snapshot, so they take the JSON.parse path.
   */
  private textPath(kind: 'ws' | 'rest', text: string): TextPath {
    const s = this.scanned;
    if (kind === 'rest') return scanDepthSnapshot(text, this.readers, s) ? TEXT_SNAPSHOT : PARSE;
    if (!this.synced || !scanDepthUpdate(text, this.symbolUpper, this.readers, s)) return PARSE;
    // why: an absent pu (NaN) compares unequal to every id, as the parsed path's undefined does
    const verdict = this.verdict(s.first, s.final, Number.isNaN(s.pu) ? undefined : s.pu);
    return verdict === APPLY ? TEXT_UPDATE : verdict === DROP ? TEXT_STALE : PARSE;
  }

  /** onDepth + applyEvent for a scanned event the id rules apply (or drop as stale) on the synced book. */
  private updateFromText(stale: boolean, localUs: LocalUs): boolean {
    const s = this.scanned;
    this.stamp(s.eventMs * 1000, localUs);
    if (stale) {
      this.counters.dropped++;
      return false;
    }
    this.loadLevels('bid', s.bids);
    this.loadLevels('ask', s.asks);
    this.accepted(s.final);
    if (!this.checkCrossed(localUs)) this.desync();
    return true;
  }

  /** onSnapshot for a scanned snapshot (its levels already converted). */
  private snapshotFromText(localUs: LocalUs): boolean {
    const s = this.scanned;
    if (this.snapshotTooOld(s.lastUpdateId)) return false;
    this.stamp(s.eventMs * 1000, localUs);
    this.book.clear();
    this.loadLevels('bid', s.bids);
    this.loadLevels('ask', s.asks);
    return this.synchronise(s.lastUpdateId, localUs);
  }

  private loadLevels(side: BookSideName, levels: ScannedLevels): void {
    const book = this.book;
    const price = levels.price;
    const size = levels.size;
    for (let k = 0; k < levels.count; k++) book.set(side, price[k]!, size[k]!);
  }

  /** Update id the local book is at (NaN before the first snapshot). */
  get updateId(): number {
    return this.synced ? this.bookId : Number.NaN;
  }

  protected override resyncAction(): AdapterAction {
    return this.snapshotAction;
  }

  protected resetState(): void {
    this.buffer = [];
    this.synced = false;
    this.snapshotRequested = false;
    this.bookId = 0;
    this.firstAfterSnapshot = false;
  }

  protected handle(kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    if (kind === 'rest') return this.onSnapshot(msg, localUs);
    if (!isRecord(msg)) {
      this.malformed(localUs, 'websocket message is not a JSON object', true);
      if (this.synced) this.desync();
      return false;
    }
    const data = isRecord(msg['data']) ? msg['data'] : msg;
    switch (data['e']) {
      case 'depthUpdate':
        return this.onDepth(data, localUs);
      case 'trade':
      case 'aggTrade':
        this.onTrade(data, localUs);
        return false;
      default:
        // bookTicker (spot has no "e"), subscription answers, other streams
        this.counters.dropped++;
        return false;
    }
  }

  private onTrade(data: Record<string, unknown>, localUs: LocalUs): void {
    if (data['s'] !== this.symbolUpper) {
      this.counters.dropped++;
      return;
    }
    const tradeMs = data['T'];
    const exchUs = typeof tradeMs === 'number' ? tradeMs * 1000 : null;
    const eventMs = data['E'];
    if (typeof eventMs === 'number') this.stamp(eventMs * 1000, localUs);
    // m = "is the buyer the market maker": then the seller was the aggressor
    const aggressor = data['m'] === true ? 'sell' : data['m'] === false ? 'buy' : null;
    if (!this.deliverTrade(localUs, exchUs, data['p'], data['q'], aggressor)) this.malformed(localUs, 'trade without a valid price/quantity', false);
  }

  private requestSnapshot(): void {
    if (this.snapshotRequested) return;
    this.snapshotRequested = true;
    this.setAction(this.snapshotAction);
  }

  private onDepth(data: Record<string, unknown>, localUs: LocalUs): boolean {
    const first = data['U'];
    const final = data['u'];
    if (typeof first !== 'number' || typeof final !== 'number' || !Array.isArray(data['b']) || !Array.isArray(data['a'])) {
      this.malformed(localUs, 'depthUpdate without numeric U/u or arrays b/a', true);
      if (this.synced) this.desync();
      return false;
    }
    if (data['s'] !== this.symbolUpper) {
      this.counters.dropped++;
      return false;
    }
    const eventMs = data['E'];
    if (typeof eventMs === 'number') this.stamp(eventMs * 1000, localUs);
    if (!this.synced) {
      if (this.buffer.length >= MAX_BUFFER) {
        this.buffer.shift();
        this.counters.dropped++;
      }
      this.buffer.push(data);
      this.requestSnapshot();
      return false;
    }
    const changed = this.applyEvent(data, localUs);
    if (changed && this.synced && !this.checkCrossed(localUs)) this.desync();
    return changed;
  }

  /** Applies one depth event to a synced book following the market's id rules. Returns true if applied. */
  private applyEvent(data: Record<string, unknown>, localUs: LocalUs): boolean {
    const first = data['U'] as number;
    const final = data['u'] as number;
    const verdict = this.verdict(first, final, data['pu']);
    if (verdict === DROP) {
      this.counters.dropped++;
      return false;
    }
    if (verdict === GAP) {
      this.resyncFromGap(data, localUs, this.gapDetail(first, data['pu']));
      return false;
    }
    if (!this.applyLevels('bid', data['b']) || !this.applyLevels('ask', data['a'])) {
      this.bookId = final;
      this.firstAfterSnapshot = false;
      this.malformed(localUs, `depthUpdate u=${final} has a malformed level`, true);
      this.desync();
      return true;
    }
    this.accepted(final);
    return true;
  }

  /** The market's id rules for an event (first U, final u, usdm's pu) against the synced book's id. */
  private verdict(first: number, final: number, pu: unknown): Verdict {
    const spot = this.market === 'spot';
    if (this.firstAfterSnapshot) {
      if (spot ? final <= this.bookId : final < this.bookId) return DROP;
      // usdm: a snapshot taken exactly at an event boundary is continued by the event whose pu is its id
      const continues = !spot && pu === this.bookId;
      return (spot ? first > this.bookId + 1 : first > this.bookId && !continues) ? GAP : APPLY;
    }
    // stale or duplicated event
    if (final <= this.bookId) return DROP;
    if (spot) return first > this.bookId + 1 ? GAP : APPLY;
    return pu !== this.bookId ? GAP : APPLY;
  }

  private gapDetail(first: number, pu: unknown): string {
    const spot = this.market === 'spot';
    if (this.firstAfterSnapshot) return `first event after snapshot U=${first} > lastUpdateId ${this.bookId}${spot ? ' + 1' : ''}`;
    return spot ? `U=${first} but previous u=${this.bookId}` : `pu=${String(pu)} but previous u=${this.bookId}`;
  }

  /** A whole event was applied: the book is at its final id. */
  private accepted(final: number): void {
    this.bookId = final;
    this.firstAfterSnapshot = false;
    this.counters.applied++;
  }

  /** The book is no longer the venue's: buffer events again until the requested snapshot arrives. */
  private desync(): void {
    this.synced = false;
    this.snapshotRequested = true; // untrust() has set the fetch-snapshot action
    this.buffer.length = 0;
  }

  private resyncFromGap(data: Record<string, unknown>, localUs: LocalUs, detail: string): void {
    this.gap(localUs, detail);
    this.synced = false;
    this.snapshotRequested = true; // untrust() has set the fetch-snapshot action
    this.buffer.length = 0;
    this.buffer.push(data);
  }

  private onSnapshot(msg: unknown, localUs: LocalUs): boolean {
    if (!isRecord(msg) || typeof msg['lastUpdateId'] !== 'number' || !Array.isArray(msg['bids']) || !Array.isArray(msg['asks'])) {
      // an error answer ({code, msg}) or garbage: still no book; ask again
      this.malformed(localUs, 'depth snapshot without lastUpdateId/bids/asks', false);
      this.snapshotRequested = false;
      this.requestSnapshot();
      return false;
    }
    const lastUpdateId = msg['lastUpdateId'];
    if (this.snapshotTooOld(lastUpdateId)) return false;
    const eventMs = msg['E'];
    if (typeof eventMs === 'number') this.stamp(eventMs * 1000, localUs);
    this.book.clear();
    if (!this.applyLevels('bid', msg['bids']) || !this.applyLevels('ask', msg['asks'])) {
      this.book.clear();
      this.malformed(localUs, 'depth snapshot has a malformed level', false);
      this.snapshotRequested = false;
      this.requestSnapshot();
      return true;
    }
    return this.synchronise(lastUpdateId, localUs);
  }

  /** A snapshot that predates the buffered stream is dropped and fetched again (true). */
  private snapshotTooOld(lastUpdateId: number): boolean {
    const oldest = this.buffer[0];
    if (oldest === undefined || !(lastUpdateId < (oldest['U'] as number))) return false;
    this.counters.dropped++;
    this.snapshotRequested = false;
    this.requestSnapshot();
    return true;
  }

  /** The snapshot's levels are in the book: trust it at its id, then replay the buffered events. */
  private synchronise(lastUpdateId: number, localUs: LocalUs): boolean {
    this.counters.applied++;
    this.bookId = lastUpdateId;
    this.firstAfterSnapshot = true;
    this.synced = true;
    this.snapshotRequested = false;
    this.retrust(localUs);
    const pending = this.buffer;
    this.buffer = [];
    for (let i = 0; i < pending.length; i++) {
      const ev = pending[i]!;
      if (!this.synced) {
        this.buffer.push(ev); // a gap during the replay of the buffer: keep buffering for the next snapshot
        continue;
      }
      this.applyEvent(ev, localUs);
    }
    if (this.synced && !this.checkCrossed(localUs)) this.desync();
    return true;
  }
}
