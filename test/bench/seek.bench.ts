/**
 * Seek benchmark (issue 16, "Seek is exact"): how long an exact seek takes on the GOOG 2012-06-21 L5
 * LOBSTER day (112,673 events) with a replay desk (paper venue, strategy, analytics, SQLite journal): the
 * transport's seek command played in chunks, forward and back, from the first event to the end. A seek
 * back restores the nearest checkpoint (book and desk) and plays what lies between it and the target;
 * a seek forward plays every event on the way with the desk. Prints each seek's wall time, the events
 * played, and the desk checkpoints held. Run: `npx tsx test/bench/seek.bench.ts`. Figures only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk } from '../../src/main/desk/create-desk.js';
import { importLobster } from '../../src/main/market/lobster/index.js';
import { DEFAULT_PARAMS } from '../../src/shared/params.js';
import { hasSharedData, sharedDataPath, SHARED_DATA_DIR } from '../support/shared-data.js';

async function main(): Promise<void> {
  if (!hasSharedData()) {
    console.log(`seek.bench: skipped, real market data not found at ${SHARED_DATA_DIR}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qd-seek-bench-'));
  try {
    const base = sharedDataPath('lobster', 'GOOG_2012-06-21_L5');
    const recording = join(dir, 'goog-l5.jsonl');
    await importLobster({
      messages: join(base, 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
      orderbook: join(base, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
      out: recording,
    });
    const run = await createDesk({ venue: 'sim', recording, speed: 'max', dbPath: join(dir, 'seek.db'), params: DEFAULT_PARAMS });
    await run.start();
    const replay = run.replay!;
    replay.pause();
    const { startMs, endMs, eventCount } = replay.view();
    const timeAt = (fraction: number): number => startMs + (endMs - startMs) * fraction;
    console.log(`seek.bench: GOOG 2012-06-21 L5, ${eventCount.toLocaleString('en-US')} events, replay desk with the default parameters`);
    const legs: Array<[string, number]> = [
      ['0 % → 60 % (forward, first pass)', 0.6],
      ['60 % → 20 % (back)', 0.2],
      ['20 % → 80 % (forward, played again)', 0.8],
      ['80 % → 40 % (back)', 0.4],
      ['40 % → 41 % (forward, short)', 0.41],
      ['41 % → 1 % (back to the start)', 0.01],
      ['1 % → 100 % (forward to the end)', 1],
      ['100 % → 99 % (back, short)', 0.99],
    ];
    for (const [label, fraction] of legs) {
      const before = replay.view().eventIndex;
      const t0 = performance.now();
      const result = await run.desk.replayCommand({ action: 'seek', timeMs: timeAt(fraction) }, 'bench');
      const ms = performance.now() - t0;
      if (!result.ok) throw new Error(`seek failed: ${result.error}`);
      const after = replay.view().eventIndex;
      console.log(`  ${label.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms   event ${before.toLocaleString('en-US').padStart(7)} → ${after.toLocaleString('en-US').padStart(7)}`);
    }
    console.log(`  checkpoints held: ${replay.checkpointCount()} (every ${Math.ceil(eventCount / replay.checkpointCount())} events or so)`);
    await run.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
