/**
 * Why a statistic is "n/a": the condition a figure of `DeskMetrics` is still waiting for, in the words a
 * desk trader reads beside it ("n/a (12 of 30 intervals)", "n/a (no fills)"). The monitor and the
 * backtest report print the same words. Pure: it reads the metrics (a figure is n/a when it is NaN, or
 * null once it has travelled as JSON) and computes nothing of its own; no node, electron or DOM imports.
 */
import type { DeskMetrics } from './contract.js';
import { assertNever } from './units.js';

/** The figures of the statistics table and the adverse-selection panel that can be n/a. */
export type ConditionalFigure = 'sharpe' | 'winRate' | 'adverseSelectionRate' | 'avgAdverseMoveBps' | 'avgSpreadCapturedBps' | 'inventoryTurnover' | 'fillRatio';

/** A figure that means something (finite); NaN in the engine and null over JSON both mean n/a. */
export function isKnown(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** What `figure` is waiting for, or null when it has a value. */
export function naCondition(m: DeskMetrics, figure: ConditionalFigure): string | null {
  if (isKnown(m[figure])) return null;
  const fills = m.numFills;
  const known = m.markouts.all[`${m.adverseHorizonSec}s`].count;
  switch (figure) {
    case 'sharpe':
      return m.sharpeIntervals < m.sharpeMinIntervals ? `${m.sharpeIntervals} of ${m.sharpeMinIntervals} intervals` : `no variation over ${m.sharpeIntervals} intervals`;
    case 'winRate':
    case 'adverseSelectionRate':
      return fills === 0 ? 'no fills' : `no ${m.adverseHorizonSec} s markout known yet, ${fills} fill${fills === 1 ? '' : 's'}`;
    case 'avgAdverseMoveBps':
      return fills === 0 ? 'no fills' : known === 0 ? `no ${m.adverseHorizonSec} s markout known yet` : 'no adverse fill';
    case 'avgSpreadCapturedBps':
      return fills === 0 ? 'no fills' : 'no mid known at any fill';
    case 'inventoryTurnover':
      return fills === 0 ? 'no fills' : 'no inventory held';
    case 'fillRatio':
      return 'no orders sent';
    default:
      return assertNever(figure, 'statistic');
  }
}

/** `text(value)` when the figure is known, else "n/a (condition)". */
export function formatOrNa(m: DeskMetrics, figure: ConditionalFigure, text: (value: number) => string): string {
  const value = m[figure];
  return isKnown(value) ? text(value) : `n/a (${naCondition(m, figure) ?? 'unknown'})`;
}
