/**
 * The contract between the desk and a quoting model: what a model reads and what it decides.
 *
 * A model is pure: no I/O, no wall clock (time arrives in the inputs), and no allocation per decision
 * (the desk passes the same `QuoteDecision` object every time). Prices are ticks (fair value and
 * reservation may be fractional ticks; quoted prices are integers on the grid), sizes are lots.
 */
import type { NotQuotingReason } from '../../shared/contract.js';
import type { DeskParams } from '../../shared/params.js';
import type { LocalUs, Lots, Ticks } from '../../shared/units.js';
import type { BookReader, MarketTrade } from '../market/types.js';

export interface QuoteInputs {
  nowUs: LocalUs;
  book: BookReader;
  /** Best bid/ask in ticks; the desk calls `quote` only when both exist and the book is not crossed. */
  bestBid: Ticks;
  bestAsk: Ticks;
  inventoryLots: Lots;
  /** Adverse-selection rate at the configured horizon over the recent window; NaN while unknown. */
  adverseRate: number;
  /** True when the risk gate's adverse-selection breaker asks for widening. */
  adverseBreakerWiden: boolean;
}

/** One quoting decision. Size 0 on a side means the model does not quote it; the reason says why. */
export interface QuoteDecision {
  bidPrice: Ticks;
  bidSize: Lots;
  askPrice: Ticks;
  askSize: Lots;
  bidReason: NotQuotingReason | null;
  askReason: NotQuotingReason | null;
  /** Fair value in (fractional) ticks. */
  fairValue: number;
  /** Centre of our quotes after skew, in (fractional) ticks. */
  reservation: number;
  /** Distance from fair value to each quote before rounding, in bps of fair value. */
  bidHalfSpreadBps: number;
  askHalfSpreadBps: number;
  /** (reservation − fair value) in bps of fair value. */
  skewBps: number;
  /** Annualised volatility from observed mids (NaN while unknown). */
  volAnnual: number;
  /** Factors applied to the base spread, for display and audit. */
  volMultiplier: number;
  adverseMultiplier: number;
  scheduleMultiplier: number;
}

export function emptyDecision(): QuoteDecision {
  return {
    bidPrice: Number.NaN,
    bidSize: 0,
    askPrice: Number.NaN,
    askSize: 0,
    bidReason: null,
    askReason: null,
    fairValue: Number.NaN,
    reservation: Number.NaN,
    bidHalfSpreadBps: Number.NaN,
    askHalfSpreadBps: Number.NaN,
    skewBps: 0,
    volAnnual: Number.NaN,
    volMultiplier: 1,
    adverseMultiplier: 1,
    scheduleMultiplier: 1,
  };
}

export interface QuotingStrategy {
  /** Applies a whole, already validated parameter set (called at an event boundary). */
  configure(params: DeskParams): void;
  /** Feeds the volatility estimator with the mid (ticks, may be x.5) as observed at `nowUs`. */
  observeMid(nowUs: LocalUs, midTicks: number): void;
  /** Feeds the order-arrival intensity calibration with a public trade and the mid just before it. */
  observeTrade(trade: MarketTrade, midTicksBefore: number): void;
  /** Fills `out` with the quotes for these inputs. */
  quote(inputs: QuoteInputs, out: QuoteDecision): void;
}
