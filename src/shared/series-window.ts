/**
 * The retained time series of a desk as the charts read it: the newest point of each half-second bucket
 * over the last five minutes. The quote chart holds one point per 500 ms over 90 s and the inventory and
 * PnL charts one per second over 300 s, each drawing the newest point of its bucket, so a window kept this
 * way draws exactly what the whole history would — and a snapshot for a new monitor stays a few hundred
 * points however long the session has run. Pure: points carry their own time; nothing reads a clock.
 */

/** Width of the finest chart bucket (the quote chart's). */
export const SERIES_BUCKET_MS = 500;
/** The widest chart window (the inventory and PnL charts'). */
export const SERIES_WINDOW_MS = 300_000;

export class SeriesWindow<T> {
  private points: T[] = [];

  constructor(
    private readonly timeOf: (point: T) => number,
    private readonly bucketMs: number = SERIES_BUCKET_MS,
    private readonly windowMs: number = SERIES_WINDOW_MS,
  ) {}

  /** Adds the newest point: it replaces the newest retained point when both fall in one bucket. */
  push(point: T): void {
    const time = this.timeOf(point);
    const last = this.points[this.points.length - 1];
    if (last !== undefined) {
      const lastTime = this.timeOf(last);
      if (time < lastTime) {
        // why: a clock that went back (a replay seeking backwards) starts a new history.
        this.points = [];
      } else if (Math.floor(time / this.bucketMs) === Math.floor(lastTime / this.bucketMs)) {
        this.points[this.points.length - 1] = point;
        return;
      }
    }
    this.points.push(point);
    // Trimmed in steps of a quarter window, so the copy is paid once per 75 s of points, not per point.
    const oldest = this.points[0];
    if (oldest !== undefined && time - this.timeOf(oldest) > this.windowMs * 1.25) {
      const from = time - this.windowMs;
      let drop = 0;
      while (drop < this.points.length && this.timeOf(this.points[drop] as T) < from) drop++;
      this.points = this.points.slice(drop);
    }
  }

  /** The retained points, oldest first, within the window of the newest. */
  toArray(): T[] {
    const newest = this.points[this.points.length - 1];
    if (newest === undefined) return [];
    const from = this.timeOf(newest) - this.windowMs;
    let start = 0;
    while (start < this.points.length && this.timeOf(this.points[start] as T) < from) start++;
    return this.points.slice(start);
  }

  get length(): number {
    return this.points.length;
  }

  clear(): void {
    this.points = [];
  }
}
