/**
 * The figures are the same code in every mode: the GOOG LOBSTER slice run as a backtest (no timers, run to
 * its end) and as a replay (played at full speed in chunks on the event loop, with the publish timer and
 * the order journal of a `quotedesk serve --recording` session) gives identical statistics — every
 * figure, n/a included, and every definition — and the same fills, each with both of its times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDesk } from '../../../src/main/desk/create-desk.js';
import type { DeskMetrics } from '../../../src/shared/contract.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import { importGoogSlice } from './backtest-support.js';

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-modes-'));
let recording = '';

describeWithSharedData('the same figures in replay and in backtest', () => {
  beforeAll(async () => {
    recording = await importGoogSlice(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a replay played to its end reports exactly what the backtest of the same recording reports', async () => {
    const backtest = await createDesk({ venue: 'sim', recording, backtest: true, dbPath: join(dir, 'backtest.db'), params: DEFAULT_PARAMS });
    await backtest.start();
    backtest.replay?.runToEnd();
    const fromBacktest: DeskMetrics = backtest.desk.metrics();
    backtest.store.flushSync();
    const backtestFills = backtest.desk.fills(10_000);
    await backtest.close();

    const replay = await createDesk({ venue: 'sim', recording, speed: 'max', dbPath: join(dir, 'replay.db'), params: DEFAULT_PARAMS });
    const finished = new Promise<void>((resolve) => {
      replay.desk.subscribe((message) => {
        if (message.type !== 'session' && message.events.some((e) => e.text === 'replay finished')) resolve();
      });
    });
    await replay.start();
    await finished;
    const fromReplay = replay.desk.metrics();
    replay.store.flushSync();
    const replayFills = replay.desk.fills(10_000);
    await replay.close();

    expect(fromBacktest.numFills).toBeGreaterThan(0);
    expect(fromReplay).toEqual(fromBacktest);
    const strip = (fills: typeof backtestFills) => fills.map((f) => [f.side, f.price, f.size, f.execTimeMs, f.timeMs, f.midAtFill, f.fee]);
    expect(strip(replayFills)).toEqual(strip(backtestFills));
  });
});
