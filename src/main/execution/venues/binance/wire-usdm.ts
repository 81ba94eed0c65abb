/**
 * Binance USD-M futures wire shapes the gateway reads, parsed strictly: order answers of `POST/DELETE/GET
 * /fapi/v1/order` and `GET /fapi/v1/openOrders` (`updateTime` stamps them), `GET /fapi/v1/userTrades`
 * entries, `GET /fapi/v3/positionRisk` (One-way mode: `positionSide` BOTH), `POST /fapi/v1/countdownCancelAll`
 * (`countdownTime` is a string), the listenKey answers, and the user data stream's `ORDER_TRADE_UPDATE`
 * (`o.x` execution type, `o.X` status, `o.t`/`o.l`/`o.L`/`o.n`/`o.N`/`o.m` for a TRADE, `o.er` expiry
 * reason 0..9) — from the USD-M REST and "User Data Streams" pages. Also the builder of the order request
 * parameters (LIMIT + GTX for a quote: post-only; LIMIT + IOC to flatten). Pure: no I/O.
 */
import { GatewayError, type GatewayOrder, type GatewayOrderState, type GatewayTrade } from '../../live/gateway.js';
import type { ParamValue } from './signing.js';
import { boolField, decimalField, intField, malformed, objectField, oneOf, optionalString, signedDecimalField, stringField } from '../common/wire-fields.js';
import { sideOf, statusOf, tradeOfEvent, type VenueTrade } from './wire-spot.js';

export const USDM_STATUSES = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH', 'REJECTED'] as const;
export type UsdmStatus = (typeof USDM_STATUSES)[number];
export const USDM_EXEC_TYPES = ['NEW', 'CANCELED', 'CALCULATED', 'EXPIRED', 'TRADE', 'AMENDMENT'] as const;
export type UsdmExecType = (typeof USDM_EXEC_TYPES)[number];

/** "Expiry Reason" codes of ORDER_TRADE_UPDATE `er`, in the page's words. */
export const USDM_EXPIRY_REASONS: Readonly<Record<string, string>> = {
  '1': 'self-trade prevention (order expired)',
  '2': 'IOC order not filled completely: remainder cancelled',
  '3': 'IOC remainder cancelled by self-trade prevention',
  '4': 'cancelled by a higher-priority reduce-only order or a reversed position',
  '5': 'expired when the account was liquidated',
  '6': 'GTE condition unsatisfied',
  '7': 'symbol delisted',
  '8': 'initial order expired after the stop order triggered',
  '9': 'market order not filled completely: remainder cancelled',
};

function reasonOf(status: UsdmStatus, timeInForce: string | null, expiry: string | null): string | null {
  if (status === 'EXPIRED_IN_MATCH') return 'self-trade prevention (EXPIRED_IN_MATCH)';
  if (status !== 'EXPIRED' && status !== 'REJECTED') return null;
  if (expiry !== null && expiry !== '0') return USDM_EXPIRY_REASONS[expiry] ?? `expiry reason ${expiry}`;
  if (status === 'EXPIRED' && timeInForce === 'GTX') return 'post-only (GTX) order would have taken liquidity';
  if (status === 'EXPIRED' && timeInForce === 'IOC') return USDM_EXPIRY_REASONS['2'] ?? null;
  return status;
}

/** One order as `POST`/`DELETE`/`GET /fapi/v1/order` or `GET /fapi/v1/openOrders` gives it. */
export function parseUsdmOrder(json: unknown, where: string): GatewayOrderState {
  const status = oneOf(json, 'status', where, USDM_STATUSES);
  return {
    clientOrderId: stringField(json, 'clientOrderId', where),
    venueOrderId: String(intField(json, 'orderId', where)),
    side: sideOf(json, 'side', where),
    price: decimalField(json, 'price', where),
    quantity: decimalField(json, 'origQty', where),
    executedQuantity: decimalField(json, 'executedQty', where),
    status: statusOf(status, where),
    reason: reasonOf(status, optionalString(json, 'timeInForce', where), null),
    exchUs: intField(json, 'updateTime', where) * 1_000,
  };
}

export function parseUsdmOrderList(json: unknown, where: string): GatewayOrderState[] {
  if (!Array.isArray(json)) throw malformed(`${where}: expected an array`);
  return json.map((entry) => parseUsdmOrder(entry, where));
}

export function parseUsdmUserTrade(json: unknown, where: string): VenueTrade {
  const orderId = intField(json, 'orderId', where);
  return {
    tradeId: String(intField(json, 'id', where)),
    orderId,
    venueOrderId: String(orderId),
    side: sideOf(json, 'side', where),
    price: decimalField(json, 'price', where),
    quantity: decimalField(json, 'qty', where),
    // why: maker rebates make a futures commission negative
    commission: signedDecimalField(json, 'commission', where),
    commissionAsset: stringField(json, 'commissionAsset', where),
    maker: boolField(json, 'maker', where),
    exchUs: intField(json, 'time', where) * 1_000,
  };
}

/** The One-way position of `symbol` from `GET /fapi/v3/positionRisk` (no entry: flat). */
export function parseUsdmPosition(json: unknown, symbol: string, where: string): { positionAmount: string; entryPrice: string } {
  if (!Array.isArray(json)) throw malformed(`${where}: expected an array`);
  for (const entry of json) {
    if (stringField(entry, 'symbol', where) !== symbol) continue;
    const side = stringField(entry, 'positionSide', where);
    if (side !== 'BOTH') {
      throw new GatewayError('rejected', `${where}: the account is in Hedge Mode (positionSide ${side.slice(0, 10)}); the desk trades One-way Mode`);
    }
    return { positionAmount: signedDecimalField(entry, 'positionAmt', where), entryPrice: decimalField(entry, 'entryPrice', where) };
  }
  return { positionAmount: '0', entryPrice: '0' };
}

export function parseListenKey(json: unknown, where: string): string {
  const key = stringField(json, 'listenKey', where);
  if (!/^[A-Za-z0-9]{1,128}$/.test(key)) throw malformed(`${where}: listenKey is not alphanumeric`);
  return key;
}

/** `{"symbol": "BTCUSDT", "countdownTime": "100000"}`: the countdown the venue armed. */
export function parseCountdown(json: unknown, where: string): number {
  const text = stringField(json, 'countdownTime', where);
  const ms = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(ms)) throw malformed(`${where}: countdownTime is not a whole number of ms`);
  return ms;
}

export interface UsdmExecution {
  readonly symbol: string;
  readonly execType: UsdmExecType;
  readonly state: GatewayOrderState;
  readonly trade: GatewayTrade | null;
}

/** One `ORDER_TRADE_UPDATE` event (`{"e","E","T","o":{...}}`). */
export function parseOrderTradeUpdate(event: unknown, where = 'ORDER_TRADE_UPDATE'): UsdmExecution {
  const o = objectField(objectField(event, where)['o'], `${where}.o`);
  const at = `${where}.o`;
  const execType = oneOf(o, 'x', at, USDM_EXEC_TYPES);
  const status = oneOf(o, 'X', at, USDM_STATUSES);
  const clientOrderId = stringField(o, 'c', at);
  const orderId = String(intField(o, 'i', at));
  const side = sideOf(o, 'S', at);
  const timeMs = intField(o, 'T', at);
  const expiry = optionalString(o, 'er', at);
  const state: GatewayOrderState = {
    clientOrderId,
    venueOrderId: orderId,
    side,
    price: decimalField(o, 'p', at),
    quantity: decimalField(o, 'q', at),
    executedQuantity: decimalField(o, 'z', at),
    status: statusOf(status, at),
    reason: reasonOf(status, optionalString(o, 'f', at), expiry),
    exchUs: timeMs * 1_000,
  };
  // why: maker rebates make a futures commission negative
  const trade = execType === 'TRADE' ? tradeOfEvent(o, at, state, 'signed') : null;
  return { symbol: stringField(o, 's', at), execType, state, trade };
}

/**
 * The parameters of a new order (`POST /fapi/v1/order`): a quote is LIMIT + `GTX` (post-only), a flatten
 * LIMIT + `IOC`; `reduceOnly` as "true"; `newOrderRespType` RESULT; `selfTradePreventionMode` EXPIRE_MAKER.
 */
export function usdmOrderParams(symbol: string, order: GatewayOrder): Array<[string, ParamValue]> {
  const params: Array<[string, ParamValue]> = [
    ['symbol', symbol],
    ['side', order.side === 'buy' ? 'BUY' : 'SELL'],
    ['type', 'LIMIT'],
    ['timeInForce', order.kind === 'post-only' ? 'GTX' : 'IOC'],
    ['quantity', order.quantity],
    ['price', order.price],
    ['newClientOrderId', order.clientOrderId],
    ['newOrderRespType', 'RESULT'],
    ['selfTradePreventionMode', 'EXPIRE_MAKER'],
  ];
  if (order.reduceOnly === true) params.push(['reduceOnly', 'true']);
  return params;
}
