/**
 * A venue's fill history (`FillHistory`, behind SimMarket's and PaperVenue's `fillsSince`): it holds the newest
 * `capacity` fills, answers oldest first from the time asked, and forgets the oldest as new ones arrive, so a
 * venue's memory stays bounded at any fill rate.
 */
import { describe, expect, it } from 'vitest';
import { FillHistory, VENUE_FILL_HISTORY } from '../../../src/main/execution/fill-history.js';
import type { Fill } from '../../../src/main/execution/types.js';
import { FILL_ID_MEMORY } from '../../../src/main/execution/order-manager.js';

const fill = (n: number): Fill => ({ fillId: `f-${n}`, clientOrderId: `o-${n}`, side: n % 2 ? 'buy' : 'sell', price: 100 + n, size: 1, fee: 0, liquidity: 'maker', exchUs: n * 1_000, localUs: n * 1_000 });

describe('FillHistory', () => {
  it('answers fillsSince oldest first from the time asked', () => {
    const history = new FillHistory(10);
    for (let n = 1; n <= 6; n++) history.add(fill(n));
    expect(history.since(0).map((f) => f.fillId)).toEqual(['f-1', 'f-2', 'f-3', 'f-4', 'f-5', 'f-6']);
    expect(history.since(4_000).map((f) => f.fillId)).toEqual(['f-4', 'f-5', 'f-6']);
    expect(history.since(7_000)).toEqual([]);
  });

  it('holds only the newest `capacity` fills, in order, however many arrive', () => {
    const history = new FillHistory(5);
    for (let n = 1; n <= 23; n++) history.add(fill(n));
    expect(history.size).toBe(5);
    expect(history.since(0).map((f) => f.fillId)).toEqual(['f-19', 'f-20', 'f-21', 'f-22', 'f-23']);
  });

  it('refuses a capacity that is not a positive integer, naming it', () => {
    expect(() => new FillHistory(0)).toThrow(/capacity must be a positive integer, got 0/);
    expect(() => new FillHistory(2.5)).toThrow(/got 2.5/);
  });

  it('keeps fewer fills than the order manager remembers ids, so a replayed fill is always recognised', () => {
    expect(VENUE_FILL_HISTORY).toBeLessThan(FILL_ID_MEMORY);
  });
});
