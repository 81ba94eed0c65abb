/**
 * The instrument spec of a capture, in the contract's order: the given spec (checked against every recorded
 * price and size), the venue's answer `record` stored in the capture (any origin, the venue's own parser),
 * the built-in spec, else the finest decimals the capture's own prices and sizes use, with one notice line.
 * Frames are built in each venue's wire shapes; the grid is recomputed here by hand for each case.
 */
import { describe, expect, it } from 'vitest';
import { ReplayFeed, captureInstrument, finestGrid, isInstrumentFrame, marketFrames, InstrumentSpecError, type ReplayFrame } from '../../../../src/main/market/replay/index.js';

let us = 1_700_000_000_000_000;
const ws = (conn: string, msg: unknown): ReplayFrame => ({ localUs: (us += 1_000), kind: 'ws', conn, msg });
const rest = (conn: string, url: string, msg: unknown): ReplayFrame => ({ localUs: (us += 1_000), kind: 'rest', conn, url, msg });

const depth = (u: number, b: Array<[string, string]>, a: Array<[string, string]>): ReplayFrame =>
  ws('BINANCE.ws.1', { stream: 'ethusdt@depth@100ms', data: { e: 'depthUpdate', E: 1, s: 'ETHUSDT', U: u, u, b, a } });
const exchangeInfo = (origin: string, symbol: string, tickSize: string, stepSize: string): ReplayFrame =>
  rest('BINANCE.http.0', `${origin}/api/v3/exchangeInfo?symbol=${symbol}`, {
    symbols: [{ symbol, quoteAsset: 'USDT', filters: [{ filterType: 'PRICE_FILTER', tickSize }, { filterType: 'LOT_SIZE', stepSize }] }],
  });

/** A synced Binance ETHUSDT capture: buffered event 11, snapshot at 11, events 12.. */
function binanceEth(extra: ReplayFrame[] = []): ReplayFrame[] {
  return [
    depth(11, [['2500.10000000', '1.00000000']], []),
    rest('BINANCE.http.0', 'https://api.binance.com/api/v3/depth?symbol=ETHUSDT&limit=1000', {
      lastUpdateId: 11,
      bids: [['2500.10000000', '1.00000000'], ['2499.50000000', '0.25000000']],
      asks: [['2501.00000000', '3.00000000']],
    }),
    depth(12, [['2500.12000000', '0.00050000']], []),
    ws('BINANCE.ws.1', { stream: 'ethusdt@trade', data: { e: 'trade', E: 2, T: 2, s: 'ETHUSDT', t: 1, p: '2501.00000000', q: '0.12300000', m: true } }),
    ...extra,
  ];
}

describe('captureInstrument: the order of sources', () => {
  it('the finest decimals actually used (trailing zeros are not used), with one notice line', () => {
    const r = captureInstrument('binance-spot', 'ETHUSDT', binanceEth());
    // prices 2500.1, 2499.5, 2501, 2500.12 → 2 decimals; sizes 1, 0.25, 3, 0.0005, 0.123 → 4 decimals
    expect(r.instrument).toMatchObject({ tickSize: '0.01', lotSize: '0.0001', symbol: 'ETHUSDT', venue: 'binance-spot' });
    expect(r.source).toBe('grid');
    expect(r.notice).toMatch(/^instrument spec for binance-spot ETHUSDT: .*tick 0\.01 and lot 0\.0001.*--tick-size/);
    expect(r.notice).not.toContain('\n');
  });

  it('the venue answer stored by record wins over the grid and the table, from any origin', () => {
    const frames = [exchangeInfo('http://127.0.0.1:9', 'ETHUSDT', '0.00100000', '0.00001000'), ...binanceEth()];
    expect(captureInstrument('binance-spot', 'ETHUSDT', frames)).toMatchObject({ source: 'recording', notice: null, instrument: { tickSize: '0.001', lotSize: '0.00001' } });
    // Another symbol's answer is not this capture's spec.
    const other = [exchangeInfo('https://api.binance.com', 'BTCUSDT', '0.01', '0.00001'), ...binanceEth()];
    expect(captureInstrument('binance-spot', 'ETHUSDT', other).source).toBe('grid');
  });

  it('the given spec wins over the stored answer, and must hold every recorded price and size', () => {
    const frames = [exchangeInfo('https://api.binance.com', 'ETHUSDT', '0.001', '0.00001'), ...binanceEth()];
    expect(captureInstrument('binance-spot', 'ETHUSDT', frames, { tickSize: '0.02', lotSize: '0.0001' })).toMatchObject({
      source: 'given',
      notice: null,
      instrument: { tickSize: '0.02', lotSize: '0.0001' },
    });
    // 0.05 does not hold 2500.12 (a non-power-of-ten tick is checked price by price, not by decimals).
    expect(() => captureInstrument('binance-spot', 'ETHUSDT', frames, { tickSize: '0.05', lotSize: '0.0001' })).toThrow(/--tick-size 0\.05 does not hold the capture's price "2500\.12000000"/);
    expect(() => captureInstrument('binance-spot', 'ETHUSDT', frames, { tickSize: '0.01', lotSize: '0.001' })).toThrow(/--lot-size 0\.001 does not hold the capture's size "0\.00050000"/);
    for (const bad of ['0', '-0.01', '1e-2', '0.01.0', '']) {
      expect(() => captureInstrument('binance-spot', 'ETHUSDT', frames, { tickSize: bad, lotSize: '0.0001' })).toThrow(InstrumentSpecError);
    }
  });

  it('a known symbol without a stored answer takes the built-in spec, silently', () => {
    const frames = [ws('BINANCE.ws.1', { data: { e: 'depthUpdate', s: 'NKNUSDT', U: 1, u: 1, b: [['0.31000000', '10.00000000']], a: [] } })];
    expect(captureInstrument('binance-spot', 'NKNUSDT', frames)).toMatchObject({ source: 'known', notice: null, instrument: { tickSize: '0.00001', lotSize: '0.1' } });
  });

  it('an unreadable stored answer is said in the notice, and the next source is used', () => {
    const broken = rest('BINANCE.http.0', 'https://api.binance.com/api/v3/exchangeInfo?symbol=ETHUSDT', { code: -1121, msg: 'Invalid symbol.' });
    const r = captureInstrument('binance-spot', 'ETHUSDT', [broken, ...binanceEth()]);
    expect(r.source).toBe('grid');
    expect(r.notice).toMatch(/could not be read \(.*missing field "symbols"\)/);
  });

  it('a LOBSTER recording keeps its format spec; flags that disagree are refused', () => {
    const frames = [ws('LOBSTER.GOOG', { src: 'lobster', sym: 'GOOG' })];
    expect(captureInstrument('lobster', 'GOOG', frames)).toMatchObject({ source: 'known', instrument: { tickSize: '0.01', lotSize: '1' } });
    expect(captureInstrument('lobster', 'GOOG', frames, { tickSize: '0.01', lotSize: '1' }).source).toBe('given');
    expect(() => captureInstrument('lobster', 'GOOG', frames, { tickSize: '0.0001', lotSize: '1' })).toThrow(/LOBSTER recording has tick 0\.01/);
  });
});

describe('finestGrid: every frame, every venue shape, only the symbol asked for', () => {
  it('reads past the first frames: a finer price at the end of a long capture counts', () => {
    const frames: ReplayFrame[] = [];
    for (let i = 0; i < 30_000; i++) frames.push(depth(100 + i, [[`${2000 + (i % 50)}.50000000`, '1.00000000']], []));
    frames.push(depth(200_000, [], [['2100.12500000', '2.50000000']]));
    expect(finestGrid('binance-spot', 'ETHUSDT', frames)).toMatchObject({ tickSize: '0.001', lotSize: '0.1', prices: 30_001 });
  });

  it('Bybit book and trades', () => {
    const frames = [
      ws('BYBIT_LINEAR.ws.1', { topic: 'orderbook.50.SOLUSDT', type: 'snapshot', data: { s: 'SOLUSDT', b: [['150.10', '2.0']], a: [['150.20', '1.5']], u: 1 } }),
      ws('BYBIT_LINEAR.ws.1', { topic: 'publicTrade.SOLUSDT', data: [{ p: '150.155', v: '0.01', S: 'Buy', T: 1 }] }),
      ws('BYBIT_LINEAR.ws.1', { topic: 'orderbook.50.BTCUSDT', type: 'delta', data: { s: 'BTCUSDT', b: [['65000.0001', '0.000001']], a: [], u: 2 } }),
    ];
    expect(finestGrid('bybit-linear', 'SOLUSDT', frames)).toMatchObject({ tickSize: '0.001', lotSize: '0.01' });
  });

  it('Kraken snapshots, updates (two payloads) and trades; not the timestamps', () => {
    const frames = [
      ws('KRAKEN.ws.1', [1, { as: [['0.52010000', '100.00000000', '1700000000.123456']], bs: [['0.52000000', '5.50000000', '1700000000.123456']] }, 'book-10', 'DOT/EUR']),
      ws('KRAKEN.ws.1', [1, { a: [['0.52030000', '1.25000000', '1700000001.000001', 'r']] }, { b: [['0.51990000', '0.00000000', '1700000001.000002']], c: '123' }, 'book-10', 'DOT/EUR']),
      ws('KRAKEN.ws.1', [2, [['0.52015000', '7.12300000', '1700000002.5', 's', 'l', '']], 'trade', 'DOT/EUR']),
    ];
    expect(finestGrid('kraken', 'DOT/EUR', frames)).toMatchObject({ tickSize: '0.00001', lotSize: '0.001' });
  });

  it('Coinbase level2, trades and tickers of the product asked for only', () => {
    const frames = [
      ws('COINBASE.ws.1', { channel: 'l2_data', events: [{ type: 'snapshot', product_id: 'SOL-USD', updates: [{ side: 'bid', price_level: '150.1', new_quantity: '2.5' }] }] }),
      ws('COINBASE.ws.1', { channel: 'l2_data', events: [{ type: 'update', product_id: 'BTC-USD', updates: [{ side: 'bid', price_level: '65000.123456', new_quantity: '0.00000001' }] }] }),
      ws('COINBASE.ws.1', { channel: 'market_trades', events: [{ trades: [{ product_id: 'SOL-USD', price: '150.12', size: '0.125', side: 'BUY', time: '2024-01-01T00:00:00Z' }] }] }),
      ws('COINBASE.ws.1', { channel: 'ticker', events: [{ tickers: [{ product_id: 'SOL-USD', best_bid: '150.105', best_ask: '150.2' }] }] }),
    ];
    expect(finestGrid('coinbase', 'SOL-USD', frames)).toMatchObject({ tickSize: '0.001', lotSize: '0.001' });
  });
});

describe('the stored venue answer is not market data', () => {
  it('is recognised by path and query on any origin, for the right symbol only', () => {
    const answer = exchangeInfo('http://127.0.0.1:40123', 'ETHUSDT', '0.01', '0.0001');
    expect(isInstrumentFrame('binance-spot', 'ETHUSDT', answer)).toBe(true);
    expect(isInstrumentFrame('binance-spot', 'BTCUSDT', answer)).toBe(false);
    expect(isInstrumentFrame('binance-usdm', 'ETHUSDT', answer)).toBe(false);
    const frames = [answer, ...binanceEth()];
    expect(marketFrames('binance-spot', 'ETHUSDT', frames)).toEqual(frames.slice(1));
  });

  it('a replay never feeds it to the adapter: nothing malformed, the book as without it', async () => {
    const listener = { onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined };
    const withAnswer = new ReplayFeed([exchangeInfo('https://api.binance.com', 'ETHUSDT', '0.01', '0.0001'), ...binanceEth()], { autoplay: false, timeTickMs: 0 });
    const without = new ReplayFeed(binanceEth(), { autoplay: false, timeTickMs: 0, instrumentSpec: { tickSize: '0.01', lotSize: '0.0001' } });
    for (const feed of [withAnswer, without]) {
      await feed.start(listener);
      feed.runToEnd();
    }
    expect(withAnswer.instrumentSource).toBe('recording');
    expect(without.instrumentSource).toBe('given');
    expect(withAnswer.view().eventCount).toBe(without.view().eventCount);
    expect(withAnswer.adapter.counters.malformed).toBe(0);
    expect(withAnswer.trusted()).toBe(true);
    expect([withAnswer.book.bestBid(), withAnswer.book.bestAsk()]).toEqual([250_012, 250_100]);
    expect([without.book.bestBid(), without.book.bestAsk()]).toEqual([250_012, 250_100]);
  });
});
