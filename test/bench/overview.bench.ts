/**
 * Issue 18's target: "20 desks at 2,000 messages/s each in one process with the overview at ≥ 50
 * frames/s". A real `quotedesk serve` with 20 simulated desks (a desks file; `--sim-flow F` applies to each
 * desk's own simulated market, so every desk processes about F × 109 messages/s — 18.5 ≈ 2,000/s, read back
 * from each desk's `feed.messagesPerSec`), the overview open in real Chromium (Debian's /usr/bin/chromium,
 * as monitor.bench.ts). Over the window it measures:
 *   - the market messages/s each desk processes (GET /api/desks/NAME/state, min / median / max over the
 *     desks, and their sum) — proof that the load is the one the target names;
 *   - the page's frames per second: requestAnimationFrame callbacks counted per one-second window (p5 and
 *     median), which only run when the main thread has room for a frame;
 *   - long tasks (PerformanceObserver 'longtask'): count, total and max duration;
 *   - overview messages and the store's published renders per second (the page renders at most four times
 *     a second unless a state changed: `overview-store.ts`);
 *   - the server's CPU (utime + stime from /proc) as a share of one core, and its RSS.
 * Prints the figures with PASS / MISS against the target. Asserts nothing; exits 0.
 *
 *   npx tsx test/bench/overview.bench.ts [--desks 20] [--flow 18.5] [--seconds 60] [--browser-session shared|own]
 *
 * Needs the built app (`npx electron-vite build`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { DeskState } from '../../src/shared/contract.js';
import { removeDir, startServe } from '../support/serve-process.js';
import { startBenchBrowser, warnOfStrayProcesses, type BrowserSession } from './bench-browser.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const DESKS = Number(flag('desks') ?? 20);
const FLOW = Number(flag('flow') ?? 18.5);
const SECONDS = Number(flag('seconds') ?? 60);
const SESSION = (flag('browser-session') ?? 'shared') as BrowserSession;
if (SESSION !== 'shared' && SESSION !== 'own') throw new Error(`--browser-session must be "shared" or "own", not "${String(SESSION)}"`);
/** Diagnosis only: flags for the server's node (e.g. `--server-node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"`). */
const SERVER_NODE_ARGS = flag('server-node-args')?.split(' ').filter((a) => a !== '');
const TARGET_FPS = 50;
const TARGET_MSGS = 2_000;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** Runs in the page before its scripts: frame and long-task counters the bench reads once a second. */
function instrument(): void {
  const w = globalThis as unknown as {
    __ovBench: { frames: number; longTasks: number[] };
    requestAnimationFrame(callback: () => void): number;
    PerformanceObserver: new (callback: (list: { getEntries(): Array<{ duration: number }> }) => void) => { observe(options: { type: string; buffered: boolean }): void };
  };
  w.__ovBench = { frames: 0, longTasks: [] };
  const tick = (): void => {
    w.__ovBench.frames++;
    w.requestAnimationFrame(tick);
  };
  w.requestAnimationFrame(tick);
  new w.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) w.__ovBench.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? Number.NaN;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-overview-bench-'));
const names = Array.from({ length: DESKS }, (_, i) => `desk-${String(i + 1).padStart(2, '0')}`);
writeFileSync(join(dir, 'desks.json'), JSON.stringify({ desks: names.map((name, i) => ({ name, venue: 'sim', symbol: `S${i + 1}-USD` })) }));
warnOfStrayProcesses();
const serve = await startServe({ dir, args: ['--desks', join(dir, 'desks.json'), '--sim-flow', String(FLOW), '--seed', '11'], timeoutMs: 120_000, ...(SERVER_NODE_ARGS ? { nodeArgs: SERVER_NODE_ARGS } : {}) });
const pid = serve.child.pid ?? 0;
const bench = await startBenchBrowser({ session: SESSION, executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headed: false });
try {
  const page: Page = await bench.newPage({ width: 1600, height: 1000 });
  await page.addInitScript({ content: `var __name = (target) => target;\n(${instrument.toString()})();` });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
  await page.locator('[data-testid="overview-row"]').nth(DESKS - 1).waitFor({ timeout: 60_000 });
  // Warm up: every desk quoting and its feed rate settled.
  const warmupEnd = Date.now() + 10_000;
  while (Date.now() < warmupEnd) await page.waitForTimeout(1_000);

  const read = (): Promise<{ frames: number; longTasks: number[]; messages: number; published: number }> =>
    page.evaluate(() => {
      const w = globalThis as unknown as { __ovBench: { frames: number; longTasks: number[] }; __quotedeskOverviewStats: { messages: number; published: number } | null };
      return { frames: w.__ovBench.frames, longTasks: [...w.__ovBench.longTasks], messages: w.__quotedeskOverviewStats?.messages ?? 0, published: w.__quotedeskOverviewStats?.published ?? 0 };
    });
  const start = await read();
  const cpuStart = cpuTicks(pid);
  const wallStart = performance.now();
  const fps: number[] = [];
  const rates: number[][] = [];
  let last = start;
  let lastAt = performance.now();
  for (let s = 1; s <= SECONDS; s++) {
    await page.waitForTimeout(1_000);
    const now = await read();
    const at = performance.now();
    fps.push(((now.frames - last.frames) * 1000) / (at - lastAt));
    last = now;
    lastAt = at;
    if (s % 10 === 0) {
      const states = await Promise.all(names.map((name) => serve.get<DeskState>(`/api/desks/${name}/state`)));
      rates.push(states.map((state) => state.feed.messagesPerSec));
      process.stdout.write(`  ${s} s: ${fps.at(-1)?.toFixed(0)} frames/s, desks at ${quantile(rates.at(-1) ?? [], 0.5).toFixed(0)} msgs/s (median)\n`);
    }
  }
  const wallSec = (performance.now() - wallStart) / 1000;
  const cpuShare = (cpuTicks(pid) - cpuStart) / 100 / wallSec;
  const end = last;
  const longTasks = end.longTasks.slice(start.longTasks.length);
  const perDesk = rates.flat();
  const sums = rates.map((r) => r.reduce((a, b) => a + b, 0));
  const p5 = quantile(fps, 0.05);
  const lines = [
    ``,
    `overview of ${DESKS} desks, --sim-flow ${FLOW} each, ${SECONDS} s window, Chromium session: ${bench.session}`,
    `market messages/s per desk (sampled every 10 s): min ${Math.min(...perDesk).toFixed(0)}, median ${quantile(perDesk, 0.5).toFixed(0)}, max ${Math.max(...perDesk).toFixed(0)}; all desks ${quantile(sums, 0.5).toFixed(0)}/s   target ≈ ${TARGET_MSGS}/desk: ${quantile(perDesk, 0.5) >= TARGET_MSGS * 0.9 ? 'MET' : 'BELOW'}`,
    `page frames/s: p5 ${p5.toFixed(1)}, median ${quantile(fps, 0.5).toFixed(1)}, min ${Math.min(...fps).toFixed(1)}   target p5 ≥ ${TARGET_FPS}: ${p5 >= TARGET_FPS ? 'PASS' : `MISS by ${(TARGET_FPS - p5).toFixed(1)}`}`,
    `long tasks: ${longTasks.length} (${(longTasks.reduce((a, b) => a + b, 0) / wallSec).toFixed(1)} ms/s), max ${longTasks.length ? Math.max(...longTasks).toFixed(0) : 0} ms`,
    `overview stream: ${((end.messages - start.messages) / wallSec).toFixed(1)} messages/s, ${((end.published - start.published) / wallSec).toFixed(1)} renders/s`,
    `server: ${(cpuShare * 100).toFixed(0)} % of one core (2 cores on this machine), RSS ${rssMb(pid).toFixed(0)} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  try {
    await bench.close();
  } finally {
    await serve.stop();
    removeDir(dir);
  }
}
