/**
 * Storage benchmarks (standalone: `npx tsx test/bench/storage.bench.ts`), printing figures, asserting
 * nothing. All on a real file in os.tmpdir() with the store's own settings (WAL, synchronous=FULL), for
 * both writers: 'worker' (the default: commits in the writer thread) and 'inline' (commits on the caller's
 * thread, the previous behaviour).
 *
 * 1. Durable single-fill commits: one fill per transaction, each confirmed before the next (inline:
 *    `flush()`; worker: `flushSync()`, a round trip to the writer thread). Targets >= 1,000 commits/s,
 *    p99 <= 10 ms.
 * 2. Grouped commits: fills handed off in batches of 100 / 1,000 / 10,000, everything confirmed at the end
 *    (target >= 20,000 fills/s).
 * 3. Engine-loop stall: a 1 ms timer loop records fills (plus PnL snapshots and audit rows) at a high rate
 *    through the queue for BENCH_STALL_SEC seconds (default 60, the figure); the store flushes
 *    itself after each turn. Prints p50/p99/max of the main-thread time spent in storage per engine turn
 *    (the turn's write calls + the flush it scheduled: a hand-off in worker mode, the whole commit inline),
 *    of the worker's confirmations handled on the main thread, of the commits themselves (where they ran),
 *    and of the loop's own turn-to-turn lateness.
 * Environment: BENCH_SINGLE (commits, default 2000), BENCH_GROUPED (fills, default 200000),
 * BENCH_STALL_SEC, BENCH_RATE (fills/s in the loop, default 10000), BENCH_WRITERS (default "worker,inline").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { DEFAULT_PARAMS } from '../../src/shared/params.js';
import { openStore } from '../../src/main/storage/index.js';
import type { StoredFill } from '../../src/main/storage/types.js';

const SINGLE = Number(process.env['BENCH_SINGLE'] ?? 2_000);
const GROUPED = Number(process.env['BENCH_GROUPED'] ?? 200_000);
const STALL_SEC = Number(process.env['BENCH_STALL_SEC'] ?? 60);
const RATE = Number(process.env['BENCH_RATE'] ?? 10_000);
const WRITERS = (process.env['BENCH_WRITERS'] ?? 'worker,inline').split(',').map((w) => {
  if (w !== 'worker' && w !== 'inline') throw new Error(`BENCH_WRITERS: unknown writer "${w}" (worker, inline)`);
  return w;
});
type Writer = (typeof WRITERS)[number];

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
    exchUs: meta.startedUs + n,
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

function singleCommits(writer: Writer): void {
  const store = openStore(join(dir, `single-${writer}.db`), { writer, scheduleFlush: () => {}, logger: () => {} });
  const id = store.openSession(meta);
  const latencies: number[] = [];
  const started = performance.now();
  for (let n = 0; n < SINGLE; n++) {
    const t0 = performance.now();
    store.recordFill(fill(id, n));
    store.flushSync();
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = store.stats();
  store.close();
  console.log(
    `[${writer}] durable single-fill commits (synchronous=FULL, 1 fill/transaction, confirmed each): ${(SINGLE / seconds).toFixed(0)} commits/s (${stats.commits} commits); latency ${summary(latencies)}`,
  );
}

function groupedCommits(writer: Writer): void {
  const store = openStore(join(dir, `grouped-${writer}.db`), { writer, scheduleFlush: () => {}, logger: () => {} });
  const id = store.openSession(meta);
  for (const batch of [100, 1_000, 10_000]) {
    const base = batch * 1_000_000;
    const commitsBefore = store.stats().commits;
    const started = performance.now();
    for (let n = 0; n < GROUPED; n++) {
      store.recordFill(fill(id, base + n));
      if ((n + 1) % batch === 0) store.flush();
    }
    store.flushSync();
    const seconds = (performance.now() - started) / 1000;
    const commits = store.stats().commits - commitsBefore;
    console.log(`[${writer}] grouped commits, ${batch} fills/hand-off: ${(GROUPED / seconds).toFixed(0)} durable fills/s (${commits} transactions)`);
  }
  store.close();
}

async function engineLoop(writer: Writer): Promise<void> {
  const turnStorageMs: number[] = [];
  const flushMs: number[] = [];
  const confirmMs: number[] = [];
  const commitMs: number[] = [];
  const threads = new Set<number>();
  const slow: string[] = [];
  let pendingTurnMs = 0;
  const store = openStore(join(dir, `loop-${writer}.db`), {
    writer,
    logger: (line) => slow.push(line),
    measureMainThread: (what, ms) => {
      if (what === 'confirm') confirmMs.push(ms);
    },
    scheduleFlush: (fn) =>
      void setImmediate(() => {
        const t0 = performance.now();
        fn();
        const ms = performance.now() - t0;
        flushMs.push(ms);
        // why: the turn that queued the writes waits for this flush too before the loop is free again.
        turnStorageMs.push(pendingTurnMs + ms);
        pendingTurnMs = 0;
      }),
  });
  store.onBatchCommitted((info) => {
    commitMs.push(info.durationMs);
    threads.add(info.threadId);
  });
  const id = store.openSession(meta);
  // why: on a shared machine a long "storage" sample can be a GC pause or the OS preempting the thread;
  // the GC pauses are printed beside the figures so a spike can be told apart.
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
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
      const t0 = performance.now();
      while (n < due) {
        store.recordFill(fill(id, n));
        n++;
      }
      if (turns % 100 === 0) {
        store.recordPnl({ sessionId: id, localUs: meta.startedUs + n, inventoryLots: n % 100, cash: 1, realized: 1, unrealized: 0, fees: 0, mid: 6_500_000.5 });
        store.audit({ sessionId: id, localUs: meta.startedUs + n, who: 'risk', action: 'state', detail: { turn: turns } });
      }
      pendingTurnMs += performance.now() - t0;
      if (now >= end) resolve();
      else setTimeout(turn, 1);
    };
    setTimeout(turn, 1);
  });
  store.flushSync();
  gcObserver.disconnect();
  const stats = store.stats();
  store.close();
  const seconds = (performance.now() - started) / 1000;
  const everything = [...turnStorageMs, ...confirmMs];
  console.log(
    `[${writer}] engine loop ${seconds.toFixed(1)} s at ${RATE} fills/s target: ${n} fills (${(n / seconds).toFixed(0)}/s), ${turns} turns, ${stats.commits} commits, ${stats.rowsCommitted} rows, ${stats.checkpoints} writer checkpoints (max ${stats.maxCheckpointMs.toFixed(1)} ms)`,
  );
  console.log(`  main-thread storage time per engine turn (writes + its flush): ${summary(turnStorageMs)}`);
  console.log(`  of which the flush (${writer === 'worker' ? 'hand-off' : 'whole commit'}): ${summary(flushMs)}`);
  if (writer === 'worker') console.log(`  confirmations handled on the main thread: ${summary(confirmMs)}`);
  console.log(`  LONGEST STALL OF THE ENGINE LOOP BY STORAGE (any main-thread storage task): ${summary(everything)}`);
  console.log(`  commit transactions (thread ${[...threads].join(',')}; not on the main thread in worker mode): ${summary(commitMs)}`);
  console.log(`  loop lateness (timer turn vs 1 ms schedule, all causes): ${summary(lateness)}`);
  console.log(`  main-thread storage tasks > 10 ms: ${everything.filter((ms) => ms > 10).length}; main-thread GC pauses: ${summary(gcPauses)}`);
  console.log(`  slow-commit/checkpoint log lines (> 20 ms): ${slow.length}`);
}

try {
  console.log(`storage bench: files in ${dir}`);
  for (const writer of WRITERS) {
    singleCommits(writer);
    groupedCommits(writer);
  }
  for (const writer of WRITERS) await engineLoop(writer);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
