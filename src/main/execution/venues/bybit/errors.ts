/**
 * Bybit v5's documented rejects (`error.mdx`: "UTA", "Spot Trade"; HTTP codes; `rate-limit/rate-limit.mdx`)
 * mapped to the gateway's error codes by what the caller must do: 10002 is our clock (resync), 10003 /
 * 10004 / 10005 / 10007 / 10010 / 33004 / -2015 are the key, 10006 is the per-UID rate limit (back off until
 * X-Bapi-Limit-Reset-Timestamp), 110001 / 170213 and the "already completed or cancelled" family mean the
 * venue no longer has the order open, 170218 is a spot post-only order refused for crossing, then balance
 * and margin codes, filter codes (price range, tick, quantity, notional), and the venue's own "timeout,
 * status unknown" answers (10000, 10016, 170007, 170146, 170147) whose effect is unknown. Every other code is a named reject carrying the venue's code and message. Pure.
 */
import { GatewayError, type GatewayErrorCode } from '../../live/gateway.js';

/** The documented names of the codes the gateway handles by kind (error.mdx). */
export const BYBIT_ERROR_NAMES: Readonly<Record<number, string>> = {
  10000: 'Server Timeout',
  10001: 'Request parameter error',
  10002: 'The request time exceeds the time window range.',
  10003: 'API key is invalid.',
  10004: 'Error sign, please check your signature generation algorithm.',
  10005: 'Permission denied, please check your API key permissions.',
  10006: 'Too many visits. Exceeded the API Rate Limit.',
  10007: 'User authentication failed.',
  10010: 'Unmatched IP, please check your API key\'s bound IP addresses.',
  10016: 'Server error.',
  10027: 'Transactions are banned.',
  10029: 'The requested symbol is invalid, please check symbol whitelist',
  30208: 'Failed to submit order(s). The order price is higher than the maximum buying price',
  30209: 'Failed to submit order(s). The order price is lower than the minimum selling price.',
  33004: '(Derivatives) Your api key has expired',
  110001: 'Order does not exist',
  110003: 'Order price exceeds the allowable range.',
  110004: 'Wallet balance is insufficient',
  110006: 'The assets are estimated to be unable to cover the position margin',
  110007: 'Available balance is insufficient',
  110008: 'The order has been completed or cancelled.',
  110010: 'The order has been cancelled',
  110012: 'Insufficient available balance.',
  110017: 'orderQty will be truncated to zero',
  110020: 'Not allowed to have more than 500 active orders.',
  110044: 'Available margin is insufficient.',
  110045: 'Wallet balance is insufficient.',
  110072: 'OrderLinkedID is duplicate',
  110079: 'The order is processing and can not be operated, please try again later',
  110094: 'Order notional value below the lower limit',
  110120: 'Order price cannot be smaller than xxxx, the price limitation',
  110121: 'Order price cannot be higher than xxxx, the price limitation',
  170005: 'Too many new orders; current limit is %s orders per %s.',
  170007: 'Timeout waiting for response from backend server.',
  170124: 'Order amount too large.',
  170131: 'Balance insufficient',
  170132: 'Order price too high.',
  170133: 'Order price lower than the minimum.',
  170134: 'Order price decimal too long.',
  170136: 'Order quantity lower than the minimum.',
  170137: 'Order volume decimal too long',
  170139: 'Order has been filled.',
  170140: 'Order value exceeded lower limit',
  170141: 'Duplicate clientOrderId',
  170142: 'Order has been cancelled',
  170143: 'Cannot be found on order book',
  170146: 'Order creation timeout',
  170147: 'Order cancellation timeout',
  170190: 'Cancel order has been finished',
  170193: 'Buy order price cannot be higher than %s.',
  170194: 'Sell order price cannot be lower than %s.',
  170213: 'Order does not exist.',
  170218: 'The LIMIT-MAKER order is rejected due to invalid price.',
  170222: 'Too many requests in this time frame.',
  170371: 'Order price cannot be lower than {}, the price limitation',
  170372: 'Order price cannot be higher than 0, the price limitation',
  170381: 'Order quantity too large.',
  170382: 'Order quantity too large.',
  170341: 'Request order quantity exceeds maximum limit',
};

const AUTH = new Set([10003, 10004, 10005, 10007, 10010, 33004, -2015]);
const UNKNOWN_ORDER = new Set([110001, 110008, 110010, 170139, 170142, 170143, 170190, 170213]);
const BALANCE = new Set([110004, 110006, 110007, 110012, 110044, 110045, 170131, 170033]);
const FILTER = new Set([110003, 110017, 110094, 110120, 110121, 30208, 30209, 170124, 170132, 170133, 170134, 170136, 170137, 170140, 170192, 170193, 170194, 170371, 170372, 170381, 170382, 170341]);
/** The venue says the request timed out inside it: it may or may not have taken effect. */
const UNKNOWN_OUTCOME = new Set([10000, 10016, 170007, 170146, 170147]);
const RATE_LIMITED = new Set([10006, 170005, 170222]);
/** Refused without effect and worth asking again later. */
const UNAVAILABLE = new Set([110079, 170191, 170212]);

export function classifyBybitCode(retCode: number): GatewayErrorCode {
  if (retCode === 10002) return 'timestamp';
  // why: spot may refuse a post-only (LIMIT-MAKER) order that would cross outright instead of cancelling it
  if (retCode === 170218) return 'would-take';
  if (AUTH.has(retCode)) return 'auth';
  if (RATE_LIMITED.has(retCode)) return 'rate-limited';
  if (UNKNOWN_ORDER.has(retCode)) return 'unknown-order';
  if (BALANCE.has(retCode)) return 'insufficient-balance';
  if (FILTER.has(retCode)) return 'filter';
  if (UNKNOWN_OUTCOME.has(retCode)) return 'unknown-outcome';
  if (UNAVAILABLE.has(retCode)) return 'unavailable';
  return 'rejected';
}

/**
 * The venue's message with our API key taken out: Bybit's 10004 answer quotes the signed text
 * ("error sign! origin_string[<timestamp><api key><recv_window>...]"), and no message of ours may carry the key.
 */
export function scrubKey(text: string, apiKey: string): string {
  return apiKey.length > 0 ? text.split(apiKey).join('<api key>') : text;
}

/** The GatewayError for a `retCode` ≠ 0 answer, naming the request, the code and the venue's message. */
export function bybitError(venue: string, what: string, retCode: number, retMsg: string, retryAtMs: number | null = null): GatewayError {
  const code = classifyBybitCode(retCode);
  const message = retMsg.length > 0 ? retMsg.slice(0, 200) : (BYBIT_ERROR_NAMES[retCode] ?? 'no message');
  const suffix = code === 'unknown-outcome' ? ': execution status unknown' : '';
  return new GatewayError(code, `${what}: ${venue} retCode ${retCode}: ${message}${suffix}`, retCode, code === 'rate-limited' ? retryAtMs : null);
}

/** The GatewayError for an HTTP status without a readable v5 body (`error.mdx` "HTTP Code"). */
export function bybitHttpError(venue: string, what: string, status: number, retryAtMs: number | null): GatewayError {
  switch (status) {
    case 401:
      return new GatewayError('auth', `${what}: ${venue} HTTP 401: invalid request (key or authentication headers)`);
    case 403:
      return new GatewayError('banned', `${what}: ${venue} HTTP 403: access too frequent (IP rate limit): no request for at least 10 minutes`, null, retryAtMs);
    case 404:
      return new GatewayError('rejected', `${what}: ${venue} HTTP 404: path not found (or the category does not match the account mode)`);
    case 429:
      return new GatewayError('rate-limited', `${what}: ${venue} HTTP 429: system-level frequency protection`, null, retryAtMs);
    default:
      if (status >= 500) return new GatewayError('unknown-outcome', `${what}: ${venue} HTTP ${status}: execution status unknown`);
      return new GatewayError('rejected', `${what}: ${venue} HTTP ${status}`);
  }
}
