/**
 * Kraken WebSocket v1 adapter: `book` (snapshot `as`/`bs`, updates `a`/`b` possibly in two objects of one
 * message, republished levels marked "r") and `trade`.
 *
 * Rules (../shared/reference/book-rules.md): apply entries in array order, volume 0 removes; after the whole
 * message truncate each side to the subscribed depth (levels falling out of scope are not deleted for us);
 * then verify the CRC32 checksum `c` of the 10 best asks then the 10 best bids, each price and volume as
 * the venue prints them with the '.' removed and leading zeros stripped. The check is incremental (top-crc.ts):
 * each level change is mirrored into a per-side cache of the best levels holding the printed digits (copied
 * from the message's own strings), and only the changed part of a changed side is re-CRC'd; the book is
 * re-read only after a snapshot or when the cache runs short. The cache is valid because every book change
 * goes through this adapter. A mismatch or a crossed book → untrusted at once, `resubscribe` requested; the
 * book is maintained best-effort until the next snapshot re-trusts it. Kraken has no sequence numbers: the
 * checksum is its gap detector. Trades: side 'b' = the buyer was the aggressor. Pure: no I/O.
 */
import type { Instrument, LocalUs } from '../../../../shared/units.js';
import { BaseAdapter, isRecord } from '../base.js';
import type { AdapterOptions } from '../base.js';
import type { BookSideName } from '../../types.js';
import { CACHE_LEVELS, CRC_TABLE, TopCrc } from './top-crc.js';
import type { SideCrc } from './top-crc.js';
import { fixedSteps, secondsToUs } from './numbers.js';
import { ScannedUpdate, scanBookUpdate } from './book-text.js';
import type { ScanGrid } from './book-text.js';

export { fixedSteps, secondsToUs } from './numbers.js';

/** CRC32 (IEEE) of a string's char codes (ASCII), for tests and tools. */
export function crc32Ascii(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const DEFAULT_DEPTH = 1000;

export class KrakenAdapter extends BaseAdapter {
  private readonly explicitDepth: number | undefined;
  private depth = DEFAULT_DEPTH;
  private haveBook = false;
  /** Decimals the venue prints for prices and volumes (learned from the snapshot). */
  private pricePrintFactor = 1;
  private sizePrintFactor = 1;
  /** Incremental top-10 checksum; its sides are marked dirty by every book change that can reach the top 10. */
  private readonly crc = new TopCrc();
  private maxLevelUs = 0;
  /**
   * Fast fixed-decimals parsing (fixedSteps), shared by the parsed and the received-text paths: the printed
   * decimals, and the print factors when they are whole numbers (0 = always take the generic DecimalGrid path).
   */
  private readonly fixedGrid = { priceDecimals: 0, priceFactor: 0, sizeDecimals: 0, sizeFactor: 0 } satisfies ScanGrid;
  /** The received-text path's scratch. */
  private readonly scanned = new ScannedUpdate();

  constructor(instrument: Instrument, options: AdapterOptions = {}) {
    super('kraken', instrument, options);
    this.explicitDepth = options.depth;
    if (options.depth !== undefined) this.depth = options.depth;
    this.learnPrintDecimals(instrument.priceDecimals, 8);
  }

  protected resetState(): void {
    this.haveBook = false;
    this.crc.markRebuild();
  }

  private learnPrintDecimals(priceDecimals: number, sizeDecimals: number): void {
    const priceFactor = 10 ** (priceDecimals - this.priceGrid.decimals) * this.priceGrid.unitsPerStep;
    const sizeFactor = 10 ** (sizeDecimals - this.sizeGrid.decimals) * this.sizeGrid.unitsPerStep;
    if (priceFactor !== this.pricePrintFactor || sizeFactor !== this.sizePrintFactor) this.crc.invalidate();
    this.pricePrintFactor = priceFactor;
    this.sizePrintFactor = sizeFactor;
    const grid = this.fixedGrid;
    grid.priceDecimals = priceDecimals;
    grid.priceFactor = priceDecimals > 0 && Number.isInteger(priceFactor) && priceFactor >= 1 ? priceFactor : 0;
    grid.sizeDecimals = sizeDecimals;
    grid.sizeFactor = sizeDecimals > 0 && Number.isInteger(sizeFactor) && sizeFactor >= 1 ? sizeFactor : 0;
  }

  /**
   * Feeds one received text frame: exactly `onMessage(kind, JSON.parse(text), localUs)`, which it falls back
   * to (so a text that is not JSON throws JSON.parse's SyntaxError, as the caller's own parse would). A book
   * update the scanner (book-text.ts) recognises in full is applied straight from the text instead: no
   * JSON.parse, no substrings, the checksum digits copied from the text. The live connector calls this.
   */
  override onText(kind: 'ws' | 'rest', text: string, localUs: LocalUs): boolean {
    if (this.haveBook && scanBookUpdate(text, this.instrument.symbol, this.fixedGrid, this.scanned)) {
      this.counters.messages++;
      try {
        return this.applyScanned(text, localUs);
      } catch (err) {
        // why: as onMessage: a bug must not kill the feed; the book may be half-updated, so distrust it
        this.malformed(localUs, `adapter error: ${err instanceof Error ? err.message : String(err)}`, true);
        return false;
      }
    }
    return this.onMessage(kind, JSON.parse(text) as unknown, localUs);
  }

  /** onBook's update path for a scanned update (already validated whole, converted, in apply order). */
  private applyScanned(text: string, localUs: LocalUs): boolean {
    const u = this.scanned;
    const book = this.book;
    const asks = this.crc.asks;
    const bids = this.crc.bids;
    for (let k = 0; k < u.count; k++) {
      const p = u.price[k]!;
      const q = u.size[k]!;
      if (u.side[k] === 0) {
        book.set('ask', p, q);
        asks.applyAt(p, q, text, u.priceStart[k]!, u.priceEnd[k]!, text, u.sizeStart[k]!, u.sizeEnd[k]!);
      } else {
        book.set('bid', p, q);
        bids.applyAt(p, q, text, u.priceStart[k]!, u.priceEnd[k]!, text, u.sizeStart[k]!, u.sizeEnd[k]!);
      }
    }
    this.maxLevelUs = u.maxLevelUs;
    if (this.maxLevelUs > 0) this.stamp(this.maxLevelUs, localUs);
    this.truncate();
    this.counters.applied++;
    // the scanner takes only plain digits without a leading zero: String(checksum) is the venue's text
    if (u.checksum >= 0) this.verifyChecksum(u.checksum, String(u.checksum), localUs);
    this.checkCrossed(localUs);
    return true;
  }

  /** The book's top-10 CRC against the venue's: a mismatch counts and untrusts the book at once. */
  private verifyChecksum(expected: number, venueText: string, localUs: LocalUs): void {
    const actual = this.crc.checksum(this.book, this.pricePrintFactor, this.sizePrintFactor);
    if (expected === actual) return;
    this.counters.checksumFailures++;
    this.untrust('checksum', `checksum ${actual} != venue ${venueText}`, localUs);
  }

  /** Ticks of a printed price: the fixed-decimals fast path, else the generic grid (same result). */
  private priceOf(text: string): number {
    const steps = fixedSteps(text, this.fixedGrid.priceDecimals, this.fixedGrid.priceFactor);
    return steps >= 0 ? steps : this.priceGrid.toSteps(text);
  }

  /** Lots of a printed volume: the fixed-decimals fast path, else the generic grid (same result). */
  private sizeOf(text: string): number {
    const steps = fixedSteps(text, this.fixedGrid.sizeDecimals, this.fixedGrid.sizeFactor);
    return steps >= 0 ? steps : this.sizeGrid.toSteps(text);
  }

  protected handle(_kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    if (!Array.isArray(msg)) {
      if (isRecord(msg)) {
        // heartbeat, systemStatus, subscriptionStatus, pong
        if (msg['event'] === 'subscriptionStatus' && msg['status'] === 'error') {
          this.emit({ type: 'error', localUs, detail: `kraken subscription error: ${String(msg['errorMessage'])}` });
        }
        this.counters.dropped++;
        return false;
      }
      this.malformed(localUs, 'message is neither an array nor an object', true);
      return false;
    }
    const n = msg.length;
    const name: unknown = msg[n - 2];
    if (n < 4 || typeof name !== 'string') {
      this.malformed(localUs, 'channel message without channel name and pair', true);
      return false;
    }
    if (msg[n - 1] !== this.instrument.symbol) {
      this.counters.dropped++;
      return false;
    }
    if (name.startsWith('book')) return this.onBook(msg, n, name, localUs);
    if (name === 'trade') {
      this.onTrades(msg[1], localUs);
      return false;
    }
    this.counters.dropped++;
    return false;
  }

  /**
   * Applies an update's `[[price, volume, timestamp, ("r")], ...]` to one side (volume 0 removes), mirrors
   * each change into the side's checksum cache, and keeps the newest level timestamp. Returns false at the
   * first malformed entry (earlier entries stay applied).
   */
  private applySide(side: SideCrc, levels: unknown): boolean {
    if (!Array.isArray(levels)) return false;
    const book = this.book;
    const name: BookSideName = side.name;
    for (let i = 0; i < levels.length; i++) {
      const level: unknown = levels[i];
      if (!this.readLevel(level)) return false;
      const p = this.levelPrice;
      const q = this.levelSize;
      book.set(name, p, q);
      side.apply(p, q, level[0], level[1]);
      // the newest level timestamp stamps the message (seconds with µs decimals)
      const t: unknown = level[2];
      if (typeof t === 'string') {
        const us = secondsToUs(t);
        if (us > this.maxLevelUs) this.maxLevelUs = us;
      }
    }
    return true;
  }

  /**
   * Loads a snapshot side into the (cleared) book: no checksum mirroring (the cache re-reads the top
   * after a snapshot) and no timestamps (they are when each level last changed). False when malformed.
   */
  private loadSide(name: BookSideName, levels: unknown[]): boolean {
    for (let i = 0; i < levels.length; i++) {
      if (!this.readLevel(levels[i])) return false;
      this.book.set(name, this.levelPrice, this.levelSize);
    }
    return true;
  }

  /** The last level read by readLevel, in ticks and lots. */
  private levelPrice = 0;
  private levelSize = 0;

  /** Reads a level `["price", "volume", ...]` into levelPrice / levelSize; false when it is malformed. */
  private readLevel(level: unknown): level is [string, string, ...unknown[]] {
    if (!Array.isArray(level)) return false;
    const pt: unknown = level[0];
    const vt: unknown = level[1];
    if (typeof pt !== 'string' || typeof vt !== 'string') return false;
    this.levelPrice = this.priceOf(pt);
    this.levelSize = this.sizeOf(vt);
    return Number.isSafeInteger(this.levelPrice) && this.levelSize >= 0;
  }

  private truncate(): void {
    this.book.truncate('ask', this.depth);
    this.book.truncate('bid', this.depth);
    // a subscribed depth this shallow cuts into the levels the checksum cache follows
    if (this.depth < CACHE_LEVELS) this.crc.markRebuild();
  }

  private onBook(msg: unknown[], n: number, name: string, localUs: LocalUs): boolean {
    const first: unknown = msg[1];
    if (!isRecord(first)) {
      this.malformed(localUs, 'book message without a payload object', true);
      return false;
    }
    this.maxLevelUs = 0;
    // why: an update payload has `a` and/or `b`; looking them up first spares updates two failed lookups
    let a: unknown = first['a'];
    let b: unknown = first['b'];
    if (a === undefined && b === undefined && (first['as'] !== undefined || first['bs'] !== undefined)) {
      return this.onSnapshot(first, name, localUs);
    }
    if (!this.haveBook) {
      this.counters.dropped++;
      return false;
    }
    let checksum: unknown = first['c'];
    for (let i = 2; ; i++) {
      if (a !== undefined && !this.applySide(this.crc.asks, a)) {
        this.malformed(localUs, 'book update has a malformed ask', true);
        return true;
      }
      if (b !== undefined && !this.applySide(this.crc.bids, b)) {
        this.malformed(localUs, 'book update has a malformed bid', true);
        return true;
      }
      if (i >= n - 2) break;
      const part: unknown = msg[i];
      if (!isRecord(part)) {
        this.malformed(localUs, 'book update part is not an object', true);
        return true;
      }
      a = part['a'];
      b = part['b'];
      const c = part['c'];
      if (c !== undefined) checksum = c;
    }
    if (this.maxLevelUs > 0) this.stamp(this.maxLevelUs, localUs);
    this.truncate();
    this.counters.applied++;
    if (typeof checksum === 'string') {
      this.verifyChecksum(parseChecksum(checksum), checksum, localUs);
    } else if (checksum !== undefined) {
      this.malformed(localUs, 'checksum is not a string', true);
      return true;
    }
    this.checkCrossed(localUs);
    return true;
  }

  private onSnapshot(payload: Record<string, unknown>, name: string, localUs: LocalUs): boolean {
    const asks = payload['as'];
    const bids = payload['bs'];
    if (!Array.isArray(asks) || !Array.isArray(bids)) {
      this.malformed(localUs, 'book snapshot without as/bs arrays', true);
      return false;
    }
    if (this.explicitDepth === undefined) {
      const dash = name.indexOf('-');
      const parsed = dash > 0 ? Number.parseInt(name.slice(dash + 1), 10) : Number.NaN;
      if (parsed > 0) this.depth = parsed;
    }
    const sample = (asks[0] ?? bids[0]) as unknown;
    if (Array.isArray(sample) && typeof sample[0] === 'string' && typeof sample[1] === 'string') {
      this.learnPrintDecimals(printedDecimals(sample[0]), printedDecimals(sample[1]));
    }
    this.book.clear();
    this.crc.markRebuild();
    if (!this.loadSide('ask', asks) || !this.loadSide('bid', bids)) {
      this.book.clear();
      this.haveBook = false;
      this.malformed(localUs, 'book snapshot has a malformed level', true);
      return true;
    }
    // why: snapshot levels carry the time each level last changed (minutes old): no latency from them
    this.truncate();
    this.haveBook = true;
    this.counters.applied++;
    this.retrust(localUs);
    this.checkCrossed(localUs);
    return true;
  }

  /**
   * CRC32 of the top 10 asks then bids as Kraken prints them, recomputed from the book as it stands (for
   * tests and tools; the message path uses the incremental cache, valid because every book change goes
   * through this adapter).
   */
  checksum(): number {
    this.crc.invalidate();
    return this.crc.checksum(this.book, this.pricePrintFactor, this.sizePrintFactor);
  }

  private onTrades(payload: unknown, localUs: LocalUs): void {
    if (!Array.isArray(payload)) {
      this.malformed(localUs, 'trade message without a trade array', false);
      return;
    }
    for (let i = 0; i < payload.length; i++) {
      const t: unknown = payload[i];
      if (!Array.isArray(t)) {
        this.malformed(localUs, 'trade entry is not an array', false);
        continue;
      }
      const exchUs = typeof t[2] === 'string' ? Number.parseFloat(t[2]) * 1_000_000 : Number.NaN;
      if (exchUs > 0) this.stamp(exchUs, localUs);
      const ok = this.deliverTrade(localUs, exchUs > 0 ? exchUs : null, t[0], t[1], t[3] === 'b' ? 'buy' : t[3] === 's' ? 'sell' : null);
      if (!ok) this.malformed(localUs, 'trade entry without a valid price/volume', false);
    }
  }
}

/** Number.parseInt(text, 10), without the call for the usual 1–10 plain digits. */
function parseChecksum(text: string): number {
  const n = text.length;
  if (n === 0 || n > 10) return Number.parseInt(text, 10);
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.parseInt(text, 10);
    value = value * 10 + d;
  }
  return value;
}

/** Digits after the point as printed (trailing zeros count: they are part of the checksum string). */
function printedDecimals(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}
