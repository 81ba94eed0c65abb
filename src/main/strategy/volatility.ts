/**
 * Online volatility of the observed mid: a rolling window of log returns between mid SAMPLES, taken no
 * more often than a minimum interval, annualised by the real mean interval between those samples.
 *
 * This is the article's `VolatilityEstimator` done right (seed-notes defect 3): the last sampled price is
 * kept in its own field, never in the list of returns; every entry of the window is a log return
 * ln(mid_k / mid_{k−1}) together with the real time that elapsed between the two samples, and the
 * annualisation uses sqrt(secondsPerYear / mean interval) instead of an assumed 1 s. The year is 365 days
 * of 86 400 s by default because crypto trades 24/7; pass `secondsPerYear` for another calendar (e.g.
 * 252 × 6.5 × 3600 for an equity session). Pure and allocation-free per observation (typed-array ring);
 * it owns no clock: time arrives with each observation. It must not know about quoting.
 */

/** Seconds in a 365-day year: the default for 24/7 crypto venues. */
export const SECONDS_PER_YEAR_365 = 365 * 86_400;

const US_PER_SEC = 1_000_000;

export class MidVolatility {
  private capacity: number;
  private returns: Float64Array;
  private intervalsSec: Float64Array;
  /** Index of the oldest return in the ring. */
  private head = 0;
  private size = 0;
  private sumR = 0;
  private sumR2 = 0;
  private sumDt = 0;
  /** Pushes since the running sums were last recomputed from the ring (kills floating drift). */
  private pushesSinceRecompute = 0;
  private lastPrice = Number.NaN;
  private lastSampleUs = Number.NaN;
  private sampleIntervalUs: number;
  /** Std per sample and annualised vol, recomputed once per sample so reads are field loads (hot path). */
  private cachedStd = Number.NaN;
  private cachedVolAnnual = Number.NaN;

  /**
   * @param windowSamples number of mid samples in the window (the window holds windowSamples − 1 returns,
   *   at least 2 so a standard deviation exists)
   * @param sampleIntervalMs minimum time between two samples
   * @param secondsPerYear length of the year used to annualise (default 365 days: 24/7 markets)
   */
  constructor(
    windowSamples: number,
    sampleIntervalMs: number,
    readonly secondsPerYear: number = SECONDS_PER_YEAR_365,
  ) {
    this.capacity = MidVolatility.capacityFor(windowSamples);
    this.returns = new Float64Array(this.capacity);
    this.intervalsSec = new Float64Array(this.capacity);
    this.sampleIntervalUs = sampleIntervalMs * 1_000;
  }

  private static capacityFor(windowSamples: number): number {
    return Math.max(2, Math.floor(windowSamples) - 1);
  }

  /**
   * Changes the window and sampling interval, keeping the newest returns that still fit. Called at a
   * parameter change (allocates only when the window size changes), never per event.
   */
  reconfigure(windowSamples: number, sampleIntervalMs: number): void {
    this.sampleIntervalUs = sampleIntervalMs * 1_000;
    const capacity = MidVolatility.capacityFor(windowSamples);
    if (capacity === this.capacity) return;
    const keep = Math.min(this.size, capacity);
    const returns = new Float64Array(capacity);
    const intervals = new Float64Array(capacity);
    for (let i = 0; i < keep; i++) {
      const from = (this.head + this.size - keep + i) % this.capacity;
      returns[i] = this.returns[from] ?? 0;
      intervals[i] = this.intervalsSec[from] ?? 0;
    }
    this.capacity = capacity;
    this.returns = returns;
    this.intervalsSec = intervals;
    this.head = 0;
    this.size = keep;
    this.recompute();
  }

  /** Forgets every sample (a new session, a replay that jumped back in time). */
  reset(): void {
    this.head = 0;
    this.size = 0;
    this.sumR = 0;
    this.sumR2 = 0;
    this.sumDt = 0;
    this.pushesSinceRecompute = 0;
    this.lastPrice = Number.NaN;
    this.lastSampleUs = Number.NaN;
    this.cachedStd = Number.NaN;
    this.cachedVolAnnual = Number.NaN;
  }

  /**
   * Offers a mid observed at `nowUs`. It becomes a sample only when at least the sampling interval has
   * passed since the previous sample; returns true when it did. Non-positive or non-finite mids are ignored
   * (a log return needs two positive prices). Time running backwards restarts from this mid.
   */
  observe(nowUs: number, mid: number): boolean {
    if (!(mid > 0) || !Number.isFinite(mid) || !Number.isFinite(nowUs)) return false;
    if (Number.isNaN(this.lastSampleUs) || nowUs < this.lastSampleUs) {
      this.lastPrice = mid;
      this.lastSampleUs = nowUs;
      return true;
    }
    const elapsedUs = nowUs - this.lastSampleUs;
    if (elapsedUs < this.sampleIntervalUs || elapsedUs <= 0) return false;
    // why: the return is taken against the last sampled PRICE, kept apart from the returns (defect 3).
    this.push(Math.log(mid / this.lastPrice), elapsedUs / US_PER_SEC);
    this.lastPrice = mid;
    this.lastSampleUs = nowUs;
    return true;
  }

  private push(logReturn: number, dtSec: number): void {
    if (this.size === this.capacity) {
      const oldR = this.returns[this.head] ?? 0;
      const oldDt = this.intervalsSec[this.head] ?? 0;
      this.sumR -= oldR;
      this.sumR2 -= oldR * oldR;
      this.sumDt -= oldDt;
      this.returns[this.head] = logReturn;
      this.intervalsSec[this.head] = dtSec;
      this.head = (this.head + 1) % this.capacity;
    } else {
      const at = (this.head + this.size) % this.capacity;
      this.returns[at] = logReturn;
      this.intervalsSec[at] = dtSec;
      this.size++;
    }
    this.sumR += logReturn;
    this.sumR2 += logReturn * logReturn;
    this.sumDt += dtSec;
    if (++this.pushesSinceRecompute >= this.capacity) this.recompute();
    else this.refreshCache();
  }

  private refreshCache(): void {
    const n = this.size;
    if (n < 2) {
      this.cachedStd = Number.NaN;
      this.cachedVolAnnual = Number.NaN;
      return;
    }
    const mean = this.sumR / n;
    const variance = (this.sumR2 - n * mean * mean) / (n - 1);
    this.cachedStd = variance > 0 ? Math.sqrt(variance) : 0;
    this.cachedVolAnnual = this.cachedStd * Math.sqrt(this.secondsPerYear / (this.sumDt / n));
  }

  private recompute(): void {
    let sumR = 0;
    let sumR2 = 0;
    let sumDt = 0;
    for (let i = 0; i < this.size; i++) {
      const at = (this.head + i) % this.capacity;
      const r = this.returns[at] ?? 0;
      sumR += r;
      sumR2 += r * r;
      sumDt += this.intervalsSec[at] ?? 0;
    }
    this.sumR = sumR;
    this.sumR2 = sumR2;
    this.sumDt = sumDt;
    this.pushesSinceRecompute = 0;
    this.refreshCache();
  }

  /** Number of log returns in the window. */
  returnCount(): number {
    return this.size;
  }

  /** The last sampled mid (NaN before the first sample). */
  lastSampledMid(): number {
    return this.lastPrice;
  }

  /** Sample standard deviation (n − 1) of the log returns per sample; NaN with fewer than 2 returns. */
  stdPerSample(): number {
    return this.cachedStd;
  }

  /** Real mean time between the samples of the window, in seconds; NaN when there are no returns. */
  meanIntervalSec(): number {
    return this.size > 0 ? this.sumDt / this.size : Number.NaN;
  }

  /** Annualised volatility: std per sample × sqrt(secondsPerYear / mean interval). NaN while unknown. */
  volAnnual(): number {
    return this.cachedVolAnnual;
  }

  /**
   * Volatility of the price in ticks per √second at a given mid (ticks): the σ of the optimal models,
   * whose time unit is the second. NaN while unknown.
   */
  sigmaTicksPerSqrtSec(midTicks: number): number {
    const std = this.cachedStd;
    if (Number.isNaN(std)) return Number.NaN;
    return (std / Math.sqrt(this.sumDt / this.size)) * midTicks;
  }
}
