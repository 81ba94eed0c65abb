/**
 * Feed health: turns what a feed saw (messages with their receive time and venue stamp, connection
 * changes, trust changes, answers to our own pings, the adapter's counters) into the `FeedHealthView` the
 * monitor and the risk layer read. Two different silences are told apart:
 *   - stale: the CONNECTION is silent — no frame and no answer to our ping for longer than the threshold,
 *     whatever the socket says (a connected but dead link is the failure that matters): the risk gate trips;
 *   - quiet: the connection answers but the MARKET sent nothing for longer than the threshold (an equity
 *     lunch hour, an illiquid pair): shown as quiet, nothing trips.
 * A replay's connection is the capture itself and is never silent (`connectionCanGoSilent: false`): a
 * replay is never stale because its market was quiet. Pure: every call
 * takes the time (µs on the desk clock, wall time live, event time in replay) and nothing here reads a
 * clock, a socket or a timer. Recording a message does not allocate (a fixed ring of time buckets holds
 * the sliding window for messages/s).
 */
import type { FeedHealthView } from '../../shared/contract.js';
import { SlidingRate } from '../../shared/sliding-rate.js';
import { assertNever, type LocalUs } from '../../shared/units.js';
import type { AdapterCounters } from './adapters/types.js';
import type { FeedEvent } from './types.js';
import { emptyCounters } from './adapters/base.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface FeedHealthOptions {
  /** A feed whose last message is older than this is stale (default 5,000 ms). */
  readonly staleAfterMs?: number;
  /** Width of the sliding window for messages/s (default 10,000 ms). */
  readonly rateWindowMs?: number;
  /** Number of buckets the window is cut into (default 50). */
  readonly rateBuckets?: number;
  /**
   * Whether the connection itself can go silent (a live socket: default true). A replay's cannot: its
   * messages are the capture's, and a gap in them is a quiet market, never a dead link.
   */
  readonly connectionCanGoSilent?: boolean;
}

/** The counter fields the tracker reads from an adapter (or keeps itself when none is bound). */
export type HealthCounters = Pick<
  AdapterCounters,
  'messages' | 'applied' | 'dropped' | 'gaps' | 'resyncs' | 'checksumFailures' | 'crossedBooks' | 'lastLatencyUs'
>;

export class FeedHealthTracker {
  readonly staleAfterUs: number;
  private readonly rate: SlidingRate;
  private lastMessageUs = Number.NaN;
  /** The connection last showed life: a frame of any kind, or the answer to our ping. */
  private lastAliveUs = Number.NaN;
  private readonly canGoSilent: boolean;
  private lastLatencyUs = Number.NaN;
  private connection: ConnectionState = 'connecting';
  private connectedAtUs = Number.NaN;
  /** A gap/checksum/crossed fault was seen and trust has not come back yet (own resync count). */
  private faultPending = false;
  private isTrusted = false;
  private lastErrorText: string | null = null;
  private reconnectCount = 0;
  private counterSource: HealthCounters | null = null;
  /** Own counters, used when no adapter counters are bound. */
  private readonly own: HealthCounters = emptyCounters();

  constructor(options: FeedHealthOptions = {}) {
    const staleAfterMs = options.staleAfterMs ?? 5_000;
    const windowMs = options.rateWindowMs ?? 10_000;
    const buckets = options.rateBuckets ?? 50;
    if (!(staleAfterMs > 0)) throw new RangeError(`staleAfterMs must be > 0, got ${staleAfterMs}`);
    if (!(windowMs > 0)) throw new RangeError(`rateWindowMs must be > 0, got ${windowMs}`);
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`rateBuckets must be an integer ≥ 1, got ${buckets}`);
    this.staleAfterUs = staleAfterMs * 1_000;
    this.canGoSilent = options.connectionCanGoSilent ?? true;
    this.rate = new SlidingRate(windowMs * 1_000, buckets);
  }

  /**
   * Reads counters from the adapter (the same object, live: no copy). Without one the tracker counts
   * messages itself and derives gaps/checksum failures/crossed books from `untrusted` feed events.
   */
  bindCounters(counters: HealthCounters | null): void {
    this.counterSource = counters;
  }

  /** A message (ws frame or REST response) arrived at `localUs`; `exchUs` is the venue's stamp if any. */
  recordMessage(localUs: LocalUs, exchUs: number = Number.NaN): void {
    if (localUs < this.lastMessageUs) this.restartWindow();
    this.lastMessageUs = localUs;
    if (!(localUs <= this.lastAliveUs)) this.lastAliveUs = localUs;
    if (!Number.isNaN(exchUs)) this.lastLatencyUs = localUs - exchUs;
    this.own.messages++;
    this.rate.record(localUs);
  }

  /** The connection answered (a pong to our ping, a heartbeat frame): alive, whatever the market does. */
  recordAlive(localUs: LocalUs): void {
    if (!(localUs <= this.lastAliveUs)) this.lastAliveUs = localUs;
  }

  /** Counts a message the tracker's own counters saw as applied or dropped (when no adapter is bound). */
  recordOutcome(applied: boolean): void {
    if (applied) this.own.applied++;
    else this.own.dropped++;
  }

  setConnection(state: ConnectionState, localUs: LocalUs): void {
    if (state === 'connected' && this.connection !== 'connected') {
      this.connectedAtUs = localUs;
      // A connection just opened is alive: its silence counts from now.
      this.lastAliveUs = localUs;
    }
    this.connection = state;
  }

  connectionState(): ConnectionState {
    return this.connection;
  }

  /** A new connection attempt after a lost one. */
  recordReconnect(): void {
    this.reconnectCount++;
  }

  recordError(detail: string): void {
    this.lastErrorText = detail;
  }

  setTrusted(trusted: boolean): void {
    this.isTrusted = trusted;
  }

  /** Folds a feed event into the health: connection, trust, errors (and counts when no adapter is bound). */
  recordFeedEvent(event: FeedEvent): void {
    switch (event.type) {
      case 'connected':
        this.setConnection('connected', event.localUs);
        return;
      case 'disconnected':
        this.connection = 'disconnected';
        this.isTrusted = false;
        this.lastErrorText = event.reason;
        return;
      case 'untrusted':
        this.isTrusted = false;
        if (event.cause === 'gap' || event.cause === 'checksum' || event.cause === 'crossed') {
          this.faultPending = true;
          if (this.counterSource === null) {
            if (event.cause === 'gap') this.own.gaps++;
            else if (event.cause === 'checksum') this.own.checksumFailures++;
            else this.own.crossedBooks++;
          }
        }
        if (event.cause !== 'snapshot-pending') this.lastErrorText = `${event.cause}: ${event.detail}`;
        return;
      case 'trusted':
        if (this.faultPending && this.counterSource === null) this.own.resyncs++;
        this.faultPending = false;
        this.isTrusted = true;
        return;
      case 'error':
        this.lastErrorText = event.detail;
        return;
      default:
        assertNever(event, 'feed event');
    }
  }

  /** Time jumped backwards (replay seek): the message-rate window and message age start again. */
  restartWindow(): void {
    this.rate.restart();
    this.lastMessageUs = Number.NaN;
    this.lastAliveUs = Number.NaN;
  }

  /** Age of the last message in µs, NaN before the first. */
  lastMessageAgeUs(nowUs: LocalUs): number {
    return Number.isNaN(this.lastMessageUs) ? Number.NaN : Math.max(0, nowUs - this.lastMessageUs);
  }

  /**
   * How long the connection has been silent (no frame, no answer to our ping), µs; NaN when there is no
   * connection. A connection that cannot go silent (a replay) is never silent while connected.
   */
  silentUs(nowUs: LocalUs): number {
    if (this.connection !== 'connected') return Number.NaN;
    if (!this.canGoSilent) return 0;
    const from = Number.isNaN(this.lastAliveUs) ? this.connectedAtUs : this.lastAliveUs;
    return Number.isNaN(from) ? 0 : Math.max(0, nowUs - from);
  }

  /** Stale: connected (or claiming to be) and the connection silent for longer than the threshold. */
  isStale(nowUs: LocalUs): boolean {
    return this.silentUs(nowUs) > this.staleAfterUs;
  }

  /**
   * Quiet: the connection is alive but the market sent nothing for longer than the threshold (before any
   * message, since the connection opened).
   */
  isQuiet(nowUs: LocalUs): boolean {
    if (this.connection !== 'connected' || this.isStale(nowUs)) return false;
    const age = this.lastMessageAgeUs(nowUs);
    if (!Number.isNaN(age)) return age > this.staleAfterUs;
    return !Number.isNaN(this.connectedAtUs) && nowUs - this.connectedAtUs > this.staleAfterUs;
  }

  /** Messages per second over the sliding window ending at `nowUs`. */
  messagesPerSec(nowUs: LocalUs): number {
    return this.rate.perSec(nowUs);
  }

  view(nowUs: LocalUs): FeedHealthView {
    const c = this.counterSource ?? this.own;
    const age = this.lastMessageAgeUs(nowUs);
    const latencyUs = Number.isNaN(this.lastLatencyUs) ? c.lastLatencyUs : this.lastLatencyUs;
    return {
      connected: this.connection === 'connected',
      state: this.stateAt(nowUs),
      trusted: this.isTrusted,
      lastMessageAgeMs: Number.isNaN(age) ? null : age / 1_000,
      silentMs: Number.isNaN(this.silentUs(nowUs)) ? null : this.silentUs(nowUs) / 1_000,
      quiet: this.isQuiet(nowUs),
      messagesPerSec: this.messagesPerSec(nowUs),
      latencyMs: Number.isFinite(latencyUs) ? latencyUs / 1_000 : null,
      messages: c.messages,
      applied: c.applied,
      dropped: c.dropped,
      gaps: c.gaps,
      resyncs: c.resyncs,
      checksumFailures: c.checksumFailures,
      crossedBooks: c.crossedBooks,
      reconnects: this.reconnectCount,
      lastError: this.lastErrorText,
    };
  }

  private stateAt(nowUs: LocalUs): FeedHealthView['state'] {
    switch (this.connection) {
      case 'connecting':
      case 'disconnected':
      case 'closed':
        return this.connection;
      case 'connected':
        if (this.isStale(nowUs)) return 'stale';
        if (!this.isTrusted) return 'resyncing';
        return this.isQuiet(nowUs) ? 'quiet' : 'connected';
      default:
        return assertNever(this.connection, 'connection state');
    }
  }
}
