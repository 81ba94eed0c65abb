/**
 * The monitor under a stress feed, in real Chromium (Debian's /usr/bin/chromium through Playwright) against
 * a real `quotedesk serve --sim-flow 175` (≈ 20,000 market messages/s processed by the desk
 * while it quotes actively). One run measures:
 *   (a) the market message rate the desk actually processes (GET /api/state → feed.messagesPerSec);
 *   (b) stream messages/s the page receives, and that per one-second window they never outnumber the
 *       page's animation frames (and the store's published frames never do either);
 *   (c) frames per second in the page: requestAnimationFrame callbacks counted per second (p5 / median);
 *   (d) long tasks (PerformanceObserver 'longtask', buffered): count and max duration, plus long animation
 *       frames (> 50 ms) for context;
 *   (e) market event → pixels: every stream update carries the desk's clock (`state.clockMs`, the simulated
 *       market's clock, which the sim advances to the wall clock every 10 ms — so it is the timestamp of the
 *       newest market event in that update, on this machine's wall clock). The page notes each update as it
 *       arrives (before the store applies it) and the store's frame counter at that moment; a task posted
 *       from every animation frame runs once that frame's rendering (rAF callbacks, React's commit, style,
 *       layout, paint) is done, and the first such task after the store published a frame containing the
 *       update stamps "painted" with Date.now(). `DOM` is that frame; `ladder` and `quote chart` are the first frames at or after
 *       it whose rendering included a draw of that canvas begun after the update arrived (observed by counting
 *       the 2D contexts' `clearRect` and `restore` calls per canvas: the ladder clears its canvas to draw,
 *       lightweight-charts closes every draw pass with a restore). All are measured from the event's clock, so
 *       they include the sim's 4 ms batching, the 16 ms publish interval, the socket, and the wait for a frame.
 *       The verdict's "market event → pixels" is the market's view: the DOM panels and the ladder. The quote
 *       chart is redrawn at its own, slower pace by design (CHART_FEED_MS in SkewChart.tsx) and printed beside
 *       it with the rate it drew at, not hidden.
 *   (f) memory: JS heap used (CDP Runtime.getHeapUsage), DOM nodes and listeners (CDP Performance.getMetrics)
 *       every 5 s, their least-squares slope, after-GC heap at the start and end of the window; the server's
 *       RSS from /proc/<pid>/status. The main thread's busy share (TaskDuration) is printed too.
 * Prints a table with the targets and PASS / MISS. Asserts nothing; exits 0.
 *
 *   npx tsx test/bench/monitor.bench.ts [--seconds N] [--minutes-soak M] [--flow F] [--headed] [--profile] [--trace] [--catch-slow-tasks MS] [--run-queue] [--hide SELECTOR]
 *     [--browser-session shared|own] [--server-node-args "FLAGS" --server-log FILE]
 *
 * `--browser-session` (bench-browser.ts): `shared` (the default) starts Chromium in the bench's session beside
 * the desk server, one scheduling group, as the Electron app runs its window beside the desk; `own` is
 * Playwright's launch, a session of its own, which the kernel's autogroup scheduling weighs against the
 * server's session as a whole.
 *
 * `--headed` runs a headed Chromium (use `xvfb-run -a npx tsx …  --headed` without a display); the default is
 * headless, where animation frames run at the display rate as long as the page is visible (the bench checks
 * `document.visibilityState` and prints the frame rate it got). `--profile` records a 10 s CPU profile of the
 * page after the window and prints the functions with the most self time and with the most inclusive time
 * (`PROFILE_OUT=file.json` also writes the raw profile); `--hide SELECTOR` (diagnosis) hides
 * those elements to show what they cost; `--trace` records a 5 s Chromium trace at the start and at the end of
 * the window and prints, for the page's main thread, its compositor threads and the display compositor, the
 * time per trace event (style, layout, paint, commit… that a JS profile lumps as "(program)"); `--catch-slow-tasks MS`
 * keeps a ring-buffer trace through the window and explains each main-thread task over MS ms (slow-task-catcher.ts;
 * the tracing adds load, so its figures are not the run's verdict); `--run-queue` samples the kernel's run queues so
 * each long task says how long the main thread waited for a core and who ran meanwhile (about 5 % of a core).
 * Needs the built app (`npx electron-vite build`).
 */
import type { CDPSession, Page } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeDir, startServe, type ServeHandle } from '../support/serve-process.js';
import { startBenchBrowser, warnOfStrayProcesses, type BrowserSession } from './bench-browser.js';
import { RunQueueSampler, busiestThreads, type RunAndWait } from './run-queue-sampler.js';
import { SlowTaskCatcher } from './slow-task-catcher.js';
import { startTrace, threadNames, type TraceEvent } from './trace-events.js';

/* ------------------------------------------------------------------ options */

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const soakMinutes = Number(flag('minutes-soak') ?? 0);
const SECONDS = soakMinutes > 0 ? soakMinutes * 60 : Number(flag('seconds') ?? 60);
const FLOW = Number(flag('flow') ?? 175);
const HEADED = process.argv.includes('--headed');
/** Where Chromium runs: in the bench's session beside the desk (as the Electron app schedules them), or its own. */
const SESSION_FLAG = flag('browser-session') ?? 'shared';
if (SESSION_FLAG !== 'shared' && SESSION_FLAG !== 'own') throw new Error(`--browser-session must be "shared" or "own", not "${SESSION_FLAG}"`);
const BROWSER_SESSION: BrowserSession = SESSION_FLAG;
const PROFILE = process.argv.includes('--profile');
const TRACE = process.argv.includes('--trace');
/** Diagnosis: keep a ring-buffer trace and explain every main-thread task longer than this many ms. */
/**
 * Diagnosis: sample the run queues of the busiest threads every 4 ms, so each long task says who held the
 * cores. Off by default: the sampling takes about 5 % of a core from the two the page and the desk share
 * (measured: the bench's process at 11–12 % of a core with it, 7 % without; event → pixels p95 2–3 ms higher).
 */
const RUN_QUEUE = process.argv.includes('--run-queue');
const CATCH_MS = process.argv.includes('--catch-slow-tasks') ? Number(flag('catch-slow-tasks')) : 0;
if (!(CATCH_MS >= 0)) throw new Error(`--catch-slow-tasks needs a threshold in ms (e.g. --catch-slow-tasks 40), not "${flag('catch-slow-tasks') ?? ''}"`);
const CATCH_EVERY_MS = 20_000;
/** Diagnosis: flags for the desk server's node (e.g. "--trace-gc"), and a file to write its output to at the end. */
const SERVER_NODE_ARGS = flag('server-node-args')?.split(' ').filter((a) => a !== '');
const SERVER_LOG = flag('server-log');
/** Diagnosis only: hide the elements matching this selector (display: none) to see what they cost. */
const HIDE = flag('hide');
const WARMUP_S = 5;
const SAMPLE_EVERY_MS = 5_000;
if (!(SECONDS > 0) || !(FLOW > 0)) throw new Error('--seconds / --minutes-soak / --flow must be positive numbers');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/* ------------------------------------------------------------------ page instrumentation */

/** What the page hands back at each drain (and forgets, so the bench's own arrays never grow the page heap). */
interface Drain {
  /** Animation frames counted per whole second of the window (complete seconds only). */
  fpsPerSecond: number[];
  /** Update messages received in the same seconds. */
  messagesPerSecond: number[];
  /** Store frames published in the same seconds. */
  storeFramesPerSecond: number[];
  /** Event clock → painted, ms: the DOM frame; the first frames after it that drew the ladder, the quote chart. */
  domMs: number[];
  /**
   * Per DOM sample, the frames around its paint: 2 painted in a frame that published the reading-pace
   * panels, 1 painted in the frame after one (it arrived while that frame ran), 0 neither.
   */
  domNearReading: number[];
  /** Per DOM sample, the part of it spent before the page received the update (event → received), ms. */
  domReceiveMs: number[];
  ladderMs: number[];
  quoteChartMs: number[];
  /** Event clock → message handed to the page, ms. */
  receiveMs: number[];
  longTasks: number[];
  /** When each long task began, epoch ms (to ask the kernel how much of it the main thread ran). */
  longTaskStarts: number[];
  longFrames: number[];
  longFrameStarts: number[];
  /** For each long animation frame: its duration split into script and rendering, and its longest scripts. */
  longFrameCauses: string[];
  frameGapMaxMs: number;
  /**
   * Main-thread work per frame, ms (from the frame's first callback until its rendering was done): frames
   * that published the reading-pace figures and lists, and frames that only moved the market view.
   */
  readingFrameWorkMs: number[];
  marketFrameWorkMs: number[];
  visibility: string;
  bytes: number;
  /** Per chart (the nearest `data-testid` around its canvases): animation frames in which it drew. */
  chartDrawFrames: Record<string, number>;
}

/** Installed before the page's own scripts: wraps WebSocket (listener added first, so it runs before the store's). */
function instrument(): void {
  interface Stats {
    messages: number;
    frames: number;
    readingFrames: number;
  }
  interface Pending {
    clockMs: number;
    receivedAt: number;
    framesAtReceive: number;
    domAt: number;
    /** Canvas draws counted when the update arrived: the chart painted it once the count moved on. */
    ladderDrawsAtReceive: number;
    chartDrawsAtReceive: number;
  }
  // Count the draws of the ladder's canvas (each paint clears it) and of the quote chart's canvases (each
  // draw pass saves and restores its 2D context), so "painted" is observed, not assumed: the first frame
  // whose rendering included a draw of that canvas after the update.
  let ladderDraws = 0;
  let chartDraws = 0;
  // Frames in which each chart drew (any of its canvases): a chart should draw once per feed, not per frame.
  let frameNumber = 0;
  let chartDrawFrames: Record<string, number> = {};
  const chartOf = new WeakMap<HTMLCanvasElement, string>();
  const lastDrawnFrame = new Map<string, number>();
  const drew = (canvas: HTMLCanvasElement): void => {
    let name = chartOf.get(canvas);
    if (name === undefined) {
      name = canvas.closest('[data-testid]')?.getAttribute('data-testid') ?? '?';
      chartOf.set(canvas, name);
    }
    if (name === 'ladder-canvas') ladderDraws++;
    else if (name === 'skew-chart-canvas') chartDraws++;
    if (running && lastDrawnFrame.get(name) !== frameNumber) {
      lastDrawnFrame.set(name, frameNumber);
      chartDrawFrames[name] = (chartDrawFrames[name] ?? 0) + 1;
    }
  };
  const restore = CanvasRenderingContext2D.prototype.restore;
  CanvasRenderingContext2D.prototype.restore = function patchedRestore(this: CanvasRenderingContext2D): void {
    drew(this.canvas);
    restore.call(this);
  };
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function patchedClearRect(this: CanvasRenderingContext2D, x: number, y: number, width: number, height: number): void {
    drew(this.canvas);
    clearRect.call(this, x, y, width, height);
  };
  const w = window as unknown as { __quotedeskStats?: Stats; __bench: { start(): void; drain(): Drain } };
  let running = false;
  let pending: Pending[] = [];
  let waitingLadder: Pending[] = [];
  let waitingChart: Pending[] = [];
  let domMs: number[] = [];
  let domNearReading: number[] = [];
  let domReceiveMs: number[] = [];
  let lastFrameWasReading = false;
  let ladderMs: number[] = [];
  let quoteChartMs: number[] = [];
  let receiveMs: number[] = [];
  let longTasks: number[] = [];
  let longTaskStarts: number[] = [];
  let longFrames: number[] = [];
  let longFrameStarts: number[] = [];
  let longFrameCauses: string[] = [];
  let bytes = 0;
  // Per-second buckets.
  let bucketStart = 0;
  let bucketFrames = 0;
  let bucketMessages = 0;
  let bucketStoreFrames0 = 0;
  let fpsPerSecond: number[] = [];
  let messagesPerSecond: number[] = [];
  let storeFramesPerSecond: number[] = [];
  let lastFrameAt = 0;
  let frameGapMaxMs = 0;
  let frameStartedAt = 0;
  let readingFramesAtStart = 0;
  let readingFrameWorkMs: number[] = [];
  let marketFrameWorkMs: number[] = [];

  const NativeSocket = window.WebSocket;
  class CountingSocket extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (!running || typeof event.data !== 'string') return;
        const data = event.data;
        if (!data.startsWith('{"type":"update"')) return;
        const at = data.indexOf('"clockMs":');
        if (at < 0) return;
        const clockMs = parseInt(data.slice(at + 10, at + 30), 10);
        const now = Date.now();
        bucketMessages++;
        bytes += data.length;
        receiveMs.push(now - clockMs);
        pending.push({ clockMs, receivedAt: now, framesAtReceive: w.__quotedeskStats?.frames ?? 0, domAt: 0, ladderDrawsAtReceive: ladderDraws, chartDrawsAtReceive: chartDraws });
      });
    }
  }
  window.WebSocket = CountingSocket as unknown as typeof WebSocket;

  const afterFrame = new MessageChannel();
  afterFrame.port1.onmessage = () => {
    // This task runs once the frame that posted it has been rendered.
    const now = Date.now();
    const previousWasReading = lastFrameWasReading;
    const thisIsReading = (w.__quotedeskStats?.readingFrames ?? 0) > readingFramesAtStart;
    if (frameStartedAt > 0) {
      const work = performance.now() - frameStartedAt;
      if (thisIsReading) readingFrameWorkMs.push(work);
      else marketFrameWorkMs.push(work);
      frameStartedAt = 0;
      lastFrameWasReading = thisIsReading;
    }
    waitingLadder = waitingLadder.filter((p) => (ladderDraws > p.ladderDrawsAtReceive ? (ladderMs.push(now - p.clockMs), false) : true));
    waitingChart = waitingChart.filter((p) => (chartDraws > p.chartDrawsAtReceive ? (quoteChartMs.push(now - p.clockMs), false) : true));
    if (pending.length === 0) return;
    const frames = w.__quotedeskStats?.frames ?? 0;
    const still: Pending[] = [];
    for (const p of pending) {
      if (frames > p.framesAtReceive) {
        domMs.push(now - p.clockMs);
        domNearReading.push(thisIsReading ? 2 : previousWasReading ? 1 : 0);
        domReceiveMs.push(p.receivedAt - p.clockMs);
        p.domAt = now;
        // Drawn in this same frame when the canvas was fed before it, else checked at the next frames.
        if (ladderDraws > p.ladderDrawsAtReceive) ladderMs.push(now - p.clockMs);
        else waitingLadder.push(p);
        if (chartDraws > p.chartDrawsAtReceive) quoteChartMs.push(now - p.clockMs);
        else waitingChart.push(p);
      } else still.push(p);
    }
    pending = still;
  };

  const onFrame = (t: number): void => {
    if (!running) return;
    frameStartedAt = performance.now();
    readingFramesAtStart = w.__quotedeskStats?.readingFrames ?? 0;
    frameNumber++;
    bucketFrames++;
    if (lastFrameAt > 0) frameGapMaxMs = Math.max(frameGapMaxMs, t - lastFrameAt);
    lastFrameAt = t;
    if (t - bucketStart >= 1_000) {
      const storeFrames = w.__quotedeskStats?.frames ?? 0;
      fpsPerSecond.push((bucketFrames * 1_000) / (t - bucketStart));
      messagesPerSecond.push((bucketMessages * 1_000) / (t - bucketStart));
      storeFramesPerSecond.push(((storeFrames - bucketStoreFrames0) * 1_000) / (t - bucketStart));
      bucketStart = t;
      bucketFrames = 0;
      bucketMessages = 0;
      bucketStoreFrames0 = storeFrames;
    }
    afterFrame.port2.postMessage(null);
    requestAnimationFrame(onFrame);
  };

  new PerformanceObserver((list) => {
    if (!running) return;
    for (const entry of list.getEntries()) {
      longTasks.push(entry.duration);
      longTaskStarts.push(performance.timeOrigin + entry.startTime);
    }
  }).observe({ type: 'longtask', buffered: false });
  try {
    new PerformanceObserver((list) => {
      if (!running) return;
      for (const entry of list.getEntries()) {
        longFrames.push(entry.duration);
        longFrameStarts.push(performance.timeOrigin + entry.startTime);
        // Long animation frame attribution: where the time went (script by entry point, or rendering).
        const frame = entry as PerformanceEntry & { renderStart?: number; styleAndLayoutStart?: number; scripts?: { invoker: string; sourceFunctionName: string; sourceURL: string; sourceCharPosition: number; duration: number }[] };
        const scripts = [...(frame.scripts ?? [])].sort((a, b) => b.duration - a.duration).slice(0, 3);
        const end = frame.startTime + frame.duration;
        const rendering = frame.renderStart ? end - frame.renderStart : 0;
        const layout = frame.styleAndLayoutStart ? end - frame.styleAndLayoutStart : 0;
        const named = scripts.map((x) => `${x.invoker} ${x.sourceFunctionName || '?'}@${x.sourceURL.split('/').pop() ?? ''}:${x.sourceCharPosition} ${Math.round(x.duration)} ms`).join('; ');
        longFrameCauses.push(`${Math.round(entry.duration)} ms (rendering ${Math.round(rendering)}, of which style+layout+paint ${Math.round(layout)}): ${named || 'no script'}`);
      }
    }).observe({ type: 'long-animation-frame', buffered: false });
  } catch {
    /* not supported */
  }

  w.__bench = {
    start() {
      running = true;
      requestAnimationFrame((t) => {
        bucketStart = t;
        lastFrameAt = t;
        bucketStoreFrames0 = w.__quotedeskStats?.frames ?? 0;
        bucketFrames = 0;
        bucketMessages = 0;
        requestAnimationFrame(onFrame);
      });
    },
    drain(): Drain {
      const out: Drain = {
        fpsPerSecond,
        messagesPerSecond,
        storeFramesPerSecond,
        domMs,
        domNearReading,
        domReceiveMs,
        ladderMs,
        quoteChartMs,
        receiveMs,
        longTasks,
        longTaskStarts,
        longFrames,
        longFrameStarts,
        longFrameCauses,
        frameGapMaxMs,
        readingFrameWorkMs,
        marketFrameWorkMs,
        visibility: document.visibilityState,
        bytes,
        chartDrawFrames,
      };
      chartDrawFrames = {};
      fpsPerSecond = [];
      messagesPerSecond = [];
      storeFramesPerSecond = [];
      domMs = [];
      domNearReading = [];
      domReceiveMs = [];
      ladderMs = [];
      quoteChartMs = [];
      receiveMs = [];
      longTasks = [];
      longTaskStarts = [];
      longFrames = [];
      longFrameStarts = [];
      longFrameCauses = [];
      frameGapMaxMs = 0;
      readingFrameWorkMs = [];
      marketFrameWorkMs = [];
      bytes = 0;
      return out;
    },
  };
}

/* ------------------------------------------------------------------ figures */

function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor((p / 100) * sorted.length)))] ?? Number.NaN;
}

function addDraws(into: Record<string, number>, from: Record<string, number>): void {
  for (const [name, frames] of Object.entries(from)) into[name] = (into[name] ?? 0) + frames;
}

function median(values: readonly number[]): number {
  return pct(values, 50);
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    den += ((xs[i] ?? 0) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The Chromium processes this bench started (descendants of this process), by pid: `--type` and CPU ticks used. */
function chromiumProcesses(): Map<number, { type: string; cpuTicks: number }> {
  const parentOf = new Map<number, number>();
  const typeOf = new Map<number, { type: string; cpuTicks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm) ": state [0], ppid [1], utime [11], stime [12].
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(pid, Number(fields[1]));
      const type = /--type=([\w-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      typeOf.set(pid, { type, cpuTicks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we read it
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === process.pid) return true;
    return false;
  };
  return new Map([...typeOf].filter(([pid]) => ours(pid)));
}

/**
 * RSS (MB) of the Chromium processes this bench started, by process type (the renderer holds the page and its
 * canvases, the gpu-process the display compositor): the native memory a JS heap figure does not show.
 */
function chromiumRssMb(): { renderer: number; gpu: number } {
  const total = { renderer: 0, gpu: 0 };
  for (const [pid, { type }] of chromiumProcesses()) {
    if (type === 'renderer') total.renderer += rssMb(pid);
    else if (type === 'gpu-process') total.gpu += rssMb(pid);
  }
  return total;
}

/**
 * Samples the run-queue accounting of the page's renderer main thread (index 0) and of the machine's other
 * busy threads (the server's, Chromium's, this bench's: whoever used 3 % of a core over a second), so each
 * long task can say how long the main thread ran, how long it waited for a core, and who ran meanwhile.
 */
async function runQueueSampler(serve: ServeHandle): Promise<RunQueueSampler | null> {
  const rendererPid = busiestRendererPid();
  if (rendererPid === undefined) return null;
  const processes = new Map<number, string>();
  for (const [pid, { type }] of chromiumProcesses()) if (type !== 'renderer' || pid === rendererPid) processes.set(pid, `chromium ${type}`);
  if (serve.child.pid !== undefined) processes.set(serve.child.pid, 'server');
  processes.set(process.pid, 'bench');
  const main = `/proc/${rendererPid}/task/${rendererPid}/schedstat`;
  const others = (await busiestThreads(processes, 1_000, 0.03)).filter((t) => t.schedstatPath !== main);
  return new RunQueueSampler([{ name: 'chromium renderer/main', schedstatPath: main }, ...others]);
}

/** Who ran during [fromMs, toMs], busiest first (ms on a core), apart from the renderer main thread. */
function whoRan(sampler: RunQueueSampler, fromMs: number, toMs: number): string {
  return sampler.threads
    .map((thread, i) => ({ name: thread.name, ran: i === 0 ? null : sampler.over(i, fromMs, toMs) }))
    .filter((t): t is { name: string; ran: RunAndWait } => t.ran !== null && t.ran.ranMs >= 1)
    .sort((a, b) => b.ran.ranMs - a.ran.ranMs)
    .slice(0, 6)
    .map((t) => `${t.name} ${t.ran.ranMs.toFixed(0)}`)
    .join(', ');
}

/** The page's renderer: of the renderers this bench started, the one that has used the most CPU. */
function busiestRendererPid(): number | undefined {
  let best: { pid: number; cpuTicks: number } | undefined;
  for (const [pid, { type, cpuTicks }] of chromiumProcesses()) if (type === 'renderer' && (!best || cpuTicks > best.cpuTicks)) best = { pid, cpuTicks };
  return best?.pid;
}

interface MemorySample {
  atS: number;
  heapMb: number;
  rendererRssMb: number;
  gpuRssMb: number;
  nodes: number;
  listeners: number;
  serverRssMb: number;
  taskDurationS: number;
  scriptDurationS: number;
  layoutDurationS: number;
  styleDurationS: number;
}

async function memorySample(cdp: CDPSession, startedAt: number, serve: ServeHandle): Promise<MemorySample> {
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  const chromium = chromiumRssMb();
  return {
    atS: (performance.now() - startedAt) / 1_000,
    heapMb: heap.usedSize / 1024 / 1024,
    rendererRssMb: chromium.renderer,
    gpuRssMb: chromium.gpu,
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    serverRssMb: rssMb(serve.child.pid),
    taskDurationS: metric('TaskDuration'),
    scriptDurationS: metric('ScriptDuration'),
    layoutDurationS: metric('LayoutDuration'),
    styleDurationS: metric('RecalcStyleDuration'),
  };
}

/** JS heap used (MB) and DOM nodes alive, right after a forced garbage collection. */
async function afterGc(cdp: CDPSession): Promise<{ heapMb: number; nodes: number }> {
  // Twice: a detached DOM subtree held only by JS wrappers can outlive the first full collection.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return { heapMb: heap.usedSize / 1024 / 1024, nodes: metrics.find((m) => m.name === 'Nodes')?.value ?? Number.NaN };
}

/**
 * Nodes attached to the document (elements, text, comments), in total and per panel: set against the CDP
 * count of live nodes after GC, it tells a bounded panel filling up (attached) from nodes kept alive while
 * detached (a leak).
 */
async function domCensus(page: Page): Promise<{ attached: number; panels: Record<string, number> }> {
  // A source string, not a function: tsx's name-keeping helper (__name) does not exist inside the page.
  return page.evaluate(`(() => {
    const count = (root) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
      let n = 0;
      while (walker.nextNode()) n++;
      return n;
    };
    const panels = {};
    for (const section of Array.from(document.querySelectorAll('section.panel, header, footer'))) {
      const name = section.getAttribute('data-testid') || section.className.split(' ').pop() || section.tagName;
      panels[name] = (panels[name] || 0) + count(section);
    }
    return { attached: count(document), panels };
  })()`);
}

function censusChange(from: { attached: number; panels: Record<string, number> }, to: { attached: number; panels: Record<string, number> }): string {
  const names = [...new Set([...Object.keys(from.panels), ...Object.keys(to.panels)])];
  const moved = names.filter((n) => (from.panels[n] ?? 0) !== (to.panels[n] ?? 0)).map((n) => `${n} ${from.panels[n] ?? 0}→${to.panels[n] ?? 0}`);
  return `attached nodes ${from.attached} → ${to.attached}${moved.length > 0 ? ` (${moved.join(', ')})` : ' (no panel changed)'}`;
}

interface StateView {
  feed: { messagesPerSec: number; messages: number };
}

async function profilePage(cdp: CDPSession, seconds: number): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const { profile } = (await cdp.send('Profiler.stop')) as {
    profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]; samples: number[]; timeDeltas: number[] };
  };
  if (process.env['PROFILE_OUT']) writeFileSync(process.env['PROFILE_OUT'], JSON.stringify(profile));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byName = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    total += us;
    const f = node.callFrame;
    const file = f.url.split('/').pop() ?? '';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    byName.set(key, (byName.get(key) ?? 0) + us);
  }
  const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`\nCPU profile of the page, ${seconds} s (self time; ${(total / 1e6).toFixed(2)} s sampled):`);
  for (const [name, us] of top) console.log(`  ${(us / 1_000).toFixed(0).padStart(7)} ms  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
  // Inclusive time (a function and everything it called), each function counted once per sample.
  const parent = new Map<number, number>();
  const nodeName = new Map<number, string>();
  for (const node of profile.nodes as { id: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]) {
    for (const child of node.children ?? []) parent.set(child, node.id);
    const f = node.callFrame;
    nodeName.set(node.id, `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`);
  }
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = nodeName.get(at) ?? '?';
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const topInclusive = [...inclusive.entries()].filter(([name]) => !name.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.log(`\nInclusive time (a function with all it called):`);
  for (const [name, us] of topInclusive) console.log(`  ${(us / 1_000).toFixed(0).padStart(7)} ms  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
}

/** Threads whose time the trace reports: the page's main and compositor threads and the display compositor. */
const TRACED_THREADS = /^(CrRendererMain|Compositor|CompositorTileWorker|VizCompositorThread|CrGpuMain)/;

/**
 * Records a Chromium trace for `seconds` and prints where the page's threads spent their time, by trace event
 * (Layout, UpdateLayoutTree, Paint, Commit…): the native work a JS profile shows only as "(program)". Covers
 * the renderer's main thread, its compositor threads and the display compositor (software with --disable-gpu):
 * a main-thread `Commit` is the main thread waiting for the compositor, whose own events say why. Nested
 * events are each counted whole, so the sums overlap (RunTask holds all).
 */
async function tracePage(cdp: CDPSession, seconds: number, label: string): Promise<void> {
  const stop = await startTrace(cdp, { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,viz,gpu,toplevel,disabled-by-default-cc.debug' });
  // why a fixed wait: a trace covers a window of wall time.
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const events = await stop();
  const threads = threadNames(events);
  const renderer = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!renderer) {
    console.log(`\ntrace (${label}): no renderer main thread found`);
    return;
  }
  // Per thread: time per event name; 'X' events carry their duration, 'B'/'E' pairs are matched per thread.
  const perThread = new Map<string, Map<string, { us: number; count: number }>>();
  const open = new Map<string, TraceEvent[]>();
  const add = (key: string, name: string, us: number): void => {
    const byName = perThread.get(key) ?? new Map<string, { us: number; count: number }>();
    perThread.set(key, byName);
    const entry = byName.get(name) ?? { us: 0, count: 0 };
    entry.us += us;
    entry.count++;
    byName.set(name, entry);
  };
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    const thread = threads.get(key);
    if (!thread || !TRACED_THREADS.test(thread)) continue;
    if (thread !== 'VizCompositorThread' && thread !== 'CrGpuMain' && e.pid !== renderer.pid) continue;
    if (e.ph === 'X' && e.dur !== undefined) add(key, e.name, e.dur);
    else if (e.ph === 'B') open.set(key, [...(open.get(key) ?? []), e]);
    else if (e.ph === 'E') {
      const stack = open.get(key);
      const begin = stack?.pop();
      if (begin) add(key, begin.name, e.ts - begin.ts);
    }
  }
  // What the main thread did inside `Commit` (time-contained events of the same thread): the part of a
  // frame that grew over a long run.
  const mainEvents = events.filter((e) => e.pid === renderer.pid && e.tid === renderer.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  const insideCommit = new Map<string, { us: number; count: number }>();
  let commitEndUs = Number.NEGATIVE_INFINITY;
  for (const e of mainEvents) {
    if (e.name === 'Commit') {
      commitEndUs = Math.max(commitEndUs, e.ts + (e.dur ?? 0));
      continue;
    }
    if (e.ts >= commitEndUs) continue;
    const entry = insideCommit.get(e.name) ?? { us: 0, count: 0 };
    entry.us += e.dur ?? 0;
    entry.count++;
    insideCommit.set(e.name, entry);
  }
  console.log(`\nTrace ${label}, ${seconds} s (ms per second of wall time; nested events overlap):`);
  console.log(`  inside the main thread's Commit:`);
  for (const [name, { us, count }] of [...insideCommit.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, 20)) console.log(`    ${(us / 1_000 / seconds).toFixed(1).padStart(7)} ms/s  ${String(count).padStart(6)}×  ${name}`);
  for (const [key, byName] of [...perThread.entries()].sort((a, b) => (threads.get(a[0]) ?? '').localeCompare(threads.get(b[0]) ?? ''))) {
    const top = [...byName.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, key === `${renderer.pid}:${renderer.tid}` ? 30 : 14);
    console.log(`  thread ${threads.get(key)} (${key}):`);
    for (const [name, { us, count }] of top) console.log(`    ${(us / 1_000 / seconds).toFixed(1).padStart(7)} ms/s  ${String(count).padStart(6)}×  ${name}`);
  }
}

/* ------------------------------------------------------------------ run */

async function main(): Promise<void> {
  warnOfStrayProcesses();
  // A 20,000 messages/s market trips the default order-rate budget and fill-burst breaker at once (the desk
  // then rightly pulls its quotes, leaving nothing of ours to draw): the bench measures the monitor, so the
  // desk gets limits sized for that market.
  const paramsFile = join(mkdtempSync(join(tmpdir(), 'qd-monitor-bench-')), 'params.json');
  writeFileSync(paramsFile, JSON.stringify({ risk: { maxOrdersPerSec: 2_000, fillBurstCount: 100_000, priceBandBps: 10_000 } }));
  const serve = await startServe({ args: ['--sim-flow', String(FLOW), '--params', paramsFile], ...(SERVER_NODE_ARGS ? { nodeArgs: SERVER_NODE_ARGS } : {}) });
  const bench = await startBenchBrowser({ session: BROWSER_SESSION, executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headed: HEADED });
  const { browser } = bench;
  try {
    const page: Page = await bench.newPage({ width: 1600, height: 1000 });
    // why: tsx (esbuild keepNames) wraps functions and classes in `__name(...)`; the page has no such helper.
    await page.addInitScript({ content: `var __name = (target) => target;\n(${instrument.toString()})();` });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
    await page.getByTestId('our-bid').first().waitFor({ state: 'attached', timeout: 30_000 });
    if (HIDE) await page.addStyleTag({ content: `${HIDE} { display: none !important; }` });
    // why a fixed wait: the benchmark measures a steady state over wall time; the page is already live (our
    // bid is on the ladder), and the warm-up lets the JIT and the first chart loads settle outside the window.
    await page.waitForTimeout(WARMUP_S * 1_000);
    const visibility = await page.evaluate(() => document.visibilityState);
    // The issue-16 monitor: the ladder's volume column and the tape are on (the defaults) while it is measured.
    const panels = await page.evaluate(() => ({
      volume: document.querySelector('[data-testid="ladder-canvas"]')?.getAttribute('data-volume-column') ?? 'absent',
      tapeRows: document.querySelectorAll('[data-testid="tape-trade"]').length,
    }));
    console.log(`ladder volume column: ${panels.volume === 'true' ? 'on' : panels.volume}; tape: ${panels.tapeRows} trades shown`);
    const chromeVersion = browser.version();

    const rates: number[] = [];
    const feedAtStart = await serve.get<StateView>('/api/state');
    const gcStart = await afterGc(cdp);
    const censusStart = await domCensus(page);
    const heapStartGc = gcStart.heapMb;
    if (TRACE) await tracePage(cdp, 5, 'at the start of the window');
    const catcher = CATCH_MS > 0 ? new SlowTaskCatcher(cdp, CATCH_MS) : null;
    const runQueue = RUN_QUEUE ? await runQueueSampler(serve) : null;
    runQueue?.start();
    if (runQueue) console.log(`run-queue sampling every 4 ms: ${runQueue.threads.map((t) => t.name).join(', ')}`);
    await catcher?.start();
    let nextHarvest = CATCH_EVERY_MS;
    const t0 = performance.now();
    const benchCpuAtStart = process.cpuUsage();
    await page.evaluate(() => (window as unknown as { __bench: { start(): void } }).__bench.start());

    const all: Drain = { fpsPerSecond: [], messagesPerSecond: [], storeFramesPerSecond: [], domMs: [], domNearReading: [], domReceiveMs: [], ladderMs: [], quoteChartMs: [], receiveMs: [], longTasks: [], longTaskStarts: [], longFrames: [], longFrameStarts: [], longFrameCauses: [], frameGapMaxMs: 0, readingFrameWorkMs: [], marketFrameWorkMs: [], visibility, bytes: 0, chartDrawFrames: {} };
    const memory: MemorySample[] = [];
    /** Long tasks over 50 ms, each with how much of it the main thread ran on a core and how long it waited for one. */
    const longTaskRuns: { ms: number; ran: RunAndWait | null; others: string }[] = [];
    // What the page hands back is merged into `all`; each long task and frame is matched with the kernel's
    // run/wait accounting of the renderer's main thread over it.
    const absorb = (d: Drain): void => {
      for (const key of ['fpsPerSecond', 'messagesPerSecond', 'storeFramesPerSecond', 'domMs', 'domNearReading', 'domReceiveMs', 'ladderMs', 'quoteChartMs', 'receiveMs', 'longTasks', 'longFrames', 'readingFrameWorkMs', 'marketFrameWorkMs'] as const) {
        for (const v of d[key]) all[key].push(v);
      }
      d.longTasks.forEach((ms, i) => {
        const start = d.longTaskStarts[i] ?? 0;
        if (ms > 50) longTaskRuns.push({ ms, ran: runQueue?.over(0, start, start + ms) ?? null, others: runQueue ? whoRan(runQueue, start, start + ms) : '' });
      });
      d.longFrameCauses.forEach((cause, i) => {
        const start = d.longFrameStarts[i] ?? 0;
        const ran = runQueue?.over(0, start, start + (d.longFrames[i] ?? 0));
        all.longFrameCauses.push(ran ? `${cause} [main thread ran ${ran.ranMs.toFixed(0)} ms, waited for a core ${ran.waitedMs.toFixed(0)} ms]` : cause);
      });
      all.frameGapMaxMs = Math.max(all.frameGapMaxMs, d.frameGapMaxMs);
      all.bytes += d.bytes;
      addDraws(all.chartDrawFrames, d.chartDrawFrames);
    };
    let nextSample = 0;
    const rateTimer = setInterval(() => {
      serve.get<StateView>('/api/state').then((s) => rates.push(s.feed.messagesPerSec), () => undefined);
    }, 1_000);
    let lastReport = 0;
    // A line a minute on long runs: what moved when, in a soak.
    const perMinute = soakMinutes > 0 || SECONDS >= 300;
    const minute: { dom: number[]; ladder: number[]; longTasks: number } = { dom: [], ladder: [], longTasks: 0 };
    // The page's bounded buffers (20,000 series points ≈ 6 min at 58 updates/s, 5,000 fills, 500 events)
    // fill during the first minutes of a soak: a soak judges flatness from the 10-minute mark on.
    const steadyAtMs = 10 * 60_000;
    let steady: { heapMb: number; nodes: number } | null = null;
    let censusSteady: Awaited<ReturnType<typeof domCensus>> | null = null;
    while (performance.now() - t0 < SECONDS * 1_000) {
      // The sampling clock of a wall-time window (nothing to wait for: the page reports when drained).
      await new Promise((resolve) => setTimeout(resolve, 250));
      const elapsed = performance.now() - t0;
      if (elapsed >= nextSample) {
        nextSample += SAMPLE_EVERY_MS;
        memory.push(await memorySample(cdp, t0, serve));
        const d = await page.evaluate(() => (window as unknown as { __bench: { drain(): Drain } }).__bench.drain());
        absorb(d);
        if (perMinute) {
          minute.dom.push(...d.domMs);
          minute.ladder.push(...d.ladderMs);
          minute.longTasks += d.longTasks.filter((x) => x > 50).length;
        }
        if (d.visibility !== 'visible') all.visibility = d.visibility;
        if (catcher && elapsed >= nextHarvest) {
          nextHarvest += CATCH_EVERY_MS;
          for (const line of await catcher.harvest(`${(elapsed / 1_000).toFixed(0)} s`)) console.log(line);
        }
        if (soakMinutes > 10 && steady === null && elapsed >= steadyAtMs) {
          steady = await afterGc(cdp);
          censusSteady = await domCensus(page);
          console.log(`  ${(elapsed / 60_000).toFixed(1)} min: buffers full; after GC heap ${steady.heapMb.toFixed(1)} MB, live nodes ${steady.nodes} (the baseline of the flatness verdict)`);
        }
        if (perMinute && elapsed - lastReport >= 60_000) {
          lastReport = elapsed;
          const m = memory[memory.length - 1];
          console.log(`  ${(elapsed / 60_000).toFixed(1)} min: fps median ${median(d.fpsPerSecond).toFixed(1)}, event→pixels p95 DOM ${pct(minute.dom, 95).toFixed(0)} / ladder ${pct(minute.ladder, 95).toFixed(0)} ms, long tasks ${minute.longTasks}, heap ${m?.heapMb.toFixed(1)} MB, nodes ${m?.nodes}, server RSS ${m?.serverRssMb.toFixed(0)} MB, renderer RSS ${m?.rendererRssMb.toFixed(0)} MB, gpu RSS ${m?.gpuRssMb.toFixed(0)} MB`);
          minute.dom = [];
          minute.ladder = [];
          minute.longTasks = 0;
        }
      }
    }
    clearInterval(rateTimer);
    if (catcher) {
      for (const line of await catcher.harvest('end', false)) console.log(line);
      console.log(`  slow tasks by what dominated them: ${[...catcher.verdicts.entries()].map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`);
    }
    absorb(await page.evaluate(() => (window as unknown as { __bench: { drain(): Drain } }).__bench.drain()));
    runQueue?.stop();
    const endSample = await memorySample(cdp, t0, serve);
    memory.push(endSample);
    const gcEnd = await afterGc(cdp);
    const censusEnd = await domCensus(page);
    const heapEndGc = gcEnd.heapMb;
    const feedAtEnd = await serve.get<StateView>('/api/state');
    const windowS = (performance.now() - t0) / 1_000;
    const benchCpu = process.cpuUsage(benchCpuAtStart);
    if (PROFILE) await profilePage(cdp, 10);
    if (TRACE) await tracePage(cdp, 5, 'at the end of the window');

    /* ---------------------------------------------------------------- report */
    const secondsOver = all.fpsPerSecond.map((fps, i) => (all.messagesPerSecond[i] ?? 0) - fps);
    const storeOver = all.fpsPerSecond.map((fps, i) => (all.storeFramesPerSecond[i] ?? 0) - fps);
    const messagesTotal = all.messagesPerSecond.reduce((a, b) => a + b, 0);
    const framesTotal = all.fpsPerSecond.reduce((a, b) => a + b, 0);
    const processedRate = (feedAtEnd.feed.messages - feedAtStart.feed.messages) / windowS;
    const memXs = memory.map((m) => m.atS / 60);
    const heapSlope = slope(memXs, memory.map((m) => m.heapMb));
    const nodesSlope = slope(memXs, memory.map((m) => m.nodes));
    const rssSlope = slope(memXs, memory.map((m) => m.serverRssMb));
    const first = memory[0];
    const share = (key: 'taskDurationS' | 'scriptDurationS' | 'layoutDurationS' | 'styleDurationS'): number => (first ? (endSample[key] - first[key]) / (endSample.atS - first.atS) : Number.NaN);
    const busy = share('taskDurationS');
    const fpsP5 = pct(all.fpsPerSecond, 5);
    const fpsMed = median(all.fpsPerSecond);
    const longOver50 = all.longTasks.filter((d) => d > 50);
    const domP95 = pct(all.domMs, 95);
    const ladderP95 = pct(all.ladderMs, 95);
    const quoteChartP95 = pct(all.quoteChartMs, 95);
    // Flat: after a forced GC the heap grew by at most 10 % (or 2 MB) and the live DOM by at most 10 %, from the
    // start of a short run, or from the 10-minute mark of a soak (once the bounded buffers are full).
    const base = steady ?? { heapMb: heapStartGc, nodes: gcStart.nodes };
    const heapGrowth = heapEndGc - base.heapMb;
    const flat = heapGrowth <= Math.max(2, 0.1 * base.heapMb) && gcEnd.nodes <= base.nodes * 1.1 + 50;

    const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
    const mode = HEADED ? `headed${process.env['DISPLAY'] ? ` (DISPLAY=${process.env['DISPLAY']})` : ''}` : 'headless';
    console.log(`\nMonitor under the simulated market, --sim-flow ${FLOW}: Chromium ${chromeVersion}, ${mode}, page ${all.visibility}, viewport 1600×1000${HIDE ? `, HIDDEN: ${HIDE}` : ''}`);
    console.log(BROWSER_SESSION === 'shared' ? 'Chromium in the desk server\'s session (one scheduling group, as the Electron app runs): --browser-session shared' : 'Chromium in a session of its own (Playwright\'s launch; the kernel shares the CPUs between the server\'s session and Chromium\'s as wholes): --browser-session own');
    console.log(`window ${f(windowS, 0)} s after ${WARMUP_S} s warm-up; machine load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; this bench's own process used ${f(((benchCpu.user + benchCpu.system) / 1_000 / (windowS * 1_000)) * 100, 0)} % of a core${RUN_QUEUE ? ' (with --run-queue sampling)' : ''}\n`);
    console.log(`(a) market messages processed by the desk: ${Math.round(processedRate).toLocaleString('en-US')}/s over the window; feed.messagesPerSec median ${Math.round(median(rates)).toLocaleString('en-US')}, min ${Math.round(Math.min(...rates)).toLocaleString('en-US')}`);
    console.log(`(b) stream updates received: ${f(messagesTotal / all.messagesPerSecond.length)}/s (${f(all.bytes / windowS / 1024, 0)} KiB/s); animation frames ${f(framesTotal / all.fpsPerSecond.length)}/s; store frames ${f(all.storeFramesPerSecond.reduce((a, b) => a + b, 0) / all.storeFramesPerSecond.length)}/s`);
    console.log(`    per-second windows where updates > frames: ${secondsOver.filter((x) => x > 0.5).length} of ${secondsOver.length} (worst +${f(Math.max(0, ...secondsOver))}); where store frames > frames: ${storeOver.filter((x) => x > 0.5).length}`);
    console.log(`(c) frames/s per second: p5 ${f(fpsP5)}, median ${f(fpsMed)}, min ${f(Math.min(...all.fpsPerSecond))}; longest gap between frames ${f(all.frameGapMaxMs)} ms`);
    const work = (xs: readonly number[]): string => `p50 ${f(median(xs))}, p95 ${f(pct(xs, 95))}, p99 ${f(pct(xs, 99))}, max ${f(xs.reduce((a, b) => Math.max(a, b), 0))} ms (${xs.length})`;
    console.log(`    frame work, first callback → rendered: market-only frames ${work(all.marketFrameWorkMs)}; reading frames ${work(all.readingFrameWorkMs)}`);
    console.log(`(d) long tasks: ${all.longTasks.length} (max ${f(Math.max(0, ...all.longTasks))} ms), over 50 ms: ${longOver50.length}; long animation frames: ${all.longFrames.length} (max ${f(Math.max(0, ...all.longFrames))} ms); main thread busy ${f(100 * busy, 0)} % (script ${f(100 * share('scriptDurationS'), 0)} %, style ${f(100 * share('styleDurationS'), 0)} %, layout ${f(100 * share('layoutDurationS'), 0)} %)`);
    if (longTaskRuns.length > 0) {
      const mostlyWaiting = longTaskRuns.filter(({ ms, ran }) => ran !== null && ran.waitedMs > ms / 2).length;
      const mostRan = Math.max(0, ...longTaskRuns.map(({ ran }) => ran?.ranMs ?? Number.NaN).filter(Number.isFinite));
      console.log(`    of the ${longTaskRuns.length} over 50 ms, the main thread waited for a core through more than half of ${mostlyWaiting}; the most it ran in one: ${f(mostRan, 0)} ms`);
    }
    for (const { ms, ran, others } of longTaskRuns.slice(0, 12)) console.log(`    long task ${f(ms, 0)} ms: ${ran ? `main thread ran ${f(ran.ranMs, 0)} ms, waited for a core ${f(ran.waitedMs, 0)} ms; meanwhile ran (ms): ${others}` : 'no run-queue samples'}`);
    for (const cause of all.longFrameCauses.slice(0, 12)) console.log(`    long frame ${cause}`);
    const drawsPerSecond = Object.entries(all.chartDrawFrames).map(([name, frames]) => `${name} ${f(frames / windowS)}`).join(', ');
    console.log(`    charts drew in frames/s: ${drawsPerSecond || 'none'} (each chart once per feed: the quote chart at its own pace, the small charts at reading pace)`);
    const quoteChartDrawsPerS = (all.chartDrawFrames['skew-chart-canvas'] ?? 0) / windowS;
    console.log(`(e) event → received ${all.receiveMs.length} updates: p50 ${f(median(all.receiveMs), 0)} ms, p95 ${f(pct(all.receiveMs, 95), 0)} ms, max ${f(Math.max(...all.receiveMs), 0)} ms`);
    console.log(`    event → DOM painted:    p50 ${f(median(all.domMs), 0)} ms, p95 ${f(domP95, 0)} ms, max ${f(Math.max(...all.domMs), 0)} ms (${all.domMs.length} samples)`);
    // Where the slowest updates were painted: in a reading frame, in the frame after one, or elsewhere.
    const slow = all.domMs.map((ms, i) => ({ ms, near: all.domNearReading[i] ?? 0, receive: all.domReceiveMs[i] ?? 0 })).filter((x) => x.ms >= domP95);
    const shareNear = (near: number, of: readonly { near: number }[]): string => `${f((of.filter((x) => x.near === near).length / Math.max(1, of.length)) * 100, 0)} %`;
    const every = all.domNearReading.map((near) => ({ near }));
    console.log(`      painted in a reading frame / the frame after one / other frames: all updates ${shareNear(2, every)} / ${shareNear(1, every)} / ${shareNear(0, every)}; the slowest 5 % ${shareNear(2, slow)} / ${shareNear(1, slow)} / ${shareNear(0, slow)}; the slowest 5 % spent p50 ${f(median(slow.map((x) => x.receive)), 0)} ms before the page received them and ${f(median(slow.map((x) => x.ms - x.receive)), 0)} ms from receipt to pixels`);
    console.log(`    event → ladder painted: p50 ${f(median(all.ladderMs), 0)} ms, p95 ${f(ladderP95, 0)} ms, max ${f(Math.max(...all.ladderMs), 0)} ms`);
    console.log(`    event → quote chart painted: p50 ${f(median(all.quoteChartMs), 0)} ms, p95 ${f(quoteChartP95, 0)} ms, max ${f(Math.max(...all.quoteChartMs), 0)} ms (it drew ${f(quoteChartDrawsPerS)} times a second)`);
    console.log(`(f) JS heap used ${f(first?.heapMb ?? Number.NaN)} → ${f(endSample.heapMb)} MB, slope ${f(heapSlope, 2)} MB/min; after GC ${f(heapStartGc)}${steady ? ` → ${f(steady.heapMb)} (10 min)` : ''} → ${f(heapEndGc)} MB (${heapGrowth >= 0 ? '+' : ''}${f(heapGrowth, 2)} MB${steady ? ' since 10 min' : ''})`);
    console.log(`    DOM nodes ${first?.nodes} → ${endSample.nodes} (slope ${f(nodesSlope, 1)}/min), listeners ${first?.listeners} → ${endSample.listeners}; live DOM nodes after GC ${gcStart.nodes} → ${gcEnd.nodes}; server RSS ${f(first?.serverRssMb ?? Number.NaN, 0)} → ${f(endSample.serverRssMb, 0)} MB (slope ${f(rssSlope, 2)} MB/min)`);
    console.log(`    ${censusChange(censusSteady ?? censusStart, censusEnd)}${censusSteady ? ' since 10 min' : ''}; live after GC − attached: ${(steady ?? gcStart).nodes - (censusSteady ?? censusStart).attached} → ${gcEnd.nodes - censusEnd.attached}`);
    console.log(`    Chromium RSS: renderer ${f(first?.rendererRssMb ?? Number.NaN, 0)} → ${f(endSample.rendererRssMb, 0)} MB (slope ${f(slope(memXs, memory.map((m) => m.rendererRssMb)), 2)} MB/min), gpu-process ${f(first?.gpuRssMb ?? Number.NaN, 0)} → ${f(endSample.gpuRssMb, 0)} MB (slope ${f(slope(memXs, memory.map((m) => m.gpuRssMb)), 2)} MB/min)`);

    const rows: [string, string, string, boolean][] = [
      ['market messages processed', '≈ 20,000/s', `${Math.round(processedRate).toLocaleString('en-US')}/s`, processedRate >= 18_000],
      ['stream updates ≤ animation frames', 'every second', `${secondsOver.filter((x) => x > 0.5).length} seconds over`, secondsOver.every((x) => x <= 0.5) && storeOver.every((x) => x <= 0.5)],
      ['frames per second', '≥ 50 (p5)', `p5 ${f(fpsP5)}, median ${f(fpsMed)}`, fpsP5 >= 50],
      ['long tasks over 50 ms', '0', `${longOver50.length} (max ${f(Math.max(0, ...all.longTasks))} ms)`, longOver50.length === 0],
      ['market event → pixels, p95', '< 50 ms', `DOM ${f(domP95, 0)} ms, ladder ${f(ladderP95, 0)} ms`, domP95 < 50 && ladderP95 < 50],
      [soakMinutes > 0 ? `memory flat over ${soakMinutes} min` : `memory trend over ${f(windowS, 0)} s`, 'flat', `after GC${steady ? ' from 10 min' : ''}: heap ${heapGrowth >= 0 ? '+' : ''}${f(heapGrowth, 2)} MB, nodes ${base.nodes}→${gcEnd.nodes}`, flat],
    ];
    console.log('');
    console.log(`  ${'measure'.padEnd(36)}${'target'.padEnd(16)}${'measured'.padEnd(40)}verdict`);
    for (const [name, target, measured, ok] of rows) console.log(`  ${name.padEnd(36)}${target.padEnd(16)}${measured.padEnd(40)}${ok ? 'PASS' : 'MISS'}`);
    if (soakMinutes === 0) console.log('\n  (memory over a short run is a trend only; `--minutes-soak 30` runs the 30-minute soak)');
  } finally {
    // The desk server is stopped whatever closing the browser does: a server left running at 20 % of a core
    // would slow every later run on this machine.
    try {
      await bench.close();
    } finally {
      if (SERVER_LOG) writeFileSync(SERVER_LOG, serve.stdout() + serve.stderr());
      await serve.stop();
      removeDir(serve.dir);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
