/**
 * Bybit v5's answer and event shapes read into the gateway contract: order objects (`order/open-order.mdx`
 * list entries and the private `order` topic, `websocket/private/order.mdx`: `orderStatus` New /
 * PartiallyFilled / Filled / Cancelled / PartiallyFilledCanceled / Rejected / Untriggered / Triggered /
 * Deactivated, `rejectReason`, `cancelType`, `cumExecQty`, `updatedTime`), executions (`order/execution.mdx`
 * and the `execution` topic: `execId`, `execPrice`, `execQty`, `execFee`, `feeCurrency`, `isMaker`,
 * `execTime`, `orderQty`, `leavesQty`, `execType`), the linear position (`position/position.mdx`) and the
 * unified wallet (`account/wallet-balance.mdx`). A post-only order the venue cancelled because it would have
 * taken (`rejectReason` EC_PostOnlyWillTakeLiquidity) is reported as 'rejected' by that name; an IOC order's
 * unfilled rest cancelled by the venue is 'expired' (the contract's IOC remainder). Strict: an unreadable
 * field throws (wire-fields.ts). Pure.
 */
import type { Side } from '../../../../shared/units.js';
import { GatewayError, type GatewayOrderState, type GatewayOrderStatus, type GatewayTrade, type Holdings } from '../../live/gateway.js';
import { compareDec, formatDec, isZeroDec, parseDec, parseSignedDec, subDec } from '../common/decimal.js';
import { arrayField, decimalField, isRecord, malformed, objectField, oneOf, optionalString, signedDecimalField, stringField } from '../common/wire-fields.js';

export const POST_ONLY_WOULD_TAKE = 'EC_PostOnlyWillTakeLiquidity';

const ORDER_STATUSES = ['New', 'PartiallyFilled', 'Untriggered', 'Rejected', 'PartiallyFilledCanceled', 'Filled', 'Cancelled', 'Triggered', 'Deactivated'] as const;

export function bybitSide(side: Side): 'Buy' | 'Sell' {
  return side === 'buy' ? 'Buy' : 'Sell';
}

function sideOf(obj: unknown, where: string): Side {
  return oneOf(obj, 'side', where, ['Buy', 'Sell'] as const) === 'Buy' ? 'buy' : 'sell';
}

function msField(obj: unknown, name: string, where: string): number {
  const text = stringField(obj, name, where);
  if (!/^\d{1,16}$/.test(text)) throw malformed(`${where}: field "${name}" should be a ms timestamp text`);
  return Number(text);
}

/** "" is how the venue writes an empty decimal (leavesQty of some closed orders): read as 0. */
function decimalOrZero(obj: unknown, name: string, where: string): string {
  const value = objectField(obj, where)[name];
  if (value === '') return '0';
  return decimalField(obj, name, where);
}

/** Why an order ended, as the venue said it (rejectReason, cancelType), or null. */
function reasonOf(obj: unknown, where: string): string | null {
  const reject = optionalString(obj, 'rejectReason', where);
  const cancel = optionalString(obj, 'cancelType', where);
  const parts: string[] = [];
  if (reject && reject !== 'EC_NoError') parts.push(reject);
  if (cancel && cancel !== 'UNKNOWN' && cancel !== '') parts.push(cancel);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** One order object (REST list entry or `order` topic entry) as the contract's state, with its symbol. */
export function parseBybitOrder(obj: unknown, where: string): { symbol: string; state: GatewayOrderState } {
  const status = oneOf(obj, 'orderStatus', where, ORDER_STATUSES);
  const rejectReason = optionalString(obj, 'rejectReason', where);
  const tif = optionalString(obj, 'timeInForce', where);
  const cancelType = optionalString(obj, 'cancelType', where);
  let mapped: GatewayOrderStatus;
  let reason = reasonOf(obj, where);
  switch (status) {
    case 'New':
    case 'Untriggered':
    case 'Triggered':
      mapped = 'new';
      break;
    case 'PartiallyFilled':
      mapped = 'partially-filled';
      break;
    case 'Filled':
      mapped = 'filled';
      break;
    case 'Rejected':
      mapped = 'rejected';
      break;
    case 'Cancelled':
    case 'PartiallyFilledCanceled':
    case 'Deactivated':
      if (rejectReason === POST_ONLY_WOULD_TAKE) {
        mapped = 'rejected';
        reason = `post-only order would have taken liquidity (${POST_ONLY_WOULD_TAKE})`;
      } else if (tif === 'IOC' && cancelType !== 'CancelByUser') {
        mapped = 'expired';
      } else {
        mapped = 'cancelled';
      }
      break;
  }
  const state: GatewayOrderState = {
    clientOrderId: stringField(obj, 'orderLinkId', where),
    venueOrderId: stringField(obj, 'orderId', where),
    side: sideOf(obj, where),
    price: decimalField(obj, 'price', where),
    quantity: decimalField(obj, 'qty', where),
    executedQuantity: decimalOrZero(obj, 'cumExecQty', where),
    status: mapped,
    reason: mapped === 'new' || mapped === 'partially-filled' || mapped === 'filled' ? null : reason,
    exchUs: msField(obj, 'updatedTime', where) * 1_000,
  };
  return { symbol: stringField(obj, 'symbol', where), state };
}

export interface BybitExecution {
  readonly symbol: string;
  /** `Trade` for our fills; funding, settlement and the like are not fills of an order. */
  readonly execType: string;
  readonly trade: GatewayTrade;
  /** The order's state as this execution leaves it. */
  readonly state: GatewayOrderState;
}

/** One execution (REST `execution/list` entry or `execution` topic entry). */
export function parseBybitExecution(obj: unknown, where: string): BybitExecution {
  const orderQtyText = decimalField(obj, 'orderQty', where);
  const leavesText = decimalOrZero(obj, 'leavesQty', where);
  const orderQty = parseDec(orderQtyText);
  const leaves = parseDec(leavesText);
  if (orderQty === null || leaves === null || compareDec(leaves, orderQty) > 0) throw malformed(`${where}: leavesQty exceeds orderQty`);
  const executed = subDec(orderQty, leaves);
  const side = sideOf(obj, where);
  const clientOrderId = stringField(obj, 'orderLinkId', where);
  const venueOrderId = stringField(obj, 'orderId', where);
  const exchUs = msField(obj, 'execTime', where) * 1_000;
  const trade: GatewayTrade = {
    tradeId: stringField(obj, 'execId', where),
    clientOrderId,
    venueOrderId,
    side,
    price: decimalField(obj, 'execPrice', where),
    quantity: decimalField(obj, 'execQty', where),
    commission: signedDecimalField(obj, 'execFee', where),
    commissionAsset: stringField(obj, 'feeCurrency', where),
    maker: objectField(obj, where)['isMaker'] === true,
    exchUs,
  };
  const state: GatewayOrderState = {
    clientOrderId,
    venueOrderId,
    side,
    price: decimalField(obj, 'orderPrice', where),
    quantity: orderQtyText,
    executedQuantity: formatDec(executed),
    status: isZeroDec(leaves) ? 'filled' : 'partially-filled',
    reason: null,
    exchUs,
  };
  return { symbol: stringField(obj, 'symbol', where), execType: stringField(obj, 'execType', where), trade, state };
}

/** The `list` of a v5 `result` and its `nextPageCursor` ('' when there is no next page). */
export function page(result: unknown, where: string): { list: unknown[]; cursor: string } {
  const list = arrayField(result, 'list', where);
  const cursor = optionalString(result, 'nextPageCursor', where) ?? '';
  return { list, cursor };
}

/** The one-way linear position of `symbol` (`position/list`); hedge mode is refused by name. */
export function parseBybitPosition(result: unknown, symbol: string, where: string): Extract<Holdings, { kind: 'position' }> {
  const { list } = page(result, where);
  let amount = '0';
  let entry = '0';
  for (const item of list) {
    if (!isRecord(item) || item['symbol'] !== symbol) continue;
    const idx = item['positionIdx'];
    if (idx !== 0) throw new GatewayError('rejected', `${where}: the account holds ${symbol} in hedge mode (positionIdx ${String(idx)}): the gateway trades One-way mode only (positionIdx 0)`);
    const size = decimalField(item, 'size', where);
    const side = stringField(item, 'side', where);
    const zero = parseDec(size);
    if (zero !== null && isZeroDec(zero)) continue;
    if (side !== 'Buy' && side !== 'Sell') throw malformed(`${where}: position side "${side.slice(0, 10)}" with size ${size}`);
    amount = side === 'Sell' ? `-${size}` : size;
    entry = decimalOrZero(item, 'avgPrice', where);
  }
  return { kind: 'position', positionAmount: amount, entryPrice: entry };
}

/** Base and quote balances from the unified wallet (`free` = walletBalance − locked). */
export function parseBybitWallet(result: unknown, base: string, quote: string, where: string): Extract<Holdings, { kind: 'balances' }> {
  const { list } = page(result, where);
  const found = new Map<string, { free: string; locked: string }>();
  for (const account of list) {
    for (const coin of arrayField(account, 'coin', where)) {
      const name = stringField(coin, 'coin', where);
      if (name !== base && name !== quote) continue;
      const wallet = parseSignedDec(signedDecimalField(coin, 'walletBalance', where));
      const locked = parseDec(decimalOrZero(coin, 'locked', where));
      if (wallet === null || locked === null) throw malformed(`${where}: ${name} balance is not a plain decimal`);
      found.set(name, { free: formatDec(subDec(wallet, locked)), locked: formatDec(locked) });
    }
  }
  const of = (asset: string): { asset: string; free: string; locked: string } => ({ asset, ...(found.get(asset) ?? { free: '0', locked: '0' }) });
  return { kind: 'balances', base: of(base), quote: of(quote) };
}

/** `GET /v5/market/time`: `result.timeNano` (ns text) as ms. */
export function parseBybitTime(result: unknown, where: string): number {
  const nano = stringField(result, 'timeNano', where);
  if (!/^\d{10,22}$/.test(nano)) throw malformed(`${where}: timeNano is not a ns timestamp`);
  return Number(BigInt(nano) / 1_000_000n);
}
