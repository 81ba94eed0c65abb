/**
 * The analytics core against hand-computed figures: PnL by average cost (flips, fees, rebates), markouts
 * on the event clock from the instant of execution, the mid prevailing just before an instant, the
 * conditions under which a figure is n/a, and one test per seed-notes defect the analytics own (5, 7, 8, 11).
 */
import { describe, expect, it } from 'vitest';
import { US_EQUITY_CALENDAR, createAnalytics, tradingCalendarFor, type AnalyticsFill, type DeskAnalytics, type TradingCalendar } from '../../../src/main/analytics/index.js';
import { METRIC_NAMES, type MarkoutHorizon } from '../../../src/shared/contract.js';

const SEC = 1_000_000;
/** 2024-03-01T10:00:00Z, in µs. */
const T0 = Date.UTC(2024, 2, 1, 10, 0, 0) * 1_000;

let nextId = 0;
function fill(p: Partial<AnalyticsFill> & Pick<AnalyticsFill, 'side' | 'price' | 'size'>): AnalyticsFill {
  nextId++;
  return {
    fillId: p.fillId ?? `f${nextId}`,
    clientOrderId: p.clientOrderId ?? `o${nextId}`,
    side: p.side,
    price: p.price,
    size: p.size,
    fee: p.fee ?? 0,
    liquidity: p.liquidity ?? 'maker',
    exchUs: p.exchUs ?? p.localUs ?? T0,
    localUs: p.localUs ?? T0,
    midAtFill: p.midAtFill ?? p.price,
    fairValueAtFill: p.fairValueAtFill ?? p.midAtFill ?? p.price,
  };
}

function make(opts: { tick?: string; lot?: string; start?: number; horizon?: MarkoutHorizon; interval?: number; minIntervals?: number; calendar?: TradingCalendar } = {}): DeskAnalytics {
  return createAnalytics({
    tickSize: opts.tick ?? '0.01',
    lotSize: opts.lot ?? '1',
    sessionStartUs: opts.start ?? T0,
    adverseHorizonSec: opts.horizon ?? 1,
    sharpeIntervalSec: opts.interval ?? 60,
    ...(opts.minIntervals !== undefined ? { sharpeMinIntervals: opts.minIntervals } : {}),
    ...(opts.calendar ? { calendar: opts.calendar } : {}),
  });
}

describe('PnL ledger (defect 11: fees, realised vs unrealised)', () => {
  it('books a flip through zero by average cost, with rebates and taker fees', () => {
    const a = make();
    a.onFill(fill({ side: 'buy', price: 10_000, size: 10, fee: -0.02 })); // $100.00, rebate 2 cents
    a.onFill(fill({ side: 'buy', price: 10_010, size: 10, fee: -0.02 })); // avg 100.05
    a.onFill(fill({ side: 'sell', price: 10_020, size: 30, fee: 0.5, liquidity: 'taker' })); // closes 20, opens short 10 @ 100.20
    const pos = a.position();
    expect(pos.inventoryLots).toBe(-10);
    // cash = (−1000.00 − 1001.00 + 3006.00) − 0.46
    expect(pos.cash).toBeCloseTo(1005 - 0.46, 9);
    const pnl = a.pnl(10_030);
    expect(pnl.realized).toBeCloseTo((100.2 - 100.05) * 20, 9); // 3.00
    expect(pnl.unrealized).toBeCloseTo(-10 * (100.3 - 100.2), 9); // −1.00
    expect(pnl.fees).toBeCloseTo(0.46, 12);
    expect(pnl.total).toBeCloseTo(3 - 1 - 0.46, 9);
    // total ≡ cash + inventory × mark
    expect(pnl.total).toBeCloseTo(pos.cash + -10 * 100.3, 9);
  });

  it('keeps realised PnL apart from the mark: a mid move changes only unrealised', () => {
    const a = make();
    a.onFill(fill({ side: 'buy', price: 10_000, size: 4 }));
    a.onFill(fill({ side: 'sell', price: 10_050, size: 2 }));
    const at100 = a.pnl(10_000);
    const at102 = a.pnl(10_200);
    expect(at100.realized).toBeCloseTo(1.0, 9); // 2 × $0.50
    expect(at102.realized).toBeCloseTo(1.0, 9);
    expect(at100.unrealized).toBeCloseTo(0, 9);
    expect(at102.unrealized).toBeCloseTo(2 * 2.0, 9);
  });

  it('a rebate is a negative fee and raises total PnL; a fee lowers it', () => {
    const rebate = make();
    rebate.onFill(fill({ side: 'buy', price: 10_000, size: 100, fee: -0.2 }));
    const fee = make();
    fee.onFill(fill({ side: 'buy', price: 10_000, size: 100, fee: 3 }));
    expect(rebate.pnl(10_000).total).toBeCloseTo(0.2, 12);
    expect(fee.pnl(10_000).total).toBeCloseTo(-3, 12);
    expect(rebate.metrics(T0).fees).toBeCloseTo(-0.2, 12);
  });

  it('converts with the instrument grid: fractional lots and a non-decimal tick', () => {
    const a = make({ tick: '0.5', lot: '0.001' });
    a.onFill(fill({ side: 'buy', price: 200_000, size: 2_500 })); // 2.5 units at 100 000.0
    expect(a.position().cash).toBeCloseTo(-250_000, 6);
    expect(a.pnl(200_002).unrealized).toBeCloseTo(2.5 * 1.0, 9);
    const m = a.metrics(T0);
    expect(m.volumeTraded).toBeCloseTo(2.5, 12);
    expect(m.maxInventory).toBeCloseTo(2.5, 12);
  });
});

describe('markouts on the event clock, from the instant of execution (defect 5)', () => {
  it('resolves once the clock reaches execution + h, with the mid prevailing just BEFORE that instant', () => {
    const a = make();
    a.onMark(T0 - 1, 10_000);
    a.onFill(fill({ fillId: 'b1', side: 'buy', price: 9_999, size: 1, localUs: T0, midAtFill: a.midBefore(T0) }));
    expect(a.onMark(T0 + SEC / 2, 10_002)).toEqual([]);
    expect(a.onMark(T0 + SEC - 1, 10_004)).toEqual([]);
    // The mark at 1.2 s carries a newer mid; the mid just before fill + 1 s was 10 004.
    const r = a.onMark(T0 + 1.2 * SEC, 10_050).map((m) => ({ ...m }));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ fillId: 'b1', horizonSec: 1, midAfter: 10_004 });
    expect(r[0]?.markoutBps).toBeCloseTo(4, 9);
    // A mark stamped exactly at the due instant resolves it, but its own mid is not "before" that instant.
    const r5 = a.onMark(T0 + 5 * SEC, 9_990).map((m) => ({ ...m }));
    expect(r5).toEqual([{ fillId: 'b1', horizonSec: 5, markoutBps: expect.closeTo(50, 9) as number, midAfter: 10_050 }]);
    expect(a.onMark(T0 + 29 * SEC, 9_990)).toEqual([]);
    const r30 = a.onMark(T0 + 30 * SEC, 10_020).map((m) => ({ ...m }));
    expect(r30).toEqual([{ fillId: 'b1', horizonSec: 30, markoutBps: expect.closeTo(-10, 9) as number, midAfter: 9_990 }]);
    const r60 = a.onMark(T0 + 100 * SEC, 10_020).map((m) => ({ ...m }));
    expect(r60).toEqual([{ fillId: 'b1', horizonSec: 60, markoutBps: expect.closeTo(20, 9) as number, midAfter: 10_020 }]);
  });

  it('takes the mid at execution and starts the horizon there, however late the report arrives', () => {
    const a = make();
    a.onMark(T0 - 10, 10_000);
    // Executed at T0; a bid posted 2 ms later moves the mid; the report arrives 50 ms after execution.
    a.onMark(T0 + 2_000, 10_010);
    const late = fill({ fillId: 'late', side: 'buy', price: 9_999, size: 1, exchUs: T0, localUs: T0 + 50_000, midAtFill: a.midBefore(T0) });
    expect(late.midAtFill).toBe(10_000);
    a.onFill(late);
    expect(a.metrics(T0 + 50_000).avgSpreadCapturedBps).toBeCloseTo(1, 9);
    a.onMark(T0 + SEC - 1, 10_020);
    // Execution + 1 s has passed (receipt + 1 s has not): the 1 s markout is known, from the mid before T0 + 1 s.
    const r = a.onMark(T0 + SEC + 20_000, 10_030).map((m) => ({ ...m }));
    expect(r).toEqual([{ fillId: 'late', horizonSec: 1, markoutBps: expect.closeTo(20, 9) as number, midAfter: 10_020 }]);
  });

  it('a report that arrives after its horizon is resolved at the next mark from the mids it missed', () => {
    const a = make();
    a.onMark(T0 - 1, 10_000);
    a.onMark(T0 + SEC / 2, 10_005);
    a.onMark(T0 + 1.5 * SEC, 10_008);
    a.onFill(fill({ fillId: 'slow', side: 'sell', price: 10_001, size: 1, exchUs: T0, localUs: T0 + 2 * SEC, midAtFill: a.midBefore(T0) }));
    const r = a.onMark(T0 + 2.1 * SEC, 10_008).map((m) => ({ ...m }));
    expect(r).toEqual([{ fillId: 'slow', horizonSec: 1, markoutBps: expect.closeTo(-5, 9) as number, midAfter: 10_005 }]);
  });

  it('midBefore: marks stamped at the instant itself are not before it; an unknown past is NaN, never a guess', () => {
    const a = make();
    expect(a.midBefore(T0)).toBeNaN();
    a.onMark(T0 + 100, 10_000);
    a.onMark(T0 + 200, 10_002);
    a.onMark(T0 + 200, 10_004); // another message in the same microsecond
    a.onMark(T0 + 300, 10_004); // unchanged
    a.onMark(T0 + 300, 10_006);
    expect(a.midBefore(T0 + 100)).toBeNaN();
    expect(a.midBefore(T0 + 101)).toBe(10_000);
    expect(a.midBefore(T0 + 200)).toBe(10_000);
    expect(a.midBefore(T0 + 201)).toBe(10_004);
    expect(a.midBefore(T0 + 300)).toBe(10_004);
    expect(a.midBefore(T0 + 10 * SEC)).toBe(10_006);
    // A small history forgets the oldest changes: the mid before them is unknown, and a markout due there is dropped.
    const small = createAnalytics({ tickSize: '0.01', lotSize: '1', sessionStartUs: T0, adverseHorizonSec: 1, midHistoryCapacity: 4 });
    small.onMark(T0, 10_000);
    const atExecution = small.midBefore(T0 + 1);
    for (let i = 1; i <= 7; i++) small.onMark(T0 + i * SEC, 10_000 + i);
    expect(small.midBefore(T0 + 1)).toBeNaN();
    expect(small.midBefore(T0 + 7.5 * SEC)).toBe(10_007);
    // Reported 7.5 s after its execution: the mid before execution + 1 s is gone, the one before + 5 s is held.
    small.onFill(fill({ fillId: 'x', side: 'buy', price: 9_999, size: 1, exchUs: T0 + 1, localUs: T0 + 7.5 * SEC, midAtFill: atExecution }));
    expect(small.onMark(T0 + 8 * SEC, 10_008).map((m) => [m.horizonSec, m.midAfter])).toEqual([[5, 10_005]]);
    expect(small.droppedMarkouts()).toBe(1);
  });

  it('signs a sell markout in our favour when the mid falls', () => {
    const a = make();
    a.onMark(T0 - 1, 10_000);
    a.onFill(fill({ side: 'sell', price: 10_001, size: 1, localUs: T0, midAtFill: 10_000 }));
    a.onMark(T0 + SEC - 1, 9_995);
    const r = a.onMark(T0 + SEC, 9_995);
    expect(r[0]?.markoutBps).toBeCloseTo(5, 9);
  });

  it('measures each fill against the mid AFTER it, not the mid at the previous fill', () => {
    const a = make({ horizon: 1 });
    // Sell at mid 100.00; the market rallies; buy at 100.50; the market falls back to 100.20.
    a.onMark(T0 - 1, 10_000);
    a.onFill(fill({ side: 'sell', price: 10_001, size: 1, localUs: T0, midAtFill: 10_000 }));
    a.onMark(T0 + 0.4 * SEC, 10_050);
    a.onFill(fill({ side: 'buy', price: 10_049, size: 1, localUs: T0 + 0.5 * SEC, midAtFill: 10_050 }));
    a.onMark(T0 + 0.7 * SEC, 10_020);
    a.onMark(T0 + 2 * SEC, 10_020);
    // The article's rule (mid at this fill − mid at the previous fill, +50 for a buy) calls the buy benign.
    // Its markout: 100.20 − 100.50 → adverse. The sell: −(100.20 − 100.00) → adverse.
    const rate = a.adverseRate(1, 100);
    expect(rate.count).toBe(2);
    expect(rate.rate).toBe(1);
    expect(rate.avgAdverseMoveBps).toBeCloseTo((20 / 10_000 * 1e4 + 30 / 10_050 * 1e4) / 2, 9);
    const m = a.metrics(T0 + 2 * SEC);
    expect(m.adverseSelectionRate).toBe(1);
    expect(m.adverseHorizonSec).toBe(1);
    expect(m.markouts.buy['1s'].count).toBe(1);
    expect(m.markouts.buy['1s'].meanBps).toBeCloseTo((-30 / 10_050) * 1e4, 9);
    expect(m.markouts.sell['1s'].meanBps).toBeCloseTo(-20, 9);
    expect(m.markouts.all['5s'].count).toBe(0);
    expect(m.markouts.all['5s'].meanBps).toBeNaN();
    expect(m.markouts.all['5s'].adverseRate).toBeNaN();
  });

  it('counts only fills with a KNOWN markout in the window, the most recent first', () => {
    const a = make();
    a.onMark(T0 - 1, 10_000);
    for (let i = 0; i < 5; i++) {
      a.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: T0 + i * SEC, midAtFill: 10_000 }));
      // Alternating: the 1 s markout of fill i is the mid just before T0 + (i + 1) s.
      a.onMark(T0 + (i + 1) * SEC - 1, i % 2 === 0 ? 9_999 : 10_001);
      a.onMark(T0 + (i + 1) * SEC, 10_000);
    }
    expect(a.adverseRate(1, 100)).toMatchObject({ count: 5, rate: 3 / 5 });
    expect(a.adverseRate(1, 2)).toMatchObject({ count: 2, rate: 1 / 2 });
    expect(a.adverseRate(5, 100)).toMatchObject({ count: 1, rate: 1 }); // fill 0 only: the mid before T0 + 5 s is 9 999
    expect(a.adverseRate(30, 100)).toMatchObject({ count: 0 });
    expect(Number.isNaN(a.adverseRate(30, 100).rate)).toBe(true);
  });

  it('a fill without a mid never gets a markout', () => {
    const a = make();
    a.onMark(T0 - 1, 10_000);
    a.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: T0, midAtFill: Number.NaN }));
    expect(a.onMark(T0 + 120 * SEC, 10_000)).toEqual([]);
    expect(a.metrics(T0 + 120 * SEC).markouts.all['1s'].count).toBe(0);
  });
});

describe('statistics table (defects 7, 8)', () => {
  it('spread captured is mid − price for a buy and price − mid for a sell, in bps of the mid at the fill', () => {
    const a = make();
    // Our quotes are 4 ticks apart, but that is NOT the spread captured.
    a.onFill(fill({ side: 'buy', price: 9_998, size: 1, midAtFill: 10_000.5 }));
    a.onFill(fill({ side: 'sell', price: 10_002, size: 1, midAtFill: 10_001 }));
    const expected = ((2.5 / 10_000.5) * 1e4 + (1 / 10_001) * 1e4) / 2;
    expect(a.metrics(T0).avgSpreadCapturedBps).toBeCloseTo(expected, 9);
  });

  it('Sharpe comes from PnL per fixed interval, annualised on the instrument calendar, and says so', () => {
    const a = make({ interval: 60, minIntervals: 3 });
    a.onMark(T0, 10_000);
    a.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: T0, midAtFill: 10_000 }));
    a.onMark(T0 + 59 * SEC, 10_001); // interval 0: +0.01
    a.onMark(T0 + 119 * SEC, 10_004); // interval 1: +0.03
    expect(a.metrics(T0 + 119 * SEC).sharpe).toBeNaN();
    expect(a.metrics(T0 + 119 * SEC).sharpeBasis).toMatch(/^n\/a \(1 of 3 intervals\)/);
    a.onMark(T0 + 179 * SEC, 10_006); // interval 2: +0.02
    a.onMark(T0 + 181 * SEC, 10_006); // closes interval 2
    const m = a.metrics(T0 + 181 * SEC);
    expect(m.sharpe).toBeCloseTo((0.02 / 0.01) * Math.sqrt(525_600), 6);
    expect(m.sharpeIntervals).toBe(3);
    expect(m.sharpeMinIntervals).toBe(3);
    expect(m.sharpeBasis).toContain('60 s interval');
    expect(m.sharpeBasis).toContain('√525600');
    expect(m.sharpeBasis).toContain('365 days × 24 h');
    // The same PnL on an equity's calendar: 252 days × 6.5 h of 60 s intervals a year.
    const e = make({ interval: 60, minIntervals: 3, calendar: US_EQUITY_CALENDAR });
    e.onMark(T0, 10_000);
    e.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: T0, midAtFill: 10_000 }));
    for (const [t, mid] of [[59, 10_001], [119, 10_004], [179, 10_006], [181, 10_006]] as const) e.onMark(T0 + t * SEC, mid);
    expect(e.metrics(T0 + 181 * SEC).sharpe).toBeCloseTo(2 * Math.sqrt(98_280), 6);
    expect(e.metrics(T0 + 181 * SEC).tradingCalendar).toBe('252 days × 6.5 h (US equities)');
    expect(tradingCalendarFor('lobster')).toBe(US_EQUITY_CALENDAR);
    expect(tradingCalendarFor('binance-spot').secondsPerYear).toBe(365 * 86_400);
  });

  it('shows no Sharpe ratio below 30 intervals by default, nor for intervals without variation', () => {
    const a = make({ interval: 60 });
    a.onMark(T0, 10_000);
    a.onMark(T0 + 29.5 * 60 * SEC, 10_000);
    const early = a.metrics(T0 + 29.5 * 60 * SEC);
    expect(early.sharpe).toBeNaN();
    expect(early.sharpeIntervals).toBe(29);
    expect(early.sharpeMinIntervals).toBe(30);
    expect(early.sharpeBasis).toMatch(/^n\/a \(29 of 30 intervals\)/);
    a.onMark(T0 + 31 * 60 * SEC, 10_000);
    const flat = a.metrics(T0 + 31 * 60 * SEC);
    expect(flat.sharpe).toBeNaN();
    expect(flat.sharpeBasis).toMatch(/^n\/a \(no variation over 31 intervals\)/);
  });

  it('counts quiet intervals as zero PnL', () => {
    const a = make({ interval: 60, minIntervals: 3 });
    a.onMark(T0, 10_000);
    a.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: T0, midAtFill: 10_000 }));
    a.onMark(T0 + 30 * SEC, 10_002); // interval 0: +0.02
    a.onMark(T0 + 200 * SEC, 10_002); // intervals 1, 2: 0; interval 3 open
    const m = a.metrics(T0 + 200 * SEC);
    const mean = 0.02 / 3;
    const sd = Math.sqrt(((0.02 - mean) ** 2 + 2 * mean ** 2) / 2);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(525_600), 6);
  });

  it('win rate is defined: share of fills with a positive markout at the chosen horizon', () => {
    const a = make({ horizon: 5 });
    a.onMark(T0 - 1, 10_000);
    a.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: T0, midAtFill: 10_000 }));
    a.onFill(fill({ side: 'sell', price: 10_000, size: 1, localUs: T0, midAtFill: 10_000 }));
    a.onMark(T0 + SEC, 10_003);
    a.onFill(fill({ side: 'sell', price: 10_000, size: 1, localUs: T0 + 2 * SEC, midAtFill: 10_003 }));
    a.onMark(T0 + 10 * SEC, 10_003);
    const m = a.metrics(T0 + 10 * SEC);
    // buy: +3 ticks → win; sell at 10 000: −3 → adverse; sell at 10 003: 0 → neither.
    expect(m.winRate).toBeCloseTo(1 / 3, 12);
    expect(m.adverseSelectionRate).toBeCloseTo(1 / 3, 12);
    expect(m.winRateDefinition).toContain('3 fills with a known 5 s markout whose markout is > 0');
    expect(m.definitions.adverseSelectionRate).toContain('3 fills with a known 5 s markout whose markout is < 0');
    a.setAdverseHorizon(1);
    expect(a.metrics(T0 + 10 * SEC).adverseHorizonSec).toBe(1);
  });

  it('says n/a (NaN), never 0, for every rate of a session without fills, and defines every figure', () => {
    const a = make();
    a.onMark(T0, 10_000);
    a.onMark(T0 + 10 * SEC, 10_001);
    const m = a.metrics(T0 + 10 * SEC);
    for (const value of [m.winRate, m.adverseSelectionRate, m.avgSpreadCapturedBps, m.avgAdverseMoveBps, m.inventoryTurnover, m.fillRatio, m.sharpe]) expect(value).toBeNaN();
    for (const side of ['buy', 'sell', 'all'] as const) for (const h of ['1s', '5s', '30s', '60s'] as const) expect(m.markouts[side][h]).toEqual({ count: 0, meanBps: Number.NaN, adverseRate: Number.NaN });
    expect([m.numFills, m.totalPnl, m.dailyPnl, m.avgInventory, m.maxInventory, m.fees, m.volumeTraded, m.maxDrawdown]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(m.sharpeBasis).toMatch(/^n\/a \(0 of 30 intervals\)/);
    expect(Object.keys(m.definitions).sort()).toEqual([...METRIC_NAMES].sort());
    for (const name of METRIC_NAMES) expect(m.definitions[name].length, name).toBeGreaterThan(30);
    // JSON (the HTTP API, the stream) turns every n/a into null.
    const json = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
    expect(json['winRate']).toBeNull();
    expect(json['sharpe']).toBeNull();
  });

  it('time-weights inventory, and derives turnover, fill ratio, drawdown, daily PnL and the hourly rows', () => {
    const a = make({ lot: '0.1' });
    for (let i = 0; i < 3; i++) a.onOrderPlaced();
    a.onFill(fill({ clientOrderId: 'A', side: 'buy', price: 10_000, size: 60, localUs: T0 }));
    a.onFill(fill({ clientOrderId: 'A', side: 'buy', price: 10_000, size: 40, localUs: T0 })); // same order
    a.onMark(T0 + 20 * SEC, 9_990); // −10 ticks × 100 lots × 0.01 × 0.1 = −1.00
    a.onMark(T0 + 40 * SEC, 10_010); // +1.00
    a.onFill(fill({ clientOrderId: 'B', side: 'sell', price: 10_010, size: 100, localUs: T0 + 50 * SEC, midAtFill: 10_010 }));
    const m = a.metrics(T0 + 100 * SEC);
    expect(m.avgInventory).toBeCloseTo((10 * 50) / 100, 9); // 10 units for 50 s of 100 s
    expect(m.maxInventory).toBeCloseTo(10, 12);
    expect(m.volumeTraded).toBeCloseTo(20, 12);
    expect(m.inventoryTurnover).toBeCloseTo(20 / 5, 9);
    expect(m.numFills).toBe(3);
    expect(m.fillRatio).toBeCloseTo(2 / 3, 12);
    expect(m.totalPnl).toBeCloseTo(1.0, 9);
    expect(m.maxDrawdown).toBeCloseTo(1.0, 9);
    expect(m.dailyPnl).toBeCloseTo(1.0, 9);
    // No mark preceded the first fills' execution + 1 s, so their markouts are unknown: the hour's adverse rate is n/a.
    expect(m.hourly).toEqual([{ hourUtc: 10, fills: 3, adverseRate: Number.NaN, pnl: expect.closeTo(1.0, 9) as number, avgSpreadCapturedBps: 0 }]);
  });

  it('daily PnL restarts at the UTC day boundary', () => {
    const start = Date.UTC(2024, 2, 1, 23, 59, 0) * 1_000;
    const a = make({ start });
    a.onFill(fill({ side: 'buy', price: 10_000, size: 1, localUs: start, midAtFill: 10_000 }));
    a.onMark(start + 30 * SEC, 10_005); // +0.05 on day 1
    a.onMark(start + 90 * SEC, 10_007); // day 2: +0.02
    const m = a.metrics(start + 90 * SEC);
    expect(m.totalPnl).toBeCloseTo(0.07, 9);
    expect(m.dailyPnl).toBeCloseTo(0.02, 9);
    expect(m.hourly.map((r) => r.hourUtc)).toEqual([0, 23]);
  });
});

describe('replay seeks', () => {
  it('a discontinuity abandons pending markouts and keeps the jump out of the time averages', () => {
    const a = make({ interval: 60 });
    a.onMark(T0 - 1, 10_000);
    a.onFill(fill({ side: 'buy', price: 10_000, size: 2, localUs: T0, midAtFill: 10_000 }));
    a.onMark(T0 + 10 * SEC, 10_001);
    a.onDiscontinuity(T0 - 3_600 * SEC); // seek back an hour
    expect(a.onMark(T0 - 3_590 * SEC, 10_050)).toEqual([]);
    expect(a.onMark(T0 + 7_200 * SEC, 10_050)).toEqual([]); // nothing pending any more
    const m = a.metrics(T0 + 7_200 * SEC);
    expect(m.markouts.all['1s'].count).toBe(1); // resolved before the seek
    expect(m.avgInventory).toBeCloseTo(2, 9); // 2 lots held over all the event time that was played
    expect(a.position().inventoryLots).toBe(2);
  });
});

describe('restore after a restart', () => {
  it('rebuilds position, cash, realised PnL, fees and the stored markouts without recomputing them', () => {
    const fills = [
      fill({ fillId: 'r1', side: 'buy', price: 10_000, size: 5, fee: -0.01, localUs: T0, midAtFill: 10_000.5 }),
      fill({ fillId: 'r2', side: 'sell', price: 10_020, size: 8, fee: 0.3, localUs: T0 + SEC, midAtFill: 10_019.5 }),
    ];
    const live = make();
    for (const f of fills) live.onFill(f);
    const restored = make();
    restored.restore(fills, [{ fillId: 'r1', horizonSec: 1, markoutBps: -2, midAfter: 10_000.3 }]);
    expect(restored.position()).toEqual(live.position());
    expect(restored.pnl(10_010)).toEqual(live.pnl(10_010));
    // Marks after the restart never produce markouts for the restored fills.
    expect(restored.onMark(T0 + 120 * SEC, 10_010)).toEqual([]);
    const m = restored.metrics(T0 + 120 * SEC);
    expect(m.numFills).toBe(2);
    expect(m.markouts.buy['1s']).toEqual({ count: 1, meanBps: -2, adverseRate: 1 });
    expect(() => restored.restore(fills)).toThrow(/fresh/);
  });
});
