/**
 * A desk trading for real, on the simulated market's data with a live venue whose gateway answers as the
 * test says: the session is stored as live with its endpoint and the venue holding it counts from; a kill
 * cancels everything at the venue and is confirmed only by the venue's own answer given after it; the user
 * stream dropping pulls the quotes and stops quoting until the desk has reconciled again; a holding the
 * stored fills do not explain halts quoting until the operator accepts it, which moves the baseline,
 * audited. A real SQLite file and the real desk, order manager and risk gate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../src/main/analytics/index.js';
import { Desk } from '../../../src/main/desk/desk.js';
import { LiveVenue } from '../../../src/main/execution/live/live-venue.js';
import type { GatewayOrder, GatewayOrderState, Holdings } from '../../../src/main/execution/live/gateway.js';
import { PriceLevelBook } from '../../../src/main/market/book/order-book.js';
import { DEFAULT_SIM_CONFIG, SimMarket } from '../../../src/main/market/sim/sim-market.js';
import { openStore, type SqliteStore } from '../../../src/main/storage/index.js';
import { createStrategy } from '../../../src/main/strategy/index.js';
import { removeDir } from '../../support/serve-process.js';
import { RULES, ScriptedGateway, type CallKind } from '../execution/live/scripted-gateway.js';
import { FILL_OFTEN, SEC, START_US, advance, audit, params } from '../risk/sim-support.js';

const SIM_RULES = { ...RULES, symbol: 'SIM-USD', baseAsset: 'SIM', quoteAsset: 'USD', tickSize: '0.01', stepSize: '1', minQuantity: '1', minNotional: '0' };

interface Rig {
  readonly desk: Desk;
  readonly sim: SimMarket;
  readonly gateway: ScriptedGateway;
  readonly store: SqliteStore;
  holdings: Holdings;
  /** Kinds answered by hand (left pending by the responder). */
  readonly manual: Set<CallKind>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Each order the venue holds, as the gateway's answers made it. */
function acked(order: GatewayOrder): GatewayOrderState {
  return { clientOrderId: order.clientOrderId, venueOrderId: `v-${order.clientOrderId}`, side: order.side, price: order.price, quantity: order.quantity, executedQuantity: '0', status: 'new', reason: null, exchUs: START_US };
}

async function liveDesk(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-live-desk-'));
  const store = openStore(join(dir, 'desk.db'));
  const p = params(FILL_OFTEN);
  const sim = new SimMarket(new PriceLevelBook(), { ...DEFAULT_SIM_CONFIG, seed: 11 }, START_US);
  const gateway = new ScriptedGateway(SIM_RULES);
  const holding = (free: string): Holdings => ({ kind: 'balances', base: { asset: 'SIM', free, locked: '0' }, quote: { asset: 'USD', free: '100000', locked: '0' } });
  const working = new Map<string, GatewayOrderState>();
  const rig: Rig = { desk: null as unknown as Desk, sim, gateway, store, holdings: holding('100'), manual: new Set() };
  gateway.responder = (kind, args) => {
    if (rig.manual.has(kind)) return undefined;
    switch (kind) {
      case 'place': {
        const state = acked(args[0] as GatewayOrder);
        working.set(state.clientOrderId, state);
        return state;
      }
      case 'cancel': {
        const id = args[0] as string;
        const state = working.get(id);
        working.delete(id);
        return state ? { ...state, status: 'cancelled' } : new Error('unknown');
      }
      case 'cancelAll': {
        const all = [...working.values()].map((s) => ({ ...s, status: 'cancelled' as const }));
        working.clear();
        return all;
      }
      case 'openOrders':
        return [...working.values()];
      case 'trades':
        return [];
      case 'holdings':
        return rig.holdings;
      case 'query':
        return working.get(args[0] as string) ?? null;
      case 'arm':
        return null;
    }
  };
  const venue = new LiveVenue({ gateway, tickSize: '0.01', lotSize: '1', nowUs: () => sim.now(), log: () => undefined });
  const desk = new Desk({
    feed: sim,
    venue,
    clock: { nowUs: () => sim.now() },
    store,
    strategy: createStrategy(p),
    analytics: createAnalytics({ tickSize: '0.01', lotSize: '1', sessionStartUs: START_US, adverseHorizonSec: p.strategy.adverseSelection.horizonSec }),
    params: p,
    mode: 'live',
    orderIdPrefix: 'qdtest-',
    endpoint: 'testnet',
  });
  (rig as { desk: Desk }).desk = desk;
  cleanups.push(async () => {
    await desk.stop('test over');
    store.close();
    removeDir(dir);
  });
  await desk.start();
  return rig;
}

/** Runs the market until the desk's asynchronous venue answers have been applied and it quotes. */
async function runUntil(rig: Rig, cond: () => boolean, seconds = 5): Promise<boolean> {
  const end = rig.sim.now() + seconds * SEC;
  while (!cond()) {
    if (rig.sim.now() >= end) return false;
    advance(rig.sim, 0.05, 10_000);
    // The gateway's answers are promises: let them settle between steps of the market.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

describe('a live desk', () => {
  it('stores the session as live with its endpoint and the venue holding it counts from, and quotes post-only', async () => {
    const rig = await liveDesk();
    expect(await runUntil(rig, () => rig.desk.orders.liveOrders().some((o) => o.status === 'working'))).toBe(true);
    const session = rig.store.session(rig.desk.sessionId);
    expect(session).toMatchObject({ execution: 'live', endpoint: 'testnet', baselineLots: 100 });
    const placed = rig.gateway.calls.filter((c) => c.kind === 'place').map((c) => c.args[0] as GatewayOrder);
    expect(placed.length).toBeGreaterThan(0);
    expect(new Set(placed.map((o) => o.kind))).toEqual(new Set(['post-only']));
    expect(placed.every((o) => o.clientOrderId.startsWith('qdtest-'))).toBe(true);
    const state = rig.desk.state();
    expect(state.execution).toBe('live');
    expect(state.venueLink).toMatchObject({ endpoint: 'testnet', userStream: 'up', holding: 100, expectedHolding: 100, baseline: 100, positionMismatch: false, deadMansSwitch: 'none at this venue' });
  });

  it("confirms a kill only on the venue's answer given after it, and audits that answer", async () => {
    const rig = await liveDesk();
    expect(await runUntil(rig, () => rig.desk.orders.liveOrders().some((o) => o.status === 'working'))).toBe(true);
    rig.manual.add('openOrders');
    const asked = rig.gateway.count('openOrders');
    rig.desk.kill('operator:test');
    expect(rig.gateway.count('cancelAll')).toBe(1);
    await runUntil(rig, () => rig.desk.orders.liveCount() === 0);
    // Our orders are all cancelled, but the venue has not yet said it holds none: not confirmed.
    advance(rig.sim, 0.5, 10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(Number.isNaN(rig.desk.stats.killConfirmedMs)).toBe(true);
    expect(rig.gateway.count('openOrders')).toBeGreaterThan(asked);
    rig.manual.delete('openOrders');
    for (const call of rig.gateway.calls) if (call.kind === 'openOrders' && !call.settled) rig.gateway.answer('openOrders', []);
    expect(await runUntil(rig, () => Number.isFinite(rig.desk.stats.killConfirmedMs))).toBe(true);
    const confirmed = audit(rig.store, rig.desk.sessionId).find((row) => row.action === 'kill-confirmed');
    expect(confirmed?.detail).toMatchObject({ venueAnswer: 'no open order of ours on the symbol', endpoint: 'testnet' });
    // Nothing was placed after the kill.
    const placedAfter = rig.gateway.calls.slice(rig.gateway.calls.findIndex((c) => c.kind === 'cancelAll')).filter((c) => c.kind === 'place');
    expect(placedAfter).toEqual([]);
  });

  it('pulls the quotes when the user stream drops and quotes again only after reconciling', async () => {
    const rig = await liveDesk();
    expect(await runUntil(rig, () => rig.desk.orders.liveOrders().some((o) => o.status === 'working'))).toBe(true);
    rig.gateway.emit({ type: 'stream', status: 'down', detail: 'socket closed (1006)', localUs: rig.sim.now() });
    await runUntil(rig, () => rig.desk.orders.liveCount() === 0);
    const placesWhileDown = rig.gateway.count('place');
    advance(rig.sim, 1, 10_000);
    expect(rig.desk.state().reasons.bid).toContain('venue-disconnected');
    expect(rig.gateway.count('place')).toBe(placesWhileDown);
    const preparesBefore = rig.gateway.count('holdings');
    rig.gateway.emit({ type: 'stream', status: 'up', detail: 'subscribed', localUs: rig.sim.now() });
    expect(await runUntil(rig, () => rig.desk.orders.liveOrders().some((o) => o.status === 'working'))).toBe(true);
    expect(rig.gateway.count('holdings')).toBe(preparesBefore + 1);
    expect(rig.desk.state().reasons.bid).not.toContain('venue-disconnected');
    const actions = audit(rig.store, rig.desk.sessionId).map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['user-stream-down', 'resynced']));
  });

  it('halts quoting on a holding the stored fills do not explain, until the operator accepts it (the baseline moves)', async () => {
    const rig = await liveDesk();
    expect(await runUntil(rig, () => rig.desk.orders.liveOrders().some((o) => o.status === 'working'))).toBe(true);
    // Someone withdrew 7 from the account; the desk finds out at its next reconciliation.
    rig.holdings = { kind: 'balances', base: { asset: 'SIM', free: String(93 + rig.desk.orders.inventoryLots()), locked: '0' }, quote: { asset: 'USD', free: '1', locked: '0' } };
    rig.gateway.emit({ type: 'stream', status: 'down', detail: 'blip', localUs: rig.sim.now() });
    rig.gateway.emit({ type: 'stream', status: 'up', detail: 'back', localUs: rig.sim.now() });
    expect(await runUntil(rig, () => rig.desk.state().venueLink?.positionMismatch === true)).toBe(true);
    expect(rig.desk.state().reasons.ask).toContain('position-mismatch');
    const result = rig.desk.acceptPosition('operator:test');
    expect(result).toEqual({ ok: true });
    rig.store.flushSync();
    expect(rig.store.session(rig.desk.sessionId)?.baselineLots).toBe(93);
    expect(rig.desk.state().venueLink?.positionMismatch).toBe(false);
    expect(audit(rig.store, rig.desk.sessionId).find((row) => row.action === 'accept-position')?.detail).toMatchObject({ baselineFrom: 100, baselineTo: 93 });
    expect(rig.desk.acceptPosition('operator:test')).toEqual({ ok: false, error: 'the venue position agrees with the stored fills: nothing to accept' });
    expect(await runUntil(rig, () => rig.desk.orders.liveOrders().some((o) => o.status === 'working'))).toBe(true);
  });
});
