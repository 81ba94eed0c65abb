/**
 * The local exchange's rate limits, enforced the way the docs describe them (spot `rest-api.md` "LIMITS",
 * `web-socket-api.md` "Rate limits", USD-M "General Info"): request weight per IP per window and new
 * orders per window, windows aligned to the clock ("a 1 MINUTE interval starts every minute"); a request
 * that would break a limit gets 429 (-1003 for weight, -1015 for orders) with `Retry-After` seconds (REST)
 * or `retryAfter` epoch ms (WebSocket API) until the window ends; requests that keep coming while told to
 * back off are counted, and past `banAfterViolations` the IP is banned (418, -1003 "IP banned until").
 * Every answer carries the usage (`X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S` headers; `rateLimits`
 * arrays). One bucket: every client of the local exchange is the same IP. Time is passed in (venue ms).
 */
import type { DialectLimits, LimitSpec } from './dialect.js';

export interface LimitRefusal {
  readonly status: 429 | 418;
  readonly code: number;
  readonly msg: string;
  /** When asking again is allowed (venue ms). */
  readonly retryAtMs: number;
}

interface Window {
  readonly spec: LimitSpec;
  readonly ms: number;
  readonly label: string;
  readonly human: string;
  start: number;
  count: number;
}

function window(spec: LimitSpec): Window {
  const ms = spec.intervalSec * 1_000;
  const [letter, num, word] = spec.intervalSec % 86_400 === 0 ? ['D', spec.intervalSec / 86_400, 'DAY'] : spec.intervalSec % 3_600 === 0 ? ['H', spec.intervalSec / 3_600, 'HOUR'] : spec.intervalSec % 60 === 0 ? ['M', spec.intervalSec / 60, 'MINUTE'] : ['S', spec.intervalSec, 'SECOND'];
  return { spec, ms, label: `${num}${letter}`, human: `${num} ${word}`, start: 0, count: 0 };
}

export class ServerLimits {
  private readonly weight: Window;
  private readonly orders: Window;
  private backOffUntil = 0;
  private violations = 0;
  private bannedUntil = 0;

  constructor(readonly limits: DialectLimits) {
    this.weight = window(limits.weight);
    this.orders = window(limits.orders);
  }

  private roll(w: Window, nowMs: number): void {
    const start = Math.floor(nowMs / w.ms) * w.ms;
    if (start !== w.start) {
      w.start = start;
      w.count = 0;
    }
  }

  /** Counts a request of `weight` that places `orders` new orders, or refuses it. */
  admit(weight: number, orders: number, nowMs: number): LimitRefusal | null {
    if (nowMs < this.bannedUntil) return this.banned();
    if (nowMs < this.backOffUntil) {
      this.violations++;
      if (this.violations >= this.limits.banAfterViolations) {
        this.bannedUntil = nowMs + this.limits.banSeconds * 1_000;
        this.violations = 0;
        return this.banned();
      }
      return { status: 429, code: -1003, msg: this.weightMessage(), retryAtMs: this.backOffUntil };
    }
    this.roll(this.weight, nowMs);
    this.roll(this.orders, nowMs);
    if (this.weight.count + weight > this.weight.spec.limit) {
      this.backOffUntil = this.weight.start + this.weight.ms;
      return { status: 429, code: -1003, msg: this.weightMessage(), retryAtMs: this.backOffUntil };
    }
    if (orders > 0 && this.orders.count + orders > this.orders.spec.limit) {
      this.backOffUntil = this.orders.start + this.orders.ms;
      return { status: 429, code: -1015, msg: `Too many new orders; current limit is ${this.orders.spec.limit} orders per ${this.orders.human}.`, retryAtMs: this.backOffUntil };
    }
    this.violations = 0;
    this.weight.count += weight;
    return null;
  }

  /** Counts successfully placed orders ("Successfully placed orders update the ORDERS rate limit type"). */
  countOrders(orders: number, nowMs: number): void {
    this.roll(this.orders, nowMs);
    this.orders.count += orders;
  }

  private weightMessage(): string {
    return `Too much request weight used; current limit is ${this.weight.spec.limit} request weight per ${this.weight.human}. Please use WebSocket Streams for live updates to avoid polling the API.`;
  }

  private banned(): LimitRefusal {
    return { status: 418, code: -1003, msg: `Way too much request weight used; IP banned until ${this.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`, retryAtMs: this.bannedUntil };
  }

  /** `X-MBX-USED-WEIGHT-1M` always; `X-MBX-ORDER-COUNT-10S` on order answers. */
  headers(nowMs: number, withOrders: boolean): Record<string, string> {
    this.roll(this.weight, nowMs);
    const out: Record<string, string> = { [`X-MBX-USED-WEIGHT-${this.weight.label}`]: String(this.weight.count) };
    if (withOrders) {
      this.roll(this.orders, nowMs);
      out[`X-MBX-ORDER-COUNT-${this.orders.label}`] = String(this.orders.count);
    }
    return out;
  }

  /** The WebSocket API `rateLimits` array. */
  rateLimits(nowMs: number, withOrders: boolean): Array<Record<string, unknown>> {
    this.roll(this.weight, nowMs);
    const entry = (type: string, w: Window): Record<string, unknown> => {
      const [num, word] = w.human.split(' ');
      return { rateLimitType: type, interval: word, intervalNum: Number(num), limit: w.spec.limit, count: w.count };
    };
    const out = [entry('REQUEST_WEIGHT', this.weight)];
    if (withOrders) {
      this.roll(this.orders, nowMs);
      out.unshift(entry('ORDERS', this.orders));
    }
    return out;
  }
}
