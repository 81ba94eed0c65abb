/**
 * The symbol filters (parsed from exchangeInfo answers shaped as the docs print them, and checked exactly
 * at every boundary), the error table (each documented reject named in the docs maps to what the caller
 * must do, HTTP 429/418/5XX first), and the rate-limit accounting from the venue's headers and arrays.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayOrder } from '../../../../src/main/execution/live/gateway.js';
import { classifyVenueCode, describeVenueError, gatewayErrorFor } from '../../../../src/main/execution/venues/binance/errors.js';
import { parseRateLimits, RateLimitTracker } from '../../../../src/main/execution/venues/binance/rate-limits.js';
import { checkOrder, parseSymbolRules } from '../../../../src/main/execution/venues/binance/rules.js';

const SPOT_INFO = {
  timezone: 'UTC',
  serverTime: 1565246363776,
  rateLimits: [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
  ],
  exchangeFilters: [],
  symbols: [
    {
      symbol: 'ETHBTC',
      status: 'TRADING',
      baseAsset: 'ETH',
      quoteAsset: 'BTC',
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.00000100', maxPrice: '100000.00000000', tickSize: '0.00000100' },
        { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '1.2', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.8', avgPriceMins: 1 },
        { filterType: 'LOT_SIZE', minQty: '0.00100000', maxQty: '100000.00000000', stepSize: '0.00100000' },
        { filterType: 'NOTIONAL', minNotional: '0.00100000', applyMinToMarket: false, maxNotional: '10000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 25 },
      ],
      defaultSelfTradePreventionMode: 'NONE',
      allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    },
  ],
};

const USDM_INFO = {
  rateLimits: [
    { interval: 'MINUTE', intervalNum: 1, limit: 2400, rateLimitType: 'REQUEST_WEIGHT' },
    { interval: 'MINUTE', intervalNum: 1, limit: 1200, rateLimitType: 'ORDERS' },
  ],
  symbols: [
    {
      symbol: 'BLZUSDT',
      status: 'TRADING',
      baseAsset: 'BLZ',
      quoteAsset: 'USDT',
      filters: [
        { filterType: 'PRICE_FILTER', maxPrice: '300', minPrice: '0.0001', tickSize: '0.0001' },
        { filterType: 'LOT_SIZE', maxQty: '10000000', minQty: '1', stepSize: '1' },
        { filterType: 'MIN_NOTIONAL', notional: '5.0' },
        { filterType: 'PERCENT_PRICE', multiplierUp: '1.1500', multiplierDown: '0.8500', multiplierDecimal: '4' },
      ],
    },
  ],
};

function order(price: string, quantity: string, extra: Partial<GatewayOrder> = {}): GatewayOrder {
  return { clientOrderId: 'c1', side: 'buy', price, quantity, kind: 'post-only', ...extra };
}

describe('symbol rules', () => {
  const spot = parseSymbolRules('binance-spot', 'ETHBTC', SPOT_INFO);
  const usdm = parseSymbolRules('binance-usdm', 'BLZUSDT', USDM_INFO);

  it('reads the spot filters and keeps PERCENT_PRICE_BY_SIDE per side', () => {
    expect(spot).toMatchObject({ tickSize: '0.00000100', stepSize: '0.00100000', minQuantity: '0.00100000', minNotional: '0.00100000', maxNotional: '10000.00000000', deadMansSwitch: false });
    expect(spot.percentPrice).toEqual({ up: '1.2', down: '0.8' });
    expect(spot.percentPriceBySide).toEqual({ bidUp: '1.2', bidDown: '0.2', askUp: '5', askDown: '0.8' });
    expect(spot.stpModes).toContain('EXPIRE_MAKER');
  });

  it('reads the USD-M filters (MIN_NOTIONAL "notional") and marks the dead-man switch', () => {
    expect(usdm).toMatchObject({ tickSize: '0.0001', stepSize: '1', minNotional: '5.0', percentPrice: { up: '1.1500', down: '0.8500' }, deadMansSwitch: true });
  });

  it('refuses an unlisted symbol or a missing filter by name', () => {
    expect(() => parseSymbolRules('binance-spot', 'BTCUSDT', SPOT_INFO)).toThrow(/BTCUSDT is not listed/);
    const broken = { symbols: [{ ...SPOT_INFO.symbols[0], filters: [{ filterType: 'LOT_SIZE', minQty: '1', maxQty: '2', stepSize: '1' }] }] };
    expect(() => parseSymbolRules('binance-spot', 'ETHBTC', broken)).toThrow(/no PRICE_FILTER/);
    const badTick = { symbols: [{ ...SPOT_INFO.symbols[0], filters: [{ filterType: 'PRICE_FILTER', minPrice: '0', maxPrice: '0', tickSize: 0.01 }, { filterType: 'LOT_SIZE', minQty: '1', maxQty: '2', stepSize: '1' }] }] };
    expect(() => parseSymbolRules('binance-spot', 'ETHBTC', badTick)).toThrow(/"tickSize" should be a string/);
  });

  it('checks tick, lot, notional and percent price exactly at the boundaries', () => {
    expect(checkOrder('binance-spot', spot, order('0.05000000', '1.000'))).toBeNull();
    expect(checkOrder('binance-spot', spot, order('0.0500005', '1'))?.filter).toBe('PRICE_FILTER');
    expect(checkOrder('binance-spot', spot, order('0.0000005', '1'))?.detail).toMatch(/below minPrice/);
    expect(checkOrder('binance-spot', spot, order('100000.000001', '1'))?.detail).toMatch(/above maxPrice|tickSize/);
    expect(checkOrder('binance-spot', spot, order('0.05', '0.0015'))?.filter).toBe('LOT_SIZE');
    expect(checkOrder('binance-spot', spot, order('0.05', '0.0005'))?.detail).toMatch(/below minQty/);
    // notional = price × qty: 0.000001 × 1000 = 0.001 is exactly the minimum; one step less is refused
    expect(checkOrder('binance-spot', spot, order('0.000001', '1000'))).toBeNull();
    expect(checkOrder('binance-spot', spot, order('0.000001', '999.999'))?.filter).toBe('NOTIONAL');
    expect(checkOrder('binance-spot', spot, order('1', '10000.001'))?.detail).toMatch(/above the maximum/);
    // PERCENT_PRICE_BY_SIDE: a bid may go up to 1.2 × reference, an ask down to 0.8 ×
    expect(checkOrder('binance-spot', spot, order('0.012', '1', { referencePrice: '0.01' }))).toBeNull();
    expect(checkOrder('binance-spot', spot, order('0.012001', '1', { referencePrice: '0.01' }))?.filter).toBe('PERCENT_PRICE_BY_SIDE');
    expect(checkOrder('binance-spot', spot, order('0.007999', '1', { side: 'sell', referencePrice: '0.01' }))?.detail).toMatch(/below 0.8/);
    expect(checkOrder('binance-spot', spot, order('0.049', '1', { side: 'sell', referencePrice: '0.01' }))).toBeNull();
    expect(checkOrder('binance-spot', spot, order('1e-3', '1'))?.filter).toBe('FORMAT');
  });

  it('USD-M MIN_NOTIONAL spares reduce-only orders, as -4164 says', () => {
    expect(checkOrder('binance-usdm', usdm, order('0.0049', '1000'))?.filter).toBe('MIN_NOTIONAL');
    expect(checkOrder('binance-usdm', usdm, order('0.0050', '1000'))).toBeNull();
    expect(checkOrder('binance-usdm', usdm, order('0.0049', '1000', { reduceOnly: true }))).toBeNull();
    expect(checkOrder('binance-usdm', usdm, order('1.1501', '10', { referencePrice: '1' }))?.filter).toBe('PERCENT_PRICE');
  });
});

describe('error table', () => {
  const cases: Array<[string, 'binance-spot' | 'binance-usdm', number, string, string]> = [
    ['post-only would take (spot)', 'binance-spot', -2010, 'Order would immediately match and take.', 'would-take'],
    ['insufficient balance (spot)', 'binance-spot', -2010, 'Account has insufficient balance for requested action.', 'insufficient-balance'],
    ['filter failure via -1013', 'binance-spot', -1013, 'Filter failure: PRICE_FILTER', 'filter'],
    ['filter failure via -2010', 'binance-spot', -2010, 'Filter failure: NOTIONAL', 'filter'],
    ['unknown order on cancel', 'binance-spot', -2011, 'Unknown order sent.', 'unknown-order'],
    ['cancel restrictions', 'binance-spot', -2011, 'Order was not canceled due to cancel restrictions.', 'rejected'],
    ['unknown order on query', 'binance-spot', -2013, 'Order does not exist.', 'unknown-order'],
    ['timestamp outside recvWindow', 'binance-spot', -1021, 'Timestamp for this request is outside of the recvWindow.', 'timestamp'],
    ['bad signature', 'binance-spot', -1022, 'Signature for this request is not valid.', 'auth'],
    ['bad key', 'binance-spot', -2015, 'Invalid API-key, IP, or permissions for action.', 'auth'],
    ['too many orders', 'binance-spot', -1015, 'Too many new orders; current limit is 50 orders per 10 SECOND.', 'rate-limited'],
    ['timeout: unknown', 'binance-spot', -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', 'unknown-outcome'],
    ['GTX rejected (USD-M)', 'binance-usdm', -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.', 'would-take'],
    ['margin (USD-M)', 'binance-usdm', -2019, 'Margin is insufficient.', 'insufficient-balance'],
    ['min notional (USD-M)', 'binance-usdm', -4164, "Order's notional must be no smaller than 5.0 (unless you choose reduce only)", 'filter'],
    ['tick (USD-M)', 'binance-usdm', -4014, 'Price not increased by tick size.', 'filter'],
    ['ME recvWindow (USD-M)', 'binance-usdm', -5028, 'Timestamp for this request is outside of the ME recvWindow.', 'timestamp'],
    ['throttled (USD-M)', 'binance-usdm', -1008, 'Request throttled by system-level protection.', 'unavailable'],
    ['reduce-only (USD-M)', 'binance-usdm', -2022, 'ReduceOnly Order is rejected.', 'rejected'],
  ];
  for (const [name, venue, code, msg, expected] of cases) {
    it(`${name}: ${code} → ${expected}`, () => expect(classifyVenueCode(venue, { code, msg })).toBe(expected));
  }

  it('HTTP 429 and 418 carry when to ask again; 5XX without a failure message is unknown', () => {
    const limited = gatewayErrorFor('binance-spot', 'place c1', 429, { code: -1003, msg: 'Too much request weight used' }, 1_700_000_000_000);
    expect(limited).toMatchObject({ code: 'rate-limited', venueCode: -1003, retryAtMs: 1_700_000_000_000 });
    expect(gatewayErrorFor('binance-spot', 'place c1', 418, { code: -1003, msg: 'Way too much request weight used; IP banned until 1.' }, 5)).toMatchObject({ code: 'banned', retryAtMs: 5 });
    expect(gatewayErrorFor('binance-usdm', 'place c1', 503, { code: -1000, msg: 'Unknown error, please check your request or try again later.' }, null).code).toBe('unknown-outcome');
    expect(gatewayErrorFor('binance-usdm', 'place c1', 503, { code: -1000, msg: 'Service Unavailable.' }, null).code).toBe('unavailable');
    expect(gatewayErrorFor('binance-spot', 'place c1', 502, null, null).code).toBe('unknown-outcome');
  });

  it('names the code on screen', () => {
    expect(describeVenueError({ code: -2010, msg: 'Order would immediately match and take.' })).toBe('-2010 NEW_ORDER_REJECTED: Order would immediately match and take.');
    expect(gatewayErrorFor('binance-usdm', 'place q7', 400, { code: -5022, msg: 'Due to the order could not be executed as maker, the Post Only order will be rejected.' }, null).message).toBe(
      'place q7: binance-usdm refused (-5022 GTX_ORDER_REJECT: Due to the order could not be executed as maker, the Post Only order will be rejected.)',
    );
  });
});

describe('rate-limit accounting', () => {
  const MINUTE = 60_000;
  const t0 = 1_700_000_020_000; // 40 s into a minute

  it('reads limits from exchangeInfo and usage from the X-MBX headers; holds a request that would break a limit', () => {
    const tracker = new RateLimitTracker(parseRateLimits(SPOT_INFO));
    expect(tracker.check(1, 1, t0, t0)).toBeNull();
    tracker.fromHeaders({ 'x-mbx-used-weight-1m': '5999', 'X-MBX-ORDER-COUNT-10S': '49', 'x-other': '1' }, t0);
    expect(tracker.usage(t0, t0)).toMatchObject({ weightUsed: 5999, weightLimit: 6000, weightWindowMs: MINUTE, ordersUsed: 49, ordersLimit: 50, ordersWindowMs: 10_000 });
    expect(tracker.check(1, 0, t0, t0)).toBeNull();
    const held = tracker.check(2, 0, t0, t0);
    expect(held).toMatchObject({ code: 'rate-limited', retryAtMs: t0 + 20_000 });
    tracker.sent(1, 1, t0);
    expect(tracker.check(0, 1, t0, t0)?.message).toMatch(/ORDERS 50 \+ 1 would exceed the venue's limit of 50 per 10S/);
    // the next window starts from zero
    expect(tracker.check(6000, 50, t0 + 20_000, t0 + 20_000)).toBeNull();
  });

  it('reads the WebSocket API rateLimits array; 429 and 418 hold everything until their time', () => {
    const tracker = new RateLimitTracker();
    tracker.fromWsRateLimits([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 70 }], t0);
    expect(tracker.usage(t0, t0)).toMatchObject({ weightUsed: 70, weightLimit: 6000 });
    tracker.backOff(t0 + 3_000);
    expect(tracker.check(1, 0, t0, t0 + 2_999)?.code).toBe('rate-limited');
    expect(tracker.check(1, 0, t0, t0 + 3_000)).toBeNull();
    tracker.ban(t0 + 120_000);
    expect(tracker.check(1, 0, t0, t0 + 60_000)).toMatchObject({ code: 'banned', retryAtMs: t0 + 120_000 });
    expect(tracker.usage(t0, t0 + 60_000)).toMatchObject({ banned: true, backOffUntilMs: t0 + 120_000 });
  });
});
