/**
 * The local exchange's market data is Binance's, as the desk's own feed reads it: the existing LiveFeed
 * and Binance adapter, unchanged, resolve the instrument from its exchangeInfo, sync a book from its REST
 * snapshot and diff stream (spot `U`/`u` continuity; USD-M `pu`), and — with the market then frozen and
 * its last diff applied — hold exactly the simulated market's book, level for level. Public trades arrive
 * on the trade stream. The same for Bybit v5 spot and linear: the Bybit adapter, unchanged, subscribes
 * `orderbook.50` and `publicTrade` on the local exchange's public stream and holds the market's top 50
 * levels exactly, with no gap in `u`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BinanceAdapter } from '../../../src/main/market/adapters/binance/binance-adapter.js';
import { LiveFeed, resolveInstrument, type LiveVenue as LiveVenueName } from '../../../src/main/market/live/live-feed.js';
import type { BookReader, FeedListener, MarketTrade } from '../../../src/main/market/types.js';
import { startVenue } from '../../support/local-venue.js';
import { startBybitVenue } from '../../support/bybit-venue.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function levels(book: BookReader, side: 'bid' | 'ask', depth = 2_000): Array<[number, number]> {
  const prices = new Float64Array(depth);
  const sizes = new Float64Array(depth);
  const n = book.top(side, depth, prices, sizes);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) out.push([prices[i]!, sizes[i]!]);
  return out;
}

function watcher(): { listener: FeedListener; trades: MarketTrade[]; until(cond: () => boolean, what: string, ms?: number): Promise<void> } {
  const trades: MarketTrade[] = [];
  const waits: Array<{ cond: () => boolean; resolve: () => void }> = [];
  const check = (): void => {
    for (let i = waits.length - 1; i >= 0; i--) {
      if (waits[i]!.cond()) waits.splice(i, 1)[0]!.resolve();
    }
  };
  return {
    trades,
    listener: { onBook: check, onTime: check, onFeedEvent: check, onTrade: (t) => (trades.push(t), check()) },
    until: (cond, what, ms = 20_000) =>
      new Promise((resolve, reject) => {
        if (cond()) return resolve();
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
        waits.push({ cond, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

/** The desk's own LiveFeed on the local exchange, with the instrument resolved from the venue's answer. */
async function feedOn(dialect: LiveVenueName, venue: { spec: { symbol: string }; restUrl: string; wsUrl: string }): Promise<{ feed: LiveFeed; w: ReturnType<typeof watcher> }> {
  const resolved = await resolveInstrument(dialect, venue.spec.symbol, { restUrl: venue.restUrl });
  expect(resolved).toMatchObject({ source: 'venue', instrument: { tickSize: '0.01', lotSize: '0.01' } });
  const feed = new LiveFeed({ venue: dialect, symbol: venue.spec.symbol, instrument: resolved.instrument, wsUrl: venue.wsUrl, restUrl: venue.restUrl, timeTickMs: 20 });
  const w = watcher();
  await feed.start(w.listener);
  cleanup.push(() => feed.stop());
  return { feed, w };
}

describe('a LiveFeed on the local exchange', () => {
  for (const dialect of ['binance-spot', 'binance-usdm'] as const) {
    it(`${dialect}: builds a trusted book equal to the simulated market's`, async () => {
      const venue = await startVenue(dialect, { flowMultiplier: 20 });
      cleanup.push(() => venue.stop());
      const { feed, w } = await feedOn(dialect, venue);
      const adapter = feed.adapter as BinanceAdapter;
      await w.until(() => feed.trusted() && adapter.counters.applied > 20, 'a trusted book with diffs applied');
      await w.until(() => w.trades.length > 0, 'a public trade');
      venue.exchange.pause();
      const finalId = venue.exchange.book.updateId();
      await w.until(() => adapter.updateId === finalId, `the feed at update id ${finalId}`);
      expect(feed.trusted()).toBe(true);
      expect(adapter.counters.gaps).toBe(0);
      expect(levels(feed.book, 'bid')).toEqual(levels(venue.exchange.book, 'bid'));
      expect(levels(feed.book, 'ask')).toEqual(levels(venue.exchange.book, 'ask'));
      expect(levels(feed.book, 'bid').length + levels(feed.book, 'ask').length).toBeGreaterThan(10);
      for (const trade of w.trades) {
        expect(Number.isInteger(trade.price) && Number.isInteger(trade.size) && trade.size > 0).toBe(true);
        expect(trade.aggressor === 'buy' || trade.aggressor === 'sell').toBe(true);
      }
    });
  }

  for (const dialect of ['bybit-spot', 'bybit-linear'] as const) {
    it(`${dialect}: builds a trusted book whose top 50 levels are the simulated market's`, async () => {
      const venue = await startBybitVenue(dialect, { flowMultiplier: 20 });
      cleanup.push(() => venue.stop());
      const { feed, w } = await feedOn(dialect, venue);
      const adapter = feed.adapter;
      await w.until(() => feed.trusted() && adapter.counters.applied > 20, 'a trusted book with deltas applied');
      await w.until(() => w.trades.length > 0, 'a public trade');
      venue.exchange.pause();
      const same = (): boolean => JSON.stringify([levels(feed.book, 'bid', 50), levels(feed.book, 'ask', 50)]) === JSON.stringify([levels(venue.exchange.book, 'bid', 50), levels(venue.exchange.book, 'ask', 50)]);
      await w.until(same, 'the feed holding the top 50 levels of the frozen market');
      expect(feed.trusted()).toBe(true);
      expect(adapter.counters.gaps).toBe(0);
      expect(levels(feed.book, 'bid', 50).length + levels(feed.book, 'ask', 50).length).toBeGreaterThan(10);
      for (const trade of w.trades) expect(trade.aggressor === 'buy' || trade.aggressor === 'sell').toBe(true);
    });
  }
});
