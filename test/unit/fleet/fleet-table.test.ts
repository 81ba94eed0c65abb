/**
 * The supervisor's table on an injected clock: a desk is live while its heartbeats come, lost once the
 * newest is older than `lostAfterMs`, live again with the next; the reason names the silence; changes are
 * reported once; rows carry the summary's figures.
 */
import { describe, expect, it } from 'vitest';
import { FleetTable } from '../../../src/main/fleet/fleet-table.js';
import type { DeskSummary, Heartbeat } from '../../../src/shared/fleet.js';

const beat = (name: string, sentMs: number): Heartbeat => ({ v: 1, name, instance: 'i', sentMs, backlog: { fills: 2, orders: 0, events: 1, audit: 0 } });
const summary = (name: string, sentMs: number): DeskSummary => ({
  v: 1,
  name,
  instance: 'i',
  sentMs,
  sessionId: 3,
  session: 'running',
  venue: 'binance-spot',
  symbol: 'BTCUSDT',
  execution: 'live',
  mode: 'live',
  tradingState: 'reducing',
  inventory: -4,
  pnl: { total: -1.5, realized: 0, unrealized: -1.25, fees: 0.25 },
  mid: 50_000,
  feed: null,
  quoting: null,
  adverseRate: null,
  numFills: 0,
  lastFillAgoMs: null,
  limits: [],
  alerts: [],
});

describe('FleetTable', () => {
  it('marks a desk lost once its newest heartbeat is older than the limit, and live again with the next', () => {
    const table = new FleetTable(1_500);
    table.heartbeat(beat('a', 0), 1_000);
    table.summary(summary('a', 990), 1_010);
    expect(table.takeChanged()).toEqual(['a']);
    table.tick(2_500);
    expect(table.view('a', 2_500)?.status).toBe('live');
    expect(table.takeChanged()).toEqual([]);
    table.tick(2_501);
    expect(table.takeChanged()).toEqual(['a']);
    const lost = table.view('a', 2_501);
    expect(lost).toMatchObject({ status: 'lost', heartbeatAgeMs: 1_501, lostReason: 'desk "a" is lost: no heartbeat for 1501 ms' });
    table.tick(3_000);
    expect(table.takeChanged()).toEqual([]);
    table.heartbeat(beat('a', 3_000), 3_100);
    expect(table.takeChanged()).toEqual(['a']);
    expect(table.view('a', 3_100)).toMatchObject({ status: 'live', heartbeatAgeMs: 0, lostReason: null });
  });

  it("gives the overview's row from the summary and the heartbeat", () => {
    const table = new FleetTable();
    table.summary(summary('b', 5_000), 5_040);
    expect(table.view('b', 5_050)).toMatchObject({ status: 'lost', heartbeatAgeMs: null, lostReason: 'desk "b" is lost: no heartbeat heard yet' });
    table.heartbeat(beat('b', 5_060), 5_070);
    expect(table.view('b', 5_100)).toEqual({
      name: 'b',
      venue: 'binance-spot',
      symbol: 'BTCUSDT',
      execution: 'live',
      tradingState: 'reducing',
      inventory: -4,
      pnl: -1.5,
      status: 'live',
      heartbeatAgeMs: 30,
      summaryAgeMs: 40,
      lostReason: null,
      backlog: { fills: 2, orders: 0, events: 1, audit: 0 },
      summary: summary('b', 5_000),
    });
    expect(table.lostReason('zed', 0)).toBe('desk "zed" is not in the fleet (never heard of)');
    expect(table.names()).toEqual(['b']);
  });
});
