/**
 * Recovery against a venue that outlived the desk (the simulated exchange keeps running while the desk
 * "crashes"): the restarted desk rebuilds inventory, cash and PnL from the store, adopts the orders the
 * venue still holds that the journal knows, cancels the ones it does not (cancel-on-connect), books the
 * fills the venue made while no desk listened as untracked — and quotes only after all of that.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../src/main/analytics/index.js';
import { Desk } from '../../../src/main/desk/desk.js';
import type { Fill, VenueListener } from '../../../src/main/execution/types.js';
import { PriceLevelBook } from '../../../src/main/market/book/order-book.js';
import { DEFAULT_SIM_CONFIG, SimMarket } from '../../../src/main/market/sim/sim-market.js';
import { openStore, type SqliteStore } from '../../../src/main/storage/index.js';
import { createStrategy } from '../../../src/main/strategy/index.js';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../../src/shared/params.js';
import { removeDir } from '../../support/serve-process.js';

const START_US = 1_760_000_000_000_000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function params(): DeskParams {
  const result = applyParamsPatch(DEFAULT_PARAMS, {
    strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 15 } },
    risk: { maxInventoryLots: 500, softInventoryLots: 400, fillBurstCount: 100_000, priceBandBps: 10_000 },
  });
  if (!result.ok) throw new Error(result.issue.message);
  return result.params;
}

function deskOn(sim: SimMarket, store: SqliteStore): Desk {
  const p = params();
  return new Desk({
    feed: sim,
    venue: sim,
    clock: { nowUs: () => sim.now() },
    store,
    strategy: createStrategy(p),
    analytics: createAnalytics({ tickSize: sim.instrument.tickSize, lotSize: sim.instrument.lotSize, sessionStartUs: sim.now(), adverseHorizonSec: 5 }),
    params: p,
    mode: 'live',
  });
}

function advance(sim: SimMarket, seconds: number): void {
  const end = sim.now() + seconds * 1_000_000;
  while (sim.now() < end) sim.advanceTo(Math.min(end, sim.now() + 20_000));
}

describe('recovery against a venue that outlived the desk', () => {
  it('adopts, cancels and books untracked fills before the first quote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-reconcile-'));
    dirs.push(dir);
    const dbPath = join(dir, 'desk.db');
    const sim = new SimMarket(new PriceLevelBook(), { ...DEFAULT_SIM_CONFIG, seed: 5 }, START_US);

    const storeA = openStore(dbPath);
    const deskA = deskOn(sim, storeA);
    await deskA.start();
    advance(sim, 30);
    expect(deskA.stats.fills).toBeGreaterThan(0);
    storeA.flushSync();
    const journaled = new Set(storeA.orders({ sessionId: deskA.sessionId, status: 'open' }).map((o) => o.clientOrderId));
    expect(journaled.size).toBeGreaterThan(0);

    // The desk dies: nobody listens to the venue any more, but the venue keeps matching our resting orders.
    const lost: Fill[] = [];
    const deaf: VenueListener = { onAck: () => undefined, onReject: () => undefined, onDone: () => undefined, onFill: (fill) => lost.push(fill) };
    sim.setListener(deaf);
    await sim.start({ onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined });
    storeA.close();
    // Until the venue fills one of them while the other still rests there.
    for (let i = 0; i < 3_000 && lost.length === 0; i++) advance(sim, 0.02);
    expect(lost.length).toBeGreaterThan(0);
    const stillOpenAtVenue = sim.openOrders().map((o) => o.clientOrderId);

    // Restart on the same database and the same venue.
    const storeB = openStore(dbPath);
    const deskB = deskOn(sim, storeB);
    const submits: string[] = [];
    const original = sim.submit.bind(sim);
    sim.submit = (request, localUs) => {
      // No new order may leave before reconciliation is complete.
      expect(deskB.isReconciled()).toBe(true);
      submits.push(request.clientOrderId);
      original(request, localUs);
    };
    await deskB.start();
    const liveAfterStart = new Set(deskB.orders.liveOrders().map((o) => o.clientOrderId));
    expect(deskB.sessionId).toBe(deskA.sessionId);
    expect(deskB.stats.untrackedFills).toBe(lost.length);
    storeB.flushSync();

    const fills = storeB.fills({ sessionId: deskB.sessionId, limit: 100_000 });
    for (const fill of lost) expect(fills.some((stored) => stored.fillId === fill.fillId)).toBe(true);
    const signed = fills.reduce((sum, f) => sum + (f.side === 'buy' ? f.size : -f.size), 0);
    expect(deskB.orders.inventoryLots()).toBe(signed);
    expect(deskB.state().inventory).toBe(signed);
    const events = storeB.orderEvents(deskB.sessionId).filter((e) => e.type === 'untracked');
    expect(events).toHaveLength(lost.length);

    // Orders the journal knew and the venue still holds are adopted (tracked again), not forgotten.
    const adoptable = stillOpenAtVenue.filter((id) => journaled.has(id));
    expect(adoptable.length).toBeGreaterThan(0);
    for (const id of adoptable) expect(liveAfterStart.has(id)).toBe(true);
    // Orders the journal did not know were cancelled on connect.
    advance(sim, 1);
    for (const order of sim.openOrders()) expect(journaled.has(order.clientOrderId) || submits.includes(order.clientOrderId)).toBe(true);
    await deskB.stop();
    storeB.close();
  });
});
