/**
 * The quote-skew chart (lightweight-charts v5): market best bid/ask, mid, fair value, reservation price
 * and our bid/ask over time in the top pane; the skew and the two half-spreads (bps) in a pane beneath;
 * fills, operator actions, state changes and breaker trips as markers (labels grouped where they would
 * pile up). Our bid and ask carry a price tag on the axis only while an order of ours works there. Fed
 * straight from the store's series listener, outside React: `setData` once per reset (snapshot, reconnect,
 * history trim, clock going back in a replay seek), then `update` with the new points at most every
 * CHART_FEED_MS — never `setData` per tick.
 */
import { useEffect, useRef } from 'react';
import { LineSeries, LineType, createChart, type IChartApi, type ISeriesApi, type Time } from 'lightweight-charts';
import type { SeriesPoint } from '../../shared/contract.js';
import { fmtBps, fmtPrice } from '../desk-client/format.js';
import { useDesk, useEvents, useFills, usePacedState } from '../desk-client/hooks.js';
import { CHART_BUCKET_MS, COLORS, bucketMs, chartOptions, feedChart, holdTimeWindow, linePoint, type LinePoint } from './chart-kit.js';
import { QuoteMarkers, buildQuoteMarkers, summariseMarkers } from './quote-markers.js';

/** A time the chart holds a point at (a CHART_BUCKET_MS bucket); markers snap to these. */
interface ChartTime {
  readonly timeMs: number;
}

type Field = 'bestBid' | 'bestAsk' | 'mid' | 'fairValue' | 'reservationPrice' | 'ourBid' | 'ourAsk' | 'skewBps' | 'bidHalfSpreadBps' | 'askHalfSpreadBps';

interface Line {
  readonly field: Field;
  readonly series: ISeriesApi<'Line', Time>;
}

const VISIBLE_MS = 90_000;
/**
 * Fed at most every 50 ms (20 redraws a second), however the updates arrive. Each feed redraws all eleven of
 * the chart's canvases; at one feed per stream update the chart alone held about a tenth of the page's main
 * thread (measured: busy 63–67 % → 52–57 %, event → pixels p95 44–47 → 42–44 ms, in interleaved runs of
 * test/bench/monitor.bench.ts). Its points are half-second buckets four pixels apart, so a redraw every
 * 50 ms shows the newest bucket's value as it moves; the ladder and the figures beside the lines stay on
 * every frame.
 */
const CHART_FEED_MS = 50;
const MARKERS_EVERY_MS = 250;
/** History loaded into the chart on a reset. */
const RESET_HISTORY_MS = VISIBLE_MS;
/**
 * The chart rebuilds its view of a line from ALL the line's points on every update (lightweight-charts'
 * pane view maps the whole data set), so the cost of a frame grows with the history held, not with what is
 * visible. Past two visible windows of points the chart is reloaded with one window.
 */
const TRIM_AT_POINTS = Math.round((2 * VISIBLE_MS) / CHART_BUCKET_MS);

/** Index of the first point at or after `timeMs` (the points are in time order from `all[0]`). */
function firstIndexAtOrAfter(all: readonly SeriesPoint[], timeMs: number): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((all[mid]?.timeMs ?? 0) < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function SkewChart() {
  const { store } = useDesk();
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; lines: Line[]; markers: QuoteMarkers; times: ChartTime[] } | null>(null);
  const fills = useFills();
  const events = useEvents();
  const state = usePacedState();
  const priceDecimals = state?.instrument.priceDecimals ?? 2;
  const tickSize = state ? Number(state.instrument.tickSize) : 0.01;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, chartOptions());
    const line = (field: Field, color: string, opts: { width?: 1 | 2 | 3; steps?: boolean; pane?: number; title?: string } = {}): Line => ({
      field,
      series: chart.addSeries(
        LineSeries,
        {
          color,
          lineWidth: opts.width ?? 1,
          lineType: opts.steps ? LineType.WithSteps : LineType.Simple,
          priceLineVisible: false,
          lastValueVisible: opts.title !== undefined,
          title: opts.title ?? '',
          crosshairMarkerVisible: false,
        },
        opts.pane ?? 0,
      ),
    });
    // Axis labels (a title) only on the lines read off the axis: each label is measured and drawn every frame.
    // All lines solid, told apart by colour and pane: dashed and dotted lines cost a fifth of the chart's
    // rasterising on every redraw (software canvas, measured with --trace in test/bench/monitor.bench.ts).
    const lines: Line[] = [
      line('bestBid', COLORS.bid, { steps: true }),
      line('bestAsk', COLORS.ask, { steps: true }),
      line('mid', COLORS.mid),
      line('fairValue', COLORS.fair, { width: 1, title: 'FV' }),
      line('reservationPrice', COLORS.reservation),
      line('ourBid', COLORS.ourBid, { width: 2, steps: true, title: 'our bid' }),
      line('ourAsk', COLORS.ourAsk, { width: 2, steps: true, title: 'our ask' }),
      line('skewBps', COLORS.skew, { width: 2, pane: 1, title: 'skew' }),
      line('bidHalfSpreadBps', COLORS.bid, { pane: 1 }),
      line('askHalfSpreadBps', COLORS.ask, { pane: 1 }),
    ];
    const panes = chart.panes();
    panes[0]?.setStretchFactor(0.72);
    panes[1]?.setStretchFactor(0.28);
    const midLine = lines[2];
    if (!midLine) throw new Error('mid series missing');
    // On the mid line: fills sit between the bid and ask lines, on the same price scale.
    const markers = new QuoteMarkers((labels) => containerRef.current?.setAttribute('data-labels', labels));
    midLine.series.attachPrimitive(markers);
    const holder = { chart, lines, markers, times: [] as ChartTime[] };
    chartRef.current = holder;
    const timeWindow = holdTimeWindow(chart, VISIBLE_MS, CHART_BUCKET_MS);

    let lastMs = Number.NEGATIVE_INFINITY;
    let lastBucket = Number.NEGATIVE_INFINITY;
    // The axis tag of our bid / ask: shown only while the newest point has an order of ours there.
    const tagged: Partial<Record<Field, boolean>> = { ourBid: true, ourAsk: true };
    const tags = (p: SeriesPoint | undefined): void => {
      for (const { field, series } of lines) {
        if (field !== 'ourBid' && field !== 'ourAsk') continue;
        const working = p !== undefined && p[field] !== null;
        if (tagged[field] === working) continue;
        tagged[field] = working;
        // Both the value and the title: lightweight-charts draws a title on the axis even without its value.
        series.applyOptions({ lastValueVisible: working, title: working ? (field === 'ourBid' ? 'our bid' : 'our ask') : '' });
        containerRef.current?.setAttribute(`data-tag-${field === 'ourBid' ? 'bid' : 'ask'}`, working ? 'shown' : 'hidden');
      }
    };
    const reset = (all: readonly SeriesPoint[]): void => {
      // Keep the monotonic tail: a replay seek back in time starts the chart again from there.
      let start = 0;
      for (let i = 1; i < all.length; i++) if ((all[i]?.timeMs ?? 0) < (all[i - 1]?.timeMs ?? 0)) start = i;
      // A reset (a snapshot, the store trimming its history, or the chart's own trim) loads one visible
      // window. Loading all 20,000 points into ten lines was an 80 ms long task.
      start = Math.max(start, firstIndexAtOrAfter(all, (all[all.length - 1]?.timeMs ?? 0) - RESET_HISTORY_MS));
      const times: ChartTime[] = [];
      for (let i = start; i < all.length; i++) {
        const t = bucketMs((all[i] as SeriesPoint).timeMs);
        if (t !== times[times.length - 1]?.timeMs) times.push({ timeMs: t });
      }
      holder.times = times;
      for (const { field, series } of lines) {
        const data: LinePoint[] = [];
        let previous = Number.NEGATIVE_INFINITY;
        for (let i = start; i < all.length; i++) {
          const p = all[i] as SeriesPoint;
          const t = bucketMs(p.timeMs);
          if (t === previous) data.pop();
          data.push(linePoint(t, p[field]));
          previous = t;
        }
        series.setData(data);
      }
      const last = all[all.length - 1];
      tags(last);
      lastMs = start < all.length && last ? last.timeMs : Number.NEGATIVE_INFINITY;
      lastBucket = times[times.length - 1]?.timeMs ?? Number.NEGATIVE_INFINITY;
      timeWindow.show();
    };
    // Fed at most every CHART_FEED_MS with the newest point of each bucket. Each feed redraws the chart's
    // canvases once (with lightweight-charts' markers plugin it was twice, see quote-markers.ts).
    const unsubscribe = feedChart(store, CHART_FEED_MS, CHART_BUCKET_MS, {
      lastMs: () => lastMs,
      reset,
      point: (p, t) => {
        for (const { field, series } of lines) series.update(linePoint(t, p[field]));
        tags(p);
        if (t !== lastBucket) holder.times.push({ timeMs: t });
        lastMs = p.timeMs;
        lastBucket = t;
      },
      fed: (all) => {
        // Keep the marker index bounded like the store's history.
        if (holder.times.length > all.length) holder.times.splice(0, holder.times.length - all.length);
        if (holder.times.length > TRIM_AT_POINTS) reset(all);
      },
    });
    return () => {
      unsubscribe();
      timeWindow.dispose();
      midLine.series.detachPrimitive(markers);
      chartRef.current = null;
      chart.remove();
    };
  }, [store]);

  // Markers: recomputed when fills or events change, at most every MARKERS_EVERY_MS. Under a busy market fills
  // change every frame, and re-laying out hundreds of markers 60 times a second shows nothing more.
  const markersAt = useRef(0);
  useEffect(() => {
    const holder = chartRef.current;
    if (!holder) return;
    const apply = (): void => {
      markersAt.current = performance.now();
      const markers = buildQuoteMarkers(holder.times, fills, events);
      holder.markers.setMarkers(markers);
      const summary = summariseMarkers(markers);
      const host = containerRef.current;
      host?.setAttribute('data-markers', summary);
      host?.setAttribute('aria-label', `Quotes and skew over the last ${VISIBLE_MS / 1_000} s; markers: ${summary || 'none'}`);
    };
    const wait = MARKERS_EVERY_MS - (performance.now() - markersAt.current);
    if (wait <= 0) {
      apply();
      return;
    }
    const timer = setTimeout(apply, wait);
    return () => clearTimeout(timer);
  }, [fills, events]);

  useEffect(() => {
    const holder = chartRef.current;
    if (!holder) return;
    const format = { type: 'price' as const, precision: priceDecimals, minMove: tickSize };
    for (const { field, series } of holder.lines) {
      if (!field.endsWith('Bps')) series.applyOptions({ priceFormat: format });
      else series.applyOptions({ priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
    }
  }, [priceDecimals, tickSize]);

  return (
    <div className="skew-chart" data-testid="skew-chart">
      <div className="panel-head">
        <h3>Quotes &amp; skew</h3>
        <SkewLegend />
      </div>
      <div className="chart-host" ref={containerRef} role="img" data-testid="skew-chart-canvas" />
    </div>
  );
}

/** Figures to read beside the lines: at reading pace (the lines themselves move every frame). */
function SkewLegend() {
  const state = usePacedState();
  if (!state) return null;
  const d = state.instrument.priceDecimals;
  const skew = state.mid !== null && state.reservationPrice !== null && state.mid !== 0 ? ((state.reservationPrice - state.mid) / state.mid) * 10_000 : null;
  const item = (color: string, label: string, value: string, testid?: string) => (
    <span className="legend-item" data-testid={testid}>
      <i style={{ background: color }} />
      {label} <b>{value}</b>
    </span>
  );
  return (
    <div className="legend">
      {item(COLORS.bid, 'bid', fmtPrice(state.book.bids[0]?.[0], d))}
      {item(COLORS.ask, 'ask', fmtPrice(state.book.asks[0]?.[0], d))}
      {item(COLORS.fair, 'FV', fmtPrice(state.fairValue, d), 'legend-fv')}
      {item(COLORS.reservation, 'R', fmtPrice(state.reservationPrice, d), 'legend-reservation')}
      {item(COLORS.ourBid, 'ours', `${fmtPrice(state.quotes.bid?.price, d)} / ${fmtPrice(state.quotes.ask?.price, d)}`, 'legend-ours')}
      {item(COLORS.skew, 'skew', fmtBps(skew), 'legend-skew')}
    </div>
  );
}
