/**
 * A venue's clock as seen from here: the offset between the venue's server time and the local wall
 * clock, so every signed request's timestamp is the venue's time. Both venues judge a request by the
 * same rule — Binance: processed only if `timestamp < serverTime + 1000` and `serverTime - timestamp <=
 * recvWindow` (spot `rest-api.md` "Timing security", USD-M "General Info"); Bybit v5: `server_time -
 * recv_window <= timestamp < server_time + 1000` (`guide.mdx` "Authentication") — so a refusal for time
 * (Binance -1021, Bybit 10002) means the offset went stale and the gateway measures it again. Each sync
 * takes several round trips and keeps the one with the shortest round trip, centred on its midpoint.
 * Venue-neutral; owns no I/O of its own: the caller passes the time request and the wall clock.
 */

export class ServerClock {
  private offsetMs = 0;
  private synced = false;
  private lastRttMs = Number.NaN;

  constructor(private readonly wallMs: () => number) {}

  /** The venue's time now, by our estimate (ms, may be fractional). */
  serverMs(): number {
    return this.wallMs() + this.offsetMs;
  }

  /** The `timestamp` of a signed request: the venue's time now in whole ms. */
  timestamp(): number {
    return Math.floor(this.serverMs());
  }

  /** Local wall time for a venue time. */
  toLocalMs(serverMs: number): number {
    return serverMs - this.offsetMs;
  }

  offset(): number {
    return this.offsetMs;
  }

  isSynced(): boolean {
    return this.synced;
  }

  roundTripMs(): number {
    return this.lastRttMs;
  }

  /** Measures the offset with `samples` round trips of `fetchServerTime` (resolves to the venue's ms). */
  async sync(fetchServerTime: () => Promise<number>, samples = 3): Promise<void> {
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < samples; i++) {
      const sent = this.wallMs();
      const server = await fetchServerTime();
      const received = this.wallMs();
      const rtt = received - sent;
      // why: the venue stamped its time somewhere inside the round trip; its midpoint is the best guess
      const offset = server - (sent + received) / 2;
      if (best === null || rtt < best.rtt) best = { rtt, offset };
    }
    if (best !== null) {
      this.offsetMs = best.offset;
      this.lastRttMs = best.rtt;
      this.synced = true;
    }
  }
}
