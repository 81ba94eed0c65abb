/**
 * The analytics core: one definition of PnL, markouts, adverse selection and the statistics table, used
 * live, in replay and in backtests alike (implements `Analytics` from `./types.ts`).
 *
 * Pure and clock-free: time arrives as `localUs` arguments (the desk's event clock), no I/O. Prices in
 * ticks, sizes in lots; figures come out in quote currency (money) and instrument size units (lots × lot).
 * Definitions, each stated once (their words, with the counts behind them, come from `definitions.ts`):
 *   - PnL: see `ledger.ts` — total = realised + unrealised − fees ≡ cash (fees included) + inventory × mid.
 *     Position, cash and every time-sampled figure change when a fill REPORT arrives (`Fill.localUs`).
 *   - mid⁻(t): the mid prevailing just before instant t — the mid of the last mark stamped strictly
 *     before t (`mid-history.ts`). The mid at a fill is mid⁻(execution), `Fill.exchUs`.
 *   - Markout of a fill at horizon h (1, 5, 30, 60 s): side × (mid⁻(exec + h) − mid⁻(exec)) / mid⁻(exec)
 *     × 10⁴, in bps, positive in our favour (buy: the mid rose). It is resolved in `onMark` as soon as
 *     the event clock reaches exec + h (every mark before that instant is then known), so a replay never
 *     reads a mid from beyond it. A fill without a mid at execution never gets markouts. Every resolved
 *     markout is returned by `onMark` (the desk stores each one); none is resolved anywhere else.
 *   - Adverse fill at h: markout < 0. Adverse-selection rate = adverse / fills with a known markout at h.
 *     Average adverse move = mean |markout| over the adverse fills, bps.
 *   - Win rate: share of fills with a known markout at the adverse horizon whose markout is > 0.
 *   - Spread captured of a fill: buy (mid − price), sell (price − mid), in bps of the mid at the fill;
 *     averaged over fills that had a mid.
 *   - Sharpe: total-PnL change per fixed interval (default 60 s, intervals counted from the session start,
 *     empty intervals count as 0; the total prevailing at an interval's end closes it), mean / sample
 *     standard deviation × √(intervals per year on the instrument's trading calendar, `calendar.ts`).
 *   - Daily PnL: total PnL now − total PnL prevailing at the start of the current UTC day (or 0 at the
 *     session start if that is later).
 *   - Average inventory: time-weighted |inventory| over the session's elapsed event time (replay seeks
 *     excluded), size units. Max: max |inventory|.
 *   - Inventory turnover: volume traded / average |inventory|, both in size units, over the session so far
 *     (the article's "42x/day" is this figure for a one-day session).
 *   - Fill ratio: orders with at least one fill / orders placed (`onOrderPlaced`); partial fills of one
 *     order count once (recognised among the last 256 filled orders).
 *   - Max drawdown: largest peak-to-trough fall of total PnL sampled at every mark and fill.
 *   - Hourly rows (UTC hour of day): fills executed in that hour, their adverse rate at the adverse
 *     horizon and average spread captured; PnL change sampled in that hour; only hours with a fill or a
 *     mark appear.
 * Conditions: a figure that means nothing yet is NaN, never 0 — every rate with no fill behind it, the
 * Sharpe ratio below `sharpeMinIntervals` complete intervals (default 30) or with no variation, turnover
 * while the average inventory is 0, the fill ratio before the first order.
 * Hot path (`onFill`, `onMark`): no allocation; fills are kept in a fixed ring of typed arrays (capacity
 * option) which also serves the pending markouts: fills are resolved in arrival order per horizon.
 * This file must not do I/O or read a clock.
 */
import type { DeskMetrics, HourlyRow, MarkoutHorizon, MarkoutStats } from '../../shared/contract.js';
import { DecimalGrid, US_PER_SEC, type LocalUs, type Side } from '../../shared/units.js';
import { CONTINUOUS_CALENDAR, type TradingCalendar } from './calendar.js';
import { metricDefinitions, sharpeBasis, winRateDefinition, type DefinitionInputs } from './definitions.js';
import { Ledger } from './ledger.js';
import { MidHistory } from './mid-history.js';
import type { AdverseRate, Analytics, AnalyticsFill, MarkoutResolved, PnlView, PositionView } from './types.js';

export const ANALYTICS_HORIZONS_SEC: readonly MarkoutHorizon[] = [1, 5, 30, 60];
const H = 4;
const US_PER_HOUR = 3_600 * US_PER_SEC;
const US_PER_DAY = 24 * US_PER_HOUR;
const RECENT_FILLED_ORDERS = 256;
/** Complete Sharpe intervals before the ratio is shown (30 one-minute intervals: half an hour). */
export const DEFAULT_SHARPE_MIN_INTERVALS = 30;

export interface AnalyticsOptions {
  /** The instrument's tick and lot as decimal strings ("0.01", "0.001"). */
  readonly tickSize: string;
  readonly lotSize: string;
  /** Start of the session on the desk clock (averages over time and Sharpe intervals count from here). */
  readonly sessionStartUs: LocalUs;
  /** Markout horizon of the adverse-selection rate and the win rate in `metrics()`. */
  readonly adverseHorizonSec: MarkoutHorizon;
  /** Length of one Sharpe interval in seconds (default 60). */
  readonly sharpeIntervalSec?: number;
  /** Fills kept for markouts and windows (rounded up to a power of two; default 131072 ≥ the 100 000-fill window). */
  readonly fillCapacity?: number;
  /** The instrument's trading calendar, on which the Sharpe ratio is annualised (default: 24/7). */
  readonly calendar?: TradingCalendar;
  /** Complete intervals before the Sharpe ratio is shown (default 30). */
  readonly sharpeMinIntervals?: number;
  /** Mid changes kept to find the mid before a past instant (default 65 536; see `mid-history.ts`). */
  readonly midHistoryCapacity?: number;
}

/** The desk's analytics: the `Analytics` contract plus what the desk needs around it. */
export interface DeskAnalytics extends Analytics {
  /** Counts an order sent to the venue (the denominator of the fill ratio). */
  onOrderPlaced(): void;
  /**
   * Rebuilds position, cash, realised PnL, fees and the fill statistics from stored fills (oldest first)
   * after a restart; stored markouts, when given, re-enter the statistics as they are (never recomputed).
   * Restored fills get no pending markouts. Call on a fresh instance, before any `onFill`.
   */
  restore(fills: readonly AnalyticsFill[], markouts?: readonly MarkoutResolved[]): void;
  /** Changes the horizon `metrics()` uses for the adverse-selection and win rates. */
  setAdverseHorizon(horizonSec: MarkoutHorizon): void;
  /**
   * mid⁻(t): the mid prevailing just before `tUs` on the marks seen so far (NaN when unknown). The desk
   * takes a fill's mid at execution from here: `midBefore(fill.exchUs)`.
   */
  midBefore(tUs: number): number;
  /**
   * Markouts that could not be resolved: the fill ring overflowed before they were due, or their due
   * instant was older than the mid history holds (a fill reported long after its horizon).
   */
  droppedMarkouts(): number;
  /**
   * Time jumped (a replay seek, either way): pending markouts are abandoned (they would compare mids
   * across the jump), the next mark starts a fresh reference, and the jump counts toward neither the
   * time-weighted inventory nor the Sharpe intervals. Position, PnL and known markouts are kept.
   */
  onDiscontinuity(nowUs: LocalUs): void;
}

interface MutableResolved {
  fillId: string;
  horizonSec: MarkoutHorizon;
  markoutBps: number;
  midAfter: number;
}

function horizonIndex(h: MarkoutHorizon): number {
  switch (h) {
    case 1:
      return 0;
    case 5:
      return 1;
    case 30:
      return 2;
    case 60:
      return 3;
  }
}

function sideIndex(side: Side): 0 | 1 {
  return side === 'buy' ? 0 : 1;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function createAnalytics(options: AnalyticsOptions): DeskAnalytics {
  return new AnalyticsCore(options);
}

class AnalyticsCore implements DeskAnalytics {
  private readonly ledger: Ledger;
  private readonly lotValue: number;
  private readonly sessionStartUs: LocalUs;
  private adverseH: number;
  private readonly intervalUs: number;
  private readonly intervalSec: number;
  private readonly calendar: TradingCalendar;
  private readonly sharpeMin: number;
  private readonly mids: MidHistory;

  // Fill ring (struct of arrays); seq n lives in slot n & mask.
  private readonly mask: number;
  private readonly capacity: number;
  private readonly recId: string[];
  private readonly recSide: Uint8Array;
  private readonly recTimeUs: Float64Array;
  private readonly recMid: Float64Array;
  private readonly recHour: Uint8Array;
  /** Markout per fill per horizon (slot × 4 + h); NaN until known. */
  private readonly recMarkout: Float64Array;
  private nextSeq = 0;
  /** Per horizon: the first fill seq whose markout is not yet resolved. */
  private readonly resolveFrom = new Float64Array(H);
  private dropped = 0;

  // Resolved output, reused between calls.
  private readonly resolvedOut: MutableResolved[] = [];
  private readonly resolvedPool: MutableResolved[] = [];

  // Markout statistics: [side 0 buy,1 sell][h] and all-side aggregates.
  private readonly mkCount = new Float64Array(2 * H);
  private readonly mkSum = new Float64Array(2 * H);
  private readonly mkAdverse = new Float64Array(2 * H);
  private readonly mkAdverseMoveSum = new Float64Array(2 * H);
  private readonly mkPositive = new Float64Array(2 * H);

  // Spread captured.
  private spreadSumBps = 0;
  private spreadCount = 0;

  // Hourly (UTC hour of day).
  private readonly hrSeen = new Uint8Array(24);
  private readonly hrFills = new Float64Array(24);
  private readonly hrSpreadSum = new Float64Array(24);
  private readonly hrSpreadCount = new Float64Array(24);
  private readonly hrPnl = new Float64Array(24);
  private readonly hrKnown = new Float64Array(24 * H);
  private readonly hrAdverse = new Float64Array(24 * H);

  // Marks and sampling (`lastMid`: the newest mark's mid, for PnL; `mids`: every change, for markouts).
  private lastMid = Number.NaN;
  private lastMarkUs = Number.NEGATIVE_INFINITY;
  private lastSampleUs: number;
  private lastTotal = 0;
  private peakTotal = 0;
  private maxDrawdown = 0;
  private dayIndex: number;
  private dayStartTotal = 0;
  // Sharpe: Welford over completed intervals.
  private intervalIndex = 0;
  private intervalStartTotal = 0;
  private nIntervals = 0;
  private meanInterval = 0;
  private m2Interval = 0;

  // Inventory over time.
  private invAreaLotUs = 0;
  private invTimeUs = 0;
  private maxAbsInventory = 0;

  // Orders.
  private ordersPlaced = 0;
  private filledOrders = 0;
  private readonly recentFilledOrders: string[] = new Array<string>(RECENT_FILLED_ORDERS).fill('');
  private recentFilledNext = 0;

  // adverseRate cache.
  private cacheH = -1;
  private cacheWindow = -1;
  private cacheFrom = -1;
  private readonly cacheResult = { rate: Number.NaN, count: 0, avgAdverseMoveBps: Number.NaN };

  constructor(options: AnalyticsOptions) {
    const tick = new DecimalGrid(options.tickSize);
    const lot = new DecimalGrid(options.lotSize);
    this.lotValue = lot.toNumber(1);
    this.ledger = new Ledger(tick.toNumber(1) * this.lotValue);
    if (!Number.isFinite(options.sessionStartUs)) throw new RangeError('sessionStartUs must be a finite time');
    this.sessionStartUs = options.sessionStartUs;
    this.lastSampleUs = options.sessionStartUs;
    this.dayIndex = Math.floor(options.sessionStartUs / US_PER_DAY);
    this.adverseH = horizonIndex(options.adverseHorizonSec);
    this.intervalSec = options.sharpeIntervalSec ?? 60;
    if (!(this.intervalSec > 0) || !Number.isFinite(this.intervalSec)) {
      throw new RangeError(`sharpeIntervalSec must be a positive number of seconds, got ${String(options.sharpeIntervalSec)}`);
    }
    this.intervalUs = this.intervalSec * US_PER_SEC;
    this.calendar = options.calendar ?? CONTINUOUS_CALENDAR;
    if (!(this.calendar.secondsPerYear > 0)) throw new RangeError('calendar.secondsPerYear must be positive');
    this.sharpeMin = options.sharpeMinIntervals ?? DEFAULT_SHARPE_MIN_INTERVALS;
    if (!Number.isInteger(this.sharpeMin) || this.sharpeMin < 2) throw new RangeError(`sharpeMinIntervals must be an integer ≥ 2, got ${String(options.sharpeMinIntervals)}`);
    this.mids = new MidHistory(options.midHistoryCapacity);
    const requested = options.fillCapacity ?? 131_072;
    if (!Number.isInteger(requested) || requested < 1) throw new RangeError('fillCapacity must be a positive integer');
    this.capacity = nextPowerOfTwo(requested);
    this.mask = this.capacity - 1;
    this.recId = new Array<string>(this.capacity).fill('');
    this.recSide = new Uint8Array(this.capacity);
    this.recTimeUs = new Float64Array(this.capacity);
    this.recMid = new Float64Array(this.capacity);
    this.recHour = new Uint8Array(this.capacity);
    this.recMarkout = new Float64Array(this.capacity * H).fill(Number.NaN);
  }

  /* ------------------------------------------------------------------ events */

  onOrderPlaced(): void {
    this.ordersPlaced++;
  }

  setAdverseHorizon(horizonSec: MarkoutHorizon): void {
    this.adverseH = horizonIndex(horizonSec);
  }

  droppedMarkouts(): number {
    return this.dropped;
  }

  midBefore(tUs: number): number {
    return this.mids.before(tUs);
  }

  onFill(fill: AnalyticsFill): void {
    this.bookFill(fill, true);
  }

  restore(fills: readonly AnalyticsFill[], markouts?: readonly MarkoutResolved[]): void {
    if (this.nextSeq !== 0) throw new Error('restore() must be called on a fresh analytics instance, before any fill');
    for (const fill of fills) this.bookFill(fill, false);
    if (markouts && markouts.length > 0) {
      const slotById = new Map<string, number>();
      const first = Math.max(0, this.nextSeq - this.capacity);
      for (let seq = first; seq < this.nextSeq; seq++) slotById.set(this.recId[seq & this.mask] ?? '', seq & this.mask);
      for (const m of markouts) {
        const slot = slotById.get(m.fillId);
        if (slot === undefined) continue;
        const h = horizonIndex(m.horizonSec);
        if (!Number.isNaN(this.recMarkout[slot * H + h] ?? 0)) continue;
        this.recordMarkout(slot, h, m.markoutBps);
      }
    }
    // Restored fills never resolve again: the pending range starts after them.
    for (let h = 0; h < H; h++) this.resolveFrom[h] = this.nextSeq;
  }

  onDiscontinuity(nowUs: LocalUs): void {
    for (let h = 0; h < H; h++) this.resolveFrom[h] = this.nextSeq;
    this.mids.clear();
    this.lastMid = Number.NaN;
    this.lastMarkUs = Number.NEGATIVE_INFINITY;
    this.lastSampleUs = nowUs;
    this.intervalIndex = Math.floor((nowUs - this.sessionStartUs) / this.intervalUs);
    this.intervalStartTotal = this.lastTotal;
    const day = Math.floor(nowUs / US_PER_DAY);
    if (day !== this.dayIndex) {
      this.dayIndex = day;
      this.dayStartTotal = this.lastTotal;
    }
  }

  onMark(nowUs: LocalUs, midTicks: number): readonly MarkoutResolved[] {
    const out = this.resolvedOut;
    out.length = 0;
    if (Number.isFinite(midTicks) && nowUs >= this.lastMarkUs) {
      // Marks come in time order: every mark before `nowUs` is known, so markouts due by now can resolve.
      this.resolveDue(nowUs);
      this.mids.record(nowUs, midTicks);
      this.lastMid = midTicks;
      this.lastMarkUs = nowUs;
    }
    this.sample(nowUs);
    return out;
  }

  /* ------------------------------------------------------------------ queries */

  position(): PositionView {
    return { inventoryLots: this.ledger.inventoryLots, cash: this.ledger.cash() };
  }

  pnl(markMidTicks: number): PnlView {
    const mark = Number.isFinite(markMidTicks) ? markMidTicks : this.lastMid;
    const unrealized = this.ledger.inventoryLots === 0 ? 0 : this.ledger.unrealized(mark);
    const realized = this.ledger.realized();
    const fees = this.ledger.fees;
    return { total: realized + unrealized - fees, realized, unrealized, fees };
  }

  adverseRate(horizonSec: MarkoutHorizon, windowFills: number): AdverseRate {
    const h = horizonIndex(horizonSec);
    const from = this.resolveFrom[h] ?? 0;
    if (this.cacheH === h && this.cacheWindow === windowFills && this.cacheFrom === from) return this.cacheResult;
    let count = 0;
    let adverse = 0;
    let moveSum = 0;
    const oldest = Math.max(0, this.nextSeq - this.capacity);
    for (let seq = from - 1; seq >= oldest && count < windowFills; seq--) {
      const m = this.recMarkout[(seq & this.mask) * H + h] ?? Number.NaN;
      if (Number.isNaN(m)) continue;
      count++;
      if (m < 0) {
        adverse++;
        moveSum -= m;
      }
    }
    const r = this.cacheResult;
    r.count = count;
    r.rate = count > 0 ? adverse / count : Number.NaN;
    r.avgAdverseMoveBps = adverse > 0 ? moveSum / adverse : Number.NaN;
    this.cacheH = h;
    this.cacheWindow = windowFills;
    this.cacheFrom = from;
    return r;
  }

  metrics(nowUs: LocalUs): DeskMetrics {
    const ledger = this.ledger;
    const current = this.currentTotal();
    const total = Number.isFinite(current) ? current : this.lastTotal;
    const day = Math.floor(nowUs / US_PER_DAY);
    const dailyPnl = day > this.dayIndex ? 0 : total - this.dayStartTotal;
    const h = this.adverseH;
    const known = this.allStat(this.mkCount, h);
    const adverse = this.allStat(this.mkAdverse, h);
    const positive = this.allStat(this.mkPositive, h);
    const moveSum = this.allStat(this.mkAdverseMoveSum, h);
    const elapsed = Math.max(0, nowUs - this.lastSampleUs);
    const area = this.invAreaLotUs + Math.abs(ledger.inventoryLots) * elapsed;
    const span = this.invTimeUs + elapsed;
    const avgInvLots = span > 0 ? area / span : Math.abs(ledger.inventoryLots);
    const avgInventory = avgInvLots * this.lotValue;
    const volumeTraded = ledger.volumeLots * this.lotValue;
    const n = this.nIntervals;
    const sd = n >= 2 ? Math.sqrt(this.m2Interval / (n - 1)) : Number.NaN;
    const varied = sd > 0;
    const sharpe = n >= this.sharpeMin && varied ? (this.meanInterval / sd) * Math.sqrt(this.calendar.secondsPerYear / this.intervalSec) : Number.NaN;
    const horizonSec = ANALYTICS_HORIZONS_SEC[h] ?? 5;
    const words: DefinitionInputs = {
      horizonSec,
      known,
      adverse,
      withMid: this.spreadCount,
      ordersPlaced: this.ordersPlaced,
      intervalSec: this.intervalSec,
      intervals: n,
      minIntervals: this.sharpeMin,
      varied,
      calendar: this.calendar,
    };
    return {
      totalPnl: total,
      dailyPnl,
      sharpe,
      sharpeBasis: sharpeBasis(words),
      sharpeIntervals: n,
      sharpeMinIntervals: this.sharpeMin,
      tradingCalendar: this.calendar.name,
      winRate: ratio(positive, known),
      winRateDefinition: winRateDefinition(words),
      avgSpreadCapturedBps: ratio(this.spreadSumBps, this.spreadCount),
      adverseSelectionRate: ratio(adverse, known),
      adverseHorizonSec: horizonSec,
      avgAdverseMoveBps: ratio(moveSum, adverse),
      avgInventory,
      maxInventory: this.maxAbsInventory * this.lotValue,
      inventoryTurnover: avgInventory > 0 ? volumeTraded / avgInventory : Number.NaN,
      numFills: this.nextSeq,
      fillRatio: ratio(this.filledOrders, this.ordersPlaced),
      maxDrawdown: Math.max(this.maxDrawdown, this.peakTotal - total),
      peakPnl: Math.max(this.peakTotal, total),
      fees: ledger.fees,
      volumeTraded,
      markouts: {
        buy: this.sideStats(0),
        sell: this.sideStats(1),
        all: this.sideStats(-1),
      },
      hourly: this.hourlyRows(),
      definitions: metricDefinitions(words),
    };
  }

  /* ------------------------------------------------------------------ internals */

  private bookFill(fill: AnalyticsFill, pending: boolean): void {
    if (!(fill.size > 0)) throw new RangeError(`fill ${fill.fillId}: size must be a positive number of lots, got ${fill.size}`);
    if (!Number.isFinite(fill.exchUs)) throw new RangeError(`fill ${fill.fillId}: execution time must be a finite time, got ${fill.exchUs}`);
    const t = fill.localUs;
    this.advanceInventoryArea(t);
    this.ledger.book(fill.side, fill.price, fill.size, fill.fee);
    const absInv = Math.abs(this.ledger.inventoryLots);
    if (absInv > this.maxAbsInventory) this.maxAbsInventory = absInv;
    this.countFilledOrder(fill.clientOrderId);

    // Overflow: the oldest record is about to be overwritten; its unresolved markouts are lost.
    const seq = this.nextSeq;
    const evictSeq = seq - this.capacity;
    if (evictSeq >= 0) {
      for (let h = 0; h < H; h++) {
        if ((this.resolveFrom[h] ?? 0) <= evictSeq) {
          this.resolveFrom[h] = evictSeq + 1;
          if (!Number.isNaN(this.recMid[evictSeq & this.mask] ?? Number.NaN)) this.dropped++;
        }
      }
    }
    const slot = seq & this.mask;
    const mid = fill.midAtFill;
    const hasMid = Number.isFinite(mid) && mid > 0;
    // The fill's own figures (markout clocks, its hour) run from execution; the position from receipt.
    const execUs = fill.exchUs;
    const hour = Math.floor(execUs / US_PER_HOUR) % 24;
    this.recId[slot] = fill.fillId;
    this.recSide[slot] = sideIndex(fill.side);
    this.recTimeUs[slot] = execUs;
    this.recMid[slot] = hasMid ? mid : Number.NaN;
    this.recHour[slot] = hour;
    const base = slot * H;
    for (let h = 0; h < H; h++) this.recMarkout[base + h] = Number.NaN;
    this.nextSeq = seq + 1;
    if (!pending) for (let h = 0; h < H; h++) this.resolveFrom[h] = this.nextSeq;

    this.hrSeen[hour] = 1;
    this.hrFills[hour] = (this.hrFills[hour] ?? 0) + 1;
    if (hasMid) {
      const captured = (fill.side === 'buy' ? mid - fill.price : fill.price - mid) / mid * 10_000;
      this.spreadSumBps += captured;
      this.spreadCount++;
      this.hrSpreadSum[hour] = (this.hrSpreadSum[hour] ?? 0) + captured;
      this.hrSpreadCount[hour] = (this.hrSpreadCount[hour] ?? 0) + 1;
    }
    this.sample(t);
  }

  private countFilledOrder(clientOrderId: string): void {
    const ring = this.recentFilledOrders;
    for (let i = 0; i < RECENT_FILLED_ORDERS; i++) if (ring[i] === clientOrderId) return;
    ring[this.recentFilledNext] = clientOrderId;
    this.recentFilledNext = (this.recentFilledNext + 1) % RECENT_FILLED_ORDERS;
    this.filledOrders++;
  }

  /**
   * Resolves every pending markout due at or before `nowUs` (every mark before its due instant is known),
   * with mid⁻(due) from the history. A due instant older than the history holds is dropped (counted).
   */
  private resolveDue(nowUs: LocalUs): void {
    for (let h = 0; h < H; h++) {
      const horizonUs = (ANALYTICS_HORIZONS_SEC[h] ?? 0) * US_PER_SEC;
      let seq = this.resolveFrom[h] ?? 0;
      while (seq < this.nextSeq) {
        const slot = seq & this.mask;
        const due = (this.recTimeUs[slot] ?? 0) + horizonUs;
        if (due > nowUs) break;
        const midFill = this.recMid[slot] ?? Number.NaN;
        if (!Number.isNaN(midFill)) {
          const midAfter = this.mids.before(due);
          if (Number.isNaN(midAfter)) {
            this.dropped++;
          } else {
            const sign = this.recSide[slot] === 0 ? 1 : -1;
            const bps = (sign * (midAfter - midFill) / midFill) * 10_000;
            this.recordMarkout(slot, h, bps);
            this.emit(this.recId[slot] ?? '', ANALYTICS_HORIZONS_SEC[h] ?? 1, bps, midAfter);
          }
        }
        seq++;
      }
      this.resolveFrom[h] = seq;
    }
  }

  private recordMarkout(slot: number, h: number, bps: number): void {
    this.recMarkout[slot * H + h] = bps;
    const s = this.recSide[slot] ?? 0;
    const i = s * H + h;
    this.mkCount[i] = (this.mkCount[i] ?? 0) + 1;
    this.mkSum[i] = (this.mkSum[i] ?? 0) + bps;
    if (bps < 0) {
      this.mkAdverse[i] = (this.mkAdverse[i] ?? 0) + 1;
      this.mkAdverseMoveSum[i] = (this.mkAdverseMoveSum[i] ?? 0) - bps;
    } else if (bps > 0) {
      this.mkPositive[i] = (this.mkPositive[i] ?? 0) + 1;
    }
    const hour = this.recHour[slot] ?? 0;
    const j = hour * H + h;
    this.hrKnown[j] = (this.hrKnown[j] ?? 0) + 1;
    if (bps < 0) this.hrAdverse[j] = (this.hrAdverse[j] ?? 0) + 1;
  }

  private emit(fillId: string, horizonSec: MarkoutHorizon, markoutBps: number, midAfter: number): void {
    const out = this.resolvedOut;
    let obj = this.resolvedPool[out.length];
    if (obj === undefined) {
      obj = { fillId, horizonSec, markoutBps, midAfter };
      this.resolvedPool.push(obj);
    } else {
      obj.fillId = fillId;
      obj.horizonSec = horizonSec;
      obj.markoutBps = markoutBps;
      obj.midAfter = midAfter;
    }
    out.push(obj);
  }

  private currentTotal(): number {
    const ledger = this.ledger;
    if (ledger.inventoryLots === 0) return ledger.realized() - ledger.fees;
    return ledger.total(this.lastMid);
  }

  private advanceInventoryArea(t: LocalUs): void {
    if (t > this.lastSampleUs) {
      this.invAreaLotUs += Math.abs(this.ledger.inventoryLots) * (t - this.lastSampleUs);
      this.invTimeUs += t - this.lastSampleUs;
      this.lastSampleUs = t;
    }
  }

  /** Samples total PnL at `t`: drawdown, daily, Sharpe intervals, hourly PnL, inventory area. */
  private sample(t: LocalUs): void {
    this.advanceInventoryArea(t);
    const previous = this.lastTotal;
    // Day boundary: the total prevailing before this sample is the day's opening figure.
    const day = Math.floor(t / US_PER_DAY);
    if (day > this.dayIndex) {
      this.dayIndex = day;
      this.dayStartTotal = previous;
    }
    // Completed Sharpe intervals: the previous total prevailed up to their ends.
    const k = Math.floor((t - this.sessionStartUs) / this.intervalUs);
    if (k > this.intervalIndex) {
      this.addInterval(previous - this.intervalStartTotal);
      const empty = k - this.intervalIndex - 1;
      if (empty > 0) this.addZeroIntervals(empty);
      this.intervalStartTotal = previous;
      this.intervalIndex = k;
    }
    const total = this.currentTotal();
    if (!Number.isFinite(total)) return;
    const hour = Math.floor(t / US_PER_HOUR) % 24;
    this.hrSeen[hour] = 1;
    this.hrPnl[hour] = (this.hrPnl[hour] ?? 0) + (total - previous);
    this.lastTotal = total;
    if (total > this.peakTotal) this.peakTotal = total;
    const dd = this.peakTotal - total;
    if (dd > this.maxDrawdown) this.maxDrawdown = dd;
  }

  private addInterval(x: number): void {
    this.nIntervals++;
    const delta = x - this.meanInterval;
    this.meanInterval += delta / this.nIntervals;
    this.m2Interval += delta * (x - this.meanInterval);
  }

  /** Welford merge of `k` intervals with zero PnL change (a quiet stretch, maybe a long replay gap). */
  private addZeroIntervals(k: number): void {
    const n = this.nIntervals;
    const total = n + k;
    const delta = -this.meanInterval;
    this.meanInterval += (delta * k) / total;
    this.m2Interval += (delta * delta * n * k) / total;
    this.nIntervals = total;
  }

  private allStat(arr: Float64Array, h: number): number {
    return (arr[h] ?? 0) + (arr[H + h] ?? 0);
  }

  private sideStats(side: -1 | 0 | 1): Record<`${MarkoutHorizon}s`, MarkoutStats> {
    const stat = (h: number): MarkoutStats => {
      const pick = (arr: Float64Array): number => (side < 0 ? this.allStat(arr, h) : (arr[side * H + h] ?? 0));
      const count = pick(this.mkCount);
      return { count, meanBps: ratio(pick(this.mkSum), count), adverseRate: ratio(pick(this.mkAdverse), count) };
    };
    return { '1s': stat(0), '5s': stat(1), '30s': stat(2), '60s': stat(3) };
  }

  private hourlyRows(): HourlyRow[] {
    const rows: HourlyRow[] = [];
    const h = this.adverseH;
    for (let hour = 0; hour < 24; hour++) {
      if (this.hrSeen[hour] !== 1) continue;
      const known = this.hrKnown[hour * H + h] ?? 0;
      const spreadCount = this.hrSpreadCount[hour] ?? 0;
      rows.push({
        hourUtc: hour,
        fills: this.hrFills[hour] ?? 0,
        adverseRate: ratio(this.hrAdverse[hour * H + h] ?? 0, known),
        pnl: this.hrPnl[hour] ?? 0,
        avgSpreadCapturedBps: ratio(this.hrSpreadSum[hour] ?? 0, spreadCount),
      });
    }
    return rows;
  }
}

/** part / whole, NaN (n/a) when there is nothing to divide by. */
function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : Number.NaN;
}
