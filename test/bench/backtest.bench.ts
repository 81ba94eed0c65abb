/**
 * Backtest throughput benchmark (issue 4, "Backtest throughput on the GOOG L5 day with each model, next to
 * the book-only replay figure"; issue 15: ≥ 450,000 events/s with each model). The GOOG 2012-06-21 L5
 * LOBSTER day is imported once to a temporary recording; then, in process (no CLI start-up in the figure),
 * each quoting model — heuristic, Avellaneda–Stoikov infinite horizon, Avellaneda–Stoikov session horizon,
 * GLFT — is backtested with each paper fill model (queue, touch) through `createDesk({ backtest: true })`
 * on a temporary SQLite database, timing only `replay.runToEnd()` (loading the recording, opening the store
 * and closing it are excluded). Beside them: the book-only replay (`ReplayFeed.runToEnd()` with a no-op
 * listener) and a bare loop over the same in-memory events, each shown as a ratio. GC runs seen in each
 * measured window come from PerformanceObserver('gc').
 * Target: with strategy and paper fills ≥ 450,000 events/s. Figures only, no assertions.
 * Run: `npx tsx test/bench/backtest.bench.ts` (add `--runs N`, default 3 measured runs per figure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../src/shared/params.js';
import { createDesk } from '../../src/main/desk/create-desk.js';
import { loadCapture } from '../../src/main/market/capture/index.js';
import { importLobster } from '../../src/main/market/lobster/index.js';
import { ReplayFeed } from '../../src/main/market/replay/index.js';
import type { FeedListener } from '../../src/main/market/types.js';
import { hasSharedData, sharedDataPath, SHARED_DATA_DIR } from '../support/shared-data.js';

interface Measured {
  readonly ms: number;
  readonly events: number;
  readonly gcCount: number;
  readonly gcTotalMs: number;
  readonly gcMaxMs: number;
  readonly fills?: number;
}

const gcEntries: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcEntries.push(entry);
});

/** Runs `body` and reports the GC entries observed while it ran (delivered after it, so flushed first). */
async function withGc(body: () => Promise<{ ms: number; events: number; fills?: number }>): Promise<Measured> {
  gcEntries.length = 0;
  const startedAt = performance.now();
  const result = await body();
  const endedAt = performance.now();
  await new Promise((resolve) => setImmediate(resolve)); // let the observer deliver
  const inWindow = gcEntries.filter((e) => e.startTime >= startedAt && e.startTime <= endedAt);
  return {
    ...result,
    gcCount: inWindow.length,
    gcTotalMs: inWindow.reduce((sum, e) => sum + e.duration, 0),
    gcMaxMs: inWindow.reduce((max, e) => Math.max(max, e.duration), 0),
  };
}

function paramsFor(patch: unknown): DeskParams {
  const result = applyParamsPatch(DEFAULT_PARAMS, patch);
  if (!result.ok) throw new Error(`${result.issue.field}: ${result.issue.message}`);
  return result.params;
}

const TARGET_EVENTS_PER_SEC = 450_000;
const QUOTING: ReadonlyArray<readonly [string, unknown]> = [
  ['heuristic', { model: 'heuristic' }],
  ['avellaneda-stoikov, infinite', { model: 'avellaneda-stoikov', avellanedaStoikov: { horizon: 'infinite' } }],
  ['avellaneda-stoikov, session', { model: 'avellaneda-stoikov', avellanedaStoikov: { horizon: 'session' } }],
  ['glft', { model: 'glft' }],
];
const MODELS: ReadonlyArray<readonly [string, DeskParams]> = QUOTING.flatMap(([name, strategy]) =>
  (['queue', 'touch'] as const).map((fillModel) => [`${name}, ${fillModel}`, paramsFor({ strategy, execution: { fillModel } })] as const),
);

async function main(): Promise<void> {
  if (!hasSharedData()) {
    console.log(`backtest.bench: skipped, real market data not found at ${SHARED_DATA_DIR}`);
    return;
  }
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Math.max(1, Number(process.argv[runsFlag + 1]) | 0) : 3;
  observer.observe({ entryTypes: ['gc'] });
  const dir = mkdtempSync(join(tmpdir(), 'qd-backtest-bench-'));
  try {
    const base = sharedDataPath('lobster', 'GOOG_2012-06-21_L5');
    const recording = join(dir, 'goog-l5.jsonl');
    const imported = await importLobster({
      messages: join(base, 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
      orderbook: join(base, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
      out: recording,
    });
    const { frames } = await loadCapture(recording);
    const n = frames.length;

    let sink = 0;
    const bare = async (): Promise<{ ms: number; events: number }> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const f = frames[i]!;
        sink += f.localUs + ((f.msg as { seq: number }).seq | 0);
      }
      return { ms: performance.now() - t0, events: n };
    };
    const nullListener: FeedListener = { onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined };
    const bookOnly = async (): Promise<{ ms: number; events: number }> => {
      const feed = new ReplayFeed(frames, { file: recording, autoplay: false });
      await feed.start(nullListener);
      const t0 = performance.now();
      const applied = feed.runToEnd();
      return { ms: performance.now() - t0, events: applied };
    };
    let dbCount = 0;
    const backtest = (params: DeskParams) => async (): Promise<{ ms: number; events: number; fills: number }> => {
      const running = await createDesk({ venue: 'sim', recording, backtest: true, dbPath: join(dir, `bt-${++dbCount}.db`), params });
      const replay = running.replay;
      if (!replay) throw new Error('no replay');
      await running.start();
      const t0 = performance.now();
      const applied = replay.runToEnd();
      const ms = performance.now() - t0;
      const fills = running.desk.metrics().numFills;
      await running.close();
      return { ms, events: applied, fills };
    };

    // Warm up the JIT on every path once (unmeasured).
    await bare();
    await bookOnly();
    for (const [, params] of MODELS) await backtest(params)();

    const median = (xs: Measured[]): Measured => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]!;
    const measure = async (fn: () => Promise<{ ms: number; events: number; fills?: number }>): Promise<{ med: Measured; best: Measured; all: Measured[] }> => {
      const all: Measured[] = [];
      for (let r = 0; r < runs; r++) all.push(await withGc(fn));
      return { med: median(all), best: [...all].sort((a, b) => a.ms - b.ms)[0]!, all };
    };
    const bareM = await measure(bare);
    const bookM = await measure(bookOnly);
    const modelM: Array<[string, Awaited<ReturnType<typeof measure>>]> = [];
    for (const [name, params] of MODELS) modelM.push([name, await measure(backtest(params))]);

    const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
    const rate = (m: Measured): number => m.events / (m.ms / 1000);
    const gc = (m: { all: Measured[] }): string => {
      const count = m.all.reduce((s, x) => s + x.gcCount, 0) / m.all.length;
      const max = Math.max(...m.all.map((x) => x.gcMaxMs));
      const total = m.all.reduce((s, x) => s + x.gcTotalMs, 0) / m.all.length;
      return `GC ${count.toFixed(1)}/run, ${total.toFixed(1)} ms/run, max pause ${max.toFixed(2)} ms`;
    };
    console.log(`backtest.bench: GOOG 2012-06-21 L5, ${fmt(n)} events (${fmt(imported.trades)} trades), each quoting model with each fill model, median (best) of ${runs} runs, loading excluded`);
    const row = (label: string, m: { med: Measured; best: Measured; all: Measured[] }, extra: string): void =>
      console.log(
        `  ${label.padEnd(46)} ${fmt(rate(m.med)).padStart(11)} events/s (best ${fmt(rate(m.best)).padStart(11)})  ${m.med.ms.toFixed(1).padStart(8)} ms  ${extra}  ${gc(m)}`,
      );
    row('bare loop over the events', bareM, 'ratio to bare     1.0×');
    row('replay, book only', bookM, `ratio to bare ${(bookM.med.ms / bareM.med.ms).toFixed(1).padStart(6)}×`);
    for (const [name, m] of modelM) {
      const met = rate(m.med) >= TARGET_EVENTS_PER_SEC ? 'meets' : 'MISSES';
      row(
        `backtest ${name}`,
        m,
        `ratio to bare ${(m.med.ms / bareM.med.ms).toFixed(1).padStart(6)}×, to book-only ${(m.med.ms / bookM.med.ms).toFixed(1).padStart(5)}×, ${m.med.fills ?? 0} fills, ${met} ≥ ${fmt(TARGET_EVENTS_PER_SEC)}`,
      );
    }
    console.log(`  (checksum ${sink % 7})`);
  } finally {
    observer.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
