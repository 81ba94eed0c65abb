/**
 * Bybit v5's API rate limits as the gateway keeps under them (`rate-limit/rate-limit.mdx`): "per second per
 * UID" for each endpoint (defaults from the "API Rate Limit Table": create / cancel / cancel-all 10/s linear
 * and 20/s spot, disconnected-cancel-all 5/s, realtime / history / execution list 50/s, position and wallet
 * balance 50/s), and every answer's `X-Bapi-Limit` (this endpoint's limit), `X-Bapi-Limit-Status` (what
 * remains) and `X-Bapi-Limit-Reset-Timestamp` (when it resets after a breach). A request is held back here,
 * by name, when the endpoint's rolling second is used up by our own count or by the venue's last word;
 * retCode 10006 backs off until the reset stamp, HTTP 429 ("system level frequency protection") for a
 * second, HTTP 403 ("access too frequent") bans for the documented ten minutes (`../common/limit-hold.ts`).
 * Owns no timers and no I/O: times are passed in (local wall ms).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, type RateLimitUsage } from '../../live/gateway.js';
import type { LimitBook } from '../common/gateway-core.js';
import { LimitHold } from '../common/limit-hold.js';
import type { BybitCategory } from './rules.js';

const WINDOW_MS = 1_000;
export const CREATE_PATH = '/v5/order/create';

/** The table's defaults per path, for the category traded. */
export function defaultBybitLimits(category: BybitCategory): Readonly<Record<string, number>> {
  const spot = category === 'spot';
  return {
    [CREATE_PATH]: spot ? 20 : 10,
    '/v5/order/amend': 10,
    '/v5/order/cancel': spot ? 20 : 10,
    '/v5/order/cancel-all': spot ? 20 : 10,
    '/v5/order/disconnected-cancel-all': 5,
    '/v5/order/realtime': 50,
    '/v5/order/history': 50,
    '/v5/execution/list': 50,
    '/v5/position/list': 50,
    '/v5/account/wallet-balance': 50,
  };
}

interface VenueWord {
  readonly limit: number;
  readonly remaining: number;
  readonly atMs: number;
  readonly resetLocalMs: number | null;
}

function headerInt(headers: IncomingHttpHeaders, name: string): number | null {
  const raw = headers[name.toLowerCase()];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}

export class BybitRateLimits implements LimitBook {
  private readonly hold = new LimitHold();
  private readonly sends = new Map<string, number[]>();
  private readonly venue = new Map<string, VenueWord>();

  constructor(private readonly defaults: Readonly<Record<string, number>>) {}

  private limitOf(path: string): number | null {
    return this.venue.get(path)?.limit ?? this.defaults[path] ?? null;
  }

  private recent(path: string, localMs: number): number[] {
    const list = this.sends.get(path) ?? [];
    while (list.length > 0 && (list[0] ?? 0) <= localMs - WINDOW_MS) list.shift();
    this.sends.set(path, list);
    return list;
  }

  /** The error to throw instead of sending a request to `path` now, or null. */
  check(path: string, localMs: number): GatewayError | null {
    const held = this.hold.check(localMs);
    if (held) return held;
    const limit = this.limitOf(path);
    if (limit === null) return null;
    const recent = this.recent(path, localMs);
    if (recent.length >= limit) {
      const at = (recent[0] ?? localMs) + WINDOW_MS;
      return new GatewayError('rate-limited', `held back: ${path} is limited to ${limit} requests per second and ${recent.length} went in the last second`, null, at);
    }
    const word = this.venue.get(path);
    // why: after a breach the reset stamp says when the budget returns; otherwise it is just "now" and the
    // rolling second decides
    const until = word === undefined ? 0 : word.resetLocalMs !== null && word.resetLocalMs > word.atMs ? word.resetLocalMs : word.atMs + WINDOW_MS;
    if (word && word.remaining <= 0 && localMs < until) {
      const at = until;
      return new GatewayError('rate-limited', `held back: the venue said no ${path} request remains this second (X-Bapi-Limit-Status 0)`, null, at);
    }
    return null;
  }

  sent(path: string, localMs: number): void {
    if (this.limitOf(path) === null) return;
    this.recent(path, localMs).push(localMs);
  }

  /** Reads the usage headers of an answer to `path`; true when they said something. */
  fromHeaders(path: string, headers: IncomingHttpHeaders, localMs: number, toLocalMs: (serverMs: number) => number): boolean {
    const limit = headerInt(headers, 'X-Bapi-Limit');
    const remaining = headerInt(headers, 'X-Bapi-Limit-Status');
    if (limit === null || remaining === null) return false;
    const reset = headerInt(headers, 'X-Bapi-Limit-Reset-Timestamp');
    this.venue.set(path, { limit, remaining, atMs: localMs, resetLocalMs: reset === null ? null : toLocalMs(reset) });
    return true;
  }

  /** retCode 10006: nothing until the reset stamp (local ms) or a second from now. */
  tooManyVisits(path: string, localMs: number): number {
    const word = this.venue.get(path);
    const until = word?.resetLocalMs !== null && word?.resetLocalMs !== undefined && word.resetLocalMs > localMs ? word.resetLocalMs : localMs + WINDOW_MS;
    this.hold.backOff(until);
    return until;
  }

  backOff(untilMs: number): void {
    this.hold.backOff(untilMs);
  }

  ban(untilMs: number): void {
    this.hold.ban(untilMs);
  }

  holdUntil(localMs: number): number | null {
    return this.hold.holdUntil(localMs);
  }

  /** Busiest endpoint as 'weight', order placement as 'orders', both per rolling second. */
  usage(_serverMs: number, localMs: number): RateLimitUsage {
    let weightUsed = 0;
    let weightLimit = 0;
    let busiest = -1;
    for (const path of new Set([...this.sends.keys(), ...this.venue.keys()])) {
      const limit = this.limitOf(path);
      if (limit === null || limit <= 0) continue;
      const used = this.usedOf(path, localMs);
      if (used / limit > busiest) {
        busiest = used / limit;
        weightUsed = used;
        weightLimit = limit;
      }
    }
    const view = this.hold.view(localMs);
    return {
      weightUsed,
      weightLimit,
      weightWindowMs: WINDOW_MS,
      ordersUsed: this.usedOf(CREATE_PATH, localMs),
      ordersLimit: this.limitOf(CREATE_PATH) ?? 0,
      ordersWindowMs: WINDOW_MS,
      backOffUntilMs: view.backOffUntilMs,
      banned: view.banned,
    };
  }

  private usedOf(path: string, localMs: number): number {
    const ours = this.recent(path, localMs).length;
    const word = this.venue.get(path);
    const venueUsed = word && localMs - word.atMs < WINDOW_MS ? word.limit - word.remaining : 0;
    return Math.max(ours, venueUsed);
  }
}
