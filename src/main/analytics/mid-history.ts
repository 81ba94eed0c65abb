/**
 * The mids the desk marked, in event order, so the analytics can answer "which mid prevailed just before
 * instant t" for any recent t: the mid at a fill's execution (its report may arrive an ack latency later,
 * after other book messages) and the mid at a markout's horizon (resolved at the first mark at or after
 * it). mid⁻(t) is the mid after every mark stamped STRICTLY before t — marks stamped at t itself (the
 * message that executed us, or others in the same microsecond) are not part of it — so the answer depends
 * only on t and the marks, never on the order in which callers ask.
 *
 * A fixed ring of (time, mid) pairs, one entry per CHANGE of the mid (a repeated mid adds nothing). It
 * answers NaN when t is older than the oldest entry it still holds or precedes every mark: an unknown mid,
 * never a guessed one. Pure and allocation-free after construction; it must not know about fills.
 */

export class MidHistory {
  private readonly times: Float64Array;
  private readonly mids: Float64Array;
  private readonly mask: number;
  /** Entries written since creation or the last `clear` (entry n sits at n & mask). */
  private written = 0;

  /** @param capacity mid changes kept (rounded up to a power of two). */
  constructor(capacity = 65_536) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`mid history capacity must be an integer ≥ 2, got ${capacity}`);
    let size = 2;
    while (size < capacity) size *= 2;
    this.times = new Float64Array(size);
    this.mids = new Float64Array(size);
    this.mask = size - 1;
  }

  /** A mark at `tUs` (never earlier than the previous one) with a finite mid. */
  record(tUs: number, mid: number): void {
    const n = this.written;
    if (n > 0) {
      const last = (n - 1) & this.mask;
      if (this.mids[last] === mid) return;
      if (tUs < (this.times[last] ?? 0)) throw new RangeError(`mid history: a mark at ${tUs} µs after one at ${this.times[last]} µs`);
    }
    const slot = n & this.mask;
    this.times[slot] = tUs;
    this.mids[slot] = mid;
    this.written = n + 1;
  }

  /** The mid prevailing just before `tUs`: the newest entry stamped < tUs; NaN when it is not held. */
  before(tUs: number): number {
    const n = this.written;
    const oldest = Math.max(0, n - this.mask - 1);
    if (n === 0 || !((this.times[oldest & this.mask] ?? Number.NaN) < tUs)) return Number.NaN;
    // Binary search for the last entry (in write order) stamped before tUs.
    let lo = oldest;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.times[mid & this.mask] ?? 0) < tUs) lo = mid;
      else hi = mid - 1;
    }
    return this.mids[lo & this.mask] ?? Number.NaN;
  }

  /** Forgets every mark (a replay jumped: mids across the jump mean nothing). */
  clear(): void {
    this.written = 0;
  }
}
