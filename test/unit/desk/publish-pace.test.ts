/**
 * The desk's publish pace: while nobody watches its stream the publish timer publishes on every Nth tick,
 * and those fewer updates carry everything the frame-paced ones would have: the same fills, events and
 * market trades, in the same order (two desks on the same seeded market, one watched, one not).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamMessage } from '../../../src/shared/contract.js';
import { UNWATCHED_PUBLISH_EVERY } from '../../../src/main/desk/desk-host.js';
import type { RunningDesk } from '../../../src/main/desk/create-desk.js';
import { harness, simDesk } from '../risk/sim-support.js';

type Update = Extract<StreamMessage, { type: 'update' }>;

describe('publish pace', () => {
  const { open, closeAll } = harness();
  afterEach(closeAll);

  /**
   * Ticks the publish timer once per 10 ms of market time for `seconds`, letting the writer commit every
   * 100 ticks (fills reach the stream once durable), then commits and publishes what is left; the updates.
   */
  async function run(desk: RunningDesk, seconds: number): Promise<Update[]> {
    const updates: Update[] = [];
    const unsubscribe = desk.desk.subscribe((m) => {
      if (m.type === 'update') updates.push(m);
    });
    const sim = desk.sim!;
    const end = sim.now() + seconds * 1_000_000;
    for (let tick = 1; sim.now() < end; tick++) {
      sim.advanceTo(sim.now() + 10_000);
      desk.desk.publishTick();
      if (tick % 100 === 0) await desk.store.whenCommitted();
    }
    await desk.store.whenCommitted();
    desk.desk.publish();
    unsubscribe();
    return updates;
  }

  it('an unwatched desk publishes on every Nth tick, and loses nothing a watched one shows', async () => {
    const watched = await simDesk(open);
    const unwatched = await simDesk(open);
    unwatched.desk.setPublishPace(UNWATCHED_PUBLISH_EVERY);
    const every = await run(watched, 20);
    const paced = await run(unwatched, 20);

    const ticks = 20 * 100 + 1;
    // The watched desk publishes on every tick something changed; the unwatched one on every Nth at most.
    expect(paced.length).toBeLessThanOrEqual(Math.ceil(ticks / UNWATCHED_PUBLISH_EVERY));
    expect(paced.length * 3).toBeLessThan(every.length);

    const fills = (updates: Update[]): string[] => updates.flatMap((u) => u.fills.map((f) => `${f.fillId} ${f.side} ${f.price} ${f.size}`));
    const trades = (updates: Update[]): string[] => updates.flatMap((u) => u.trades.map((t) => `${t.timeMs} ${t.price} ${t.size} ${t.aggressor}`));
    const events = (updates: Update[]): string[] => updates.flatMap((u) => u.events.map((e) => `${e.timeMs} ${e.text}`));
    expect(fills(every).length).toBeGreaterThan(0);
    expect(fills(paced)).toEqual(fills(every));
    expect(events(paced)).toEqual(events(every));
    // The tape sends at most its update cap per publish; the paced desk's tape keeps the newest of each batch.
    expect(new Set(trades(paced)).size).toBeGreaterThan(0);
    for (const trade of trades(paced)) expect(trades(every)).toContain(trade);
    // The newest state is the same desk's either way.
    const last = (updates: Update[]) => updates[updates.length - 1]!.state;
    expect(last(paced).inventory).toBe(last(every).inventory);
    expect(last(paced).pnl.total).toBeCloseTo(last(every).pnl.total, 9);
  });

  it('a change of pace publishes at once', async () => {
    const desk = await simDesk(open);
    const updates: Update[] = [];
    desk.desk.subscribe((m) => {
      if (m.type === 'update') updates.push(m);
    });
    desk.desk.setPublishPace(UNWATCHED_PUBLISH_EVERY);
    desk.sim!.advanceTo(desk.sim!.now() + 50_000);
    const before = updates.length;
    desk.desk.setPublishPace(1);
    expect(updates.length).toBe(before + 1);
  });
});
