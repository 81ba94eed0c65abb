/**
 * PnL: total large, and its breakdown as a sum that adds up by eye — realised, unrealised at the mid, and
 * fees as what they did to the PnL (a rebate received adds, a fee paid takes away), ruled off, equal to
 * the total as shown; then the current drawdown from the session's peak and the maximum drawdown, and
 * total PnL over time. The
 * figures are the desk's (state.pnl, metrics.maxDrawdown); the current drawdown is measured from the
 * session's peak total PnL as the desk tracks it (metrics.peakPnl), not from the charts' window.
 */
import { fmtMoney, signClass } from '../desk-client/format.js';
import { usePacedState, useMetrics } from '../desk-client/hooks.js';
import { MiniChart } from '../skew-chart/MiniChart.js';

export function PnlPanel() {
  const state = usePacedState();
  const metrics = useMetrics();
  if (!state) return <section className="panel card" data-testid="pnl-panel" />;
  const top = Math.max(metrics?.peakPnl ?? Number.NEGATIVE_INFINITY, state.pnl.total);
  const drawdown = Number.isFinite(top) ? Math.max(0, top - state.pnl.total) : 0;
  const ccy = state.instrument.quoteCurrency;
  return (
    <section className="panel card pnl" data-testid="pnl-panel">
      <div className="panel-head">
        <h3>PnL</h3>
        <span className="muted">{ccy}</span>
      </div>
      <div className="pnl-figures">
        <span className={`big ${signClass(state.pnl.total)}`} data-testid="pnl-total" data-value={state.pnl.total}>
          {fmtMoney(state.pnl.total)}
        </span>
        <dl className="kv kv-pnl">
          <dt>Realised</dt>
          <dd className={signClass(state.pnl.realized)} data-testid="pnl-realized" data-value={state.pnl.realized}>
            {fmtMoney(state.pnl.realized)}
          </dd>
          <dt>Unrealised</dt>
          <dd className={signClass(state.pnl.unrealized)} data-testid="pnl-unrealized" data-value={state.pnl.unrealized}>
            {fmtMoney(state.pnl.unrealized)}
          </dd>
          <dt title="What fees did to the PnL: + a net rebate received, − fees paid">{state.pnl.fees <= 0 ? 'Rebates' : 'Fees'}</dt>
          <dd className={signClass(-state.pnl.fees)} data-testid="pnl-fees" data-value={-state.pnl.fees}>
            {fmtMoney(-state.pnl.fees)}
          </dd>
          <dt className="pnl-sum">= Total</dt>
          <dd className={`pnl-sum ${signClass(state.pnl.total)}`} data-testid="pnl-sum" data-value={state.pnl.total}>
            {fmtMoney(state.pnl.total)}
          </dd>
          <dt title="Drop from the session's peak total PnL">Drawdown</dt>
          <dd className={drawdown > 0 ? 'neg' : ''} data-testid="pnl-drawdown">
            {fmtMoney(-drawdown)}
          </dd>
          <dt title="Largest drop from a peak of total PnL this session">Max DD</dt>
          <dd data-testid="pnl-max-drawdown" data-value={metrics?.maxDrawdown ?? ''}>
            {fmtMoney(metrics ? -metrics.maxDrawdown : null)}
          </dd>
        </dl>
      </div>
      <MiniChart field="pnlTotal" testid="pnl-chart" precision={2} guides={[]} />
    </section>
  );
}
