/**
 * Defect 9 of the article's fill model (fills ignoring size and queue, one side only, size 0), as
 * properties of the paper venue over random markets and requests (fast-check): every fill has a positive
 * whole size, an order never fills beyond its size, passive fills are at the order's price and taker
 * fills within its limit, nothing fills after the order is done, both sides can fill, fill ids are unique,
 * a fill's report never precedes its execution, and under the queue model the passive fills a trade
 * decides never add up to more than the trade's size.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../../../../src/main/execution/paper/index.js';
import type { OrderRequest } from '../../../../src/main/execution/types.js';
import { Recorder } from './recorder.js';
import { TestBook } from './test-book.js';

type Step =
  | { kind: 'book'; side: 'bid' | 'ask'; offset: number; size: number; move: number }
  | { kind: 'trade'; offset: number; size: number; aggressor: 'buy' | 'sell' | null }
  | { kind: 'submit'; side: 'buy' | 'sell'; offset: number; size: number; ioc: boolean; postOnly: boolean }
  | { kind: 'cancel'; which: number }
  | { kind: 'time'; dtMs: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('book' as const), side: fc.constantFrom('bid' as const, 'ask' as const), offset: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 0, max: 60 }), move: fc.integer({ min: -1, max: 1 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('trade' as const), offset: fc.integer({ min: -3, max: 3 }), size: fc.integer({ min: 1, max: 50 }), aggressor: fc.constantFrom('buy' as const, 'sell' as const, null) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('submit' as const), side: fc.constantFrom('buy' as const, 'sell' as const), offset: fc.integer({ min: -3, max: 3 }), size: fc.integer({ min: 1, max: 30 }), ioc: fc.boolean(), postOnly: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), which: fc.nat(40) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('time' as const), dtMs: fc.integer({ min: 0, max: 20 }) }), weight: 1 },
);

describe('paper venue properties (defect 9)', () => {
  it('fills respect sizes, prices, limits and order lifetimes, on both sides, under both models', () => {
    const seen = { maker: 0, taker: 0, tradeFills: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom('queue' as const, 'touch' as const),
        fc.constantFrom('power' as const, 'log' as const),
        fc.integer({ min: 0, max: 3 }),
        fc.array(stepArb, { minLength: 30, maxLength: 120 }),
        (fillModel, queueModel, latencyMs, steps) => {
          const book = new TestBook();
          const venue = new PaperVenue({
            tickSize: '0.01',
            lotSize: '1',
            execution: { fillModel, queueModel, queuePower: 2, entryLatencyMs: latencyMs, ackLatencyMs: latencyMs, makerFeeBps: -0.2, takerFeeBps: 3 },
          });
          const rec = new Recorder();
          venue.setListener(rec);
          const requests = new Map<string, OrderRequest>();
          const done = new Set<string>();
          const ids: string[] = [];
          let mid = 10_000;
          let t = 0;
          for (let i = 1; i <= 4; i++) {
            book.set('bid', mid - i, 20);
            book.set('ask', mid + i, 20);
          }
          venue.onBook(book, t);
          const tradeSizeAt = new Map<number, number>();
          for (const s of steps) {
            t += 100;
            switch (s.kind) {
              case 'book':
                mid += s.move;
                book.set(s.side, s.side === 'bid' ? mid - s.offset : mid + s.offset, s.size);
                // Keep the market uncrossed, as a trusted feed would.
                while (book.isCrossed()) book.set(s.side === 'bid' ? 'ask' : 'bid', s.side === 'bid' ? book.bestAsk() : book.bestBid(), 0);
                venue.onBook(book, t);
                break;
              case 'trade':
                tradeSizeAt.set(t, s.size);
                venue.onTrade({ localUs: t, exchUs: null, price: mid + s.offset, size: s.size, aggressor: s.aggressor });
                break;
              case 'submit': {
                const id = `o${ids.length}`;
                const request: OrderRequest = { clientOrderId: id, side: s.side, price: mid + s.offset, size: s.size, timeInForce: s.ioc ? 'ioc' : 'gtc', postOnly: s.postOnly, purpose: 'quote' };
                ids.push(id);
                requests.set(id, request);
                venue.submit(request, t);
                break;
              }
              case 'cancel': {
                const id = ids[s.which % Math.max(1, ids.length)];
                if (id !== undefined) venue.cancel(id, t);
                break;
              }
              case 'time':
                t += s.dtMs * 1_000;
                venue.onTime(t);
                break;
            }
          }
          venue.onTime(t + 1_000_000);
          const filled = new Map<string, number>();
          const seenIds = new Set<string>();
          const makerAtTrade = new Map<number, number>();
          for (const h of rec.heard) {
            if (h.type === 'done' || h.type === 'reject') {
              done.add(h.id);
              continue;
            }
            if (h.type !== 'fill') continue;
            const f = h.fill;
            const req = requests.get(f.clientOrderId);
            expect(req).toBeDefined();
            if (!req) continue;
            expect(done.has(f.clientOrderId)).toBe(false);
            expect(Number.isInteger(f.size) && f.size > 0).toBe(true);
            expect(seenIds.has(f.fillId)).toBe(false);
            seenIds.add(f.fillId);
            expect(f.side).toBe(req.side);
            expect(f.localUs).toBe(f.exchUs + latencyMs * 1_000);
            // Every step has its own instant: a maker fill executed at a trade's instant was decided by that trade.
            if (f.liquidity === 'maker' && tradeSizeAt.has(f.exchUs)) makerAtTrade.set(f.exchUs, (makerAtTrade.get(f.exchUs) ?? 0) + f.size);
            if (f.liquidity === 'maker') expect(f.price).toBe(req.price);
            else expect(req.side === 'buy' ? f.price <= req.price : f.price >= req.price).toBe(true);
            expect(Math.sign(f.fee)).toBe(f.liquidity === 'maker' ? -1 : 1);
            if (f.liquidity === 'maker') seen.maker++;
            else seen.taker++;
            const total = (filled.get(f.clientOrderId) ?? 0) + f.size;
            filled.set(f.clientOrderId, total);
            expect(total).toBeLessThanOrEqual(req.size);
          }
          if (fillModel === 'queue') for (const [at, size] of makerAtTrade) expect(size).toBeLessThanOrEqual(tradeSizeAt.get(at) ?? 0);
          seen.tradeFills += makerAtTrade.size;
          expect(venue.fillsSince(0).map((f) => f.fillId)).toEqual([...seenIds]);
          for (const o of venue.openOrders()) expect(o.filled).toBe(filled.get(o.clientOrderId) ?? 0);
        },
      ),
      { numRuns: 200, seed: 9 },
    );
    // The properties were exercised, not vacuously true.
    expect(seen.maker).toBeGreaterThan(20);
    expect(seen.taker).toBeGreaterThan(20);
    expect(seen.tradeFills).toBeGreaterThan(20);
  });

  it('both of our quotes can fill in the same stretch of market (the article checked the ask first, one side only)', () => {
    const book = new TestBook();
    const venue = new PaperVenue({ tickSize: '0.01', lotSize: '1', execution: { fillModel: 'touch', queueModel: 'power', queuePower: 2, entryLatencyMs: 0, ackLatencyMs: 0, makerFeeBps: 0, takerFeeBps: 0 } });
    const rec = new Recorder();
    venue.setListener(rec);
    book.set('bid', 9_999, 10);
    book.set('ask', 10_001, 10);
    venue.onBook(book, 0);
    venue.submit({ clientOrderId: 'b', side: 'buy', price: 9_999, size: 5, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, 1);
    venue.submit({ clientOrderId: 'a', side: 'sell', price: 10_001, size: 6, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, 1);
    venue.onTrade({ localUs: 2, exchUs: null, price: 10_001, size: 1, aggressor: 'buy' });
    venue.onTrade({ localUs: 2, exchUs: null, price: 9_999, size: 1, aggressor: 'sell' });
    expect(rec.fillTriples()).toEqual([[10_001, 6, 'maker'], [9_999, 5, 'maker']]);
  });
});
