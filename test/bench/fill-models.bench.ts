/**
 * How the paper fill models and the latencies move a backtest's figures (issue 15 item 2): the GOOG
 * 2012-06-21 L5 LOBSTER day, imported once to a temporary recording, backtested in process for every
 * quoting model × fill model (queue, touch) × latency (entry = ack = 0, 5, 50 ms), everything else at the
 * defaults. Per run: fills, lots filled, total PnL, the 5 s adverse rate and the spread captured (both
 * from execution), and the 5 s mean markout. Figures only, no assertions; about half a minute.
 * Run: `npx tsx test/bench/fill-models.bench.ts [--models heuristic,avellaneda-stoikov,glft] [--latencies 0,5,50]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk } from '../../src/main/desk/create-desk.js';
import { importLobster } from '../../src/main/market/lobster/index.js';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../src/shared/params.js';
import { hasSharedData, sharedDataPath, SHARED_DATA_DIR } from '../support/shared-data.js';

function flag(name: string, fallback: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? (process.argv[i + 1] ?? fallback) : fallback).split(',');
}

function paramsFor(patch: unknown): DeskParams {
  const result = applyParamsPatch(DEFAULT_PARAMS, patch);
  if (!result.ok) throw new Error(`${result.issue.field}: ${result.issue.message}`);
  return result.params;
}

async function main(): Promise<void> {
  if (!hasSharedData()) {
    console.log(`fill-models.bench: skipped, real market data not found at ${SHARED_DATA_DIR}`);
    return;
  }
  const models = flag('models', 'heuristic,avellaneda-stoikov,glft');
  const latencies = flag('latencies', '0,5,50').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'qd-fill-models-'));
  try {
    const base = sharedDataPath('lobster', 'GOOG_2012-06-21_L5');
    const recording = join(dir, 'goog-l5.jsonl');
    await importLobster({
      messages: join(base, 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
      orderbook: join(base, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
      out: recording,
    });
    console.log('fill-models.bench: GOOG 2012-06-21 L5, default parameters but the quoting model, the fill model and the latency (entry = ack)');
    console.log(`  ${'model'.padEnd(20)} ${'fills'.padEnd(6)} ${'latency'.padStart(7)} ${'fills'.padStart(6)} ${'lots'.padStart(7)} ${'PnL'.padStart(10)} ${'adverse 5 s'.padStart(12)} ${'mean 5 s'.padStart(9)} ${'captured'.padStart(9)}`);
    let n = 0;
    for (const model of models) {
      for (const fillModel of ['queue', 'touch'] as const) {
        for (const latencyMs of latencies) {
          const params = paramsFor({ strategy: { model }, execution: { fillModel, entryLatencyMs: latencyMs, ackLatencyMs: latencyMs } });
          const running = await createDesk({ venue: 'sim', recording, backtest: true, dbPath: join(dir, `run-${++n}.db`), params });
          await running.start();
          running.replay?.runToEnd();
          const m = running.desk.metrics();
          await running.close();
          const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');
          const bps = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}` : 'n/a');
          console.log(
            `  ${model.padEnd(20)} ${fillModel.padEnd(6)} ${`${latencyMs} ms`.padStart(7)} ${String(m.numFills).padStart(6)} ${m.volumeTraded.toFixed(0).padStart(7)} ` +
              `${m.totalPnl.toFixed(2).padStart(10)} ${pct(m.adverseSelectionRate).padStart(12)} ${bps(m.markouts.all['5s'].meanBps).padStart(9)} ${bps(m.avgSpreadCapturedBps).padStart(9)}`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
