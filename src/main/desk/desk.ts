/**
 * The desk: the one headless object every host runs. It composes a market feed (live venue, replay or
 * simulated market), the order book it maintains, the quoting strategy, the order manager with its
 * execution venue, the risk gate, the analytics and the SQLite store, all on one injected clock.
 *
 * Flow per market event (one whole message): the feed has applied it to the book → the paper venue, if
 * any, sees the book (fills due are handed over) → analytics marks the mid (markouts due are resolved and
 * stored) → the risk gate re-evaluates → the strategy decides → each side's quote is reconciled with the
 * working orders through the gate. Fills come back from the venue and are booked everywhere (order
 * manager, analytics, store, risk); a fill's mid is the one prevailing just before its execution, read
 * from the analytics' mid history, whatever message was being applied when its report arrived. Nothing here reads the wall clock: time is the feed's clock, so a replay is repeatable bit for
 * bit. Hosts plug in a transport through `subscribe` (a batched stream, at most one message per
 * `publishIntervalMs`) and the command methods; they add no logic.
 */
import {
  MARKOUT_HORIZONS_SEC,
  type MarkoutHorizon,
  type CommandResult,
  type DeskEventKind,
  type DeskEventView,
  type DeskMetrics,
  type DeskState,
  type FillView,
  type FlattenRequest,
  type NotQuotingReason,
  type ReplayCommand,
  type ReplayView,
  type SeriesPoint,
  type SessionSummaryView,
  type StreamMessage,
} from '../../shared/contract.js';
import { SeriesWindow } from '../../shared/series-window.js';
import { applyParamsPatch, diffParams, type DeskParams, type ExecutionParams } from '../../shared/params.js';
import { DecimalGrid, type LocalUs, type Lots, type Side, type Ticks } from '../../shared/units.js';
import type { AnalyticsFill } from '../analytics/types.js';
import type { DeskAnalytics } from '../analytics/analytics.js';
import { OrderManager, type ManagedOrder, type OrderManagerHooks, type OrderRefusal } from '../execution/order-manager.js';
import type { ExecutionVenue, Fill, OrderRequest } from '../execution/types.js';
import type { BookReader, Clock, FeedEvent, FeedListener, MarketFeed, MarketTrade } from '../market/types.js';
import { Flattener } from '../risk/flatten.js';
import { RiskGate, type BreakerName, type RiskHooks, type RiskInputs } from '../risk/risk-gate.js';
import type { StoredFill, Store } from '../storage/types.js';
import type { QuoteInputs, QuotingStrategy } from '../strategy/types.js';
import { emptyDecision, type QuoteDecision } from '../strategy/types.js';
import { statSync } from 'node:fs';
import { isLiveVenue, type LiveVenue } from '../execution/live/live-venue.js';
import { LiveSession, type LiveDeskContext } from './live-session.js';
import { captureState, restoreState, type StateSnapshot } from '../market/replay/state-snapshot.js';
import { MarketTape } from './market-tape.js';
import { fillView, round, sessionSummaryView } from './views.js';

/** A venue that also watches the market (the paper venue fills from the book and the trades). */
export interface MarketObserver {
  onBook(book: BookReader, localUs: LocalUs): void;
  onTrade(trade: MarketTrade): void;
  onTime(localUs: LocalUs): void;
}

/** A venue whose behaviour follows the execution parameters (latency, fees, fill model). */
export interface ConfigurableVenue {
  configure(params: ExecutionParams): void;
}

/** Transport of a replay (play, pause, step, seek, speed), when the feed is one. */
export interface ReplayControl {
  /** Applies a transport command (a seek may take a while: the promise settles when done); an error is thrown (RangeError). */
  command(command: ReplayCommand): Promise<void> | void;
  view(): ReplayView;
}

export interface DeskParts {
  readonly feed: MarketFeed;
  readonly venue: ExecutionVenue;
  readonly clock: Clock;
  readonly store: Store;
  readonly strategy: QuotingStrategy;
  readonly analytics: DeskAnalytics;
  readonly params: DeskParams;
  readonly mode: 'live' | 'replay' | 'backtest';
  readonly recording?: string | null;
  readonly replay?: ReplayControl | null;
  /** Continue the newest unfinished session for this venue and symbol (crash recovery). Default true. */
  readonly resumeUnfinished?: boolean;
  /** Cancel every open order the venue reports that the store does not know, before quoting. Default true. */
  readonly cancelOnConnect?: boolean;
  readonly logger?: (line: string) => void;
  /**
   * Journal every order intent and order event (default true). A backtest turns it off: its orders are a
   * deterministic function of the recording and the parameters, and its fills are what it stores.
   */
  readonly journalOrders?: boolean;
  /**
   * Client order ids start with this (default `q`). A live desk makes it unique per start, so an id is never
   * reused at the venue, where a query by client order id must find exactly one order.
   */
  readonly orderIdPrefix?: string;
  /** Live: where orders go (`testnet`, `mainnet`, or an override's host), stored with the session. */
  readonly endpoint?: string;
}

const MAX_RECENT_FILLS = 500;
const MAX_EVENTS = 500;
const PNL_SNAPSHOT_EVERY_US = 1_000_000;
/** Without a market message, requote at least this often (time windows of the breakers move on). */
const TIME_REQUOTE_US = 1_000_000;
/** Without a market message, ask the feed for its health (staleness) at least this often. */
const HEALTH_CHECK_US = 250_000;
/** After a kill, survivors at the venue get their cancels re-sent this often. */
const KILL_RETRY_US = 200_000;

type StreamListener = (message: StreamMessage) => void;

function isMarketObserver(value: unknown): value is MarketObserver {
  const v = value as Partial<MarketObserver>;
  return typeof v.onBook === 'function' && typeof v.onTrade === 'function' && typeof v.onTime === 'function';
}

function isDiscontinuityAware(value: unknown): value is { onDiscontinuity(localUs: LocalUs): void } {
  return typeof (value as { onDiscontinuity?: unknown }).onDiscontinuity === 'function';
}

/** What a replay keeps of the desk at a checkpoint (see `Desk.checkpointState`). */
interface DeskCheckpoint {
  readonly mark: number;
  readonly snapshot: StateSnapshot;
}

/**
 * Desk properties a replay's checkpoint leaves alone: lifecycle, the session, the stream and its log, the
 * store's fault, the checkpoint marks themselves (they must stay unique), scratch buffers.
 */
const DESK_STATE_SKIP: readonly string[] = [
  'started',
  'stopped',
  'sessionIdValue',
  'listeners',
  'publishSeq',
  'publishTimer',
  'events',
  'pendingEvents',
  'pendingFills',
  'storeSubscriptions',
  'uncommittedFills',
  'storageFault',
  'checkpointMarks',
  'snapshotDue',
  'recordingStartedUs',
  'bookPrices',
  'bookSizes',
  'log',
];

function isConfigurable(value: unknown): value is ConfigurableVenue {
  return typeof (value as Partial<ConfigurableVenue>).configure === 'function';
}

export class Desk implements FeedListener {
  readonly feed: MarketFeed;
  readonly venue: ExecutionVenue;
  readonly store: Store;
  readonly risk: RiskGate;
  readonly orders: OrderManager;
  private readonly clock: Clock;
  private readonly strategy: QuotingStrategy;
  private readonly analytics: DeskAnalytics;
  private readonly observer: MarketObserver | null;
  private readonly replayControl: ReplayControl | null;
  private readonly flattener: Flattener;
  private params: DeskParams;
  private readonly tick: DecimalGrid;
  private readonly lot: DecimalGrid;
  private readonly decision: QuoteDecision = emptyDecision();
  private readonly reasons: Record<Side, NotQuotingReason[]> = { buy: [], sell: [] };
  /** The gate's newest refusal on each side while the side has not quoted since. */
  private readonly refusals: Record<Side, OrderRefusal | null> = { buy: null, sell: null };
  /** The venue's newest reject of a quote on each side, until a quote there is working again. */
  private readonly venueRejects: Record<Side, string | null> = { buy: null, sell: null };
  private sessionIdValue = 0;
  /** Reused every cycle: the quoting path allocates nothing per event. */
  private readonly quoteInputs: QuoteInputs;
  private readonly riskInputs: { -readonly [K in keyof RiskInputs]: RiskInputs[K] } = {
    nowUs: 0,
    inventoryLots: 0,
    sessionPnl: 0,
    dailyPnl: 0,
    feedTrusted: false,
    connectionSilentMs: null,
    hasMarket: false,
    crossed: false,
    fairValueTicks: Number.NaN,
    adverseRate: Number.NaN,
    adverseCount: 0,
    ordersLastSec: 0,
  };
  private venueActivity = false;
  private lastRequoteUs = Number.NEGATIVE_INFINITY;
  private lastHealthUs = Number.NEGATIVE_INFINITY;
  private readonly journalOrders: boolean;
  private started = false;
  private stopped = false;
  private reconciled = false;
  private midTicks = Number.NaN;
  private lastPnlSnapshotUs = Number.NEGATIVE_INFINITY;
  private readonly recentFills: FillView[] = [];
  private pendingFills: FillView[] = [];
  /** The market's trades: the tape and the session's volume at each price. */
  private readonly tape = new MarketTape();
  private readonly events: DeskEventView[] = [];
  private pendingEvents: DeskEventView[] = [];
  /** What the charts draw: the newest point per half second over five minutes (a bounded snapshot). */
  private readonly series = new SeriesWindow<SeriesPoint>((point) => point.timeMs);
  private readonly listeners = new Set<StreamListener>();
  private publishSeq = 0;
  /** The next publish sends a snapshot (the desk went back in time: a replay rewound it). */
  private snapshotDue = false;
  private checkpointMarks = 0;
  private publishTimer: ReturnType<typeof setInterval> | null = null;
  /** The timer publishes on every `publishEvery`-th tick (1 while a stream client watches; see `setPublishPace`). */
  private publishEvery = 1;
  private publishTicks = 0;
  /** The figures changed since `metrics()` last computed them (its cache is stale). */
  private metricsDirty = true;
  /**
   * The figures changed since the stream last carried them. Apart from `metricsDirty`: an API read between a
   * change and the next publish refreshes the cache, and the stream must still be told.
   */
  private metricsUnsent = true;
  private lastMetrics: DeskMetrics | null = null;
  private dirty = true;
  private readonly log: (line: string) => void;
  private readonly bookPrices = new Float64Array(64);
  private readonly bookSizes = new Float64Array(64);
  private sessionStartUs = 0;
  private storageFault: string | null = null;
  /** Counts of what left for the venue, for tests and the kill-switch benchmark. */
  readonly stats = { ordersSent: 0, cancelsSent: 0, fills: 0, untrackedFills: 0, killConfirmedMs: Number.NaN };

  constructor(private readonly parts: DeskParts) {
    this.feed = parts.feed;
    this.venue = parts.venue;
    this.store = parts.store;
    this.clock = parts.clock;
    this.strategy = parts.strategy;
    this.analytics = parts.analytics;
    this.params = parts.params;
    this.observer = isMarketObserver(parts.venue) ? parts.venue : null;
    this.replayControl = parts.replay ?? null;
    this.journalOrders = parts.journalOrders ?? true;
    this.quoteInputs = { nowUs: 0, book: parts.feed.book, bestBid: Number.NaN, bestAsk: Number.NaN, inventoryLots: 0, adverseRate: Number.NaN, adverseBreakerWiden: false };
    this.log = parts.logger ?? (() => undefined);
    this.tick = new DecimalGrid(parts.feed.instrument.tickSize);
    this.lot = new DecimalGrid(parts.feed.instrument.lotSize);
    this.risk = new RiskGate(parts.params.risk, this.riskHooks(), (lots) => this.lot.format(lots));
    this.orders = new OrderManager(parts.venue, (request, exposure) => this.risk.allows(request, exposure), this.orderHooks(), parts.orderIdPrefix ?? 'q', parts.params.risk.maxOrdersPerSec);
    this.live = isLiveVenue(parts.venue) ? new LiveSession(this.liveContext(parts.venue, parts.endpoint ?? 'testnet'), null) : null;
    this.flattener = new Flattener(this.orders, {
      progress: (text) => this.pushEvent('operator', text),
      finished: (status, detail) => {
        this.auditNow('desk', 'flatten-finished', { status, detail });
        this.pushEvent('operator', `flatten ${status}: ${detail}`);
        this.requote(this.clock.nowUs());
      },
      price: (ticks) => this.tick.format(ticks),
      size: (lots) => this.lot.format(lots),
    });
    this.strategy.configure(parts.params);
    if (isConfigurable(parts.venue)) parts.venue.configure(parts.params.execution);
    // Fills reach the monitor only once they are durable: the stream publishes what the writer committed.
    this.storeSubscriptions.push(
      this.store.onCommitted((fills) => {
        for (const fill of fills) {
          // A fill of a stretch a replay rewound is not this timeline's (the rewind deletes its row).
          if (!this.uncommittedFills.delete(fill)) continue;
          if (fill.sessionId === this.sessionIdValue) this.rememberFillView(this.fillView(fill), true);
        }
      }),
      this.store.onFault((error) => this.storageFailed(error.message)),
      this.store.onFaultCleared(() => this.storageRecovered()),
    );
  }

  private readonly storeSubscriptions: Array<() => void> = [];
  /** Fills handed to the store and not yet committed (the stream publishes them once durable). */
  private readonly uncommittedFills = new Set<StoredFill>();

  private storageFailed(detail: string): void {
    if (this.storageFault !== detail) {
      this.storageFault = detail;
      this.log(`storage fault: ${detail}`);
      this.pushEvent('breaker', `storage fault: ${detail}`);
    }
    this.risk.storageFailed(detail, this.clock.nowUs());
  }

  private storageRecovered(): void {
    if (this.storageFault === null) return;
    this.storageFault = null;
    this.risk.storageRecovered(this.clock.nowUs());
    this.pushEvent('breaker', 'storage writes recovered (re-arm to quote again)');
  }

  get sessionId(): number {
    return this.sessionIdValue;
  }

  isReconciled(): boolean {
    return this.reconciled;
  }

  /* ================================================================ lifecycle */

  /** Opens (or resumes) the session, reconciles with the venue, then starts the feed. */
  async start(options: { publishIntervalMs?: number } = {}): Promise<void> {
    if (this.started) throw new Error('desk already started');
    this.started = true;
    this.risk.setReconciling(true);
    // A live venue is connected first: its rules must match the instrument before a session is opened.
    if (this.live) await this.live.connect();
    this.openOrResumeSession(this.clock.nowUs());
    await this.feed.start(this);
    if (this.live) await this.live.prepare();
    this.reconcile(this.clock.nowUs());
    if (options.publishIntervalMs !== undefined && options.publishIntervalMs > 0) {
      this.publishTimer = setInterval(() => this.publishTick(), options.publishIntervalMs);
    }
  }

  /**
   * How often the publish timer publishes: every tick while someone watches this desk's stream, every
   * `every`-th tick while nobody does (an overview reads only the newest summary, a few times a second).
   * A later publish carries everything since the last one (fills, events, trades), so nothing is lost, and a
   * change of pace publishes at once. The series gets one point per publish.
   */
  setPublishPace(every: number): void {
    const next = Math.max(1, Math.floor(every));
    if (next === this.publishEvery) return;
    this.publishEvery = next;
    this.publishTicks = 0;
    this.publish();
  }

  /** One tick of the publish timer: publishes on every `publishEvery`-th (or at once when a snapshot is due). */
  publishTick(): void {
    if (++this.publishTicks < this.publishEvery && !this.snapshotDue) return;
    this.publishTicks = 0;
    this.publish();
  }

  /** Pulls every order, ends the session and stops the feed. */
  async stop(reason = 'stopped'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.publishTimer) clearInterval(this.publishTimer);
    this.publishTimer = null;
    const nowUs = this.clock.nowUs();
    this.orders.cancelAll(nowUs);
    if (this.live) {
      try {
        await this.live.stop();
      } catch (error) {
        this.log(`the live venue did not stop cleanly: ${(error as Error).message}`);
      }
    }
    this.auditNow('desk', 'session-end', { reason });
    const pnl = this.analytics.pnl(this.markTicks());
    try {
      this.store.endSession(this.sessionIdValue, nowUs, { realizedPnl: pnl.realized, totalPnl: pnl.total, ordersSent: this.stats.ordersSent });
      this.store.flushSync();
    } catch (error) {
      this.log(`could not end the session cleanly: ${(error as Error).message}`);
    }
    await this.feed.stop();
    this.publish();
    for (const unsubscribe of this.storeSubscriptions.splice(0)) unsubscribe();
  }

  private openOrResumeSession(nowUs: LocalUs): void {
    const { feed, params } = this.parts;
    const recovered = this.parts.resumeUnfinished === false || this.parts.mode !== 'live' ? null : this.store.unfinishedSession(feed.instrument.venue, feed.instrument.symbol);
    if (recovered) {
      this.sessionIdValue = recovered.session.id;
      this.sessionStartUs = recovered.session.startedUs;
      const fills = recovered.fills;
      const markouts = this.store
        .markouts(recovered.session.id)
        .filter((m): m is typeof m & { horizonSec: MarkoutHorizon } => (MARKOUT_HORIZONS_SEC as readonly number[]).includes(m.horizonSec))
        .map((m) => ({ fillId: m.fillId, horizonSec: m.horizonSec, markoutBps: m.markoutBps, midAfter: Number.NaN }));
      this.analytics.restore(fills, markouts);
      let inventory = 0;
      let maxSeq = 0;
      for (const fill of fills) {
        inventory += fill.side === 'buy' ? fill.size : -fill.size;
        this.orders.rememberFill(fill.fillId);
        this.stats.fills++;
        this.rememberFillView(this.fillView(fill), false);
        this.newestExchUs = Math.max(this.newestExchUs, fill.exchUs);
        this.live?.noteFill(fill);
      }
      if (this.live) this.live.resumeBaseline(recovered.session.baselineLots);
      for (const order of recovered.openOrders) maxSeq = Math.max(maxSeq, sequenceOf(order.clientOrderId));
      for (const fill of fills) maxSeq = Math.max(maxSeq, sequenceOf(fill.clientOrderId));
      this.orders.setInventory(inventory);
      this.orders.continueIdsAfter(maxSeq);
      this.pendingRecovered = recovered.openOrders.map((order) => ({ clientOrderId: order.clientOrderId, side: order.side, price: order.price, size: order.size, filled: order.filled, createdUs: order.createdUs }));
      this.auditNow('desk', 'session-resumed', { sessionId: this.sessionIdValue, fills: fills.length, inventoryLots: inventory, openOrders: recovered.openOrders.length });
      this.pushEvent('info', `resumed session ${this.sessionIdValue}: ${fills.length} fills, inventory ${this.lot.format(inventory)}`);
    } else {
      this.sessionStartUs = nowUs;
      this.sessionIdValue = this.store.openSession({
        venue: feed.instrument.venue,
        symbol: feed.instrument.symbol,
        mode: this.parts.mode,
        tickSize: feed.instrument.tickSize,
        lotSize: feed.instrument.lotSize,
        params,
        recording: this.parts.recording ?? null,
        startedUs: nowUs,
        execution: this.live ? 'live' : 'paper',
        endpoint: this.live ? (this.parts.endpoint ?? 'testnet') : null,
      });
      this.auditNow('desk', 'session-start', { venue: feed.instrument.venue, symbol: feed.instrument.symbol, mode: this.parts.mode });
    }
    this.store.flushSync();
  }

  private readonly live: LiveSession | null;
  /** The execution time of the newest booked fill (where a reconciliation's trades start). */
  private newestExchUs = Number.NEGATIVE_INFINITY;

  private liveContext(venue: LiveVenue, endpoint: string): LiveDeskContext {
    return {
      venue,
      risk: this.risk,
      store: this.store,
      lot: this.lot,
      tick: this.tick,
      endpoint,
      nowUs: () => this.clock.nowUs(),
      sessionId: () => this.sessionIdValue,
      inventoryLots: () => this.orders.inventoryLots(),
      newestFillExchUs: () => (Number.isFinite(this.newestExchUs) ? this.newestExchUs : this.sessionStartUs),
      audit: (who, action, detail) => this.auditNow(who, action, detail),
      event: (kind, text) => this.pushEvent(kind, text),
      reconcile: () => this.reconcile(this.clock.nowUs()),
      pullQuotes: () => {
        this.stats.cancelsSent += this.orders.cancelAll(this.clock.nowUs(), (order) => order.purpose === 'quote');
      },
      requote: () => this.requote(this.clock.nowUs()),
    };
  }

  private pendingRecovered: Array<{ clientOrderId: string; side: Side; price: Ticks; size: Lots; filled: Lots; createdUs: LocalUs }> = [];

  /**
   * Reconciliation before the first quote: orders the journal says are open but the venue does not hold
   * are closed as expired; orders the venue holds that the journal does not know are cancelled
   * (cancel-on-connect); fills the venue knows and the store does not are booked and reported untracked.
   */
  private reconcile(nowUs: LocalUs): void {
    // Fills first: the venue's fills the store never saw move the inventory; the orders they belong to are
    // adopted afterwards with the venue's own filled size, so no fill is counted twice on an order.
    for (const fill of this.venue.fillsSince(this.sessionStartUs)) {
      // `onFill` ignores fill ids already booked; anything new here is a fill the store never saw.
      const before = this.stats.fills;
      this.orders.onFill(fill);
      if (this.stats.fills > before) {
        this.stats.untrackedFills++;
        this.store.recordOrderEvent(this.sessionIdValue, fill.clientOrderId, 'untracked', nowUs, { fillId: fill.fillId });
        this.auditNow('desk', 'untracked-fill', { fillId: fill.fillId, clientOrderId: fill.clientOrderId });
      }
    }
    const venueOrders = new Map(this.venue.openOrders().map((order) => [order.clientOrderId, order]));
    for (const stored of this.pendingRecovered) {
      const live = venueOrders.get(stored.clientOrderId);
      if (live) {
        this.orders.adopt({ clientOrderId: stored.clientOrderId, side: stored.side, price: stored.price, size: stored.size, filled: live.filled, status: 'working', purpose: 'quote', placedUs: stored.createdUs, queueAhead: null });
        if (this.live) this.live.adopt(live);
        venueOrders.delete(stored.clientOrderId);
      } else {
        this.store.recordOrderEvent(this.sessionIdValue, stored.clientOrderId, 'expired', nowUs, { reason: 'not open at the venue after restart' });
      }
    }
    this.pendingRecovered = [];
    // Orders the desk tracks are known (a reconciliation after a reconnect finds them at the venue).
    for (const order of this.orders.liveOrders()) venueOrders.delete(order.clientOrderId);
    if (this.parts.cancelOnConnect !== false) {
      for (const unknown of venueOrders.values()) {
        this.venue.cancel(unknown.clientOrderId, nowUs);
        this.auditNow('desk', 'cancel-on-connect', { clientOrderId: unknown.clientOrderId });
      }
    }
    // A live desk's holding at the venue must agree with its fills (see live-session.ts).
    this.live?.checkHoldings();
    this.reconciled = true;
    this.risk.setReconciling(false);
    this.auditNow('desk', 'reconciled', { openOrders: this.orders.liveCount(), untrackedFills: this.stats.untrackedFills });
    // Reconciliation is durable before the first quote can leave.
    this.store.flushSync();
    this.requote(nowUs);
  }

  /* ================================================================ FeedListener */

  onBook(localUs: LocalUs): void {
    const book = this.feed.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (!Number.isNaN(bid) && !Number.isNaN(ask)) {
      this.midTicks = (bid + ask) / 2;
      this.strategy.observeMid(localUs, this.midTicks);
    }
    this.observer?.onBook(book, localUs);
    this.mark(localUs);
    // A message just arrived, so the connection is not silent: no need to ask the feed for its health here.
    this.requote(localUs, 0);
    if (this.killWatch) this.checkKill(localUs);
  }

  onTrade(trade: MarketTrade): void {
    this.strategy.observeTrade(trade, this.midTicks);
    this.observer?.onTrade(trade);
    this.tape.record(trade);
  }

  onFeedEvent(event: FeedEvent): void {
    switch (event.type) {
      case 'untrusted':
        this.pushEvent('feed', `book untrusted (${event.cause}): ${event.detail} — quotes pulled`);
        this.auditNow('feed', 'untrusted', { cause: event.cause, detail: event.detail });
        break;
      case 'trusted':
        this.pushEvent('feed', 'book trusted');
        break;
      case 'connected':
        this.pushEvent('feed', 'connected');
        break;
      case 'disconnected':
        this.pushEvent('feed', `disconnected: ${event.reason}`);
        break;
      case 'error':
        this.pushEvent('feed', `feed error: ${event.detail}`);
        break;
    }
    if (this.started && !this.stopped) this.requote(event.localUs);
  }

  /**
   * Time passed without a book change. Requoting here is needed only when something time-dependent can
   * have changed: the venue answered (acks, fills after latency), the feed may have gone stale, a flatten
   * or a quote-age limit or a schedule is running, or a second has passed (windows of the breakers).
   */
  onTime(localUs: LocalUs): void {
    this.observer?.onTime(localUs);
    if (this.killWatch) this.checkKill(localUs);
    this.mark(localUs);
    this.flattener.onTime(localUs, this.feed.book);
    const due =
      this.venueActivity ||
      this.flattener.active() ||
      this.params.risk.maxQuoteAgeSec > 0 ||
      this.params.strategy.schedule.length > 0 ||
      localUs - this.lastRequoteUs >= TIME_REQUOTE_US;
    if (due) {
      this.requote(localUs);
    } else if (localUs - this.lastHealthUs >= HEALTH_CHECK_US) {
      // Only a change of staleness needs a requote here; the feed's health is read at most this often.
      this.lastHealthUs = localUs;
      const silentMs = this.feed.health(localUs).silentMs;
      const stale = silentMs === null || silentMs > this.params.risk.staleFeedMs;
      if (stale !== this.risk.isTripped('stale-feed')) this.requote(localUs, silentMs);
    }
  }

  /**
   * A replay jumped. An exact seek played every event and tick on the way with callbacks, after restoring
   * this desk from its checkpoint when it went back (`restoreState`), so nothing needs mending: the jump is
   * logged, and the monitors get a fresh snapshot (the fills, the series, the figures went back). A seek
   * that skipped a stretch (a replay without the desk's checkpoints) is a discontinuity: orders resting at
   * the paper venue and markouts waiting for a mid mean nothing across it.
   */
  onSeek(info: { fromUs: LocalUs; toUs: LocalUs; eventIndex: number; exact: boolean }): void {
    if (!info.exact) {
      if (isDiscontinuityAware(this.venue)) this.venue.onDiscontinuity(info.toUs);
      this.analytics.onDiscontinuity(info.toUs);
      this.midTicks = Number.NaN;
    }
    this.pushEvent('info', `replay jumped ${info.toUs >= info.fromUs ? 'forward' : 'back'} to event ${info.eventIndex}`, info.toUs);
    this.metricsChanged();
    this.snapshotDue = true;
  }

  /**
   * The replay's checkpoint of this desk: everything its figures and decisions depend on (orders, risk,
   * strategy memory, analytics, the paper venue, the flatten, the chart series, the recent fills), and a
   * mark in the store's write queue. The market (the feed and its book: the replay checkpoints those), the
   * store, the stream's listeners and the event log are left alone.
   */
  checkpointState(): unknown {
    const mark = ++this.checkpointMarks;
    this.store.markPoint(this.sessionIdValue, mark);
    const snapshot = captureState(this, { keep: [this.feed, this.feed.book, this.store, this.clock, this.parts, this.tick, this.lot], skipKeys: DESK_STATE_SKIP });
    return { mark, snapshot } satisfies DeskCheckpoint;
  }

  /**
   * The replay went back to a checkpoint taken at `atUs`: the desk becomes what it was then, and the
   * store forgets what was written after it (fills, markouts, orders, order events, PnL snapshots; the
   * audit trail keeps everything, the seek included). The store's queue keeps its order, so what was
   * written before is committed before the rewind deletes it; no fill of the abandoned stretch reaches
   * the stream once committed (`uncommittedFills` forgets them).
   */
  restoreState(state: unknown, atUs: LocalUs): void {
    const checkpoint = state as DeskCheckpoint;
    this.uncommittedFills.clear();
    restoreState(this, checkpoint.snapshot);
    this.store.rewindTo(this.sessionIdValue, checkpoint.mark, atUs);
    this.pendingFills = [];
    this.lastMetrics = null;
    this.metricsChanged();
    this.dirty = true;
    this.snapshotDue = true;
  }

  /** The last event of a replay was applied: quotes come down, the session's figures are final. */
  onEnd(localUs: LocalUs): void {
    this.stats.cancelsSent += this.orders.cancelAll(localUs);
    this.pushEvent('info', 'replay finished', localUs);
    this.metricsChanged();
  }

  private recordingStartedUs = Number.NaN;

  /** The record toggle of a live session started or stopped writing `file` (audited and indexed). */
  noteRecording(file: string, on: boolean): void {
    const nowUs = this.clock.nowUs();
    if (on) {
      this.recordingStartedUs = nowUs;
      this.auditNow('operator', 'record-start', { file });
      this.pushEvent('operator', `recording the feed to ${file}`);
    } else {
      const frames = this.feedRecording()?.frames ?? 0;
      let bytes = 0;
      try {
        bytes = statSync(file).size;
      } catch {
        // the file may still be renaming into place: the index keeps what is known
      }
      const instrument = this.feed.instrument;
      this.store.indexRecording({ path: file, venue: instrument.venue, symbol: instrument.symbol, startUs: Number.isNaN(this.recordingStartedUs) ? null : this.recordingStartedUs, endUs: nowUs, frames, bytes }, nowUs);
      this.auditNow('operator', 'record-stop', { file, frames, bytes });
      this.pushEvent('operator', `recording stopped: ${file}`);
    }
    this.dirty = true;
  }

  private feedRecording(): { file: string; frames: number } | null {
    const feed = this.feed as MarketFeed & { recording?: () => { file: string; frames: number } | null };
    return typeof feed.recording === 'function' ? feed.recording() : null;
  }

  /* ================================================================ commands */

  /**
   * The kill switch. From this event-loop turn on the gate refuses every new order (the state is
   * `halted` before anything else runs); every open order is cancelled at once; then the venue is asked,
   * on every following event, to confirm that none remains — survivors are reported and their cancels
   * re-sent until the venue holds nothing of ours.
   */
  kill(who: string, why = 'kill switch'): CommandResult {
    const nowUs = this.clock.nowUs();
    const open = this.orders.liveCount();
    // The transition's hook cancels every live order (risk hooks below), in this same turn.
    this.risk.kill(who, nowUs, why);
    this.flattener.cancel('kill switch', nowUs);
    this.stats.cancelsSent += this.orders.cancelAll(nowUs);
    // A live venue also cancels everything of ours on the symbol at once, then is asked what remains.
    const mark = this.live ? this.live.openOrdersMark() : 0;
    this.live?.killAtVenue();
    this.killWatch = { sinceUs: nowUs, lastRetryUs: nowUs, retries: 0, venueMark: mark };
    this.auditNow(who, 'kill', { openOrders: open, why });
    this.pushEvent('operator', `KILL by ${who}: ${open} open order(s) cancelled`);
    this.flushQuietly();
    this.dirty = true;
    this.checkKill(nowUs);
    return { ok: true };
  }

  /** A kill being confirmed: since when, the last retry, and (live) the venue's open-orders request mark at the kill. */
  private killWatch: { sinceUs: LocalUs; lastRetryUs: LocalUs; retries: number; venueMark: number } | null = null;

  /** Asks the venue whether anything of ours survived the kill; retries survivors' cancels. */
  private checkKill(nowUs: LocalUs): void {
    const watch = this.killWatch;
    if (!watch) return;
    const survivors = this.venue.openOrders();
    // A live kill is confirmed only by the venue's own answer, given after the kill.
    const venueAnswered = this.live === null || this.live.answeredAfter(watch.venueMark);
    if (survivors.length === 0 && this.orders.liveCount() === 0 && venueAnswered) {
      this.killWatch = null;
      const latencyMs = (nowUs - watch.sinceUs) / 1000;
      this.stats.killConfirmedMs = latencyMs;
      this.audit('risk', 'kill-confirmed', { latencyMs, retries: watch.retries, ...(this.live ? { venueAnswer: 'no open order of ours on the symbol', endpoint: this.parts.endpoint ?? 'testnet' } : {}) }, nowUs);
      this.pushEvent('operator', `kill confirmed by the venue: no open order left (${latencyMs.toFixed(1)} ms)`, nowUs);
      return;
    }
    if (this.live && nowUs - watch.lastRetryUs >= KILL_RETRY_US) {
      // Ask again: the confirmation (or the survivors) come from the venue's answer.
      this.live.askForOpenOrders();
      if (survivors.length === 0) watch.lastRetryUs = nowUs;
    }
    if (survivors.length > 0 && nowUs - watch.lastRetryUs >= KILL_RETRY_US) {
      watch.lastRetryUs = nowUs;
      watch.retries++;
      for (const order of survivors) this.venue.cancel(order.clientOrderId, nowUs);
      this.stats.cancelsSent += this.orders.retryCancels(nowUs) + survivors.length;
      const ids = survivors.map((order) => order.clientOrderId);
      this.audit('risk', 'kill-survivors', { count: ids.length, ids, retry: watch.retries }, nowUs);
      this.pushEvent('breaker', `kill: ${ids.length} order(s) still open at the venue; cancels re-sent (retry ${watch.retries})`, nowUs);
    }
  }

  rearm(who: string): CommandResult {
    const error = this.risk.rearm(who, this.clock.nowUs());
    if (error) return { ok: false, error };
    this.auditNow(who, 'rearm', {});
    this.pushEvent('operator', `re-armed by ${who}`);
    this.requote(this.clock.nowUs());
    return { ok: true };
  }

  pause(who: string): CommandResult {
    const error = this.risk.pause(who, this.clock.nowUs());
    if (error) return { ok: false, error };
    this.auditNow(who, 'pause', {});
    this.requote(this.clock.nowUs());
    return { ok: true };
  }

  resume(who: string): CommandResult {
    const error = this.risk.resume(who, this.clock.nowUs());
    if (error) return { ok: false, error };
    this.auditNow(who, 'resume', {});
    this.requote(this.clock.nowUs());
    return { ok: true };
  }

  reduceOnly(who: string): CommandResult {
    const error = this.risk.reduce(who, this.clock.nowUs());
    if (error) return { ok: false, error };
    this.auditNow(who, 'reduce-only', {});
    this.requote(this.clock.nowUs());
    return { ok: true };
  }

  flatten(request: FlattenRequest, who: string): CommandResult {
    const nowUs = this.clock.nowUs();
    const inventory = this.orders.inventoryLots();
    if (inventory === 0) return { ok: false, error: 'inventory is already flat' };
    const bid = this.feed.book.bestBid();
    const ask = this.feed.book.bestAsk();
    if (Number.isNaN(bid) || Number.isNaN(ask)) return { ok: false, error: 'cannot flatten: no two-sided market' };
    // Quoting stops first (paused, and it stays paused after the flatten: going flat and then building
    // the position straight back up is never what the operator meant), so only flatten orders work it.
    const state = this.risk.state();
    if (state === 'active' || state === 'reducing') this.risk.pause(who, nowUs, `flatten (${request.style})`);
    this.orders.cancelAll(nowUs, (order) => order.purpose === 'quote');
    const error = this.flattener.begin(request, inventory, nowUs, this.feed.book);
    if (error) return { ok: false, error };
    this.auditNow(who, 'flatten', { ...request, inventoryLots: inventory });
    this.pushEvent('operator', `flatten (${request.style}) by ${who}: ${this.lot.format(inventory)}`);
    this.flattener.onTime(nowUs, this.feed.book);
    this.dirty = true;
    return { ok: true };
  }

  cancelFlatten(who: string): CommandResult {
    if (!this.flattener.active()) return { ok: false, error: 'no flatten is running' };
    this.flattener.cancel(`cancelled by ${who}`, this.clock.nowUs());
    this.auditNow(who, 'flatten-cancel', {});
    this.requote(this.clock.nowUs());
    return { ok: true };
  }

  /** Live: the operator accepts the venue's holding where it differs from the stored fills (live-session.ts). */
  acceptPosition(who: string): CommandResult {
    if (!this.live) return { ok: false, error: 'this desk trades on paper: there is no venue position to accept' };
    const result = this.live.acceptPosition(who);
    if (result.ok) this.dirty = true;
    return result;
  }

  /**
   * Cancels one working order (the ladder's click): audited with what it was, logged with its price. A
   * quote's side is quoted again on the strategy's next cycle (a new order, at the back of the queue)
   * unless something else stops it; a flatten order is re-sent by the flatten as its style says.
   */
  cancelOrder(clientOrderId: string, who: string): CommandResult {
    const order = this.orders.liveOrders().find((candidate) => candidate.clientOrderId === clientOrderId);
    if (!order) return { ok: false, error: `no working order ${clientOrderId}: it was filled or cancelled already`, field: 'clientOrderId' };
    if (order.status === 'pending-cancel') return { ok: false, error: `order ${clientOrderId} is already being cancelled`, field: 'clientOrderId' };
    const nowUs = this.clock.nowUs();
    this.stats.cancelsSent += this.orders.cancelAll(nowUs, (candidate) => candidate === order);
    const left = order.size - order.filled;
    this.auditNow(who, 'cancel-order', { clientOrderId, side: order.side, price: this.price(order.price), size: this.size(left), purpose: order.purpose });
    this.pushEvent('operator', `cancel ${order.side} ${this.lot.format(left)} @ ${this.tick.format(order.price)} (${clientOrderId}) by ${who}`);
    this.dirty = true;
    return { ok: true };
  }

  setParams(patch: unknown, who: string): CommandResult {
    const result = applyParamsPatch(this.params, patch);
    if (!result.ok) return { ok: false, error: result.issue.message, field: result.issue.field };
    const diff = diffParams(this.params, result.params);
    if (diff.length === 0) return { ok: true };
    // Applied between two events: JavaScript runs this handler to completion, so no event sees half of it.
    this.params = result.params;
    this.strategy.configure(result.params);
    this.risk.configure(result.params.risk);
    this.orders.setRateLimit(result.params.risk.maxOrdersPerSec);
    this.analytics.setAdverseHorizon(result.params.strategy.adverseSelection.horizonSec);
    if (isConfigurable(this.venue)) this.venue.configure(result.params.execution);
    this.auditNow(who, 'params', { changes: diff });
    this.pushEvent('params', `parameters changed by ${who}: ${diff.map((d) => d.field).join(', ')}`);
    this.metricsChanged();
    this.requote(this.clock.nowUs());
    return { ok: true };
  }

  async replayCommand(command: ReplayCommand, who: string): Promise<CommandResult> {
    if (!this.replayControl) return { ok: false, error: 'this desk is not replaying a recording', field: 'action' };
    let error: string | null = null;
    try {
      await this.replayControl.command(command);
    } catch (thrown) {
      error = (thrown as Error).message;
    }
    if (error) return { ok: false, error, field: command.action === 'seek' ? 'timeMs' : command.action === 'speed' ? 'speed' : 'action' };
    if (command.action !== 'step') this.auditNow(who, 'replay', { ...command });
    this.dirty = true;
    return { ok: true };
  }

  /* ================================================================ queries */

  state(): DeskState {
    const nowUs = this.clock.nowUs();
    const book = this.feed.book;
    const instrument = this.feed.instrument;
    const mark = this.markTicks();
    const pnl = this.analytics.pnl(mark);
    const position = this.analytics.position();
    const bidOrder = this.orders.quoteOrder('buy');
    const askOrder = this.orders.quoteOrder('sell');
    const decision = this.decision;
    return {
      sessionId: this.sessionIdValue,
      execution: this.live ? 'live' : 'paper',
      venueLink: this.live ? this.live.view() : null,
      venue: instrument.venue,
      symbol: instrument.symbol,
      mode: this.feed.mode,
      market: this.feed.mode === 'replay' ? 'replay' : instrument.venue === 'sim' ? 'sim' : 'live',
      instrument: { ...instrument },
      clockMs: Math.floor(nowUs / 1000),
      book: { bids: this.bookSide(book, 'bid', 25), asks: this.bookSide(book, 'ask', 25) },
      quotes: {
        bid: bidOrder ? { price: this.price(bidOrder.price), size: this.size(bidOrder.size - bidOrder.filled) } : null,
        ask: askOrder ? { price: this.price(askOrder.price), size: this.size(askOrder.size - askOrder.filled) } : null,
      },
      mid: Number.isNaN(this.midTicks) ? null : this.tick.toNumber(this.midTicks),
      fairValue: Number.isNaN(decision.fairValue) ? null : this.tick.toNumber(decision.fairValue),
      reservationPrice: Number.isNaN(decision.reservation) ? null : this.tick.toNumber(decision.reservation),
      inventory: this.size(position.inventoryLots),
      cash: round(position.cash, 6),
      pnl: { total: round(pnl.total, 6), realized: round(pnl.realized, 6), unrealized: round(pnl.unrealized, 6), fees: round(pnl.fees, 6) },
      tradingState: this.risk.state(),
      reasons: { bid: [...this.reasons.buy], ask: [...this.reasons.sell] },
      refusals: { bid: this.refusalText('buy'), ask: this.refusalText('sell') },
      openOrders: this.orders.views((t) => this.price(t), (l) => this.size(l)),
      feed: this.feed.health(nowUs),
      params: this.params,
      limits: this.risk.limitUsage(),
      flatten: this.flattener.view((l) => this.size(l), nowUs),
      tradesPerSec: round(this.tape.tradesPerSec(nowUs), 2),
      replay: this.replayControl ? this.replayControl.view() : null,
      recording: this.feedRecording(),
      reconciled: this.reconciled,
    };
  }

  private metricsChanged(): void {
    this.metricsDirty = true;
    this.metricsUnsent = true;
  }

  metrics(): DeskMetrics {
    if (this.metricsDirty || !this.lastMetrics) {
      this.lastMetrics = this.analytics.metrics(this.clock.nowUs());
      this.metricsDirty = false;
    }
    return this.lastMetrics;
  }

  /** Committed fills, newest first (what the store holds is what is reported). */
  fills(limit: number): FillView[] {
    this.flushQuietly();
    return this.store.fills({ sessionId: this.sessionIdValue, limit }).map((fill) => this.fillView(fill));
  }

  /** Fills of any session in this database (a past one too), newest first. */
  sessionFills(sessionId: number, limit: number): FillView[] {
    this.flushQuietly();
    return this.store.fills({ sessionId, limit }).map((fill) => this.fillView(fill));
  }

  /** Past and current sessions, newest first, with their summary figures. */
  sessions(limit: number): SessionSummaryView[] {
    this.flushQuietly();
    return this.store.sessions(limit).map(sessionSummaryView);
  }

  /** The stream: a snapshot at once, then batched updates (at most one per publish interval). */
  subscribe(listener: StreamListener): () => void {
    // What is pending goes to the listeners there already; the newcomer's snapshot holds it, so no update
    // may repeat it to the newcomer (a fill or an event shown twice).
    this.publish();
    this.listeners.add(listener);
    this.flushQuietly();
    listener(this.snapshotMessage());
    return () => this.listeners.delete(listener);
  }

  private snapshotMessage(): StreamMessage {
    const { trades, volume } = this.tape.snapshot(this.tick, this.lot);
    return {
      type: 'snapshot',
      state: this.state(),
      metrics: this.metrics(),
      fills: [...this.recentFills],
      series: this.series.toArray(),
      events: [...this.events],
      trades,
      volume,
    };
  }

  /** Publishes the desk's state now, whatever the publish pace (an operator's command just changed it). */
  publishNow(): void {
    this.dirty = true;
    this.publish();
  }

  /** Sends one batched update to every subscriber if anything changed (called by the publish timer). */
  publish(): void {
    if (!this.dirty && !this.metricsUnsent && this.pendingFills.length === 0 && this.pendingEvents.length === 0 && !this.snapshotDue && !this.tape.dirty) return;
    // Everything a subscriber is told about is durable first.
    this.flushQuietly();
    this.dirty = false;
    const point = this.seriesPoint();
    this.series.push(point);
    if (this.listeners.size === 0 || this.snapshotDue) {
      this.pendingFills = [];
      this.pendingEvents = [];
      this.tape.clearPending();
      // A subscriber arriving later gets a snapshot, which holds the figures of that moment.
      this.metricsUnsent = false;
      if (this.snapshotDue) {
        this.snapshotDue = false;
        const snapshot = this.snapshotMessage();
        for (const listener of this.listeners) listener(snapshot);
      }
      return;
    }
    const { trades, volume } = this.tape.drain(this.tick, this.lot);
    const message: StreamMessage = {
      type: 'update',
      seq: ++this.publishSeq,
      state: this.state(),
      metrics: this.metricsUnsent ? this.metrics() : null,
      fills: this.pendingFills,
      series: [point],
      events: this.pendingEvents,
      trades,
      volume,
    };
    this.pendingFills = [];
    this.pendingEvents = [];
    this.metricsUnsent = false;
    for (const listener of this.listeners) listener(message);
  }

  /* ================================================================ the quoting cycle */

  private markTicks(): number {
    return this.midTicks;
  }

  private mark(localUs: LocalUs): void {
    if (Number.isNaN(this.midTicks)) return;
    const resolved = this.analytics.onMark(localUs, this.midTicks);
    for (const markout of resolved) {
      this.store.recordMarkout(this.sessionIdValue, markout.fillId, markout.horizonSec, markout.markoutBps);
      this.metricsChanged();
    }
    if (localUs - this.lastPnlSnapshotUs >= PNL_SNAPSHOT_EVERY_US) {
      this.lastPnlSnapshotUs = localUs;
      const pnl = this.analytics.pnl(this.midTicks);
      const position = this.analytics.position();
      this.store.recordPnl({
        sessionId: this.sessionIdValue,
        localUs,
        inventoryLots: position.inventoryLots,
        cash: position.cash,
        realized: pnl.realized,
        unrealized: pnl.unrealized,
        fees: pnl.fees,
        mid: this.tick.toNumber(this.midTicks),
      });
      this.metricsChanged();
    }
  }

  /**
   * Re-evaluates risk, asks the strategy, and reconciles both quotes with the working orders.
   * `connectionSilentMs` is how long the feed's connection has been silent when the caller knows it (0
   * right after a message); otherwise it is read from the feed.
   */
  requote(nowUs: LocalUs, connectionSilentMs?: number | null): void {
    if (!this.started || this.stopped) return;
    this.dirty = true;
    this.venueActivity = false;
    this.lastRequoteUs = nowUs;
    const book = this.feed.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    const hasMarket = !Number.isNaN(bid) && !Number.isNaN(ask);
    const crossed = hasMarket && bid >= ask;
    const inventory = this.orders.inventoryLots();
    const pnl = this.analytics.pnl(this.midTicks);
    const adverse = this.analytics.adverseRate(this.params.strategy.adverseSelection.horizonSec, this.params.strategy.adverseSelection.windowFills);
    const silentMs = connectionSilentMs === undefined ? this.feed.health(nowUs).silentMs : connectionSilentMs;
    const risk = this.riskInputs;
    risk.nowUs = nowUs;
    risk.inventoryLots = inventory;
    risk.sessionPnl = Number.isNaN(pnl.total) ? 0 : pnl.total;
    risk.dailyPnl = this.dailyPnl(nowUs, pnl.total);
    risk.feedTrusted = this.feed.trusted();
    risk.connectionSilentMs = silentMs;
    risk.hasMarket = hasMarket;
    risk.crossed = crossed;
    risk.fairValueTicks = this.decision.fairValue;
    risk.adverseRate = adverse.rate;
    risk.adverseCount = adverse.count;
    risk.ordersLastSec = this.orders.ordersLastSecond(nowUs);
    this.risk.evaluate(risk);

    const decision = this.decision;
    if (hasMarket && !crossed) {
      const inputs = this.quoteInputs;
      inputs.nowUs = nowUs;
      inputs.bestBid = bid;
      inputs.bestAsk = ask;
      inputs.inventoryLots = inventory;
      inputs.adverseRate = adverse.rate;
      inputs.adverseBreakerWiden = this.risk.widenForAdverse();
      this.strategy.quote(inputs, decision);
    } else {
      decision.bidSize = 0;
      decision.askSize = 0;
      decision.bidReason = null;
      decision.askReason = null;
    }
    this.quoteSide('buy', decision.bidPrice, decision.bidSize, decision.bidReason, inventory, nowUs);
    this.quoteSide('sell', decision.askPrice, decision.askSize, decision.askReason, inventory, nowUs);
  }

  private quoteSide(side: Side, price: Ticks, size: Lots, strategyReason: NotQuotingReason | null, inventory: Lots, nowUs: LocalUs): void {
    const reasons = this.reasons[side];
    this.risk.sideReasons(side, inventory, reasons);
    if (this.flattener.active()) reasons.push('flattening');
    if (strategyReason && !reasons.includes(strategyReason)) reasons.push(strategyReason);
    // Reduce-only works the position down: the reducing side offers at most |inventory| (the order
    // manager also takes off what already works there), so the gate never refuses it as too large.
    const reduceOnly = this.risk.state() === 'reducing';
    const wanted = reduceOnly ? Math.min(size, Math.abs(inventory)) : size;
    if (reasons.length === 0 && (wanted <= 0 || Number.isNaN(price))) reasons.push('zero-size');
    const execution = this.params.execution;
    const target = reasons.length === 0 ? { price, size: wanted } : null;
    const outcome = this.orders.reconcileQuote(side, target, nowUs, execution.requoteThresholdTicks, execution.requoteSizeFraction, this.params.risk.maxInventoryLots, reduceOnly);
    if (outcome === 'rate-limited') reasons.push('rate-limit');
    else if (outcome === 'refused' && this.orders.lastRefusal) this.refusals[side] = this.orders.lastRefusal;
    const working = this.orders.quoteOrder(side);
    if (working !== null && working.status === 'working') this.venueRejects[side] = null;
    else if (this.venueRejects[side] !== null && !reasons.includes('venue-rejected')) reasons.push('venue-rejected');
    // A refusal stays a reason of its side while it is the newest word on it: cleared once the side quotes.
    const refusal = this.refusals[side];
    if (refusal !== null) {
      if (outcome === 'refused') {
        if (!reasons.includes(refusal.reason)) reasons.push(refusal.reason);
      } else if (working !== null || target === null) {
        this.refusals[side] = null;
      }
    }
    this.maxQuoteAge(side, nowUs);
  }

  /** A working quote older than `maxQuoteAgeSec` is refreshed (cancelled; the next cycle re-places it). */
  private maxQuoteAge(side: Side, nowUs: LocalUs): void {
    const limitSec = this.params.risk.maxQuoteAgeSec;
    if (limitSec <= 0) return;
    const order = this.orders.quoteOrder(side);
    if (order && order.status === 'working' && nowUs - order.placedUs > limitSec * 1_000_000) {
      this.orders.cancelAll(nowUs, (candidate) => candidate === order);
    }
  }

  private dailyStartUs = Number.NaN;
  private dailyStartPnl = 0;

  /** Mark-to-market PnL since the start of the current UTC day (or the session, if it began today). */
  private dailyPnl(nowUs: LocalUs, total: number): number {
    const dayStart = Math.floor(nowUs / 86_400_000_000) * 86_400_000_000;
    if (this.dailyStartUs !== dayStart) {
      this.dailyStartUs = dayStart;
      this.dailyStartPnl = Number.isNaN(total) || dayStart <= this.sessionStartUs ? 0 : total;
    }
    return (Number.isNaN(total) ? 0 : total) - this.dailyStartPnl;
  }

  /* ================================================================ hooks */

  private orderHooks(): OrderManagerHooks {
    return {
      journal: (request: OrderRequest, localUs: LocalUs) => {
        if (this.journalOrders) this.store.journalOrder(this.sessionIdValue, request, localUs);
        this.analytics.onOrderPlaced();
        this.stats.ordersSent++;
      },
      event: (clientOrderId, type, localUs, detail) => {
        if (type === 'cancel-requested') this.stats.cancelsSent++;
        else if (type !== 'sent') this.venueActivity = true;
        if (this.journalOrders) this.store.recordOrderEvent(this.sessionIdValue, clientOrderId, type, localUs, detail);
      },
      fill: (fill: Fill, order: ManagedOrder | null) => this.bookFill(fill, order),
      orderClosed: (order, why) => {
        if (order.purpose === 'quote' && why.startsWith('rejected')) this.venueRejects[order.side] = why.slice('rejected: '.length) || why;
        this.flattener.orderClosed(order, why);
        this.venueActivity = true;
        this.dirty = true;
      },
    };
  }

  private bookFill(fill: Fill, order: ManagedOrder | null): void {
    this.venueActivity = true;
    const fairValue = Number.isNaN(this.decision.fairValue) ? this.midTicks : this.decision.fairValue;
    // why: the report arrives an ack latency after execution, often after newer book messages (and the
    // current message's mid is already set): the mid at the fill is the one prevailing just before execution.
    const analyticsFill: AnalyticsFill = { ...fill, midAtFill: this.analytics.midBefore(fill.exchUs), fairValueAtFill: fairValue };
    this.analytics.onFill(analyticsFill);
    this.stats.fills++;
    const stored: StoredFill = { ...analyticsFill, sessionId: this.sessionIdValue, inventoryAfter: this.orders.inventoryLots() };
    this.store.recordFill(stored);
    this.newestExchUs = Math.max(this.newestExchUs, fill.exchUs);
    this.live?.noteFill(fill);
    this.uncommittedFills.add(stored);
    this.risk.onFill(fill.localUs);
    this.flattener.onFill(fill, order);
    this.metricsChanged();
    this.dirty = true;
  }

  private riskHooks(): RiskHooks {
    return {
      transitioned: (from, to, cause, who, nowUs) => {
        // Cancels leave first; the audit row and the event log only queue work after them.
        if (to === 'halted' || to === 'paused' || to === 'reducing') {
          // Reducing: every working quote comes down too (one on the growing side, or one larger than the
          // position, could grow |inventory|); the next cycle places reduce-only quotes through the gate.
          this.stats.cancelsSent += this.orders.cancelAll(nowUs, (order) => to === 'halted' || order.purpose === 'quote');
          if (to === 'halted') this.flattener.cancel(`halted: ${cause}`, nowUs);
        }
        this.audit(who, 'state', { from, to, cause }, nowUs);
        this.pushEvent('state', `${from} → ${to}: ${cause}`, nowUs);
        this.dirty = true;
      },
      breakerTripped: (name: BreakerName, detail, nowUs) => {
        this.audit('risk', 'breaker', { name, ...detail }, nowUs);
        this.pushEvent('breaker', `breaker ${name} tripped`, nowUs);
      },
      breakerCleared: (name: BreakerName, nowUs) => {
        this.audit('risk', 'breaker-cleared', { name }, nowUs);
        this.pushEvent('breaker', `breaker ${name} cleared`, nowUs);
      },
    };
  }

  /* ================================================================ helpers */

  /** The words of a side's newest refusal (the gate's, else the venue's), or null. */
  private refusalText(side: Side): string | null {
    const refusal = this.refusals[side];
    if (refusal !== null) return refusal.detail;
    const reject = this.venueRejects[side];
    return reject === null ? null : `the venue rejected the order: ${reject}`;
  }

  private price(ticks: Ticks): number {
    return this.tick.toNumber(ticks);
  }

  private size(lots: Lots): number {
    return this.lot.toNumber(lots);
  }

  private bookSide(book: BookReader, side: 'bid' | 'ask', depth: number): Array<[number, number]> {
    const n = book.top(side, Math.min(depth, this.bookPrices.length), this.bookPrices, this.bookSizes);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) out.push([this.price(this.bookPrices[i] ?? 0), this.size(this.bookSizes[i] ?? 0)]);
    return out;
  }

  private fillView(fill: StoredFill): FillView {
    return fillView(fill, this.tick, this.lot);
  }

  private rememberFillView(view: FillView, stream: boolean): void {
    // Frozen: a replay's checkpoint keeps it by reference instead of copying it.
    Object.freeze(view);
    this.recentFills.unshift(view);
    if (this.recentFills.length > MAX_RECENT_FILLS) this.recentFills.length = MAX_RECENT_FILLS;
    if (stream) this.pendingFills.push(view);
  }

  private seriesPoint(): SeriesPoint {
    const book = this.feed.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    const d = this.decision;
    const bidOrder = this.orders.quoteOrder('buy');
    const askOrder = this.orders.quoteOrder('sell');
    const mid = this.midTicks;
    const pnl = this.analytics.pnl(mid);
    const nullable = (ticks: number): number | null => (Number.isNaN(ticks) ? null : this.tick.toNumber(ticks));
    const bps = (value: number): number | null => (Number.isNaN(value) ? null : round(value, 3));
    return {
      timeMs: Math.floor(this.clock.nowUs() / 1000),
      bestBid: nullable(bid),
      bestAsk: nullable(ask),
      mid: nullable(mid),
      fairValue: nullable(d.fairValue),
      reservationPrice: nullable(d.reservation),
      ourBid: bidOrder ? this.price(bidOrder.price) : null,
      ourAsk: askOrder ? this.price(askOrder.price) : null,
      skewBps: Number.isNaN(mid) || Number.isNaN(d.reservation) ? null : round(((d.reservation - mid) / mid) * 10_000, 3),
      bidHalfSpreadBps: bps(d.bidHalfSpreadBps),
      askHalfSpreadBps: bps(d.askHalfSpreadBps),
      inventory: this.size(this.orders.inventoryLots()),
      pnlTotal: Number.isNaN(pnl.total) ? 0 : round(pnl.total, 6),
    };
  }

  private pushEvent(kind: DeskEventKind, text: string, nowUs: LocalUs = this.clock.nowUs()): void {
    const event: DeskEventView = { timeMs: Math.floor(nowUs / 1000), kind, text };
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    this.pendingEvents.push(event);
    this.dirty = true;
  }

  private auditNow(who: string, action: string, detail: Record<string, unknown>): void {
    this.audit(who, action, detail, this.clock.nowUs());
  }

  private audit(who: string, action: string, detail: Record<string, unknown>, nowUs: LocalUs): void {
    if (this.sessionIdValue === 0) return;
    this.store.audit({ sessionId: this.sessionIdValue, localUs: nowUs, who, action, detail });
  }

  /**
   * Resolves once everything written so far is durable, without blocking the engine (an operator's
   * command is answered after its audit row is on disk); a fault halts quoting.
   */
  async persisted(): Promise<void> {
    const fault = await this.store.whenCommitted();
    if (fault !== null) this.storageFailed(fault.message);
  }

  /** Waits until everything written so far is durable (after an operator action); a fault halts quoting. */
  persistNow(): void {
    try {
      this.store.flushSync();
    } catch (error) {
      this.storageFailed((error as Error).message);
    }
  }

  /**
   * Hands the queued writes to the store's writer (it commits off the engine loop). A fault the store
   * reports halts quoting with that reason (`onFault`); here only a refusal to take the hand-off is caught.
   */
  private flushQuietly(): void {
    try {
      this.store.flush();
    } catch (error) {
      this.storageFailed((error as Error).message);
    }
  }
}

/** The numeric sequence at the end of a client order id (`q12` → 12), 0 when there is none. */
function sequenceOf(clientOrderId: string): number {
  const match = /(\d+)$/.exec(clientOrderId);
  return match ? Number(match[1]) : 0;
}
