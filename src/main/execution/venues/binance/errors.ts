/**
 * The venue's documented error answers mapped to `GatewayError` by what the caller must do. Sources:
 * spot `errors.md` (codes, and the messages of -2010 NEW_ORDER_REJECTED / -2011 CANCEL_REJECTED / the
 * "Filter failure: X" messages of -1013), spot `rest-api.md` / `web-socket-api.md` "HTTP Return Codes" and
 * "Status codes" (429, 418 with Retry-After / retryAfter; 5XX = execution status UNKNOWN), and the USD-M
 * "Error Codes" and "General Info" pages (-2019 margin, -4xxx filters, -5022 GTX, HTTP 503 message variants,
 * -1008 throttled). Every code the gateway meets is named in the message (`-2010 NEW_ORDER_REJECTED`), so
 * the reason on screen is the venue's own. Venue messages are trimmed and never carry request parameters.
 * Pure: no I/O.
 */
import { GatewayError, type GatewayErrorCode, type BinanceVenue } from '../../live/gateway.js';

/** The documented names of the codes the gateways meet (spot errors.md, USD-M Error Codes). */
export const ERROR_NAMES: Readonly<Record<number, string>> = {
  [-1000]: 'UNKNOWN',
  [-1001]: 'DISCONNECTED',
  [-1002]: 'UNAUTHORIZED',
  [-1003]: 'TOO_MANY_REQUESTS',
  [-1006]: 'UNEXPECTED_RESP',
  [-1007]: 'TIMEOUT',
  [-1008]: 'SERVER_BUSY',
  [-1013]: 'INVALID_MESSAGE',
  [-1015]: 'TOO_MANY_ORDERS',
  [-1016]: 'SERVICE_SHUTTING_DOWN',
  [-1021]: 'INVALID_TIMESTAMP',
  [-1022]: 'INVALID_SIGNATURE',
  [-1100]: 'ILLEGAL_CHARS',
  [-1102]: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED',
  [-1111]: 'BAD_PRECISION',
  [-1121]: 'BAD_SYMBOL',
  [-1125]: 'INVALID_LISTEN_KEY',
  [-2010]: 'NEW_ORDER_REJECTED',
  [-2011]: 'CANCEL_REJECTED',
  [-2013]: 'NO_SUCH_ORDER',
  [-2014]: 'BAD_API_KEY_FMT',
  [-2015]: 'REJECTED_MBX_KEY',
  [-2017]: 'API_KEYS_LOCKED',
  [-2018]: 'BALANCE_NOT_SUFFICIENT',
  [-2019]: 'MARGIN_NOT_SUFFICIEN',
  [-2022]: 'REDUCE_ONLY_REJECT',
  [-2026]: 'ORDER_ARCHIVED',
  [-2035]: 'SUBSCRIPTION_ACTIVE',
  [-2036]: 'SUBSCRIPTION_INACTIVE',
  [-4001]: 'PRICE_LESS_THAN_ZERO',
  [-4002]: 'PRICE_GREATER_THAN_MAX_PRICE',
  [-4003]: 'QTY_LESS_THAN_ZERO',
  [-4004]: 'QTY_LESS_THAN_MIN_QTY',
  [-4005]: 'QTY_GREATER_THAN_MAX_QTY',
  [-4013]: 'PRICE_LESS_THAN_MIN_PRICE',
  [-4014]: 'PRICE_NOT_INCREASED_BY_TICK_SIZE',
  [-4015]: 'INVALID_CL_ORD_ID_LEN',
  [-4016]: 'PRICE_HIGHTER_THAN_MULTIPLIER_UP',
  [-4023]: 'QTY_NOT_INCREASED_BY_STEP_SIZE',
  [-4024]: 'PRICE_LOWER_THAN_MULTIPLIER_DOWN',
  [-4116]: 'DUPLICATED_CLIENT_ORDER_ID',
  [-4131]: 'MARKET_ORDER_REJECT',
  [-4164]: 'MIN_NOTIONAL',
  [-5022]: 'GTX_ORDER_REJECT',
  [-5028]: 'ME_RECVWINDOW_REJECT',
};

/** USD-M filter failures (the 40xx "Filters and other Issues" that an order's price or quantity causes). */
const USDM_FILTER_CODES = new Set([-4001, -4002, -4003, -4004, -4005, -4013, -4014, -4016, -4023, -4024, -4131, -4164]);

/** A venue error answer: `{"code": -2010, "msg": "..."}`. */
export interface VenueErrorBody {
  readonly code: number;
  readonly msg: string;
}

/** Reads `{code, msg}` from a parsed answer, or null when it is not one. */
export function venueErrorBody(value: unknown): VenueErrorBody | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const code = record['code'];
  const msg = record['msg'];
  if (typeof code !== 'number' || !Number.isInteger(code) || typeof msg !== 'string') return null;
  return { code, msg };
}

/** The venue's message made safe for a screen line: one line, printable, at most 200 characters. */
export function cleanVenueMessage(msg: string): string {
  // eslint-disable-next-line no-control-regex -- why: strip control characters a venue answer might carry
  const line = msg.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** `-2010 NEW_ORDER_REJECTED: Order would immediately match and take.` */
export function describeVenueError(body: VenueErrorBody): string {
  const name = ERROR_NAMES[body.code];
  return `${body.code}${name ? ` ${name}` : ''}: ${cleanVenueMessage(body.msg)}`;
}

/** What the caller must do about a documented error code (the HTTP status decides 429/418/5xx first). */
export function classifyVenueCode(venue: BinanceVenue, body: VenueErrorBody): GatewayErrorCode {
  const msg = body.msg;
  switch (body.code) {
    case -1006:
    case -1007:
      return 'unknown-outcome';
    case -1001:
    case -1008:
    case -1016:
      // why: -1008 is "100% failure" on USD-M and "server overloaded, try again" on spot; -1001 "unable to process"
      return 'unavailable';
    case -1021:
    case -5028:
      return 'timestamp';
    case -1002:
    case -1022:
    case -2014:
    case -2015:
    case -2017:
      return 'auth';
    case -1003:
    case -1015:
      return 'rate-limited';
    case -1111:
      return 'filter';
    case -1013:
      return msg.startsWith('Filter failure') ? 'filter' : 'rejected';
    case -2010:
      if (msg.includes('would immediately match')) return 'would-take';
      if (msg.includes('insufficient balance')) return 'insufficient-balance';
      if (msg.startsWith('Filter failure')) return 'filter';
      return 'rejected';
    case -2011:
      return msg.startsWith('Unknown order') ? 'unknown-order' : 'rejected';
    case -2013:
    case -2026:
      return 'unknown-order';
    case -2018:
    case -2019:
      return 'insufficient-balance';
    case -5022:
      return 'would-take';
    default:
      if (venue === 'binance-usdm' && USDM_FILTER_CODES.has(body.code)) return 'filter';
      return 'rejected';
  }
}

/**
 * The GatewayError for a failed answer. `what` says which request failed ("place C123"); `retryAtMs` is
 * when asking again is allowed (from Retry-After / retryAfter) for 429 and 418.
 */
export function gatewayErrorFor(
  venue: BinanceVenue,
  what: string,
  httpStatus: number,
  body: VenueErrorBody | null,
  retryAtMs: number | null,
): GatewayError {
  const reason = body ? describeVenueError(body) : `HTTP ${httpStatus}`;
  const code = body ? body.code : null;
  if (httpStatus === 418) return new GatewayError('banned', `${what}: ${venue} banned this IP (HTTP 418, ${reason})`, code, retryAtMs);
  if (httpStatus === 429) return new GatewayError('rate-limited', `${what}: ${venue} rate limit hit (HTTP 429, ${reason})`, code, retryAtMs);
  if (httpStatus === 503 && body === null) return new GatewayError('unknown-outcome', `${what}: ${venue} answered HTTP 503 without an error code: execution status unknown`, null);
  if (httpStatus >= 500) {
    // why: a 5XX's message decides whether the request failed or its outcome is unknown (USD-M General Info)
    const kind = body ? classifyVenueCode(venue, body) : 'unknown-outcome';
    // why: only an explicit failure message or code makes a 5XX a known failure; otherwise the status is UNKNOWN
    const failed = kind === 'unavailable' || (body !== null && /^Service Unavailable/.test(body.msg));
    return new GatewayError(failed ? 'unavailable' : 'unknown-outcome', `${what}: ${venue} answered HTTP ${httpStatus} (${reason})${failed ? '' : ': execution status unknown'}`, code);
  }
  if (body === null) return new GatewayError('rejected', `${what}: ${venue} answered HTTP ${httpStatus} without an error code`, null);
  const kind = classifyVenueCode(venue, body);
  return new GatewayError(kind, `${what}: ${venue} ${kind === 'unknown-outcome' ? 'could not say whether it took effect' : 'refused'} (${reason})`, body.code, kind === 'rate-limited' ? retryAtMs : null);
}
