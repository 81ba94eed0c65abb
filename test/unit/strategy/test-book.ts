/**
 * A small, independent market-by-price book for the strategy's tests and benchmark: two sorted typed
 * arrays per side (best first), implementing `BookReader` with the documented semantics (NaN for an empty
 * side, imbalance weighted 1/(i+1) over the best N levels). Deliberately simple so it can serve as an
 * oracle; reads do not allocate. Not production code: the desk uses the market folder's book.
 */
import type { BookReader, BookSideName } from '../../../src/main/market/types.js';

class Side {
  readonly prices: Float64Array;
  readonly sizes: Float64Array;
  count = 0;
  constructor(readonly better: (a: number, b: number) => boolean, capacity: number) {
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  set(price: number, size: number): void {
    let i = 0;
    while (i < this.count && this.better(this.prices[i] ?? 0, price)) i++;
    const exists = i < this.count && this.prices[i] === price;
    if (size <= 0) {
      if (!exists) return;
      this.prices.copyWithin(i, i + 1, this.count);
      this.sizes.copyWithin(i, i + 1, this.count);
      this.count--;
      return;
    }
    if (exists) {
      this.sizes[i] = size;
      return;
    }
    if (this.count === this.prices.length) throw new RangeError('test book is full');
    this.prices.copyWithin(i + 1, i, this.count);
    this.sizes.copyWithin(i + 1, i, this.count);
    this.prices[i] = price;
    this.sizes[i] = size;
    this.count++;
  }

  sizeAt(price: number): number {
    for (let i = 0; i < this.count; i++) if (this.prices[i] === price) return this.sizes[i] ?? 0;
    return 0;
  }

  weighted(levels: number): number {
    let total = 0;
    const n = Math.min(levels, this.count);
    for (let i = 0; i < n; i++) total += (this.sizes[i] ?? 0) / (i + 1);
    return total;
  }
}

export class TestBook implements BookReader {
  private readonly bids: Side;
  private readonly asks: Side;

  constructor(capacity = 256) {
    this.bids = new Side((a, b) => a > b, capacity);
    this.asks = new Side((a, b) => a < b, capacity);
  }

  /** Builds a book from [price, size] levels (any order). */
  static of(bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): TestBook {
    const book = new TestBook(Math.max(16, bids.length + asks.length + 8));
    for (const [p, s] of bids) book.set('bid', p, s);
    for (const [p, s] of asks) book.set('ask', p, s);
    return book;
  }

  set(side: BookSideName, price: number, size: number): void {
    (side === 'bid' ? this.bids : this.asks).set(price, size);
  }

  bestBid(): number {
    return this.bids.count > 0 ? (this.bids.prices[0] ?? Number.NaN) : Number.NaN;
  }

  bestAsk(): number {
    return this.asks.count > 0 ? (this.asks.prices[0] ?? Number.NaN) : Number.NaN;
  }

  sizeAt(side: BookSideName, price: number): number {
    return (side === 'bid' ? this.bids : this.asks).sizeAt(price);
  }

  levels(side: BookSideName): number {
    return (side === 'bid' ? this.bids : this.asks).count;
  }

  top(side: BookSideName, n: number, prices: Float64Array, sizes: Float64Array): number {
    const s = side === 'bid' ? this.bids : this.asks;
    const k = Math.min(n, s.count, prices.length, sizes.length);
    for (let i = 0; i < k; i++) {
      prices[i] = s.prices[i] ?? 0;
      sizes[i] = s.sizes[i] ?? 0;
    }
    return k;
  }

  imbalance(levels: number): number {
    const bid = this.bids.weighted(levels);
    const ask = this.asks.weighted(levels);
    const total = bid + ask;
    return total > 0 ? (bid - ask) / total : 0;
  }

  isCrossed(): boolean {
    return this.bids.count > 0 && this.asks.count > 0 && this.bestBid() >= this.bestAsk();
  }
}
