/**
 * Test support for the risk tests on the simulated market: a desk on its own clock (no wall time), built
 * either by `createDesk` or by hand around a venue wrapper that counts what reaches the exchange (submits,
 * cancels, per-instant timestamps), with helpers to advance the clock and read the audit trail back from
 * SQLite. Test support only: it owns no production behaviour.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalytics } from '../../../src/main/analytics/index.js';
import { createDesk, type RunningDesk } from '../../../src/main/desk/create-desk.js';
import { Desk } from '../../../src/main/desk/desk.js';
import type { ExecutionVenue, Fill, OrderRequest, VenueListener, VenueOpenOrder } from '../../../src/main/execution/types.js';
import { PriceLevelBook } from '../../../src/main/market/book/order-book.js';
import { DEFAULT_SIM_CONFIG, SimMarket, type SimConfig } from '../../../src/main/market/sim/sim-market.js';
import { openStore, type SqliteStore } from '../../../src/main/storage/index.js';
import { createStrategy } from '../../../src/main/strategy/index.js';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../../src/shared/params.js';
import type { LocalUs } from '../../../src/shared/units.js';
import { removeDir } from '../../support/serve-process.js';

export const START_US = 1_750_000_000_000_000;
export const SEC = 1_000_000;

export function params(patch: unknown = {}): DeskParams {
  const result = applyParamsPatch(DEFAULT_PARAMS, patch);
  if (!result.ok) throw new Error(`${result.issue.field}: ${result.issue.message}`);
  return result.params;
}

/** Tight quotes that fill often, every breaker but the one under test out of the way. */
export const FILL_OFTEN = {
  strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 20 }, adverseSelection: { enabled: false } },
  risk: {
    maxInventoryLots: 300,
    softInventoryLots: 200,
    fillBurstCount: 100_000,
    maxLossSession: 1e9,
    maxLossDaily: 1e9,
    priceBandBps: 10_000,
    adverseBreakerRate: 1,
    maxOrdersPerSec: 1_000,
  },
};

/** Deep merge of plain objects (arrays and scalars replace). */
export function merge<T>(base: T, patch: unknown): T {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) out[key] = key in out ? merge(out[key], value) : value;
  return out as T;
}

export function harness(): { open: Array<() => Promise<void>>; closeAll: () => Promise<void> } {
  const open: Array<() => Promise<void>> = [];
  return {
    open,
    closeAll: async () => {
      while (open.length) await open.pop()!();
    },
  };
}

export async function simDesk(open: Array<() => Promise<void>>, patch: unknown = FILL_OFTEN, sim: Partial<SimConfig> = {}): Promise<RunningDesk> {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-risk-'));
  const run = await createDesk({ venue: 'sim', dbPath: join(dir, 'desk.db'), params: params(patch), startUs: START_US, sim: { seed: 11, ...sim } });
  open.push(async () => {
    await run.close();
    removeDir(dir);
  });
  await run.start();
  return run;
}

/** Advances the simulated clock by `seconds` in steps, calling `each` after every step. */
export function advance(sim: SimMarket, seconds: number, stepUs = 50_000, each?: () => void): void {
  const end = sim.now() + seconds * SEC;
  while (sim.now() < end) {
    sim.advanceTo(Math.min(end, sim.now() + stepUs));
    each?.();
  }
}

/** Advances until `cond` holds (checked after each step) or `maxSeconds` pass; returns whether it held. */
export function advanceUntil(sim: SimMarket, cond: () => boolean, maxSeconds: number, stepUs = 50_000): boolean {
  const end = sim.now() + maxSeconds * SEC;
  while (!cond()) {
    if (sim.now() >= end) return false;
    sim.advanceTo(Math.min(end, sim.now() + stepUs));
  }
  return true;
}

export interface AuditView {
  readonly action: string;
  readonly who: string;
  readonly localUs: number;
  readonly detail: Record<string, unknown>;
}

export function audit(store: SqliteStore, sessionId: number): AuditView[] {
  store.flushSync();
  return store.auditTrail({ sessionId }).map((row) => ({ action: row.action, who: row.who, localUs: row.localUs, detail: row.detail }));
}

/**
 * A venue wrapper that counts and timestamps what reaches the real venue behind it; `dropCancels`
 * ignores the first N cancel requests (a venue that does not confirm at first).
 */
export class CountingVenue implements ExecutionVenue {
  readonly name: string;
  submits = 0;
  cancels = 0;
  ignoredCancels = 0;
  readonly submitTimes: LocalUs[] = [];
  readonly messageTimes: LocalUs[] = [];
  readonly submitted: OrderRequest[] = [];
  dropCancels = 0;
  /** While set, every submit is answered with a reject carrying this reason (a venue refusing orders). */
  rejectSubmits: string | null = null;
  private listener: VenueListener | null = null;
  /** process.hrtime.bigint() when the last cancel reached this wrapper (the kill-switch benchmark). */
  lastCancelHr = 0n;

  constructor(private readonly inner: ExecutionVenue) {
    this.name = inner.name;
  }

  setListener(listener: VenueListener): void {
    this.listener = listener;
    this.inner.setListener(listener);
  }

  submit(request: OrderRequest, localUs: LocalUs): void {
    this.submits++;
    this.submitTimes.push(localUs);
    this.messageTimes.push(localUs);
    this.submitted.push(request);
    if (this.rejectSubmits !== null) {
      this.listener?.onReject(request.clientOrderId, this.rejectSubmits, localUs);
      return;
    }
    this.inner.submit(request, localUs);
  }

  cancel(clientOrderId: string, localUs: LocalUs): void {
    this.cancels++;
    this.lastCancelHr = process.hrtime.bigint();
    this.messageTimes.push(localUs);
    if (this.dropCancels > 0) {
      this.dropCancels--;
      this.ignoredCancels++;
      return;
    }
    this.inner.cancel(clientOrderId, localUs);
  }

  openOrders(): VenueOpenOrder[] {
    return this.inner.openOrders();
  }

  fillsSince(sinceUs: LocalUs): Fill[] {
    return this.inner.fillsSince(sinceUs);
  }
}

export interface WrappedSimDesk {
  readonly desk: Desk;
  readonly sim: SimMarket;
  readonly venue: CountingVenue;
  readonly store: SqliteStore;
}

/** A desk on the simulated market whose venue side goes through a `CountingVenue`. */
export async function wrappedSimDesk(open: Array<() => Promise<void>>, patch: unknown = FILL_OFTEN, simConfig: Partial<SimConfig> = {}): Promise<WrappedSimDesk> {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-risk-'));
  const store = openStore(join(dir, 'desk.db'));
  const p = params(patch);
  const sim = new SimMarket(new PriceLevelBook(), { ...DEFAULT_SIM_CONFIG, makerFeeBps: p.execution.makerFeeBps, takerFeeBps: p.execution.takerFeeBps, seed: 11, ...simConfig }, START_US);
  const venue = new CountingVenue(sim);
  const desk = new Desk({
    feed: sim,
    venue,
    clock: { nowUs: () => sim.now() },
    store,
    strategy: createStrategy(p),
    analytics: createAnalytics({ tickSize: sim.instrument.tickSize, lotSize: sim.instrument.lotSize, sessionStartUs: START_US, adverseHorizonSec: p.strategy.adverseSelection.horizonSec }),
    params: p,
    mode: 'live',
  });
  open.push(async () => {
    await desk.stop('test over');
    store.close();
    removeDir(dir);
  });
  await desk.start();
  return { desk, sim, venue, store };
}

/** Most messages (submits + cancels) seen in any sliding window of `windowUs`. */
export function maxInWindow(times: readonly number[], windowUs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowUs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
