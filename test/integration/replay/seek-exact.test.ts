/**
 * Seek is exact (issue 16): on the full GOOG 2012-06-21 L5 LOBSTER day, a replay desk driven through
 * back-and-forth seeks (forward in chunks through the transport command, back to before the first
 * checkpoint and between checkpoints), paced play and steps ends every leg with exactly the figures of an
 * uninterrupted replay to the same event: inventory, cash, PnL, the whole statistics table (markouts,
 * hourly rows, Sharpe, drawdown), the quotes, reasons and open orders, and the database rows a monitor
 * reads (fills, orders and their status, order events, PnL snapshots). Played to the end afterwards, both
 * desks agree on everything, and the day — which has quiet stretches of well over five seconds — never
 * trips the stale-feed breaker. Each reference is a fresh desk stepped from the first event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDesk, type RunningDesk } from '../../../src/main/desk/create-desk.js';
import { importLobster } from '../../../src/main/market/lobster/index.js';
import type { ReplayFeed } from '../../../src/main/market/replay/index.js';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../../src/shared/params.js';
import { describeWithSharedData, sharedDataPath } from '../../support/shared-data.js';

const L5 = sharedDataPath('lobster', 'GOOG_2012-06-21_L5');

/** Tighter quotes than the defaults, so the day has fills to get right (hundreds, not dozens). */
function tradingParams(): DeskParams {
  const result = applyParamsPatch(DEFAULT_PARAMS, {
    strategy: { spread: { baseBps: 0.5 }, size: { baseLots: 20 } },
    risk: { maxLossSession: 1e9, maxLossDaily: 1e9, priceBandBps: 10_000, fillBurstCount: 1_000_000 },
  });
  if (!result.ok) throw new Error(`${result.issue.field}: ${result.issue.message}`);
  return result.params;
}

describeWithSharedData('an exact seek on the GOOG L5 day', () => {
  let dir = '';
  let recording = '';
  const open: RunningDesk[] = [];
  let count = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qd-seek-exact-'));
    recording = join(dir, 'goog-l5.jsonl');
    const imported = await importLobster({
      messages: join(L5, 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
      orderbook: join(L5, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
      out: recording,
    });
    expect(imported.mismatches).toBe(0);
  }, 120_000);

  afterAll(async () => {
    for (const run of open) await run.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A replay desk at the first event, not playing (the transport is the test's). */
  async function replayDesk(): Promise<{ run: RunningDesk; replay: ReplayFeed; db: string }> {
    const db = join(dir, `desk-${++count}.db`);
    const run = await createDesk({ venue: 'sim', recording, speed: 'max', dbPath: db, params: tradingParams() });
    open.push(run);
    await run.start();
    const replay = run.replay!;
    // Autoplay schedules the first chunk for the next macrotask: paused before it runs.
    replay.pause();
    expect(replay.view().eventIndex).toBe(0);
    return { run, replay, db };
  }

  /** Everything a trader reads off the desk and the database, minus the feed's own counters. */
  function figures(d: { run: RunningDesk; db: string }): unknown {
    const { desk, store } = d.run;
    store.flushSync();
    const s = desk.state();
    const conn = new Database(d.db, { readonly: true, fileMustExist: true });
    try {
      const session = desk.sessionId;
      const rows = (sql: string): unknown[] => conn.prepare(sql).all(session);
      return {
        clockMs: s.clockMs,
        replayIndex: s.replay?.eventIndex,
        inventory: s.inventory,
        cash: s.cash,
        pnl: s.pnl,
        tradingState: s.tradingState,
        reasons: s.reasons,
        quotes: s.quotes,
        openOrders: s.openOrders,
        fairValue: s.fairValue,
        reservationPrice: s.reservationPrice,
        limits: s.limits,
        flatten: s.flatten,
        metrics: desk.metrics(),
        fills: rows(`SELECT fill_id, client_order_id, side, price_ticks, size_lots, fee, liquidity, mid_at_fill, fair_value_at_fill, inventory_after, local_us FROM fills WHERE session_id = ? ORDER BY seq`),
        orders: rows(`SELECT client_order_id, side, price_ticks, size_lots, created_us, status, filled_lots FROM orders WHERE session_id = ? ORDER BY rowid`),
        orderEvents: rows(`SELECT client_order_id, type, local_us, detail_json FROM order_events WHERE session_id = ? ORDER BY seq`),
        markouts: rows(`SELECT fill_id, horizon_sec, markout_bps FROM markouts WHERE session_id = ? ORDER BY fill_id, horizon_sec`),
        pnlSnapshots: rows(`SELECT local_us, inventory_lots, cash, realized, unrealized, fees, mid FROM pnl_snapshots WHERE session_id = ? ORDER BY seq`),
      };
    } finally {
      conn.close();
    }
  }

  /** Steps a reference desk to `index` events (it only goes forward). */
  function stepTo(replay: ReplayFeed, index: number): void {
    const left = index - replay.view().eventIndex;
    if (left < 0) throw new Error(`the reference is past ${index}`);
    if (left > 0) replay.step(left);
  }

  /** The time of event `index - 1`: a seek there ends exactly at `index` events (and its ticks). */
  function timeOfIndex(replay: ReplayFeed, index: number): number {
    let i = index;
    // Several events can share a time: a seek takes all of them, so pick a time whose last event is index - 1.
    while (i < replay.view().eventCount && replay.frameTimeUs(i) === replay.frameTimeUs(index - 1)) i++;
    if (i !== index) throw new Error(`event ${index - 1} shares its time with event ${i - 1}`);
    return replay.frameTimeUs(index - 1) / 1_000;
  }

  /** An index near `fraction` of the day whose event ends a run of equal times. */
  function indexNear(replay: ReplayFeed, fraction: number): number {
    const n = replay.view().eventCount;
    let i = Math.max(1, Math.floor(n * fraction));
    while (i < n && replay.frameTimeUs(i) === replay.frameTimeUs(i - 1)) i++;
    return i;
  }

  it('after seeks back and forth, play and steps, every figure equals an uninterrupted replay to the same event', async () => {
    const subject = await replayDesk();
    const reference = await replayDesk();
    const { desk } = subject.run;
    const seek = async (index: number): Promise<void> => {
      const result = await desk.replayCommand({ action: 'seek', timeMs: timeOfIndex(subject.replay, index) }, 'test');
      expect(result).toEqual({ ok: true });
      expect(subject.replay.view()).toMatchObject({ eventIndex: index, seekingToMs: null });
    };
    const replay = subject.replay;
    const at = (fraction: number): number => indexNear(replay, fraction);

    // Forward to 60 % in chunks through the transport command, back to 20 %: the sequence.
    await seek(at(0.6));
    await seek(at(0.2));
    stepTo(reference.replay, at(0.2));
    expect(figures(subject)).toEqual(figures(reference));
    expect((desk.metrics().numFills)).toBeGreaterThan(50);

    // Paced play at full speed for a while (paused wherever it got to), then 80 %, then back to 40 %.
    replay.play();
    while (replay.view().eventIndex < at(0.35)) await new Promise<void>((resolve) => setImmediate(resolve));
    replay.pause();
    await seek(at(0.8));
    await seek(at(0.4));
    stepTo(reference.replay, at(0.4));
    expect(figures(subject)).toEqual(figures(reference));

    // Steps after a seek, then a seek to a time between events (its ticks included).
    subject.replay.step(5_000);
    stepTo(reference.replay, at(0.4) + 5_000);
    expect(figures(subject)).toEqual(figures(reference));

    // Back to the first few events (before the first checkpoint's slot ends), against a fresh reference.
    const early = await replayDesk();
    await seek(at(0.01));
    stepTo(early.replay, at(0.01));
    expect(figures(subject)).toEqual(figures(early));

    // Both to the end: the whole day agrees, fills and all.
    subject.replay.runToEnd();
    reference.replay.runToEnd();
    const end = figures(subject) as { metrics: { numFills: number } };
    expect(end).toEqual(figures(reference));
    expect(end.metrics.numFills).toBeGreaterThan(100);

    // The day's quiet stretches (no message for seconds of market time) are quiet, never a stale feed.
    for (const d of [subject, reference]) {
      const trips = d.run.store.auditTrail({ sessionId: d.run.desk.sessionId }).filter((row) => row.action === 'breaker' && row.detail['name'] === 'stale-feed');
      expect(trips).toEqual([]);
    }
  }, 300_000);
});
