/**
 * The kill switch and flatten on the simulated market, with the venue wrapped so the test sees what
 * really reaches the exchange: a kill under a 20,000 messages/s feed sends nothing after it and leaves
 * nothing open; a venue that ignores the first cancels gets `kill-survivors` audited and the cancels
 * retried until it confirms; properties (fast-check) over random operator scripts: halted → no submit
 * reaches the venue, reducing → |inventory| never grows; flatten while halted is allowed and reduce-only,
 * can be cancelled, and never overshoots zero with several orders in flight and partial fills.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FILL_OFTEN, advance, advanceUntil, audit, harness, merge, wrappedSimDesk } from './sim-support.js';

const { open, closeAll } = harness();
afterEach(closeAll);

describe('kill switch on the simulated market', () => {
  it('under a 20,000 messages/s feed: no submit reaches the venue after the kill, nothing survives, kill-confirmed', async () => {
    const run = await wrappedSimDesk(open, merge(FILL_OFTEN, { risk: { maxOrdersPerSec: 2_000 } }), { flowMultiplier: 300 });
    advance(run.sim, 2, 1_000);
    const messages = run.desk.state().feed.messages;
    expect(messages).toBeGreaterThan(30_000); // ≈ 20,000 messages/s over 2 s
    expect(run.desk.orders.liveCount()).toBeGreaterThan(0);
    run.desk.kill('test');
    const sent = run.desk.stats.ordersSent;
    const submits = run.venue.submits;
    advance(run.sim, 2, 1_000);
    expect(run.desk.state().feed.messages - messages).toBeGreaterThan(30_000);
    expect(run.venue.submits).toBe(submits);
    expect(run.desk.stats.ordersSent).toBe(sent);
    expect(run.sim.openOrders()).toEqual([]);
    expect(run.sim.inFlight()).toBe(0);
    expect(run.desk.orders.liveCount()).toBe(0);
    const rows = audit(run.store, run.desk.sessionId);
    const kill = rows.find((r) => r.action === 'kill')!;
    const confirmed = rows.find((r) => r.action === 'kill-confirmed')!;
    expect(confirmed.localUs).toBeGreaterThanOrEqual(kill.localUs);
    expect(confirmed.detail['retries']).toBe(0);
    expect(rows.find((r) => r.action === 'state' && r.detail['to'] === 'halted')).toMatchObject({ who: 'test', detail: { cause: 'kill switch' } });
    expect(run.desk.state().reasons).toEqual({ bid: ['halted'], ask: ['halted'] });
  });

  it('a venue that ignores the first cancels: kill-survivors audited, cancels retried until it confirms', async () => {
    const run = await wrappedSimDesk(open);
    advance(run.sim, 5);
    const open0 = run.sim.openOrders().length;
    expect(open0).toBeGreaterThan(0);
    run.venue.dropCancels = open0 + 2; // every cancel of the kill and the first retries are lost
    run.desk.kill('test');
    const submits = run.venue.submits;
    expect(advanceUntil(run.sim, () => Number.isFinite(run.desk.stats.killConfirmedMs), 10, 10_000)).toBe(true);
    expect(run.venue.ignoredCancels).toBe(open0 + 2);
    expect(run.venue.submits).toBe(submits);
    expect(run.sim.openOrders()).toEqual([]);
    const rows = audit(run.store, run.desk.sessionId);
    const survivors = rows.filter((r) => r.action === 'kill-survivors');
    expect(survivors.length).toBeGreaterThanOrEqual(1);
    // A survivor can still be filled before its cancel gets through: at most the orders open at the kill.
    expect(survivors[0]!.detail['count'] as number).toBeGreaterThanOrEqual(1);
    expect(survivors[0]!.detail['count'] as number).toBeLessThanOrEqual(open0);
    expect(survivors[0]!.detail['retry']).toBe(1);
    const confirmed = rows.find((r) => r.action === 'kill-confirmed')!;
    expect(confirmed.detail['retries']).toBe(survivors.length);
    expect(confirmed.localUs).toBeGreaterThan(survivors.at(-1)!.localUs);
  });
});

describe('properties', () => {
  it('halted: whatever the events and commands, no new order reaches the venue; reducing: |inventory| never grows', async () => {
    const command = fc.constantFrom('halt', 'reduce', 'rearm', 'resume', 'pause', 'flatten-aggressive', 'flatten-passive', 'cancel-flatten', 'params');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(command, fc.integer({ min: 1, max: 12 })), { minLength: 3, maxLength: 16 }), fc.integer({ min: 1, max: 1_000 }), async (script, seed) => {
        const run = await wrappedSimDesk(open, merge(FILL_OFTEN, { strategy: { skew: { enabled: false } } }), { seed, flowMultiplier: 3 });
        advance(run.sim, 3);
        for (const step of script) {
          if (typeof step === 'number') {
            for (let i = 0; i < step; i++) {
              const state = run.desk.risk.state();
              const submits = run.venue.submitted.length;
              const inventory = Math.abs(run.desk.orders.inventoryLots());
              advance(run.sim, 0.25, 25_000);
              if (state === 'halted' && run.desk.risk.state() === 'halted') {
                // Only reduce-only flatten orders the operator asked for may leave while halted.
                for (const request of run.venue.submitted.slice(submits)) expect(request.purpose).toBe('flatten');
              }
              if (state === 'reducing' && run.desk.risk.state() === 'reducing') expect(Math.abs(run.desk.orders.inventoryLots())).toBeLessThanOrEqual(inventory);
            }
          } else if (step === 'halt') run.desk.kill('property');
          else if (step === 'reduce') {
            run.desk.reduceOnly('property');
            // Quotes working before the switch were cancelled by it; let those cancels reach the venue
            // (its latency is 2 ms): a fill already in flight is not an order sent while reducing.
            advance(run.sim, 0.01, 1_000);
          }
          else if (step === 'rearm') run.desk.rearm('property');
          else if (step === 'resume') run.desk.resume('property');
          else if (step === 'pause') run.desk.pause('property');
          else if (step === 'cancel-flatten') run.desk.cancelFlatten('property');
          else if (step === 'params') run.desk.setParams({ strategy: { size: { baseLots: 5 + (seed % 30) } } }, 'property');
          else run.desk.flatten({ style: step === 'flatten-aggressive' ? 'aggressive' : 'passive', maxSlippageBps: 50 }, 'property');
        }
        // Whatever happened, a halted desk sent no quote.
        await open.pop()!();
      }),
      { numRuns: 12, seed: 777 },
    );
  });
});

describe('flatten', () => {
  async function withInventory(patch: unknown = {}) {
    const run = await wrappedSimDesk(open, merge(merge(FILL_OFTEN, { strategy: { skew: { enabled: false } } }), patch));
    expect(advanceUntil(run.sim, () => Math.abs(run.desk.orders.inventoryLots()) >= 40, 300)).toBe(true);
    return run;
  }

  it('while halted: allowed, reduce-only (only flatten orders on the reducing side), ends flat and stays halted', async () => {
    const run = await withInventory();
    run.desk.kill('test');
    advance(run.sim, 0.5);
    const inventory = run.desk.orders.inventoryLots();
    const submits = run.venue.submitted.length;
    expect(run.desk.flatten({ style: 'aggressive', maxSlippageBps: 100 }, 'test')).toEqual({ ok: true });
    expect(advanceUntil(run.sim, () => run.desk.orders.inventoryLots() === 0, 60)).toBe(true);
    const sent = run.venue.submitted.slice(submits);
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.purpose).toBe('flatten');
      expect(request.side).toBe(inventory > 0 ? 'sell' : 'buy');
    }
    expect(run.desk.state().tradingState).toBe('halted');
    expect(run.desk.state().flatten?.status).toBe('done');
    advance(run.sim, 5);
    expect(run.venue.submitted.length).toBe(submits + sent.length);
  });

  it('can be cancelled: its orders are pulled and nothing more is sent', async () => {
    const run = await withInventory();
    expect(run.desk.flatten({ style: 'passive', maxSlippageBps: 100 }, 'test')).toEqual({ ok: true });
    advance(run.sim, 0.01, 5_000);
    expect(run.desk.orders.liveOrders().some((o) => o.purpose === 'flatten')).toBe(true);
    expect(run.desk.cancelFlatten('test')).toEqual({ ok: true });
    expect(run.desk.state().flatten?.status).toBe('cancelled');
    const submits = run.venue.submits;
    advance(run.sim, 5);
    expect(run.venue.submitted.slice(submits).filter((r) => r.purpose === 'flatten')).toEqual([]);
    expect(run.sim.openOrders().filter((o) => run.desk.orders.liveOrders().every((l) => l.clientOrderId !== o.clientOrderId))).toEqual([]);
    expect(run.desk.orders.liveOrders().some((o) => o.purpose === 'flatten')).toBe(false);
    const rows = audit(run.store, run.desk.sessionId);
    expect(rows.some((r) => r.action === 'flatten-cancel')).toBe(true);
    expect(rows.find((r) => r.action === 'flatten-finished')).toMatchObject({ detail: { status: 'cancelled' } });
  });

  it('ends with its flatten: a finished one shows the position it left (not the position moving on), then is gone; its words are prices and sizes', async () => {
    const run = await withInventory();
    const events: string[] = [];
    run.desk.subscribe((m) => {
      if (m.type !== 'session') for (const e of m.events) events.push(e.text);
    });
    expect(run.desk.flatten({ style: 'twap', maxSlippageBps: 100, durationSec: 60 }, 'test')).toEqual({ ok: true });
    expect(run.desk.state().flatten?.detail).toMatch(/^(selling|buying) \d+ at \d+\.\d{2} or better \(100 bps from mid\)$/);
    advance(run.sim, 0.3, 5_000, () => run.desk.publish());
    expect(run.desk.cancelFlatten('test')).toEqual({ ok: true });
    const left = run.desk.state().inventory;
    expect(run.desk.state().flatten).toMatchObject({ status: 'cancelled', remaining: left });
    // Quoting again moves the position; the finished flatten keeps what it left.
    expect(run.desk.resume('test').ok).toBe(true);
    expect(advanceUntil(run.sim, () => run.desk.state().inventory !== left, 9)).toBe(true);
    expect(run.desk.state().flatten).toMatchObject({ status: 'cancelled', remaining: left });
    advance(run.sim, 10.5);
    expect(run.desk.state().flatten).toBeNull();
    run.desk.publish();
    const words = events.filter((t) => t.startsWith('flatten'));
    expect(words.some((t) => /^flatten: IOC (buy|sell) \d+ at \d+\.\d{2} or better$/.test(t))).toBe(true);
    expect(words.join(' ')).not.toMatch(/ticks|lots/);
  });

  it('never overshoots zero: inventory keeps its sign through partial fills, slices in flight and slow acks', async () => {
    for (const style of ['aggressive', 'passive', 'twap'] as const) {
      // Slow acks and entries: several flatten orders can be in flight at once; thin liquidity: partial fills.
      const run = await withInventory({ execution: { makerFeeBps: 0 } });
      const start = run.desk.orders.inventoryLots();
      const sign = Math.sign(start);
      expect(run.desk.flatten({ style, maxSlippageBps: 100, durationSec: 4 }, 'test')).toEqual({ ok: true });
      let partial = false;
      const ok = advanceUntil(run.sim, () => {
        const inventory = run.desk.orders.inventoryLots();
        expect(inventory * sign).toBeGreaterThanOrEqual(0);
        const exposure = run.desk.orders.exposure();
        // Even if every working flatten order filled now, inventory could not pass zero.
        const worst = sign > 0 ? exposure.inventoryLots - exposure.openSellLots : exposure.inventoryLots + exposure.openBuyLots;
        expect(worst * sign).toBeGreaterThanOrEqual(0);
        if (inventory !== 0 && inventory !== start) partial = true;
        return inventory === 0 && run.desk.state().flatten?.status === 'done';
      }, 120, 5_000);
      expect(ok, style).toBe(true);
      expect(partial || Math.abs(start) <= 20).toBe(true);
      advance(run.sim, 5);
      expect(run.desk.orders.inventoryLots()).toBe(0);
      await open.pop()!();
    }
  });
});
