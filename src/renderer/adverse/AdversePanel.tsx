/**
 * Adverse selection: the adverse-selection rate (share of fills whose markout at the strategy's horizon,
 * from execution, went against us) on a bar against the strategy's widening threshold and the risk
 * breaker's trip rate, the average adverse move, the spread captured, and the markout curves per side
 * (mean markout in bps of the mid at execution, 1 s to 60 s; positive is in our favour) with the fill
 * counts behind each point. Every tooltip is the desk's own definition (`metrics.definitions`); a figure
 * with nothing behind it reads "n/a (condition)", never 0 %.
 */
import { MARKOUT_HORIZONS_SEC, type DeskMetrics, type MarkoutHorizon } from '../../shared/contract.js';
import { formatOrNa, isKnown } from '../../shared/metrics-text.js';
import { fmtBps, fmtPct } from '../desk-client/format.js';
import { usePacedState, useMetrics } from '../desk-client/hooks.js';
import { COLORS } from '../skew-chart/chart-kit.js';
import { barFill } from '../styles/bar-style.js';

const W = 300;
const H = 96;
const PAD_L = 34;
const PAD_R = 8;
const PAD_T = 8;
const PAD_B = 16;

/** x position of a horizon on a log scale from 1 s to 60 s. */
function xOf(horizon: number): number {
  return PAD_L + (Math.log(horizon) / Math.log(60)) * (W - PAD_L - PAD_R);
}

function MarkoutCurves({ metrics }: { metrics: DeskMetrics }) {
  const sides = [
    { key: 'buy' as const, color: COLORS.ourBid, label: 'buys' },
    { key: 'sell' as const, color: COLORS.ourAsk, label: 'sells' },
    { key: 'all' as const, color: COLORS.fair, label: 'all' },
  ];
  let lo = 0;
  let hi = 0;
  for (const side of sides) {
    for (const h of MARKOUT_HORIZONS_SEC) {
      const stats = metrics.markouts[side.key][`${h}s`];
      if (stats.count > 0 && isKnown(stats.meanBps)) {
        lo = Math.min(lo, stats.meanBps);
        hi = Math.max(hi, stats.meanBps);
      }
    }
  }
  const span = Math.max(0.5, hi - lo);
  lo -= span * 0.1;
  hi += span * 0.1;
  const yOf = (bps: number): number => PAD_T + ((hi - bps) / (hi - lo)) * (H - PAD_T - PAD_B);
  return (
    <svg className="markout-svg" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" data-testid="markout-curves">
      <line x1={PAD_L} x2={W - PAD_R} y1={yOf(0)} y2={yOf(0)} className="zero" />
      <text x={PAD_L - 4} y={yOf(hi) + 8} className="axis" textAnchor="end">
        {hi.toFixed(1)}
      </text>
      <text x={PAD_L - 4} y={yOf(0) + 3} className="axis" textAnchor="end">
        0
      </text>
      <text x={PAD_L - 4} y={yOf(lo)} className="axis" textAnchor="end">
        {lo.toFixed(1)}
      </text>
      {MARKOUT_HORIZONS_SEC.map((h) => (
        <text key={h} x={xOf(h)} y={H - 3} className="axis" textAnchor="middle">
          {h}s
        </text>
      ))}
      {sides.map((side) => {
        const pts = MARKOUT_HORIZONS_SEC.filter((h) => metrics.markouts[side.key][`${h}s`].count > 0).map((h: MarkoutHorizon) => `${xOf(h).toFixed(1)},${yOf(metrics.markouts[side.key][`${h}s`].meanBps).toFixed(1)}`);
        return (
          <g key={side.key}>
            <polyline points={pts.join(' ')} fill="none" stroke={side.color} strokeWidth={side.key === 'all' ? 1 : 2} strokeDasharray={side.key === 'all' ? '3 3' : undefined} />
            {pts.map((p) => {
              const [x, y] = p.split(',');
              return <circle key={p} cx={x} cy={y} r={2.5} fill={side.color} />;
            })}
          </g>
        );
      })}
    </svg>
  );
}

export function AdversePanel() {
  const metrics = useMetrics();
  const state = usePacedState();
  if (!metrics || !state) return <section className="panel side-panel" data-testid="adverse-panel" />;
  const widenAt = state.params.strategy.adverseSelection.threshold;
  const breakerAt = state.params.risk.adverseBreakerRate;
  const rate = metrics.adverseSelectionRate;
  const known = isKnown(rate);
  const level = !known ? 'na' : rate >= breakerAt ? 'breach' : rate >= widenAt ? 'warn' : 'ok';
  return (
    <section className="panel side-panel adverse" data-testid="adverse-panel">
      <div className="panel-head">
        <h3>Adverse selection</h3>
        <span className="muted">{metrics.adverseHorizonSec} s horizon</span>
      </div>
      <div className="rate-row">
        <span className={`big level-${level}`} data-testid="adverse-rate" data-value={known ? rate : ''} title={metrics.definitions.adverseSelectionRate}>
          {formatOrNa(metrics, 'adverseSelectionRate', (x) => fmtPct(x))}
        </span>
        {/* The thresholds' words sit in a legend under the bar, not at their ticks: two thresholds a few
            percent apart put labels at the ticks on top of each other. */}
        <div className="threshold-gauge" title={`widen at ${fmtPct(widenAt, 0)} (strategy), breaker at ${fmtPct(breakerAt, 0)} (${state.params.risk.adverseBreakerAction})`}>
          <div className="threshold-bar">
            <div className={`bar-fill level-${level}`} style={barFill(known ? rate : 0)} />
            <div className="threshold widen" style={{ left: `${widenAt * 100}%` }} data-testid="adverse-widen-threshold" />
            <div className="threshold breaker" style={{ left: `${breakerAt * 100}%` }} data-testid="adverse-breaker-threshold" />
          </div>
          <div className="threshold-legend" data-testid="adverse-threshold-legend">
            <span className="widen">widen {Math.round(widenAt * 100)}%</span>
            <span className="breaker">
              breaker {Math.round(breakerAt * 100)}% ({state.params.risk.adverseBreakerAction})
            </span>
          </div>
        </div>
      </div>
      <dl className="kv kv-adverse">
        <dt title={metrics.definitions.avgAdverseMoveBps}>Adverse move</dt>
        <dd data-testid="adverse-move" data-value={isKnown(metrics.avgAdverseMoveBps) ? metrics.avgAdverseMoveBps : ''}>
          {formatOrNa(metrics, 'avgAdverseMoveBps', (x) => fmtBps(x))}
        </dd>
        <dt title={metrics.definitions.avgSpreadCapturedBps}>Spread captured</dt>
        <dd data-testid="spread-captured" data-value={isKnown(metrics.avgSpreadCapturedBps) ? metrics.avgSpreadCapturedBps : ''}>
          {formatOrNa(metrics, 'avgSpreadCapturedBps', (x) => fmtBps(x))}
        </dd>
      </dl>
      <div className="markouts">
        <MarkoutCurves metrics={metrics} />
        <table className="markout-table" data-testid="markout-table" title={metrics.definitions.markouts}>
          <thead>
            <tr>
              <th />
              {MARKOUT_HORIZONS_SEC.map((h) => (
                <th key={h}>{h}s</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(['buy', 'sell'] as const).map((side) => (
              <tr key={side}>
                <td className={side === 'buy' ? 'pos' : 'neg'}>{side === 'buy' ? 'buys' : 'sells'}</td>
                {MARKOUT_HORIZONS_SEC.map((h) => {
                  const s = metrics.markouts[side][`${h}s`];
                  return (
                    <td key={h} data-testid={`markout-${side}-${h}s`} data-value={isKnown(s.meanBps) ? s.meanBps : ''} title={s.count > 0 ? `${s.count} fills with a known ${h} s markout, ${fmtPct(s.adverseRate, 0)} adverse` : `n/a: no ${h} s markout known yet`}>
                      {isKnown(s.meanBps) ? s.meanBps.toFixed(2) : 'n/a'}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
