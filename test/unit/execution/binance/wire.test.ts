/**
 * The gateways' parsers read the documentation's own example payloads (spot `rest-api.md` order answers,
 * `user-data-stream.md` executionReport; USD-M "New Order", "Cancel Order", "Event: Order Update") into
 * the contract's shapes, and refuse anything malformed with a GatewayError naming the field — never a
 * guess, never a quoted value.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/main/execution/live/gateway.js';
import { parseExecutionReport, parseSpotOrder, parseSpotOrderList } from '../../../../src/main/execution/venues/binance/wire-spot.js';
import { parseOrderTradeUpdate, parseUsdmOrder, parseUsdmPosition } from '../../../../src/main/execution/venues/binance/wire-usdm.js';

// rest-api.md "New order" — Response RESULT
const SPOT_RESULT = {
  symbol: 'BTCUSDT',
  orderId: 28,
  orderListId: -1,
  clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
  transactTime: 1507725176595,
  price: '0.00000000',
  origQty: '10.00000000',
  executedQty: '10.00000000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '10.00000000',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'MARKET',
  side: 'SELL',
  workingTime: 1507725176595,
  selfTradePreventionMode: 'NONE',
};

// rest-api.md "Cancel order" — Response
const SPOT_CANCEL = {
  symbol: 'LTCBTC',
  origClientOrderId: 'myOrder1',
  orderId: 4,
  orderListId: -1,
  clientOrderId: 'cancelMyOrder1',
  transactTime: 1684804350068,
  price: '2.00000000',
  origQty: '1.00000000',
  executedQty: '0.00000000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '0.00000000',
  status: 'CANCELED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'BUY',
  selfTradePreventionMode: 'NONE',
};

// user-data-stream.md "Order Update" — the event inside {"subscriptionId", "event"}
const EXECUTION_REPORT = {
  e: 'executionReport',
  E: 1499405658658,
  s: 'ETHBTC',
  c: 'mUvoqJxFIILMdfAW5iGSOW',
  S: 'BUY',
  o: 'LIMIT',
  f: 'GTC',
  q: '1.00000000',
  p: '0.10264410',
  P: '0.00000000',
  F: '0.00000000',
  g: -1,
  C: '',
  x: 'NEW',
  X: 'NEW',
  r: 'NONE',
  i: 4293153,
  l: '0.00000000',
  z: '0.00000000',
  L: '0.00000000',
  n: '0',
  N: null,
  T: 1499405658657,
  t: -1,
  v: 3,
  I: 8641984,
  w: true,
  m: false,
  M: false,
  O: 1499405658657,
  Z: '0.00000000',
  Y: '0.00000000',
  Q: '0.00000000',
  W: 1499405658657,
  V: 'NONE',
};

// USD-M "Event: Order Update"
const ORDER_TRADE_UPDATE = {
  e: 'ORDER_TRADE_UPDATE',
  E: 1568879465651,
  T: 1568879465650,
  o: {
    s: 'BTCUSDT', c: 'TEST', S: 'SELL', o: 'TRAILING_STOP_MARKET', f: 'GTC', q: '0.001', p: '0', ap: '0', sp: '7103.04', x: 'NEW', X: 'NEW', i: 8886774, l: '0', z: '0', L: '0', N: 'USDT', n: '0', T: 1568879465650, t: 0, b: '0', a: '9.91', m: false, R: false, wt: 'CONTRACT_PRICE', ot: 'TRAILING_STOP_MARKET', ps: 'LONG', cp: false, AP: '7476.89', cr: '5.0', pP: false, si: 0, ss: 0, rp: '0', V: 'EXPIRE_TAKER', pm: 'OPPONENT', gtd: 0, er: '0',
  },
};

// USD-M "New Order" — Response Example
const USDM_ORDER = {
  clientOrderId: 'testOrder', cumQty: '0', cumQuote: '0', executedQty: '0', orderId: 22542179, avgPrice: '0.00000', origQty: '10', price: '0', reduceOnly: false, side: 'BUY', positionSide: 'SHORT', status: 'NEW', stopPrice: '0', closePosition: false, symbol: 'BTCUSDT', timeInForce: 'GTD', type: 'LIMIT', origType: 'LIMIT', updateTime: 1566818724722, workingType: 'CONTRACT_PRICE', priceProtect: false, priceMatch: 'NONE', selfTradePreventionMode: 'NONE', goodTillDate: 1693207680000,
};

function thrown(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('spot wire shapes', () => {
  it('reads the documented order answer and cancel report (our id is origClientOrderId on a cancel)', () => {
    expect(parseSpotOrder(SPOT_RESULT, 'place', 'place')).toEqual({
      clientOrderId: '6gCrw2kRUAF9CvJDGP16IP', venueOrderId: '28', side: 'sell', price: '0.00000000', quantity: '10.00000000', executedQuantity: '10.00000000', status: 'filled', reason: null, exchUs: 1507725176595_000,
    });
    expect(parseSpotOrder(SPOT_CANCEL, 'cancel', 'cancel')).toMatchObject({ clientOrderId: 'myOrder1', status: 'cancelled', exchUs: 1684804350068_000 });
    const listWithOrderList = [SPOT_CANCEL, { orderListId: 1929, contingencyType: 'OCO', orders: [], orderReports: [] }];
    expect(parseSpotOrderList(listWithOrderList, 'cancel', 'cancel all')).toHaveLength(1);
  });

  it('reads the documented executionReport, and a cancel by its original id', () => {
    const parsed = parseExecutionReport(EXECUTION_REPORT);
    expect(parsed).toMatchObject({ symbol: 'ETHBTC', execType: 'NEW', trade: null, state: { clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', venueOrderId: '4293153', side: 'buy', price: '0.10264410', status: 'new', exchUs: 1499405658657_000 } });
    const cancel = parseExecutionReport({ ...EXECUTION_REPORT, x: 'CANCELED', X: 'CANCELED', c: 'cancelRequest7', C: 'mUvoqJxFIILMdfAW5iGSOW' });
    expect(cancel.state).toMatchObject({ clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', status: 'cancelled' });
    const trade = parseExecutionReport({ ...EXECUTION_REPORT, x: 'TRADE', X: 'PARTIALLY_FILLED', l: '0.40000000', z: '0.40000000', L: '0.10264400', n: '0.00040000', N: 'ETH', t: 77, m: true });
    expect(trade.trade).toEqual({ tradeId: '77', clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', venueOrderId: '4293153', side: 'buy', price: '0.10264400', quantity: '0.40000000', commission: '0.00040000', commissionAsset: 'ETH', maker: true, exchUs: 1499405658657_000 });
    expect(parseExecutionReport({ ...EXECUTION_REPORT, x: 'TRADE_PREVENTION', X: 'EXPIRED_IN_MATCH' }).state.reason).toContain('self-trade prevention');
  });

  it('refuses malformed answers by field, as an unknown outcome', () => {
    const { orderId: _orderId, ...noId } = SPOT_RESULT;
    const missing = thrown(() => parseSpotOrder(noId, 'place', 'binance-spot place c1'));
    expect(missing).toMatchObject({ code: 'unknown-outcome' });
    expect(missing.message).toBe('malformed answer from the venue: binance-spot place c1: field "orderId" is missing');
    expect(thrown(() => parseSpotOrder({ ...SPOT_RESULT, price: 10 }, 'place', 'p')).message).toContain('"price" should be a string');
    expect(thrown(() => parseSpotOrder({ ...SPOT_RESULT, price: '1e5' }, 'place', 'p')).message).toContain('"price" should be a decimal text');
    expect(thrown(() => parseSpotOrder({ ...SPOT_RESULT, status: 'WEIRD' }, 'place', 'p')).message).toContain('undocumented value "WEIRD"');
    expect(thrown(() => parseSpotOrder({ ...SPOT_RESULT, status: 'PENDING_NEW' }, 'place', 'p')).message).toContain('order lists');
    expect(thrown(() => parseExecutionReport({ ...EXECUTION_REPORT, x: 'TRADE', t: 1.5 })).message).toContain('"t" should be an integer');
  });
});

describe('USD-M wire shapes', () => {
  it('reads the documented order answer and ORDER_TRADE_UPDATE', () => {
    expect(parseUsdmOrder(USDM_ORDER, 'place')).toEqual({ clientOrderId: 'testOrder', venueOrderId: '22542179', side: 'buy', price: '0', quantity: '10', executedQuantity: '0', status: 'new', reason: null, exchUs: 1566818724722_000 });
    const update = parseOrderTradeUpdate(ORDER_TRADE_UPDATE);
    expect(update).toMatchObject({ symbol: 'BTCUSDT', execType: 'NEW', trade: null, state: { clientOrderId: 'TEST', side: 'sell', quantity: '0.001', status: 'new' } });
    const rebate = parseOrderTradeUpdate({ ...ORDER_TRADE_UPDATE, o: { ...ORDER_TRADE_UPDATE.o, x: 'TRADE', X: 'FILLED', l: '0.001', z: '0.001', L: '7103.04', n: '-0.00014206', t: 5 } });
    expect(rebate.trade).toMatchObject({ tradeId: '5', commission: '-0.00014206', commissionAsset: 'USDT' });
    expect(parseOrderTradeUpdate({ ...ORDER_TRADE_UPDATE, o: { ...ORDER_TRADE_UPDATE.o, x: 'EXPIRED', X: 'EXPIRED', er: '2' } }).state.reason).toContain('IOC order not filled completely');
  });

  it('reads a One-way position and refuses Hedge Mode by name', () => {
    expect(parseUsdmPosition([], 'BTCUSDT', 'p')).toEqual({ positionAmount: '0', entryPrice: '0' });
    expect(parseUsdmPosition([{ symbol: 'BTCUSDT', positionSide: 'BOTH', positionAmt: '-1.000', entryPrice: '70.92841' }], 'BTCUSDT', 'p')).toEqual({ positionAmount: '-1.000', entryPrice: '70.92841' });
    expect(thrown(() => parseUsdmPosition([{ symbol: 'BTCUSDT', positionSide: 'LONG', positionAmt: '1', entryPrice: '1' }], 'BTCUSDT', 'p')).message).toContain('Hedge Mode');
  });
});
