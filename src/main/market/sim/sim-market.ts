/**
 * The simulated market (venue `sim`): an in-process exchange with a price-time-priority limit order book,
 * driven by seeded agents, that is at once the desk's market-data feed and its execution venue.
 *
 * The market: an efficient price follows a random walk with occasional jumps. Liquidity providers quote
 * around a LAGGED view of that price (an exponential average), arriving as a Poisson process at several
 * levels and cancelling at a per-order rate. Noise traders send market orders of random side and size.
 * Informed traders know the efficient price: when the book lags it by more than a threshold they trade
 * in the direction the mid is about to move, so a market maker resting at the touch is picked off
 * exactly as the article describes, and adverse selection is real and measurable.
 *
 * Our orders rest in the same book and are matched by the same flow with price-time priority: fills in
 * `sim` mode are emergent, never assumed. Order entry and cancels take `exchangeLatencyMs` of event time.
 * Same seed + same order flow from us → same market and same fills. Time is virtual (µs): a host drives
 * it from the wall clock (`startRealtime`) or a test/backtest advances it explicitly (`advanceTo`).
 * It must not read the wall clock or Math.random.
 */
import type { FeedHealthView } from '../../../shared/contract.js';
import { DecimalGrid, makeInstrument, type Instrument, type LocalUs, type Lots, type Side, type Ticks } from '../../../shared/units.js';
import { FillHistory } from '../../execution/fill-history.js';
import type { ExecutionVenue, Fill, OrderRequest, VenueListener, VenueOpenOrder } from '../../execution/types.js';
import type { BookSideName, FeedListener, MarketFeed, MarketTrade, OrderBook } from '../types.js';
import { SeededRandom } from './random.js';

export interface SimConfig {
  readonly seed: number;
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly startPriceTicks: Ticks;
  /** Volatility of the efficient price, ticks per √second. */
  readonly volTicksPerSqrtSec: number;
  readonly jumpRatePerSec: number;
  readonly jumpMeanTicks: number;
  /** Time constant of the liquidity providers' lag behind the efficient price. */
  readonly referenceLagSec: number;
  readonly limitRatePerSec: number;
  readonly limitDepthLevels: number;
  /** Mean distance (levels) from the reference at which new limit orders land. */
  readonly limitDepthDecayLevels: number;
  readonly limitMeanLots: number;
  readonly cancelRatePerOrderPerSec: number;
  readonly noiseRatePerSec: number;
  readonly noiseMeanLots: number;
  readonly informedRatePerSec: number;
  readonly informedThresholdTicks: number;
  readonly informedMeanLots: number;
  /** Multiplies every order-flow rate (not the price dynamics): 1 is a calm market, 300 a stress feed. */
  readonly flowMultiplier: number;
  readonly exchangeLatencyMs: number;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  seed: 1,
  symbol: 'SIM-USD',
  tickSize: '0.01',
  lotSize: '1',
  startPriceTicks: 10_000,
  volTicksPerSqrtSec: 0.3,
  jumpRatePerSec: 1 / 120,
  // why: at a 5-tick mean, jumps held ~4.6× the diffusion's variance, so one early jump set the desk's
  // volatility-scaled spread for the whole 10-minute estimator window and the figures depended on the seed.
  jumpMeanTicks: 2,
  referenceLagSec: 1.5,
  limitRatePerSec: 60,
  limitDepthLevels: 30,
  limitDepthDecayLevels: 7,
  limitMeanLots: 12,
  cancelRatePerOrderPerSec: 0.4,
  // Calibrated (test/bench/sim-calibration.bench.ts): informed traders send half the market-order volume
  // (3/s × 40 lots against noise 6/s × 20 lots), which puts the default desk's 5 s adverse-selection rate
  // at 30–45 % and its spread captured at 0.5–2 bps on every seed measured (the article: 38 %, 0.8 bps).
  noiseRatePerSec: 6,
  noiseMeanLots: 20,
  informedRatePerSec: 3,
  informedThresholdTicks: 1.5,
  informedMeanLots: 40,
  flowMultiplier: 1,
  exchangeLatencyMs: 2,
  makerFeeBps: -0.2,
  takerFeeBps: 3,
};

/** Checks a simulated-market configuration; returns the first problem or null. */
export function simConfigIssue(config: SimConfig): string | null {
  const positive: Array<keyof SimConfig> = [
    'startPriceTicks', 'referenceLagSec', 'limitRatePerSec', 'limitDepthLevels', 'limitDepthDecayLevels',
    'limitMeanLots', 'cancelRatePerOrderPerSec', 'noiseMeanLots', 'informedMeanLots', 'flowMultiplier',
  ];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return `sim.${key} must be a positive number`;
  }
  const nonNegative: Array<keyof SimConfig> = [
    'volTicksPerSqrtSec', 'jumpRatePerSec', 'jumpMeanTicks', 'noiseRatePerSec', 'informedRatePerSec',
    'informedThresholdTicks', 'exchangeLatencyMs',
  ];
  for (const key of nonNegative) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `sim.${key} must be a number ≥ 0`;
  }
  if (!Number.isInteger(config.seed)) return 'sim.seed must be an integer';
  if (config.flowMultiplier > 10_000) return 'sim.flowMultiplier must be at most 10000';
  return null;
}

interface RestingOrder {
  readonly side: Side;
  readonly price: Ticks;
  remaining: Lots;
  alive: boolean;
  /** Our client order id, or null for an agent's order. */
  readonly clientOrderId: string | null;
  readonly originalSize: Lots;
  /** Index in the agents' array (swap-remove), -1 for ours. */
  agentIndex: number;
}

class Level {
  readonly orders: RestingOrder[] = [];
  head = 0;
  dead = 0;
  total = 0;

  push(order: RestingOrder): void {
    this.orders.push(order);
    this.total += order.remaining;
  }

  /** Removes dead orders once they are a majority, keeping FIFO order. */
  compact(): void {
    if (this.dead < 16 || this.dead * 2 < this.orders.length - this.head) return;
    let write = 0;
    for (let read = this.head; read < this.orders.length; read++) {
      const order = this.orders[read];
      if (order && order.alive) this.orders[write++] = order;
    }
    this.orders.length = write;
    this.head = 0;
    this.dead = 0;
  }
}

type PendingAction =
  | { readonly kind: 'submit'; readonly dueUs: LocalUs; readonly seq: number; readonly request: OrderRequest }
  | { readonly kind: 'cancel'; readonly dueUs: LocalUs; readonly seq: number; readonly clientOrderId: string };

const US = 1_000_000;
const RATE_BUCKETS = 10;
const RATE_BUCKET_US = US / RATE_BUCKETS;

export class SimMarket implements MarketFeed, ExecutionVenue {
  readonly name = 'sim';
  readonly mode = 'live' as const;
  readonly instrument: Instrument;
  private readonly rng: SeededRandom;
  private readonly levels: [Map<Ticks, Level>, Map<Ticks, Level>] = [new Map(), new Map()];
  private bestBidTicks = Number.NaN;
  private bestAskTicks = Number.NaN;
  private readonly agents: RestingOrder[] = [];
  private readonly ours = new Map<string, RestingOrder>();
  private readonly pending: PendingAction[] = [];
  private pendingSeq = 0;
  /** The newest VENUE_FILL_HISTORY fills, for `fillsSince` (reconciliation after a desk restart). */
  private readonly fillLog = new FillHistory();
  private fillSeq = 0;
  private efficient: number;
  private reference: number;
  private nowUs: LocalUs;
  private nextEventUs: LocalUs;
  private readonly tickValue: number;
  private readonly lotValue: number;
  private listener: FeedListener | null = null;
  private venueListener: VenueListener | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private messages = 0;
  private lastMessageUs = Number.NaN;
  /** Messages per 100 ms bucket over the last second (ring of 10), for messages/s at any rate. */
  private readonly rateBuckets = new Float64Array(RATE_BUCKETS);
  private readonly rateBucketIds = new Float64Array(RATE_BUCKETS).fill(-1);
  private running = false;
  private readonly lastQueueAhead = new Map<string, number>();
  private bookChanged = false;
  private readonly tradesOut: MarketTrade[] = [];
  /** Start time of this exchange instance: part of every fill id, so ids stay unique across restarts. */
  private readonly epochUs: LocalUs;

  constructor(
    readonly book: OrderBook,
    private readonly config: SimConfig,
    startUs: LocalUs,
  ) {
    const issue = simConfigIssue(config);
    if (issue) throw new RangeError(issue);
    this.instrument = makeInstrument({ venue: 'sim', symbol: config.symbol, tickSize: config.tickSize, lotSize: config.lotSize });
    this.tickValue = new DecimalGrid(config.tickSize).toNumber(1);
    this.lotValue = new DecimalGrid(config.lotSize).toNumber(1);
    this.rng = new SeededRandom(config.seed);
    this.efficient = config.startPriceTicks;
    this.reference = config.startPriceTicks;
    this.nowUs = startUs;
    this.epochUs = startUs;
    this.seedBook();
    this.nextEventUs = this.nowUs + this.drawInterval();
  }

  /* ---------------------------------------------------------------- MarketFeed */

  trusted(): boolean {
    return true;
  }

  health(nowUs: LocalUs): FeedHealthView {
    const nowBucket = Math.floor(nowUs / RATE_BUCKET_US);
    let recent = 0;
    for (let i = 0; i < RATE_BUCKETS; i++) {
      const id = this.rateBucketIds[i] ?? -1;
      if (id > nowBucket - RATE_BUCKETS && id <= nowBucket) recent += this.rateBuckets[i] ?? 0;
    }
    return {
      connected: this.running,
      state: this.running ? 'connected' : 'closed',
      trusted: true,
      lastMessageAgeMs: Number.isNaN(this.lastMessageUs) ? null : Math.max(0, (nowUs - this.lastMessageUs) / 1000),
      // In-process: the connection to the simulated exchange cannot go silent, only its market.
      silentMs: this.running ? 0 : null,
      quiet: false,
      messagesPerSec: recent,
      latencyMs: 0,
      messages: this.messages,
      applied: this.messages,
      dropped: 0,
      gaps: 0,
      resyncs: 0,
      checksumFailures: 0,
      crossedBooks: 0,
      reconnects: 0,
      lastError: null,
    };
  }

  async start(listener: FeedListener): Promise<void> {
    this.listener = listener;
    this.running = true;
    // The opening book is the first message a subscriber sees: the feed is fresh from this instant.
    if (Number.isNaN(this.lastMessageUs)) this.lastMessageUs = this.nowUs;
    listener.onFeedEvent({ type: 'connected', localUs: this.nowUs });
    listener.onFeedEvent({ type: 'trusted', localUs: this.nowUs });
    listener.onBook(this.nowUs);
  }

  async stop(): Promise<void> {
    this.stopRealtime();
    if (this.running && this.listener) this.listener.onFeedEvent({ type: 'disconnected', localUs: this.nowUs, reason: 'stopped' });
    this.running = false;
  }

  /** Drives virtual time from the wall clock: every `periodMs`, advance to `wallUs()`. */
  startRealtime(wallUs: () => LocalUs, periodMs = 4): void {
    this.stopRealtime();
    this.timer = setInterval(() => this.advanceTo(wallUs()), periodMs);
  }

  stopRealtime(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The simulated market's clock. */
  now(): LocalUs {
    return this.nowUs;
  }

  /** Processes every market event and exchange action due up to `untilUs`, in time order. */
  advanceTo(untilUs: LocalUs): void {
    if (!this.running) return;
    for (;;) {
      const action = this.pending[0];
      const actionDue = action ? action.dueUs : Number.POSITIVE_INFINITY;
      if (this.nextEventUs <= untilUs && this.nextEventUs < actionDue) {
        this.advanceEfficientPrice(this.nextEventUs);
        this.nowUs = this.nextEventUs;
        this.generateEvent();
        this.nextEventUs = this.nowUs + this.drawInterval();
        this.publish();
      } else if (action && actionDue <= untilUs) {
        this.pending.shift();
        this.nowUs = Math.max(this.nowUs, action.dueUs);
        this.executeAction(action);
        this.publish();
      } else {
        break;
      }
      if (!this.running) return;
    }
    if (untilUs > this.nowUs) {
      this.advanceEfficientPrice(untilUs);
      this.nowUs = untilUs;
    }
    this.listener?.onTime(this.nowUs);
  }

  /* ----------------------------------------------------------- ExecutionVenue */

  setListener(listener: VenueListener): void {
    this.venueListener = listener;
  }

  submit(request: OrderRequest, localUs: LocalUs): void {
    this.enqueue({ kind: 'submit', dueUs: Math.max(localUs, this.nowUs) + this.latencyUs(), seq: this.pendingSeq++, request });
  }

  cancel(clientOrderId: string, localUs: LocalUs): void {
    this.enqueue({ kind: 'cancel', dueUs: Math.max(localUs, this.nowUs) + this.latencyUs(), seq: this.pendingSeq++, clientOrderId });
  }

  openOrders(): VenueOpenOrder[] {
    const out: VenueOpenOrder[] = [];
    for (const [clientOrderId, order] of this.ours) {
      out.push({ clientOrderId, side: order.side, price: order.price, size: order.originalSize, filled: order.originalSize - order.remaining });
    }
    return out;
  }

  /**
   * An outside market order of `size` lots on `side`, matched now against the book (ours included) with
   * price-time priority: the local exchange's fault injection (a trade through our order just before our
   * cancel arrives, a partial fill on demand). Publishes its trades and book change like any agent's.
   */
  takeLiquidity(side: Side, size: Lots): void {
    if (!this.running || !Number.isInteger(size) || size <= 0) return;
    this.marketOrder(side, size);
    this.publish();
  }

  /** Orders sent but not yet reached the matching engine. */
  inFlight(): number {
    return this.pending.length;
  }

  /** Our fills at or after `sinceUs`, oldest first, from the newest VENUE_FILL_HISTORY fills. */
  fillsSince(sinceUs: LocalUs): Fill[] {
    return this.fillLog.since(sinceUs);
  }

  /** How many entries the exchange's own bookkeeping holds (diagnosis and tests: each must stay bounded). */
  retained(): { readonly fills: number; readonly ourOrders: number; readonly queuePositions: number; readonly agents: number } {
    return { fills: this.fillLog.size, ourOrders: this.ours.size, queuePositions: this.lastQueueAhead.size, agents: this.agents.length };
  }

  /* ----------------------------------------------------------------- internals */

  private latencyUs(): number {
    return Math.round(this.config.exchangeLatencyMs * 1000);
  }

  private enqueue(action: PendingAction): void {
    // Keep the queue ordered by due time, then by sequence (FIFO for equal latency).
    let i = this.pending.length;
    while (i > 0) {
      const prev = this.pending[i - 1];
      if (!prev || prev.dueUs < action.dueUs || (prev.dueUs === action.dueUs && prev.seq < action.seq)) break;
      i--;
    }
    this.pending.splice(i, 0, action);
  }

  private sideIndex(side: Side): 0 | 1 {
    return side === 'buy' ? 0 : 1;
  }

  private bookSide(side: Side): BookSideName {
    return side === 'buy' ? 'bid' : 'ask';
  }

  private totalRate(): number {
    const c = this.config;
    const m = c.flowMultiplier;
    return (
      c.limitRatePerSec * m +
      c.cancelRatePerOrderPerSec * this.agents.length * m +
      c.noiseRatePerSec * m +
      c.informedRatePerSec * m +
      c.jumpRatePerSec
    );
  }

  private drawInterval(): number {
    return Math.max(1, Math.round(this.rng.exponential(this.totalRate()) * US));
  }

  private advanceEfficientPrice(toUs: LocalUs): void {
    const dtSec = (toUs - this.nowUs) / US;
    if (dtSec <= 0) return;
    this.efficient += this.config.volTicksPerSqrtSec * Math.sqrt(dtSec) * this.rng.normal();
    this.reference += (this.efficient - this.reference) * (1 - Math.exp(-dtSec / this.config.referenceLagSec));
  }

  private seedBook(): void {
    const c = this.config;
    const center = c.startPriceTicks;
    for (let k = 0; k < c.limitDepthLevels; k++) {
      const orders = 1 + this.rng.int(3);
      for (let j = 0; j < orders; j++) {
        this.restAgent('buy', center - 1 - k, this.rng.lots(c.limitMeanLots));
        this.restAgent('sell', center + 1 + k, this.rng.lots(c.limitMeanLots));
      }
    }
    this.bookChanged = false;
  }

  private generateEvent(): void {
    const c = this.config;
    const m = c.flowMultiplier;
    this.messages++;
    this.lastMessageUs = this.nowUs;
    const bucket = Math.floor(this.nowUs / RATE_BUCKET_US);
    const slot = bucket % RATE_BUCKETS;
    if (this.rateBucketIds[slot] !== bucket) {
      this.rateBucketIds[slot] = bucket;
      this.rateBuckets[slot] = 0;
    }
    this.rateBuckets[slot] = (this.rateBuckets[slot] ?? 0) + 1;
    let pick = this.rng.uniform() * this.totalRate();
    if ((pick -= c.limitRatePerSec * m) < 0) return this.limitArrival();
    if ((pick -= c.cancelRatePerOrderPerSec * this.agents.length * m) < 0) return this.cancelArrival();
    if ((pick -= c.noiseRatePerSec * m) < 0) return this.noiseTrade();
    if ((pick -= c.informedRatePerSec * m) < 0) return this.informedTrade();
    this.jump();
  }

  private limitArrival(): void {
    const c = this.config;
    const side: Side = this.rng.uniform() < 0.5 ? 'buy' : 'sell';
    const distance = Math.min(c.limitDepthLevels - 1, Math.floor(this.rng.exponential(1 / c.limitDepthDecayLevels)));
    let price = side === 'buy' ? Math.floor(this.reference) - distance : Math.ceil(this.reference) + distance;
    if (side === 'buy' && price === Math.ceil(this.reference) && distance === 0) price -= 1;
    // Liquidity providers never cross: a quote that would is placed at the touch instead.
    if (side === 'buy' && !Number.isNaN(this.bestAskTicks) && price >= this.bestAskTicks) price = this.bestAskTicks - 1;
    if (side === 'sell' && !Number.isNaN(this.bestBidTicks) && price <= this.bestBidTicks) price = this.bestBidTicks + 1;
    this.restAgent(side, price, this.rng.lots(c.limitMeanLots));
    this.cancelStragglers();
  }

  /** Agents' orders far outside the providers' window are withdrawn (they would never trade). */
  private cancelStragglers(): void {
    const window = this.config.limitDepthLevels + 10;
    for (let n = 0; n < 2 && this.agents.length > 0; n++) {
      const order = this.agents[this.rng.int(this.agents.length)];
      if (order && Math.abs(order.price - this.reference) > window) this.removeResting(order);
    }
  }

  private cancelArrival(): void {
    if (this.agents.length === 0) return;
    const order = this.agents[this.rng.int(this.agents.length)];
    if (order) this.removeResting(order);
  }

  private noiseTrade(): void {
    const side: Side = this.rng.uniform() < 0.5 ? 'buy' : 'sell';
    this.marketOrder(side, this.rng.lots(this.config.noiseMeanLots));
  }

  private informedTrade(): void {
    const mid = (this.bestBidTicks + this.bestAskTicks) / 2;
    if (Number.isNaN(mid)) return;
    const edge = this.efficient - mid;
    if (Math.abs(edge) < this.config.informedThresholdTicks) return;
    this.marketOrder(edge > 0 ? 'buy' : 'sell', this.rng.lots(this.config.informedMeanLots));
  }

  private jump(): void {
    const size = Math.max(1, this.rng.exponential(1 / this.config.jumpMeanTicks));
    this.efficient += this.rng.uniform() < 0.5 ? -size : size;
  }

  private restAgent(side: Side, price: Ticks, size: Lots): void {
    const order: RestingOrder = { side, price, remaining: size, alive: true, clientOrderId: null, originalSize: size, agentIndex: this.agents.length };
    this.agents.push(order);
    this.addToLevel(order);
  }

  private levelAt(side: Side, price: Ticks, create: boolean): Level | undefined {
    const map = this.levels[this.sideIndex(side)];
    let level = map.get(price);
    if (!level && create) {
      level = new Level();
      map.set(price, level);
    }
    return level;
  }

  private addToLevel(order: RestingOrder): void {
    const level = this.levelAt(order.side, order.price, true);
    if (!level) return;
    level.push(order);
    this.book.set(this.bookSide(order.side), order.price, level.total);
    this.bookChanged = true;
    if (order.side === 'buy') {
      if (Number.isNaN(this.bestBidTicks) || order.price > this.bestBidTicks) this.bestBidTicks = order.price;
    } else if (Number.isNaN(this.bestAskTicks) || order.price < this.bestAskTicks) {
      this.bestAskTicks = order.price;
    }
  }

  private removeResting(order: RestingOrder): void {
    if (!order.alive) return;
    order.alive = false;
    const level = this.levelAt(order.side, order.price, false);
    if (level) {
      level.total -= order.remaining;
      level.dead++;
      this.book.set(this.bookSide(order.side), order.price, level.total);
      this.bookChanged = true;
      if (level.total <= 0) this.dropLevel(order.side, order.price);
      else level.compact();
    }
    if (order.agentIndex >= 0) this.removeAgentIndex(order);
  }

  private removeAgentIndex(order: RestingOrder): void {
    const last = this.agents.pop();
    if (last && last !== order) {
      this.agents[order.agentIndex] = last;
      last.agentIndex = order.agentIndex;
    }
    order.agentIndex = -1;
  }

  private dropLevel(side: Side, price: Ticks): void {
    const map = this.levels[this.sideIndex(side)];
    map.delete(price);
    if (side === 'buy' && price === this.bestBidTicks) this.bestBidTicks = this.scanBest(map, price, -1);
    if (side === 'sell' && price === this.bestAskTicks) this.bestAskTicks = this.scanBest(map, price, 1);
  }

  private scanBest(map: Map<Ticks, Level>, from: Ticks, step: 1 | -1): Ticks {
    if (map.size === 0) return Number.NaN;
    // Levels are dense near the touch, so a short walk finds the next one; fall back to a full scan.
    for (let i = 1; i <= 64; i++) {
      const level = map.get(from + step * i);
      if (level && level.total > 0) return from + step * i;
    }
    let best = Number.NaN;
    for (const [price, level] of map) {
      if (level.total <= 0) continue;
      if (Number.isNaN(best) || (step === -1 ? price > best : price < best)) best = price;
    }
    return best;
  }

  /**
   * Matches an aggressive order against the book with price-time priority; returns the lots left.
   * `limit` bounds the prices it may take (NaN: any price).
   */
  private match(aggressor: Side, size: Lots, limit: Ticks, ourClientOrderId: string | null): Lots {
    let left = size;
    const restingSide: Side = aggressor === 'buy' ? 'sell' : 'buy';
    while (left > 0) {
      const best = aggressor === 'buy' ? this.bestAskTicks : this.bestBidTicks;
      if (Number.isNaN(best)) break;
      if (!Number.isNaN(limit) && (aggressor === 'buy' ? best > limit : best < limit)) break;
      const level = this.levelAt(restingSide, best, false);
      if (!level) break;
      while (left > 0 && level.head < level.orders.length) {
        const resting = level.orders[level.head];
        if (!resting) break;
        if (!resting.alive) {
          level.head++;
          level.dead = Math.max(0, level.dead - 1);
          continue;
        }
        // Our own resting order is never matched by our own aggressive order (self-trade prevention).
        if (ourClientOrderId !== null && resting.clientOrderId !== null) {
          this.cancelOurs(resting, 'cancelled');
          continue;
        }
        const traded = Math.min(left, resting.remaining);
        left -= traded;
        resting.remaining -= traded;
        level.total -= traded;
        this.tradesOut.push({ localUs: this.nowUs, exchUs: this.nowUs, price: best, size: traded, aggressor });
        if (resting.clientOrderId !== null) this.ourFill(resting, best, traded, 'maker');
        if (ourClientOrderId !== null) this.ourFillById(ourClientOrderId, aggressor, best, traded);
        if (resting.remaining <= 0) {
          resting.alive = false;
          level.head++;
          if (resting.agentIndex >= 0) this.removeAgentIndex(resting);
          if (resting.clientOrderId !== null) {
            this.ours.delete(resting.clientOrderId);
            // why: a filled order's last queue position would otherwise stay in the map for good.
            this.lastQueueAhead.delete(resting.clientOrderId);
          }
        }
      }
      this.book.set(this.bookSide(restingSide), best, Math.max(0, level.total));
      this.bookChanged = true;
      if (level.total <= 0) this.dropLevel(restingSide, best);
    }
    return left;
  }

  private marketOrder(side: Side, size: Lots): void {
    this.match(side, size, Number.NaN, null);
  }

  private fee(price: Ticks, size: Lots, liquidity: 'maker' | 'taker'): number {
    const bps = liquidity === 'maker' ? this.config.makerFeeBps : this.config.takerFeeBps;
    return (price * this.tickValue * size * this.lotValue * bps) / 10_000;
  }

  private ourFill(order: RestingOrder, price: Ticks, size: Lots, liquidity: 'maker' | 'taker'): void {
    if (order.clientOrderId === null) return;
    this.emitFill(order.clientOrderId, order.side, price, size, liquidity);
  }

  private ourFillById(clientOrderId: string, side: Side, price: Ticks, size: Lots): void {
    this.emitFill(clientOrderId, side, price, size, 'taker');
  }

  private emitFill(clientOrderId: string, side: Side, price: Ticks, size: Lots, liquidity: 'maker' | 'taker'): void {
    const fill: Fill = {
      fillId: `sim-${this.epochUs}-${++this.fillSeq}`,
      clientOrderId,
      side,
      price,
      size,
      fee: this.fee(price, size, liquidity),
      liquidity,
      // The match instant; the simulated exchange reports it at once, so it is also the receipt time.
      exchUs: this.nowUs,
      localUs: this.nowUs,
    };
    this.fillLog.add(fill);
    this.venueListener?.onFill(fill);
  }

  private cancelOurs(order: RestingOrder, why: 'cancelled' | 'expired'): void {
    const id = order.clientOrderId;
    this.removeResting(order);
    if (id === null) return;
    this.ours.delete(id);
    this.lastQueueAhead.delete(id);
    this.venueListener?.onDone(id, order.remaining, why, this.nowUs);
  }

  private executeAction(action: PendingAction): void {
    switch (action.kind) {
      case 'submit':
        return this.executeSubmit(action.request);
      case 'cancel': {
        const order = this.ours.get(action.clientOrderId);
        if (order) this.cancelOurs(order, 'cancelled');
        return;
      }
    }
  }

  private executeSubmit(request: OrderRequest): void {
    const listener = this.venueListener;
    if (request.size <= 0 || !Number.isInteger(request.size) || !Number.isInteger(request.price)) {
      listener?.onReject(request.clientOrderId, 'price and size must be positive integers of ticks and lots', this.nowUs);
      return;
    }
    const crosses = request.side === 'buy' ? request.price >= this.bestAskTicks : request.price <= this.bestBidTicks;
    if (crosses && request.postOnly) {
      listener?.onReject(request.clientOrderId, 'post-only order would take liquidity', this.nowUs);
      return;
    }
    listener?.onAck(request.clientOrderId, this.nowUs);
    let left = request.size;
    if (crosses) left = this.match(request.side, request.size, request.price, request.clientOrderId);
    if (left <= 0) return;
    if (request.timeInForce === 'ioc') {
      listener?.onDone(request.clientOrderId, left, 'ioc-remainder', this.nowUs);
      return;
    }
    const order: RestingOrder = {
      side: request.side,
      price: request.price,
      remaining: left,
      alive: true,
      clientOrderId: request.clientOrderId,
      originalSize: request.size,
      agentIndex: -1,
    };
    this.ours.set(request.clientOrderId, order);
    this.addToLevel(order);
  }

  /** Volume resting ahead of our order at its price (exact: the simulator sees the whole queue). */
  private queueAhead(order: RestingOrder): Lots {
    const level = this.levelAt(order.side, order.price, false);
    if (!level) return 0;
    let ahead = 0;
    for (let i = level.head; i < level.orders.length; i++) {
      const other = level.orders[i];
      if (!other) continue;
      if (other === order) break;
      if (other.alive) ahead += other.remaining;
    }
    return ahead;
  }

  /** Sends the consequences of one event out: trades, then the book, then queue positions. */
  private publish(): void {
    const listener = this.listener;
    if (this.tradesOut.length > 0) {
      for (const trade of this.tradesOut) listener?.onTrade(trade);
      this.tradesOut.length = 0;
    }
    if (this.bookChanged) {
      this.bookChanged = false;
      listener?.onBook(this.nowUs);
    }
    const venue = this.venueListener;
    if (venue?.onQueue) {
      for (const [id, order] of this.ours) {
        const ahead = this.queueAhead(order);
        if (this.lastQueueAhead.get(id) !== ahead) {
          this.lastQueueAhead.set(id, ahead);
          venue.onQueue(id, ahead);
        }
      }
    }
  }
}
