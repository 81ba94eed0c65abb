/**
 * Replay benchmark: the GOOG L5 LOBSTER day (112,673 events) imported into a recording, loaded once,
 * then replayed book-only through `ReplayFeed.runToEnd()` (lobster adapter + price-level book + feed
 * health + checkpoints, no-op listener) next to a bare loop over the same in-memory events that only
 * touches each event (the physical limit). Prints events/s of both and their ratio; target ≥ 1 M/s.
 * Run: `npx tsx test/bench/replay.bench.ts`. Figures only: no assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCapture } from '../../src/main/market/capture/index.js';
import { importLobster } from '../../src/main/market/lobster/index.js';
import { ReplayFeed } from '../../src/main/market/replay/index.js';
import type { FeedListener } from '../../src/main/market/types.js';
import { hasSharedData, sharedDataPath, SHARED_DATA_DIR } from '../support/shared-data.js';

async function main(): Promise<void> {
  if (!hasSharedData()) {
    console.log(`replay.bench: skipped, real market data not found at ${SHARED_DATA_DIR}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qd-replay-bench-'));
  try {
    const base = sharedDataPath('lobster', 'GOOG_2012-06-21_L5');
    const out = join(dir, 'goog-l5.jsonl');
    const imported = await importLobster({
      messages: join(base, 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
      orderbook: join(base, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
      out,
    });
    const { frames } = await loadCapture(out);
    const n = frames.length;

    // The physical limit: a loop that reads every event's time and payload field.
    let sink = 0;
    const bare = (): number => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const f = frames[i]!;
        sink += f.localUs + ((f.msg as { seq: number }).seq | 0);
      }
      return performance.now() - t0;
    };

    let books = 0;
    let trades = 0;
    const listener: FeedListener = {
      onBook: () => void books++,
      onTrade: () => void trades++,
      onFeedEvent: () => undefined,
      onTime: () => undefined,
    };
    const replay = async (): Promise<number> => {
      const feed = new ReplayFeed(frames, { file: out, autoplay: false });
      await feed.start(listener);
      const t0 = performance.now();
      const applied = feed.runToEnd();
      const ms = performance.now() - t0;
      if (applied !== n) throw new Error(`replayed ${applied} of ${n}`);
      return ms;
    };

    // Warm up the JIT, then measure; the machine is shared, so the median and the best are both shown.
    for (let r = 0; r < 3; r++) {
      bare();
      await replay();
    }
    books = 0;
    trades = 0;
    const runs = 15;
    const bareMs: number[] = [];
    const replayMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      bareMs.push(bare());
      replayMs.push(await replay());
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const bMs = median(bareMs);
    const rMs = median(replayMs);
    const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
    console.log(`replay.bench: GOOG 2012-06-21 L5, ${fmt(n)} events (${imported.trades} trades), median of ${runs} runs`);
    const bBest = Math.min(...bareMs);
    const rBest = Math.min(...replayMs);
    console.log(`  bare loop over the events : median ${bMs.toFixed(2)} ms = ${fmt(n / (bMs / 1000))} events/s, best ${fmt(n / (bBest / 1000))} events/s  (physical limit)`);
    console.log(`  replay, book only         : median ${rMs.toFixed(2)} ms = ${fmt(n / (rMs / 1000))} events/s, best ${fmt(n / (rBest / 1000))} events/s  (target ≥ 1,000,000)`);
    console.log(`  ratio replay / bare loop  : median ${(rMs / bMs).toFixed(1)}×, best ${(rBest / bBest).toFixed(1)}×`);
    console.log(`  (onBook ${books / runs}, onTrade ${trades / runs} per run; checksum ${sink % 7})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
