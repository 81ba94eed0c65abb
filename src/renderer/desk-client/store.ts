/**
 * The monitor's store: applies stream messages as they arrive and publishes at most once per animation
 * frame, at two paces.
 *
 * A message is cheap to apply (pointer swaps and appends into bounded buffers); nothing renders then.
 * The first message after a frame schedules one `requestAnimationFrame`; at that frame the store publishes
 * what changed as new immutable values. The market view (the `state` slice: ladder, replay transport) is
 * published every frame. What a person reads as figures and lists (the `pacedState` slice, metrics, fills,
 * events: the state banner and clock, the chart legend, statistics, PnL, inventory, markouts, feed health,
 * blotter, event log) is published at most every READING_INTERVAL_MS — numbers that change sixty times a second
 * cannot be read, and re-laying out every panel per frame under a busy market is what made other desks'
 * monitors fall behind. It is published at once, in the same frame as the market view, when a desk event
 * arrives (an operator action, a state change, a breaker trip, feed trouble) or the trading state changes,
 * so nothing the trader must act on waits. The chart listeners get the series points that arrived (or a
 * reset after a snapshot) in a microtask right after each message (see `flushSeries`); each chart paces
 * its own drawing. React components subscribe per slice (`hooks.ts`). The store holds only
 * what the desk sent; it computes nothing the desk should.
 */
import { TAPE_SNAPSHOT_TRADES, type DeskEventView, type DeskMetrics, type DeskState, type FillView, type SeriesPoint, type SessionView, type StreamMessage, type TradeView, type VolumeAtPrice } from '../../shared/contract.js';
import type { ConnectionInfo } from './streaming-api.js';

export type Slice = 'state' | 'pacedState' | 'metrics' | 'fills' | 'events' | 'trades' | 'connection' | 'session';

export interface Published {
  /** The desk's newest state, every frame (the market view). */
  readonly state: DeskState | null;
  /** The desk's state at reading pace (panels of figures). */
  readonly pacedState: DeskState | null;
  /** At reading pace. */
  readonly metrics: DeskMetrics | null;
  /** Newest first; at reading pace. */
  readonly fills: readonly FillView[];
  /** Oldest first; at reading pace (at once when one arrives). */
  readonly events: readonly DeskEventView[];
  /** The market's trades, newest first; at reading pace. */
  readonly trades: readonly TradeView[];
  readonly connection: ConnectionInfo;
  /** The session the host runs (starting, loading a recording, running, stopped, failed); null until known. */
  readonly session: SessionView | null;
}

/** Receives the series points that arrived since the last frame; `reset` means "replace everything with `all`". */
export type SeriesListener = (fresh: readonly SeriesPoint[], all: readonly SeriesPoint[], reset: boolean) => void;

export const MAX_FILLS = 5_000;
export const MAX_EVENTS = 500;
export const MAX_SERIES = 20_000;
/** The pace of the figures and lists: four times a second. */
export const READING_INTERVAL_MS = 250;
/** Fills remembered for the ladder's flash. */
export const RECENT_FILLS = 64;

export interface RecentFill {
  readonly fill: FillView;
  /** On the store's clock (`DeskStore.nowMs`). */
  readonly arrivedAtMs: number;
}

export interface StoreStats {
  messages: number;
  snapshots: number;
  frames: number;
  /** Frames that published the reading-pace slices. */
  readingFrames: number;
  /** Frames asked for by the reading-pace timer alone (a quiet stream), not by a message. */
  catchUpFrames: number;
  /** Local receive time (performance.now) of the newest message applied, and when it was painted. */
  lastMessageAt: number;
  lastFrameAt: number;
}

/** What the store needs from its host: animation frames, a monotonic clock in ms, and a one-shot timer. */
export interface StoreScheduling {
  readonly frame: (callback: () => void) => void;
  readonly nowMs: () => number;
  readonly timer: (callback: () => void, delayMs: number) => void;
}

export const browserScheduling: StoreScheduling = {
  frame: (callback) => {
    const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
    if (typeof raf === 'function') raf(() => callback());
    else setTimeout(callback, 16);
  },
  nowMs: () => performance.now(),
  timer: (callback, delayMs) => void setTimeout(callback, delayMs),
};

export class DeskStore {
  private published: Published = {
    state: null,
    pacedState: null,
    metrics: null,
    fills: [],
    events: [],
    trades: [],
    connection: { status: 'connecting', attempts: 0, retryAtMs: null },
    session: null,
  };
  // Pending values, applied per message and published per frame (state) or at reading pace (the rest).
  private pendingState: DeskState | null = null;
  private pendingMetrics: DeskMetrics | null = null;
  private pendingFills: FillView[] = [];
  private pendingEvents: DeskEventView[] = [];
  private pendingConnection: ConnectionInfo | null = null;
  private pendingSession: SessionView | null = null;
  private resetFills: FillView[] | null = null;
  private resetEvents: DeskEventView[] | null = null;
  private pendingTrades: TradeView[] = [];
  private resetTrades: TradeView[] | null = null;
  /** The session's traded volume by price, as the desk sent it (read by the ladder each frame). */
  private readonly volumeByPrice = new Map<number, VolumeAtPrice>();
  private volumeVersionValue = 0;
  /** Something the trader must see arrived: publish the reading-pace slices at the next frame. */
  private readingUrgent = false;
  private lastReadingAtMs = Number.NEGATIVE_INFINITY;
  private readingTimerSet = false;
  private readonly series: SeriesPoint[] = [];
  private freshSeriesFrom = 0;
  private seriesReset = false;
  private readonly sliceListeners: Record<Slice, Set<() => void>> = {
    state: new Set(),
    pacedState: new Set(),
    metrics: new Set(),
    fills: new Set(),
    events: new Set(),
    trades: new Set(),
    connection: new Set(),
    session: new Set(),
  };
  private readonly seriesListeners = new Set<SeriesListener>();
  private readonly frameListeners = new Set<() => void>();
  private frameScheduled = false;
  private seriesScheduled = false;
  /** The newest fills with their arrival time on this page, at once (not at reading pace): the ladder's flash. */
  private readonly recent: RecentFill[] = [];
  readonly stats: StoreStats = { messages: 0, snapshots: 0, frames: 0, readingFrames: 0, catchUpFrames: 0, lastMessageAt: 0, lastFrameAt: 0 };

  constructor(private readonly scheduling: StoreScheduling = browserScheduling) {}

  get current(): Published {
    return this.published;
  }

  /** The whole retained series, oldest first (read-only; it changes between frames). */
  get seriesPoints(): readonly SeriesPoint[] {
    return this.series;
  }

  /**
   * The newest fills (at most RECENT_FILLS, oldest first) with when they arrived on this page, updated as
   * each message is applied; fills that came with a snapshot are not recent.
   */
  get recentFills(): readonly RecentFill[] {
    return this.recent;
  }

  /** The session's traded volume at each price the desk keeps (changes as messages arrive). */
  get volume(): ReadonlyMap<number, VolumeAtPrice> {
    return this.volumeByPrice;
  }

  /** Changes whenever the volume does: a painter can tell whether to look again. */
  get volumeVersion(): number {
    return this.volumeVersionValue;
  }

  /** The store's clock (ms, monotonic): the time base of `RecentFill.arrivedAtMs`. */
  nowMs(): number {
    return this.scheduling.nowMs();
  }

  apply(message: StreamMessage): void {
    this.stats.messages++;
    this.stats.lastMessageAt = this.scheduling.nowMs();
    switch (message.type) {
      case 'session':
        this.pendingSession = message.session;
        this.requestFrame();
        return;
      case 'snapshot':
        this.stats.snapshots++;
        this.pendingState = message.state;
        this.pendingMetrics = message.metrics;
        this.resetFills = message.fills.slice(0, MAX_FILLS);
        this.pendingFills = [];
        this.recent.length = 0;
        this.resetEvents = message.events.slice(-MAX_EVENTS);
        this.pendingEvents = [];
        this.resetTrades = message.trades.slice(0, TAPE_SNAPSHOT_TRADES);
        this.pendingTrades = [];
        this.volumeByPrice.clear();
        for (const row of message.volume) this.volumeByPrice.set(row[0], row);
        this.volumeVersionValue++;
        this.readingUrgent = true;
        this.series.length = 0;
        for (const point of message.series) this.pushSeries(point);
        this.seriesReset = true;
        this.freshSeriesFrom = 0;
        break;
      case 'update': {
        const shown = this.published.pacedState;
        if (shown !== null && shown.tradingState !== message.state.tradingState) this.readingUrgent = true;
        this.pendingState = message.state;
        if (message.metrics) this.pendingMetrics = message.metrics;
        if (message.fills.length > 0) {
          const arrivedAtMs = this.stats.lastMessageAt;
          for (const fill of message.fills) {
            this.pendingFills.push(fill);
            this.recent.push({ fill, arrivedAtMs });
          }
          if (this.recent.length > RECENT_FILLS) this.recent.splice(0, this.recent.length - RECENT_FILLS);
        }
        if (message.events.length > 0) {
          for (const event of message.events) this.pendingEvents.push(event);
          this.readingUrgent = true;
        }
        for (const point of message.series) this.pushSeries(point);
        if (message.trades.length > 0) {
          for (const trade of message.trades) this.pendingTrades.push(trade);
          if (this.pendingTrades.length > TAPE_SNAPSHOT_TRADES) this.pendingTrades.splice(0, this.pendingTrades.length - TAPE_SNAPSHOT_TRADES);
        }
        if (message.volume.length > 0) {
          for (const row of message.volume) this.volumeByPrice.set(row[0], row);
          this.volumeVersionValue++;
        }
        break;
      }
      default:
        return;
    }
    this.scheduleSeries();
    this.requestFrame();
  }

  setSession(session: SessionView): void {
    this.pendingSession = session;
    this.requestFrame();
  }

  setConnection(info: ConnectionInfo): void {
    this.pendingConnection = info;
    this.requestFrame();
  }

  subscribe(slice: Slice, listener: () => void): () => void {
    const set = this.sliceListeners[slice];
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Chart feed: called at once with the whole series (reset), then per frame with the new points. */
  subscribeSeries(listener: SeriesListener): () => void {
    this.seriesListeners.add(listener);
    listener(this.series, this.series, true);
    return () => this.seriesListeners.delete(listener);
  }

  /** Called after each published frame (the transport acknowledges it to the server). */
  onFrame(listener: () => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Publishes what changed since the last frame. Public for tests and hosts without animation frames. */
  flush(): void {
    this.frameScheduled = false;
    this.stats.frames++;
    const nowMs = this.scheduling.nowMs();
    this.stats.lastFrameAt = nowMs;
    const changed: Slice[] = [];
    let next = this.published;
    if (this.pendingState && this.pendingState !== next.state) {
      next = { ...next, state: this.pendingState };
      changed.push('state');
    }
    if (this.hasReadingWork(next)) {
      const waitMs = this.readingUrgent ? 0 : this.lastReadingAtMs + READING_INTERVAL_MS - nowMs;
      if (waitMs <= 0) {
        next = this.publishReading(next, changed);
        this.lastReadingAtMs = nowMs;
        this.readingUrgent = false;
        this.stats.readingFrames++;
      } else if (!this.readingTimerSet) {
        // Nothing else may come to ask for a frame (a quiet market): make sure the figures catch up.
        this.readingTimerSet = true;
        this.scheduling.timer(() => {
          this.readingTimerSet = false;
          if (this.requestFrame()) this.stats.catchUpFrames++;
        }, waitMs);
      }
    }
    if (this.pendingConnection) {
      next = { ...next, connection: this.pendingConnection };
      this.pendingConnection = null;
      changed.push('connection');
    }
    if (this.pendingSession) {
      next = { ...next, session: this.pendingSession };
      this.pendingSession = null;
      changed.push('session');
    }
    this.published = next;
    for (const slice of changed) for (const listener of this.sliceListeners[slice]) listener();
    this.flushSeries();
    for (const listener of this.frameListeners) listener();
  }

  private hasReadingWork(next: Published): boolean {
    return (
      (this.pendingState !== null && this.pendingState !== next.pacedState) ||
      (this.pendingMetrics !== null && this.pendingMetrics !== next.metrics) ||
      this.resetFills !== null ||
      this.pendingFills.length > 0 ||
      this.resetEvents !== null ||
      this.pendingEvents.length > 0 ||
      this.resetTrades !== null ||
      this.pendingTrades.length > 0
    );
  }

  private publishReading(current: Published, changed: Slice[]): Published {
    let next = current;
    if (this.pendingState && this.pendingState !== next.pacedState) {
      next = { ...next, pacedState: this.pendingState };
      changed.push('pacedState');
    }
    if (this.pendingMetrics && this.pendingMetrics !== next.metrics) {
      next = { ...next, metrics: this.pendingMetrics };
      changed.push('metrics');
    }
    if (this.resetFills || this.pendingFills.length > 0) {
      const base = this.resetFills ?? next.fills;
      const fresh = this.pendingFills;
      const fills: FillView[] = new Array<FillView>(Math.min(MAX_FILLS, base.length + fresh.length));
      let k = 0;
      for (let i = fresh.length - 1; i >= 0 && k < fills.length; i--) fills[k++] = fresh[i] as FillView;
      for (let i = 0; i < base.length && k < fills.length; i++) fills[k++] = base[i] as FillView;
      next = { ...next, fills };
      this.resetFills = null;
      this.pendingFills = [];
      changed.push('fills');
    }
    if (this.resetEvents || this.pendingEvents.length > 0) {
      const base = this.resetEvents ?? next.events;
      const events = base.concat(this.pendingEvents);
      next = { ...next, events: events.length > MAX_EVENTS ? events.slice(-MAX_EVENTS) : events };
      this.resetEvents = null;
      this.pendingEvents = [];
      changed.push('events');
    }
    if (this.resetTrades || this.pendingTrades.length > 0) {
      const base = this.resetTrades ?? next.trades;
      const fresh = this.pendingTrades;
      const trades: TradeView[] = [];
      for (let i = fresh.length - 1; i >= 0 && trades.length < TAPE_SNAPSHOT_TRADES; i--) trades.push(fresh[i] as TradeView);
      for (let i = 0; i < base.length && trades.length < TAPE_SNAPSHOT_TRADES; i++) trades.push(base[i] as TradeView);
      next = { ...next, trades };
      this.resetTrades = null;
      this.pendingTrades = [];
      changed.push('trades');
    }
    return next;
  }

  private pushSeries(point: SeriesPoint): void {
    this.series.push(point);
    if (this.series.length > MAX_SERIES + MAX_SERIES / 4) {
      // Trim in chunks (not per point) so the copy is rare; the charts are reset to the trimmed history.
      const drop = this.series.length - MAX_SERIES;
      this.series.splice(0, drop);
      this.seriesReset = true;
      this.freshSeriesFrom = 0;
    }
  }

  /** Schedules one frame unless one is already scheduled; true when this call scheduled it. */
  private requestFrame(): boolean {
    if (this.frameScheduled) return false;
    this.frameScheduled = true;
    this.scheduling.frame(() => this.flush());
    return true;
  }

  /**
   * Hands the charts the points that arrived since they were last fed. Called from a microtask right
   * after a message, not from the frame: the charts schedule their own drawing frame when fed, so feeding
   * them before the frame starts lets them draw in the same frame as the ladder instead of one later.
   * Messages arrive at most once per publish interval, and a chart coalesces its redraws per frame.
   */
  private flushSeries(): void {
    this.seriesScheduled = false;
    if (this.seriesReset || this.freshSeriesFrom < this.series.length) {
      const reset = this.seriesReset;
      const fresh = reset ? this.series : this.series.slice(this.freshSeriesFrom);
      this.seriesReset = false;
      this.freshSeriesFrom = this.series.length;
      for (const listener of this.seriesListeners) listener(fresh, this.series, reset);
    }
  }

  private scheduleSeries(): void {
    if (this.seriesScheduled) return;
    this.seriesScheduled = true;
    queueMicrotask(() => this.flushSeries());
  }
}

const eventKeys = new WeakMap<DeskEventView, number>();
let nextEventKey = 0;

/** A stable React key for a desk event (events carry no id; each arrives as its own object). */
export function eventKey(event: DeskEventView): number {
  let key = eventKeys.get(event);
  if (key === undefined) {
    key = ++nextEventKey;
    eventKeys.set(event, key);
  }
  return key;
}
