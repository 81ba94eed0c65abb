/**
 * The quote chart's markers, drawn by our own series primitive: our fills as arrows at their price (buys
 * up in our bid's colour, sells down in our ask's), and desk events (operator actions, state changes,
 * breaker trips, parameter changes, feed trouble) as a labelled flag on the pane's top edge with a faint
 * line down through the pane at their time. lightweight-charts' own markers plugin asks the chart for a
 * full update whenever the series' data changes: under a fast market that is every feed, and a full update
 * lays the chart out again, which invalidates it once more — every chart canvas was redrawn on every frame
 * instead of at the feed's pace. This primitive redraws with whatever draws the chart and asks for an
 * update only when its markers change. Marker times are chart times (bucket times the chart holds points
 * at); `buildQuoteMarkers` snaps fills and events to them. Event labels that would pile up (a burst of
 * state changes within a few pixels) are grouped into one label — the newest, with how many more
 * (`groupLabels`) — and the labels drawn are reported (`onLabels`) for the chart's accessible text.
 */
import type { IChartApi, IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesApi, ISeriesPrimitive, SeriesAttachedParameter, SeriesType, Time } from 'lightweight-charts';
import type { DeskEventKind, DeskEventView, FillView } from '../../shared/contract.js';
import { COLORS, lastIndexAtOrBefore, toTime } from './chart-kit.js';

/** Event kinds the chart marks (an `info` event is log-only). */
export type MarkedEventKind = Exclude<DeskEventKind, 'info'>;

export type QuoteMarker =
  | { readonly kind: 'fill'; readonly timeMs: number; readonly side: 'buy' | 'sell'; readonly price: number; readonly fillId: string }
  | { readonly kind: 'event'; readonly timeMs: number; readonly event: MarkedEventKind; readonly label: string };

/**
 * Fill markers drawn: the newest MAX_FILL_MARKERS. Under a busy market a few hundred arrows in a 90 s window
 * are a smear, not information.
 */
export const MAX_FILL_MARKERS = 80;

const EVENT_COLORS: Readonly<Record<MarkedEventKind, string>> = {
  operator: COLORS.operator,
  state: COLORS.state,
  breaker: COLORS.breaker,
  params: COLORS.params,
  feed: COLORS.mid,
};

/** The short label of an event's flag: the new state, the breaker and what it did, or the action's first words. */
export function eventLabel(event: DeskEventView): string {
  switch (event.kind) {
    case 'state':
      return /→\s*(\w+)/.exec(event.text)?.[1] ?? 'state';
    case 'breaker':
      return clipLabel(event.text.replace(/^breaker /, '').split(':')[0] ?? '');
    case 'params':
      return 'params';
    case 'operator':
    case 'feed':
    case 'info':
      return clipLabel(event.text.split(/[:(]/)[0] ?? '') || event.kind;
  }
}

const LABEL_CHARS = 20;

/** A label of at most LABEL_CHARS, cut at a word with an ellipsis. */
function clipLabel(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= LABEL_CHARS) return trimmed;
  const cut = trimmed.lastIndexOf(' ', LABEL_CHARS - 1);
  return `${trimmed.slice(0, cut > 0 ? cut : LABEL_CHARS - 1)}…`;
}

/** The chart time (a bucket the chart holds) a marker at `timeMs` belongs to, or null before the chart's data. */
function snap(times: readonly { timeMs: number }[], timeMs: number): number | null {
  const first = times[0];
  if (!first || timeMs < first.timeMs) return null;
  return times[lastIndexAtOrBefore(times, timeMs)]?.timeMs ?? null;
}

/**
 * The markers for the chart's time span: the newest MAX_FILL_MARKERS fills (`fills` newest first) and every
 * marked event, snapped to the chart's times and in time order.
 */
export function buildQuoteMarkers(times: readonly { timeMs: number }[], fills: readonly FillView[], events: readonly DeskEventView[]): QuoteMarker[] {
  const markers: QuoteMarker[] = [];
  for (let i = Math.min(fills.length, MAX_FILL_MARKERS) - 1; i >= 0; i--) {
    const fill = fills[i];
    if (!fill) continue;
    const at = snap(times, fill.timeMs);
    if (at !== null) markers.push({ kind: 'fill', timeMs: at, side: fill.side, price: fill.price, fillId: fill.fillId });
  }
  for (const event of events) {
    if (event.kind === 'info') continue;
    const at = snap(times, event.timeMs);
    if (at !== null) markers.push({ kind: 'event', timeMs: at, event: event.kind, label: eventLabel(event) });
  }
  markers.sort((a, b) => a.timeMs - b.timeMs);
  return markers;
}

/** How many markers of each kind: the chart's accessible summary, and what the end-to-end tests read. */
export function summariseMarkers(markers: readonly QuoteMarker[]): string {
  const counts = new Map<string, number>();
  for (const marker of markers) {
    const key = marker.kind === 'fill' ? 'fill' : marker.event;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([key, count]) => `${key} ${count}`).join(', ');
}

const ARROW_HALF_WIDTH = 4;
const ARROW_HEIGHT = 6;
const FLAG_SIZE = 6;
const LABEL_ROWS = 3;
const LABEL_ROW_HEIGHT = 12;
const LABEL_GAP = 6;
const LABEL_FONT = '10px ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace';

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

/** Event flags closer than this (px) share one label. */
export const GROUP_PX = 56;

export interface LabelGroup {
  /** x of the newest flag of the group. */
  readonly x: number;
  readonly event: MarkedEventKind;
  readonly text: string;
  readonly count: number;
}

/**
 * Groups event flags (x positions, newest first) so that flags within GROUP_PX of the group's newest share
 * one label: the newest's text, with `+N` for the others.
 */
export function groupLabels(flags: ReadonlyArray<{ readonly x: number; readonly event: MarkedEventKind; readonly label: string }>): LabelGroup[] {
  const groups: Array<{ x: number; event: MarkedEventKind; label: string; count: number }> = [];
  for (const flag of flags) {
    const last = groups[groups.length - 1];
    if (last && Math.abs(last.x - flag.x) < GROUP_PX) last.count++;
    else groups.push({ x: flag.x, event: flag.event, label: flag.label, count: 1 });
  }
  return groups.map((g) => ({ x: g.x, event: g.event, text: g.count > 1 ? `${g.label} +${g.count - 1}` : g.label, count: g.count }));
}

export class QuoteMarkers implements ISeriesPrimitive<Time> {
  private markers: readonly QuoteMarker[] = [];
  private chart: IChartApi | null = null;
  private series: ISeriesApi<SeriesType, Time> | null = null;
  private requestUpdate: (() => void) | null = null;
  private readonly views: readonly IPrimitivePaneView[];
  private drawnLabels = '';

  /** Told the labels drawn (one string, ` | ` between them) whenever they change. */
  constructor(private readonly onLabels: (labels: string) => void = () => undefined) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => this.draw(target) };
    this.views = [{ zOrder: () => 'top', renderer: () => renderer }];
  }

  attached(param: SeriesAttachedParameter<Time>): void {
    this.chart = param.chart as IChartApi;
    this.series = param.series;
    this.requestUpdate = param.requestUpdate;
  }

  detached(): void {
    this.chart = null;
    this.series = null;
    this.requestUpdate = null;
  }

  /** Replaces the markers (in time order) and asks the chart to draw them. */
  setMarkers(markers: readonly QuoteMarker[]): void {
    this.markers = markers;
    this.requestUpdate?.();
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  private draw(target: DrawTarget): void {
    const chart = this.chart;
    const series = this.series;
    if (!chart || !series || this.markers.length === 0) return;
    const timeScale = chart.timeScale();
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      const { width, height } = mediaSize;
      context.save();
      context.font = LABEL_FONT;
      context.textBaseline = 'top';
      // Oldest first, so the newest marker is drawn on top.
      for (const marker of this.markers) {
        const x = timeScale.timeToCoordinate(toTime(marker.timeMs));
        if (x === null || x < -ARROW_HALF_WIDTH || x > width + ARROW_HALF_WIDTH) continue;
        if (marker.kind === 'fill') {
          const y = series.priceToCoordinate(marker.price);
          if (y === null) continue;
          const buy = marker.side === 'buy';
          // The tip on the fill's price: a buy's arrow points up from below, a sell's down from above.
          const base = buy ? y + ARROW_HEIGHT : y - ARROW_HEIGHT;
          context.fillStyle = buy ? COLORS.ourBid : COLORS.ourAsk;
          context.beginPath();
          context.moveTo(x, y);
          context.lineTo(x - ARROW_HALF_WIDTH, base);
          context.lineTo(x + ARROW_HALF_WIDTH, base);
          context.closePath();
          context.fill();
          continue;
        }
        context.fillStyle = EVENT_COLORS[marker.event];
        context.globalAlpha = 0.35;
        context.fillRect(Math.round(x), FLAG_SIZE, 1, height - FLAG_SIZE);
        context.globalAlpha = 1;
        context.fillRect(Math.round(x) - FLAG_SIZE / 2, 0, FLAG_SIZE, FLAG_SIZE);
      }
      // Labels newest first, grouped where their flags crowd; so when they still crowd the newest keep their
      // place: each takes the first row with room left of the labels already placed, and is left out (its
      // flags stay) when no row has room.
      const flags: Array<{ x: number; event: MarkedEventKind; label: string }> = [];
      for (let i = this.markers.length - 1; i >= 0; i--) {
        const marker = this.markers[i];
        if (marker?.kind !== 'event') continue;
        const x = timeScale.timeToCoordinate(toTime(marker.timeMs));
        if (x === null || x < 0 || x > width) continue;
        flags.push({ x, event: marker.event, label: marker.label });
      }
      const rowLeft = new Array<number>(LABEL_ROWS).fill(width + LABEL_GAP);
      const drawn: string[] = [];
      for (const group of groupLabels(flags)) {
        const labelWidth = context.measureText(group.text).width;
        // Right of its flag, kept inside the pane (a trip at the window's edge stays readable).
        const labelX = Math.max(2, Math.min(group.x + FLAG_SIZE, width - labelWidth - 2));
        const row = rowLeft.findIndex((left) => labelX + labelWidth + LABEL_GAP <= left);
        if (row < 0) continue;
        rowLeft[row] = labelX;
        context.fillStyle = EVENT_COLORS[group.event];
        context.fillText(group.text, labelX, FLAG_SIZE + 1 + row * LABEL_ROW_HEIGHT);
        drawn.push(group.text);
      }
      const labels = drawn.join(' | ');
      if (labels !== this.drawnLabels) {
        this.drawnLabels = labels;
        this.onLabels(labels);
      }
      context.restore();
    });
  }
}
