/**
 * Shared lightweight-charts (v5) setup for the monitor's charts: the dark desk theme, UTC clock labels
 * from sub-second timestamps (the series is sampled per stream batch, many points a second, so times are
 * fractional seconds and the tick labels are formatted from the time itself), and the conversion of a
 * stream SeriesPoint field to line data (absent values become whitespace, so a line breaks instead of
 * dropping to zero). Feeding is incremental: `setData` once per reset, `update` per frame.
 */
import { ColorType, CrosshairMode, type DeepPartial, type ChartOptions, type IChartApi, type LineData, type Time, type UTCTimestamp, type WhitespaceData } from 'lightweight-charts';
import type { SeriesPoint } from '../../shared/contract.js';
import { fmtTime } from '../desk-client/format.js';
import type { DeskStore } from '../desk-client/store.js';

export const COLORS = {
  bg: '#0d1117',
  grid: '#1a2130',
  text: '#8b96a8',
  bid: 'rgba(38, 194, 129, 0.6)',
  ask: 'rgba(239, 83, 80, 0.6)',
  ourBid: '#5cf2a8',
  ourAsk: '#ff8a80',
  mid: '#6b7789',
  fair: '#4fc3f7',
  reservation: '#e040fb',
  skew: '#ffca28',
  inventory: '#4fc3f7',
  pnlUp: '#26c281',
  pnlDown: '#ef5350',
  operator: '#ffca28',
  breaker: '#ff5252',
  state: '#b388ff',
  params: '#90a4ae',
} as const;

/**
 * The charts keep one point per CHART_BUCKET_MS: the desk publishes up to ~60 points a second, and 90 s of
 * that is 5,400 points per line redrawn every frame, far more than the chart has pixels. Half a second is
 * 180 points per line over the 90 s window (four pixels apart at the default layout). Rasterising the
 * ten lines on each redraw is the monitor's largest single cost under a fast market: with a quarter
 * second (360 points) it took a third of the page's main thread once the window was full. Points within
 * a bucket replace the bucket's point (`update` with the same time), so the newest value is always drawn.
 */
export const CHART_BUCKET_MS = 500;

export function bucketMs(timeMs: number, bucket: number = CHART_BUCKET_MS): number {
  return Math.floor(timeMs / bucket) * bucket;
}

/**
 * The small charts (inventory, PnL) show five minutes: one point a second is 300 points, all the pixels
 * they have, where 100 ms buckets would redraw 3,000 filled points every frame for nothing.
 */
export const MINI_CHART_BUCKET_MS = 1_000;

export function toTime(timeMs: number): UTCTimestamp {
  return (timeMs / 1000) as UTCTimestamp;
}

function timeOf(time: Time): number {
  return typeof time === 'number' ? time * 1000 : Number.NaN;
}

export function chartOptions(extra: DeepPartial<ChartOptions> = {}): DeepPartial<ChartOptions> {
  return {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: COLORS.bg },
      textColor: COLORS.text,
      fontSize: 11,
      fontFamily: 'ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace',
      attributionLogo: false,
      panes: { separatorColor: '#273043', separatorHoverColor: '#3a4660', enableResize: true },
    },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: '#273043' },
    timeScale: {
      borderColor: '#273043',
      timeVisible: true,
      secondsVisible: true,
      minBarSpacing: 0.01,
      barSpacing: 0.6,
      rightOffset: 4,
      tickMarkFormatter: (time: Time) => fmtTime(timeOf(time)),
    },
    localization: { timeFormatter: (time: Time) => fmtTime(timeOf(time), true) },
    handleScale: { axisPressedMouseMove: { time: true, price: true } },
    ...extra,
  };
}

export type LinePoint = LineData<Time> | WhitespaceData<Time>;

/**
 * Holds a chart's time scale on a fixed window: `windowMs` of `bucket`-wide points across the pane, whatever
 * the number of points loaded, with the newest at the right edge. The bar spacing follows the pane's width.
 * Zooming by the loaded points instead drew a chart started with twenty points twenty points wide until its
 * first reload, and then a different zoom: the window a trader reads, and the points drawn every frame (the
 * chart's largest cost under a fast market), must not depend on when the page was opened. `show()` puts the
 * window back on the newest point (after a reload); a resize keeps the trader's scroll position.
 */
export function holdTimeWindow(chart: IChartApi, windowMs: number, bucket: number): { show(): void; dispose(): void } {
  const timeScale = chart.timeScale();
  const points = windowMs / bucket;
  const fit = (): void => {
    const width = timeScale.width();
    if (width > 0) timeScale.applyOptions({ barSpacing: width / (points + timeScale.options().rightOffset) });
  };
  timeScale.subscribeSizeChange(fit);
  return {
    show(): void {
      fit();
      timeScale.scrollToRealTime();
    },
    dispose(): void {
      timeScale.unsubscribeSizeChange(fit);
    },
  };
}

export function linePoint(timeMs: number, value: number | null): LinePoint {
  return value === null || !Number.isFinite(value) ? { time: toTime(timeMs) } : { time: toTime(timeMs), value };
}

/** Index of the last point whose time is <= t (binary search), or -1. */
export function lastIndexAtOrBefore(times: readonly { timeMs: number }[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const point = times[mid];
    if (point && point.timeMs <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Calls `feed` at most every `intervalMs`: at once when the last call is old enough, else once when it is
 * (a trailing call, so the newest points always arrive). A chart redraws every canvas it owns on each feed.
 */
function pacedFeed(intervalMs: number, feed: () => void): { offer(): void; cancel(): void } {
  let fedAtMs = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = (): void => {
    timer = null;
    fedAtMs = performance.now();
    feed();
  };
  return {
    offer(): void {
      if (timer !== null) return;
      const waitMs = fedAtMs + intervalMs - performance.now();
      if (waitMs <= 0) run();
      else timer = setTimeout(run, waitMs);
    },
    cancel(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

export interface ChartFeed {
  /** Time (ms) of the newest point the chart holds (points after it are new). */
  readonly lastMs: () => number;
  /** Reloads the chart from the whole retained series (a snapshot, a trim, the clock going back). */
  readonly reset: (all: readonly SeriesPoint[]) => void;
  /** Draws one new point: the newest of its bucket `bucketMs`, in time order. */
  readonly point: (point: SeriesPoint, bucketMs: number) => void;
  /** After the new points of one feed (trimming, bookkeeping). */
  readonly fed: (all: readonly SeriesPoint[]) => void;
}

/**
 * Feeds a chart from the store's series at most every `intervalMs`, with only the newest point of each
 * `bucket` (a chart holds one point per bucket); resets it on a snapshot, a history trim or the clock going
 * back (a replay seek). Returns the unsubscribe.
 */
export function feedChart(store: DeskStore, intervalMs: number, bucket: number, chart: ChartFeed): () => void {
  const feeder = pacedFeed(intervalMs, () => {
    const all = store.seriesPoints;
    let from = all.length;
    while (from > 0 && (all[from - 1]?.timeMs ?? 0) > chart.lastMs()) from--;
    for (let i = from; i < all.length; i++) {
      const p = all[i] as SeriesPoint;
      const t = bucketMs(p.timeMs, bucket);
      if (i + 1 < all.length && bucketMs((all[i + 1] as SeriesPoint).timeMs, bucket) === t) continue;
      chart.point(p, t);
    }
    chart.fed(all);
  });
  const unsubscribe = store.subscribeSeries((fresh, all, isReset) => {
    if (isReset || fresh.some((p) => p.timeMs < chart.lastMs())) {
      feeder.cancel();
      chart.reset(all);
      return;
    }
    feeder.offer();
  });
  return () => {
    unsubscribe();
    feeder.cancel();
  };
}
