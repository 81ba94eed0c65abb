/**
 * The risk gate: the trading state machine between the strategy and the venue, the limits and circuit
 * breakers, and the reason each side is not quoting.
 *
 * States (NautilusTrader's vocabulary, plus an explicit pause):
 *   active   — quote normally;
 *   paused   — quotes pulled, every other piece of state kept; `resume` quotes again;
 *   reducing — only orders that reduce |inventory|;
 *   halted   — nothing but cancels (and reduce-only flatten orders the operator asks for); latched until
 *              an explicit, confirmed `rearm`.
 * Effective quoting = operator intent AND a healthy feed AND every limit respected. The gate answers
 * synchronously (`allows`), so a kill takes effect in the same event-loop turn. Every transition and every
 * breaker trip goes to `hooks` with its cause, for the audit trail. Pure apart from its hooks: time is
 * passed in.
 */
import type { LimitUsageView, NotQuotingReason, TradingState } from '../../shared/contract.js';
import type { RiskParams } from '../../shared/params.js';
import type { LocalUs, Lots, Side } from '../../shared/units.js';
import type { Exposure, OrderRefusal } from '../execution/order-manager.js';
import type { OrderRequest } from '../execution/types.js';

export type BreakerName =
  | 'session-loss'
  | 'daily-loss'
  | 'fill-burst'
  | 'price-band'
  | 'adverse-selection'
  | 'stale-feed'
  | 'book-untrusted'
  | 'storage-fault'
  | 'venue-disconnected'
  | 'position-mismatch';

/** A live venue's conditions that stop quoting while they hold (see `venueCondition`). */
export type VenueCondition = 'venue-disconnected' | 'position-mismatch';

export interface RiskHooks {
  transitioned(from: TradingState, to: TradingState, cause: string, who: string, nowUs: LocalUs): void;
  breakerTripped(name: BreakerName, detail: Record<string, unknown>, nowUs: LocalUs): void;
  breakerCleared(name: BreakerName, nowUs: LocalUs): void;
}

/** What the gate needs to know about the market and the book-keeping at one instant. */
export interface RiskInputs {
  readonly nowUs: LocalUs;
  readonly inventoryLots: Lots;
  /** Mark-to-market PnL of the session, fees included, quote currency. */
  readonly sessionPnl: number;
  /** Mark-to-market PnL since the start of the UTC day. */
  readonly dailyPnl: number;
  readonly feedTrusted: boolean;
  /**
   * Milliseconds the feed's connection has been silent (no frame, no answer to our ping); null without a
   * connection. A quiet market on a live connection is not silence (feed-health.ts).
   */
  readonly connectionSilentMs: number | null;
  readonly hasMarket: boolean;
  readonly crossed: boolean;
  /** Fair value in ticks (NaN when unknown). */
  readonly fairValueTicks: number;
  readonly adverseRate: number;
  readonly adverseCount: number;
  readonly ordersLastSec: number;
}

const US_PER_SEC = 1_000_000;

export class RiskGate {
  private current: TradingState = 'active';
  private cause = 'start';
  private readonly tripped = new Set<BreakerName>();
  private fillTimes: LocalUs[] = [];
  private readonly band = new RollingRange();
  private lastInputs: RiskInputs | null = null;
  private reconciling = false;
  private storageFault: string | null = null;
  private feedSeenHealthy = false;

  constructor(
    private params: RiskParams,
    private readonly hooks: RiskHooks,
    /** Sizes in a refusal's words (the desk passes the instrument's; lots by default). */
    private readonly sizeText: (lots: Lots) => string = (lots) => `${lots} lots`,
  ) {}

  state(): TradingState {
    return this.current;
  }

  stateCause(): string {
    return this.cause;
  }

  configure(params: RiskParams): void {
    this.params = params;
  }

  isTripped(name: BreakerName): boolean {
    return this.tripped.has(name);
  }

  setReconciling(on: boolean): void {
    this.reconciling = on;
  }

  isReconciling(): boolean {
    return this.reconciling;
  }

  /* ------------------------------------------------------------- operator commands */

  kill(who: string, nowUs: LocalUs, why = 'kill switch'): void {
    this.transition('halted', why, who, nowUs);
  }

  /** Leaves `halted`; refuses (returns an error) from any other state or while a halt cause persists. */
  rearm(who: string, nowUs: LocalUs): string | null {
    if (this.current !== 'halted') return `cannot re-arm: trading is ${this.current}, not halted`;
    if (this.storageFault) return `cannot re-arm: storage fault persists (${this.storageFault})`;
    for (const name of ['session-loss', 'daily-loss'] as const) this.tripped.delete(name);
    this.transition('active', 're-armed', who, nowUs);
    return null;
  }

  pause(who: string, nowUs: LocalUs, cause = 'operator pause'): string | null {
    if (this.current === 'halted') return 'cannot pause: trading is halted (re-arm first)';
    if (this.current !== 'paused') this.transition('paused', cause, who, nowUs);
    return null;
  }

  resume(who: string, nowUs: LocalUs): string | null {
    if (this.current === 'halted') return 'cannot resume: trading is halted (re-arm first)';
    for (const name of ['fill-burst', 'price-band'] as const) this.tripped.delete(name);
    if (this.tripped.has('adverse-selection') && this.params.adverseBreakerAction === 'pause') this.tripped.delete('adverse-selection');
    if (this.current !== 'active') this.transition('active', 'operator resume', who, nowUs);
    return null;
  }

  reduce(who: string, nowUs: LocalUs): string | null {
    if (this.current === 'halted') return 'cannot switch to reducing: trading is halted (re-arm first)';
    if (this.current !== 'reducing') this.transition('reducing', 'operator reduce-only', who, nowUs);
    return null;
  }

  /** A storage fault (full disk, I/O error): halt with that reason. */
  storageFailed(detail: string, nowUs: LocalUs): void {
    this.storageFault = detail;
    if (!this.tripped.has('storage-fault')) {
      this.tripped.add('storage-fault');
      this.hooks.breakerTripped('storage-fault', { detail }, nowUs);
    }
    if (this.current !== 'halted') this.transition('halted', `storage fault: ${detail}`, 'risk', nowUs);
  }

  storageRecovered(nowUs: LocalUs): void {
    if (this.storageFault === null) return;
    this.storageFault = null;
    this.tripped.delete('storage-fault');
    this.hooks.breakerCleared('storage-fault', nowUs);
  }

  /**
   * A live venue's condition: its user data stream is down (fills cannot be seen as they happen), or its
   * holding disagrees with the session's stored fills until the operator accepts it. While either holds
   * no quote is placed and no order but a cancel leaves; it clears when the condition does.
   */
  venueCondition(name: VenueCondition, on: boolean, detail: Record<string, unknown>, nowUs: LocalUs): void {
    this.flag(name, on, detail, nowUs);
  }

  /* ---------------------------------------------------------------- automatic */

  onFill(nowUs: LocalUs): void {
    this.fillTimes.push(nowUs);
    const from = nowUs - this.params.fillBurstWindowSec * US_PER_SEC;
    let start = 0;
    while (start < this.fillTimes.length && (this.fillTimes[start] ?? 0) < from) start++;
    if (start > 0) this.fillTimes = this.fillTimes.slice(start);
    if (this.fillTimes.length >= this.params.fillBurstCount && !this.tripped.has('fill-burst')) {
      this.trip('fill-burst', { fills: this.fillTimes.length, windowSec: this.params.fillBurstWindowSec }, nowUs);
      if (this.current === 'active' || this.current === 'reducing') this.transition('paused', `fill burst: ${this.fillTimes.length} fills in ${this.params.fillBurstWindowSec} s`, 'risk', nowUs);
    }
  }

  /** Re-evaluates every limit and breaker with the latest figures. */
  evaluate(inputs: RiskInputs): void {
    this.lastInputs = inputs;
    const p = this.params;
    const now = inputs.nowUs;

    if (-inputs.sessionPnl >= p.maxLossSession && !this.tripped.has('session-loss')) {
      this.trip('session-loss', { pnl: inputs.sessionPnl, limit: p.maxLossSession }, now);
      if (this.current !== 'halted') this.transition('halted', `session loss limit: PnL ${inputs.sessionPnl.toFixed(2)} ≤ −${p.maxLossSession}`, 'risk', now);
    }
    if (-inputs.dailyPnl >= p.maxLossDaily && !this.tripped.has('daily-loss')) {
      this.trip('daily-loss', { pnl: inputs.dailyPnl, limit: p.maxLossDaily }, now);
      if (this.current !== 'halted') this.transition('halted', `daily loss limit: PnL ${inputs.dailyPnl.toFixed(2)} ≤ −${p.maxLossDaily}`, 'risk', now);
    }

    if (!Number.isNaN(inputs.fairValueTicks)) {
      const moveBps = this.band.push(now, inputs.fairValueTicks, p.priceBandWindowSec * US_PER_SEC);
      if (moveBps > p.priceBandBps && !this.tripped.has('price-band')) {
        this.trip('price-band', { moveBps: round2(moveBps), limitBps: p.priceBandBps, windowSec: p.priceBandWindowSec }, now);
        if (this.current === 'active' || this.current === 'reducing') this.transition('paused', `price band: fair value moved ${moveBps.toFixed(1)} bps in ${p.priceBandWindowSec} s`, 'risk', now);
      }
    }

    const adverseOver = inputs.adverseCount >= p.adverseBreakerMinFills && inputs.adverseRate > p.adverseBreakerRate;
    if (adverseOver && !this.tripped.has('adverse-selection')) {
      this.trip('adverse-selection', { rate: round2(inputs.adverseRate), threshold: p.adverseBreakerRate, fills: inputs.adverseCount, action: p.adverseBreakerAction }, now);
      if (p.adverseBreakerAction === 'pause' && (this.current === 'active' || this.current === 'reducing')) {
        this.transition('paused', `adverse selection ${(inputs.adverseRate * 100).toFixed(0)} % > ${(p.adverseBreakerRate * 100).toFixed(0)} %`, 'risk', now);
      }
    } else if (!adverseOver && this.tripped.has('adverse-selection') && p.adverseBreakerAction === 'widen') {
      this.clear('adverse-selection', now);
    }

    const stale = inputs.connectionSilentMs === null || inputs.connectionSilentMs > p.staleFeedMs;
    // why: a feed that is still connecting (no message yet, no snapshot yet) is not a stale or untrusted
    // spell: until it has once been healthy there is simply no market ('no-market' says so). Tripping
    // here audited spurious breakers at every start and, with autoResumeWhenHealthy off, paused the desk
    // before its first quote, so it never quoted without a manual resume.
    if (!this.feedSeenHealthy) {
      if (stale || !inputs.feedTrusted) return;
      this.feedSeenHealthy = true;
    }
    this.flag('stale-feed', stale, { silentMs: inputs.connectionSilentMs, limitMs: p.staleFeedMs }, now);
    this.flag('book-untrusted', !inputs.feedTrusted, {}, now);
  }

  /** True when the adverse-selection breaker asks the strategy to widen. */
  widenForAdverse(): boolean {
    return this.tripped.has('adverse-selection') && this.params.adverseBreakerAction === 'widen';
  }

  /**
   * Why one side may not quote now, most decisive first; empty when the gate lets it quote.
   * Strategy reasons (inventory limit, schedule, zero size) are added by the desk.
   */
  sideReasons(side: Side, inventoryLots: Lots, out: NotQuotingReason[]): void {
    if (out.length > 0) out.length = 0;
    const inputs = this.lastInputs;
    const growing = side === 'buy' ? inventoryLots >= this.params.maxInventoryLots : -inventoryLots >= this.params.maxInventoryLots;
    // The common case, checked first on every event: active, nothing tripped, a clean two-sided market.
    if (this.current === 'active' && this.tripped.size === 0 && !this.reconciling && inputs !== null && inputs.hasMarket && !inputs.crossed) {
      if (growing) out.push('inventory-limit');
      return;
    }
    switch (this.current) {
      case 'halted':
        out.push('halted');
        break;
      case 'paused':
        out.push('paused');
        break;
      case 'reducing':
        if ((side === 'buy' && inventoryLots >= 0) || (side === 'sell' && inventoryLots <= 0)) out.push('reducing');
        break;
      case 'active':
        break;
    }
    if (this.tripped.has('session-loss') || this.tripped.has('daily-loss')) out.push('loss-limit');
    if (this.tripped.has('storage-fault')) out.push('storage-fault');
    if (this.tripped.has('venue-disconnected')) out.push('venue-disconnected');
    if (this.tripped.has('position-mismatch')) out.push('position-mismatch');
    if (this.reconciling) out.push('reconciling');
    if (this.tripped.has('stale-feed')) out.push('stale-feed');
    if (this.tripped.has('book-untrusted')) out.push('resyncing');
    if (inputs && inputs.crossed) out.push('crossed-market');
    if (inputs && !inputs.hasMarket) out.push('no-market');
    if (this.tripped.has('fill-burst')) out.push('fill-burst');
    if (this.tripped.has('price-band')) out.push('price-band');
    if (this.tripped.has('adverse-selection') && this.params.adverseBreakerAction === 'pause') out.push('adverse-selection');
    if (growing) out.push('inventory-limit');
  }

  /**
   * The synchronous check every new order passes before it leaves. Null allows it; a refusal names the
   * side's reason and says why in words. Halted refuses all but reduce-only flatten orders; reducing
   * refuses anything that could grow |inventory|.
   */
  allows(request: OrderRequest, exposure: Exposure): OrderRefusal | null {
    const reduces = reducesInventory(request, exposure);
    switch (this.current) {
      case 'halted':
        if (request.purpose === 'flatten' && reduces) return null;
        return { reason: 'halted', detail: 'halted: no new orders until re-armed' };
      case 'paused':
        if (request.purpose === 'flatten' && reduces) return null;
        return { reason: 'paused', detail: 'paused: quotes pulled' };
      case 'reducing':
        return reduces ? null : { reason: 'would-not-reduce', detail: wouldNotReduce(request, exposure, this.sizeText) };
      case 'active':
        break;
    }
    if (this.storageFault) return { reason: 'storage-fault', detail: `storage fault: ${this.storageFault}` };
    if (this.tripped.has('venue-disconnected')) return { reason: 'venue-disconnected', detail: "the venue's user data stream is down" };
    if (this.tripped.has('position-mismatch')) return { reason: 'position-mismatch', detail: 'the venue position differs from the stored fills (accept it first)' };
    const worst = request.side === 'buy' ? exposure.inventoryLots + exposure.openBuyLots + request.size : exposure.inventoryLots - exposure.openSellLots - request.size;
    if (Math.abs(worst) > this.params.maxInventoryLots && !reduces) {
      return { reason: 'inventory-limit', detail: `would breach the hard inventory limit: ${this.sizeText(worst)} if filled, limit ${this.sizeText(this.params.maxInventoryLots)}` };
    }
    return null;
  }

  /** How much of each limit is used now, for the monitor's bars. */
  limitUsage(): LimitUsageView[] {
    const p = this.params;
    const inputs = this.lastInputs;
    const inventory = inputs ? Math.abs(inputs.inventoryLots) : 0;
    const sessionLoss = inputs ? Math.max(0, -inputs.sessionPnl) : 0;
    const dailyLoss = inputs ? Math.max(0, -inputs.dailyPnl) : 0;
    const rate = inputs ? inputs.ordersLastSec : 0;
    const usage = (name: string, used: number, limit: number, unit: string): LimitUsageView => ({
      name,
      used,
      limit,
      fraction: limit > 0 ? used / limit : 0,
      unit,
    });
    return [
      usage('inventory', inventory, p.maxInventoryLots, 'lots'),
      // The soft level is a warning, not a stop: its own bar reaches 1 before the hard limit does.
      usage('softInventory', inventory, p.softInventoryLots, 'lots'),
      usage('sessionLoss', round2(sessionLoss), p.maxLossSession, 'quote'),
      usage('dailyLoss', round2(dailyLoss), p.maxLossDaily, 'quote'),
      usage('orderRate', rate, p.maxOrdersPerSec, 'orders/s'),
      usage('fillBurst', this.fillTimes.length, p.fillBurstCount, `fills/${p.fillBurstWindowSec}s`),
    ];
  }

  /* ---------------------------------------------------------------- internals */

  private transition(to: TradingState, cause: string, who: string, nowUs: LocalUs): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.cause = cause;
    this.hooks.transitioned(from, to, cause, who, nowUs);
  }

  private trip(name: BreakerName, detail: Record<string, unknown>, nowUs: LocalUs): void {
    this.tripped.add(name);
    this.hooks.breakerTripped(name, detail, nowUs);
  }

  private clear(name: BreakerName, nowUs: LocalUs): void {
    if (!this.tripped.delete(name)) return;
    this.hooks.breakerCleared(name, nowUs);
  }

  /** A condition-driven breaker (stale feed, untrusted book): tripped while the condition holds. */
  private flag(name: BreakerName, on: boolean, detail: Record<string, unknown>, nowUs: LocalUs): void {
    if (on && !this.tripped.has(name)) {
      this.trip(name, detail, nowUs);
      if (!this.params.autoResumeWhenHealthy && this.current === 'active') {
        this.transition('paused', `${name}: quotes pulled; resume by hand (autoResumeWhenHealthy is off)`, 'risk', nowUs);
      }
    } else if (!on && this.tripped.has(name)) {
      this.clear(name, nowUs);
    }
  }
}

/** True when the order, if fully filled, moves inventory toward zero without crossing it. */
export function reducesInventory(request: OrderRequest, exposure: Exposure): boolean {
  if (request.side === 'sell') return exposure.inventoryLots - exposure.openSellLots - request.size >= 0 && exposure.inventoryLots > 0;
  return exposure.inventoryLots + exposure.openBuyLots + request.size <= 0 && exposure.inventoryLots < 0;
}

/** Why an order in reduce-only would not reduce: it is on the growing side, or larger than what is left. */
function wouldNotReduce(request: OrderRequest, exposure: Exposure, size: (lots: Lots) => string): string {
  const inventory = exposure.inventoryLots;
  const growing = request.side === 'buy' ? inventory >= 0 : inventory <= 0;
  if (growing) return `reduce-only: a ${request.side} order would grow the position (inventory ${size(inventory)})`;
  const working = request.side === 'buy' ? exposure.openBuyLots : exposure.openSellLots;
  return `reduce-only: ${size(request.size)} with ${size(working)} working would take inventory ${size(inventory)} past zero`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Range (max − min, in bps of min) of a value over a sliding time window, O(1) amortised per sample
 * with two monotonic deques, so the price-band breaker costs nothing at 20,000 messages/s.
 */
class RollingRange {
  private readonly maxUs: number[] = [];
  private readonly maxV: number[] = [];
  private readonly minUs: number[] = [];
  private readonly minV: number[] = [];
  private maxHead = 0;
  private minHead = 0;

  push(us: LocalUs, value: number, windowUs: number): number {
    while (this.maxV.length > this.maxHead && (this.maxV[this.maxV.length - 1] ?? 0) <= value) {
      this.maxV.pop();
      this.maxUs.pop();
    }
    this.maxV.push(value);
    this.maxUs.push(us);
    while (this.minV.length > this.minHead && (this.minV[this.minV.length - 1] ?? 0) >= value) {
      this.minV.pop();
      this.minUs.pop();
    }
    this.minV.push(value);
    this.minUs.push(us);
    const from = us - windowUs;
    while ((this.maxUs[this.maxHead] ?? us) < from) this.maxHead++;
    while ((this.minUs[this.minHead] ?? us) < from) this.minHead++;
    if (this.maxHead > 4096 || this.minHead > 4096) this.compact();
    const hi = this.maxV[this.maxHead] ?? value;
    const lo = this.minV[this.minHead] ?? value;
    return lo > 0 ? ((hi - lo) / lo) * 10_000 : 0;
  }

  private compact(): void {
    this.maxV.splice(0, this.maxHead);
    this.maxUs.splice(0, this.maxHead);
    this.maxHead = 0;
    this.minV.splice(0, this.minHead);
    this.minUs.splice(0, this.minHead);
    this.minHead = 0;
  }
}
