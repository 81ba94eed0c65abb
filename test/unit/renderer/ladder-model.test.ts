/**
 * The ladder's rows from a real desk state (a desk on the simulated market, real SQLite file): price buckets
 * of the chosen grouping around the centre, every visible book level summed into its bucket (bids down,
 * asks up), our working orders and the marks on their rows, and a fill's flash stepping down with age.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDesk, type RunningDesk } from '../../../src/main/desk/create-desk.js';
import type { DeskState, FillView } from '../../../src/shared/contract.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import { autoGroup, buildRows, flashLevel, FLASH_MS, maxVisibleSize } from '../../../src/renderer/ladder/ladder-model.js';
import { removeDir } from '../../support/serve-process.js';

const START_US = 1_750_000_000_000_000;
let run: RunningDesk;
let dir: string;
let state: DeskState;
let tick: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quotedesk-ladder-'));
  run = await createDesk({ venue: 'sim', dbPath: join(dir, 'desk.db'), params: DEFAULT_PARAMS, startUs: START_US, sim: { seed: 3 } });
  await run.start();
  const sim = run.sim!;
  while (sim.now() < START_US + 30_000_000) sim.advanceTo(sim.now() + 50_000);
  state = run.desk.state();
  tick = Number(state.instrument.tickSize);
});

afterAll(async () => {
  await run.close();
  removeDir(dir);
});

const ticks = (price: number): number => Math.round(price / tick);

describe('the ladder rows', () => {
  it('cover the chosen buckets around the centre and sum every visible level into its bucket', () => {
    expect(state.quotes.bid).not.toBeNull();
    for (const group of [1, 2, 5]) {
      const centre = Math.round((state.mid ?? 0) / tick / group) * group;
      const rows = buildRows(state, [], centre, 40, group, 0);
      expect(rows).toHaveLength(40);
      expect(rows[20]!.bucket).toBe(centre);
      for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.bucket - rows[i]!.bucket).toBe(group);
      const top = rows[0]!.bucket;
      const bottom = rows[rows.length - 1]!.bucket;
      let bidsShown = 0;
      let asksShown = 0;
      for (const [price, size] of state.book.bids) if (Math.floor(ticks(price) / group) * group >= bottom && Math.floor(ticks(price) / group) * group <= top) bidsShown += size;
      for (const [price, size] of state.book.asks) if (Math.ceil(ticks(price) / group) * group >= bottom && Math.ceil(ticks(price) / group) * group <= top) asksShown += size;
      expect(rows.reduce((sum, row) => sum + row.bid, 0)).toBe(bidsShown);
      expect(rows.reduce((sum, row) => sum + row.ask, 0)).toBe(asksShown);
      expect(maxVisibleSize(rows)).toBe(Math.max(...rows.map((row) => Math.max(row.bid, row.ask))));
      // Bids never sit above asks.
      const lowestAsk = Math.min(...rows.filter((row) => row.ask > 0).map((row) => row.bucket));
      const highestBid = Math.max(...rows.filter((row) => row.bid > 0).map((row) => row.bucket));
      expect(highestBid).toBeLessThanOrEqual(lowestAsk);
    }
  });

  it('put our orders, fair value, reservation price and mid on their rows', () => {
    const centre = ticks(state.mid ?? 0);
    const rows = buildRows(state, [], centre, 60, 1, 0);
    const bid = state.quotes.bid!;
    const bidRow = rows.find((row) => row.ourBid !== null)!;
    expect(bidRow.bucket).toBe(ticks(bid.price));
    const open = state.openOrders.filter((o) => o.side === 'buy' && ticks(o.price) === bidRow.bucket);
    expect(bidRow.ourBid!.size).toBe(open.reduce((sum, o) => sum + o.size - o.filled, 0));
    expect(bidRow.ourBid!.count).toBe(open.length);
    expect(rows.find((row) => row.marks.includes('FV'))!.bucket).toBe(Math.round(state.fairValue! / tick));
    expect(rows.find((row) => row.marks.includes('mid'))!.bucket).toBe(Math.round(state.mid! / tick));
  });

  it('flash a fill on its level, stepping down with age, and forget it after FLASH_MS', () => {
    const ask = state.book.asks[0]!;
    const fill: FillView = { fillId: 'f1', sessionId: 1, clientOrderId: 'q1', timeMs: 0, execTimeMs: 0, side: 'sell', price: ask[0], size: 1, fee: 0, liquidity: 'maker', midAtFill: ask[0], fairValueAtFill: ask[0], inventoryAfter: -1 };
    const centre = ticks(state.mid ?? 0);
    const levels = [0, 400, 1_000, FLASH_MS].map((age) => buildRows(state, [{ fill, arrivedAtMs: 1_000 }], centre, 40, 1, 1_000 + age).find((row) => row.bucket === ticks(ask[0]))!.flash?.level ?? 0);
    expect(levels).toEqual([3, 2, 1, 0]);
    expect(flashLevel(-1)).toBe(0);
  });

  it('group automatically so the spread fits half the ladder', () => {
    expect(autoGroup(4, 40)).toBe(1);
    expect(autoGroup(45, 40)).toBe(5);
    expect(autoGroup(Number.NaN, 40)).toBe(1);
  });
});
