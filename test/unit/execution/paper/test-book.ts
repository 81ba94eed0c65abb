/**
 * A small map-based market-by-price book for the paper venue's tests: obviously correct, not fast.
 */
import type { BookSideName, OrderBook } from '../../../../src/main/market/types.js';

export class TestBook implements OrderBook {
  private readonly sides: Record<BookSideName, Map<number, number>> = { bid: new Map(), ask: new Map() };

  private sorted(side: BookSideName): Array<[number, number]> {
    const levels = [...this.sides[side].entries()].filter(([, s]) => s > 0);
    return levels.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
  }

  bestBid(): number {
    return this.sorted('bid')[0]?.[0] ?? Number.NaN;
  }

  bestAsk(): number {
    return this.sorted('ask')[0]?.[0] ?? Number.NaN;
  }

  sizeAt(side: BookSideName, price: number): number {
    return this.sides[side].get(price) ?? 0;
  }

  levels(side: BookSideName): number {
    return this.sorted(side).length;
  }

  top(side: BookSideName, n: number, prices: Float64Array, sizes: Float64Array): number {
    const levels = this.sorted(side).slice(0, n);
    levels.forEach(([p, s], i) => {
      prices[i] = p;
      sizes[i] = s;
    });
    return levels.length;
  }

  imbalance(): number {
    return 0;
  }

  isCrossed(): boolean {
    return this.bestBid() >= this.bestAsk();
  }

  set(side: BookSideName, price: number, size: number): void {
    if (size === 0) this.sides[side].delete(price);
    else this.sides[side].set(price, size);
  }

  clear(): void {
    this.sides.bid.clear();
    this.sides.ask.clear();
  }

  truncate(side: BookSideName, depth: number): void {
    const keep = new Set(this.sorted(side).slice(0, depth).map(([p]) => p));
    for (const p of [...this.sides[side].keys()]) if (!keep.has(p)) this.sides[side].delete(p);
  }
}
