/**
 * The desk's figures in the Prometheus text exposition format (`GET /metrics`), built in the engine
 * thread beside the desk from one state and one metrics reading. Formatting only.
 */
import type { DeskMetrics } from '../../shared/contract.js';
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
  gauge('pnl_total', 'Total PnL (realised + unrealised - fees), quote currency', state.pnl.total);
  gauge('pnl_realized', 'Realised PnL, quote currency', state.pnl.realized);
  gauge('pnl_unrealized', 'Unrealised PnL at the mid, quote currency', state.pnl.unrealized);
  gauge('fees', 'Fees paid (negative: rebates), quote currency', state.pnl.fees);
  gauge('inventory', 'Inventory in instrument size units', state.inventory);
  gauge('daily_pnl', 'PnL since the start of the UTC day', metrics.dailyPnl);
  gauge('sharpe', `Sharpe ratio (${metrics.sharpeBasis})`, metrics.sharpe);
  gauge('win_rate', metrics.winRateDefinition, metrics.winRate);
  gauge('avg_spread_captured_bps', 'Average spread captured per fill, bps of mid', metrics.avgSpreadCapturedBps);
  gauge('adverse_selection_rate', `Share of fills with an adverse markout at ${metrics.adverseHorizonSec} s`, metrics.adverseSelectionRate);
  gauge('avg_inventory', 'Time-weighted average |inventory|', metrics.avgInventory);
  gauge('max_inventory', 'Maximum |inventory|', metrics.maxInventory);
  gauge('inventory_turnover', 'Volume traded / average |inventory|', metrics.inventoryTurnover);
  gauge('fills_total', 'Number of fills', metrics.numFills);
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
  for (const [side, byHorizon] of Object.entries(metrics.markouts)) {
    for (const [horizon, stats] of Object.entries(byHorizon)) {
      lines.push(`quotedesk_markout_mean_bps{${labels},side="${side}",horizon="${horizon}"} ${stats.meanBps}`);
    }
  }
  return `${lines.join('\n')}\n`;
}


