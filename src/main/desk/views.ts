/**
 * The outside views of stored rows (contract.ts): a fill and a session summary as the API, the stream
 * and the monitor show them — decimal prices and sizes on the row's own instrument grid, milliseconds for
 * times. The desk uses them for its stream; the transports use them for reads served from a read-only
 * connection, so a fill reads the same on the stream and from `/api/fills`. Pure mapping, no I/O.
 */
import type { FillView, SessionSummaryView } from '../../shared/contract.js';
import type { DecimalGrid } from '../../shared/units.js';
import type { SessionRow, StoredFill } from '../storage/types.js';

export function fillView(fill: StoredFill, tick: DecimalGrid, lot: DecimalGrid): FillView {
  return {
    fillId: fill.fillId,
    sessionId: fill.sessionId,
    clientOrderId: fill.clientOrderId,
    timeMs: Math.floor(fill.localUs / 1000),
    // why: not floored: the execution instant keeps its microseconds (ms with a fraction).
    execTimeMs: fill.exchUs / 1000,
    side: fill.side,
    price: tick.toNumber(fill.price),
    size: lot.toNumber(fill.size),
    fee: round(fill.fee, 8),
    liquidity: fill.liquidity,
    midAtFill: Number.isNaN(fill.midAtFill) ? Number.NaN : tick.toNumber(fill.midAtFill),
    fairValueAtFill: Number.isNaN(fill.fairValueAtFill) ? Number.NaN : tick.toNumber(fill.fairValueAtFill),
    inventoryAfter: lot.toNumber(fill.inventoryAfter),
  };
}

export function sessionSummaryView(row: SessionRow): SessionSummaryView {
  return {
    id: row.id,
    venue: row.venue,
    symbol: row.symbol,
    mode: row.mode,
    startedMs: Math.floor(row.startedUs / 1000),
    endedMs: row.endedUs === null ? null : Math.floor(row.endedUs / 1000),
    fillCount: row.fillCount,
    realizedPnl: row.realizedPnl,
    totalPnl: row.totalPnl,
    recording: row.recording,
  };
}

export function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
