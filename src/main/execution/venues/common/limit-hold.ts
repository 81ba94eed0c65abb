/**
 * What every venue's limits have in common once the venue has spoken: it told us to back off until a
 * time (Binance 429 with Retry-After / retryAfter; Bybit retCode 10006 until X-Bapi-Limit-Reset-Timestamp,
 * or its HTTP 429 system protection) or banned us until a time (Binance 418; Bybit HTTP 403 "access too
 * frequent", at least ten minutes). Until then no request is sent: it is refused here by name, with when
 * asking again is allowed. Owns no timers and no I/O: local wall-clock ms are passed in.
 */
import { GatewayError } from '../../live/gateway.js';

export class LimitHold {
  private backOffUntilMs: number | null = null;
  private bannedUntilMs: number | null = null;

  /** No request until `untilMs` (local ms); a later back-off already set is kept. */
  backOff(untilMs: number): void {
    this.backOffUntilMs = Math.max(this.backOffUntilMs ?? 0, untilMs);
  }

  /** The IP is banned until `untilMs` (local ms). */
  ban(untilMs: number): void {
    this.bannedUntilMs = Math.max(this.bannedUntilMs ?? 0, untilMs);
  }

  /** The GatewayError to throw instead of sending now, or null. */
  check(localMs: number): GatewayError | null {
    if (this.bannedUntilMs !== null && localMs < this.bannedUntilMs) {
      return new GatewayError('banned', `held back: the venue banned this IP until ${new Date(this.bannedUntilMs).toISOString()}`, null, this.bannedUntilMs);
    }
    if (this.backOffUntilMs !== null && localMs < this.backOffUntilMs) {
      return new GatewayError('rate-limited', `held back: the venue asked us to back off until ${new Date(this.backOffUntilMs).toISOString()}`, null, this.backOffUntilMs);
    }
    return null;
  }

  /** When the current back-off or ban ends (local ms), or null. */
  holdUntil(localMs: number): number | null {
    const until = Math.max(this.backOffUntilMs ?? 0, this.bannedUntilMs ?? 0);
    return until > localMs ? until : null;
  }

  /** The contract's view: until when requests are held (the ban's end while banned), and whether banned. */
  view(localMs: number): { backOffUntilMs: number | null; banned: boolean } {
    const banned = this.bannedUntilMs !== null && localMs < this.bannedUntilMs;
    const backOff = banned ? this.bannedUntilMs : this.backOffUntilMs !== null && localMs < this.backOffUntilMs ? this.backOffUntilMs : null;
    return { backOffUntilMs: backOff, banned };
  }
}
