/**
 * The contract of the analytics core: one definition of PnL, markouts and the statistics table, used
 * live, in replay and in backtests alike.
 *
 * Pure: time arrives as arguments (the desk's clock), no I/O. Prices in ticks (a mid may be x.5),
 * sizes in lots; money figures come out in quote currency using the instrument's tick and lot values.
 */
import type { DeskMetrics, MarkoutHorizon } from '../../shared/contract.js';
import type { LocalUs, Lots } from '../../shared/units.js';
import type { Fill } from '../execution/types.js';

export interface AnalyticsFill extends Fill {
  /** The mid prevailing just before execution (`midBefore(exchUs)`), in ticks; NaN when unknown. */
  readonly midAtFill: number;
  /** The strategy's fair value when the fill report was received, in ticks; NaN when unknown. */
  readonly fairValueAtFill: number;
}

export interface PnlView {
  readonly total: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly fees: number;
}

export interface PositionView {
  readonly inventoryLots: Lots;
  /** Cash in quote currency (fees included). */
  readonly cash: number;
}

export interface AdverseRate {
  /** Share of the window's fills whose markout at the horizon is adverse; NaN when none is known yet. */
  readonly rate: number;
  /** How many fills the rate is over. */
  readonly count: number;
  /** Mean adverse move (absolute, bps of mid) over the adverse fills; NaN when none. */
  readonly avgAdverseMoveBps: number;
}

/** A markout that just became known: the desk stores it. */
export interface MarkoutResolved {
  readonly fillId: string;
  readonly horizonSec: MarkoutHorizon;
  /** Markout in bps of the mid at the fill, positive in our favour. */
  readonly markoutBps: number;
  readonly midAfter: number;
}

export interface Analytics {
  /** Books a fill: position, cash, fees, realised PnL, pending markouts. */
  onFill(fill: AnalyticsFill): void;
  /**
   * Advances time with the current mid (ticks): resolves due markouts (returned, oldest first; the array
   * is reused between calls), samples inventory and PnL for the time-weighted and interval statistics.
   */
  onMark(nowUs: LocalUs, midTicks: number): readonly MarkoutResolved[];
  position(): PositionView;
  pnl(markMidTicks: number): PnlView;
  adverseRate(horizonSec: MarkoutHorizon, windowFills: number): AdverseRate;
  metrics(nowUs: LocalUs): DeskMetrics;
}
