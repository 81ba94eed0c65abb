/**
 * Online calibration of the order-arrival intensity λ(δ) = A·exp(−κ·δ) from public trades, for the
 * Avellaneda–Stoikov and GLFT models.
 *
 * Each trade is recorded with its distance δ = |price − mid just before it|, in ticks, bucketed on a grid of
 * `bucketTicks` (half a tick by default, because a mid is often x.5). λ(δ_b) is the rate, per second over the
 * rolling window, of trades that reached AT LEAST δ_b: a resting quote at distance δ is filled by any trade
 * that goes that far, which is what the models' λ(δ) means. The fit is least squares of ln λ(δ_b) = ln A − κ·δ_b
 * over the buckets where trades actually printed and at least `minPointTrades` reached (buckets never
 * printed, e.g. integer δ when the mid is x.5, would only add flat steps). Until at least `minTrades` trades
 * and two such points are in the window, or when the fit is not a decaying exponential, `calibrated()` is
 * false and callers use their fixed values.
 * Units: δ in ticks, λ and A per second, κ per tick. Pure and allocation-free per trade (typed-array ring);
 * time arrives with the calls.
 */

const US_PER_SEC = 1_000_000;

export interface IntensityOptions {
  /** Rolling window, seconds (default 600). */
  windowSec?: number;
  /** Width of a δ bucket, ticks (default 0.5). */
  bucketTicks?: number;
  /** Number of buckets; farther trades count in the last one (default 64). */
  buckets?: number;
  /** Most trades kept; the oldest are dropped first when full (default 65 536). */
  capacity?: number;
  /** Trades needed in the window before a fit is trusted (default 30). */
  minTrades?: number;
  /** A bucket is a point of the fit only when at least this many trades reached its δ (default 5): the
   *  log of a count of 1 or 2 is mostly noise. */
  minPointTrades?: number;
}

export class IntensityCalibrator {
  readonly windowUs: number;
  readonly bucketTicks: number;
  readonly bucketCount: number;
  readonly capacity: number;
  readonly minTrades: number;
  readonly minPointTrades: number;
  private readonly times: Float64Array;
  private readonly bucketOf: Uint16Array;
  private readonly counts: Float64Array;
  private head = 0;
  private size = 0;
  /** Earliest time the window can be said to cover (first trade seen, or the last trade dropped for room). */
  private coverageStartUs = Number.NaN;
  private dirty = true;
  private fitted = false;
  private fitA = Number.NaN;
  private fitKappa = Number.NaN;
  private fitPoints = 0;

  constructor(options: IntensityOptions = {}) {
    this.windowUs = (options.windowSec ?? 600) * US_PER_SEC;
    this.bucketTicks = options.bucketTicks ?? 0.5;
    this.bucketCount = options.buckets ?? 64;
    this.capacity = options.capacity ?? 65_536;
    this.minTrades = options.minTrades ?? 30;
    this.minPointTrades = options.minPointTrades ?? 5;
    this.times = new Float64Array(this.capacity);
    this.bucketOf = new Uint16Array(this.capacity);
    this.counts = new Float64Array(this.bucketCount);
  }

  reset(): void {
    this.head = 0;
    this.size = 0;
    this.counts.fill(0);
    this.coverageStartUs = Number.NaN;
    this.dirty = true;
    this.fitted = false;
  }

  /** Records a public trade at `localUs` whose price was `distanceTicks` from the mid just before it. */
  observe(localUs: number, distanceTicks: number): void {
    if (!Number.isFinite(distanceTicks) || !Number.isFinite(localUs)) return;
    if (Number.isNaN(this.coverageStartUs) || localUs < this.coverageStartUs) {
      // First trade, or time ran backwards (a replay restarted): start a fresh window.
      if (!Number.isNaN(this.coverageStartUs)) this.reset();
      this.coverageStartUs = localUs;
    }
    let bucket = Math.floor(Math.abs(distanceTicks) / this.bucketTicks + 1e-9);
    if (bucket >= this.bucketCount) bucket = this.bucketCount - 1;
    if (this.size === this.capacity) {
      this.coverageStartUs = this.times[this.head] ?? this.coverageStartUs;
      this.dropOldest();
    }
    const at = (this.head + this.size) % this.capacity;
    this.times[at] = localUs;
    this.bucketOf[at] = bucket;
    this.size++;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.dirty = true;
  }

  private dropOldest(): void {
    const bucket = this.bucketOf[this.head] ?? 0;
    this.counts[bucket] = (this.counts[bucket] ?? 0) - 1;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    this.dirty = true;
  }

  /** Drops trades older than the window at `nowUs`. */
  advance(nowUs: number): void {
    const oldest = nowUs - this.windowUs;
    while (this.size > 0 && (this.times[this.head] ?? 0) < oldest) this.dropOldest();
  }

  /** Trades in the window. */
  tradeCount(): number {
    return this.size;
  }

  /**
   * Advances the window to `nowUs` and refits when trades changed. Returns whether a trusted fit exists;
   * read it with `intensityA()` and `kappa()`.
   */
  calibrate(nowUs: number): boolean {
    this.advance(nowUs);
    if (!this.dirty) return this.fitted;
    this.dirty = false;
    this.fitted = false;
    if (this.size < this.minTrades) return false;
    const startUs = Math.max(nowUs - this.windowUs, this.coverageStartUs);
    const spanSec = (nowUs - startUs) / US_PER_SEC;
    if (!(spanSec > 0)) return false;
    // Least squares of y = ln(cumulative count / span) on x = δ, over buckets where trades printed.
    let cumulative = 0;
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let b = this.bucketCount - 1; b >= 0; b--) {
      const own = this.counts[b] ?? 0;
      cumulative += own;
      if (own <= 0 || cumulative < this.minPointTrades) continue;
      const x = b * this.bucketTicks;
      const y = Math.log(cumulative / spanSec);
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    if (n < 2) return false;
    const denominator = n * sxx - sx * sx;
    if (!(denominator > 0)) return false;
    const slope = (n * sxy - sx * sy) / denominator;
    const intercept = (sy - slope * sx) / n;
    if (!(slope < 0) || !Number.isFinite(intercept)) return false;
    this.fitKappa = -slope;
    this.fitA = Math.exp(intercept);
    this.fitPoints = n;
    this.fitted = true;
    return true;
  }

  /** Whether the last `calibrate` produced a trusted fit. */
  calibrated(): boolean {
    return this.fitted;
  }

  /** Fitted A (trades per second at δ = 0); NaN before the first fit. */
  intensityA(): number {
    return this.fitted ? this.fitA : Number.NaN;
  }

  /** Fitted κ (per tick); NaN before the first fit. */
  kappa(): number {
    return this.fitted ? this.fitKappa : Number.NaN;
  }

  /** Number of δ buckets used by the last fit. */
  points(): number {
    return this.fitted ? this.fitPoints : 0;
  }
}
