/**
 * Venue details not covered by the captures: public trades with their aggressor side, the factory, the
 * endpoints a connector needs, the instrument parsers, malformed input that must never throw.
 */
import { describe, expect, it } from 'vitest';
import {
  createAdapter,
  knownInstrument,
  knownInstruments,
  parseBinanceExchangeInfo,
  parseBybitInstrumentsInfo,
  parseCoinbaseProduct,
  parseKrakenAssetPairs,
  registerAdapter,
  venueEndpoints,
} from '../../../../src/main/market/adapters/index.js';
import type { MarketTrade } from '../../../../src/main/market/types.js';
import type { AdapterVenue } from '../../../../src/main/market/adapters/types.js';

function tradesOf(venue: AdapterVenue, symbol: string, msgs: unknown[]): MarketTrade[] {
  const a = createAdapter(venue, knownInstrument(venue, symbol)!);
  const out: MarketTrade[] = [];
  a.setSink({ onTrade: (t) => out.push({ ...t }), onFeedEvent: () => undefined });
  for (const m of msgs) a.onMessage('ws', m, 1_700_000_000_000_000);
  return out;
}

describe('public trades', () => {
  it('Binance: m=true (buyer is maker) means a seller aggressed', () => {
    const t = tradesOf('binance-spot', 'NKNUSDT', [
      { stream: 'nknusdt@trade', data: { e: 'trade', E: 1, s: 'NKNUSDT', p: '0.35210000', q: '10.00000000', T: 1633998512000, m: true } },
      { e: 'aggTrade', E: 1, s: 'NKNUSDT', p: '0.35220000', q: '1.5', T: 1633998512001, m: false },
    ]);
    expect(t).toEqual([
      { localUs: 1_700_000_000_000_000, exchUs: 1633998512000000, price: 35210, size: 100, aggressor: 'sell' },
      { localUs: 1_700_000_000_000_000, exchUs: 1633998512001000, price: 35220, size: 15, aggressor: 'buy' },
    ]);
  });

  it('Bybit: S is the taker side', () => {
    const t = tradesOf('bybit-linear', 'BTCUSDT', [
      { topic: 'publicTrade.BTCUSDT', type: 'snapshot', ts: 1, data: [{ T: 1000, s: 'BTCUSDT', S: 'Buy', v: '0.010', p: '65000.10' }, { T: 1001, s: 'BTCUSDT', S: 'Sell', v: '1', p: '65000' }] },
    ]);
    expect(t.map((x) => [x.price, x.size, x.aggressor, x.exchUs])).toEqual([
      [650001, 10, 'buy', 1_000_000],
      [650000, 1000, 'sell', 1_001_000],
    ]);
  });

  it('Kraken: side b = buyer aggressed', () => {
    const t = tradesOf('kraken', 'XBT/CHF', [[0, [['56218.30000', '0.15000000', '1618678117.243818', 'b', 'l', '']], 'trade', 'XBT/CHF']]);
    expect(t).toEqual([{ localUs: 1_700_000_000_000_000, exchUs: 1618678117243818, price: 562183, size: 15_000_000, aggressor: 'buy' }]);
  });

  it('Coinbase: market_trades report the maker side, so the aggressor is the opposite', () => {
    const t = tradesOf('coinbase', 'BTC-USD', [
      {
        channel: 'market_trades',
        timestamp: '2026-08-09T21:05:48.229198328Z',
        sequence_num: 1,
        events: [{ type: 'update', trades: [{ trade_id: '1', product_id: 'BTC-USD', price: '65083.67', size: '0.001', side: 'BUY', time: '2026-08-09T21:05:48.1Z' }, { product_id: 'ETH-USD', price: '1', size: '1', side: 'BUY' }] }],
      },
    ]);
    expect(t).toEqual([{ localUs: 1_700_000_000_000_000, exchUs: Date.UTC(2026, 7, 9, 21, 5, 48, 100) * 1000, price: 6508367, size: 100_000, aggressor: 'sell' }]);
  });
});

describe('robustness', () => {
  const junk: unknown[] = [null, 42, 'text', [], [1], {}, { data: null }, { stream: 'x', data: { e: 'depthUpdate' } }, { topic: 'orderbook.50.BTCUSDT', type: 'delta' }, [1, { a: 'x' }, 'book-10', 'XBT/CHF'], { channel: 'l2_data', events: [null] }];
  for (const venue of ['binance-spot', 'binance-usdm', 'bybit-spot', 'bybit-linear', 'kraken', 'coinbase'] as const) {
    it(`${venue}: never throws on malformed input and counts it`, () => {
      const inst = knownInstruments().find((i) => i.venue === venue)!;
      const a = createAdapter(venue, inst);
      for (const m of junk) expect(() => a.onMessage('ws', m, 1)).not.toThrow();
      expect(() => a.onMessage('rest', { code: -1121, msg: 'Invalid symbol.' }, 1)).not.toThrow();
      expect(a.counters.messages).toBe(junk.length + 1);
      expect(a.counters.malformed + a.counters.dropped).toBeGreaterThan(0);
      expect(a.trusted()).toBe(false);
    });
  }

  it('Binance asks for the snapshot with the REST url as soon as the first diff arrives, and reset forgets the book', () => {
    const a = createAdapter('binance-usdm', knownInstrument('binance-usdm', 'SUSHIUSDT')!, { restBaseUrl: 'http://127.0.0.1:9/' });
    a.onMessage('ws', { e: 'depthUpdate', E: 1, s: 'SUSHIUSDT', U: 10, u: 12, pu: 9, b: [['7.6110', '2']], a: [] }, 1);
    expect(a.takeAction()).toEqual({ type: 'fetch-snapshot', url: 'http://127.0.0.1:9/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000' });
    expect(a.takeAction()).toEqual({ type: 'none' });
    a.onMessage('rest', { lastUpdateId: 11, bids: [['7.6100', '5']], asks: [['7.6200', '3']] }, 2);
    expect(a.trusted()).toBe(true);
    expect(a.book.bestBid()).toBe(7611);
    a.reset(3);
    expect(a.trusted()).toBe(false);
    expect(a.book.levels('bid')).toBe(0);
  });

  it('Binance spot refetches a snapshot older than the buffered stream', () => {
    const a = createAdapter('binance-spot', knownInstrument('binance-spot', 'NKNUSDT')!);
    a.onMessage('ws', { e: 'depthUpdate', E: 1, s: 'NKNUSDT', U: 100, u: 105, b: [], a: [] }, 1);
    a.takeAction();
    a.onMessage('rest', { lastUpdateId: 90, bids: [], asks: [] }, 2);
    expect(a.trusted()).toBe(false);
    expect(a.takeAction().type).toBe('fetch-snapshot');
  });

  it('Bybit: a u=1 message is a snapshot after a service restart', () => {
    const a = createAdapter('bybit-spot', knownInstrument('bybit-spot', 'BTCUSDT')!);
    a.onMessage('ws', { topic: 'orderbook.50.BTCUSDT', type: 'snapshot', ts: 1, data: { s: 'BTCUSDT', b: [['100', '1']], a: [['101', '1']], u: 500 } }, 1);
    a.onMessage('ws', { topic: 'orderbook.50.BTCUSDT', type: 'delta', ts: 2, data: { s: 'BTCUSDT', b: [['99', '1']], a: [], u: 1 } }, 2);
    expect(a.trusted()).toBe(true);
    expect(a.book.levels('bid')).toBe(1);
    expect(a.book.bestBid()).toBe(9900);
  });
});

describe('factory, endpoints, instruments', () => {
  it('lobster needs a registered adapter; registration is honoured', () => {
    const inst = knownInstrument('coinbase', 'BTC-USD')!;
    expect(() => createAdapter('lobster', inst)).toThrow(/registerAdapter/);
    const fake = createAdapter('coinbase', inst);
    registerAdapter('lobster', () => fake);
    expect(createAdapter('lobster', inst)).toBe(fake);
  });

  it('endpoints per venue', () => {
    expect(venueEndpoints('binance-spot', 'NKNUSDT').wsUrl).toBe('wss://stream.binance.com:9443/stream?streams=nknusdt@depth@100ms/nknusdt@trade/nknusdt@bookTicker');
    expect(venueEndpoints('binance-usdm', 'SUSHIUSDT').snapshotUrl()).toBe('https://fapi.binance.com/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000');
    expect(venueEndpoints('bybit-linear', 'BTCUSDT').subscribe).toEqual([{ op: 'subscribe', args: ['orderbook.50.BTCUSDT', 'publicTrade.BTCUSDT'] }]);
    expect(venueEndpoints('bybit-spot', 'BTCUSDT').keepAlive.message).toEqual({ op: 'ping' });
    expect(venueEndpoints('kraken', 'XBT/CHF', { depth: 1000 }).subscribe[0]).toEqual({ event: 'subscribe', pair: ['XBT/CHF'], subscription: { name: 'book', depth: 1000 } });
    expect(venueEndpoints('coinbase', 'BTC-USD').subscribe.map((m) => (m as { channel: string }).channel)).toEqual(['heartbeats', 'level2', 'market_trades']);
    expect(venueEndpoints('coinbase', 'BTC-USD').snapshotUrl()).toBeNull();
  });

  it('every known instrument is on a valid grid', () => {
    expect(knownInstruments().length).toBe(9);
    expect(knownInstrument('kraken', 'XBT/CHF')).toMatchObject({ tickSize: '0.1', priceDecimals: 1, sizeDecimals: 8, quoteCurrency: 'CHF' });
    expect(knownInstrument('kraken', 'DOGE/XBT')).toBeUndefined();
  });

  it('parses the venues instrument endpoints', () => {
    expect(
      parseBinanceExchangeInfo('binance-spot', 'NKNUSDT', {
        symbols: [{ symbol: 'NKNUSDT', quoteAsset: 'USDT', filters: [{ filterType: 'PRICE_FILTER', tickSize: '0.00001000' }, { filterType: 'LOT_SIZE', stepSize: '0.10000000' }] }],
      }),
    ).toMatchObject({ tickSize: '0.00001', lotSize: '0.1', priceDecimals: 5, sizeDecimals: 1 });
    expect(
      parseBybitInstrumentsInfo('bybit-linear', 'BTCUSDT', { result: { list: [{ symbol: 'BTCUSDT', quoteCoin: 'USDT', priceFilter: { tickSize: '0.10' }, lotSizeFilter: { qtyStep: '0.001' } }] } }),
    ).toMatchObject({ tickSize: '0.1', lotSize: '0.001' });
    expect(parseKrakenAssetPairs('XBT/CHF', { result: { XBTCHF: { wsname: 'XBT/CHF', pair_decimals: 1, lot_decimals: 8 } } })).toMatchObject({ tickSize: '0.1', lotSize: '0.00000001' });
    expect(parseCoinbaseProduct('BTC-USD', { product_id: 'BTC-USD', quote_increment: '0.01', base_increment: '0.00000001', quote_currency_id: 'USD' })).toMatchObject({ tickSize: '0.01', lotSize: '0.00000001' });
    expect(() => parseBinanceExchangeInfo('binance-spot', 'XXX', { symbols: [] })).toThrow(/XXX not listed/);
    expect(() => parseCoinbaseProduct('BTC-USD', {})).toThrow(/quote_increment/);
  });
});
