/**
 * The paper venue against scripted markets: each test's sequence of book changes, trades and requests
 * gives exactly the fills the module header defines (queue ahead at join, advance by trades, the cancel
 * model's shares, partial fills capped by trade size, trades through our price capped by what traded after
 * the queue ahead, a crossing opposite side capped by the volume displayed there, latency ordering and the
 * execution vs report times, a fill while a cancel is in flight, IOC walking, fees), the touch model for
 * comparison (trades and crossings only), and determinism.
 */
import { describe, expect, it } from 'vitest';
import { PaperVenue, cancelShareAhead, type PaperExecutionParams } from '../../../../src/main/execution/paper/index.js';
import type { OrderRequest } from '../../../../src/main/execution/types.js';
import type { MarketTrade } from '../../../../src/main/market/types.js';
import { DEFAULT_PARAMS } from '../../../../src/shared/params.js';
import { Recorder } from './recorder.js';
import { TestBook } from './test-book.js';

const MS = 1_000;

const ZERO_LATENCY: PaperExecutionParams = {
  fillModel: 'queue',
  queueModel: 'power',
  queuePower: 2,
  entryLatencyMs: 0,
  ackLatencyMs: 0,
  makerFeeBps: 0,
  takerFeeBps: 0,
};

function setup(params: Partial<PaperExecutionParams> = {}) {
  const book = new TestBook();
  const venue = new PaperVenue({ tickSize: '0.01', lotSize: '1', execution: { ...ZERO_LATENCY, ...params } });
  const rec = new Recorder();
  venue.setListener(rec);
  const levels = (t: number, changes: Array<['bid' | 'ask', number, number]>) => {
    for (const [side, price, size] of changes) book.set(side, price, size);
    venue.onBook(book, t);
  };
  const trade = (t: number, price: number, size: number, aggressor: 'buy' | 'sell' | null): void => {
    const tr: MarketTrade = { localUs: t, exchUs: null, price, size, aggressor };
    venue.onTrade(tr);
  };
  return { book, venue, rec, levels, trade };
}

function order(id: string, side: 'buy' | 'sell', price: number, size: number, extra: Partial<OrderRequest> = {}): OrderRequest {
  return { clientOrderId: id, side, price, size, timeInForce: 'gtc', postOnly: false, purpose: 'quote', ...extra };
}

describe('queue model', () => {
  it('joins behind the displayed size, advances by trades at its price, fills partially capped by the trade', () => {
    const { venue, rec, levels, trade } = setup();
    levels(0, [['bid', 10_000, 50], ['bid', 9_999, 30], ['ask', 10_001, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 20), 1 * MS);
    venue.onTime(2 * MS);
    expect(rec.heard).toEqual([{ type: 'ack', id: 'b1', t: 1 * MS }]);
    expect(venue.queueAhead('b1')).toBe(50);
    trade(3 * MS, 10_000, 30, 'sell'); // ahead 50 → 20
    expect(venue.queueAhead('b1')).toBe(20);
    levels(4 * MS, [['bid', 10_000, 20]]); // the trade explains the decrease: no cancel
    expect(venue.queueAhead('b1')).toBe(20);
    trade(5 * MS, 10_000, 25, 'sell'); // 20 ahead, 5 beyond → fills 5
    expect(rec.fillTriples()).toEqual([[10_000, 5, 'maker']]);
    levels(6 * MS, [['bid', 10_000, 0]]); // with trades seen, a vanished level is cancels: no fill
    expect(rec.fills()).toHaveLength(1);
    trade(7 * MS, 10_000, 100, 'sell'); // the remaining 15, capped by our size
    expect(rec.fillTriples()).toEqual([[10_000, 5, 'maker'], [10_000, 15, 'maker']]);
    expect(venue.openOrders()).toEqual([]);
    expect(rec.queue.get('b1')).toEqual([50, 20, 0]);
    expect(rec.fills().map((f) => f.fillId)).toEqual(['paper-1', 'paper-2']);
  });

  it('improving the price means nothing ahead; later arrivals join behind', () => {
    const { venue, rec, levels, trade } = setup();
    levels(0, [['bid', 10_000, 50], ['ask', 10_003, 40]]);
    venue.submit(order('b1', 'buy', 10_001, 10), 1 * MS);
    levels(2 * MS, [['bid', 10_001, 80]]); // others join at our price after us
    expect(venue.queueAhead('b1')).toBe(0);
    trade(3 * MS, 10_001, 4, 'sell');
    expect(rec.fillTriples()).toEqual([[10_001, 4, 'maker']]);
  });

  it('splits an unexplained decrease by the power model: f(x) = x², share ahead = f(a)/(f(a)+f(b))', () => {
    const { venue, levels } = setup({ queueModel: 'power', queuePower: 2 });
    levels(0, [['bid', 10_000, 100], ['ask', 10_002, 10]]);
    venue.submit(order('b1', 'buy', 10_000, 10), 1 * MS);
    levels(2 * MS, [['bid', 10_000, 300]]); // 200 join behind
    expect(venue.queueAhead('b1')).toBe(100);
    levels(3 * MS, [['bid', 10_000, 200]]); // 100 cancelled: 100²/(100²+200²) = 1/5 of it ahead
    expect(venue.queueAhead('b1')).toBeCloseTo(80, 9);
    // 180 cancelled out of 80 ahead / 120 behind: share ahead s; the excess beyond what is behind comes from ahead.
    levels(4 * MS, [['bid', 10_000, 20]]);
    const s = cancelShareAhead('power', 2, 80, 120);
    expect(s).toBeCloseTo(6_400 / (6_400 + 14_400), 12);
    const expected = Math.min(20, 80 - s * 180 + Math.min(120 - (1 - s) * 180, 0));
    expect(venue.queueAhead('b1')).toBeCloseTo(expected, 9);
    expect(venue.queueAhead('b1')).toBeCloseTo(20, 9);
  });

  it('splits by the logarithmic model: f(x) = ln(1 + x)', () => {
    const { venue, levels } = setup({ queueModel: 'log' });
    levels(0, [['bid', 10_000, 100], ['ask', 10_002, 10]]);
    venue.submit(order('b1', 'buy', 10_000, 10), 1 * MS);
    levels(2 * MS, [['bid', 10_000, 300]]);
    levels(3 * MS, [['bid', 10_000, 200]]);
    const share = Math.log(101) / (Math.log(101) + Math.log(201));
    expect(venue.queueAhead('b1')).toBeCloseTo(100 - 100 * share, 9);
  });

  it('subtracts trades from the level decrease before calling the rest a cancel', () => {
    const { venue, levels, trade } = setup();
    levels(0, [['ask', 10_005, 60], ['bid', 10_000, 10]]);
    venue.submit(order('s1', 'sell', 10_005, 10), 1 * MS);
    levels(2 * MS, [['ask', 10_005, 100]]); // 60 ahead, 40 behind
    trade(3 * MS, 10_005, 20, 'buy'); // ahead 40
    levels(4 * MS, [['ask', 10_005, 70]]); // 30 down: 20 traded, 10 cancelled
    const s = cancelShareAhead('power', 2, 40, 40); // ½
    expect(venue.queueAhead('s1')).toBeCloseTo(40 - s * 10, 9);
  });

  it('a trade through its price fills at most what traded, after the volume ahead; the rest keeps working', () => {
    // The case: buy 96 improving the bid, and a 1-share hidden print below it.
    const { venue, rec, levels, trade } = setup();
    levels(0, [['bid', 56_902, 200], ['ask', 56_912, 100]]);
    venue.submit(order('b1', 'buy', 56_908, 96), 1 * MS);
    venue.onTime(1 * MS);
    expect(venue.queueAhead('b1')).toBe(0);
    trade(2 * MS, 56_902, 1, 'sell'); // a seller printed 1 share below our bid: it would have met us first, for 1
    expect(rec.fillTriples()).toEqual([[56_908, 1, 'maker']]);
    expect(venue.openOrders()).toEqual([{ clientOrderId: 'b1', side: 'buy', price: 56_908, size: 96, filled: 1 }]);
    trade(3 * MS, 56_901, 40, 'sell');
    trade(3 * MS, 56_900, 100, 'sell'); // a sweep: 40 + 55 reach us, the last 45 of it went elsewhere
    expect(rec.fillTriples()).toEqual([[56_908, 1, 'maker'], [56_908, 40, 'maker'], [56_908, 55, 'maker']]);
    expect(venue.openOrders()).toEqual([]);
  });

  it('a trade through its price meets the volume ahead of us at our price first', () => {
    const { venue, rec, levels, trade } = setup();
    levels(0, [['bid', 10_000, 50], ['bid', 9_999, 30], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 7), 1 * MS);
    trade(2 * MS, 9_999, 30, 'sell'); // 50 ahead of us: all of it meets them
    expect(rec.fills()).toEqual([]);
    expect(venue.queueAhead('b1')).toBe(20);
    trade(3 * MS, 9_999, 25, 'sell'); // 20 more ahead, then 5 reach us
    expect(rec.fillTriples()).toEqual([[10_000, 5, 'maker']]);
    expect(venue.queueAhead('b1')).toBe(0);
  });

  it('the opposite best reaching its price fills up to the volume displayed there, once', () => {
    const { venue, rec, levels, trade } = setup();
    levels(0, [['bid', 10_000, 50], ['ask', 10_002, 40], ['ask', 10_003, 40]]);
    venue.submit(order('s1', 'sell', 10_002, 9), 1 * MS);
    trade(1 * MS, 10_000, 1, 'sell'); // the source prints trades (rule 4, for depth-only sources, stays out of this)
    levels(2 * MS, [['ask', 10_002, 0], ['bid', 10_002, 5]]); // a buyer posts 5 at our ask: they meet us
    expect(rec.fillTriples()).toEqual([[10_002, 5, 'maker']]);
    levels(3 * MS, [['bid', 9_999, 10]]); // the same 5 still displayed (our fill is invisible to the replay)
    expect(rec.fills()).toHaveLength(1);
    levels(4 * MS, [['bid', 10_002, 3]]); // 2 of them went away
    levels(5 * MS, [['bid', 10_002, 4], ['bid', 10_003, 1]]); // 1 new at our price, 1 above it: 2 fresh lots reach us
    expect(rec.fillTriples()).toEqual([[10_002, 5, 'maker'], [10_002, 2, 'maker']]);
    levels(6 * MS, [['bid', 10_002, 0], ['bid', 10_003, 0]]); // back below us: the crossing is over
    levels(7 * MS, [['bid', 10_002, 8]]); // a new crossing: our last 2
    expect(rec.fillTriples()).toEqual([[10_002, 5, 'maker'], [10_002, 2, 'maker'], [10_002, 2, 'maker']]);
    expect(venue.openOrders()).toEqual([]);
    expect(rec.fills().map((f) => f.exchUs)).toEqual([2 * MS, 5 * MS, 7 * MS]);
  });

  it('is not touched by trades at a better price or by aggressors on its own side', () => {
    const { venue, rec, levels, trade } = setup();
    levels(0, [['bid', 10_000, 50], ['bid', 9_999, 30], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 9_999, 7), 1 * MS);
    trade(2 * MS, 10_000, 100, 'sell'); // above our bid
    trade(3 * MS, 9_999, 100, 'buy'); // a buyer's trade never meets our bid
    expect(rec.fills()).toEqual([]);
    expect(venue.queueAhead('b1')).toBe(30);
  });

  it('on a depth-only source, a level that disappears with the market moving through it fills us', () => {
    const { venue, rec, levels } = setup();
    levels(0, [['bid', 10_000, 50], ['bid', 9_998, 30], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 7), 1 * MS);
    venue.submit(order('b2', 'buy', 9_998, 3), 1 * MS);
    levels(2 * MS, [['bid', 9_998, 0]]); // a deeper level vanishes while the best stays above: cancels
    expect(rec.fills()).toEqual([]);
    levels(3 * MS, [['bid', 10_000, 0], ['bid', 9_997, 10]]); // our level is gone and the bid is below it
    expect(rec.fillTriples()).toEqual([[10_000, 7, 'maker']]);
  });

  it('an emptied book (a cleared or lost feed) fills nothing', () => {
    const { venue, rec, book, levels } = setup();
    levels(0, [['bid', 10_000, 50], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 7), 1 * MS);
    venue.onTime(1 * MS);
    book.clear();
    venue.onBook(book, 2 * MS);
    expect(rec.fills()).toEqual([]);
    expect(venue.queueAhead('b1')).toBe(0);
  });
});

describe('latency', () => {
  it('an order joins the book as it was when the order arrived, and the ack comes back after the ack latency', () => {
    const { venue, rec, levels, trade } = setup({ entryLatencyMs: 5, ackLatencyMs: 5 });
    levels(0, [['bid', 10_000, 50], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 10), 0);
    levels(3 * MS, [['bid', 10_000, 70]]);
    trade(4 * MS, 10_000, 1_000, 'sell'); // before the order is at the venue: cannot fill it
    levels(4 * MS, [['bid', 10_000, 70]]);
    levels(7 * MS, [['bid', 10_000, 90]]); // the order arrived at 5 ms, before this message
    expect(venue.queueAhead('b1')).toBe(70);
    expect(rec.heard).toEqual([]);
    venue.onTime(10 * MS - 1);
    expect(rec.heard).toEqual([]);
    venue.onTime(10 * MS);
    expect(rec.heard).toEqual([{ type: 'ack', id: 'b1', t: 10 * MS }]);
    expect(rec.fills()).toEqual([]);
  });

  it('delivers a fill that happens while the cancel is in flight, then the cancel', () => {
    const { venue, rec, levels, trade } = setup({ entryLatencyMs: 5, ackLatencyMs: 5 });
    levels(0, [['bid', 10_000, 5], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 10), 0);
    venue.onTime(20 * MS);
    venue.cancel('b1', 100 * MS); // reaches the venue at 105 ms
    trade(102 * MS, 10_000, 8, 'sell'); // 5 ahead, 3 fill us at 102 ms, heard at 107 ms
    expect(venue.openOrders()).toEqual([{ clientOrderId: 'b1', side: 'buy', price: 10_000, size: 10, filled: 3 }]);
    venue.onTime(106 * MS);
    expect(venue.openOrders()).toEqual([]);
    // Executed at 102 ms (the match instant), reported at 107 ms.
    expect(venue.fillsSince(0).map((f) => [f.size, f.exchUs, f.localUs])).toEqual([[3, 102 * MS, 107 * MS]]);
    venue.onTime(200 * MS);
    expect(rec.heard.slice(1)).toEqual([
      { type: 'fill', fill: expect.objectContaining({ clientOrderId: 'b1', size: 3, localUs: 107 * MS }) as unknown },
      { type: 'done', id: 'b1', remaining: 7, why: 'cancelled', t: 110 * MS },
    ]);
  });

  it('a replay seek delivers what was decided, then expires live and in-flight orders', () => {
    const { venue, rec, levels, trade } = setup({ entryLatencyMs: 5, ackLatencyMs: 5 });
    levels(0, [['bid', 10_000, 0], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 10), 0);
    trade(6 * MS, 10_000, 4, 'sell'); // b1 arrived at 5 ms: 4 fill, heard at 11 ms
    venue.submit(order('b2', 'buy', 9_990, 10), 7 * MS); // still in flight at the seek
    venue.onDiscontinuity(1 * MS);
    expect(rec.heard.map((h) => (h.type === 'fill' ? `fill ${h.fill.size}` : h.type === 'done' ? `done ${h.id} ${h.remaining} ${h.why}` : `${h.type} ${h.id}`))).toEqual([
      'ack b1',
      'fill 4',
      'done b2 10 expired',
      'done b1 6 expired',
    ]);
    expect(venue.openOrders()).toEqual([]);
    venue.onTime(100 * MS);
    expect(rec.heard).toHaveLength(4);
  });

  it('a cancel for a finished or unknown order is ignored', () => {
    const { venue, rec, levels } = setup();
    levels(0, [['bid', 10_000, 5], ['ask', 10_002, 40]]);
    venue.cancel('nope', 1 * MS);
    venue.onTime(2 * MS);
    expect(rec.heard).toEqual([]);
  });
});

describe('aggressive orders and fees', () => {
  it('an IOC walks the displayed levels up to its limit, pays the taker fee, and the rest is done', () => {
    const { venue, rec, levels } = setup({ takerFeeBps: 3, makerFeeBps: -0.2 });
    levels(0, [['ask', 10_001, 10], ['ask', 10_002, 15], ['ask', 10_003, 50], ['bid', 9_999, 5]]);
    venue.submit(order('x1', 'buy', 10_002, 40, { timeInForce: 'ioc', purpose: 'flatten' }), 1 * MS);
    venue.onTime(1 * MS);
    expect(rec.fillTriples()).toEqual([[10_001, 10, 'taker'], [10_002, 15, 'taker']]);
    const fees = rec.fills().map((f) => f.fee);
    expect(fees[0]).toBeCloseTo(100.01 * 10 * 3e-4, 12);
    expect(fees[1]).toBeCloseTo(100.02 * 15 * 3e-4, 12);
    expect(rec.heard.at(-1)).toEqual({ type: 'done', id: 'x1', remaining: 15, why: 'ioc-remainder', t: 1 * MS });
  });

  it('charges the maker fee (a rebate when negative) on passive fills', () => {
    const { venue, rec, levels, trade } = setup({ takerFeeBps: 3, makerFeeBps: -0.2 });
    levels(0, [['bid', 10_000, 0], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 10), 1 * MS);
    trade(2 * MS, 10_000, 10, 'sell');
    expect(rec.fills()[0]?.fee).toBeCloseTo(-(100 * 10 * 0.2e-4), 12);
  });

  it('a post-only order that would cross is rejected; a passive IOC is done at once', () => {
    const { venue, rec, levels } = setup();
    levels(0, [['ask', 10_001, 10], ['bid', 9_999, 5]]);
    venue.submit(order('p1', 'buy', 10_001, 5, { postOnly: true }), 1 * MS);
    venue.submit(order('i1', 'sell', 10_005, 5, { timeInForce: 'ioc' }), 1 * MS);
    venue.onTime(1 * MS);
    expect(rec.heard).toEqual([
      { type: 'reject', id: 'p1', reason: 'post-only order would cross the market', t: 1 * MS },
      { type: 'ack', id: 'i1', t: 1 * MS },
      { type: 'done', id: 'i1', remaining: 5, why: 'ioc-remainder', t: 1 * MS },
    ]);
  });

  it('a crossing GTC order takes, rests its remainder, and is not filled again by the levels it took', () => {
    const { venue, rec, levels } = setup();
    levels(0, [['ask', 10_001, 10], ['ask', 10_003, 10], ['bid', 9_999, 5]]);
    venue.submit(order('g1', 'buy', 10_001, 25), 1 * MS);
    levels(2 * MS, [['bid', 9_999, 6]]); // the replayed ask at 10 001 is still displayed
    expect(rec.fillTriples()).toEqual([[10_001, 10, 'taker']]);
    expect(venue.openOrders()).toEqual([{ clientOrderId: 'g1', side: 'buy', price: 10_001, size: 25, filled: 10 }]);
    levels(3 * MS, [['ask', 10_001, 0]]); // the market moves above us
    levels(4 * MS, [['ask', 10_001, 4]]); // a new seller of 4 at our price: they meet us, for 4
    expect(rec.fillTriples()).toEqual([[10_001, 10, 'taker'], [10_001, 4, 'maker']]);
    expect(venue.openOrders()).toEqual([{ clientOrderId: 'g1', side: 'buy', price: 10_001, size: 25, filled: 14 }]);
  });

  it('rejects invalid sizes and duplicate ids', () => {
    const { venue, rec, levels } = setup();
    levels(0, [['ask', 10_001, 10], ['bid', 9_999, 5]]);
    venue.submit(order('z', 'buy', 9_000, 0), 1 * MS);
    venue.submit(order('d', 'buy', 9_000, 1), 1 * MS);
    venue.submit(order('d', 'buy', 9_000, 1), 1 * MS);
    venue.onTime(1 * MS);
    expect(rec.heard.map((h) => h.type)).toEqual(['reject', 'ack', 'reject']);
  });
});

describe('touch model (the article, for comparison only)', () => {
  it('fills the whole order as soon as a trade prints at its price, whatever the queue', () => {
    const { venue, rec, levels, trade } = setup({ fillModel: 'touch' });
    levels(0, [['bid', 10_000, 500], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 100), 1 * MS);
    trade(2 * MS, 10_000, 1, 'sell');
    expect(rec.fillTriples()).toEqual([[10_000, 100, 'maker']]);
  });

  it('a live parameter change (the desk\'s configure) switches the model for the events that follow', () => {
    const { venue, rec, levels, trade } = setup({ fillModel: 'queue' });
    levels(0, [['bid', 10_000, 500], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 100), 1 * MS);
    trade(2 * MS, 10_000, 1, 'sell');
    expect(rec.fills()).toEqual([]);
    venue.configure({ ...DEFAULT_PARAMS.execution, fillModel: 'touch', entryLatencyMs: 0, ackLatencyMs: 0 });
    trade(3 * MS, 10_000, 1, 'sell');
    expect(rec.fillTriples()).toEqual([[10_000, 100, 'maker']]);
    expect(rec.fills()[0]?.fee).toBeCloseTo(100 * 100 * DEFAULT_PARAMS.execution.makerFeeBps * 1e-4, 12);
  });

  it('fills the whole order when the opposite side newly reaches its price, and never on a level that merely vanishes', () => {
    const { venue, rec, levels, trade } = setup({ fillModel: 'touch' });
    levels(0, [['bid', 10_000, 500], ['bid', 9_998, 10], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 100), 1 * MS);
    venue.submit(order('s1', 'sell', 10_002, 30), 1 * MS);
    trade(2 * MS, 10_001, 5, 'buy'); // a trade between our quotes touches neither
    levels(3 * MS, [['bid', 10_000, 0], ['bid', 9_999, 10]]); // our bid's level vanishes, the bid below it: no trade, no fill
    expect(rec.fills()).toEqual([]);
    levels(4 * MS, [['bid', 10_002, 1]]); // a buyer reaches our ask
    expect(rec.fillTriples()).toEqual([[10_002, 30, 'maker']]);
  });

  it('the queue model gives a different, smaller answer for the same market', () => {
    const { venue, rec, levels, trade } = setup({ fillModel: 'queue' });
    levels(0, [['bid', 10_000, 500], ['ask', 10_002, 40]]);
    venue.submit(order('b1', 'buy', 10_000, 100), 1 * MS);
    trade(2 * MS, 10_000, 1, 'sell');
    expect(rec.fills()).toEqual([]);
  });
});

describe('determinism', () => {
  function run(seed: number): string {
    let state = seed >>> 0;
    const rand = () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state / 2 ** 32;
    };
    const { venue, rec, levels, trade } = setup({ entryLatencyMs: 2, ackLatencyMs: 3, makerFeeBps: -0.2, takerFeeBps: 3 });
    let mid = 10_000;
    let n = 0;
    for (let step = 0; step < 2_000; step++) {
      const t = step * 700;
      const r = rand();
      if (r < 0.5) {
        mid += rand() < 0.5 ? -1 : 1;
        levels(t, [
          ['bid', mid - 1, Math.floor(rand() * 100)],
          ['bid', mid - 2, Math.floor(rand() * 100)],
          ['ask', mid + 1, Math.floor(rand() * 100)],
          ['ask', mid + 2, Math.floor(rand() * 100)],
          ['bid', mid + 1, 0],
          ['ask', mid - 1, 0],
        ]);
      } else if (r < 0.8) {
        trade(t, mid + (rand() < 0.5 ? -1 : 1), 1 + Math.floor(rand() * 40), rand() < 0.5 ? 'buy' : 'sell');
      } else if (r < 0.95) {
        n++;
        venue.submit(order(`o${n}`, rand() < 0.5 ? 'buy' : 'sell', mid + Math.floor(rand() * 5) - 2, 1 + Math.floor(rand() * 20)), t);
      } else if (n > 0) {
        venue.cancel(`o${1 + Math.floor(rand() * n)}`, t);
      }
    }
    venue.onTime(10_000_000);
    return JSON.stringify(rec.heard);
  }

  it('the same events give the same fills, bit for bit', () => {
    const a = run(7);
    expect(run(7)).toBe(a);
    expect(JSON.parse(a).filter((h: { type: string }) => h.type === 'fill').length).toBeGreaterThan(10);
    expect(run(8)).not.toBe(a);
  });
});
