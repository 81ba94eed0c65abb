/**
 * Statistics: the article's table with its names — Daily PnL, Sharpe Ratio, Win Rate, Avg Spread
 * Captured, Adverse Selection Rate, Avg Inventory, Max Inventory, Inventory Turnover — each with a tooltip
 * giving its definition (the Sharpe basis and the win-rate definition as the desk states them), and a
 * per-hour breakdown (UTC hour, fills, adverse rate, PnL, spread captured).
 */
import type { DeskMetrics } from '../../shared/contract.js';
import { fmtBps, fmtMoney, fmtNumber, fmtPct, fmtSize, signClass } from '../desk-client/format.js';
import { usePacedState, useMetrics } from '../desk-client/hooks.js';

interface StatRow {
  readonly key: string;
  readonly name: string;
  readonly value: string;
  readonly raw: number;
  readonly definition: string;
  readonly tone?: string;
}

export function statisticsRows(m: DeskMetrics, sizeDecimals: number, ccy: string): StatRow[] {
  return [
    { key: 'daily-pnl', name: 'Daily PnL', value: fmtMoney(m.dailyPnl), raw: m.dailyPnl, tone: signClass(m.dailyPnl), definition: `PnL since the start of the UTC day: realised + unrealised at the mid − fees, in ${ccy}.` },
    { key: 'sharpe', name: 'Sharpe Ratio', value: fmtNumber(m.sharpe, 2), raw: m.sharpe, definition: `Sharpe ratio: ${m.sharpeBasis}.` },
    { key: 'win-rate', name: 'Win Rate', value: fmtPct(m.winRate), raw: m.winRate, definition: `Win rate: ${m.winRateDefinition}.` },
    { key: 'spread-captured', name: 'Avg Spread Captured', value: fmtBps(m.avgSpreadCapturedBps), raw: m.avgSpreadCapturedBps, definition: 'Average over fills of the distance between the fill price and the mid at the fill, in bps of that mid (positive: earned).' },
    { key: 'adverse-rate', name: 'Adverse Selection Rate', value: fmtPct(m.adverseSelectionRate), raw: m.adverseSelectionRate, definition: `Share of fills whose ${m.adverseHorizonSec} s markout went against us (the mid moved through the fill price).` },
    { key: 'avg-inventory', name: 'Avg Inventory', value: fmtSize(m.avgInventory, Math.max(1, sizeDecimals)), raw: m.avgInventory, definition: 'Time-weighted average of |inventory| over the session.' },
    { key: 'max-inventory', name: 'Max Inventory', value: fmtSize(m.maxInventory, sizeDecimals), raw: m.maxInventory, definition: 'Largest |inventory| held during the session.' },
    { key: 'turnover', name: 'Inventory Turnover', value: fmtNumber(m.inventoryTurnover, 1), raw: m.inventoryTurnover, definition: 'Volume traded divided by the average |inventory|: how many times the average position was turned over.' },
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
          {metrics.numFills} fills · fill ratio {fmtPct(metrics.fillRatio, 0)}
        </span>
      </div>
      <table className="stats-table" data-testid="stats-table">
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-testid={`stat-${row.key}`} data-value={row.raw}>
              <th>
                <span className="has-tip" title={row.definition} data-tip={row.definition} tabIndex={0}>
                  {row.name}
                </span>
              </th>
              <td className={row.tone ?? ''}>{row.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="hourly-table" data-testid="hourly-table">
        <thead>
          <tr>
            <th title="Hour of the day, UTC">Hour</th>
            <th>Fills</th>
            <th title={`Adverse at ${metrics.adverseHorizonSec} s`}>Adverse</th>
            <th>PnL</th>
            <th title="Average spread captured, bps">Spread</th>
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
              <td>{fmtPct(h.adverseRate, 0)}</td>
              <td className={signClass(h.pnl)}>{fmtMoney(h.pnl)}</td>
              <td>{h.avgSpreadCapturedBps.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
