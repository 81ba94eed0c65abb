/**
 * Property tests (fast-check) over random books, inventories, parameters and models: every decision is on
 * the tick grid, bid < ask, sizes are non-negative integers that never exceed the room to the hard limit,
 * quotes never cross the market unless taking is allowed, and a sequence of complete fills never takes
 * |inventory| past the hard limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStrategy } from '../../../src/main/strategy/strategy.js';
import { emptyDecision, type QuoteDecision } from '../../../src/main/strategy/types.js';
import type { DeskParams, QuotingModel } from '../../../src/shared/params.js';
import { inputs, plainParams } from './helpers.js';
import { TestBook } from './test-book.js';

const bookArb = fc
  .record({
    bestBid: fc.integer({ min: 1, max: 2_000_000 }),
    spread: fc.integer({ min: 1, max: 60 }),
    bidSizes: fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 8 }),
    askSizes: fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 8 }),
    gap: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ bestBid, spread, bidSizes, askSizes, gap }) => {
    const book = new TestBook(32);
    bidSizes.forEach((size, i) => { if (bestBid - i * gap >= 0) book.set('bid', bestBid - i * gap, size); });
    askSizes.forEach((size, i) => book.set('ask', bestBid + spread + i * gap, size));
    return book;
  });

const paramsArb = fc
  .record({
    model: fc.constantFrom<QuotingModel>('heuristic', 'avellaneda-stoikov', 'glft'),
    maxInventory: fc.integer({ min: 1, max: 1_000_000 }),
    targetFraction: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
    baseLots: fc.integer({ min: 1, max: 100_000 }),
    shrink: fc.boolean(),
    growingSideFactor: fc.double({ min: 0, max: 1, noNaN: true }),
    baseBps: fc.double({ min: 0.01, max: 500, noNaN: true }),
    skew: fc.boolean(),
    skewBps: fc.double({ min: 0, max: 10_000, noNaN: true }),
    floor: fc.double({ min: 0, max: 10, noNaN: true }),
    nudge: fc.boolean(),
    depth: fc.boolean(),
    vol: fc.boolean(),
    allowTaking: fc.boolean(),
    gamma: fc.double({ min: 1e-4, max: 10, noNaN: true }),
    kappa: fc.double({ min: 0.01, max: 50, noNaN: true }),
    intensityA: fc.double({ min: 0.01, max: 1_000, noNaN: true }),
    horizon: fc.constantFrom<'infinite' | 'session'>('infinite', 'session'),
    scheduleQuote: fc.boolean(),
    scheduleMultiplier: fc.double({ min: 0.1, max: 100, noNaN: true }),
  })
  .map((r): DeskParams =>
    plainParams((p) => {
      const s = p.strategy;
      s.model = r.model;
      p.risk.maxInventoryLots = r.maxInventory;
      p.risk.softInventoryLots = r.maxInventory;
      p.risk.targetInventoryLots = Math.trunc(r.targetFraction * r.maxInventory);
      s.size = { baseLots: r.baseLots, shrinkWithInventory: r.shrink, growingSideFactor: r.growingSideFactor };
      s.spread.baseBps = r.baseBps;
      s.spread.marketFloorFraction = r.floor;
      s.spread.volatility.enabled = r.vol;
      s.skew = { enabled: r.skew, bpsAtMaxInventory: r.skewBps };
      s.fairValue.topOfBookNudge.enabled = r.nudge;
      s.fairValue.depthImbalance.enabled = r.depth;
      s.allowTaking = r.allowTaking;
      s.adverseSelection.enabled = true;
      s.avellanedaStoikov = { gamma: r.gamma, horizon: r.horizon, horizonSec: 600, intensity: 'fixed', fixedA: r.intensityA, fixedKappa: r.kappa };
      s.glft = { gamma: r.gamma, intensity: 'fixed', fixedA: r.intensityA, fixedKappa: r.kappa };
      // A window covering the test clock's minute half the time.
      s.schedule = [{ fromMinuteUtc: 1_300, toMinuteUtc: 1_400, spreadMultiplier: r.scheduleMultiplier, quote: r.scheduleQuote }];
    }),
  );

function checkDecision(out: QuoteDecision, bestBid: number, bestAsk: number, inventory: number, params: DeskParams): void {
  const max = params.risk.maxInventoryLots;
  for (const size of [out.bidSize, out.askSize]) {
    expect(Number.isInteger(size)).toBe(true);
    expect(size).toBeGreaterThanOrEqual(0);
  }
  expect(out.bidSize).toBeLessThanOrEqual(Math.max(0, max - inventory));
  expect(out.askSize).toBeLessThanOrEqual(Math.max(0, max + inventory));
  expect(out.bidReason === null).toBe(out.bidSize > 0);
  expect(out.askReason === null).toBe(out.askSize > 0);
  if (out.bidSize > 0) {
    expect(Number.isInteger(out.bidPrice)).toBe(true);
    expect(out.bidPrice).toBeGreaterThanOrEqual(0);
    if (!params.strategy.allowTaking) expect(out.bidPrice).toBeLessThanOrEqual(bestAsk - 1);
  }
  if (out.askSize > 0) {
    expect(Number.isInteger(out.askPrice)).toBe(true);
    if (!params.strategy.allowTaking) expect(out.askPrice).toBeGreaterThanOrEqual(bestBid + 1);
  }
  if (out.bidSize > 0 && out.askSize > 0) expect(out.askPrice - out.bidPrice).toBeGreaterThanOrEqual(1);
}

describe('quoting invariants over random books, inventories, parameters and models', () => {
  it('grid, bid < ask, sizes ≥ 0 and within the room to the hard limit, passive unless allowed', () => {
    fc.assert(
      fc.property(
        bookArb,
        paramsArb,
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: Number.NaN }),
        fc.boolean(),
        fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 2 * 86_400 }),
        (book, params, inventoryFraction, adverseRate, breaker, moves, clockSec) => {
          const strategy = createStrategy(params);
          const bestBid = book.bestBid();
          const bestAsk = book.bestAsk();
          const start = 1_700_000_000_000_000 + clockSec * 1e6;
          let mid = (bestBid + bestAsk) / 2;
          moves.forEach((m, i) => {
            mid *= 1 + m;
            strategy.observeMid(start - (moves.length - i) * 1e6, mid);
          });
          const inventory = Math.round(inventoryFraction * params.risk.maxInventoryLots);
          const out = emptyDecision();
          strategy.quote(inputs(book, { nowUs: start, inventoryLots: inventory, adverseRate, adverseBreakerWiden: breaker }), out);
          checkDecision(out, bestBid, bestAsk, inventory, params);
        },
      ),
      { numRuns: 400, seed: 20_241_121 },
    );
  });

  it('no sequence of complete fills ever takes |inventory| past the hard limit', () => {
    fc.assert(
      fc.property(
        bookArb,
        paramsArb,
        fc.array(fc.constantFrom<'bid' | 'ask'>('bid', 'ask'), { minLength: 1, maxLength: 80 }),
        (book, params, hits) => {
          const strategy = createStrategy(params);
          const out = emptyDecision();
          const max = params.risk.maxInventoryLots;
          let inventory = 0;
          let now = 1_700_000_000_000_000;
          for (const side of hits) {
            now += 250_000;
            strategy.quote(inputs(book, { nowUs: now, inventoryLots: inventory }), out);
            // The whole quote on that side fills.
            inventory += side === 'bid' ? out.bidSize : -out.askSize;
            expect(Math.abs(inventory)).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});
