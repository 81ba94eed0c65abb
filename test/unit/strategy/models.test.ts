/**
 * Avellaneda–Stoikov and GLFT quotes against values computed by hand from the papers' closed forms, the
 * numbers written out below, both through the pure formulas and end to end through the strategy.
 *
 * Common case: s = 10 000 ticks, inventory 200 lots with a 100-lot base size → q = 2, bound Q = 1 000/100 = 10,
 * γ = 0.1, σ = 0.5 ticks/√s, κ = 1.5 per tick, A = 1 per second.
 *   (1/γ)·ln(1 + γ/κ) = 10 · ln(16/15) = 10 · 0.064538521137571 = 0.645385211375712 ticks
 */
import { describe, expect, it } from 'vitest';
import {
  avellanedaStoikovFinite,
  avellanedaStoikovInfinite,
  glft,
  intensitySpreadTerm,
  newModelQuote,
} from '../../../src/main/strategy/models.js';
import { createStrategy } from '../../../src/main/strategy/strategy.js';
import { emptyDecision } from '../../../src/main/strategy/types.js';
import { SECONDS_PER_YEAR_365 } from '../../../src/main/strategy/volatility.js';
import type { DeskParams } from '../../../src/shared/params.js';
import { expectClose, inputs, plainParams } from './helpers.js';
import { TestBook } from './test-book.js';

const S = 10_000;
const Q_INV = 2;
const GAMMA = 0.1;
const SIGMA = 0.5;
const KAPPA = 1.5;
const A = 1;
const BOUND = 10;

/** A 20-tick-wide market around 10 000 so the model quotes are not clamped by passivity. */
function wideBook(): TestBook {
  return TestBook.of([[9_990, 50]], [[10_010, 50]]);
}

/** σ prior chosen so the fallback σ is exactly 0.5 ticks/√s at s = 10 000 (no mids observed). */
const NORMAL_VOL_FOR_SIGMA = (SIGMA * Math.sqrt(SECONDS_PER_YEAR_365)) / S;

function modelParams(mutate: (p: DeskParams) => void): DeskParams {
  return plainParams((p) => {
    p.risk.maxInventoryLots = 1_000;
    p.strategy.size = { baseLots: 100, shrinkWithInventory: false, growingSideFactor: 1 };
    p.strategy.spread.volatility.normalVolAnnual = NORMAL_VOL_FOR_SIGMA;
    mutate(p);
  });
}

describe('the shared intensity term', () => {
  it('(1/γ)·ln(1 + γ/κ) = 0.645385211375712 ticks', () => {
    expectClose(intensitySpreadTerm(GAMMA, KAPPA), 0.645385211375712, 12);
  });
});

describe('Avellaneda–Stoikov, finite horizon', () => {
  // τ = T − t = 100 s:
  //   γσ²τ = 0.1 · 0.25 · 100 = 2.5
  //   r = s − q·γσ²τ = 10 000 − 2 · 2.5 = 9 995
  //   δa + δb = γσ²τ + (2/γ)·ln(1 + γ/κ) = 2.5 + 1.290770422751424 = 3.790770422751424
  //   bid = 9 995 − 1.895385211375712 = 9 993.104614788624, ask = 9 996.895385211376
  it('matches the hand computation', () => {
    const out = newModelQuote({ s: S, q: Q_INV, gamma: GAMMA, sigma: SIGMA, tauSec: 100, kappa: KAPPA });
    avellanedaStoikovFinite(out);
    expectClose(out.center, 9_995, 10);
    expectClose(out.halfSpread, 1.895385211375712, 12);
  });

  it('through the strategy: τ counts down over the session', () => {
    const strategy = createStrategy(modelParams((p) => {
      p.strategy.model = 'avellaneda-stoikov';
      p.strategy.avellanedaStoikov = { gamma: GAMMA, horizon: 'session', horizonSec: 100, intensity: 'fixed', fixedA: A, fixedKappa: KAPPA };
    }));
    const out = emptyDecision();
    const t0 = 1_700_000_000_000_000;
    strategy.quote(inputs(wideBook(), { nowUs: t0, inventoryLots: 200 }), out);
    expectClose(out.reservation, 9_995, 9);
    expect(out.bidPrice).toBe(9_993); // floor(9 993.1046)
    expect(out.askPrice).toBe(9_997); // ceil(9 996.8954)
    expectClose(out.skewBps, -5, 9); // (9 995 − 10 000) / 10 000 in bps
    // 60 s later τ = 40 s: γσ²τ = 1, r = 9 998, half = (1 + 1.290770422751424)/2 = 1.145385211375712
    strategy.quote(inputs(wideBook(), { nowUs: t0 + 60_000_000, inventoryLots: 200 }), out);
    expectClose(out.reservation, 9_998, 9);
    expectClose(out.bidHalfSpreadBps, ((10_000 - (9_998 - 1.145385211375712)) / 10_000) * 10_000, 9);
    expect(out.bidPrice).toBe(9_996); // floor(9 996.8546)
    expect(out.askPrice).toBe(10_000); // ceil(9 999.1454)
  });
});

describe('Avellaneda–Stoikov, infinite horizon (stationary form, ω = ½γ²σ²(Q + 1)²)', () => {
  // (Q + 1)² − q² = 121 − 4 = 117
  //   r^a = s + (1/γ)·ln(1 + (1 − 2q)/117) = 10 000 + 10·ln(114/117) = 9 999.740245135967
  //   r^b = s + (1/γ)·ln(1 + (−1 − 2q)/117) = 10 000 + 10·ln(112/117) = 9 999.563249364974
  //   ask = r^a + 0.645385211375712 = 10 000.385630347342
  //   bid = r^b − 0.645385211375712 = 9 998.917864153598
  it('matches the hand computation', () => {
    const out = newModelQuote({ s: S, q: Q_INV, gamma: GAMMA, boundQ: BOUND, kappa: KAPPA });
    avellanedaStoikovInfinite(out);
    expectClose(out.center - out.halfSpread, 9_998.917864153598, 9);
    expectClose(out.center + out.halfSpread, 10_000.385630347342, 9);
  });

  it('is nearly symmetric at q = 0 and stops buying at the bound', () => {
    const out = newModelQuote({ s: S, q: 0, gamma: GAMMA, boundQ: BOUND, kappa: KAPPA });
    avellanedaStoikovInfinite(out);
    // centre = s + (ln(1 + 1/121) + ln(1 − 1/121)) / (2γ) = s + ln(14 640/14 641) / 0.2 = s − 0.000341518…
    expectClose(out.center, S + Math.log(14_640 / 14_641) / 0.2, 9);
    expectClose(out.center, S - 0.000341518, 6);
    out.q = BOUND;
    avellanedaStoikovInfinite(out);
    expect(Number.isFinite(out.center - out.halfSpread)).toBe(true);
    expect(out.center - out.halfSpread).toBeLessThan(S - 100); // ln(1e-12)/γ: the bid is far away
  });

  it('through the strategy', () => {
    const strategy = createStrategy(modelParams((p) => {
      p.strategy.model = 'avellaneda-stoikov';
      p.strategy.avellanedaStoikov = { gamma: GAMMA, horizon: 'infinite', horizonSec: 100, intensity: 'fixed', fixedA: A, fixedKappa: KAPPA };
    }));
    const out = emptyDecision();
    strategy.quote(inputs(wideBook(), { inventoryLots: 200 }), out);
    expect(out.bidPrice).toBe(9_998);
    expect(out.askPrice).toBe(10_001);
    expectClose(out.bidHalfSpreadBps, 10_000 - 9_998.917864153598, 6); // 1.0821 ticks = 1.0821 bps of 10 000
  });
});

describe('Guéant–Lehalle–Fernandez-Tapia closed form', () => {
  // c1 = 0.645385211375712
  // (1 + γ/κ)^(1 + κ/γ) = (16/15)^16 = 2.8084039655764466
  // c2 = sqrt(σ²γ/(2Aκ) · 2.8084…) = sqrt(0.025/3 · 2.8084039655764466) = 0.15298158836867828
  // δb = c1 + (2q + 1)/2 · c2 = 0.645385211375712 + 2.5 · 0.15298158836867828 = 1.0278391822974073
  // δa = c1 − (2q − 1)/2 · c2 = 0.645385211375712 − 1.5 · 0.15298158836867828 = 0.41591282882269415
  // bid = 10 000 − δb = 9 998.972160817702, ask = 10 000 + δa = 10 000.415912828823
  it('matches the hand computation', () => {
    const out = newModelQuote({ s: S, q: Q_INV, gamma: GAMMA, sigma: SIGMA, intensityA: A, kappa: KAPPA, boundQ: BOUND });
    glft(out);
    expectClose(out.center - out.halfSpread, 9_998.972160817702, 9);
    expectClose(out.center + out.halfSpread, 10_000.415912828823, 9);
    expectClose(out.center, S - Q_INV * 0.15298158836867828, 9);
  });

  it('clamps q to the inventory bounds', () => {
    const common = { s: S, gamma: GAMMA, sigma: SIGMA, intensityA: A, kappa: KAPPA, boundQ: BOUND };
    const atBound = newModelQuote({ ...common, q: BOUND });
    const beyond = newModelQuote({ ...common, q: BOUND * 3 });
    glft(atBound);
    glft(beyond);
    expect(beyond.center).toBe(atBound.center);
  });

  it('through the strategy, with the sizes rule at the hard limit', () => {
    const strategy = createStrategy(modelParams((p) => {
      p.strategy.model = 'glft';
      p.strategy.glft = { gamma: GAMMA, intensity: 'fixed', fixedA: A, fixedKappa: KAPPA };
    }));
    const out = emptyDecision();
    strategy.quote(inputs(wideBook(), { inventoryLots: 200 }), out);
    expect(out.bidPrice).toBe(9_998); // floor(9 998.9722)
    expect(out.askPrice).toBe(10_001); // ceil(10 000.4159)
    expect(out.bidSize).toBe(100);
    strategy.quote(inputs(wideBook(), { inventoryLots: 1_000 }), out);
    expect(out.bidSize).toBe(0);
    expect(out.bidReason).toBe('inventory-limit');
  });

  it('adverse widening and the schedule widen the model spread around its centre before rounding', () => {
    const strategy = createStrategy(modelParams((p) => {
      p.strategy.model = 'glft';
      p.strategy.glft = { gamma: GAMMA, intensity: 'fixed', fixedA: A, fixedKappa: KAPPA };
      p.strategy.adverseSelection.enabled = true;
      p.strategy.adverseSelection.threshold = 0.5;
    }));
    const out = emptyDecision();
    strategy.quote(inputs(wideBook(), { inventoryLots: 200, adverseRate: 1 }), out);
    // half = (c1 + c2/2) × 2 = (0.645385211375712 + 0.07649079418433914) × 2 = 1.443752011120022
    const centre = S - 2 * 0.15298158836867828;
    expectClose(out.reservation, centre, 9);
    expect(out.bidPrice).toBe(Math.floor(centre - 1.443752011120022));
    expect(out.askPrice).toBe(Math.ceil(centre + 1.443752011120022));
  });
});
