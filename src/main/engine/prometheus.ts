/**
 * The desk's figures in the Prometheus text exposition format (`GET /metrics`), built in the engine
 * thread beside the desk from one state and one metrics reading. Every statistic's HELP line is its
 * definition from `DeskMetrics.definitions` (the words the monitor's tooltips and `/api/metrics` show),
 * so a scrape says exactly what was computed. Formatting only.
 */
import type { DeskMetrics, MetricName } from '../../shared/contract.js';
import type { Desk } from '../desk/desk.js';

/** The statistics in the Prometheus text exposition format. */
export function prometheus(desk: Desk): string {
  const state = desk.state();
  const metrics: DeskMetrics = desk.metrics();
  const labels = `venue="${state.venue}",symbol="${state.symbol}"`;
  const lines: string[] = [];
  const gauge = (name: string, help: string, value: number, extra = ''): void => {
    lines.push(`# HELP quotedesk_${name} ${help}`, `# TYPE quotedesk_${name} gauge`);
    lines.push(`quotedesk_${name}{${labels}${extra}} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  // why: the exposition format ends a HELP text at a newline and gives "\\" its meaning; definitions are one line.
  const defined = (metric: MetricName): string => metrics.definitions[metric].replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  gauge('pnl_total', defined('totalPnl'), state.pnl.total);
  gauge('pnl_realized', 'Realised PnL, quote currency', state.pnl.realized);
  gauge('pnl_unrealized', 'Unrealised PnL at the mid, quote currency', state.pnl.unrealized);
  gauge('fees', defined('fees'), state.pnl.fees);
  gauge('inventory', 'Inventory in instrument size units', state.inventory);
  gauge('daily_pnl', defined('dailyPnl'), metrics.dailyPnl);
  gauge('sharpe', defined('sharpe'), metrics.sharpe);
  gauge('win_rate', defined('winRate'), metrics.winRate);
  gauge('avg_spread_captured_bps', defined('avgSpreadCapturedBps'), metrics.avgSpreadCapturedBps);
  gauge('adverse_selection_rate', defined('adverseSelectionRate'), metrics.adverseSelectionRate);
  gauge('avg_inventory', defined('avgInventory'), metrics.avgInventory);
  gauge('max_inventory', defined('maxInventory'), metrics.maxInventory);
  gauge('inventory_turnover', defined('inventoryTurnover'), metrics.inventoryTurnover);
  gauge('fills_total', defined('numFills'), metrics.numFills);
  gauge('open_orders', 'Working orders', state.openOrders.length);
  gauge('feed_messages_total', 'Market messages received', state.feed.messages);
  gauge('feed_gaps_total', 'Sequence gaps detected', state.feed.gaps);
  gauge('feed_resyncs_total', 'Book resyncs', state.feed.resyncs);
  gauge('feed_last_message_age_ms', 'Age of the last market message', state.feed.lastMessageAgeMs ?? Number.NaN);
  gauge('feed_connection_silent_ms', 'Time since the feed connection last showed life (a frame or the answer to our ping)', state.feed.silentMs ?? Number.NaN);
  lines.push('# HELP quotedesk_trading_state Trading state (1 for the current one)', '# TYPE quotedesk_trading_state gauge');
  for (const s of ['active', 'paused', 'reducing', 'halted'] as const) {
    lines.push(`quotedesk_trading_state{${labels},state="${s}"} ${state.tradingState === s ? 1 : 0}`);
  }
  gauge('avg_adverse_move_bps', defined('avgAdverseMoveBps'), metrics.avgAdverseMoveBps);
  gauge('fill_ratio', defined('fillRatio'), metrics.fillRatio);
  gauge('max_drawdown', defined('maxDrawdown'), metrics.maxDrawdown);
  gauge('volume_traded', defined('volumeTraded'), metrics.volumeTraded);
  lines.push(`# HELP quotedesk_markout_mean_bps ${defined('markouts')}`, '# TYPE quotedesk_markout_mean_bps gauge');
  for (const [side, byHorizon] of Object.entries(metrics.markouts)) {
    for (const [horizon, stats] of Object.entries(byHorizon)) {
      lines.push(`quotedesk_markout_mean_bps{${labels},side="${side}",horizon="${horizon}"} ${stats.meanBps}`);
    }
  }
  return `${lines.join('\n')}\n`;
}


