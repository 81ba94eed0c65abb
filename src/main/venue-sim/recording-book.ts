/**
 * The local exchange's order book: a PriceLevelBook that also numbers every level change with an update
 * id and remembers which levels changed since the last diff was published, so a venue dialect can serve a
 * depth snapshot at an exact update id and diff events `[first id, last id]` that continue it without a
 * gap (the numbering Binance's "How to manage a local order book correctly" relies on). The simulated
 * market writes it; nothing else does. No I/O.
 */
import type { Lots, Ticks } from '../../shared/units.js';
import { PriceLevelBook } from '../market/book/order-book.js';
import type { BookSideName, OrderBook } from '../market/types.js';

/** Levels changed since the last diff, with their latest absolute sizes (0: removed). */
export interface BookDiff {
  /** Update id of the first change in the diff. */
  readonly firstId: number;
  /** Update id of the last change (the book is at this id after the diff). */
  readonly lastId: number;
  readonly bids: ReadonlyArray<readonly [Ticks, Lots]>;
  readonly asks: ReadonlyArray<readonly [Ticks, Lots]>;
}

export class RecordingBook implements OrderBook {
  private readonly inner = new PriceLevelBook();
  private id: number;
  private pendingFirst = 0;
  private readonly pendingBids = new Map<Ticks, Lots>();
  private readonly pendingAsks = new Map<Ticks, Lots>();

  constructor(firstUpdateId = 1_000) {
    this.id = firstUpdateId;
  }

  /** The update id the book is at. */
  updateId(): number {
    return this.id;
  }

  set(side: BookSideName, price: Ticks, size: Lots): void {
    this.inner.set(side, price, size);
    this.id++;
    if (this.pendingFirst === 0) this.pendingFirst = this.id;
    (side === 'bid' ? this.pendingBids : this.pendingAsks).set(price, Math.max(0, size));
  }

  clear(): void {
    throw new Error('the local exchange book is never cleared');
  }

  truncate(): void {
    throw new Error('the local exchange book is never truncated');
  }

  /** The levels changed since the last call, or null when nothing changed. */
  takeDiff(): BookDiff | null {
    if (this.pendingFirst === 0) return null;
    const bids = [...this.pendingBids.entries()].sort((a, b) => b[0] - a[0]);
    const asks = [...this.pendingAsks.entries()].sort((a, b) => a[0] - b[0]);
    const diff = { firstId: this.pendingFirst, lastId: this.id, bids, asks };
    this.pendingFirst = 0;
    this.pendingBids.clear();
    this.pendingAsks.clear();
    return diff;
  }

  bestBid(): Ticks {
    return this.inner.bestBid();
  }

  bestAsk(): Ticks {
    return this.inner.bestAsk();
  }

  sizeAt(side: BookSideName, price: Ticks): Lots {
    return this.inner.sizeAt(side, price);
  }

  levels(side: BookSideName): number {
    return this.inner.levels(side);
  }

  top(side: BookSideName, n: number, prices: Float64Array, sizes: Float64Array): number {
    return this.inner.top(side, n, prices, sizes);
  }

  imbalance(levels: number): number {
    return this.inner.imbalance(levels);
  }

  isCrossed(): boolean {
    return this.inner.isCrossed();
  }
}
