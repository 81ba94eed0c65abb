/**
 * The local exchange's answers and events in Binance's exact shapes: spot order answers (ACK / RESULT /
 * FULL of `POST /api/v3/order`), cancel reports (`origClientOrderId` is the cancelled order, `clientOrderId`
 * the cancel's own id), order queries, `myTrades`, the account, and the user data events `executionReport`
 * and `outboundAccountPosition` (`rest-api.md`, `user-data-stream.md`); USD-M order answers, `userTrades`,
 * `positionRisk` (v3), and `ORDER_TRADE_UPDATE` / `ACCOUNT_UPDATE` (USD-M "Trade" and "User Data Streams"
 * pages). Pure functions of the engine's records.
 */
import { formatDec, type Dec } from '../../execution/venues/common/decimal.js';
import type { SpotAccount, FuturesAccount } from '../accounts.js';
import type { ExchangeExec, ExchangeOrder, ExchangeStatus, ExchangeTrade, SimExchange } from '../sim-exchange.js';
import type { Formats } from './dialect.js';

export type Json = Record<string, unknown>;

export interface RenderContext {
  readonly symbol: string;
  readonly exchange: SimExchange;
  readonly fmt: Formats;
}

function side(order: { side: 'buy' | 'sell' }): 'BUY' | 'SELL' {
  return order.side === 'buy' ? 'BUY' : 'SELL';
}

/** Spot shows LIMIT_MAKER with timeInForce GTC; our own orders are LIMIT GTC/IOC or LIMIT_MAKER. */
function spotTif(order: ExchangeOrder): string {
  return order.type === 'LIMIT_MAKER' ? 'GTC' : order.timeInForce;
}

function spotExpiryReason(order: ExchangeOrder): string | null {
  if (order.status !== 'EXPIRED' && order.status !== 'EXPIRED_IN_MATCH') return null;
  return order.endReason === 'IOC_REMAINDER' ? 'UNFILLED_IOC_QUANTITY_EXPIRED' : order.endReason === 'STP' ? 'NONE' : 'EXCHANGE_CANCELED';
}

function stpFields(c: RenderContext, order: ExchangeOrder): Json {
  if (order.status !== 'EXPIRED_IN_MATCH') return {};
  return { preventedMatchId: order.orderId, preventedQuantity: c.fmt.qty(c.exchange.qty(order.preventedLots)) };
}

function common(c: RenderContext, order: ExchangeOrder): Json {
  return {
    price: c.fmt.price(c.exchange.price(order.priceTicks)),
    origQty: c.fmt.qty(c.exchange.qty(order.qtyLots)),
    executedQty: c.fmt.qty(c.exchange.qty(order.executedLots)),
  };
}

/* -------------------------------------------------------------------- spot */

export function spotPlaced(c: RenderContext, order: ExchangeOrder, respType: string, trades: readonly ExchangeTrade[]): Json {
  const ack: Json = { symbol: c.symbol, orderId: order.orderId, orderListId: -1, clientOrderId: order.clientOrderId, transactTime: order.createdMs };
  if (respType === 'ACK') return ack;
  const expiry = spotExpiryReason(order);
  const result: Json = {
    ...ack,
    ...common(c, order),
    origQuoteOrderQty: '0.00000000',
    cummulativeQuoteQty: c.fmt.asset(order.cumQuote),
    status: order.status,
    timeInForce: spotTif(order),
    type: order.type,
    side: side(order),
    workingTime: order.createdMs,
    selfTradePreventionMode: 'EXPIRE_MAKER',
    ...(expiry !== null ? { expiryReason: expiry } : {}),
  };
  if (respType !== 'FULL') return result;
  return {
    ...result,
    fills: trades.map((t) => ({ price: c.fmt.price(c.exchange.price(t.priceTicks)), qty: c.fmt.qty(c.exchange.qty(t.lots)), commission: c.fmt.asset(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id })),
  };
}

export function spotCancelReport(c: RenderContext, order: ExchangeOrder, cancelClientId: string): Json {
  return {
    symbol: c.symbol,
    origClientOrderId: order.clientOrderId,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: cancelClientId,
    transactTime: order.updatedMs,
    ...common(c, order),
    origQuoteOrderQty: '0.00000000',
    cummulativeQuoteQty: c.fmt.asset(order.cumQuote),
    status: order.status,
    timeInForce: spotTif(order),
    type: order.type,
    side: side(order),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

export function spotQueried(c: RenderContext, order: ExchangeOrder): Json {
  const expiry = spotExpiryReason(order);
  const working = order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
  return {
    symbol: c.symbol,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    ...common(c, order),
    cummulativeQuoteQty: c.fmt.asset(order.cumQuote),
    status: order.status,
    timeInForce: spotTif(order),
    type: order.type,
    side: side(order),
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: order.createdMs,
    updateTime: order.updatedMs,
    isWorking: working,
    workingTime: order.createdMs,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    ...stpFields(c, order),
    ...(expiry !== null ? { expiryReason: expiry } : {}),
  };
}

export function spotMyTrade(c: RenderContext, t: ExchangeTrade): Json {
  const price = c.exchange.price(t.priceTicks);
  const qty = c.exchange.qty(t.lots);
  return {
    symbol: c.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: c.fmt.price(price),
    qty: c.fmt.qty(qty),
    quoteQty: c.fmt.asset(mul(price, qty)),
    commission: c.fmt.asset(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.timeMs,
    isBuyer: t.side === 'buy',
    isMaker: t.maker,
    isBestMatch: true,
  };
}

function balances(account: SpotAccount): Json[] {
  return [
    { asset: account.baseAsset, free: formatDec(account.base.free, 8), locked: formatDec(account.base.locked, 8) },
    { asset: account.quoteAsset, free: formatDec(account.quote.free, 8), locked: formatDec(account.quote.locked, 8) },
  ];
}

export function spotAccount(account: SpotAccount, makerBps: number, takerBps: number, nowMs: number): Json {
  const rate = (bps: number): string => formatDec({ units: BigInt(bps), scale: 4 }, 8);
  return {
    makerCommission: makerBps,
    takerCommission: takerBps,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: rate(makerBps), taker: rate(takerBps), buyer: '0.00000000', seller: '0.00000000' },
    canTrade: true,
    canWithdraw: false,
    canDeposit: false,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: nowMs,
    accountType: 'SPOT',
    balances: balances(account),
    permissions: ['SPOT'],
    uid: 1,
  };
}

/** `executionReport` for one engine execution; `cancelClientId` is the cancel request's own id. */
export function executionReport(c: RenderContext, order: ExchangeOrder, exec: ExchangeExec, trade: ExchangeTrade | null, eventMs: number, cancelClientId: string | null): Json {
  const canceled = exec === 'CANCELED';
  const expiry = spotExpiryReason(order);
  return {
    e: 'executionReport',
    E: eventMs,
    s: c.symbol,
    c: canceled ? (cancelClientId ?? `cancel${order.orderId}`) : order.clientOrderId,
    S: side(order),
    o: order.type,
    f: spotTif(order),
    q: c.fmt.qty(c.exchange.qty(order.qtyLots)),
    p: c.fmt.price(c.exchange.price(order.priceTicks)),
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: canceled ? order.clientOrderId : '',
    x: exec,
    X: order.status,
    r: 'NONE',
    i: order.orderId,
    l: trade ? c.fmt.qty(c.exchange.qty(trade.lots)) : '0.00000000',
    z: c.fmt.qty(c.exchange.qty(order.executedLots)),
    L: trade ? c.fmt.price(c.exchange.price(trade.priceTicks)) : '0.00000000',
    n: trade ? c.fmt.asset(trade.commission) : '0',
    N: trade ? trade.commissionAsset : null,
    T: trade ? trade.timeMs : order.updatedMs,
    t: trade ? trade.id : -1,
    I: trade ? trade.id * 2 : order.orderId * 2 + 1,
    w: order.status === 'NEW' || order.status === 'PARTIALLY_FILLED',
    m: trade ? trade.maker : false,
    M: false,
    O: order.createdMs,
    Z: c.fmt.asset(order.cumQuote),
    Y: trade ? c.fmt.asset(mul(c.exchange.price(trade.priceTicks), c.exchange.qty(trade.lots))) : '0.00000000',
    Q: '0.00000000',
    W: order.createdMs,
    V: 'EXPIRE_MAKER',
    ...(exec === 'TRADE_PREVENTION' ? { v: order.orderId, A: c.fmt.qty(c.exchange.qty(order.preventedLots)), B: c.fmt.qty(c.exchange.qty(order.preventedLots)) } : {}),
    ...(expiry !== null ? { eR: expiry } : {}),
  };
}

export function outboundAccountPosition(account: SpotAccount, eventMs: number): Json {
  return { e: 'outboundAccountPosition', E: eventMs, u: eventMs, B: balances(account).map((b) => ({ a: b['asset'], f: b['free'], l: b['locked'] })) };
}

/* ------------------------------------------------------------------- USD-M */

/** USD-M shows EXPIRED_IN_MATCH as EXPIRED with expiry reason 1 on the stream, and as EXPIRED on REST. */
function usdmStatus(status: ExchangeStatus): string {
  return status === 'EXPIRED_IN_MATCH' ? 'EXPIRED' : status;
}

function avgPrice(c: RenderContext, order: ExchangeOrder): string {
  if (order.executedLots === 0) return c.fmt.price({ units: 0n, scale: 0 });
  const qty = c.exchange.qty(order.executedLots);
  const scale = 8;
  const units = (order.cumQuote.units * 10n ** BigInt(scale + qty.scale)) / (qty.units * 10n ** BigInt(order.cumQuote.scale));
  return formatDec({ units, scale }, 8);
}

export function usdmOrder(c: RenderContext, order: ExchangeOrder): Json {
  return {
    orderId: order.orderId,
    symbol: c.symbol,
    status: usdmStatus(order.status),
    clientOrderId: order.clientOrderId,
    ...common(c, order),
    avgPrice: avgPrice(c, order),
    cumQty: c.fmt.qty(c.exchange.qty(order.executedLots)),
    cumQuote: c.fmt.asset(order.cumQuote),
    timeInForce: order.timeInForce,
    type: 'LIMIT',
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: side(order),
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: 'LIMIT',
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: order.createdMs,
    updateTime: order.updatedMs,
  };
}

export function usdmUserTrade(c: RenderContext, t: ExchangeTrade): Json {
  const price = c.exchange.price(t.priceTicks);
  const qty = c.exchange.qty(t.lots);
  return {
    buyer: t.side === 'buy',
    commission: c.fmt.asset(t.commission),
    commissionAsset: t.commissionAsset,
    id: t.id,
    maker: t.maker,
    orderId: t.orderId,
    price: c.fmt.price(price),
    qty: c.fmt.qty(qty),
    quoteQty: c.fmt.asset(mul(price, qty)),
    realizedPnl: c.fmt.asset(t.realizedPnl),
    side: side(t),
    positionSide: 'BOTH',
    symbol: c.symbol,
    time: t.timeMs,
  };
}

/** v3 positionRisk lists only symbols with a position or open orders. */
export function usdmPositionRisk(c: RenderContext, account: FuturesAccount, openOrders: number, markPrice: Dec, nowMs: number): Json[] {
  if (account.position.units === 0n && openOrders === 0) return [];
  const entry = account.entryPrice();
  const notional = mul(markPrice, account.position);
  return [
    {
      symbol: c.symbol,
      positionSide: 'BOTH',
      positionAmt: c.fmt.qty(account.position),
      entryPrice: formatDec(entry, 8),
      breakEvenPrice: formatDec(entry, 8),
      markPrice: formatDec(markPrice, 8),
      unRealizedProfit: formatDec(sub(notional, mul(entry, account.position)), 8),
      liquidationPrice: '0',
      isolatedMargin: '0',
      notional: formatDec(notional, 8),
      marginAsset: account.marginAsset,
      isolatedWallet: '0',
      initialMargin: '0',
      maintMargin: '0',
      positionInitialMargin: '0',
      openOrderInitialMargin: '0',
      adl: 0,
      bidNotional: '0',
      askNotional: '0',
      updateTime: nowMs,
    },
  ];
}

export function orderTradeUpdate(c: RenderContext, order: ExchangeOrder, exec: ExchangeExec, trade: ExchangeTrade | null, eventMs: number): Json {
  const expiry = order.endReason === 'STP' ? '1' : order.endReason === 'IOC_REMAINDER' ? '2' : '0';
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: eventMs,
    T: trade ? trade.timeMs : order.updatedMs,
    o: {
      s: c.symbol,
      c: order.clientOrderId,
      S: side(order),
      o: 'LIMIT',
      f: order.timeInForce,
      q: c.fmt.qty(c.exchange.qty(order.qtyLots)),
      p: c.fmt.price(c.exchange.price(order.priceTicks)),
      ap: avgPrice(c, order),
      sp: '0',
      x: exec === 'TRADE_PREVENTION' ? 'EXPIRED' : exec,
      X: usdmStatus(order.status),
      i: order.orderId,
      l: trade ? c.fmt.qty(c.exchange.qty(trade.lots)) : '0',
      z: c.fmt.qty(c.exchange.qty(order.executedLots)),
      L: trade ? c.fmt.price(c.exchange.price(trade.priceTicks)) : '0',
      N: trade ? trade.commissionAsset : c.exchange.config.quoteAsset,
      n: trade ? c.fmt.asset(trade.commission) : '0',
      T: trade ? trade.timeMs : order.updatedMs,
      t: trade ? trade.id : 0,
      b: '0',
      a: '0',
      m: trade ? trade.maker : false,
      R: order.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: 'LIMIT',
      ps: 'BOTH',
      cp: false,
      rp: trade ? c.fmt.asset(trade.realizedPnl) : '0',
      pP: false,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
      er: expiry,
    },
  };
}

export function accountUpdate(c: RenderContext, account: FuturesAccount, eventMs: number): Json {
  return {
    e: 'ACCOUNT_UPDATE',
    E: eventMs,
    T: eventMs,
    a: {
      m: 'ORDER',
      B: [{ a: account.marginAsset, wb: formatDec(account.wallet, 8), cw: formatDec(account.wallet, 8), bc: '0' }],
      P: [{ s: c.symbol, pa: c.fmt.qty(account.position), ep: formatDec(account.entryPrice(), 8), bep: formatDec(account.entryPrice(), 8), cr: '0', up: '0', mt: 'cross', iw: '0', ps: 'BOTH' }],
    },
  };
}

function mul(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

function sub(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * 10n ** BigInt(scale - a.scale) - b.units * 10n ** BigInt(scale - b.scale), scale };
}
