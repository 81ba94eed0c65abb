/**
 * Request-weight and order-count accounting from the venue's own answers, and the back-off the venue
 * orders. Follows spot `rest-api.md` "LIMITS" (every answer carries `X-MBX-USED-WEIGHT-(intervalNum)
 * (intervalLetter)`; successful orders `X-MBX-ORDER-COUNT-...`; a 429 or 418 carries `Retry-After` in
 * seconds), `web-socket-api.md` "Rate limits" (a `rateLimits` array of `{rateLimitType, interval,
 * intervalNum, limit, count}` on every answer; 429/418 answers carry `retryAfter`, an epoch in ms; "a
 * 1 MINUTE interval starts every minute"), `enums.md` "Rate limiters", and the USD-M "General Info"
 * LIMITS. Limits come from exchangeInfo `rateLimits`; usage is the venue's last count in the current
 * window plus what we sent since, so a request that would break a limit is held back before it is sent.
 * Owns no timers and no I/O: the caller passes the venue's time (`serverMs`) and the local time.
 */
import { GatewayError, type RateLimitUsage } from '../../live/gateway.js';
import { LimitHold } from '../common/limit-hold.js';

export type RateLimitType = 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';

export interface RateLimitDef {
  readonly type: RateLimitType;
  readonly intervalMs: number;
  /** `1M`, `10S`: the header suffix and how the venue names the window. */
  readonly label: string;
  readonly limit: number;
}

const INTERVAL_MS: Readonly<Record<string, number>> = { S: 1_000, M: 60_000, H: 3_600_000, D: 86_400_000, SECOND: 1_000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
const LETTER: Readonly<Record<string, string>> = { SECOND: 'S', MINUTE: 'M', HOUR: 'H', DAY: 'D' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `{rateLimitType, interval, intervalNum, limit}` entry, or null when it is not one. */
function readDef(value: unknown): (RateLimitDef & { count: number | null }) | null {
  if (!isRecord(value)) return null;
  const type = value['rateLimitType'];
  const interval = value['interval'];
  const num = value['intervalNum'];
  const limit = value['limit'];
  const count = value['count'];
  if (type !== 'REQUEST_WEIGHT' && type !== 'ORDERS' && type !== 'RAW_REQUESTS') return null;
  if (typeof interval !== 'string' || !(interval in LETTER) || typeof num !== 'number' || !Number.isInteger(num) || num <= 0) return null;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0) return null;
  return {
    type,
    intervalMs: num * (INTERVAL_MS[interval] ?? 0),
    label: `${num}${LETTER[interval] ?? ''}`,
    limit,
    count: typeof count === 'number' && Number.isInteger(count) ? count : null,
  };
}

/** The limits of an exchangeInfo answer's `rateLimits` array (entries it cannot read are skipped). */
export function parseRateLimits(body: unknown): RateLimitDef[] {
  if (!isRecord(body) || !Array.isArray(body['rateLimits'])) return [];
  const out: RateLimitDef[] = [];
  for (const entry of body['rateLimits']) {
    const def = readDef(entry);
    if (def) out.push({ type: def.type, intervalMs: def.intervalMs, label: def.label, limit: def.limit });
  }
  return out;
}

interface Counter {
  def: RateLimitDef;
  /** Start of the window the count belongs to (venue time, ms). */
  windowStartMs: number;
  count: number;
}

/** The window a venue time falls in ("a 1 MINUTE interval starts every minute"). */
function windowStart(serverMs: number, intervalMs: number): number {
  return Math.floor(serverMs / intervalMs) * intervalMs;
}

export class RateLimitTracker {
  private counters: Counter[] = [];
  private readonly hold = new LimitHold();

  constructor(limits: readonly RateLimitDef[] = []) {
    this.setLimits(limits);
  }

  /** Replaces the known limits (from exchangeInfo), keeping the counts of windows that still exist. */
  setLimits(limits: readonly RateLimitDef[]): void {
    const old = this.counters;
    this.counters = limits.map((def) => {
      const previous = old.find((c) => c.def.type === def.type && c.def.intervalMs === def.intervalMs);
      return { def, windowStartMs: previous?.windowStartMs ?? 0, count: previous?.count ?? 0 };
    });
  }

  limits(): readonly RateLimitDef[] {
    return this.counters.map((c) => c.def);
  }

  private current(counter: Counter, serverMs: number): number {
    return windowStart(serverMs, counter.def.intervalMs) === counter.windowStartMs ? counter.count : 0;
  }

  private add(counter: Counter, amount: number, serverMs: number): void {
    const start = windowStart(serverMs, counter.def.intervalMs);
    if (start !== counter.windowStartMs) {
      counter.windowStartMs = start;
      counter.count = 0;
    }
    counter.count += amount;
  }

  private set(type: RateLimitType, label: string, count: number, serverMs: number, limit: number | null): void {
    let counter = this.counters.find((c) => c.def.type === type && c.def.label === label);
    if (!counter) {
      const intervalMs = labelMs(label);
      if (intervalMs === null) return;
      // why: a window the venue reports but exchangeInfo did not list still counts (limit unknown until then)
      counter = { def: { type, intervalMs, label, limit: limit ?? Number.POSITIVE_INFINITY }, windowStartMs: 0, count: 0 };
      this.counters.push(counter);
    } else if (limit !== null && limit !== counter.def.limit) {
      counter.def = { ...counter.def, limit };
    }
    counter.windowStartMs = windowStart(serverMs, counter.def.intervalMs);
    counter.count = count;
  }

  /**
   * Whether a request of `weight` (and `orders` new orders) may be sent now: null, or the GatewayError to
   * throw instead of sending (banned, backing off, or it would break a known limit).
   */
  check(weight: number, orders: number, serverMs: number, localMs: number): GatewayError | null {
    const held = this.hold.check(localMs);
    if (held) return held;
    for (const counter of this.counters) {
      const amount = counter.def.type === 'ORDERS' ? orders : counter.def.type === 'REQUEST_WEIGHT' ? weight : 1;
      if (amount === 0) continue;
      const used = this.current(counter, serverMs);
      if (used + amount > counter.def.limit) {
        const retryAtMs = localMs + (windowStart(serverMs, counter.def.intervalMs) + counter.def.intervalMs - serverMs);
        return new GatewayError(
          'rate-limited',
          `held back: ${counter.def.type} ${used} + ${amount} would exceed the venue's limit of ${counter.def.limit} per ${counter.def.label}`,
          null,
          retryAtMs,
        );
      }
    }
    return null;
  }

  /** Counts a request as sent (the venue's next answer replaces the estimate with its own count). */
  sent(weight: number, orders: number, serverMs: number): void {
    for (const counter of this.counters) {
      const amount = counter.def.type === 'ORDERS' ? orders : counter.def.type === 'REQUEST_WEIGHT' ? weight : 1;
      if (amount > 0) this.add(counter, amount, serverMs);
    }
  }

  /** Reads `X-MBX-USED-WEIGHT-1M` / `X-MBX-ORDER-COUNT-10S` style headers (names in any case). */
  fromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>, serverMs: number): boolean {
    let changed = false;
    for (const [name, raw] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      const match = /^x-mbx-(used-weight|order-count)-(\d+[smhd])$/.exec(lower);
      if (!match) continue;
      const value = Number(Array.isArray(raw) ? raw[0] : raw);
      if (!Number.isInteger(value) || value < 0) continue;
      const type: RateLimitType = match[1] === 'used-weight' ? 'REQUEST_WEIGHT' : 'ORDERS';
      this.set(type, (match[2] ?? '').toUpperCase(), value, serverMs, null);
      changed = true;
    }
    return changed;
  }

  /** Reads a WebSocket API answer's `rateLimits` array (limits and counts). */
  fromWsRateLimits(rateLimits: unknown, serverMs: number): boolean {
    if (!Array.isArray(rateLimits)) return false;
    let changed = false;
    for (const entry of rateLimits) {
      const def = readDef(entry);
      if (!def || def.count === null) continue;
      this.set(def.type, def.label, def.count, serverMs, def.limit);
      changed = true;
    }
    return changed;
  }

  /** A 429: no request until `untilMs` (local ms). */
  backOff(untilMs: number): void {
    this.hold.backOff(untilMs);
  }

  /** A 418: the IP is banned until `untilMs` (local ms). */
  ban(untilMs: number): void {
    this.hold.ban(untilMs);
  }

  /** When the current back-off or ban ends (local ms), or null. */
  holdUntil(localMs: number): number | null {
    return this.hold.holdUntil(localMs);
  }

  usage(serverMs: number, localMs: number): RateLimitUsage {
    const weight = this.shortest('REQUEST_WEIGHT');
    const orders = this.shortest('ORDERS');
    const { backOffUntilMs, banned } = this.hold.view(localMs);
    return {
      weightUsed: weight ? this.current(weight, serverMs) : 0,
      weightLimit: weight && Number.isFinite(weight.def.limit) ? weight.def.limit : 0,
      weightWindowMs: weight?.def.intervalMs ?? 0,
      ordersUsed: orders ? this.current(orders, serverMs) : 0,
      ordersLimit: orders && Number.isFinite(orders.def.limit) ? orders.def.limit : 0,
      ordersWindowMs: orders?.def.intervalMs ?? 0,
      backOffUntilMs,
      banned,
    };
  }

  private shortest(type: RateLimitType): Counter | null {
    let best: Counter | null = null;
    for (const counter of this.counters) {
      if (counter.def.type === type && (best === null || counter.def.intervalMs < best.def.intervalMs)) best = counter;
    }
    return best;
  }
}

/** `1M` → 60000, `10S` → 10000; null for anything else. */
export function labelMs(label: string): number | null {
  const match = /^(\d+)([SMHD])$/.exec(label);
  if (!match) return null;
  return Number(match[1]) * (INTERVAL_MS[match[2] ?? ''] ?? 0);
}

/** `Retry-After` (seconds) as a local epoch in ms; null when absent or unreadable. */
export function retryAfterHeaderMs(value: string | string[] | undefined, localMs: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds >= 0 ? localMs + seconds * 1_000 : null;
}
