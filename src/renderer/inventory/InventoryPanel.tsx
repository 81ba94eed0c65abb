/**
 * Inventory: a gauge from −hard to +hard limit with the soft warning levels marked on both sides and the
 * position as a needle, the figures (position, soft/hard limits in instrument units, target, usage), and
 * inventory over time. Limits come from the live parameters, converted from lots with the lot size.
 */
import { fmtPct, fmtSignedSize, fmtSize } from '../desk-client/format.js';
import { usePacedState } from '../desk-client/hooks.js';
import { COLORS } from '../skew-chart/chart-kit.js';
import { MiniChart } from '../skew-chart/MiniChart.js';
import { needleAt } from '../styles/bar-style.js';

export function InventoryPanel() {
  const state = usePacedState();
  if (!state) return <section className="panel card" data-testid="inventory-panel" />;
  const lot = Number(state.instrument.lotSize);
  const d = state.instrument.sizeDecimals;
  const hard = state.params.risk.maxInventoryLots * lot;
  const soft = state.params.risk.softInventoryLots * lot;
  const target = state.params.risk.targetInventoryLots * lot;
  const inv = state.inventory;
  const usage = hard > 0 ? Math.abs(inv) / hard : 0;
  const zone = Math.abs(inv) >= hard ? 'hard' : Math.abs(inv) >= soft ? 'soft' : 'ok';
  const pos = (value: number): number => Math.max(0, Math.min(100, ((value + hard) / (2 * hard)) * 100));
  return (
    <section className="panel card inventory" data-testid="inventory-panel">
      <div className="panel-head">
        <h3>Inventory</h3>
        <span className={`zone zone-${zone}`} data-testid="inventory-zone">
          {zone === 'ok' ? 'within limits' : zone === 'soft' ? 'above soft limit' : 'AT HARD LIMIT'}
        </span>
      </div>
      <div className="inv-figures">
        <span className={`big ${inv > 0 ? 'pos' : inv < 0 ? 'neg' : ''}`} data-testid="inventory" data-value={inv}>
          {fmtSignedSize(inv, d)}
        </span>
        <span className="muted">
          {fmtPct(usage, 0)} of hard · target {fmtSignedSize(target, d)}
        </span>
      </div>
      <div className="gauge" data-testid="inventory-gauge" title={`soft ±${fmtSize(soft, d)}, hard ±${fmtSize(hard, d)}`}>
        <div className="gauge-zone warn" style={{ left: 0, width: `${pos(-soft)}%` }} />
        <div className="gauge-zone warn" style={{ left: `${pos(soft)}%`, right: 0 }} />
        <div className="gauge-tick soft" style={{ left: `${pos(-soft)}%` }} />
        <div className="gauge-tick soft" style={{ left: `${pos(soft)}%` }} />
        <div className="gauge-tick zero" style={{ left: '50%' }} />
        <div className="gauge-tick target" style={{ left: `${pos(target)}%` }} />
        <div className="gauge-needle-track" style={needleAt(pos(inv))}>
          <div className={`gauge-needle zone-${zone}`} />
        </div>
      </div>
      <div className="gauge-scale">
        <span>−{fmtSize(hard, d)}</span>
        <span>−{fmtSize(soft, d)}</span>
        <span>0</span>
        <span>+{fmtSize(soft, d)}</span>
        <span>+{fmtSize(hard, d)}</span>
      </div>
      <MiniChart
        field="inventory"
        testid="inventory-chart"
        precision={d}
        guides={[
          { price: soft, color: COLORS.operator, title: 'soft' },
          { price: -soft, color: COLORS.operator, title: 'soft' },
          { price: hard, color: COLORS.breaker, title: 'hard' },
          { price: -hard, color: COLORS.breaker, title: 'hard' },
        ]}
      />
    </section>
  );
}
