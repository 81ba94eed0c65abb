/**
 * PriceLevelBook: the market-by-price order book every feed writes into (integer ticks, integer lots).
 *
 * Each side keeps a dense price-indexed window of `windowTicks` ticks around its best price (a Float64Array
 * of sizes, so sizes beyond 2^31 stay exact integers) with a two-level occupancy bitmap, so finding the next
 * non-empty level skips empty ticks 32 (and 1024) at a time with Math.clz32 instead of walking them. Levels
 * worse than the window's far edge (the venue's deep book: Coinbase and Kraken publish bids at 0.01 and asks
 * at 10^8) live in a small sorted overflow array on that side. The window is re-centred only when the best
 * price leaves it. Setting a level, reading the best, the top N and the imbalance do not allocate and never
 * sort. This module owns the data structure only: it knows nothing of venues, messages or trust, and must
 * not import node, electron or DOM APIs.
 */
import type { Lots, Ticks } from '../../../shared/units.js';
import type { BookSideName, OrderBook } from '../types.js';

const DEFAULT_WINDOW_TICKS = 1 << 16;

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** One side of the book. `dir` = +1 for bids (higher is better), -1 for asks (lower is better). */
class BookSide {
  readonly dir: 1 | -1;
  readonly width: number;
  /** Price (ticks) of window index 0; meaningful only while `anchored`. */
  base = 0;
  anchored = false;
  readonly sizes: Float64Array;
  readonly words: Uint32Array;
  readonly summary: Uint32Array;
  /** Window index of the best level, -1 when the window is empty. */
  bestIdx = -1;
  windowCount = 0;
  /** Overflow levels beyond the window's far edge, best first (bids descending, asks ascending). */
  farPrices: Float64Array = new Float64Array(64);
  farSizes: Float64Array = new Float64Array(64);
  farCount = 0;
  /** Scratch for re-centring (all levels, best first); grows rarely. */
  private scratchPrices: Float64Array = new Float64Array(0);
  private scratchSizes: Float64Array = new Float64Array(0);

  constructor(dir: 1 | -1, width: number) {
    this.dir = dir;
    this.width = width;
    this.sizes = new Float64Array(width);
    this.words = new Uint32Array(width >>> 5);
    this.summary = new Uint32Array(Math.max(1, width >>> 10));
  }

  count(): number {
    return this.windowCount + this.farCount;
  }

  bestPrice(): Ticks {
    if (this.bestIdx >= 0) return this.base + this.bestIdx;
    return Number.NaN;
  }

  // ---- bitmap -------------------------------------------------------------------------------------

  private setBit(idx: number): void {
    const w = idx >>> 5;
    const before = this.words[w]!;
    this.words[w] = before | (1 << (idx & 31));
    if (before === 0) this.summary[w >>> 5]! |= 1 << (w & 31);
  }

  private clearBit(idx: number): void {
    const w = idx >>> 5;
    const after = this.words[w]! & ~(1 << (idx & 31));
    this.words[w] = after;
    if (after === 0) this.summary[w >>> 5]! &= ~(1 << (w & 31));
  }

  /** Smallest set index >= from, or -1. */
  nextUp(from: number): number {
    if (from >= this.width) return -1;
    if (from < 0) from = 0;
    let w = from >>> 5;
    const bits = this.words[w]! & (~0 << (from & 31));
    if (bits !== 0) return (w << 5) + ctz32(bits);
    w++;
    const nWords = this.words.length;
    if (w >= nWords) return -1;
    let s = w >>> 5;
    let sbits = this.summary[s]! & (~0 << (w & 31));
    const nSummary = this.summary.length;
    while (sbits === 0) {
      s++;
      if (s >= nSummary) return -1;
      sbits = this.summary[s]!;
    }
    const wi = (s << 5) + ctz32(sbits);
    return (wi << 5) + ctz32(this.words[wi]!);
  }

  /** Largest set index <= from, or -1. */
  nextDown(from: number): number {
    if (from < 0) return -1;
    if (from >= this.width) from = this.width - 1;
    let w = from >>> 5;
    const r = from & 31;
    const mask = r === 31 ? 0xffffffff : (1 << (r + 1)) - 1;
    const bits = this.words[w]! & mask;
    if (bits !== 0) return (w << 5) + 31 - Math.clz32(bits);
    w--;
    if (w < 0) return -1;
    let s = w >>> 5;
    const sr = w & 31;
    let sbits = this.summary[s]! & (sr === 31 ? 0xffffffff : (1 << (sr + 1)) - 1);
    while (sbits === 0) {
      s--;
      if (s < 0) return -1;
      sbits = this.summary[s]!;
    }
    const wi = (s << 5) + 31 - Math.clz32(sbits);
    return (wi << 5) + 31 - Math.clz32(this.words[wi]!);
  }

  /** Next worse occupied window index after `idx` (exclusive), or -1. */
  nextWorse(idx: number): number {
    return this.dir === 1 ? this.nextDown(idx - 1) : this.nextUp(idx + 1);
  }

  // ---- overflow -----------------------------------------------------------------------------------

  /** Index of `price` in the overflow, or the bitwise complement of its insertion point. */
  private farSearch(price: number): number {
    let lo = 0;
    let hi = this.farCount - 1;
    const prices = this.farPrices;
    const dir = this.dir;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = prices[mid]!;
      if (p === price) return mid;
      // best first: for bids descending, for asks ascending
      if (dir === 1 ? p > price : p < price) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }

  private farSet(price: number, size: number): void {
    const at = this.farSearch(price);
    if (at >= 0) {
      if (size === 0) {
        this.farPrices.copyWithin(at, at + 1, this.farCount);
        this.farSizes.copyWithin(at, at + 1, this.farCount);
        this.farCount--;
      } else {
        this.farSizes[at] = size;
      }
      return;
    }
    if (size === 0) return;
    const ins = ~at;
    if (this.farCount === this.farPrices.length) this.growFar(this.farCount * 2);
    this.farPrices.copyWithin(ins + 1, ins, this.farCount);
    this.farSizes.copyWithin(ins + 1, ins, this.farCount);
    this.farPrices[ins] = price;
    this.farSizes[ins] = size;
    this.farCount++;
  }

  private growFar(capacity: number): void {
    const p = new Float64Array(capacity);
    const s = new Float64Array(capacity);
    p.set(this.farPrices.subarray(0, this.farCount));
    s.set(this.farSizes.subarray(0, this.farCount));
    this.farPrices = p;
    this.farSizes = s;
  }

  private farGet(price: number): number {
    const at = this.farSearch(price);
    return at >= 0 ? this.farSizes[at]! : 0;
  }

  // ---- levels -------------------------------------------------------------------------------------

  /** True when `price` lies beyond the window on the worse side (overflow territory). */
  private beyondFar(price: number): boolean {
    return this.dir === 1 ? price < this.base : price >= this.base + this.width;
  }

  get(price: number): number {
    if (!this.anchored) return 0;
    const idx = price - this.base;
    if (idx >= 0 && idx < this.width) return this.sizes[idx]!;
    if (this.beyondFar(price)) return this.farGet(price);
    return 0;
  }

  set(price: number, size: number): void {
    if (!this.anchored) {
      if (size === 0) return;
      this.anchor(price);
    }
    const idx = price - this.base;
    if (idx >= 0 && idx < this.width) {
      const before = this.sizes[idx]!;
      if (size === 0) {
        if (before === 0) return;
        this.sizes[idx] = 0;
        this.clearBit(idx);
        this.windowCount--;
        if (idx === this.bestIdx) {
          this.bestIdx = this.nextWorse(idx);
          if (this.bestIdx < 0 && this.farCount > 0) this.recentre(this.farPrices[0]!);
        }
        return;
      }
      this.sizes[idx] = size;
      if (before === 0) {
        this.setBit(idx);
        this.windowCount++;
        if (this.bestIdx < 0 || (this.dir === 1 ? idx > this.bestIdx : idx < this.bestIdx)) this.bestIdx = idx;
      }
      return;
    }
    if (this.beyondFar(price)) {
      this.farSet(price, size);
      if (this.windowCount === 0 && this.farCount > 0) this.recentre(this.farPrices[0]!);
      return;
    }
    // Beyond the window on the better side: this price becomes the new best.
    if (size === 0) return;
    this.recentre(price);
    this.set(price, size);
  }

  /** Places an empty window so that `best` sits a quarter of the window in from the better edge. */
  private anchor(best: number): void {
    const quarter = this.width >>> 2;
    this.base = this.dir === 1 ? best - (this.width - quarter) : best - quarter;
    this.anchored = true;
  }

  /**
   * Moves the window so that `best` (which is at least as good as every stored level) fits, and
   * redistributes every level between window and overflow. Rare: only when the best leaves the window.
   */
  private recentre(best: number): void {
    const total = this.count();
    if (this.scratchPrices.length < total) {
      this.scratchPrices = new Float64Array(total * 2);
      this.scratchSizes = new Float64Array(total * 2);
    }
    const sp = this.scratchPrices;
    const ss = this.scratchSizes;
    let n = 0;
    for (let i = this.bestIdx; i >= 0; i = this.nextWorse(i)) {
      sp[n] = this.base + i;
      ss[n] = this.sizes[i]!;
      n++;
      this.sizes[i] = 0;
    }
    this.words.fill(0);
    this.summary.fill(0);
    for (let j = 0; j < this.farCount; j++) {
      sp[n] = this.farPrices[j]!;
      ss[n] = this.farSizes[j]!;
      n++;
    }
    this.windowCount = 0;
    this.farCount = 0;
    this.bestIdx = -1;
    this.anchor(best);
    for (let j = 0; j < n; j++) {
      const price = sp[j]!;
      const size = ss[j]!;
      const idx = price - this.base;
      if (idx >= 0 && idx < this.width) {
        this.sizes[idx] = size;
        this.setBit(idx);
        this.windowCount++;
        if (this.bestIdx < 0) this.bestIdx = idx;
      } else {
        // levels come best first, so the overflow fills in order
        if (this.farCount === this.farPrices.length) this.growFar(this.farCount * 2);
        this.farPrices[this.farCount] = price;
        this.farSizes[this.farCount] = size;
        this.farCount++;
      }
    }
  }

  clear(): void {
    for (let i = this.bestIdx; i >= 0; i = this.nextWorse(i)) this.sizes[i] = 0;
    this.words.fill(0);
    this.summary.fill(0);
    this.bestIdx = -1;
    this.windowCount = 0;
    this.farCount = 0;
    this.anchored = false;
  }

  top(n: number, prices: Float64Array, sizes: Float64Array): number {
    const limit = Math.min(n, prices.length, sizes.length);
    let k = 0;
    for (let i = this.bestIdx; i >= 0 && k < limit; i = this.nextWorse(i)) {
      prices[k] = this.base + i;
      sizes[k] = this.sizes[i]!;
      k++;
    }
    for (let j = 0; j < this.farCount && k < limit; j++) {
      prices[k] = this.farPrices[j]!;
      sizes[k] = this.farSizes[j]!;
      k++;
    }
    return k;
  }

  /** Sum of size_i / (i + 1) over the best `levels` levels. */
  weightedDepth(levels: number): number {
    let k = 0;
    let sum = 0;
    for (let i = this.bestIdx; i >= 0 && k < levels; i = this.nextWorse(i)) {
      sum += this.sizes[i]! / (k + 1);
      k++;
    }
    for (let j = 0; j < this.farCount && k < levels; j++) {
      sum += this.farSizes[j]! / (k + 1);
      k++;
    }
    return sum;
  }

  /** Keeps the best `depth` levels, dropping the worst ones (overflow first, then the window's far end). */
  truncate(depth: number): void {
    let excess = this.count() - Math.max(0, depth);
    if (excess <= 0) return;
    const fromFar = Math.min(excess, this.farCount);
    this.farCount -= fromFar;
    excess -= fromFar;
    // worst window level: lowest index for bids, highest for asks
    while (excess > 0 && this.windowCount > 0) {
      const worst = this.dir === 1 ? this.nextUp(0) : this.nextDown(this.width - 1);
      this.sizes[worst] = 0;
      this.clearBit(worst);
      this.windowCount--;
      if (worst === this.bestIdx) this.bestIdx = -1;
      excess--;
    }
  }
}

export interface PriceLevelBookOptions {
  /** Ticks of the dense window per side (rounded up to a power of two, at least 1024). Default 65536. */
  windowTicks?: number;
}

export class PriceLevelBook implements OrderBook {
  private readonly bids: BookSide;
  private readonly asks: BookSide;

  constructor(options: PriceLevelBookOptions = {}) {
    let width = 1024;
    const wanted = options.windowTicks ?? DEFAULT_WINDOW_TICKS;
    while (width < wanted) width *= 2;
    this.bids = new BookSide(1, width);
    this.asks = new BookSide(-1, width);
  }

  private side(side: BookSideName): BookSide {
    return side === 'bid' ? this.bids : this.asks;
  }

  bestBid(): Ticks {
    return this.bids.bestPrice();
  }

  bestAsk(): Ticks {
    return this.asks.bestPrice();
  }

  sizeAt(side: BookSideName, price: Ticks): Lots {
    return this.side(side).get(price);
  }

  levels(side: BookSideName): number {
    return this.side(side).count();
  }

  top(side: BookSideName, n: number, prices: Float64Array, sizes: Float64Array): number {
    return this.side(side).top(n, prices, sizes);
  }

  imbalance(levels: number): number {
    const b = this.bids.weightedDepth(levels);
    const a = this.asks.weightedDepth(levels);
    const total = b + a;
    return total > 0 ? (b - a) / total : 0;
  }

  isCrossed(): boolean {
    const b = this.bids.bestPrice();
    const a = this.asks.bestPrice();
    return b >= a; // false when either is NaN
  }

  set(side: BookSideName, price: Ticks, size: Lots): void {
    // why: a NaN or fractional price would corrupt the index arithmetic; adapters validate first.
    if (!Number.isSafeInteger(price) || !(size >= 0)) throw new RangeError(`bad level ${side} ${price} ${size}`);
    this.side(side).set(price, size);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  truncate(side: BookSideName, depth: number): void {
    this.side(side).truncate(depth);
  }
}
