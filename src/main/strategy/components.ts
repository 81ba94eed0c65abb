/**
 * The article's quoting components as small pure functions, each switchable by its parameters: fair value
 * (top-of-book nudge and depth-weighted imbalance), the volatility and adverse-selection multipliers, the
 * time-of-day schedule, inventory skew, sizes with the hard inventory limit, and the final step that puts
 * prices on the tick grid and keeps them passive.
 *
 * Units: prices in ticks (fair value may be fractional), sizes in lots, spreads and skews in basis points of
 * fair value (seed-notes defect 1: a spread is a fraction of the price, never a price). Every function is
 * allocation-free and reads only its arguments; none knows which model is running. Rounding is done only by
 * `finishQuote`, after every adjustment (defect 4).
 */
import type { NotQuotingReason } from '../../shared/contract.js';
import type { AdverseSelectionParams, FairValueParams, ScheduleEntry, SizeParams, StrategyParams } from '../../shared/params.js';
import type { BookReader } from '../market/types.js';
import type { QuoteDecision } from './types.js';

/** Tolerance, in ticks, absorbing floating error before floor/ceil to the grid (far below any tick). */
const GRID_EPSILON_TICKS = 1e-6;
const US_PER_MINUTE = 60_000_000;
const MINUTES_PER_DAY = 1_440;

/** Top-of-book imbalance (bidSize − askSize) / (bidSize + askSize) in [−1, 1]; 0 when both are empty. */
export function topOfBookImbalance(book: BookReader, bestBid: number, bestAsk: number): number {
  const bid = book.sizeAt('bid', bestBid);
  const ask = book.sizeAt('ask', bestAsk);
  const total = bid + ask;
  return total > 0 ? (bid - ask) / total : 0;
}

/** Most levels the depth-imbalance term reads (the parameter's upper bound). */
const MAX_DEPTH_LEVELS = 50;

/**
 * Fair value in ticks: mid + top-of-book imbalance × ticksPerImbalance (article `calculate_fair_value`),
 * then + fair value × depth imbalance × sensitivityBps / 10 000 (article `OrderBookImbalanceModel`, applied
 * to the nudged value as the article's subclass does). Each term is switched by its `enabled` flag.
 *
 * A small object rather than a function because of the hot path: results are left in fields and the depth
 * imbalance is summed here from `book.top` into owned typed arrays (weights 1/(i+1), as
 * `BookReader.imbalance` defines it), so no fractional number crosses a call boundary — V8 boxes a double
 * returned by a call it did not inline, which would be an allocation per quote.
 */
export class FairValue {
  /** Fair value in (fractional) ticks after the last `compute`. */
  value = Number.NaN;
  /** The two imbalances of the last `compute` (0 when the term is disabled), for display. */
  topImbalance = 0;
  depthImbalance = 0;
  private readonly prices = new Float64Array(MAX_DEPTH_LEVELS);
  private readonly sizes = new Float64Array(MAX_DEPTH_LEVELS);

  compute(book: BookReader, bestBid: number, bestAsk: number, params: FairValueParams): void {
    let fair = (bestBid + bestAsk) / 2;
    this.topImbalance = 0;
    this.depthImbalance = 0;
    const nudge = params.topOfBookNudge;
    if (nudge.enabled) {
      const bid = book.sizeAt('bid', bestBid);
      const ask = book.sizeAt('ask', bestAsk);
      const total = bid + ask;
      this.topImbalance = total > 0 ? (bid - ask) / total : 0;
      fair += this.topImbalance * nudge.ticksPerImbalance;
    }
    const depth = params.depthImbalance;
    if (depth.enabled) {
      const levels = depth.levels < MAX_DEPTH_LEVELS ? depth.levels : MAX_DEPTH_LEVELS;
      let bidWeighted = 0;
      let askWeighted = 0;
      const nb = book.top('bid', levels, this.prices, this.sizes);
      for (let i = 0; i < nb; i++) bidWeighted += (this.sizes[i] ?? 0) / (i + 1);
      const na = book.top('ask', levels, this.prices, this.sizes);
      for (let i = 0; i < na; i++) askWeighted += (this.sizes[i] ?? 0) / (i + 1);
      const total = bidWeighted + askWeighted;
      this.depthImbalance = total > 0 ? (bidWeighted - askWeighted) / total : 0;
      fair += (fair * this.depthImbalance * depth.sensitivityBps) / 10_000;
    }
    this.value = fair;
  }
}

/**
 * The ONE volatility term (defect 2): σ_observed / σ_normal clamped to [minMultiplier, maxMultiplier];
 * 1 while the estimate is unknown, so a cold start neither collapses nor explodes the spread.
 */
export function volatilityMultiplier(volAnnual: number, params: StrategyParams['spread']['volatility']): number {
  if (!params.enabled || !Number.isFinite(volAnnual)) return 1;
  const ratio = volAnnual / params.normalVolAnnual;
  if (ratio < params.minMultiplier) return params.minMultiplier;
  if (ratio > params.maxMultiplier) return params.maxMultiplier;
  return ratio;
}

/**
 * Adverse-selection widening factor. Two separate mechanisms compound: the strategy's own check (enabled
 * and rate > threshold, seed-notes defect 6: the threshold is a parameter) widens by 1 + rate; the risk
 * gate's breaker (a stronger condition, over its own minimum of fills) widens by a further 1 + rate, so a
 * tripped breaker always widens beyond what the strategy already does. With an unknown rate the breaker
 * widens by 2 (rate taken as 1): the conservative choice.
 */
export function adverseMultiplier(params: AdverseSelectionParams, rate: number, breakerWiden: boolean): number {
  const known = Number.isFinite(rate);
  const own = params.enabled && known && rate > params.threshold ? 1 + rate : 1;
  const breaker = breakerWiden ? 1 + (known ? rate : 1) : 1;
  return own * breaker;
}

/** Minute of the UTC day (0–1439) of a desk timestamp in µs. */
export function utcMinuteOfDay(nowUs: number): number {
  const minute = Math.floor(nowUs / US_PER_MINUTE) % MINUTES_PER_DAY;
  return minute < 0 ? minute + MINUTES_PER_DAY : minute;
}

/**
 * The first schedule entry whose window [from, to) contains the UTC minute of `nowUs` (windows may wrap
 * past midnight), or null when none does (quote normally, multiplier 1).
 */
export function scheduleEntryAt(schedule: readonly ScheduleEntry[], nowUs: number): ScheduleEntry | null {
  if (schedule.length === 0) return null;
  const minute = utcMinuteOfDay(nowUs);
  for (let i = 0; i < schedule.length; i++) {
    const entry = schedule[i];
    if (entry === undefined) continue;
    const from = entry.fromMinuteUtc;
    const to = entry.toMinuteUtc;
    const inside = from < to ? minute >= from && minute < to : minute >= from || minute < to;
    if (inside) return entry;
  }
  return null;
}

/** Inventory skew in bps of fair value: −(inventory − target) / maxInventory × bpsAtMaxInventory. */
export function inventorySkewBps(inventoryLots: number, targetLots: number, maxInventoryLots: number, bpsAtMax: number): number {
  return (-(inventoryLots - targetLots) / maxInventoryLots) * bpsAtMax;
}

/**
 * Sizes of both sides into `out` (bidSize/askSize and their reasons), the article's rules made safe:
 * base lots, shrinking linearly with |inventory| / hard limit when enabled; the side that would grow the
 * position (bid when long, ask when short) keeps `growingSideFactor` of it; no side ever offers more than the
 * room left to the hard limit, so a complete fill can never take |inventory| past `maxInventoryLots`
 * (seed-notes defect 11); never negative. A side at or beyond the limit gets 0 with 'inventory-limit'; a side
 * that rounds to 0 otherwise gets 'zero-size'. At or beyond the limit (a limit lowered below the position)
 * the shrink would leave the side that REDUCES the position at 0 too: that side keeps quoting
 * min(base lots, |inventory|), so the position is worked back inside the limit.
 */
export function applySizes(inventoryLots: number, maxInventoryLots: number, params: SizeParams, out: QuoteDecision): void {
  const absInventory = Math.abs(inventoryLots);
  let size = params.baseLots;
  if (params.shrinkWithInventory) {
    size = absInventory >= maxInventoryLots ? 0 : Math.floor((params.baseLots * (maxInventoryLots - absInventory)) / maxInventoryLots);
  }
  let bid = size;
  let ask = size;
  if (inventoryLots > 0) bid = Math.floor(size * params.growingSideFactor);
  else if (inventoryLots < 0) ask = Math.floor(size * params.growingSideFactor);
  if (absInventory >= maxInventoryLots && absInventory > 0) {
    const reducing = Math.min(params.baseLots, absInventory);
    if (inventoryLots > 0) ask = Math.max(ask, reducing);
    else bid = Math.max(bid, reducing);
  }
  out.bidSize = capToRoom(bid, maxInventoryLots - inventoryLots);
  out.bidReason = sizeReason(out.bidSize, maxInventoryLots - inventoryLots);
  out.askSize = capToRoom(ask, maxInventoryLots + inventoryLots);
  out.askReason = sizeReason(out.askSize, maxInventoryLots + inventoryLots);
}

function capToRoom(size: number, roomLots: number): number {
  if (!(roomLots > 0) || !(size > 0)) return 0;
  return size > roomLots ? roomLots : size;
}

function sizeReason(size: number, roomLots: number): NotQuotingReason | null {
  if (size > 0) return null;
  return roomLots > 0 ? 'zero-size' : 'inventory-limit';
}

/**
 * Puts raw prices (fractional ticks, after EVERY adjustment) on the grid and into the market's rules, into
 * `out`: bid rounded down and ask rounded up; unless `allowTaking`, bid ≤ best ask − 1 and ask ≥ best bid + 1
 * (passive); then ask ≥ bid + 1 by raising the ask (which keeps it passive). A side whose raw price is not
 * finite, or whose bid falls below 0 ticks, is not quoted ('zero-size'). Sizes must already be in `out`.
 */
export function finishQuote(bidRaw: number, askRaw: number, bestBid: number, bestAsk: number, allowTaking: boolean, out: QuoteDecision): void {
  let bid = Number.isFinite(bidRaw) ? Math.floor(bidRaw + GRID_EPSILON_TICKS) : Number.NaN;
  let ask = Number.isFinite(askRaw) ? Math.ceil(askRaw - GRID_EPSILON_TICKS) : Number.NaN;
  if (!allowTaking) {
    if (bid > bestAsk - 1) bid = bestAsk - 1;
    if (ask < bestBid + 1) ask = bestBid + 1;
  }
  if (!Number.isNaN(bid) && !Number.isNaN(ask) && ask < bid + 1) ask = bid + 1;
  if (Number.isNaN(bid) || bid < 0) {
    if (out.bidSize > 0) out.bidReason = 'zero-size';
    out.bidSize = 0;
  }
  if (Number.isNaN(ask)) {
    if (out.askSize > 0) out.askReason = 'zero-size';
    out.askSize = 0;
  }
  out.bidPrice = bid;
  out.askPrice = ask;
}
