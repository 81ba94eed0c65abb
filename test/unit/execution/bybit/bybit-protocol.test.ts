/**
 * Bybit v5 protocol pieces without a socket: the signed texts exactly as `guide.mdx` and the WebSocket auth
 * page print them (the docs' examples do not publish the secret behind their signatures, so the HMAC is
 * recomputed independently with node:crypto over the documented text), the instruments-info rules of the
 * documented linear example and a spot entry and every filter judged on them, the retCode table, and the
 * wire readers for orders (post-only taker cancel, IOC remainder) and executions.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/main/execution/live/gateway.js';
import { RequestSigner } from '../../../../src/main/execution/venues/common/signer.js';
import { bybitError, classifyBybitCode, scrubKey } from '../../../../src/main/execution/venues/bybit/errors.js';
import { bybitOrderLinkIdIssue, checkBybitOrder, parseBybitRules } from '../../../../src/main/execution/venues/bybit/rules.js';
import { bybitQuery, restSignText, wsAuthText } from '../../../../src/main/execution/venues/bybit/signing.js';
import { parseBybitExecution, parseBybitOrder, parseBybitPosition, parseBybitTime, parseBybitWallet } from '../../../../src/main/execution/venues/bybit/wire.js';

const LINEAR_EXAMPLE = {
  list: [
    {
      symbol: 'BTCUSDT',
      contractType: 'LinearPerpetual',
      status: 'Trading',
      baseCoin: 'BTC',
      quoteCoin: 'USDT',
      priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
      lotSizeFilter: { maxOrderQty: '1190.000', minOrderQty: '0.001', qtyStep: '0.001', postOnlyMaxOrderQty: '1190.000', maxMktOrderQty: '500.000', minNotionalValue: '5' },
      riskParameters: { priceLimitRatioX: '0.01', priceLimitRatioY: '0.02' },
    },
  ],
  nextPageCursor: '',
};

const SPOT_ENTRY = {
  list: [
    {
      symbol: 'BTCUSDT',
      baseCoin: 'BTC',
      quoteCoin: 'USDT',
      status: 'Trading',
      lotSizeFilter: { basePrecision: '0.000001', quotePrecision: '0.00000001', minOrderQty: '0.000048', maxOrderQty: '71.73956243', minOrderAmt: '1', maxOrderAmt: '2000000', maxLimitOrderQty: '71.73956243', maxMarketOrderQty: '35.86978121', postOnlyMaxLimitOrderSize: '358.69781215' },
      priceFilter: { tickSize: '0.01' },
      riskParameters: { priceLimitRatioX: '0.05', priceLimitRatioY: '0.05' },
    },
  ],
};

describe('Bybit signing', () => {
  it('builds the GET and POST texts exactly as guide.mdx prints them', () => {
    const query = bybitQuery([['category', 'option'], ['symbol', 'BTC-29JUL22-25000-C']]);
    expect(query).toBe('category=option&symbol=BTC-29JUL22-25000-C');
    expect(restSignText(1658384314791, 'XXXXXXXXXX', 5000, query)).toBe('1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C');
    expect(restSignText(1658385579423, 'XXXXXXXXXX', 5000, '{"category": "option"}')).toBe('1658385579423XXXXXXXXXX5000{"category": "option"}');
    expect(wsAuthText(1662350400000)).toBe('GET/realtime1662350400000');
  });

  it('signs as lowercase hex HMAC-SHA256 of that text, recomputed independently', () => {
    const signer = RequestSigner.fromCredentials({ apiKey: 'XXXXXXXXXX', secret: { kind: 'hmac', key: 'test-secret' } });
    const text = restSignText(1658384314791, 'XXXXXXXXXX', 5000, 'category=option&symbol=BTC-29JUL22-25000-C');
    const expected = createHmac('sha256', 'test-secret').update(text).digest('hex');
    expect(signer.sign(text)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('Bybit rules', () => {
  const linear = parseBybitRules('bybit-linear', 'BTCUSDT', LINEAR_EXAMPLE);
  const spot = parseBybitRules('bybit-spot', 'BTCUSDT', SPOT_ENTRY);
  const order = { clientOrderId: 'q1', side: 'buy' as const, price: '50000.0', quantity: '0.010', kind: 'post-only' as const };

  it('reads the documented linear example and a spot entry', () => {
    expect(linear).toMatchObject({ tickSize: '0.10', stepSize: '0.001', minQuantity: '0.001', maxQuantity: '1190.000', minNotional: '5', minPrice: '0.10', maxPrice: '1999999.80', percentPrice: { up: '1.01', down: '0.99' }, deadMansSwitch: true, baseAsset: 'BTC', quoteAsset: 'USDT' });
    expect(spot).toMatchObject({ tickSize: '0.01', stepSize: '0.000001', minQuantity: '0.000048', maxQuantity: '71.73956243', maxPostOnlyQuantity: '358.69781215', minNotional: '1', minPrice: '0', percentPrice: { up: '1.05', down: '0.95' } });
  });

  it('judges tick, step, bounds, value and the price band', () => {
    expect(checkBybitOrder(linear, order)).toBeNull();
    expect(checkBybitOrder(linear, { ...order, price: '50000.05' })?.detail).toMatch(/not a multiple of tickSize 0.10/);
    expect(checkBybitOrder(linear, { ...order, quantity: '0.0105' })?.detail).toMatch(/not a multiple of qtyStep 0.001/);
    expect(checkBybitOrder(linear, { ...order, price: '0.0' })?.detail).toMatch(/not positive/);
    expect(checkBybitOrder(linear, { ...order, price: '2000000.0' })?.detail).toMatch(/above maxPrice/);
    expect(checkBybitOrder(linear, { ...order, quantity: '1191.000' })?.detail).toMatch(/above maxOrderQty/);
    expect(checkBybitOrder(linear, { ...order, price: '4000.0', quantity: '0.001' })?.detail).toMatch(/below minNotionalValue 5/);
    expect(checkBybitOrder(linear, { ...order, referencePrice: '49000' })?.detail).toMatch(/above the reference 49000/);
    expect(checkBybitOrder(linear, { ...order, referencePrice: '50100' })).toBeNull();
    expect(checkBybitOrder(spot, { ...order, price: '50000.00', quantity: '0.000010' })?.detail).toMatch(/below minOrderQty/);
    expect(checkBybitOrder(spot, { ...order, price: '50000.00', quantity: '100.000000' })).toBeNull();
    expect(checkBybitOrder(spot, { ...order, kind: 'ioc', price: '50000.00', quantity: '100.000000' })?.detail).toMatch(/above maxLimitOrderQty/);
    expect(checkBybitOrder(spot, { ...order, price: '1.00', quantity: '0.500000' })?.detail).toMatch(/below minOrderAmt 1/);
  });

  it('refuses an unlisted symbol and checks orderLinkId by the documented rule', () => {
    expect(() => parseBybitRules('bybit-linear', 'ETHUSDT', LINEAR_EXAMPLE)).toThrow(/ETHUSDT is not listed/);
    expect(bybitOrderLinkIdIssue('Abc_-9')).toBeNull();
    expect(bybitOrderLinkIdIssue('a'.repeat(37))).toMatch(/36/);
    expect(bybitOrderLinkIdIssue('a.b')).toMatch(/letters, digits/);
  });
});

describe('Bybit retCodes', () => {
  it('maps every documented family by what the caller must do', () => {
    expect(classifyBybitCode(10001)).toBe('rejected');
    expect(classifyBybitCode(10002)).toBe('timestamp');
    expect(classifyBybitCode(10003)).toBe('auth');
    expect(classifyBybitCode(10004)).toBe('auth');
    expect(classifyBybitCode(10006)).toBe('rate-limited');
    expect(classifyBybitCode(110007)).toBe('insufficient-balance');
    expect(classifyBybitCode(170131)).toBe('insufficient-balance');
    expect(classifyBybitCode(110001)).toBe('unknown-order');
    expect(classifyBybitCode(170213)).toBe('unknown-order');
    expect(classifyBybitCode(110094)).toBe('filter');
    expect(classifyBybitCode(170134)).toBe('filter');
    expect(classifyBybitCode(30208)).toBe('filter');
    expect(classifyBybitCode(10016)).toBe('unknown-outcome');
    expect(classifyBybitCode(170146)).toBe('unknown-outcome');
    expect(classifyBybitCode(110072)).toBe('rejected');
    expect(classifyBybitCode(170218)).toBe('would-take');
  });

  it("takes our key out of the venue's 10004 message, which quotes the signed text", () => {
    const said = 'error sign! origin_string[1658384314791MYKEY12345000category=linear&symbol=BTCUSDT]';
    expect(scrubKey(said, 'MYKEY1234')).toBe('error sign! origin_string[1658384314791<api key>5000category=linear&symbol=BTCUSDT]');
  });

  it('carries the code, the message and when to retry', () => {
    const error = bybitError('bybit-linear', 'place q1', 10006, 'Too many visits!', 1_700_000_000_000);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'rate-limited', venueCode: 10006, retryAtMs: 1_700_000_000_000 });
    expect(error.message).toBe('place q1: bybit-linear retCode 10006: Too many visits!');
    expect(bybitError('bybit-spot', 'place q2', 170007, '').message).toMatch(/Timeout waiting for response from backend server.: execution status unknown/);
  });
});

describe('Bybit wire', () => {
  const base = { symbol: 'BTCUSDT', orderId: 'o-1', orderLinkId: 'q1', side: 'Buy', price: '50000.0', qty: '0.010', cumExecQty: '0.000', orderStatus: 'New', rejectReason: 'EC_NoError', cancelType: 'UNKNOWN', timeInForce: 'PostOnly', updatedTime: '1700000000123' };

  it('reads an order and its end, naming a post-only taker cancel and an IOC remainder', () => {
    expect(parseBybitOrder(base, 't').state).toMatchObject({ status: 'new', clientOrderId: 'q1', venueOrderId: 'o-1', side: 'buy', exchUs: 1_700_000_000_123_000, reason: null });
    const taker = parseBybitOrder({ ...base, orderStatus: 'Cancelled', rejectReason: 'EC_PostOnlyWillTakeLiquidity' }, 't').state;
    expect(taker.status).toBe('rejected');
    expect(taker.reason).toMatch(/post-only order would have taken liquidity/);
    expect(parseBybitOrder({ ...base, timeInForce: 'IOC', orderStatus: 'Cancelled', cancelType: 'UNKNOWN', cumExecQty: '0.004' }, 't').state).toMatchObject({ status: 'expired', executedQuantity: '0.004' });
    expect(parseBybitOrder({ ...base, orderStatus: 'Cancelled', cancelType: 'CancelByDCP' }, 't').state).toMatchObject({ status: 'cancelled', reason: 'CancelByDCP' });
    expect(parseBybitOrder({ ...base, orderStatus: 'PartiallyFilledCanceled', cancelType: 'CancelByUser' }, 't').state.status).toBe('cancelled');
    expect(() => parseBybitOrder({ ...base, orderStatus: 'Weird' }, 't')).toThrow(/undocumented value/);
  });

  it('reads an execution with the state it leaves', () => {
    const execution = parseBybitExecution({ symbol: 'BTCUSDT', orderId: 'o-1', orderLinkId: 'q1', side: 'Sell', orderPrice: '50000.0', orderQty: '0.010', leavesQty: '0.004', execFee: '-0.01', execId: 'e-1', execPrice: '50000.0', execQty: '0.006', execType: 'Trade', execTime: '1700000000456', isMaker: true, feeCurrency: 'USDT' }, 't');
    expect(execution.trade).toEqual({ tradeId: 'e-1', clientOrderId: 'q1', venueOrderId: 'o-1', side: 'sell', price: '50000.0', quantity: '0.006', commission: '-0.01', commissionAsset: 'USDT', maker: true, exchUs: 1_700_000_000_456_000 });
    expect(execution.state).toMatchObject({ status: 'partially-filled', executedQuantity: '0.006', quantity: '0.010' });
  });

  it('reads positions, wallets and the server time', () => {
    expect(parseBybitPosition({ list: [{ symbol: 'BTCUSDT', positionIdx: 0, side: 'Sell', size: '0.020', avgPrice: '49000.5' }] }, 'BTCUSDT', 't')).toEqual({ kind: 'position', positionAmount: '-0.020', entryPrice: '49000.5' });
    expect(parseBybitPosition({ list: [{ symbol: 'BTCUSDT', positionIdx: 0, side: '', size: '0', avgPrice: '0' }] }, 'BTCUSDT', 't').positionAmount).toBe('0');
    expect(() => parseBybitPosition({ list: [{ symbol: 'BTCUSDT', positionIdx: 1, side: 'Buy', size: '1', avgPrice: '1' }] }, 'BTCUSDT', 't')).toThrow(/hedge mode/);
    const wallet = parseBybitWallet({ list: [{ accountType: 'UNIFIED', coin: [{ coin: 'BTC', walletBalance: '1.5', locked: '0.5' }, { coin: 'USDT', walletBalance: '1000', locked: '0' }] }] }, 'BTC', 'USDT', 't');
    expect(wallet).toEqual({ kind: 'balances', base: { asset: 'BTC', free: '1.0', locked: '0.5' }, quote: { asset: 'USDT', free: '1000', locked: '0' } });
    expect(parseBybitTime({ timeSecond: '1688639403', timeNano: '1688639403423213947' }, 't')).toBe(1688639403423);
  });
});
