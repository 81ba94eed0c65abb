/**
 * PriceLevelBook figures: level updates per second near the touch (target >= 10 M/s), and reading the top 5
 * of each side after every message of the sparse Kraken XBT-CHF capture (the 5th ask sits hundreds of
 * ticks from the best: the bitmap skips empty ticks). Run: npx tsx test/bench/book.bench.ts
 */
import { PriceLevelBook } from '../../src/main/market/book/order-book.js';
import { createAdapter, knownInstrument } from '../../src/main/market/adapters/index.js';
import { loadCapture } from '../../src/main/market/capture/index.js';
import { hasSharedData, sharedDataPath } from '../support/shared-data.js';

function best(fn: () => void, minMs = 500): number {
  let b = Infinity;
  const until = performance.now() + minMs;
  let n = 0;
  while (performance.now() < until || n < 3) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
    n++;
  }
  return b;
}

// 1. level updates: random walk of the touch, sizes and removals within ±200 ticks
const N = 2_000_000;
const sides = new Uint8Array(N);
const prices = new Float64Array(N);
const sizes = new Float64Array(N);
let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
let mid = 1_000_000;
for (let i = 0; i < N; i++) {
  if (rnd() < 0.001) mid += Math.round((rnd() - 0.5) * 20);
  const bid = rnd() < 0.5;
  sides[i] = bid ? 0 : 1;
  const off = 1 + Math.floor(rnd() * rnd() * 200);
  prices[i] = bid ? mid - off : mid + off;
  sizes[i] = rnd() < 0.25 ? 0 : 1 + Math.floor(rnd() * 1e6);
}
const book = new PriceLevelBook();
let bareSink = 0;
const bare = best(() => {
  for (let i = 0; i < N; i++) bareSink += sides[i]! + prices[i]! + sizes[i]!;
});
const ms = best(() => {
  for (let i = 0; i < N; i++) book.set(sides[i] === 0 ? 'bid' : 'ask', prices[i]!, sizes[i]!);
});
console.log(`book.set: ${((N / ms) * 1000 / 1e6).toFixed(1)} M level updates/s (${N.toLocaleString('en-US')} updates in ${ms.toFixed(1)} ms; bare loop over the same arrays ${bare.toFixed(1)} ms)`);

const tp = new Float64Array(5);
const ts = new Float64Array(5);
let acc = 0;
const reads = 1_000_000;
const topMs = best(() => {
  for (let i = 0; i < reads; i++) acc += book.top('bid', 5, tp, ts) + book.top('ask', 5, tp, ts) + book.imbalance(5);
});
console.log(`top 5 both sides + imbalance(5) on a dense book: ${((reads / topMs) * 1000 / 1e6).toFixed(2)} M reads/s`);

// 2. the sparse Kraken XBT-CHF book: top 5 after every message
if (hasSharedData()) {
  const frames = (await loadCapture(sharedDataPath('exchanges', 'kraken_v1', 'book-1000_XBT-CHF.jsonl'))).frames;
  const inst = knownInstrument('kraken', 'XBT/CHF')!;
  let maxGap = 0;
  const replayOnly = best(() => {
    const a = createAdapter('kraken', inst);
    for (const f of frames) a.onMessage(f.kind, f.msg, f.localUs);
  });
  const withTop = best(() => {
    const a = createAdapter('kraken', inst);
    for (const f of frames) {
      a.onMessage(f.kind, f.msg, f.localUs);
      const n = a.book.top('ask', 5, tp, ts);
      if (n === 5) maxGap = Math.max(maxGap, tp[4]! - tp[0]!);
      a.book.top('bid', 5, tp, ts);
      acc += a.book.imbalance(5);
    }
  });
  const perRead = ((withTop - replayOnly) / frames.length) * 1e6;
  console.log(
    `kraken XBT-CHF (${frames.length} msgs, 5th ask up to ${maxGap} ticks from the best): replay ${replayOnly.toFixed(2)} ms, with top-5 both sides + imbalance after every message ${withTop.toFixed(2)} ms (~${Math.max(0, perRead).toFixed(0)} ns per read)`,
  );
  // isolated: reads on the final sparse book
  const a = createAdapter('kraken', inst);
  for (const f of frames) a.onMessage(f.kind, f.msg, f.localUs);
  const sparseMs = best(() => {
    for (let i = 0; i < reads; i++) acc += a.book.top('ask', 5, tp, ts) + a.book.top('bid', 5, tp, ts);
  });
  console.log(`top 5 both sides on the final sparse XBT-CHF book: ${((reads / sparseMs) * 1000 / 1e6).toFixed(2)} M reads/s (${((sparseMs / reads) * 1e6).toFixed(0)} ns each)`);
}
if (acc === -1 || bareSink === -1) console.log(acc);
