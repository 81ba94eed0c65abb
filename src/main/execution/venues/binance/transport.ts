/**
 * What every transport of a Binance gateway (REST client, WebSocket API connections) shares to send a
 * signed request: the venue, the API key and the signer, the venue clock, the rate-limit tracker and the
 * gateway's timing settings. A type only.
 */
import type { BinanceVenue } from '../../live/gateway.js';
import type { RateLimitTracker } from './rate-limits.js';
import type { ServerClock } from '../common/server-clock.js';
import type { RequestSigner } from '../common/signer.js';

export interface SignedTransport {
  readonly venue: BinanceVenue;
  readonly apiKey: string;
  readonly signer: RequestSigner;
  readonly clock: ServerClock;
  readonly limits: RateLimitTracker;
  readonly recvWindowMs: number;
  /** A request unanswered after this long is abandoned as 'unknown-outcome'. */
  readonly timeoutMs: number;
  readonly wallMs: () => number;
  /** Called when the venue's answer changed our usage or limits. */
  readonly onLimits: () => void;
}
