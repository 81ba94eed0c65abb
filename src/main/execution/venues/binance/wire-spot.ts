/**
 * Binance spot wire shapes the gateway reads, parsed strictly (every field it uses is checked; anything
 * else is a GatewayError naming the field): the order answers of `POST /api/v3/order` / `order.place`
 * (newOrderRespType RESULT), cancel reports (`DELETE /api/v3/order`, `openOrders.cancelAll`: our id is
 * `origClientOrderId`, `clientOrderId` is the cancel's own), order queries (`order.status`,
 * `openOrders.status`), `myTrades` entries, `account.status` balances (`rest-api.md`, `web-socket-api.md`),
 * and the user data stream's `executionReport` (`user-data-stream.md`: for a cancel `C` is the cancelled
 * order's id and `c` the cancel's; `x` TRADE carries the trade `t`, `l`, `L`, `n`, `N`, `m`, `T`). Also the
 * builders of the order request parameters. Pure: no I/O.
 */
import type { GatewayOrder, GatewayOrderState, GatewayOrderStatus, GatewayTrade } from '../../live/gateway.js';
import type { Side } from '../../../../shared/units.js';
import type { ParamValue } from './signing.js';
import { arrayField, boolField, decimalField, intField, isRecord, malformed, objectField, oneOf, optionalString, signedDecimalField, stringField } from '../common/wire-fields.js';

export const SPOT_STATUSES = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH', 'PENDING_NEW', 'PENDING_CANCEL'] as const;
export type SpotStatus = (typeof SPOT_STATUSES)[number];
export const SPOT_EXEC_TYPES = ['NEW', 'CANCELED', 'REPLACED', 'REJECTED', 'TRADE', 'EXPIRED', 'TRADE_PREVENTION'] as const;
export type SpotExecType = (typeof SPOT_EXEC_TYPES)[number];

export function sideOf(obj: unknown, name: string, where: string): Side {
  return oneOf(obj, name, where, ['BUY', 'SELL'] as const) === 'BUY' ? 'buy' : 'sell';
}

/** The contract's status for a venue status; PENDING_* (order lists, "currently unused") are not ours. */
export function statusOf(status: SpotStatus, where: string): GatewayOrderStatus {
  switch (status) {
    case 'NEW':
      return 'new';
    case 'PARTIALLY_FILLED':
      return 'partially-filled';
    case 'FILLED':
      return 'filled';
    case 'CANCELED':
      return 'cancelled';
    case 'REJECTED':
      return 'rejected';
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return 'expired';
    case 'PENDING_NEW':
    case 'PENDING_CANCEL':
      throw malformed(`${where}: status ${status} belongs to order lists, which the gateway never sends`);
  }
}

/** Why an order ended, in the venue's words (`expiryReason` / `eR`, STP, IOC remainder). */
function reasonOf(status: SpotStatus, expiryReason: string | null, timeInForce: string | null, stp: boolean): string | null {
  if (status === 'EXPIRED_IN_MATCH' || stp) return 'self-trade prevention (EXPIRED_IN_MATCH)';
  if (status !== 'EXPIRED' && status !== 'REJECTED') return null;
  if (expiryReason !== null && expiryReason !== 'NONE') return expiryReason;
  if (status === 'EXPIRED' && timeInForce === 'IOC') return 'UNFILLED_IOC_QUANTITY_EXPIRED';
  return status;
}

export type SpotAnswerKind = 'place' | 'cancel' | 'query';

/**
 * One order as the venue answers a placement, a cancel or a query. `place` and `cancel` carry
 * `transactTime`; `query` entries (`order.status`, open orders) carry `updateTime`.
 */
export function parseSpotOrder(json: unknown, kind: SpotAnswerKind, where: string): GatewayOrderState {
  const status = oneOf(json, 'status', where, SPOT_STATUSES);
  const record = objectField(json, where);
  const timeMs = kind === 'query' ? intField(json, 'updateTime', where) : intField(json, 'transactTime', where);
  return {
    clientOrderId: kind === 'cancel' ? stringField(json, 'origClientOrderId', where) : stringField(json, 'clientOrderId', where),
    venueOrderId: String(intField(json, 'orderId', where)),
    side: sideOf(json, 'side', where),
    price: decimalField(json, 'price', where),
    quantity: decimalField(json, 'origQty', where),
    executedQuantity: decimalField(json, 'executedQty', where),
    status: statusOf(status, where),
    reason: reasonOf(status, optionalString(json, 'expiryReason', where), optionalString(json, 'timeInForce', where), 'preventedQuantity' in record),
    exchUs: timeMs * 1_000,
  };
}

/** An answer that is an array of orders (`openOrders.status`, `openOrders.cancelAll`), order lists skipped. */
export function parseSpotOrderList(json: unknown, kind: SpotAnswerKind, where: string): GatewayOrderState[] {
  if (!Array.isArray(json)) throw malformed(`${where}: expected an array`);
  const out: GatewayOrderState[] = [];
  for (const entry of json) {
    // why: cancel-all also reports order lists ({orderListId, orders, orderReports}); the gateway sends none
    if (isRecord(entry) && 'orderReports' in entry) continue;
    out.push(parseSpotOrder(entry, kind, where));
  }
  return out;
}

/** A trade of ours from `myTrades`: everything but the client order id, which the venue does not give. */
export interface VenueTrade extends Omit<GatewayTrade, 'clientOrderId'> {
  readonly orderId: number;
}

export function parseSpotMyTrade(json: unknown, where: string): VenueTrade {
  const orderId = intField(json, 'orderId', where);
  return {
    tradeId: String(intField(json, 'id', where)),
    orderId,
    venueOrderId: String(orderId),
    side: boolField(json, 'isBuyer', where) ? 'buy' : 'sell',
    price: decimalField(json, 'price', where),
    quantity: decimalField(json, 'qty', where),
    commission: decimalField(json, 'commission', where),
    commissionAsset: stringField(json, 'commissionAsset', where),
    maker: boolField(json, 'isMaker', where),
    exchUs: intField(json, 'time', where) * 1_000,
  };
}

/** Free and locked balance of an asset from `account.status` / `GET /api/v3/account`. */
export function parseSpotBalance(json: unknown, asset: string, where: string): { asset: string; free: string; locked: string } {
  for (const entry of arrayField(json, 'balances', where)) {
    if (stringField(entry, 'asset', `${where} balance`) !== asset) continue;
    return { asset, free: decimalField(entry, 'free', `${where} ${asset}`), locked: decimalField(entry, 'locked', `${where} ${asset}`) };
  }
  // why: omitZeroBalances and accounts that never held the asset list nothing for it: it is zero
  return { asset, free: '0', locked: '0' };
}

/** What one `executionReport` says: the order's state, and the trade when `x` is TRADE. */
export interface SpotExecution {
  readonly symbol: string;
  readonly execType: SpotExecType;
  readonly state: GatewayOrderState;
  readonly trade: GatewayTrade | null;
}

export function parseExecutionReport(event: unknown, where = 'executionReport'): SpotExecution {
  const execType = oneOf(event, 'x', where, SPOT_EXEC_TYPES);
  const status = oneOf(event, 'X', where, SPOT_STATUSES);
  const original = optionalString(event, 'C', where);
  // why: on a cancel `c` is the cancel request's id and `C` the id of the order it cancelled
  const clientOrderId = execType === 'CANCELED' && original !== null && original !== '' ? original : stringField(event, 'c', where);
  const orderId = String(intField(event, 'i', where));
  const side = sideOf(event, 'S', where);
  const timeMs = intField(event, 'T', where);
  const rejectReason = optionalString(event, 'r', where);
  let reason = reasonOf(status, optionalString(event, 'eR', where), optionalString(event, 'f', where), execType === 'TRADE_PREVENTION');
  if (status === 'REJECTED' && rejectReason !== null && rejectReason !== 'NONE') reason = rejectReason;
  const state: GatewayOrderState = {
    clientOrderId,
    venueOrderId: orderId,
    side,
    price: decimalField(event, 'p', where),
    quantity: decimalField(event, 'q', where),
    executedQuantity: decimalField(event, 'z', where),
    status: statusOf(status, where),
    reason,
    exchUs: timeMs * 1_000,
  };
  const trade = execType === 'TRADE' ? tradeOfEvent(event, where, state, 'unsigned') : null;
  return { symbol: stringField(event, 's', where), execType, state, trade };
}

/**
 * The trade an execution event carries (spot `executionReport`, USD-M `ORDER_TRADE_UPDATE.o`: the same
 * letters): trade id `t`, last price `L`, last quantity `l`, commission `n` in `N`, maker `m`.
 */
export function tradeOfEvent(event: unknown, where: string, state: GatewayOrderState, commission: 'unsigned' | 'signed'): GatewayTrade {
  return {
    tradeId: String(intField(event, 't', where)),
    clientOrderId: state.clientOrderId,
    venueOrderId: state.venueOrderId,
    side: state.side,
    price: decimalField(event, 'L', where),
    quantity: decimalField(event, 'l', where),
    commission: commission === 'signed' ? signedDecimalField(event, 'n', where) : decimalField(event, 'n', where),
    commissionAsset: optionalString(event, 'N', where) ?? '',
    maker: boolField(event, 'm', where),
    exchUs: state.exchUs,
  };
}

/**
 * The parameters of a new order (`POST /api/v3/order`, `order.place`), in the documented order: a quote is
 * `LIMIT_MAKER` ("rejected if the order immediately matches and trades as a taker"), a flatten is
 * `LIMIT` + `IOC`; `newOrderRespType` RESULT; self-trade prevention set explicitly when the symbol allows it.
 */
export function spotOrderParams(symbol: string, order: GatewayOrder, stpMode: string | null): Array<[string, ParamValue]> {
  const params: Array<[string, ParamValue]> = [
    ['symbol', symbol],
    ['side', order.side === 'buy' ? 'BUY' : 'SELL'],
    ['type', order.kind === 'post-only' ? 'LIMIT_MAKER' : 'LIMIT'],
  ];
  if (order.kind === 'ioc') params.push(['timeInForce', 'IOC']);
  params.push(['quantity', order.quantity], ['price', order.price], ['newClientOrderId', order.clientOrderId], ['newOrderRespType', 'RESULT']);
  if (stpMode !== null) params.push(['selfTradePreventionMode', stpMode]);
  return params;
}
