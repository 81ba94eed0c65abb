/**
 * A small time chart of one series field (inventory, total PnL) as a baseline series around zero, with
 * optional horizontal guide lines (soft and hard limits). Fed incrementally from the store like the skew
 * chart (`setData` on reset, `update` after), but at reading pace: at most every READING_INTERVAL_MS, with
 * the newest point of each one-second bucket.
 */
import { useEffect, useRef } from 'react';
import { BaselineSeries, LineStyle, createChart, type IPriceLine, type ISeriesApi, type Time } from 'lightweight-charts';
import type { SeriesPoint } from '../../shared/contract.js';
import { useDesk } from '../desk-client/hooks.js';
import { READING_INTERVAL_MS } from '../desk-client/store.js';
import { COLORS, MINI_CHART_BUCKET_MS, bucketMs as chartBucketMs, chartOptions, feedChart, holdTimeWindow, linePoint, type LinePoint } from './chart-kit.js';

const bucketMs = (timeMs: number): number => chartBucketMs(timeMs, MINI_CHART_BUCKET_MS);

export interface GuideLine {
  readonly price: number;
  readonly color: string;
  readonly title: string;
}

const VISIBLE_MS = 300_000;
const TRIM_AT_POINTS = Math.round((2 * VISIBLE_MS) / MINI_CHART_BUCKET_MS);

export function MiniChart({ field, guides, precision, testid }: { field: 'inventory' | 'pnlTotal'; guides: readonly GuideLine[]; precision: number; testid: string }) {
  const { store } = useDesk();
  const containerRef = useRef<HTMLDivElement>(null);
  const seriesRef = useRef<ISeriesApi<'Baseline', Time> | null>(null);
  const linesRef = useRef<IPriceLine[]>([]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(
      container,
      chartOptions({
        rightPriceScale: { borderColor: '#273043', scaleMargins: { top: 0.1, bottom: 0.1 } },
        grid: { vertLines: { visible: false }, horzLines: { color: COLORS.grid } },
        handleScroll: false,
        handleScale: false,
      }),
    );
    chart.timeScale().applyOptions({ visible: false });
    const series = chart.addSeries(BaselineSeries, {
      baseValue: { type: 'price', price: 0 },
      topLineColor: COLORS.pnlUp,
      topFillColor1: 'rgba(38, 194, 129, 0.28)',
      topFillColor2: 'rgba(38, 194, 129, 0.02)',
      bottomLineColor: COLORS.pnlDown,
      bottomFillColor1: 'rgba(239, 83, 80, 0.02)',
      bottomFillColor2: 'rgba(239, 83, 80, 0.28)',
      lineWidth: 2,
      priceLineVisible: false,
      crosshairMarkerVisible: false,
    });
    seriesRef.current = series;
    const timeWindow = holdTimeWindow(chart, VISIBLE_MS, MINI_CHART_BUCKET_MS);
    let lastMs = Number.NEGATIVE_INFINITY;
    const reset = (all: readonly SeriesPoint[]): void => {
      let start = 0;
      for (let i = 1; i < all.length; i++) if ((all[i]?.timeMs ?? 0) < (all[i - 1]?.timeMs ?? 0)) start = i;
      // Only the visible window is loaded on a reset (the store trims its history every minute or so).
      const from = (all[all.length - 1]?.timeMs ?? 0) - VISIBLE_MS;
      while (start < all.length - 1 && (all[start]?.timeMs ?? 0) < from) start++;
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
      held = data.length;
      const last = all[all.length - 1];
      lastMs = start < all.length && last ? last.timeMs : Number.NEGATIVE_INFINITY;
      timeWindow.show();
    };
    let held = 0;
    // Fed at reading pace: the chart maps every point it holds on each update, and a five-minute figure chart
    // drawn four times a second shows all there is to see.
    const unsubscribe = feedChart(store, READING_INTERVAL_MS, MINI_CHART_BUCKET_MS, {
      lastMs: () => lastMs,
      reset,
      point: (p, t) => {
        if (t !== bucketMs(lastMs)) held++;
        series.update(linePoint(t, p[field]));
        lastMs = p.timeMs;
      },
      // The chart maps every point it holds on each update: past two windows, reload one (see SkewChart).
      fed: (all) => {
        if (held > TRIM_AT_POINTS) reset(all);
      },
    });
    return () => {
      unsubscribe();
      timeWindow.dispose();
      seriesRef.current = null;
      linesRef.current = [];
      chart.remove();
    };
  }, [store, field]);

  const guideKey = guides.map((g) => `${g.price}:${g.title}`).join('|');
  useEffect(() => {
    const series = seriesRef.current;
    if (!series) return;
    for (const line of linesRef.current) series.removePriceLine(line);
    linesRef.current = guides.map((g) => series.createPriceLine({ price: g.price, color: g.color, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: g.title }));
    series.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- guideKey is the identity of `guides`
  }, [guideKey, precision]);

  return <div className="mini-chart" data-testid={testid} ref={containerRef} />;
}
