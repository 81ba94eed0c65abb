/**
 * The article's heuristic quoting chain, one test per seed-notes defect that concerns quoting (1, 2, 3, 4,
 * 6, 11) plus the component rules: fair value terms, skew, sizes, schedule, passivity and a live model
 * change. Prices are ticks of $0.01, so a fair value of 10 000 ticks is $100.
 */
import { describe, expect, it } from 'vitest';
import { createStrategy } from '../../../src/main/strategy/strategy.js';
import { emptyDecision } from '../../../src/main/strategy/types.js';
import { MidVolatility, SECONDS_PER_YEAR_365 } from '../../../src/main/strategy/volatility.js';
import { expectClose, inputs, plainParams } from './helpers.js';
import { TestBook } from './test-book.js';

/** $99.99 / $100.01, 500 lots each side: mid and fair value 10 000 ticks ($100). */
function hundredDollarBook(): TestBook {
  return TestBook.of([[9_999, 500], [9_998, 800]], [[10_001, 500], [10_002, 800]]);
}

const MINUTE_US = 60_000_000;
const DAY_START_US = 1_699_920_000_000_000; // 2023-11-14T00:00:00Z

describe('defect 1: the spread is a fraction of fair value, not a price', () => {
  it('a 2 bps spread on a $100 fair value quotes 2 cents wide before rounding', () => {
    const strategy = createStrategy(plainParams((p) => (p.strategy.spread.baseBps = 2)));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook()), out);
    expect(out.fairValue).toBe(10_000);
    // Half-spread = 10 000 ticks × 2 / 10 000 / 2 = 1 tick = $0.01 each side: 2 cents wide.
    expectClose(out.bidHalfSpreadBps, 1);
    expectClose(out.askHalfSpreadBps, 1);
    expect(out.bidPrice).toBe(9_999);
    expect(out.askPrice).toBe(10_001);
  });

  it('a 3 bps spread is 1.5 ticks a side before rounding, rounded outward to the grid', () => {
    const strategy = createStrategy(plainParams((p) => (p.strategy.spread.baseBps = 3)));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook()), out);
    expectClose(out.bidHalfSpreadBps, 1.5);
    expect(out.bidPrice).toBe(9_998); // floor(9 998.5)
    expect(out.askPrice).toBe(10_002); // ceil(10 001.5)
  });

  it('the spread scales with the price: 2 bps on $1 000 is 20 cents wide', () => {
    const strategy = createStrategy(plainParams((p) => (p.strategy.spread.baseBps = 2)));
    const out = emptyDecision();
    const book = TestBook.of([[99_990, 5]], [[100_010, 5]]);
    strategy.quote(inputs(book), out);
    expect(out.bidPrice).toBe(99_990);
    expect(out.askPrice).toBe(100_010);
  });
});

describe('defect 2: one volatility term, no collapse at start', () => {
  const volParams = (normalVolAnnual: number) =>
    plainParams((p) => {
      p.strategy.spread.baseBps = 4;
      p.strategy.spread.marketFloorFraction = 0.5;
      p.strategy.spread.volatility = {
        enabled: true, normalVolAnnual, windowSamples: 100, sampleIntervalMs: 1_000, minMultiplier: 0.5, maxMultiplier: 5,
      };
    });

  it('before any volatility is known the multiplier is 1 and the spread is the base, not the market floor', () => {
    const strategy = createStrategy(volParams(0.2));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook()), out);
    expect(out.volAnnual).toBeNaN();
    expect(out.volMultiplier).toBe(1);
    expectClose(out.bidHalfSpreadBps, 2); // 4 bps / 2; the floor (50 % of 2 ticks = 1 bps) does not bind
  });

  it('the spread is base × σ/σnormal exactly once, clamped to the bounds', () => {
    const strategy = createStrategy(volParams(0.2));
    // Mids alternating 10 000 / 10 010 every second: |r| = ln(1.001) each step.
    for (let i = 0; i <= 20; i++) strategy.observeMid(DAY_START_US + i * 1_000_000, i % 2 === 0 ? 10_000 : 10_010);
    const sigmaAnnual = strategy.volatility.volAnnual();
    expect(sigmaAnnual).toBeGreaterThan(0);
    // Choose σnormal = σ/2: the multiplier must be 2 (a double count would give 2 × (1 + σ/0.01) or 4).
    const configured = volParams(Math.min(20, sigmaAnnual / 2));
    strategy.configure(configured);
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook()), out);
    expectClose(out.volMultiplier, 2);
    expectClose(out.bidHalfSpreadBps, 4, 6);
    // A wild market is capped at maxMultiplier (5), a calm one floored at minMultiplier (0.5).
    strategy.configure(volParams(0.001));
    strategy.quote(inputs(hundredDollarBook()), out);
    expect(out.volMultiplier).toBe(5);
    strategy.configure(volParams(20));
    strategy.quote(inputs(hundredDollarBook()), out);
    expect(out.volMultiplier).toBe(0.5);
  });
});

describe('defect 3: the volatility estimator keeps the last price apart and uses the real interval', () => {
  it('estimates a known series, annualised by the real mean interval of the samples', () => {
    const vol = new MidVolatility(100, 1_000);
    // Observations (s, mid). Sampling needs ≥ 1 s since the previous sample.
    const observations: Array<[number, number]> = [
      [0, 100], [0.4, 250], [1.5, 101], [3.5, 99], [4.0, 500], [5.0, 102], [7.0, 100],
    ];
    for (const [t, mid] of observations) vol.observe(t * 1e6, mid);
    // Samples: t=0 (100), 1.5 (101), 3.5 (99), 5.0 (102), 7.0 (100); 0.4 and 4.0 come too soon and are ignored.
    const r = [Math.log(101 / 100), Math.log(99 / 101), Math.log(102 / 99), Math.log(100 / 102)];
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const std = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const meanInterval = (1.5 + 2 + 1.5 + 2) / 4; // 1.75 s
    expect(vol.returnCount()).toBe(4);
    expectClose(vol.meanIntervalSec(), meanInterval, 12);
    expectClose(vol.stdPerSample(), std, 12);
    expectClose(vol.volAnnual(), std * Math.sqrt((365 * 86_400) / meanInterval), 9);
    expect(vol.secondsPerYear).toBe(SECONDS_PER_YEAR_365);
  });

  it('every return is a log return of prices (the article turned all but the first into garbage)', () => {
    const vol = new MidVolatility(10, 1_000);
    // A steady 1 % rise per 2 s: every return is ln(1.01), so the standard deviation is 0 and the
    // annualisation uses a 2 s interval.
    let price = 100;
    for (let i = 0; i < 8; i++) {
      vol.observe(i * 2e6, price);
      price *= 1.01;
    }
    expectClose(vol.stdPerSample(), 0, 9);
    expectClose(vol.meanIntervalSec(), 2, 12);
  });

  it('rolls the window and honours an equity calendar when asked', () => {
    const vol = new MidVolatility(3, 1_000, 252 * 6.5 * 3_600); // 2 returns kept
    const mids = [100, 110, 100, 101, 100];
    mids.forEach((m, i) => vol.observe(i * 1e6, m));
    const r = [Math.log(101 / 100), Math.log(100 / 101)];
    const std = Math.abs(r[0]! - r[1]!) / Math.sqrt(2);
    expectClose(vol.stdPerSample(), std, 12);
    expectClose(vol.volAnnual(), std * Math.sqrt(252 * 6.5 * 3_600), 9);
  });
});

describe('defect 4: adverse-selection widening happens before rounding', () => {
  it('widening keeps quotes on the tick grid', () => {
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.spread.baseBps = 4;
      p.strategy.adverseSelection.enabled = true;
      p.strategy.adverseSelection.threshold = 0.6;
    }));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook(), { adverseRate: 0.8 }), out);
    // 4 bps × 1.8 = 7.2 bps → 3.6 ticks a side; widened before rounding: 9 996.4 → 9 996, 10 003.6 → 10 004.
    expectClose(out.adverseMultiplier, 1.8);
    expectClose(out.bidHalfSpreadBps, 3.6);
    expect(out.bidPrice).toBe(9_996);
    expect(out.askPrice).toBe(10_004);
    expect(Number.isInteger(out.bidPrice) && Number.isInteger(out.askPrice)).toBe(true);
  });

  it('the risk breaker asks for widening even below the threshold', () => {
    const strategy = createStrategy(plainParams((p) => (p.strategy.adverseSelection.enabled = true)));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook(), { adverseRate: 0.3, adverseBreakerWiden: true }), out);
    expectClose(out.adverseMultiplier, 1.3);
  });

  it('a tripped breaker widens beyond what the strategy already does (the factors compound)', () => {
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.adverseSelection.enabled = true;
      p.strategy.adverseSelection.threshold = 0.6;
    }));
    const own = emptyDecision();
    const both = emptyDecision();
    strategy.quote(inputs(hundredDollarBook(), { adverseRate: 0.95 }), own);
    strategy.quote(inputs(hundredDollarBook(), { adverseRate: 0.95, adverseBreakerWiden: true }), both);
    expectClose(own.adverseMultiplier, 1.95);
    expectClose(both.adverseMultiplier, 1.95 * 1.95);
    expect(both.askPrice - both.bidPrice).toBeGreaterThan(own.askPrice - own.bidPrice);
  });
});

describe('defect 6: the adverse-selection threshold is a parameter, shown against the rate', () => {
  it('a 38 % rate widens only when the threshold is below it', () => {
    const make = (threshold: number) =>
      createStrategy(plainParams((p) => {
        p.strategy.adverseSelection.enabled = true;
        p.strategy.adverseSelection.threshold = threshold;
      }));
    const out = emptyDecision();
    make(0.6).quote(inputs(hundredDollarBook(), { adverseRate: 0.38 }), out);
    expect(out.adverseMultiplier).toBe(1);
    make(0.3).quote(inputs(hundredDollarBook(), { adverseRate: 0.38 }), out);
    expectClose(out.adverseMultiplier, 1.38);
    // Unknown rate (no markouts yet): no widening.
    make(0).quote(inputs(hundredDollarBook(), { adverseRate: Number.NaN }), out);
    expect(out.adverseMultiplier).toBe(1);
  });
});

describe('defect 11: sizes never take |inventory| past the hard limit', () => {
  const strategy = createStrategy(plainParams((p) => {
    p.risk.maxInventoryLots = 1_000;
    p.strategy.size = { baseLots: 100, shrinkWithInventory: false, growingSideFactor: 1 };
  }));
  const out = emptyDecision();

  it('offers only the room left on the growing side', () => {
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: 990 }), out);
    expect(out.bidSize).toBe(10);
    expect(out.askSize).toBe(100);
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: -960 }), out);
    expect(out.askSize).toBe(40);
    expect(out.bidSize).toBe(100);
  });

  it('quotes nothing on that side at and beyond the limit, with the reason', () => {
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: 1_000 }), out);
    expect(out.bidSize).toBe(0);
    expect(out.bidReason).toBe('inventory-limit');
    expect(out.askSize).toBe(100);
    expect(out.askReason).toBeNull();
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: -1_200 }), out);
    expect(out.askSize).toBe(0);
    expect(out.askReason).toBe('inventory-limit');
  });

  it('with sizes shrinking toward the limit, the reducing side still quotes at and beyond it (a lowered limit)', () => {
    const shrinking = createStrategy(plainParams((p) => {
      p.risk.maxInventoryLots = 20;
      p.risk.softInventoryLots = 15;
      p.strategy.size = { baseLots: 100, shrinkWithInventory: true, growingSideFactor: 0.5 };
    }));
    // Long 28 with the hard limit lowered to 20: buying is refused, selling works the position down.
    shrinking.quote(inputs(hundredDollarBook(), { inventoryLots: 28 }), out);
    expect(out.bidSize).toBe(0);
    expect(out.bidReason).toBe('inventory-limit');
    expect(out.askSize).toBe(28);
    expect(out.askReason).toBeNull();
    shrinking.quote(inputs(hundredDollarBook(), { inventoryLots: -20 }), out);
    expect(out.askSize).toBe(0);
    expect(out.bidSize).toBe(20);
    // Inside the limit the article's shrink applies as before (long 10 of 20: half the base size, the
    // ask capped to the 30 lots of room to the short limit, the growing bid halved then capped to 10).
    shrinking.quote(inputs(hundredDollarBook(), { inventoryLots: 10 }), out);
    expect(out.askSize).toBe(30);
    expect(out.bidSize).toBe(10);
  });
});

describe('components', () => {
  it('fair value: top-of-book nudge toward the heavier side, then depth imbalance in bps', () => {
    const book = TestBook.of([[9_999, 300], [9_998, 600]], [[10_001, 100], [10_002, 200]]);
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.fairValue.topOfBookNudge = { enabled: true, ticksPerImbalance: 0.5 };
    }));
    const out = emptyDecision();
    strategy.quote(inputs(book), out);
    // Top imbalance (300 − 100) / 400 = 0.5 → +0.25 tick.
    expectClose(out.fairValue, 10_000.25);
    strategy.configure(plainParams((p) => {
      p.strategy.fairValue.topOfBookNudge = { enabled: true, ticksPerImbalance: 0.5 };
      p.strategy.fairValue.depthImbalance = { enabled: true, levels: 2, sensitivityBps: 2 };
    }));
    strategy.quote(inputs(book), out);
    // Depth: bid 300 + 600/2 = 600, ask 100 + 200/2 = 200 → 0.5; 0.5 × 2 bps of 10 000.25.
    expectClose(out.fairValue, 10_000.25 * (1 + (0.5 * 2) / 10_000));
  });

  it('floor: never tighter than the fraction of the market spread', () => {
    const book = TestBook.of([[9_990, 10]], [[10_010, 10]]); // 20-tick market
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.spread.baseBps = 2; // 2 ticks
      p.strategy.spread.marketFloorFraction = 0.5; // 10 ticks
    }));
    const out = emptyDecision();
    strategy.quote(inputs(book), out);
    expect(out.bidPrice).toBe(9_995);
    expect(out.askPrice).toBe(10_005);
  });

  it('skew: long moves both quotes down, in bps of fair value, proportional to (inventory − target) / max', () => {
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.spread.baseBps = 2;
      p.strategy.skew = { enabled: true, bpsAtMaxInventory: 10 };
      p.risk.maxInventoryLots = 1_000;
      p.risk.targetInventoryLots = 100;
    }));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: 600 }), out);
    // −(600 − 100) / 1 000 × 10 = −5 bps = −5 ticks on 10 000.
    expectClose(out.skewBps, -5);
    expectClose(out.reservation, 9_995);
    expect(out.bidPrice).toBe(9_994);
    // The raw ask 9 996 would cross the 9 999 bid: kept passive at best bid + 1.
    expect(out.askPrice).toBe(10_000);
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: -400 }), out);
    expectClose(out.skewBps, 5);
    expect(out.askPrice).toBe(10_006);
  });

  it('sizes: shrink with |inventory|, the growing side keeps its factor', () => {
    const strategy = createStrategy(plainParams((p) => {
      p.risk.maxInventoryLots = 1_000;
      p.strategy.size = { baseLots: 100, shrinkWithInventory: true, growingSideFactor: 0.5 };
    }));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: 300 }), out);
    expect(out.askSize).toBe(70);
    expect(out.bidSize).toBe(35);
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: -999 }), out);
    expect(out.askSize).toBe(0);
    expect(out.askReason).toBe('zero-size');
    expect(out.bidSize).toBe(0); // floor(100 × 1/1000) = 0
    expect(out.bidReason).toBe('zero-size');
  });

  it('schedule: multiplier in its UTC window, and no quotes in a quote:false window (wrapping midnight)', () => {
    const strategy = createStrategy(plainParams((p) => {
      p.strategy.spread.baseBps = 2;
      p.strategy.schedule = [
        { fromMinuteUtc: 13 * 60 + 30, toMinuteUtc: 14 * 60, spreadMultiplier: 3, quote: true },
        { fromMinuteUtc: 23 * 60, toMinuteUtc: 30, spreadMultiplier: 1, quote: false },
      ];
    }));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook(), { nowUs: DAY_START_US + (13 * 60 + 45) * MINUTE_US }), out);
    expect(out.scheduleMultiplier).toBe(3);
    expectClose(out.bidHalfSpreadBps, 3);
    strategy.quote(inputs(hundredDollarBook(), { nowUs: DAY_START_US + 14 * 60 * MINUTE_US }), out);
    expect(out.scheduleMultiplier).toBe(1);
    strategy.quote(inputs(hundredDollarBook(), { nowUs: DAY_START_US + 10 * MINUTE_US }), out);
    expect(out.bidSize).toBe(0);
    expect(out.askSize).toBe(0);
    expect(out.bidReason).toBe('outside-schedule');
    expect(out.askReason).toBe('outside-schedule');
  });

  it('passive unless taking is allowed', () => {
    const params = (allowTaking: boolean) => plainParams((p) => {
      p.strategy.spread.baseBps = 2;
      p.strategy.skew = { enabled: true, bpsAtMaxInventory: 50 };
      p.strategy.allowTaking = allowTaking;
    });
    const strategy = createStrategy(params(false));
    const out = emptyDecision();
    // Short 800 of 1 000: skew +40 bps = +40 ticks; the bid would cross the 10 001 ask.
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: -800 }), out);
    expect(out.bidPrice).toBe(10_000);
    expect(out.askPrice).toBe(10_041);
    strategy.configure(params(true));
    strategy.quote(inputs(hundredDollarBook(), { inventoryLots: -800 }), out);
    expect(out.bidPrice).toBe(10_039);
  });

  it('a change of model takes effect at the next quote', () => {
    const strategy = createStrategy(plainParams((p) => (p.strategy.spread.baseBps = 2)));
    const out = emptyDecision();
    strategy.quote(inputs(hundredDollarBook()), out);
    const heuristicAsk = out.askPrice;
    strategy.configure(plainParams((p) => {
      p.strategy.model = 'glft';
      p.strategy.glft = { gamma: 0.1, intensity: 'fixed', fixedA: 1, fixedKappa: 0.5 };
    }));
    strategy.quote(inputs(hundredDollarBook()), out);
    expect(out.askPrice).not.toBe(heuristicAsk);
  });
});

describe('volatility window reconfiguration', () => {
  it('keeps the newest returns when the window shrinks, and the same figures when it is unchanged', () => {
    const vol = new MidVolatility(10, 1_000);
    const mids = [100, 101, 103, 102, 104, 101, 100];
    mids.forEach((m, i) => vol.observe(i * 1e6, m));
    const before = vol.stdPerSample();
    vol.reconfigure(10, 1_000);
    expect(vol.stdPerSample()).toBe(before);
    vol.reconfigure(3, 1_000); // 2 returns: the last two
    const r = [Math.log(101 / 104), Math.log(100 / 101)];
    expectClose(vol.stdPerSample(), Math.abs(r[0]! - r[1]!) / Math.sqrt(2), 12);
    expect(vol.returnCount()).toBe(2);
  });
});
