/**
 * The venue adapter contract: a pure state machine per venue that turns received messages (WebSocket
 * frames and REST snapshot responses, as text or already JSON-parsed) into a local order book, public trades and
 * feed events, following the venue's documented book rules (`../shared/reference/book-rules.md`).
 *
 * An adapter does no I/O: the live connector (sockets, REST, timers) and the replay driver (a capture
 * file) both feed it the same messages in the same order, so live and replay share every line of
 * book-keeping. When the adapter needs the outside world to act (fetch a snapshot, resubscribe) it says
 * so through `takeAction()`; a replay ignores the request because the capture already holds what followed.
 */
import type { VenueName } from '../../../shared/contract.js';
import type { Instrument, LocalUs } from '../../../shared/units.js';
import type { FeedEvent, MarketTrade, OrderBook } from '../types.js';

export interface AdapterCounters {
  /** Messages fed to the adapter (ws + rest). */
  messages: number;
  /** Messages that changed or confirmed the book. */
  applied: number;
  /** Messages ignored (stale update ids, buffered-then-discarded, unknown channels, malformed). */
  dropped: number;
  gaps: number;
  resyncs: number;
  checksumFailures: number;
  crossedBooks: number;
  /** Malformed messages (bad JSON shape, bad numbers). */
  malformed: number;
  /** Venue timestamp of the last message that had one, µs (NaN if none). */
  lastExchUs: number;
  /** Local receive time − venue stamp of the last stamped message, µs (NaN if none). */
  lastLatencyUs: number;
}

export type AdapterAction =
  | { readonly type: 'none' }
  /** Fetch the REST depth snapshot (Binance) and feed the response back as a `rest` message. */
  | { readonly type: 'fetch-snapshot'; readonly url: string }
  /** Drop the subscription and subscribe again (Bybit, Kraken, Coinbase), or reconnect. */
  | { readonly type: 'resubscribe' };

export interface AdapterSink {
  onTrade(trade: MarketTrade): void;
  onFeedEvent(event: FeedEvent): void;
}

/** Venues with an adapter: the live venues, plus `lobster` for recordings imported from LOBSTER files. */
export type AdapterVenue = VenueName | 'lobster';

export interface VenueAdapter {
  readonly venue: AdapterVenue;
  readonly instrument: Instrument;
  readonly book: OrderBook;
  readonly counters: AdapterCounters;
  setSink(sink: AdapterSink): void;
  /** Feeds one received message. Returns true when the book changed (a whole message was applied). */
  onMessage(kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean;
  /**
   * Feeds one received text frame, as the live connector receives it: the same as
   * `onMessage(kind, JSON.parse(text), localUs)` (a text that is not JSON throws JSON.parse's SyntaxError),
   * which an adapter may do without building the parsed object (Kraken's book updates).
   */
  onText(kind: 'ws' | 'rest', text: string, localUs: LocalUs): boolean;
  /** The book is a faithful copy of the venue's right now. */
  trusted(): boolean;
  /** What the connector must do now; reading it clears it. */
  takeAction(): AdapterAction;
  /** Forgets everything (new connection): untrusted until the next snapshot. */
  reset(localUs: LocalUs): void;
}
