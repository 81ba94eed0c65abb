/**
 * The tape and the traded volume at price (issue 16, "the ladder a trader reads"): trades with their
 * aggressor in order, the session's volume by aggressor and in total recomputed independently from the
 * trades recorded, updates carrying only what changed, the bound on prices; and on a running simulated
 * desk, the stream's updates carry the market's trades and the volume a snapshot then agrees with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TAPE_SNAPSHOT_TRADES, TAPE_UPDATE_MAX, type StreamMessage, type TradeView, type VolumeAtPrice } from '../../../src/shared/contract.js';
import { DecimalGrid } from '../../../src/shared/units.js';
import { MAX_PRICES, MarketTape } from '../../../src/main/desk/market-tape.js';
import type { MarketTrade } from '../../../src/main/market/types.js';
import { advance, harness, simDesk } from '../risk/sim-support.js';
import { mulberry32 } from '../../support/prng.js';

const tick = new DecimalGrid('0.01');
const lot = new DecimalGrid('0.001');
const trade = (localUs: number, price: number, size: number, aggressor: 'buy' | 'sell' | null): MarketTrade => ({ localUs, exchUs: null, price, size, aggressor });

describe('MarketTape', () => {
  it('keeps the newest trades and the volume at each price by aggressor, sending only what changed', () => {
    const tape = new MarketTape();
    const random = mulberry32(7);
    const trades: MarketTrade[] = [];
    for (let i = 0; i < 500; i++) {
      const side = random() < 0.45 ? 'buy' : random() < 0.9 ? 'sell' : null;
      trades.push(trade(1_000_000 * i, 10_000 + Math.floor(random() * 20), 1 + Math.floor(random() * 50), side));
    }
    for (const t of trades) tape.record(t);
    const { trades: shown, volume } = tape.snapshot(tick, lot);
    // Newest first, the ring's length, each as recorded.
    expect(shown).toHaveLength(TAPE_SNAPSHOT_TRADES);
    expect(shown[0]).toEqual<TradeView>({ timeMs: 499_000, price: tick.toNumber(trades[499]!.price), size: lot.toNumber(trades[499]!.size), aggressor: trades[499]!.aggressor });
    expect(shown.map((t) => t.timeMs)).toEqual(trades.slice(-TAPE_SNAPSHOT_TRADES).reverse().map((t) => t.localUs / 1_000));
    // Volume recomputed from the trades, by price.
    const expected = new Map<number, [number, number, number]>();
    for (const t of trades) {
      const row = expected.get(t.price) ?? [0, 0, 0];
      if (t.aggressor === 'buy') row[0] += t.size;
      if (t.aggressor === 'sell') row[1] += t.size;
      row[2] += t.size;
      expected.set(t.price, row);
    }
    expect(volume).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]).map(([p, [b, s, all]]): VolumeAtPrice => [tick.toNumber(p), lot.toNumber(b), lot.toNumber(s), lot.toNumber(all)]));
    // After the snapshot nothing is pending; one trade changes one price.
    expect(tape.dirty).toBe(false);
    tape.record(trade(600_000_000, 10_005, 3, 'sell'));
    const update = tape.drain(tick, lot);
    expect(update.trades).toEqual([{ timeMs: 600_000, price: 100.05, size: 0.003, aggressor: 'sell' }]);
    const row = expected.get(10_005)!;
    expect(update.volume).toEqual([[100.05, lot.toNumber(row[0]), lot.toNumber(row[1] + 3), lot.toNumber(row[2] + 3)]]);
  });

  it('an update carries at most TAPE_UPDATE_MAX trades, the newest, oldest first', () => {
    const tape = new MarketTape();
    for (let i = 0; i < 150; i++) tape.record(trade(i * 1_000, 10_000, 1, 'buy'));
    const { trades } = tape.drain(tick, lot);
    expect(trades).toHaveLength(TAPE_UPDATE_MAX);
    expect(trades[0]!.timeMs).toBe(150 - TAPE_UPDATE_MAX);
    expect(trades[trades.length - 1]!.timeMs).toBe(149);
  });

  it('counts every trade for the rate, those an update leaves out too', () => {
    const tape = new MarketTape();
    // 600 trades a second for 20 s, drained as the desk would (most never reach the tape).
    for (let i = 0; i < 12_000; i++) {
      tape.record(trade(1_000_000_000 + i * 1_666.666, 10_000, 1, 'buy'));
      if (i % 10 === 0) tape.drain(tick, lot);
    }
    // Within a bucket (0.2 s) of the ten-second window: the newest bucket has only begun.
    const rate = tape.tradesPerSec(1_000_000_000 + 20_000_000);
    expect(rate).toBeGreaterThanOrEqual(600 * 0.97);
    expect(rate).toBeLessThanOrEqual(600);
    // Two seconds in, the rate is over what was seen, not ten seconds.
    const early = new MarketTape();
    for (let i = 0; i < 200; i++) early.record(trade(5_000_000 + i * 10_000, 10_000, 1, 'sell'));
    expect(early.tradesPerSec(6_990_001)).toBeCloseTo(200 / 1.990001, 0);
    expect(new MarketTape().tradesPerSec(1)).toBe(0);
  });

  it('keeps at most MAX_PRICES prices, the nearest to the newest trade', () => {
    const tape = new MarketTape();
    for (let p = 0; p <= MAX_PRICES; p++) tape.record(trade(p, p, 1, 'buy'));
    const { volume } = tape.snapshot(tick, lot);
    expect(volume.length).toBeLessThanOrEqual(MAX_PRICES);
    expect(volume[volume.length - 1]![0]).toBe(tick.toNumber(MAX_PRICES));
    expect(volume[0]![0]).toBeGreaterThan(0);
  });
});

const { open, closeAll } = harness();
afterEach(closeAll);

describe('on the simulated desk', () => {
  it('stream updates carry the market trades; a later snapshot holds their volume', async () => {
    const run = await simDesk(open);
    const messages: StreamMessage[] = [];
    const unsubscribe = run.desk.subscribe((m) => messages.push(m));
    advance(run.sim!, 3, 50_000, () => run.desk.publish());
    unsubscribe();
    const updates = messages.filter((m): m is Extract<StreamMessage, { type: 'update' }> => m.type === 'update');
    const traded = updates.flatMap((u) => u.trades);
    expect(traded.length).toBeGreaterThan(10);
    expect(traded.every((t) => t.aggressor === 'buy' || t.aggressor === 'sell')).toBe(true);
    const times = traded.map((t) => t.timeMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const last = new Map<number, VolumeAtPrice>();
    for (const u of updates) for (const row of u.volume) last.set(row[0], row);
    const snapshots: StreamMessage[] = [];
    run.desk.subscribe((m) => snapshots.push(m))();
    const snapshot = snapshots[0];
    if (snapshot?.type !== 'snapshot') throw new Error('a new subscriber gets a snapshot first');
    const full = snapshot.volume;
    for (const row of full) if (last.has(row[0])) expect(row).toEqual(last.get(row[0]));
  });
});
