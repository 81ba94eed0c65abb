/**
 * The whole loop on the simulated market, driven on its own clock (no wall time, no sleeps): quotes on the
 * grid, emergent fills booked everywhere, the kill switch and the trading states enforced by the gate,
 * and the same seed giving the same session.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type RunningDesk } from '../../../src/main/desk/create-desk.js';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../../src/shared/params.js';
import { removeDir } from '../../support/serve-process.js';

const START_US = 1_750_000_000_000_000;
const SEC = 1_000_000;

function params(patch: unknown = {}): DeskParams {
  const result = applyParamsPatch(DEFAULT_PARAMS, patch);
  if (!result.ok) throw new Error(`${result.issue.field}: ${result.issue.message}`);
  return result.params;
}

const FILL_OFTEN = {
  strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 20 } },
  risk: { maxInventoryLots: 300, softInventoryLots: 200, fillBurstCount: 100_000, maxLossSession: 1e9, maxLossDaily: 1e9, priceBandBps: 10_000 },
};

const open: Array<{ run: RunningDesk; dir: string }> = [];

async function simDesk(patch: unknown = FILL_OFTEN, sim: Record<string, number> = {}): Promise<RunningDesk> {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-desk-'));
  const run = await createDesk({ venue: 'sim', dbPath: join(dir, 'desk.db'), params: params(patch), startUs: START_US, sim: { seed: 11, ...sim } });
  open.push({ run, dir });
  await run.start();
  return run;
}

function advance(run: RunningDesk, seconds: number, stepUs = 50_000): void {
  const sim = run.sim!;
  const end = sim.now() + seconds * SEC;
  while (sim.now() < end) sim.advanceTo(Math.min(end, sim.now() + stepUs));
}

afterEach(async () => {
  for (const { run, dir } of open.splice(0)) {
    await run.close();
    removeDir(dir);
  }
});

describe('the desk on the simulated market', () => {
  it('quotes both sides on the tick grid, inside the hard limit, and books emergent fills everywhere', async () => {
    const run = await simDesk();
    advance(run, 120);
    const state = run.desk.state();
    expect(state.tradingState).toBe('active');
    expect(run.desk.stats.fills).toBeGreaterThan(5);
    run.store.flushSync();
    const fills = run.store.fills({ sessionId: run.desk.sessionId, limit: 100_000 });
    expect(fills).toHaveLength(run.desk.stats.fills);
    const signed = fills.reduce((sum, fill) => sum + (fill.side === 'buy' ? fill.size : -fill.size), 0);
    expect(state.inventory).toBe(signed);
    expect(Math.abs(signed)).toBeLessThanOrEqual(300);
    const metrics = run.desk.metrics();
    expect(metrics.numFills).toBe(fills.length);
    for (const order of state.openOrders) expect(Number.isInteger(Math.round(order.price * 100))).toBe(true);
    expect(Math.abs(state.pnl.total - (state.pnl.realized + state.pnl.unrealized - state.pnl.fees))).toBeLessThan(1e-6);
  });

  it('a subscriber gets each event and fill once: in its snapshot or in a later update, never both', async () => {
    const run = await simDesk();
    const early: string[] = [];
    run.desk.subscribe((m) => {
      if (m.type !== 'session') for (const e of m.events) early.push(e.text);
    });
    const late: string[] = [];
    const lateFills: string[] = [];
    // Subscribed while the start's events are still waiting for the first publish (as a host does).
    run.desk.subscribe((m) => {
      if (m.type === 'session') return;
      for (const e of m.events) late.push(`${e.timeMs}|${e.text}`);
      for (const f of m.fills) lateFills.push(f.fillId);
    });
    for (let i = 0; i < 200; i++) {
      run.sim!.advanceTo(run.sim!.now() + 20_000);
      // Fills reach the stream once committed.
      if (i % 20 === 19) run.store.flushSync();
      run.desk.publish();
    }
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(late).size).toBe(late.length);
    expect(lateFills.length).toBeGreaterThan(0);
    expect(new Set(lateFills).size).toBe(lateFills.length);
    expect(early).toContain('connected');
  });

  it('is repeatable: the same seed and parameters give the same fills', async () => {
    const a = await simDesk();
    const b = await simDesk();
    advance(a, 60);
    advance(b, 60);
    a.store.flushSync();
    b.store.flushSync();
    const strip = (run: RunningDesk) => run.store.fills({ sessionId: run.desk.sessionId, limit: 100_000 }).map((f) => [f.side, f.price, f.size, f.localUs, f.fee]);
    expect(strip(a).length).toBeGreaterThan(0);
    expect(strip(a)).toEqual(strip(b));
  });

  it('kills under a 20,000 messages/s feed: nothing is sent after the kill and no order survives', async () => {
    const run = await simDesk({ ...FILL_OFTEN, risk: { ...FILL_OFTEN.risk, maxOrdersPerSec: 2_000 } }, { flowMultiplier: 300 });
    advance(run, 2, 1_000);
    const messagesBefore = run.desk.state().feed.messages;
    expect(messagesBefore).toBeGreaterThan(30_000);
    expect(run.desk.orders.liveCount()).toBeGreaterThan(0);
    run.desk.kill('test');
    const sentAtKill = run.desk.stats.ordersSent;
    advance(run, 2, 1_000);
    expect(run.desk.stats.ordersSent).toBe(sentAtKill);
    expect(run.desk.orders.liveCount()).toBe(0);
    expect(run.sim!.openOrders()).toEqual([]);
    expect(run.desk.state().tradingState).toBe('halted');
    run.store.flushSync();
    const audit = run.store.auditTrail({ sessionId: run.desk.sessionId }).map((row) => row.action);
    expect(audit).toContain('kill');
    // The venue confirmed that nothing of ours is left.
    expect(audit).toContain('kill-confirmed');
    expect(run.desk.stats.killConfirmedMs).toBeGreaterThanOrEqual(0);
  });

  it('never sends a new order while halted, and |inventory| never grows while reducing, whatever happens', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('halt'), fc.constant('reduce'), fc.constant('rearm'), fc.constant('resume'), fc.constant('pause'), fc.integer({ min: 1, max: 20 })), { minLength: 3, maxLength: 20 }),
        async (script) => {
          const run = await simDesk();
          advance(run, 5);
          for (const step of script) {
            if (typeof step === 'number') {
              const state = run.desk.risk.state();
              const sent = run.desk.stats.ordersSent;
              const inventory = Math.abs(run.desk.orders.inventoryLots());
              for (let i = 0; i < step; i++) {
                advance(run, 0.25);
                if (state === 'reducing') expect(Math.abs(run.desk.orders.inventoryLots())).toBeLessThanOrEqual(inventory);
              }
              if (state === 'halted') expect(run.desk.stats.ordersSent).toBe(sent);
            } else if (step === 'halt') run.desk.kill('property');
            else if (step === 'reduce') {
              run.desk.reduceOnly('property');
              // Quotes working before the switch were cancelled by it; let those cancels reach the venue
              // (its latency is 2 ms): a fill already in flight is not an order sent while reducing.
              advance(run, 0.01, 1_000);
            }
            else if (step === 'rearm') run.desk.rearm('property');
            else if (step === 'resume') run.desk.resume('property');
            else run.desk.pause('property');
          }
          const { run: last, dir } = open.pop()!;
          await last.close();
          removeDir(dir);
        },
      ),
      { numRuns: 15, seed: 4242 },
    );
  });

  it('flattens in each style to exactly zero within the slippage cap', async () => {
    for (const style of ['aggressive', 'passive', 'twap'] as const) {
      const run = await simDesk({ ...FILL_OFTEN, strategy: { ...FILL_OFTEN.strategy, skew: { enabled: false } } });
      advance(run, 40);
      let inventory = run.desk.orders.inventoryLots();
      for (let i = 0; i < 20 && inventory === 0; i++) {
        advance(run, 5);
        inventory = run.desk.orders.inventoryLots();
      }
      expect(inventory).not.toBe(0);
      const mid = run.desk.state().mid!;
      const fillsBefore = run.desk.stats.fills;
      const result = run.desk.flatten({ style, maxSlippageBps: 30, durationSec: 10 }, 'test');
      expect(result).toEqual({ ok: true });
      for (let i = 0; i < 120 && run.desk.orders.inventoryLots() !== 0; i++) advance(run, 1);
      expect(run.desk.orders.inventoryLots()).toBe(0);
      expect(run.desk.state().flatten?.status).toBe('done');
      // Flatten leaves quoting paused: the position is not rebuilt behind the operator's back.
      expect(run.desk.state().tradingState).toBe('paused');
      advance(run, 10);
      expect(run.desk.orders.inventoryLots()).toBe(0);
      run.store.flushSync();
      const flattenFills = run.store.fills({ sessionId: run.desk.sessionId, limit: 100_000 }).slice(0, run.desk.stats.fills - fillsBefore);
      expect(flattenFills.length).toBeGreaterThan(0);
      for (const fill of flattenFills) {
        const price = fill.price / 100;
        const slipBps = ((inventory > 0 ? mid - price : price - mid) / mid) * 10_000;
        expect(slipBps).toBeLessThanOrEqual(30 + 1e-9);
      }
      await open.pop()!.run.close();
    }
  });
});
