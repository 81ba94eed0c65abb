/**
 * The order manager's fill-id memory is a bounded window of the most recent FILL_ID_MEMORY ids: a real
 * OrderManager over a real PaperVenue (scripted book and one-lot public trades, so every trade is one
 * distinct maker fill) shows that a venue re-reporting a recent fill (`fillsSince` replayed into
 * `onFill`, as the desk's reconciliation does) books nothing, that after FILL_ID_MEMORY + k fills exactly
 * FILL_ID_MEMORY ids are remembered and the oldest k are forgotten, and that ids marked with
 * `rememberFill` (recovery) share the same window with live fills.
 */
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../../src/main/execution/paper/index.js';
import { FILL_ID_MEMORY, OrderManager, type ManagedOrder, type OrderManagerHooks } from '../../../src/main/execution/order-manager.js';
import type { Fill } from '../../../src/main/execution/types.js';
import { TestBook } from './paper/test-book.js';

const MS = 1_000;
const BID = 10_000;
const K = 5;

interface Rig {
  readonly venue: PaperVenue;
  readonly book: TestBook;
  readonly booked: Fill[];
  now: number;
}

function hooks(booked: Fill[]): OrderManagerHooks {
  return {
    journal: () => undefined,
    event: () => undefined,
    fill: (fill: Fill, _order: ManagedOrder | null) => booked.push(fill),
    orderClosed: () => undefined,
  };
}

function manager(rig: Rig): OrderManager {
  // The gate allows everything and the rate budget is out of reach: this test is about fills only.
  return new OrderManager(rig.venue, () => null, hooks(rig.booked), 'q', 1_000_000);
}

function rig(): Rig {
  const book = new TestBook();
  const venue = new PaperVenue({
    tickSize: '0.01',
    lotSize: '1',
    execution: { fillModel: 'queue', queueModel: 'power', queuePower: 2, entryLatencyMs: 0, ackLatencyMs: 0, makerFeeBps: 0, takerFeeBps: 0 },
  });
  book.set('bid', BID - 1, 10);
  book.set('ask', BID + 10, 10);
  venue.onBook(book, 0);
  return { venue, book, booked: [], now: 0 };
}

/** Rests one buy improving the bid (nothing ahead), then prints `count` one-lot sells at its price: `count` fills. */
function fillMany(r: Rig, orders: OrderManager, count: number): void {
  r.now += MS;
  const placed = orders.sendOrder('buy', BID, count, 'gtc', true, 'quote', r.now);
  expect(placed).not.toBeNull();
  r.venue.onTime(r.now);
  for (let i = 0; i < count; i++) {
    r.now += 1;
    r.venue.onTrade({ localUs: r.now, exchUs: null, price: BID, size: 1, aggressor: 'sell' });
  }
  r.venue.onTime(r.now);
}

describe('OrderManager fill-id memory', () => {
  it('ignores a venue re-reporting recent fills: inventory and booked fills unchanged', () => {
    const r = rig();
    const orders = manager(r);
    fillMany(r, orders, 50);
    expect(orders.inventoryLots()).toBe(50);
    expect(r.booked).toHaveLength(50);
    for (const fill of r.venue.fillsSince(0)) orders.onFill(fill);
    expect(orders.inventoryLots()).toBe(50);
    expect(r.booked).toHaveLength(50);
    expect(orders.rememberedFillIds).toBe(50);
  });

  it('after FILL_ID_MEMORY + k fills remembers exactly FILL_ID_MEMORY ids; the oldest k are forgotten', () => {
    const r = rig();
    const orders = manager(r);
    fillMany(r, orders, FILL_ID_MEMORY + K);
    // Every fill the venue made, in order (the venue itself keeps only its newest VENUE_FILL_HISTORY).
    const all = [...r.booked];
    expect(all).toHaveLength(FILL_ID_MEMORY + K);
    expect(new Set(all.map((f) => f.fillId)).size).toBe(FILL_ID_MEMORY + K);
    expect(orders.inventoryLots()).toBe(FILL_ID_MEMORY + K);
    expect(orders.rememberedFillIds).toBe(FILL_ID_MEMORY);

    // The newest FILL_ID_MEMORY are all still remembered: replaying them books nothing.
    for (const fill of all.slice(K)) orders.onFill(fill);
    expect(orders.inventoryLots()).toBe(FILL_ID_MEMORY + K);
    expect(r.booked).toHaveLength(FILL_ID_MEMORY + K);

    // The oldest k were forgotten: a venue re-reporting them (beyond any real replay horizon) is booked again.
    for (const fill of all.slice(0, K)) orders.onFill(fill);
    expect(r.booked).toHaveLength(FILL_ID_MEMORY + 2 * K);
    expect(orders.inventoryLots()).toBe(FILL_ID_MEMORY + 2 * K);
    expect(orders.rememberedFillIds).toBe(FILL_ID_MEMORY);
  });

  it('counts rememberFill ids (recovery) in the same window as live fills', () => {
    const r = rig();
    const first = manager(r);
    fillMany(r, first, FILL_ID_MEMORY);
    const stored = [...r.booked];

    // A restarted desk over the same venue: every stored fill id is remembered, none is booked.
    const orders = manager(r);
    r.booked.length = 0;
    for (const fill of stored) orders.rememberFill(fill.fillId);
    orders.rememberFill(stored[0]?.fillId ?? ''); // remembering an id twice takes no second slot
    expect(orders.rememberedFillIds).toBe(FILL_ID_MEMORY);
    for (const fill of stored) orders.onFill(fill);
    expect(r.booked).toHaveLength(0);
    expect(orders.inventoryLots()).toBe(0);

    // k live fills push the k oldest remembered ids out of the window.
    fillMany(r, orders, K);
    expect(r.booked).toHaveLength(K);
    expect(orders.rememberedFillIds).toBe(FILL_ID_MEMORY);
    for (const fill of [...stored.slice(K), ...r.booked]) orders.onFill(fill);
    expect(r.booked).toHaveLength(K);
    for (const fill of stored.slice(0, K)) orders.onFill(fill);
    expect(r.booked).toHaveLength(2 * K);
    expect(orders.inventoryLots()).toBe(2 * K);
  });
});
