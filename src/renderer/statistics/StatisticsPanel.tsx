/**
 * Statistics: the article's table with its names — Daily PnL, Sharpe Ratio, Win Rate, Avg Spread
 * Captured, Adverse Selection Rate, Avg Inventory, Max Inventory, Inventory Turnover — each with a tooltip
 * that is the desk's own definition of what it computed (`metrics.definitions`), and a per-hour breakdown
 * (UTC hour, fills executed, adverse rate, PnL, spread captured). A figure that means nothing yet reads
 * "n/a (condition)", e.g. "n/a (12 of 30 intervals)", never 0.
 */
import type { DeskMetrics, MetricName } from '../../shared/contract.js';
import { formatOrNa, isKnown, naCondition, type ConditionalFigure } from '../../shared/metrics-text.js';
import { fmtBps, fmtMoney, fmtNumber, fmtPct, fmtSize, signClass } from '../desk-client/format.js';
import { usePacedState, useMetrics } from '../desk-client/hooks.js';

interface StatRow {
  readonly key: string;
  readonly name: string;
  readonly value: string;
  /** The figure, or null when it is n/a. */
  readonly raw: number | null;
  /** Why the figure is n/a, or null. */
  readonly na: string | null;
  readonly definition: string;
  readonly tone?: string;
}

export function statisticsRows(m: DeskMetrics, sizeDecimals: number, ccy: string): StatRow[] {
  const row = (key: string, name: string, metric: MetricName & keyof DeskMetrics, text: (value: number) => string, conditional: ConditionalFigure | null, extra = ''): StatRow => {
    const value = m[metric] as number | null;
    const na = conditional === null ? null : naCondition(m, conditional);
    return {
      key,
      name,
      value: conditional === null ? text(value ?? Number.NaN) : formatOrNa(m, conditional, text),
      raw: isKnown(value) ? value : null,
      na,
      definition: `${m.definitions[metric]}${extra}`,
    };
  };
  return [
    { ...row('daily-pnl', 'Daily PnL', 'dailyPnl', fmtMoney, null, ` (${ccy})`), tone: signClass(m.dailyPnl) },
    row('sharpe', 'Sharpe Ratio', 'sharpe', (x) => fmtNumber(x, 2), 'sharpe'),
    row('win-rate', 'Win Rate', 'winRate', (x) => fmtPct(x), 'winRate'),
    row('spread-captured', 'Avg Spread Captured', 'avgSpreadCapturedBps', (x) => fmtBps(x), 'avgSpreadCapturedBps'),
    row('adverse-rate', 'Adverse Selection Rate', 'adverseSelectionRate', (x) => fmtPct(x), 'adverseSelectionRate'),
    row('avg-inventory', 'Avg Inventory', 'avgInventory', (x) => fmtSize(x, Math.max(1, sizeDecimals)), null),
    row('max-inventory', 'Max Inventory', 'maxInventory', (x) => fmtSize(x, sizeDecimals), null),
    row('turnover', 'Inventory Turnover', 'inventoryTurnover', (x) => fmtNumber(x, 1), 'inventoryTurnover'),
  ];
}

export function StatisticsPanel() {
  const metrics = useMetrics();
  const state = usePacedState();
  if (!metrics) return <section className="panel side-panel" data-testid="stats-panel" />;
  const sizeDecimals = state?.instrument.sizeDecimals ?? 0;
  const rows = statisticsRows(metrics, sizeDecimals, state?.instrument.quoteCurrency ?? '');
  return (
    <section className="panel side-panel stats" data-testid="stats-panel">
      <div className="panel-head">
        <h3>Statistics</h3>
        <span className="muted" data-testid="stats-fills">
          {metrics.numFills} fills · fill ratio {formatOrNa(metrics, 'fillRatio', (x) => fmtPct(x, 1))}
        </span>
      </div>
      <table className="stats-table" data-testid="stats-table">
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-testid={`stat-${row.key}`} data-value={row.raw ?? ''} data-na={row.na ?? undefined}>
              <th>
                <span className="has-tip" title={row.definition} data-tip={row.definition} tabIndex={0}>
                  {row.name}
                </span>
              </th>
              <td className={row.na !== null ? 'na' : (row.tone ?? '')}>{row.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="hourly-table" data-testid="hourly-table">
        <thead>
          <tr>
            <th title="Hour of the day, UTC">Hour</th>
            <th title="Fills executed in this hour">Fills</th>
            <th title={`Adverse share of this hour's fills with a known ${metrics.adverseHorizonSec} s markout`}>Adverse</th>
            <th title="Change of total PnL sampled in this hour">PnL</th>
            <th title="Mean spread captured of this hour's fills, bps of the mid at execution">Spread</th>
          </tr>
        </thead>
        <tbody>
          {metrics.hourly.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                no fills yet
              </td>
            </tr>
          )}
          {metrics.hourly.map((h) => (
            <tr key={h.hourUtc} data-testid="hourly-row">
              <td>{String(h.hourUtc).padStart(2, '0')}:00</td>
              <td>{h.fills}</td>
              <td>{isKnown(h.adverseRate) ? fmtPct(h.adverseRate, 0) : 'n/a'}</td>
              <td className={signClass(h.pnl)}>{fmtMoney(h.pnl)}</td>
              <td>{isKnown(h.avgSpreadCapturedBps) ? h.avgSpreadCapturedBps.toFixed(2) : 'n/a'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
