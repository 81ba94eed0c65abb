/**
 * The overview's pure parts: a serve desk's summary and a fleet desk's view become the same row, showing
 * what the server sent (a stopped desk's figures withheld, inventory as a share of its limit); the fleet
 * stream's changed rows merge into the full view; the kill-all answers of either server read the same; the
 * firm limits' use is computed on the summaries (and a breach is the first breached limit); and the store
 * publishes a trading-state change on the next frame but figures at reading pace.
 */
import { describe, expect, it } from 'vitest';
import { firmBreach, firmUsage } from '../../../src/main/engine/desk-fleet.js';
import type { DeskSummaryView } from '../../../src/shared/desks.js';
import type { DeskSummary, FleetDeskView } from '../../../src/shared/fleet.js';
import { READING_INTERVAL_MS, type StoreScheduling } from '../../../src/renderer/desk-client/store.js';
import { killOutcome, mergeFleet, rowFromDesk, rowFromFleet } from '../../../src/renderer/overview/overview-model.js';
import { OverviewStore } from '../../../src/renderer/overview/overview-store.js';

function desk(over: Partial<DeskSummaryView> = {}): DeskSummaryView {
  return {
    name: 'alpha',
    venue: 'sim',
    symbol: 'ALPHA-USD',
    baseAsset: 'ALPHA',
    quoteCurrency: 'USD',
    execution: 'paper',
    mode: 'live',
    status: 'running',
    error: null,
    tradingState: 'active',
    bid: { quoting: true, reason: null },
    ask: { quoting: false, reason: 'inventory-limit' },
    inventory: -250,
    inventoryLimit: 1000,
    mid: 100,
    grossNotional: 25_000,
    pnl: -12.5,
    adverseRate: 0.35,
    feed: { state: 'connected', connected: true, lastMessageAgeMs: 3 },
    lastFillAgeMs: 1500,
    alerts: [],
    clockMs: 1_000,
    ...over,
  };
}

function fleetDesk(name: string, over: Partial<FleetDeskView> = {}, summary: Partial<DeskSummary> = {}): FleetDeskView {
  return {
    name,
    venue: 'sim',
    symbol: 'SIM-USD',
    execution: 'paper',
    tradingState: 'active',
    inventory: 12,
    pnl: 3.5,
    status: 'live',
    heartbeatAgeMs: 200,
    summaryAgeMs: 5,
    lostReason: null,
    backlog: { fills: 0, orders: 0, events: 0, audit: 0 },
    summary: {
      v: 1,
      name,
      instance: 'i',
      sentMs: 0,
      sessionId: 1,
      session: 'running',
      venue: 'sim',
      symbol: 'SIM-USD',
      execution: 'paper',
      mode: 'live',
      tradingState: 'active',
      inventory: 12,
      pnl: { total: 3.5, realized: 1, unrealized: 2.75, fees: 0.25 },
      mid: 100,
      feed: { connected: true, state: 'connected', trusted: true, lastMessageAgeMs: 4 },
      quoting: { bid: true, ask: false, bidReason: null, askReason: 'inventory-limit' },
      adverseRate: 0.4,
      numFills: 10,
      lastFillAgoMs: 1200,
      limits: [{ name: 'inventory', fraction: 0.85 }],
      alerts: ['inventory at 85 % of its limit'],
      ...summary,
    },
    ...over,
  };
}

describe('overview rows', () => {
  it('show a running desk as its summary says, inventory as a share of its hard limit', () => {
    const row = rowFromDesk(desk());
    expect(row).toMatchObject({ name: 'alpha', execution: 'paper', status: 'running', tradingState: 'active', inventory: -250, inventoryLimit: 1000, inventoryFraction: 0.25, pnl: -12.5, adverseRate: 0.35, lastFillAgeMs: 1500 });
    expect(row.ask).toEqual({ quoting: false, reason: 'inventory-limit' });
  });

  it('withhold the figures of a desk that is not running, and say why', () => {
    const row = rowFromDesk(desk({ status: 'failed', error: 'engine thread died', inventory: 0, pnl: 0 }));
    expect(row).toMatchObject({ status: 'failed', statusDetail: 'engine thread died', inventory: null, pnl: null, inventoryFraction: null, execution: null, feed: null });
  });

  it('read a fleet desk the same way, lost with the supervisor reason', () => {
    expect(rowFromFleet(fleetDesk('n'))).toMatchObject({ status: 'running', inventory: 12, pnl: 3.5, inventoryFraction: 0.85, heartbeatAgeMs: 200, lastFillAgeMs: 1200, ask: { quoting: false, reason: 'inventory-limit' } });
    const lost = rowFromFleet(fleetDesk('n', { status: 'lost', lostReason: 'no heartbeat for 1.6 s' }));
    expect(lost).toMatchObject({ status: 'lost', statusDetail: 'no heartbeat for 1.6 s' });
  });

  it('merge the fleet stream: a full view replaces, changed rows replace theirs, a new desk joins in name order', () => {
    const full = mergeFleet([], { type: 'fleet', desks: [fleetDesk('b'), fleetDesk('d')], timeMs: 0, lostAfterMs: 1500, refused: { count: 0, last: null } } as never);
    expect(full.map((d) => d.name)).toEqual(['b', 'd']);
    const changed = mergeFleet(full, { type: 'desks', timeMs: 1, desks: [fleetDesk('d', { inventory: 99 }), fleetDesk('a')] });
    expect(changed.map((d) => [d.name, d.inventory])).toEqual([
      ['a', 12],
      ['b', 12],
      ['d', 99],
    ]);
    expect(mergeFleet(changed, { type: 'desks', timeMs: 2, desks: [] })).toBe(changed);
  });

  it('read either server kill-all answer: ok only when every asked desk confirmed a halt', () => {
    const serve = killOutcome({ ok: true, desks: [{ name: 'a', ok: true, tradingState: 'halted', error: null }] }, null);
    expect(serve).toEqual({ ok: true, error: null, desks: [{ name: 'a', ok: true, tradingState: 'halted', error: null, lost: false }] });
    const fleet = killOutcome({ desks: [{ name: 'a', ok: true, tradingState: 'halted', error: null, lost: false }, { name: 'b', ok: false, tradingState: null, error: 'desk is lost', lost: true }] }, null);
    expect(fleet.ok).toBe(false);
    expect(fleet.desks[1]).toMatchObject({ name: 'b', lost: true, error: 'desk is lost' });
    expect(killOutcome(null, 'server unreachable: fetch failed')).toEqual({ ok: false, desks: [], error: 'server unreachable: fetch failed' });
  });
});

describe('firm limits', () => {
  const desks = [desk({ name: 'a', pnl: -300, inventory: 5, grossNotional: 500 }), desk({ name: 'b', pnl: 100, inventory: -2, grossNotional: 200 }), desk({ name: 'c', quoteCurrency: 'USDT', baseAsset: 'BTC', pnl: -1000 }), desk({ name: 'd', status: 'stopped', pnl: -9999 })];

  it('sum the running desks each limit covers', () => {
    const use = firmUsage({ maxLoss: { USD: 400 }, maxGrossNotional: { USD: 1000 }, maxNetExposure: { ALPHA: 2 } }, desks);
    expect(use.map((u) => [u.kind, u.unit, u.used, u.fraction, u.breached, u.desks])).toEqual([
      ['maxLoss', 'USD', 200, 0.5, false, ['a', 'b']],
      ['maxGrossNotional', 'USD', 700, 0.7, false, ['a', 'b']],
      ['maxNetExposure', 'ALPHA', 3, 1.5, true, ['a', 'b']],
    ]);
    expect(firmBreach({ maxLoss: { USD: 400 }, maxNetExposure: { ALPHA: 2 } }, desks)).toEqual({ text: 'net exposure 3 ALPHA beyond ±2', desks: ['a', 'b'] });
    // A profit is no loss.
    expect(firmUsage({ maxLoss: { USD: 400 } }, [desk({ pnl: 50 })])[0]).toMatchObject({ used: -50, fraction: 0, breached: false });
    expect(firmBreach({ maxLoss: { USDT: 1000 } }, desks)).toEqual({ text: 'total loss 1000.00 USDT ≥ 1000', desks: ['c'] });
  });
});

describe('the overview store', () => {
  class HandClock implements StoreScheduling {
    now = 0;
    frames: Array<() => void> = [];
    timers: Array<{ at: number; run: () => void }> = [];
    frame = (callback: () => void): void => void this.frames.push(callback);
    nowMs = (): number => this.now;
    timer = (callback: () => void, delayMs: number): void => void this.timers.push({ at: this.now + delayMs, run: callback });
    tick(ms: number): void {
      this.now += ms;
      const due = this.timers.filter((t) => t.at <= this.now);
      this.timers = this.timers.filter((t) => t.at > this.now);
      for (const t of due) t.run();
      const frames = this.frames;
      this.frames = [];
      for (const f of frames) f();
    }
  }

  it('publishes a state change the next frame, figures at reading pace, the firm limits with the rows', () => {
    const clock = new HandClock();
    const store = new OverviewStore(clock);
    store.apply([rowFromDesk(desk())]);
    clock.tick(16);
    expect(store.current?.[0]?.pnl).toBe(-12.5);
    // A figure moves: not before the reading interval.
    store.apply([rowFromDesk(desk({ pnl: -13 }))], { limits: [], breach: null });
    clock.tick(16);
    expect(store.current?.[0]?.pnl).toBe(-12.5);
    clock.tick(READING_INTERVAL_MS);
    expect(store.current?.[0]?.pnl).toBe(-13);
    expect(store.firm).toEqual({ limits: [], breach: null });
    // A trading state changes: the next frame.
    store.apply([rowFromDesk(desk({ pnl: -13, tradingState: 'halted' }))], { limits: [], breach: null });
    clock.tick(16);
    expect(store.current?.[0]?.tradingState).toBe('halted');
    // A firm breach appears: the next frame too.
    store.apply([rowFromDesk(desk({ pnl: -14, tradingState: 'halted' }))], { limits: [], breach: 'total loss 10.00 USD ≥ 5' });
    clock.tick(16);
    expect(store.firm?.breach).toBe('total loss 10.00 USD ≥ 5');
  });
});
