/**
 * Each circuit breaker and limit tripped by a scripted simulated market (seeded flow, driven on its own
 * clock, parameter changes applied live): the trading state it leads to, the reasons each side gives in
 * `desk.state()`, the audit rows read back from SQLite (`state`, `breaker`, `breaker-cleared` with their
 * detail), and recovery where it is configured. No wall time, no sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FILL_OFTEN, SEC, advance, advanceUntil, audit, harness, maxInWindow, merge, simDesk, wrappedSimDesk } from './sim-support.js';

const { open, closeAll } = harness();
afterEach(closeAll);

describe('loss limits', () => {
  // A maker fee (a cost, not a rebate) makes the mark-to-market PnL, fees included, fall as fills come.
  const LOSING = merge(FILL_OFTEN, { execution: { makerFeeBps: 5 } });

  it('session max loss halts (latched, reason loss-limit, audited); re-arm needs an explicit command', async () => {
    const run = await simDesk(open, LOSING);
    const sim = run.sim!;
    const lost = advanceUntil(sim, () => run.desk.state().pnl.total < -0.5, 300);
    expect(lost).toBe(true);
    expect(run.desk.state().tradingState).toBe('active');
    const pnl = run.desk.state().pnl.total;
    const limit = Math.floor(-pnl * 100) / 200; // half the loss already made: the next evaluation trips
    expect(run.desk.setParams({ risk: { maxLossSession: limit } }, 'test')).toEqual({ ok: true });
    const state = run.desk.state();
    expect(state.tradingState).toBe('halted');
    expect(state.reasons.bid).toEqual(['halted', 'loss-limit']);
    expect(state.reasons.ask).toEqual(['halted', 'loss-limit']);
    expect(state.limits.find((l) => l.name === 'sessionLoss')!.fraction).toBeGreaterThanOrEqual(1);
    const sent = run.desk.stats.ordersSent;
    advance(sim, 5);
    expect(run.desk.stats.ordersSent).toBe(sent);
    expect(sim.openOrders()).toEqual([]);
    expect(run.desk.state().tradingState).toBe('halted');
    const rows = audit(run.store, run.desk.sessionId);
    const breaker = rows.find((r) => r.action === 'breaker' && r.detail['name'] === 'session-loss')!;
    expect(breaker).toBeDefined();
    expect(breaker.detail['limit']).toBe(limit);
    expect(breaker.detail['pnl'] as number).toBeLessThanOrEqual(-limit);
    const transition = rows.find((r) => r.action === 'state' && r.detail['to'] === 'halted')!;
    expect(transition).toMatchObject({ who: 'risk', detail: { from: 'active', to: 'halted' } });
    expect(String(transition.detail['cause'])).toMatch(/^session loss limit/);
    // Resume and pause cannot leave halted; re-arm after the limit was raised quotes again.
    expect(run.desk.resume('test').ok).toBe(false);
    expect(run.desk.setParams({ risk: { maxLossSession: 1e9 } }, 'test').ok).toBe(true);
    expect(run.desk.rearm('test')).toEqual({ ok: true });
    advance(sim, 2);
    expect(run.desk.state().tradingState).toBe('active');
    expect(run.desk.stats.ordersSent).toBeGreaterThan(sent);
  });

  it('daily max loss halts with its own breaker and reason', async () => {
    const run = await simDesk(open, LOSING);
    const sim = run.sim!;
    expect(advanceUntil(sim, () => run.desk.state().pnl.total < -0.5, 300)).toBe(true);
    const pnl = run.desk.state().pnl.total;
    const limit = Math.floor(-pnl * 100) / 200;
    expect(run.desk.setParams({ risk: { maxLossDaily: limit } }, 'test').ok).toBe(true);
    const state = run.desk.state();
    expect(state.tradingState).toBe('halted');
    expect(state.reasons.bid).toContain('loss-limit');
    expect(state.limits.find((l) => l.name === 'dailyLoss')!.fraction).toBeGreaterThanOrEqual(1);
    expect(state.limits.find((l) => l.name === 'sessionLoss')!.fraction).toBeLessThan(1);
    const rows = audit(run.store, run.desk.sessionId);
    expect(rows.find((r) => r.action === 'breaker' && r.detail['name'] === 'daily-loss')).toMatchObject({ detail: { limit } });
    expect(rows.some((r) => r.action === 'breaker' && r.detail['name'] === 'session-loss')).toBe(false);
    expect(String(rows.find((r) => r.action === 'state' && r.detail['to'] === 'halted')!.detail['cause'])).toMatch(/^daily loss limit/);
  });
});

describe('fill burst', () => {
  it('N fills within T seconds pause quoting (reason fill-burst, audited); resume clears it', async () => {
    const run = await simDesk(open, merge(FILL_OFTEN, { risk: { fillBurstCount: 3, fillBurstWindowSec: 2 } }));
    const sim = run.sim!;
    expect(advanceUntil(sim, () => run.desk.state().tradingState !== 'active', 300, 10_000)).toBe(true);
    const state = run.desk.state();
    expect(state.tradingState).toBe('paused');
    expect(state.reasons.bid).toEqual(['paused', 'fill-burst']);
    expect(state.reasons.ask).toEqual(['paused', 'fill-burst']);
    expect(state.limits.find((l) => l.name === 'fillBurst')!.used).toBeGreaterThanOrEqual(3);
    const rows = audit(run.store, run.desk.sessionId);
    const trip = rows.find((r) => r.action === 'breaker' && r.detail['name'] === 'fill-burst')!;
    expect(trip.detail).toMatchObject({ windowSec: 2 });
    expect(trip.detail['fills'] as number).toBeGreaterThanOrEqual(3);
    // The fills counted really fell within the window.
    run.store.flushSync();
    const fills = run.store.fills({ sessionId: run.desk.sessionId, limit: 1000 }).filter((f) => f.localUs <= trip.localUs && f.localUs >= trip.localUs - 2 * SEC);
    expect(fills.length).toBeGreaterThanOrEqual(3);
    expect(rows.find((r) => r.action === 'state' && r.detail['to'] === 'paused')).toMatchObject({ who: 'risk' });
    // Quotes are pulled at once: nothing of ours stays at the venue.
    advance(sim, 1);
    expect(sim.openOrders()).toEqual([]);
    // Not latched like a halt: the operator resumes.
    expect(run.desk.resume('test')).toEqual({ ok: true });
    expect(run.desk.state().tradingState).toBe('active');
    expect(run.desk.state().reasons.bid).not.toContain('fill-burst');
  });
});

describe('adverse-selection breaker', () => {
  const ADVERSE = merge(FILL_OFTEN, {
    strategy: { adverseSelection: { enabled: false, horizonSec: 1, windowFills: 20 } },
    risk: { adverseBreakerRate: 0.3, adverseBreakerMinFills: 5 },
  });

  it('widen: quotes wider while tripped, audited with its rate and action, cleared when the rate falls', async () => {
    const run = await simDesk(open, merge(ADVERSE, { risk: { adverseBreakerAction: 'widen' } }), { informedRatePerSec: 12 });
    const sim = run.sim!;
    expect(advanceUntil(sim, () => run.desk.risk.isTripped('adverse-selection'), 600)).toBe(true);
    const state = run.desk.state();
    expect(state.tradingState).toBe('active');
    expect(state.reasons.bid).not.toContain('adverse-selection');
    const rows = audit(run.store, run.desk.sessionId);
    const trip = rows.find((r) => r.action === 'breaker' && r.detail['name'] === 'adverse-selection')!;
    expect(trip.detail).toMatchObject({ threshold: 0.3, action: 'widen' });
    expect(trip.detail['rate'] as number).toBeGreaterThan(0.3);
    expect(trip.detail['fills'] as number).toBeGreaterThanOrEqual(5);
    // Wider: with a 20 bps base spread (10 ticks each side at 100.00), quotes sit (1 + rate) × further
    // from fair value while the breaker is tripped than once it is cleared.
    expect(run.desk.setParams({ strategy: { spread: { baseBps: 20 } } }, 'test').ok).toBe(true);
    expect(run.desk.risk.isTripped('adverse-selection')).toBe(true);
    const distance = (): number => {
      const s = run.desk.state();
      return Math.round((s.fairValue! - s.quotes.bid!.price) * 100);
    };
    const wide = distance();
    expect(wide).toBeGreaterThanOrEqual(Math.floor(10 * (1 + (trip.detail['rate'] as number))) - 1);
    // Raising the threshold above the rate clears a widen breaker by itself, audited.
    expect(run.desk.setParams({ risk: { adverseBreakerRate: 1 } }, 'test').ok).toBe(true);
    expect(run.desk.risk.isTripped('adverse-selection')).toBe(false);
    const normal = distance();
    expect(normal).toBeLessThanOrEqual(11);
    expect(wide).toBeGreaterThan(normal);
    expect(audit(run.store, run.desk.sessionId).some((r) => r.action === 'breaker-cleared' && r.detail['name'] === 'adverse-selection')).toBe(true);
  });

  it('pause: quotes pulled, reason adverse-selection, resume clears it', async () => {
    const run = await simDesk(open, merge(ADVERSE, { risk: { adverseBreakerAction: 'pause' } }), { informedRatePerSec: 12 });
    const sim = run.sim!;
    expect(advanceUntil(sim, () => run.desk.risk.isTripped('adverse-selection'), 600)).toBe(true);
    const state = run.desk.state();
    expect(state.tradingState).toBe('paused');
    expect(state.reasons.bid).toEqual(['paused', 'adverse-selection']);
    expect(state.reasons.ask).toEqual(['paused', 'adverse-selection']);
    const rows = audit(run.store, run.desk.sessionId);
    expect(rows.find((r) => r.action === 'breaker' && r.detail['name'] === 'adverse-selection')).toMatchObject({ detail: { action: 'pause' } });
    expect(String(rows.find((r) => r.action === 'state' && r.detail['to'] === 'paused')!.detail['cause'])).toMatch(/^adverse selection/);
    advance(sim, 1);
    expect(sim.openOrders()).toEqual([]);
    // Resuming while the rate is still above the threshold trips it again at once (audited again). The trip
    // comes as soon as the rate crosses 30 %, so the threshold is lowered well below it first: the window's
    // markouts resolved while paused cannot bring the rate under it.
    expect(run.desk.setParams({ risk: { adverseBreakerRate: 0.1 } }, 'test').ok).toBe(true);
    expect(run.desk.resume('test').ok).toBe(true);
    expect(run.desk.state().tradingState).toBe('paused');
    expect(audit(run.store, run.desk.sessionId).filter((r) => r.action === 'breaker' && r.detail['name'] === 'adverse-selection')).toHaveLength(2);
    // Once the threshold is above the rate, resume quotes again.
    expect(run.desk.setParams({ risk: { adverseBreakerRate: 1 } }, 'test').ok).toBe(true);
    expect(run.desk.resume('test').ok).toBe(true);
    expect(run.desk.state().tradingState).toBe('active');
    expect(run.desk.state().reasons.bid).not.toContain('adverse-selection');
  });
});

describe('max order rate', () => {
  it('the quoting traffic never exceeds the budget, and a side held back says rate-limit', async () => {
    const budget = 4;
    const run = await wrappedSimDesk(open, merge(FILL_OFTEN, { execution: { requoteThresholdTicks: 0, requoteSizeFraction: 0 }, risk: { maxOrdersPerSec: budget } }), { flowMultiplier: 20 });
    let sawRateLimit = false;
    advance(run.sim, 20, 5_000, () => {
      const r = run.desk.state().reasons;
      if (r.bid.includes('rate-limit') || r.ask.includes('rate-limit')) sawRateLimit = true;
    });
    expect(sawRateLimit).toBe(true);
    expect(run.venue.submits).toBeGreaterThan(10);
    // New orders and cancels (every message the venue sees) within any one second stay within the budget.
    // KNOWN BUG (execution/order-manager.ts, reported to the lead): the token bucket holds a full second's
    // budget AND refills at the budget rate, so a sliding second can carry 2× the budget, and a replace
    // spends one token for two messages (cancel + new). This assertion fails until that is fixed.
    expect(maxInWindow(run.venue.submitTimes, SEC), 'new orders in one second').toBeLessThanOrEqual(budget);
    expect(maxInWindow(run.venue.messageTimes, SEC), 'new orders + cancels in one second').toBeLessThanOrEqual(budget);
    const usage = run.desk.state().limits.find((l) => l.name === 'orderRate')!;
    expect(usage.limit).toBe(budget);
    expect(usage.used).toBeLessThanOrEqual(budget);
  });
});

describe('inventory limits', () => {
  it('hard limit: the growing side stops with inventory-limit, |inventory| never exceeds it; the soft level shows in the usage', async () => {
    const hard = 60;
    const soft = 30;
    const run = await simDesk(open, merge(FILL_OFTEN, { strategy: { skew: { enabled: false }, size: { shrinkWithInventory: false, growingSideFactor: 1 } }, risk: { maxInventoryLots: hard, softInventoryLots: soft } }));
    const sim = run.sim!;
    let worst = 0;
    let sawSoft = false;
    let sawLimit: { side: 'bid' | 'ask'; reasons: string[]; other: string[] } | null = null;
    advance(sim, 300, 20_000, () => {
      const state = run.desk.state();
      const inventory = run.desk.orders.inventoryLots();
      worst = Math.max(worst, Math.abs(inventory));
      const usage = state.limits.find((l) => l.name === 'inventory')!;
      expect(usage.limit).toBe(hard);
      expect(usage.used).toBe(Math.abs(inventory));
      const softUsage = state.limits.find((l) => l.name === 'softInventory');
      expect(softUsage).toBeDefined();
      expect(softUsage!.limit).toBe(soft);
      expect(softUsage!.used).toBe(Math.abs(inventory));
      if (Math.abs(inventory) >= soft) sawSoft = softUsage!.fraction >= 1 || sawSoft;
      if (Math.abs(inventory) >= hard && !sawLimit) {
        const growing = inventory > 0 ? 'bid' : 'ask';
        sawLimit = { side: growing, reasons: state.reasons[growing], other: state.reasons[growing === 'bid' ? 'ask' : 'bid'] };
      }
    });
    expect(worst).toBeLessThanOrEqual(hard);
    expect(sawSoft).toBe(true);
    expect(sawLimit).not.toBeNull();
    expect(sawLimit!.reasons).toContain('inventory-limit');
    expect(sawLimit!.other).not.toContain('inventory-limit');
    expect(run.desk.state().tradingState).toBe('active');
  });
});
