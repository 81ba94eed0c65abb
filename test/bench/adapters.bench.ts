/**
 * Adapter parse + apply on each real capture, as a ratio to JSON.parse alone over the same lines (the
 * physical limit measured in the same run). Target: within 1.5×. Run: npx tsx test/bench/adapters.bench.ts
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
      return { kind: o.kind, text: l.slice(at + 7, -1), localUs: Math.round(o.recv_ts * 1e6) };
    });
}

function timeBest(fn: () => void, minMs = 400): number {
  let best = Infinity;
  const until = performance.now() + minMs;
  let rounds = 0;
  while (performance.now() < until || rounds < 5) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
    rounds++;
  }
  return best;
}

if (!hasSharedData()) {
  console.log('adapters.bench: ../shared/data not found, nothing to measure');
  process.exit(0);
}

console.log('adapter parse+apply vs JSON.parse alone (best of repeated full replays)');
console.log('capture'.padEnd(22), 'msgs'.padStart(6), 'JSON.parse ms'.padStart(14), 'parse+apply ms'.padStart(15), 'ratio'.padStart(7), 'msgs/s'.padStart(12));
let sink = 0;
for (const [venue, symbol, parts] of CASES) {
  const msgs = messages(sharedDataPath(...parts));
  const instrument = knownInstrument(venue, symbol)!;
  const REPS = Math.max(1, Math.ceil(20000 / msgs.length));
  const parseOnly = timeBest(() => {
    for (let r = 0; r < REPS; r++) for (const m of msgs) sink += (JSON.parse(m.text) as unknown) === null ? 1 : 0;
  });
  const adapters = Array.from({ length: REPS }, () => createAdapter(venue, instrument));
  let round = 0;
  const full = timeBest(() => {
    for (let r = 0; r < REPS; r++) {
      const a = adapters[r]!;
      a.reset(0);
      for (const m of msgs) if (a.onMessage(m.kind, JSON.parse(m.text), m.localUs)) sink++;
      a.takeAction();
    }
    round++;
  });
  const total = msgs.length * REPS;
  console.log(
    `${venue} ${symbol}`.padEnd(22),
    String(msgs.length).padStart(6),
    (parseOnly / REPS).toFixed(3).padStart(14),
    (full / REPS).toFixed(3).padStart(15),
    `${(full / parseOnly).toFixed(2)}x`.padStart(7),
    Math.round(total / (full / 1000)).toLocaleString('en-US').padStart(12),
  );
  void round;
}
if (sink === -1) console.log(sink);
