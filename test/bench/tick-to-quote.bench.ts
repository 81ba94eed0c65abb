/**
 * Tick-to-quote latency in process: one market event in (a level update applied to the real
 * PriceLevelBook, the mid fed to the volatility estimator, every fourth event a public trade fed to the
 * intensity calibration) → a new QuoteDecision out, for each quoting model. Prints p50 / p99 / p99.9 / max
 * in µs against the targets (p50 ≤ 10 µs, p99 ≤ 50 µs, p99.9 ≤ 500 µs), the heap growth over the measured
 * loop and the GC pauses seen by a `PerformanceObserver` ('gc' entries), which together show whether the
 * hot path allocates. Standalone: `npx tsx test/bench/tick-to-quote.bench.ts [events]`. Prints figures;
 * asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PriceLevelBook } from '../../src/main/market/book/order-book.js';
import type { MarketTrade } from '../../src/main/market/types.js';
import { createStrategy } from '../../src/main/strategy/strategy.js';
import { emptyDecision, type QuoteInputs } from '../../src/main/strategy/types.js';
import { DEFAULT_PARAMS, validateParams, type DeskParams } from '../../src/shared/params.js';
import { mulberry32 as prng } from '../support/prng.js';

const MEASURED = Number(process.argv[2] ?? 200_000);
const WARMUP = 50_000;
/** Events of the untimed allocation pass (GCs are counted over it; bytes/event are shown only without GC). */
const ALLOC_EVENTS = 1_000_000;
const LEVELS = 200;
const START_MID = 6_500_000; // $65 000.00 in ticks of $0.01

/** Mulberry32: deterministic event stream. */

/**
 * A pre-generated stream of level updates (side 0 bid / 1 ask, price, size) around a randomly walking
 * best price, and trades at 1–4 ticks from the touch. Generated once, so the loop allocates nothing.
 */
interface Stream {
  side: Uint8Array;
  price: Float64Array;
  size: Float64Array;
  tradePrice: Float64Array;
}

function makeStream(count: number, seed: number): Stream {
  const random = prng(seed);
  const s: Stream = {
    side: new Uint8Array(count),
    price: new Float64Array(count),
    size: new Float64Array(count),
    tradePrice: new Float64Array(count),
  };
  let mid = START_MID;
  for (let i = 0; i < count; i++) {
    if (random() < 0.02) mid += random() < 0.5 ? -1 : 1;
    const bid = random() < 0.5;
    const depth = Math.floor(random() * random() * 20);
    s.side[i] = bid ? 0 : 1;
    s.price[i] = bid ? mid - 1 - depth : mid + 1 + depth;
    // Mostly resize, sometimes empty a level (never the touch, so the book stays two-sided).
    s.size[i] = depth > 0 && random() < 0.1 ? 0 : 1 + Math.floor(random() * 5_000);
    s.tradePrice[i] = random() < 0.5 ? mid - 1 - Math.floor(random() * 3) : mid + 1 + Math.floor(random() * 3);
  }
  return s;
}

function seedBook(book: PriceLevelBook): void {
  const random = prng(1);
  for (let i = 0; i < LEVELS; i++) {
    book.set('bid', START_MID - 1 - i, 1 + Math.floor(random() * 5_000));
    book.set('ask', START_MID + 1 + i, 1 + Math.floor(random() * 5_000));
  }
}

function paramsFor(model: DeskParams['strategy']['model'], mutate: (p: DeskParams) => void = () => {}): DeskParams {
  const p = structuredClone(DEFAULT_PARAMS);
  p.strategy.model = model;
  p.strategy.schedule = [{ fromMinuteUtc: 0, toMinuteUtc: 60, spreadMultiplier: 1.5, quote: true }];
  mutate(p);
  const r = validateParams(p);
  if (!r.ok) throw new Error(`${r.issue.field}: ${r.issue.message}`);
  return r.params;
}

interface Result {
  name: string;
  /** Untimed pass of ALLOC_EVENTS events: heap growth per event and GCs seen (none expected). */
  bytesPerEvent: number;
  allocGcs: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  heapDeltaKb: number;
  gcCount: number;
  gcMaxMs: number;
  checksum: number;
}

type Step = (i: number, inventory: number) => void;

/**
 * The event loop, in a plain synchronous function. Event time and the checksum live in a Float64Array and
 * the step returns nothing, so the harness itself passes and returns no doubles across calls (a double
 * crossing a non-inlined call is boxed by V8, which would be charged to the strategy).
 */
function loop(step: Step, state: Float64Array, from: number, count: number, latencyUs: Float64Array | null): void {
  for (let k = 0; k < count; k++) {
    const i = from + k;
    state[0] = (state[0] ?? 0) + 2_000;
    const inventory = ((i >> 6) % 1_600) - 800;
    if (latencyUs === null) {
      step(i, inventory);
    } else {
      const t0 = performance.now();
      step(i, inventory);
      latencyUs[k] = (performance.now() - t0) * 1_000;
    }
  }
}

/** Runs `count` events untimed while watching the heap and the GC; returns heap bytes per event and GCs. */
async function allocationPass(step: Step, state: Float64Array, from: number, count: number): Promise<{ bytesPerEvent: number; gcs: number }> {
  let gcs = 0;
  let watching = false;
  const observer = new PerformanceObserver((list) => {
    if (watching) gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  await new Promise((resolve) => setTimeout(resolve, 20));
  watching = true;
  const before = process.memoryUsage().heapUsed;
  loop(step, state, from, count, null);
  const after = process.memoryUsage().heapUsed;
  await new Promise((resolve) => setTimeout(resolve, 20));
  watching = false;
  observer.disconnect();
  return { bytesPerEvent: (after - before) / count, gcs };
}

async function run(name: string, params: DeskParams | null): Promise<Result> {
  const book = new PriceLevelBook();
  seedBook(book);
  const strategy = params === null ? null : createStrategy(params);
  const stream = makeStream(WARMUP + MEASURED + ALLOC_EVENTS, 42);
  const latencyUs = new Float64Array(MEASURED);
  const out = emptyDecision();
  const inputs: QuoteInputs = {
    nowUs: 1_700_000_000_000_000,
    book,
    bestBid: book.bestBid(),
    bestAsk: book.bestAsk(),
    inventoryLots: 0,
    adverseRate: 0.38,
    adverseBreakerWiden: false,
  };
  const trade: { -readonly [K in keyof MarketTrade]: MarketTrade[K] } = {
    localUs: 0, exchUs: null, price: 0, size: 1, aggressor: 'buy',
  };
  /** [event time µs, checksum of the decisions (keeps the work observable)]. */
  const state = new Float64Array([inputs.nowUs, 0]);
  const step: Step = (i, inventory) => {
    book.set(stream.side[i] === 0 ? 'bid' : 'ask', stream.price[i] ?? 0, stream.size[i] ?? 0);
    const bestBid = book.bestBid();
    const bestAsk = book.bestAsk();
    if (strategy === null) {
      state[1] = (state[1] ?? 0) + bestBid + bestAsk;
      return;
    }
    const nowUs = state[0] ?? 0;
    const mid = (bestBid + bestAsk) / 2;
    if ((i & 3) === 0) {
      trade.localUs = nowUs;
      trade.price = stream.tradePrice[i] ?? 0;
      strategy.observeTrade(trade, mid);
    }
    strategy.observeMid(nowUs, mid);
    inputs.nowUs = nowUs;
    inputs.bestBid = bestBid;
    inputs.bestAsk = bestAsk;
    inputs.inventoryLots = inventory;
    strategy.quote(inputs, out);
    state[1] = (state[1] ?? 0) + out.bidPrice + out.askSize;
  };

  // Events every 2 ms of event time; inventory wanders so the skew and size rules are exercised.
  loop(step, state, 0, WARMUP, null);

  const gcPauses: number[] = [];
  let measuring = false;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (measuring) gcPauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  // Let pending GC entries from set-up be delivered before measuring.
  await new Promise((resolve) => setTimeout(resolve, 50));
  measuring = true;
  const heapBefore = process.memoryUsage().heapUsed;
  loop(step, state, WARMUP, MEASURED, latencyUs);
  const heapAfter = process.memoryUsage().heapUsed;
  // GC entries arrive asynchronously: give them a turn of the event loop before reading.
  await new Promise((resolve) => setTimeout(resolve, 50));
  measuring = false;
  observer.disconnect();
  const alloc = await allocationPass(step, state, WARMUP + MEASURED, ALLOC_EVENTS);
  const checksum = state[1] ?? Number.NaN;

  latencyUs.sort();
  const at = (q: number): number => latencyUs[Math.min(MEASURED - 1, Math.floor(q * MEASURED))] ?? Number.NaN;
  return {
    name,
    bytesPerEvent: alloc.bytesPerEvent,
    allocGcs: alloc.gcs,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: latencyUs[MEASURED - 1] ?? Number.NaN,
    heapDeltaKb: (heapAfter - heapBefore) / 1024,
    gcCount: gcPauses.length,
    gcMaxMs: gcPauses.reduce((m, d) => Math.max(m, d), 0),
    checksum,
  };
}

const CASES: Array<[string, () => DeskParams | null]> = [
  ['(baseline: book update only)', () => null],
  ['heuristic', () => paramsFor('heuristic')],
  ['avellaneda-stoikov (infinite, calibrated)', () => paramsFor('avellaneda-stoikov')],
  ['avellaneda-stoikov (session, calibrated)', () => paramsFor('avellaneda-stoikov', (p) => (p.strategy.avellanedaStoikov.horizon = 'session'))],
  ['glft (calibrated)', () => paramsFor('glft')],
];

function format(r: Result): string {
  return (
    `${r.name.padEnd(42)} ${r.p50.toFixed(2).padStart(6)} ${r.p99.toFixed(2).padStart(8)} ${r.p999.toFixed(2).padStart(9)} ` +
    `${r.max.toFixed(1).padStart(8)} ${r.heapDeltaKb.toFixed(1).padStart(10)} ${String(r.gcCount).padStart(4)} ${r.gcMaxMs.toFixed(2).padStart(9)}` +
    `${(r.allocGcs === 0 ? r.bytesPerEvent.toFixed(2) : 'n/a').padStart(9)} ${String(r.allocGcs).padStart(4)}` +
    `${Number.isFinite(r.checksum) ? '' : '  (non-finite quotes!)'}`
  );
}

/**
 * Each case runs in a child process of its own (same node flags, so tsx is loaded): one model's JIT
 * feedback must not make the next one's call sites polymorphic, and a desk runs one model at a time.
 */
async function main(): Promise<void> {
  const caseArg = process.argv.find((a) => a.startsWith('--case='));
  if (caseArg !== undefined) {
    const index = Number(caseArg.slice('--case='.length));
    const entry = CASES[index];
    if (entry === undefined) throw new Error(`no case ${index}`);
    const result = await run(entry[0], entry[1]());
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`tick-to-quote: ${MEASURED} measured events per model after ${WARMUP} warm-up, book ${LEVELS} levels a side`);
  console.log('targets: p50 ≤ 10 µs, p99 ≤ 50 µs, p99.9 ≤ 500 µs; no allocation on the hot path\n');
  console.log(`                                           ------------ timed loop ------------  --- timed loop heap ---  untimed ${ALLOC_EVENTS / 1e6}M`);
  console.log('model                                      p50 µs   p99 µs  p99.9 µs   max µs  heap Δ KB  GCs  max GC ms  B/event  GCs');
  const script = fileURLToPath(import.meta.url);
  for (let i = 0; i < CASES.length; i++) {
    const child = spawnSync(process.execPath, [...process.execArgv, script, String(MEASURED), `--case=${i}`], { encoding: 'utf8' });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) {
      console.log(`${(CASES[i]?.[0] ?? '?').padEnd(42)} failed: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    console.log(format(JSON.parse(line) as Result));
  }
  console.log('\nheap Δ / GCs / max GC: over the timed loop (performance.now() itself allocates a little; no GC forced).');
  console.log(`B/event / GCs: an untimed pass of ${ALLOC_EVENTS} events right after: GCs seen, and heapUsed growth per event when none ran.`);
  console.log('Each model runs in its own process. Command: npx tsx test/bench/tick-to-quote.bench.ts [events]');
}

void main();
