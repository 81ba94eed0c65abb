/**
 * Adapter parse + apply on each real capture, as a ratio to JSON.parse alone over the same lines (the
 * physical limit measured in the same run). Parse + apply is what the live connector does with a frame:
 * `adapter.onText(kind, text)` (JSON.parse then the venue's rules; Kraken applies book updates straight from
 * the text). Target: within 1.5×. Run: npx tsx test/bench/adapters.bench.ts
 *
 * Honest on a shared, noisy machine: both sides replay exactly the same message texts, the JSON.parse-only
 * pass and the parse+apply pass alternate round by round (so a burst of load hits both), and the figures
 * are medians over the rounds, both as wall time and as this process's CPU time (which excludes the time
 * other processes held the cores). Absolute times are printed beside the ratios. The last column replays
 * on one adapter (warm book memory, as a live feed) instead of a fresh adapter per repetition. ROUNDS=n overrides the
 * number of rounds (default 15).
 */
import { readFileSync } from 'node:fs';
import { createAdapter, knownInstrument } from '../../src/main/market/adapters/index.js';
import type { AdapterVenue } from '../../src/main/market/adapters/types.js';
import { sharedDataPath, hasSharedData } from '../support/shared-data.js';

const CASES: [AdapterVenue, string, string[]][] = [
  ['binance-spot', 'NKNUSDT', ['exchanges', 'binance_spot', 'NKNUSDT_session.jsonl']],
  ['binance-usdm', 'SUSHIUSDT', ['exchanges', 'binance_usdm', 'SUSHIUSDT_session.jsonl']],
  ['bybit-linear', 'BTCUSDT', ['exchanges', 'bybit_v5', 'linear_orderbook.200.BTCUSDT.jsonl']],
  ['bybit-spot', 'BTCUSDT', ['exchanges', 'bybit_v5', 'spot_orderbook.200.BTCUSDT.jsonl']],
  ['kraken', 'ADA/XBT', ['exchanges', 'kraken_v1', 'book-1000_ADA-XBT.jsonl']],
  ['kraken', 'SC/EUR', ['exchanges', 'kraken_v1', 'book-1000_SC-EUR.jsonl']],
  ['kraken', 'XBT/CHF', ['exchanges', 'kraken_v1', 'book-1000_XBT-CHF.jsonl']],
  ['coinbase', 'BTC-USD', ['exchanges', 'coinbase_advanced', 'level2_ticker_BTC-USD_ETH-USD.jsonl']],
];

/** Extracts the raw `msg` text of each capture line (what a socket would deliver). */
function messages(file: string): { kind: 'ws' | 'rest'; text: string; localUs: number }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const at = l.indexOf('"msg": ');
      const o = JSON.parse(l) as { recv_ts: number; kind: 'ws' | 'rest' };
      // A fresh flat string, as a socket frame decoded from its buffer is (not a slice of the capture line).
      const text = Buffer.from(l.slice(at + 7, -1), 'utf8').toString('utf8');
      return { kind: o.kind, text, localUs: Math.round(o.recv_ts * 1e6) };
    });
}

const ROUNDS = Math.max(3, Number(process.env['ROUNDS'] ?? 15) || 15);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs the passes in turn ROUNDS times (after one warm-up each); the median wall and CPU ms of each pass. */
function alternate(passes: (() => void)[]): { wall: number; cpu: number }[] {
  for (const fn of passes) fn();
  const wall = passes.map((): number[] => []);
  const cpu = passes.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < passes.length; i++) {
      const w0 = performance.now();
      const c0 = cpuMs();
      passes[i]!();
      cpu[i]!.push(cpuMs() - c0);
      wall[i]!.push(performance.now() - w0);
    }
  }
  return passes.map((_, i) => ({ wall: median(wall[i]!), cpu: median(cpu[i]!) }));
}

if (!hasSharedData()) {
  console.log('adapters.bench: ../shared/data not found, nothing to measure');
  process.exit(0);
}

console.log(`adapter parse+apply vs JSON.parse alone: medians of ${ROUNDS} alternating rounds, ms per full replay of the capture`);
console.log(
  'capture'.padEnd(22),
  'msgs'.padStart(6),
  'JSON.parse'.padStart(11),
  'parse+apply'.padStart(12),
  'ratio'.padStart(7),
  'cpu ratio'.padStart(10),
  'msgs/s'.padStart(11),
  '1 adapter'.padStart(9),
);
let sink = 0;
for (const [venue, symbol, parts] of CASES) {
  const msgs = messages(sharedDataPath(...parts));
  const instrument = knownInstrument(venue, symbol)!;
  const REPS = Math.max(1, Math.ceil(20000 / msgs.length));
  const adapters = Array.from({ length: REPS }, () => createAdapter(venue, instrument));
  const parseOnly = (): void => {
    for (let r = 0; r < REPS; r++) for (const m of msgs) sink += (JSON.parse(m.text) as unknown) === null ? 1 : 0;
  };
  const full = (): void => {
    for (let r = 0; r < REPS; r++) {
      const a = adapters[r]!;
      a.reset(0);
      for (const m of msgs) if (a.onText(m.kind, m.text, m.localUs)) sink++;
      a.takeAction();
    }
  };
  // the same replay on ONE adapter (reset between repetitions): its book memory stays in cache, as a live
  // feed's does; the main figure uses a fresh adapter per repetition (cold book memory, as before)
  const one = (): void => {
    const a = adapters[0]!;
    for (let r = 0; r < REPS; r++) {
      a.reset(0);
      for (const m of msgs) if (a.onText(m.kind, m.text, m.localUs)) sink++;
      a.takeAction();
    }
  };
  const [p, f, o] = alternate([parseOnly, full, one]);
  const t = { aWall: p!.wall, aCpu: p!.cpu, bWall: f!.wall, bCpu: f!.cpu, oWall: o!.wall };
  const total = msgs.length * REPS;
  console.log(
    `${venue} ${symbol}`.padEnd(22),
    String(msgs.length).padStart(6),
    (t.aWall / REPS).toFixed(3).padStart(11),
    (t.bWall / REPS).toFixed(3).padStart(12),
    `${(t.bWall / t.aWall).toFixed(2)}x`.padStart(7),
    `${(t.bCpu / t.aCpu).toFixed(2)}x`.padStart(10),
    Math.round(total / (t.bWall / 1000)).toLocaleString('en-US').padStart(11),
    `${(t.oWall / t.aWall).toFixed(2)}x`.padStart(9),
  );
}
if (sink === -1) console.log(sink);
