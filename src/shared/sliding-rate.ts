/**
 * Events per second over a sliding window of time, without allocating: a fixed ring of buckets, each
 * holding the count of one slice of the window and the slice it holds. Early on, before a whole window has
 * passed since the first event, the rate is over the time actually seen (at least one bucket). Pure: times
 * are passed in (µs).
 */
export class SlidingRate {
  private readonly bucketUs: number;
  private readonly count: Float64Array;
  /** Absolute bucket number each slot holds (−1: empty). */
  private readonly id: Float64Array;
  private firstUs = Number.NaN;

  constructor(
    private readonly windowUs: number,
    buckets: number,
  ) {
    if (!(windowUs > 0)) throw new RangeError(`the window must be > 0 µs, got ${windowUs}`);
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be an integer ≥ 1, got ${buckets}`);
    this.bucketUs = windowUs / buckets;
    this.count = new Float64Array(buckets);
    this.id = new Float64Array(buckets).fill(-1);
  }

  record(atUs: number): void {
    if (Number.isNaN(this.firstUs)) this.firstUs = atUs;
    const id = Math.floor(atUs / this.bucketUs);
    const slot = id % this.count.length;
    if (this.id[slot] !== id) {
      this.id[slot] = id;
      this.count[slot] = 0;
    }
    this.count[slot] = (this.count[slot] ?? 0) + 1;
  }

  /** Events per second over the window ending at `nowUs`. */
  perSec(nowUs: number): number {
    const nowId = Math.floor(nowUs / this.bucketUs);
    const n = this.count.length;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const id = this.id[i] ?? -1;
      if (id >= 0 && id > nowId - n && id <= nowId) sum += this.count[i] ?? 0;
    }
    if (sum === 0) return 0;
    const observedUs = Math.min(this.windowUs, Math.max(this.bucketUs, nowUs - this.firstUs));
    return sum / (observedUs / 1_000_000);
  }

  /** Forgets everything (time went back: a replay seek). */
  restart(): void {
    this.id.fill(-1);
    this.count.fill(0);
    this.firstUs = Number.NaN;
  }
}
