/**
 * The local exchange's Binance operations, one table for both transports (REST routes and WebSocket API
 * methods call the same operation): each declares its security type, documented weight, the parameters it
 * reads (anything else is -1104 "Not all sent parameters were read"), and runs against the engine,
 * answering the documented shape or the documented refusal. Order entry validates as the venue does:
 * mandatory parameters (-1102), enums (-1117 side, -1116 type, -1115 timeInForce), precision (-1111),
 * client order id format (-1100 spot, -4015 USD-M), the symbol's filters (spot -1013 "Filter failure: X";
 * USD-M -4013/-4002/-4014/-4004/-4005/-4023/-4164/-4016/-4024), then the engine's own refusals (spot -2010
 * "Order would immediately match and take." / "Account has insufficient balance for requested action." /
 * "Duplicate order sent."; USD-M -5022, -2019, -2022, -4116) and cancels (-2011 "Unknown order sent.",
 * -2013 "Order does not exist.").
 */
import { compareDec, decToSteps, isMultipleOf, mulDec, parseDec, type Dec } from '../../execution/venues/common/decimal.js';
import type { Side } from '../../../shared/units.js';
import type { SimExchange } from '../sim-exchange.js';
import { mandatory, refusal, type VenueRefusal } from './auth.js';
import type { Dialect, DialectSymbol, Formats } from './dialect.js';
import { exchangeInfo } from './dialect.js';
import type { ServerLimits } from './limits.js';
import * as render from './render.js';

/** Request parameters, from a query string, a form body or a WebSocket API `params` object. */
export interface Params {
  get(name: string): string | undefined;
  names(): readonly string[];
}

export type Outcome = { readonly ok: true; readonly body: unknown; readonly orders?: number } | { readonly ok: false; readonly refusal: VenueRefusal };

export interface OperationContext {
  readonly dialect: Dialect;
  readonly spec: DialectSymbol;
  readonly exchange: SimExchange;
  readonly fmt: Formats;
  readonly render: render.RenderContext;
  readonly limits: ServerLimits;
  /** The cancel request's own client id per order being cancelled (events and reports show the same one). */
  readonly cancelIds: Map<number, string>;
  nextCancelId(): string;
  nextClientId(): string;
}

export interface Operation {
  readonly security: 'none' | 'api-key' | 'signed';
  /** Trading operations are the ones a "lose the answer" fault applies to. */
  readonly trading: boolean;
  /** New orders it counts for in the ORDERS limit (counted only when accepted). */
  readonly orders: number;
  readonly params: readonly string[];
  weight(params: Params): number;
  run(params: Params, ctx: OperationContext): Outcome;
}

const ALWAYS = new Set(['timestamp', 'recvWindow', 'signature', 'apiKey', 'returnRateLimits']);

/** -1104 for a parameter the operation does not read. */
export function unreadParams(op: Operation, params: Params): VenueRefusal | null {
  const names = params.names();
  const unread = names.filter((n) => !ALWAYS.has(n) && !op.params.includes(n));
  if (unread.length === 0) return null;
  return refusal(400, -1104, `Not all sent parameters were read; read '${names.length - unread.length}' parameter(s) but was sent '${names.length}'.`);
}

const ok = (body: unknown, orders?: number): Outcome => (orders === undefined ? { ok: true, body } : { ok: true, body, orders });
const no = (status: number, code: number, msg: string): Outcome => ({ ok: false, refusal: refusal(status, code, msg) });
const fail = (r: VenueRefusal): Outcome => ({ ok: false, refusal: r });

function symbolIssue(params: Params, ctx: OperationContext): Outcome | null {
  const symbol = params.get('symbol');
  if (symbol === undefined || symbol === '') return fail(mandatory('symbol'));
  return symbol === ctx.spec.symbol ? null : no(400, -1121, 'Invalid symbol.');
}

function decimal(params: Params, name: string): Dec | Outcome {
  const text = params.get(name);
  if (text === undefined || text === '') return fail(mandatory(name));
  const value = parseDec(text);
  if (value === null) return fail(mandatory(name));
  if (value.scale > 8) return no(400, -1111, `Parameter '${name}' has too much precision.`);
  return value;
}

function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && 'ok' in value;
}

function mid(ctx: OperationContext): Dec | null {
  const bid = ctx.exchange.book.bestBid();
  const ask = ctx.exchange.book.bestAsk();
  if (Number.isNaN(bid) || Number.isNaN(ask)) return null;
  const sum = ctx.exchange.price(bid + ask);
  return { units: sum.units * 5n, scale: sum.scale + 1 };
}

/** The symbol's filters, answered in each dialect's words. */
function filterIssue(ctx: OperationContext, price: Dec, qty: Dec, reduceOnly: boolean): Outcome | null {
  const s = ctx.spec;
  const spot = ctx.dialect === 'binance-spot';
  const filter = (name: string, usdmCode: number, usdmMsg: string): Outcome => (spot ? no(400, -1013, `Filter failure: ${name}`) : no(400, usdmCode, usdmMsg));
  const d = (text: string): Dec => parseDec(text) ?? { units: 0n, scale: 0 };
  if (compareDec(price, d(s.minPrice)) < 0) return filter('PRICE_FILTER', -4013, 'Price less than min price.');
  if (compareDec(price, d(s.maxPrice)) > 0) return filter('PRICE_FILTER', -4002, 'Price greater than max price.');
  if (!isMultipleOf(price, d(s.tickSize))) return filter('PRICE_FILTER', -4014, 'Price not increased by tick size.');
  if (compareDec(qty, d(s.minQty)) < 0) return filter('LOT_SIZE', -4004, 'Quantity less than min quantity.');
  if (compareDec(qty, d(s.maxQty)) > 0) return filter('LOT_SIZE', -4005, 'Quantity greater than max quantity.');
  if (!isMultipleOf(qty, d(s.stepSize))) return filter('LOT_SIZE', -4023, 'Qty not increased by step size.');
  if (!(reduceOnly && !spot) && compareDec(mulDec(price, qty), d(s.minNotional)) < 0) {
    return filter('NOTIONAL', -4164, `Order's notional must be no smaller than ${s.minNotional} (unless you choose reduce only)`);
  }
  const reference = mid(ctx);
  if (reference !== null) {
    const name = spot ? 'PERCENT_PRICE_BY_SIDE' : 'PERCENT_PRICE';
    if (compareDec(price, mulDec(reference, d(s.percentUp))) > 0) return filter(name, -4016, 'Price is higher than mark price multiplier cap.');
    if (compareDec(price, mulDec(reference, d(s.percentDown))) < 0) return filter(name, -4024, 'Price is lower than mark price multiplier floor.');
  }
  return null;
}

const SPOT_CLIENT_ID = /^[a-zA-Z0-9-_]{1,36}$/;
const USDM_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

function place(params: Params, ctx: OperationContext): Outcome {
  const spot = ctx.dialect === 'binance-spot';
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const sideText = params.get('side');
  if (sideText === undefined) return fail(mandatory('side'));
  if (sideText !== 'BUY' && sideText !== 'SELL') return no(400, -1117, 'Invalid side.');
  const side: Side = sideText === 'BUY' ? 'buy' : 'sell';
  const type = params.get('type');
  if (type === undefined) return fail(mandatory('type'));
  if (type !== 'LIMIT' && !(spot && type === 'LIMIT_MAKER')) return no(400, -1116, 'Invalid orderType.');
  const tifText = params.get('timeInForce');
  let tif: 'GTC' | 'IOC' | 'GTX' = 'GTC';
  if (type === 'LIMIT_MAKER') {
    if (tifText !== undefined) return no(400, -1106, "Parameter 'timeInForce' sent when not required.");
  } else {
    if (tifText === undefined) return fail(mandatory('timeInForce'));
    if (tifText === 'GTC' || tifText === 'IOC' || (!spot && tifText === 'GTX')) tif = tifText;
    else return no(400, -1115, 'Invalid timeInForce.');
  }
  const qty = decimal(params, 'quantity');
  if (isOutcome(qty)) return qty;
  const price = decimal(params, 'price');
  if (isOutcome(price)) return price;
  const clientOrderId = params.get('newClientOrderId') ?? ctx.nextClientId();
  if (spot && !SPOT_CLIENT_ID.test(clientOrderId)) return no(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.");
  if (!spot && !USDM_CLIENT_ID.test(clientOrderId)) return no(400, -4015, 'Client order id is not valid.');
  const respType = params.get('newOrderRespType') ?? (spot && type === 'LIMIT' ? 'FULL' : spot ? 'ACK' : 'ACK');
  if (!(spot ? ['ACK', 'RESULT', 'FULL'] : ['ACK', 'RESULT']).includes(respType)) return no(400, -1130, "Data sent for parameter 'newOrderRespType' is not valid.");
  const stp = params.get('selfTradePreventionMode');
  if (stp !== undefined && stp !== 'EXPIRE_MAKER') {
    return spot ? no(400, -1130, "Data sent for parameter 'selfTradePreventionMode' is not valid.") : no(400, -5039, 'Invalid self trade prevention mode');
  }
  let reduceOnly = false;
  if (!spot) {
    const ro = params.get('reduceOnly');
    if (ro !== undefined && ro !== 'true' && ro !== 'false') return no(400, -4062, 'Invalid or improper reduceOnly value.');
    reduceOnly = ro === 'true';
    const positionSide = params.get('positionSide');
    if (positionSide !== undefined && positionSide !== 'BOTH') return no(400, -4061, "Order's position side does not match user's setting.");
  }
  const filtered = filterIssue(ctx, price, qty, reduceOnly);
  if (filtered) return filtered;
  const priceTicks = decToSteps(price, ctx.exchange.tick);
  const qtyLots = decToSteps(qty, ctx.exchange.lot);
  if (priceTicks === null || qtyLots === null) return no(400, -1111, "Parameter 'price' has too much precision.");
  const result = ctx.exchange.place({ clientOrderId, side, type: type === 'LIMIT_MAKER' ? 'LIMIT_MAKER' : 'LIMIT', timeInForce: tif, priceTicks, qtyLots, reduceOnly });
  if (!result.ok) {
    switch (result.refusal) {
      case 'would-take':
        return spot ? no(400, -2010, 'Order would immediately match and take.') : no(400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.');
      case 'insufficient-balance':
        return no(400, -2010, 'Account has insufficient balance for requested action.');
      case 'insufficient-margin':
        return no(400, -2019, 'Margin is insufficient.');
      case 'reduce-only':
        return no(400, -2022, 'ReduceOnly Order is rejected.');
      case 'duplicate-client-id':
        return spot ? no(400, -2010, 'Duplicate order sent.') : no(400, -4116, 'clientOrderId is duplicated.');
    }
  }
  const order = result.order;
  if (!spot) return ok(render.usdmOrder(ctx.render, order), 1);
  const trades = respType === 'FULL' ? ctx.exchange.accountTrades({ orderId: order.orderId, limit: 10_000 }) : [];
  return ok(render.spotPlaced(ctx.render, order, respType, trades), 1);
}

function orderRef(params: Params): { orderId?: number; clientOrderId?: string } | VenueRefusal {
  const idText = params.get('orderId');
  const clientId = params.get('origClientOrderId');
  if (idText === undefined && clientId === undefined) return refusal(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  const ref: { orderId?: number; clientOrderId?: string } = {};
  if (idText !== undefined) {
    if (!/^\d{1,15}$/.test(idText)) return mandatory('orderId');
    ref.orderId = Number(idText);
  }
  if (clientId !== undefined) ref.clientOrderId = clientId;
  return ref;
}

function isRefusal(value: unknown): value is VenueRefusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
}

const TIMEOUT: Outcome = no(408, -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.');

function cancel(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const ref = orderRef(params);
  if (isRefusal(ref)) return fail(ref);
  const target = ctx.exchange.find(ref);
  const cancelId = params.get('newClientOrderId') ?? ctx.nextCancelId();
  if (target) ctx.cancelIds.set(target.orderId, cancelId);
  try {
    const result = ctx.exchange.cancel(ref);
    if (!result.ok) return result.refusal === 'ignored' ? TIMEOUT : no(400, -2011, 'Unknown order sent.');
    if (ctx.dialect === 'binance-usdm') return ok(render.usdmOrder(ctx.render, result.order));
    return ok(render.spotCancelReport(ctx.render, result.order, cancelId));
  } finally {
    if (target) ctx.cancelIds.delete(target.orderId);
  }
}

function cancelAll(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const targets = ctx.exchange.openOrders();
  for (const order of targets) ctx.cancelIds.set(order.orderId, ctx.nextCancelId());
  try {
    const cancelled = ctx.exchange.cancelAll();
    if (cancelled === null) return TIMEOUT;
    if (ctx.dialect === 'binance-usdm') return ok({ code: 200, msg: 'The operation of cancel all open order is done.' });
    // why: the venue answers -2011 "Unknown order sent." when the symbol has no open order to cancel
    if (cancelled.length === 0) return no(400, -2011, 'Unknown order sent.');
    return ok(cancelled.map((order) => render.spotCancelReport(ctx.render, order, ctx.cancelIds.get(order.orderId) ?? ctx.nextCancelId())));
  } finally {
    for (const order of targets) ctx.cancelIds.delete(order.orderId);
  }
}

function query(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const ref = orderRef(params);
  if (isRefusal(ref)) return fail(ref);
  const order = ctx.exchange.find(ref);
  if (!order) return no(400, -2013, 'Order does not exist.');
  return ok(ctx.dialect === 'binance-spot' ? render.spotQueried(ctx.render, order) : render.usdmOrder(ctx.render, order));
}

function openOrders(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const list = ctx.exchange.openOrders();
  return ok(list.map((order) => (ctx.dialect === 'binance-spot' ? render.spotQueried(ctx.render, order) : render.usdmOrder(ctx.render, order))));
}

function int(params: Params, name: string): number | undefined | VenueRefusal {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!/^\d{1,16}$/.test(text)) return mandatory(name);
  return Number(text);
}

function trades(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const spot = ctx.dialect === 'binance-spot';
  const values: Record<string, number | undefined> = {};
  for (const name of ['orderId', 'startTime', 'endTime', 'fromId', 'limit']) {
    const value = int(params, name);
    if (isRefusal(value)) return fail(value);
    values[name] = value;
  }
  const limit = values['limit'] ?? 500;
  if (limit < 1 || limit > 1_000) return no(400, -1130, "Data sent for parameter 'limit' is not valid.");
  const { startTime, endTime, fromId, orderId } = values;
  if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) return no(400, -1128, 'Combination of optional parameters invalid.');
  const spanMs = spot ? 24 * 3_600_000 : 7 * 86_400_000;
  if (startTime !== undefined && endTime !== undefined && endTime - startTime > spanMs) {
    return spot ? no(400, -1127, 'More than 24 hours between startTime and endTime.') : no(400, -4165, 'Invalid time interval');
  }
  let start = startTime;
  let end = endTime;
  // why: a window open on one side covers the venue's longest span (spot 24 h, USD-M 7 days; USD-M without both: the last 7 days)
  if (start !== undefined && end === undefined) end = start + spanMs;
  if (end !== undefined && start === undefined) start = end - spanMs;
  if (!spot && start === undefined && end === undefined && fromId === undefined && orderId === undefined) {
    end = ctx.exchange.serverMs();
    start = end - spanMs;
  }
  const filter: { orderId?: number; fromId?: number; startMs?: number; endMs?: number; limit: number } = { limit };
  if (orderId !== undefined) filter.orderId = orderId;
  if (fromId !== undefined) filter.fromId = fromId;
  if (start !== undefined) filter.startMs = start;
  if (end !== undefined) filter.endMs = end;
  let list = ctx.exchange.accountTrades(filter);
  if (start === undefined && fromId === undefined && orderId === undefined) {
    // "Default gets most recent trades"
    list = ctx.exchange.accountTrades({ limit: Number.MAX_SAFE_INTEGER }).slice(-limit);
  }
  return ok(list.map((t) => (spot ? render.spotMyTrade(ctx.render, t) : render.usdmUserTrade(ctx.render, t))));
}

function account(_params: Params, ctx: OperationContext): Outcome {
  const spot = ctx.exchange.spot;
  if (!spot) return no(400, -1020, 'This operation is not supported.');
  return ok(render.spotAccount(spot, ctx.exchange.config.makerFeeBps, ctx.exchange.config.takerFeeBps, ctx.exchange.serverMs()));
}

function positionRisk(params: Params, ctx: OperationContext): Outcome {
  const futures = ctx.exchange.futures;
  if (!futures) return no(400, -1020, 'This operation is not supported.');
  const symbol = params.get('symbol');
  if (symbol !== undefined && symbol !== ctx.spec.symbol) return no(400, -1121, 'Invalid symbol.');
  const mark = mid(ctx) ?? { units: 0n, scale: 0 };
  return ok(render.usdmPositionRisk(ctx.render, futures, ctx.exchange.openOrders().length, mark, ctx.exchange.serverMs()));
}

function countdown(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const ms = int(params, 'countdownTime');
  if (ms === undefined) return fail(mandatory('countdownTime'));
  if (isRefusal(ms)) return fail(ms);
  ctx.exchange.armCountdown(ms);
  return ok({ symbol: ctx.spec.symbol, countdownTime: String(ms) });
}

function depthLimit(params: Params, dialect: Dialect): number {
  const text = params.get('limit');
  const value = text !== undefined && /^\d{1,5}$/.test(text) ? Number(text) : dialect === 'binance-spot' ? 100 : 500;
  return Math.max(1, Math.min(value, dialect === 'binance-spot' ? 5_000 : 1_000));
}

function depth(params: Params, ctx: OperationContext): Outcome {
  const symbol = symbolIssue(params, ctx);
  if (symbol) return symbol;
  const limit = depthLimit(params, ctx.dialect);
  const prices = new Float64Array(limit);
  const sizes = new Float64Array(limit);
  const side = (name: 'bid' | 'ask'): string[][] => {
    const n = ctx.exchange.book.top(name, limit, prices, sizes);
    const out: string[][] = [];
    for (let i = 0; i < n; i++) out.push([ctx.fmt.price(ctx.exchange.price(prices[i] ?? 0)), ctx.fmt.qty(ctx.exchange.qty(sizes[i] ?? 0))]);
    return out;
  };
  const lastUpdateId = ctx.exchange.book.updateId();
  const now = ctx.exchange.serverMs();
  const bids = side('bid');
  const asks = side('ask');
  return ok(ctx.dialect === 'binance-spot' ? { lastUpdateId, bids, asks } : { lastUpdateId, E: now, T: now, bids, asks });
}

const fixed = (weight: number) => (): number => weight;

/** Spot weights (`rest-api.md`), USD-M weights ("Trade" / "Market Data" pages). */
export function operations(dialect: Dialect): Record<string, Operation> {
  const spot = dialect === 'binance-spot';
  return {
    ping: { security: 'none', trading: false, orders: 0, params: [], weight: fixed(1), run: () => ok({}) },
    time: { security: 'none', trading: false, orders: 0, params: [], weight: fixed(1), run: (_p, ctx) => ok({ serverTime: Math.floor(ctx.exchange.serverMs()) }) },
    exchangeInfo: {
      security: 'none',
      trading: false,
      orders: 0,
      params: ['symbol', 'symbols', 'permissions'],
      weight: fixed(spot ? 20 : 1),
      run: (params, ctx) => {
        const symbol = params.get('symbol');
        if (symbol !== undefined && symbol !== ctx.spec.symbol) return no(400, -1121, 'Invalid symbol.');
        return ok(exchangeInfo(ctx.dialect, ctx.spec, ctx.limits.limits, Math.floor(ctx.exchange.serverMs())));
      },
    },
    depth: {
      security: 'none',
      trading: false,
      orders: 0,
      params: ['symbol', 'limit'],
      weight: (params) => {
        const limit = depthLimit(params, dialect);
        if (spot) return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1_000 ? 50 : 250;
        return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
      },
      run: depth,
    },
    place: {
      security: 'signed',
      trading: true,
      orders: 1,
      params: ['symbol', 'side', 'type', 'timeInForce', 'quantity', 'price', 'newClientOrderId', 'newOrderRespType', 'selfTradePreventionMode', ...(spot ? [] : ['reduceOnly', 'positionSide'])],
      weight: fixed(spot ? 1 : 0),
      run: place,
    },
    cancel: { security: 'signed', trading: true, orders: 0, params: ['symbol', 'orderId', 'origClientOrderId', ...(spot ? ['newClientOrderId'] : [])], weight: fixed(1), run: cancel },
    cancelAll: { security: 'signed', trading: true, orders: 0, params: ['symbol'], weight: fixed(1), run: cancelAll },
    query: { security: 'signed', trading: false, orders: 0, params: ['symbol', 'orderId', 'origClientOrderId'], weight: fixed(spot ? 4 : 1), run: query },
    openOrders: { security: 'signed', trading: false, orders: 0, params: ['symbol'], weight: fixed(spot ? 6 : 1), run: openOrders },
    trades: {
      security: 'signed',
      trading: false,
      orders: 0,
      params: ['symbol', 'orderId', 'startTime', 'endTime', 'fromId', 'limit'],
      weight: (params) => (spot ? (params.get('orderId') !== undefined ? 5 : 20) : 5),
      run: trades,
    },
    account: { security: 'signed', trading: false, orders: 0, params: ['omitZeroBalances'], weight: fixed(20), run: account },
    positionRisk: { security: 'signed', trading: false, orders: 0, params: ['symbol'], weight: fixed(5), run: positionRisk },
    countdown: { security: 'signed', trading: true, orders: 0, params: ['symbol', 'countdownTime'], weight: fixed(10), run: countdown },
  };
}
