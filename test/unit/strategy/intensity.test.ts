/**
 * Order-arrival intensity calibration: synthetic public trades generated from a known λ(δ) = A·exp(−κδ)
 * (δ in ticks, λ per second) must give back A and κ; too few trades must fall back to the fixed values.
 * Trades are generated with a seeded generator, so the test is deterministic.
 */
import { describe, expect, it } from 'vitest';
import { IntensityCalibrator } from '../../../src/main/strategy/intensity.js';
import { createStrategy } from '../../../src/main/strategy/strategy.js';
import { emptyDecision } from '../../../src/main/strategy/types.js';
import type { MarketTrade } from '../../../src/main/market/types.js';
import { inputs, plainParams } from './helpers.js';
import { TestBook } from './test-book.js';
import { mulberry32 as prng } from '../../support/prng.js';

/** Mulberry32: a small deterministic PRNG in [0, 1). */

interface Synthetic { localUs: number; price: number; mid: number }

/**
 * Trades around a mid of 10 000.5 (a one-tick market) at distances δ_j = 0.5 + j ticks. A quote at δ is
 * reached by every trade at δ or beyond, so the trades printing EXACTLY at δ_j arrive at rate
 * A·(e^(−κδ_j) − e^(−κδ_{j+1})): then the rate of trades reaching δ_j is A·e^(−κδ_j). Arrivals are
 * Poisson (exponential gaps), merged by time.
 */
function syntheticTrades(intensityA: number, kappa: number, seconds: number, seed: number): Synthetic[] {
  const random = prng(seed);
  const mid = 10_000.5;
  const trades: Synthetic[] = [];
  for (let j = 0; j < 60; j++) {
    const d = 0.5 + j;
    const rate = intensityA * (Math.exp(-kappa * d) - Math.exp(-kappa * (d + 1)));
    let t = 0;
    for (;;) {
      t += -Math.log(1 - random()) / rate;
      if (t >= seconds) break;
      const sign = random() < 0.5 ? -1 : 1;
      trades.push({ localUs: Math.round(t * 1e6), price: mid + sign * d, mid });
    }
  }
  return trades.sort((a, b) => a.localUs - b.localUs);
}

describe('intensity calibration', () => {
  it('recovers A and κ from synthetic trades generated with known values', () => {
    const trueA = 4;
    const trueKappa = 0.4;
    const seconds = 3_000;
    const calibrator = new IntensityCalibrator({ windowSec: 3_600 });
    const trades = syntheticTrades(trueA, trueKappa, seconds, 7);
    for (const t of trades) calibrator.observe(t.localUs, Math.abs(t.price - t.mid));
    expect(calibrator.calibrate(seconds * 1e6)).toBe(true);
    expect(calibrator.kappa()).toBeGreaterThan(trueKappa * 0.95);
    expect(calibrator.kappa()).toBeLessThan(trueKappa * 1.05);
    expect(calibrator.intensityA()).toBeGreaterThan(trueA * 0.9);
    expect(calibrator.intensityA()).toBeLessThan(trueA * 1.1);
    expect(calibrator.points()).toBeGreaterThan(5);
  });

  it('recovers a steeper book too', () => {
    const calibrator = new IntensityCalibrator({ windowSec: 3_600 });
    for (const t of syntheticTrades(10, 1.2, 3_000, 11)) calibrator.observe(t.localUs, Math.abs(t.price - t.mid));
    expect(calibrator.calibrate(3_000e6)).toBe(true);
    expect(Math.abs(calibrator.kappa() / 1.2 - 1)).toBeLessThan(0.05);
    expect(Math.abs(calibrator.intensityA() / 10 - 1)).toBeLessThan(0.1);
  });

  it('forgets trades older than the window', () => {
    const calibrator = new IntensityCalibrator({ windowSec: 10, minTrades: 2, minPointTrades: 1 });
    calibrator.observe(0, 0.5);
    calibrator.observe(1e6, 1.5);
    calibrator.observe(20e6, 0.5);
    calibrator.advance(20e6);
    expect(calibrator.tradeCount()).toBe(1);
  });

  it('the strategy uses the fixed values until enough trades are seen, then the calibration', () => {
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.model = 'glft';
      p.strategy.glft = { gamma: 0.1, intensity: 'calibrated', fixedA: 1, fixedKappa: 1.5 };
    }), { intensity: { windowSec: 3_600 } });
    const book = TestBook.of([[10_000, 10]], [[10_001, 10]]);
    const out = emptyDecision();
    strategy.quote(inputs(book, { nowUs: 0 }), out);
    expect(strategy.intensityView()).toMatchObject({ a: 1, kappa: 1.5, calibrated: false });
    for (const t of syntheticTrades(4, 0.4, 3_000, 3)) {
      const trade: MarketTrade = { localUs: t.localUs, exchUs: null, price: t.price, size: 1, aggressor: t.price > t.mid ? 'buy' : 'sell' };
      strategy.observeTrade(trade, t.mid);
    }
    strategy.quote(inputs(book, { nowUs: 3_000e6 }), out);
    const view = strategy.intensityView();
    expect(view.calibrated).toBe(true);
    expect(Math.abs(view.kappa / 0.4 - 1)).toBeLessThan(0.05);
    expect(Math.abs(view.a / 4 - 1)).toBeLessThan(0.1);
  });
});
