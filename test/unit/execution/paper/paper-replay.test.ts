/**
 * The paper venue and the analytics core on real recordings, through the real ReplayFeed: a naive quoter
 * joins the best bid and ask. On the GOOG LOBSTER slice (with executions) and a Binance depth-only
 * capture: the same recording gives the same fills, the analytics agree with the fills, and the queue
 * model never fills more than the article's optimistic touch model on the same market.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAnalytics } from '../../../../src/main/analytics/index.js';
import { PaperVenue, type PaperExecutionParams } from '../../../../src/main/execution/paper/index.js';
import type { Fill, VenueListener } from '../../../../src/main/execution/types.js';
import { importLobster } from '../../../../src/main/market/lobster/index.js';
import { ReplayFeed } from '../../../../src/main/market/replay/index.js';
import type { FeedListener } from '../../../../src/main/market/types.js';
import { describeWithSharedData, sharedDataPath } from '../../../support/shared-data.js';

const PARAMS: PaperExecutionParams = {
  fillModel: 'queue',
  queueModel: 'power',
  queuePower: 2,
  entryLatencyMs: 5,
  ackLatencyMs: 5,
  makerFeeBps: -0.2,
  takerFeeBps: 3,
};

interface RunResult {
  fills: Fill[];
  inventory: number;
  analyticsInventory: number;
  numFills: number;
  markoutsKnown: number;
  events: { books: number; trades: number };
}

async function run(file: string, params: PaperExecutionParams, sizeLots: number): Promise<RunResult> {
  const feed = await ReplayFeed.open(file, { autoplay: false, timeTickMs: 100 });
  const venue = new PaperVenue({ tickSize: feed.instrument.tickSize, lotSize: feed.instrument.lotSize, execution: params, book: feed.book, fillIdPrefix: 'run' });
  let analytics: ReturnType<typeof createAnalytics> | null = null;
  const working: Record<'buy' | 'sell', { id: string; price: number } | null> = { buy: null, sell: null };
  const fills: Fill[] = [];
  let seq = 0;
  let inventory = 0;
  const events = { books: 0, trades: 0 };
  const mid = (): number => (feed.book.bestBid() + feed.book.bestAsk()) / 2;
  const forget = (id: string): void => {
    if (working.buy?.id === id) working.buy = null;
    if (working.sell?.id === id) working.sell = null;
  };
  const remaining = new Map<string, number>();
  const listener: VenueListener = {
    onAck: () => undefined,
    onReject: (id) => forget(id),
    onDone: (id) => forget(id),
    onFill: (fill) => {
      fills.push(fill);
      inventory += fill.side === 'buy' ? fill.size : -fill.size;
      analytics?.onFill({ ...fill, midAtFill: mid(), fairValueAtFill: mid() });
      const left = (remaining.get(fill.clientOrderId) ?? 0) - fill.size;
      remaining.set(fill.clientOrderId, left);
      if (left <= 0) forget(fill.clientOrderId);
    },
  };
  venue.setListener(listener);
  const quote = (t: number): void => {
    const bid = feed.book.bestBid();
    const ask = feed.book.bestAsk();
    if (Number.isNaN(bid) || Number.isNaN(ask) || !feed.trusted()) return;
    for (const [side, price] of [['buy', bid], ['sell', ask]] as const) {
      const w = working[side];
      if (w !== null && w.price === price) continue;
      if (w !== null) venue.cancel(w.id, t);
      const id = `q${++seq}`;
      working[side] = { id, price };
      remaining.set(id, sizeLots);
      venue.submit({ clientOrderId: id, side, price, size: sizeLots, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, t);
    }
  };
  const feedListener: FeedListener = {
    onBook: (t) => {
      events.books++;
      analytics ??= createAnalytics({ tickSize: feed.instrument.tickSize, lotSize: feed.instrument.lotSize, sessionStartUs: t, adverseHorizonSec: 1 });
      venue.onBook(feed.book, t);
      if (!Number.isNaN(mid())) analytics.onMark(t, mid());
      quote(t);
    },
    onTrade: (trade) => {
      events.trades++;
      venue.onTrade(trade);
    },
    onFeedEvent: () => undefined,
    onTime: (t) => {
      venue.onTime(t);
      if (!Number.isNaN(mid())) analytics?.onMark(t, mid());
    },
  };
  await feed.start(feedListener);
  feed.runToEnd();
  await feed.stop();
  const end = feed.nowUs();
  const m = analytics === null ? null : (analytics as ReturnType<typeof createAnalytics>).metrics(end);
  return {
    fills,
    inventory,
    analyticsInventory: analytics === null ? 0 : (analytics as ReturnType<typeof createAnalytics>).position().inventoryLots,
    numFills: m?.numFills ?? 0,
    markoutsKnown: m?.markouts.all['1s'].count ?? 0,
    events,
  };
}

function volume(fills: readonly Fill[]): number {
  return fills.reduce((s, f) => s + f.size, 0);
}

describeWithSharedData('paper venue on real recordings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qd-paper-'));
  const goog = join(dir, 'goog-l10.jsonl');
  beforeAll(async () => {
    const base = sharedDataPath('lobster', 'GOOG_2012-06-21_L10_first2000rows');
    await importLobster({
      messages: join(base, 'GOOG_2012-06-21_34200000_57600000_message_10.first2000.csv'),
      orderbook: join(base, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.first2000.csv'),
      out: goog,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GOOG LOBSTER slice: deterministic queue fills, booked by the analytics, never more than the touch model', async () => {
    const a = await run(goog, PARAMS, 100);
    const b = await run(goog, PARAMS, 100);
    expect(a.events.trades).toBeGreaterThan(0);
    expect(a.fills.length).toBeGreaterThan(0);
    expect(JSON.stringify(b.fills)).toBe(JSON.stringify(a.fills));
    expect(a.analyticsInventory).toBe(a.inventory);
    expect(a.numFills).toBe(a.fills.length);
    expect(a.markoutsKnown).toBeGreaterThan(0);
    for (const f of a.fills) expect(f.liquidity).toBe('maker');
    const touch = await run(goog, { ...PARAMS, fillModel: 'touch' }, 100);
    expect(volume(touch.fills)).toBeGreaterThan(volume(a.fills));
  });

  it('Binance depth-only capture: fills come from the book alone, deterministically', async () => {
    const file = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
    const a = await run(file, PARAMS, 100);
    const b = await run(file, PARAMS, 100);
    expect(a.events.trades).toBe(0);
    expect(a.fills.length).toBeGreaterThan(0); // level disappearance / trade-through by the book
    expect(JSON.stringify(b.fills)).toBe(JSON.stringify(a.fills));
    expect(a.analyticsInventory).toBe(a.inventory);
    expect(a.numFills).toBe(a.fills.length);
  });
});
