/**
 * The simulated exchange's own bookkeeping stays bounded however long it runs: under a stress feed it makes
 * ~180 fills/s for us, and `quotedesk serve` grew by megabytes per minute while the exchange kept every
 * fill (for `fillsSince`) and the last queue position of every order that ever filled completely. Driven on
 * the exchange's own clock, no desk, no wall time.
 */
import { describe, expect, it } from 'vitest';
import type { Fill, VenueListener } from '../../../../src/main/execution/types.js';
import { PriceLevelBook } from '../../../../src/main/market/book/order-book.js';
import { VENUE_FILL_HISTORY } from '../../../../src/main/execution/fill-history.js';
import { DEFAULT_SIM_CONFIG, SimMarket } from '../../../../src/main/market/sim/sim-market.js';
import type { FeedListener } from '../../../../src/main/market/types.js';

const START_US = 1_760_000_000_000_000;
const MS = 1_000;

const QUIET_FEED: FeedListener = { onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined };

async function market(): Promise<{ sim: SimMarket; fills: Fill[]; queueUpdates: Map<string, number> }> {
  const sim = new SimMarket(new PriceLevelBook(), { ...DEFAULT_SIM_CONFIG, seed: 3, flowMultiplier: 50 }, START_US);
  const fills: Fill[] = [];
  const queueUpdates = new Map<string, number>();
  const listener: VenueListener = {
    onAck: () => undefined,
    onReject: () => undefined,
    onDone: () => undefined,
    onFill: (fill) => fills.push(fill),
    onQueue: (id) => queueUpdates.set(id, (queueUpdates.get(id) ?? 0) + 1),
  };
  sim.setListener(listener);
  await sim.start(QUIET_FEED);
  return { sim, fills, queueUpdates };
}

describe('the simulated exchange keeps bounded bookkeeping', () => {
  it('answers fillsSince from the newest VENUE_FILL_HISTORY fills, in order, and holds no more', async () => {
    const { sim, fills } = await market();
    let id = 0;
    // Marketable IOC orders of one lot, both sides in turn: every one of them fills at once.
    while (fills.length < VENUE_FILL_HISTORY + 500) {
      const bid = sim.book.bestBid();
      const ask = sim.book.bestAsk();
      for (let i = 0; i < 50; i++) {
        const buy = i % 2 === 0;
        sim.submit({ clientOrderId: `t${++id}`, side: buy ? 'buy' : 'sell', price: buy ? ask + 5 : bid - 5, size: 1, timeInForce: 'ioc', postOnly: false, purpose: 'quote' }, sim.now());
      }
      sim.advanceTo(sim.now() + 5 * MS);
    }
    expect(sim.retained().fills).toBe(VENUE_FILL_HISTORY);
    const newest = fills.slice(-VENUE_FILL_HISTORY);
    expect(sim.fillsSince(0).map((fill) => fill.fillId)).toEqual(newest.map((fill) => fill.fillId));
    // `sinceUs` still selects within the window.
    const from = newest[VENUE_FILL_HISTORY - 100]!.localUs;
    expect(sim.fillsSince(from).map((fill) => fill.fillId)).toEqual(newest.filter((fill) => fill.localUs >= from).map((fill) => fill.fillId));
  });

  it('forgets the queue position of an order once it filled completely', async () => {
    const { sim, fills, queueUpdates } = await market();
    let id = 0;
    // One-lot post-only quotes at the touch: the agents' market orders fill them completely.
    for (let step = 0; step < 2_000; step++) {
      const bid = sim.book.bestBid();
      const ask = sim.book.bestAsk();
      if (sim.retained().ourOrders < 40) {
        sim.submit({ clientOrderId: `m${++id}`, side: 'buy', price: bid, size: 1, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, sim.now());
        sim.submit({ clientOrderId: `m${++id}`, side: 'sell', price: ask, size: 1, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, sim.now());
      }
      sim.advanceTo(sim.now() + 5 * MS);
    }
    const filledCompletely = new Set(fills.filter((fill) => fill.liquidity === 'maker').map((fill) => fill.clientOrderId));
    // The scenario did what it says: many of our resting orders filled, and their queue positions were tracked.
    expect(filledCompletely.size).toBeGreaterThan(200);
    expect([...filledCompletely].filter((orderId) => queueUpdates.has(orderId)).length).toBeGreaterThan(200);
    // Queue positions are kept for working orders only.
    const retained = sim.retained();
    expect(retained.queuePositions).toBeLessThanOrEqual(retained.ourOrders);
  });
});
