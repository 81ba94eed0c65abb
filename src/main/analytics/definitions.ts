/**
 * The words of the statistics: for every figure of `DeskMetrics`, one sentence saying exactly what the
 * analytics core computed, with the counts behind it. The monitor's tooltips, the backtest report and
 * `/api/metrics` all read these, so what a figure is said to be and what it is cannot drift apart. Pure
 * text; it must not compute any figure itself.
 */
import type { MetricName } from '../../shared/contract.js';
import type { TradingCalendar } from './calendar.js';

export interface DefinitionInputs {
  readonly horizonSec: number;
  /** Fills with a known markout at the adverse horizon; how many of them were adverse. */
  readonly known: number;
  readonly adverse: number;
  /** Fills with a mid at execution (the spread-captured denominator). */
  readonly withMid: number;
  readonly ordersPlaced: number;
  readonly intervalSec: number;
  readonly intervals: number;
  readonly minIntervals: number;
  /** False while the intervals show no variation (the ratio is then n/a too). */
  readonly varied: boolean;
  readonly calendar: TradingCalendar;
}

const MID_BEFORE = 'the mid prevailing just before execution (after every book message stamped earlier)';

/** How the Sharpe ratio was computed, or why it is n/a: the `sharpeBasis` of the metrics. */
export function sharpeBasis(d: DefinitionInputs): string {
  const perYear = d.calendar.secondsPerYear / d.intervalSec;
  const basis = `total-PnL change per ${d.intervalSec} s interval, mean / sample sd × √${formatCount(perYear)} intervals a year on ${d.calendar.name}`;
  if (d.intervals < d.minIntervals) return `n/a (${d.intervals} of ${d.minIntervals} intervals): ${basis}`;
  if (!d.varied) return `n/a (no variation over ${d.intervals} intervals): ${basis}`;
  return `${basis}, over ${d.intervals} intervals`;
}

export function winRateDefinition(d: DefinitionInputs): string {
  const h = d.horizonSec;
  return `share of the ${d.known} fills with a known ${h} s markout whose markout is > 0 (the mid ${h} s after execution is above a buy's, below a sell's, mid at execution)`;
}

export function metricDefinitions(d: DefinitionInputs): Record<MetricName, string> {
  const h = d.horizonSec;
  return {
    totalPnl: 'Realised PnL (average cost) + unrealised PnL (inventory × (mid − average cost)) − fees, in quote currency; equals cash + inventory × mid. Inventory and cash change when a fill report is received.',
    dailyPnl: 'Total PnL now − total PnL prevailing at the start of the current UTC day (0 at the session start when the session began that day).',
    sharpe:
      `Sharpe ratio: ${sharpeBasis(d)}. Intervals count from the session start; a quiet interval counts as 0. ` +
      `n/a below ${d.minIntervals} complete intervals or when they show no variation.`,
    winRate: `Win rate: ${winRateDefinition(d)}; n/a with none.`,
    avgSpreadCapturedBps: `Mean over the ${d.withMid} fills with a mid of (mid − price) for a buy and (price − mid) for a sell, in bps of that mid; the mid is ${MID_BEFORE}; n/a with none.`,
    adverseSelectionRate: `Share of the ${d.known} fills with a known ${h} s markout whose markout is < 0: the mid ${h} s after execution is below a buy's (above a sell's) mid at execution; n/a with none.`,
    avgAdverseMoveBps: `Mean |markout| at ${h} s over the ${d.adverse} adverse fills, in bps of the mid at execution; n/a with none.`,
    avgInventory: 'Time-weighted mean of |inventory| over the session’s event time (replay jumps excluded), in size units.',
    maxInventory: 'Largest |inventory| held during the session, in size units.',
    inventoryTurnover: 'Volume traded / average |inventory|, both in size units, over the session so far; n/a while the average is 0.',
    numFills: 'Fill reports received in the session (each partial fill counts once).',
    fillRatio: `Orders with at least one fill / the ${d.ordersPlaced} orders sent; n/a before the first order.`,
    maxDrawdown: 'Largest fall of total PnL from an earlier peak, total PnL sampled at every market event, clock tick and fill received.',
    fees: 'Sum of the fees of every fill, quote currency (negative: a net rebate).',
    volumeTraded: 'Sum of the sizes of every fill, size units.',
    markouts:
      `Markout of a fill at h (1, 5, 30, 60 s): side × (mid at execution + h − mid at execution) / mid at execution × 10⁴ bps, positive in our favour, ` +
      `each mid being the one prevailing just before that instant; known once the desk’s clock reaches execution + h. Per side and horizon: the fills with a known markout, ` +
      'their mean and their adverse (< 0) share, n/a with none.',
    hourly: `Per UTC hour: the fills executed in it, their adverse share at ${h} s and mean spread captured (n/a with none), and the change of total PnL sampled in it.`,
  };
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
