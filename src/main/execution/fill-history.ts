/**
 * The fills a venue keeps to answer `fillsSince` (the desk's reconciliation after a restart): the newest
 * `capacity` fills in a ring, oldest first on reading. A real venue's fill history has a window too; this
 * one is a count, so memory stays bounded at any flow (a stress feed makes ~180 fills/s, which an unbounded
 * log turned into megabytes per minute). Shared by the simulated exchange and the paper venue. Pure.
 */
import type { LocalUs } from '../../shared/units.js';
import type { Fill } from './types.js';

/** Fills a venue keeps for `fillsSince`; the order manager's fill-id window (FILL_ID_MEMORY) exceeds it. */
export const VENUE_FILL_HISTORY = 10_000;

export class FillHistory {
  private readonly ring: Fill[] = [];
  /** Fills added since creation (fill n sits at (n - 1) % capacity). */
  private added = 0;

  constructor(readonly capacity: number = VENUE_FILL_HISTORY) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`fill history capacity must be a positive integer, got ${capacity}`);
  }

  add(fill: Fill): void {
    this.ring[this.added % this.capacity] = fill;
    this.added++;
  }

  /** Fills at or after `sinceUs` among the newest `capacity`, oldest first. */
  since(sinceUs: LocalUs): Fill[] {
    const out: Fill[] = [];
    for (let n = Math.max(0, this.added - this.capacity); n < this.added; n++) {
      const fill = this.ring[n % this.capacity];
      if (fill && fill.localUs >= sinceUs) out.push(fill);
    }
    return out;
  }

  /** Fills held (at most `capacity`). */
  get size(): number {
    return this.ring.length;
  }
}
