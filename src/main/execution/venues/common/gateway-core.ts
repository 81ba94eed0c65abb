/**
 * What every venue gateway shares, whatever its wire: the symbol and key checks, the signer (the only
 * holder of the secret), the venue clock and its resync (on a schedule, and at once after the venue
 * refused a request for its timestamp, so an immediate retry is stamped with the venue's time), the
 * listener and its 'stream' and 'limits' events (again when a back-off or ban ends), the check of every
 * order against the symbol's rules and the venue's client order id format before anything is sent, the
 * contract's view of the rules, and a printable form that never shows a key. Each venue's gateway extends
 * it with its wire (`binance/gateway-base.ts`, `bybit/gateway.ts`). It keeps no order book of ours and
 * decides nothing about orders.
 */
import { inspect } from 'node:util';
import { GatewayError, type Credentials, type GatewayEndpoints, type GatewayEvent, type GatewayOrder, type GatewayVenue, type RateLimitUsage, type SymbolRules } from '../../live/gateway.js';
import { ServerClock } from './server-clock.js';
import { RequestSigner } from './signer.js';

export interface GatewayCoreOptions {
  /** The symbol as the venue spells it ("BTCUSDT"). */
  readonly symbol: string;
  readonly credentials: Credentials;
  readonly endpoints: GatewayEndpoints;
  /** Default 5000 ms, both venues' own default (Binance "recvWindow", Bybit `X-BAPI-RECV-WINDOW`). */
  readonly recvWindowMs?: number;
  /** A request unanswered after this long is 'unknown-outcome' (default 5000 ms). */
  readonly requestTimeoutMs?: number;
  /** The local wall clock in ms (tests inject it). */
  readonly wallMs?: () => number;
  /** WebSocket reconnection back-off (default 250 ms doubling to 15 s). */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** How often the venue clock offset is measured again while running (default 10 min; a timestamp refusal also does). */
  readonly clockResyncMs?: number;
}

/** What the core reads of a venue's limit bookkeeping. */
export interface LimitBook {
  usage(serverMs: number, localMs: number): RateLimitUsage;
  /** When the current back-off or ban ends (local ms), or null. */
  holdUntil(localMs: number): number | null;
}

/** An order the venue would refuse: which rule, and why in one line. */
export interface FilterFailure {
  readonly filter: string;
  readonly detail: string;
}

const NULL_LISTENER = (): void => undefined;

export abstract class GatewayCore<R extends SymbolRules> {
  abstract readonly venue: GatewayVenue;
  readonly symbol: string;
  protected readonly signer: RequestSigner;
  protected readonly apiKey: string;
  protected readonly clock: ServerClock;
  protected abstract readonly limits: LimitBook;
  protected readonly wallMs: () => number;
  protected readonly recvWindowMs: number;
  protected readonly timeoutMs: number;
  protected readonly reconnectInitialMs: number;
  protected readonly reconnectMaxMs: number;
  protected listener: (event: GatewayEvent) => void = NULL_LISTENER;
  protected readonly endpoints: GatewayEndpoints;
  protected rules: R | null = null;
  protected stopped = false;
  private limitsTimer: ReturnType<typeof setTimeout> | null = null;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private readonly clockResyncMs: number;
  private resyncing: Promise<void> | null = null;

  constructor(venue: GatewayVenue, options: GatewayCoreOptions) {
    // why: both venues spell symbols in upper case ("uppercase only", Bybit create-order.mdx)
    if (!/^[A-Z0-9]{2,30}$/.test(options.symbol)) throw new GatewayError('rejected', `symbol "${options.symbol.slice(0, 40)}" is not a ${venue} symbol (upper-case letters and digits)`);
    if (!/^[\x21-\x7e]{1,256}$/.test(options.credentials.apiKey)) throw new GatewayError('auth', 'the API key is empty or has characters an HTTP header cannot carry');
    this.symbol = options.symbol;
    // why: the options carry the credentials; the gateway keeps the endpoints and the signer, never the secret
    this.endpoints = options.endpoints;
    this.signer = RequestSigner.fromCredentials(options.credentials);
    this.apiKey = options.credentials.apiKey;
    this.wallMs = options.wallMs ?? Date.now;
    this.recvWindowMs = options.recvWindowMs ?? 5_000;
    if (!(this.recvWindowMs > 0 && this.recvWindowMs <= 60_000)) throw new GatewayError('rejected', `recvWindow must be in (0, 60000] ms, got ${this.recvWindowMs}`);
    this.timeoutMs = options.requestTimeoutMs ?? 5_000;
    this.reconnectInitialMs = options.reconnectInitialMs ?? 250;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 15_000;
    this.clockResyncMs = options.clockResyncMs ?? 10 * 60_000;
    this.clock = new ServerClock(this.wallMs);
  }

  /** The venue's time now, ms, asked of its public time endpoint (one round trip). */
  protected abstract fetchServerMs(): Promise<number>;

  /** The first rule `order` breaks, or null (the venue's own filters, exact decimals). */
  protected abstract filterFailure(rules: R, order: GatewayOrder): FilterFailure | null;

  /** Why the venue would refuse this client order id, or null. */
  protected abstract clientOrderIdIssue(id: string): string | null;

  /** What a log or a JSON dump of the gateway shows: never its key or secret. */
  toJSON(): { venue: GatewayVenue; symbol: string } {
    return { venue: this.venue, symbol: this.symbol };
  }

  [inspect.custom](): string {
    return `${this.constructor.name}(${this.venue} ${this.symbol})`;
  }

  protected localUs(): number {
    return this.wallMs() * 1_000;
  }

  protected emit(event: GatewayEvent): void {
    this.listener(event);
  }

  protected streamStatus(status: 'up' | 'down', detail: string): void {
    this.emit({ type: 'stream', status, detail, localUs: this.localUs() });
  }

  usage(): RateLimitUsage {
    return this.limits.usage(this.clock.serverMs(), this.wallMs());
  }

  /** Tells the listener the limits or our usage changed; again when a back-off or ban runs out. */
  protected limitsChanged(): void {
    this.emit({ type: 'limits', usage: this.usage() });
    const until = this.limits.holdUntil(this.wallMs());
    if (this.limitsTimer !== null) clearTimeout(this.limitsTimer);
    this.limitsTimer = null;
    if (until !== null && !this.stopped) {
      this.limitsTimer = setTimeout(() => {
        this.limitsTimer = null;
        this.limitsChanged();
      }, until - this.wallMs() + 1);
    }
  }

  /** Measures the venue clock offset. */
  protected async syncClock(): Promise<void> {
    await this.clock.sync(() => this.fetchServerMs());
  }

  private resyncSoon(): Promise<void> {
    this.resyncing ??= this.syncClock()
      .catch(() => undefined)
      .finally(() => (this.resyncing = null));
    return this.resyncing;
  }

  /** Measures the clock again every `clockResyncMs` (drift would otherwise cost a timestamp refusal). */
  protected keepClockSynced(): void {
    if (this.resyncTimer !== null) clearInterval(this.resyncTimer);
    this.resyncTimer = setInterval(() => void this.resyncSoon(), this.clockResyncMs);
  }

  /**
   * Runs a signed request; when the venue refuses its timestamp, measures the clock again before the error
   * reaches the caller, so an immediate retry is stamped with the venue's time.
   */
  protected async signed<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'timestamp') await this.resyncSoon();
      throw error;
    }
  }

  /** Refuses an order the venue would refuse for its filters or id, before anything is sent. */
  protected beforePlace(order: GatewayOrder): R {
    const rules = this.requireStarted(`place ${order.clientOrderId}`);
    const idIssue = this.clientOrderIdIssue(order.clientOrderId);
    if (idIssue) throw new GatewayError('rejected', `place: ${idIssue}`);
    const failure = this.filterFailure(rules, order);
    if (failure) throw new GatewayError('filter', `place ${order.clientOrderId}: refused before sending by ${failure.filter}: ${failure.detail}`);
    return rules;
  }

  /**
   * Runs `open` once as the gateway's start with `listener` installed; a failed start stops the gateway so
   * a half-opened one keeps no sockets, timers or reconnect loops.
   */
  protected async startOnce(listener: (event: GatewayEvent) => void, open: () => Promise<SymbolRules>, stop: () => Promise<void>): Promise<SymbolRules> {
    if (this.rules !== null || this.stopped) throw new GatewayError('rejected', 'the gateway is already started or stopped');
    this.listener = listener;
    try {
      return await open();
    } catch (error) {
      await stop();
      throw error;
    }
  }

  protected requireStarted(what: string): R {
    if (this.rules === null || this.stopped) throw new GatewayError('unavailable', `${what}: the gateway is not started`);
    return this.rules;
  }

  /** The contract's rules (the gateway keeps the venue's full set for its own checks). */
  protected publicRules(rules: R): SymbolRules {
    return {
      symbol: rules.symbol,
      baseAsset: rules.baseAsset,
      quoteAsset: rules.quoteAsset,
      tickSize: rules.tickSize,
      stepSize: rules.stepSize,
      minQuantity: rules.minQuantity,
      maxQuantity: rules.maxQuantity,
      minNotional: rules.minNotional,
      percentPrice: rules.percentPrice,
      deadMansSwitch: rules.deadMansSwitch,
    };
  }

  protected stopCore(): void {
    this.stopped = true;
    if (this.limitsTimer !== null) clearTimeout(this.limitsTimer);
    if (this.resyncTimer !== null) clearInterval(this.resyncTimer);
    this.limitsTimer = null;
    this.resyncTimer = null;
  }
}
