/**
 * Reconnection back-off, shared by every client that reconnects (the market feeds, the venue gateways'
 * user streams): capped exponential growth with jitter, so a venue that went away is not hammered and
 * clients cut at the same moment do not come back in lockstep. Pure: the random source is passed in.
 */

export interface BackoffOptions {
  /** First retry delay (default 500 ms). */
  readonly initialMs?: number;
  /** Cap of the delay (default 30,000 ms). */
  readonly maxMs?: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
  /** Share of the delay that is random (default 0.5: delay × [0.5, 1]). */
  readonly jitter?: number;
}

/** Delay before retry `attempt` (0-based): min(max, initial × factor^attempt) × (1 − jitter × random). */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const base = Math.min(max, initial * factor ** Math.max(0, attempt));
  return base * (1 - jitter * random());
}
