/**
 * Storage benchmarks (standalone: `npx tsx test/bench/storage.bench.ts`), printing figures, asserting
 * nothing. All on a real file in os.tmpdir() with the store's own settings (WAL, synchronous=FULL).
 *
 * 1. Durable single-fill commits: one fill per transaction, each flushed before the next (targets
 *    >= 1,000 commits/s, p99 <= 10 ms).
 * 2. Grouped commits: fills committed in batches (target >= 20,000 fills/s).
 * 3. Engine-loop stall: a 1 ms timer loop records fills (plus PnL snapshots and audit rows) at a high rate
 *    through the queue for BENCH_STALL_SEC seconds (default 15); the store flushes itself after each turn.
 *    Prints p50/p99/max of the flush durations (the time the loop is blocked by storage) and of the
 *    loop's own turn-to-turn lateness.
 * Environment: BENCH_SINGLE (commits, default 3000), BENCH_GROUPED (fills, default 200000),
 * BENCH_STALL_SEC, BENCH_RATE (fills/s in the loop, default 10000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_PARAMS } from '../../src/shared/params.js';
import { openStore } from '../../src/main/storage/index.js';
import type { StoredFill } from '../../src/main/storage/types.js';

const SINGLE = Number(process.env['BENCH_SINGLE'] ?? 3_000);
const GROUPED = Number(process.env['BENCH_GROUPED'] ?? 200_000);
const STALL_SEC = Number(process.env['BENCH_STALL_SEC'] ?? 15);
const RATE = Number(process.env['BENCH_RATE'] ?? 10_000);

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-bench-store-'));
const meta = {
  venue: 'sim',
  symbol: 'BTC-USD',
  mode: 'live' as const,
  tickSize: '0.01',
  lotSize: '0.001',
  params: DEFAULT_PARAMS,
  recording: null,
  startedUs: Date.now() * 1000,
};

function fill(sessionId: number, n: number): StoredFill {
  return {
    sessionId,
    fillId: `F${n}`,
    clientOrderId: `O${n >> 2}`,
    side: n % 2 === 0 ? 'buy' : 'sell',
    price: 6_500_000 + (n % 50),
    size: 1 + (n % 9),
    fee: -0.0125,
    liquidity: 'maker',
    localUs: meta.startedUs + n,
    midAtFill: 6_500_000.5,
    fairValueAtFill: 6_500_000.25,
    inventoryAfter: n % 100,
  };
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): string {
  const sorted = Float64Array.from(samples).sort();
  return `p50 ${quantile(sorted, 0.5).toFixed(3)} ms, p99 ${quantile(sorted, 0.99).toFixed(3)} ms, max ${(sorted[sorted.length - 1] ?? Number.NaN).toFixed(3)} ms (n=${sorted.length})`;
}

function singleCommits(): void {
  const store = openStore(join(dir, 'single.db'), { scheduleFlush: () => {}, logger: () => {} });
  const id = store.openSession(meta);
  const latencies: number[] = [];
  const started = performance.now();
  for (let n = 0; n < SINGLE; n++) {
    const t0 = performance.now();
    store.recordFill(fill(id, n));
    store.flush();
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  store.close();
  console.log(`durable single-fill commits (synchronous=FULL, 1 fill/transaction): ${(SINGLE / seconds).toFixed(0)} commits/s; latency ${summary(latencies)}`);
}

function groupedCommits(): void {
  const store = openStore(join(dir, 'grouped.db'), { scheduleFlush: () => {}, logger: () => {} });
  const id = store.openSession(meta);
  for (const batch of [100, 1_000, 10_000]) {
    const base = batch * 1_000_000;
    const started = performance.now();
    for (let n = 0; n < GROUPED; n++) {
      store.recordFill(fill(id, base + n));
      if ((n + 1) % batch === 0) store.flush();
    }
    store.flush();
    const seconds = (performance.now() - started) / 1000;
    console.log(`grouped commits, ${batch} fills/transaction: ${(GROUPED / seconds).toFixed(0)} fills/s`);
  }
  store.close();
}

async function engineLoop(): Promise<void> {
  const flushMs: number[] = [];
  const slow: string[] = [];
  const store = openStore(join(dir, 'loop.db'), {
    logger: (line) => slow.push(line),
    scheduleFlush: (fn) =>
      void setImmediate(() => {
        const t0 = performance.now();
        fn();
        flushMs.push(performance.now() - t0);
      }),
  });
  const id = store.openSession(meta);
  const lateness: number[] = [];
  let n = 0;
  let turns = 0;
  const started = performance.now();
  const end = started + STALL_SEC * 1000;
  await new Promise<void>((resolve) => {
    let expected = performance.now() + 1;
    const turn = (): void => {
      const now = performance.now();
      lateness.push(Math.max(0, now - expected));
      expected = now + 1;
      turns++;
      const due = Math.floor(((now - started) / 1000) * RATE);
      while (n < due) {
        store.recordFill(fill(id, n));
        n++;
      }
      if (turns % 100 === 0) {
        store.recordPnl({ sessionId: id, localUs: meta.startedUs + n, inventoryLots: n % 100, cash: 1, realized: 1, unrealized: 0, fees: 0, mid: 6_500_000.5 });
        store.audit({ sessionId: id, localUs: meta.startedUs + n, who: 'risk', action: 'state', detail: { turn: turns } });
      }
      if (now >= end) resolve();
      else setTimeout(turn, 1);
    };
    setTimeout(turn, 1);
  });
  store.flush();
  const stats = store.stats();
  store.close();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `engine loop ${seconds.toFixed(1)} s at ${RATE} fills/s target: ${n} fills (${(n / seconds).toFixed(0)}/s), ${turns} turns, ${stats.commits} commits, ${stats.rowsCommitted} rows`,
  );
  console.log(`  storage stall per turn (flush duration): ${summary(flushMs)}`);
  console.log(`  loop lateness (timer turn vs 1 ms schedule): ${summary(lateness)}`);
  console.log(`  slow-commit log lines (> 20 ms): ${slow.length}`);
}

try {
  console.log(`storage bench: files in ${dir}`);
  singleCommits();
  groupedCommits();
  await engineLoop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
