/**
 * Calibration of the simulated market (issue 15 item 4): the desk at its default parameters on the default
 * simulated market, for 10 minutes of simulated time on each of 5 seeds, driven on the market's own clock
 * in 4 ms steps (as `quotedesk serve` drives it from the wall clock), reporting per seed and over all seeds:
 * fills, the 5 s adverse-selection rate and the spread captured (both from execution, as the monitor shows
 * them), the markout means and PnL. The target band: the
 * article's production figures (38 % adverse, lesson 3's 35–40 %; 0.8 bps captured) → 30–45 % adverse and
 * 0.5–2 bps captured on every seed. Figures only, no assertions; simulated time, so it takes about a minute.
 * Run: `npx tsx test/bench/sim-calibration.bench.ts [--seeds 1,2,3,4,5] [--minutes 10] [--set key=value,...]`
 * (`--set` overrides fields of the market's configuration, e.g. `--set informedRatePerSec=3,informedMeanLots=40`,
 * to explore around the defaults).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk } from '../../src/main/desk/create-desk.js';
import { DEFAULT_SIM_CONFIG, type SimConfig } from '../../src/main/market/sim/sim-market.js';
import { DEFAULT_PARAMS } from '../../src/shared/params.js';

const START_US = Date.UTC(2025, 0, 6, 14, 0, 0) * 1_000;
const STEP_US = 4_000;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

interface SeedResult {
  readonly seed: number;
  readonly fills: number;
  readonly adverse5s: number;
  readonly known5s: number;
  readonly spreadBps: number;
  readonly mean1s: number;
  readonly mean5s: number;
  readonly pnl: number;
}

async function runSeed(seed: number, minutes: number, overrides: Partial<SimConfig>): Promise<SeedResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-sim-calibration-'));
  try {
    const running = await createDesk({ venue: 'sim', dbPath: join(dir, 'cal.db'), params: DEFAULT_PARAMS, startUs: START_US, sim: { seed, ...overrides } });
    const sim = running.sim;
    if (!sim) throw new Error('no simulated market');
    await running.start();
    const end = START_US + minutes * 60 * 1_000_000;
    while (sim.now() < end) sim.advanceTo(Math.min(end, sim.now() + STEP_US));
    const m = running.desk.metrics();
    await running.close();
    return {
      seed,
      fills: m.numFills,
      adverse5s: m.markouts.all['5s'].adverseRate,
      known5s: m.markouts.all['5s'].count,
      spreadBps: m.avgSpreadCapturedBps,
      mean1s: m.markouts.all['1s'].meanBps,
      mean5s: m.markouts.all['5s'].meanBps,
      pnl: m.totalPnl,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seeds = (flag('seeds') ?? '1,2,3,4,5').split(',').map(Number);
  const minutes = Number(flag('minutes') ?? 10);
  const overrides: Record<string, number> = {};
  for (const pair of (flag('set') ?? '').split(',').filter((p) => p !== '')) {
    const [key, value] = pair.split('=');
    if (key === undefined || !(key in DEFAULT_SIM_CONFIG) || !Number.isFinite(Number(value))) throw new Error(`--set ${pair}: expected a numeric field of SimConfig, key=value`);
    overrides[key] = Number(value);
  }
  const config = { ...DEFAULT_SIM_CONFIG, ...overrides };
  console.log(
    `sim-calibration.bench: default desk parameters, ${minutes} min of simulated time per seed, 4 ms steps; market: informed ${config.informedRatePerSec}/s ` +
      `(threshold ${config.informedThresholdTicks} ticks, mean ${config.informedMeanLots} lots), noise ${config.noiseRatePerSec}/s (mean ${config.noiseMeanLots} lots)`,
  );
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await runSeed(seed, minutes, overrides);
    results.push(r);
    const inBand = r.adverse5s >= 0.3 && r.adverse5s <= 0.45 && r.spreadBps >= 0.5 && r.spreadBps <= 2;
    console.log(
      `  seed ${String(seed).padStart(3)}: ${String(r.fills).padStart(5)} fills, adverse at 5 s ${(r.adverse5s * 100).toFixed(1).padStart(5)} % (of ${r.known5s}), ` +
        `spread captured ${r.spreadBps.toFixed(2).padStart(5)} bps, mean markout 1 s ${r.mean1s.toFixed(2).padStart(6)} / 5 s ${r.mean5s.toFixed(2).padStart(6)} bps, ` +
        `PnL ${r.pnl.toFixed(2).padStart(9)}  ${inBand ? 'in band' : 'OUT OF BAND'}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  const fills = results.reduce((s, r) => s + r.fills, 0);
  const known = results.reduce((s, r) => s + r.known5s, 0);
  const adverse = results.reduce((s, r) => s + r.adverse5s * r.known5s, 0) / known;
  const spread = results.reduce((s, r) => s + r.spreadBps * r.fills, 0) / fills;
  console.log(`  all seeds: ${fills} fills, adverse at 5 s ${(adverse * 100).toFixed(1)} %, spread captured ${spread.toFixed(2)} bps (target 30–45 % and 0.5–2 bps)`);
}

void main();
