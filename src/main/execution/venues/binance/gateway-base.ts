/**
 * What the spot and USD-M gateways share: the signer (the only holder of the secret), the venue clock and
 * its resync after -1021, the rate-limit tracker and its 'limits' events (again when a back-off or ban
 * ends), the REST client, the symbol's rules and the check of every order against them before it is
 * sent, the venue order id → client order id memory that trade lists need (the venue's trade lists carry
 * only `orderId`), and the walk over trade history in the windows the venue allows. It keeps no order book
 * of ours and decides nothing about orders.
 */
import { inspect } from 'node:util';
import { GatewayError, type Credentials, type GatewayEndpoints, type GatewayEvent, type GatewayOrder, type GatewayOrderState, type GatewayTrade, type GatewayVenue, type RateLimitUsage, type SymbolRules } from '../../live/gateway.js';
import { checkOrder, clientOrderIdIssue, type BinanceSymbolRules } from './rules.js';
import { RateLimitTracker } from './rate-limits.js';
import { RestClient } from './rest-client.js';
import { ServerClock } from './server-clock.js';
import { RequestSigner } from './signing.js';
import type { SignedTransport } from './transport.js';
import { intField } from './wire-fields.js';
import type { VenueTrade } from './wire-spot.js';

export interface BinanceGatewayOptions {
  /** The symbol as the venue spells it ("BTCUSDT"). */
  readonly symbol: string;
  readonly credentials: Credentials;
  readonly endpoints: GatewayEndpoints;
  /** Default 5000 ms, the venue's own default ("It is recommended to use a small recvWindow of 5000 or less"). */
  readonly recvWindowMs?: number;
  /** A request unanswered after this long is 'unknown-outcome' (default 5000 ms). */
  readonly requestTimeoutMs?: number;
  /** The local wall clock in ms (tests inject it). */
  readonly wallMs?: () => number;
  /** WebSocket reconnection back-off (default 250 ms doubling to 15 s). */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** USD-M: how often the listenKey is kept alive (default 30 min; the key lives 60 min). */
  readonly listenKeyKeepAliveMs?: number;
  /** How often the venue clock offset is measured again while running (default 10 min; a -1021 also does). */
  readonly clockResyncMs?: number;
}

const NULL_LISTENER = (): void => undefined;
/** Order ids remembered for trade lists (a bounded window, oldest forgotten first). */
const ORDER_ID_MEMORY = 50_000;

export abstract class BinanceGatewayBase {
  abstract readonly venue: GatewayVenue;
  readonly symbol: string;
  protected readonly signer: RequestSigner;
  protected readonly apiKey: string;
  protected readonly clock: ServerClock;
  protected readonly limits = new RateLimitTracker();
  protected readonly rest: RestClient;
  protected readonly wallMs: () => number;
  protected readonly recvWindowMs: number;
  protected readonly timeoutMs: number;
  protected readonly reconnectInitialMs: number;
  protected readonly reconnectMaxMs: number;
  protected listener: (event: GatewayEvent) => void = NULL_LISTENER;
  protected readonly endpoints: GatewayEndpoints;
  protected rules: BinanceSymbolRules | null = null;
  protected stopped = false;
  private readonly clientIds = new Map<string, string>();
  private limitsTimer: ReturnType<typeof setTimeout> | null = null;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private readonly clockResyncMs: number;
  private resyncing: Promise<void> | null = null;

  constructor(venue: GatewayVenue, options: BinanceGatewayOptions) {
    if (!/^[A-Z0-9]{2,30}$/.test(options.symbol)) throw new GatewayError('rejected', `symbol "${options.symbol.slice(0, 40)}" is not a Binance symbol (upper-case letters and digits)`);
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
    this.rest = new RestClient({ ...this.transport(venue), baseUrl: options.endpoints.restUrl });
  }

  /** What every transport of this gateway signs and counts with. */
  protected transport(venue: GatewayVenue): SignedTransport {
    return {
      venue,
      apiKey: this.apiKey,
      signer: this.signer,
      clock: this.clock,
      limits: this.limits,
      recvWindowMs: this.recvWindowMs,
      timeoutMs: this.timeoutMs,
      wallMs: this.wallMs,
      onLimits: () => this.limitsChanged(),
    };
  }

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

  /** Measures the venue clock offset (`GET {timePath}`, weight 1). */
  protected async syncClock(timePath: string): Promise<void> {
    await this.clock.sync(async () => {
      const body = await this.rest.call({ method: 'GET', path: timePath, params: [], security: 'none', weight: 1, orders: 0, what: 'server time' });
      return intField(body, 'serverTime', `${this.venue} ${timePath}`);
    });
  }

  /** Measures the clock again every `clockResyncMs` (drift would otherwise cost a -1021 refusal). */
  protected keepClockSynced(timePath: string): void {
    if (this.resyncTimer !== null) clearInterval(this.resyncTimer);
    this.resyncTimer = setInterval(() => {
      this.resyncing ??= this.syncClock(timePath)
        .catch(() => undefined)
        .finally(() => (this.resyncing = null));
    }, this.clockResyncMs);
  }

  /**
   * Runs a signed request; on -1021 (timestamp outside recvWindow) measures the clock again before the
   * error reaches the caller, so an immediate retry is stamped with the venue's time.
   */
  protected async signed<T>(timePath: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'timestamp') {
        this.resyncing ??= this.syncClock(timePath)
          .catch(() => undefined)
          .finally(() => (this.resyncing = null));
        await this.resyncing;
      }
      throw error;
    }
  }

  /** Refuses an order the venue would refuse for its filters or id, before anything is sent. */
  protected beforePlace(order: GatewayOrder): BinanceSymbolRules {
    const rules = this.rules;
    if (rules === null || this.stopped) throw new GatewayError('unavailable', `place ${order.clientOrderId}: the gateway is not started`);
    const idIssue = clientOrderIdIssue(order.clientOrderId);
    if (idIssue) throw new GatewayError('rejected', `place: ${idIssue}`);
    const failure = checkOrder(this.venue, rules, order);
    if (failure) throw new GatewayError('filter', `place ${order.clientOrderId}: refused before sending by ${failure.filter}: ${failure.detail}`);
    return rules;
  }

  protected requireStarted(what: string): BinanceSymbolRules {
    if (this.rules === null || this.stopped) throw new GatewayError('unavailable', `${what}: the gateway is not started`);
    return this.rules;
  }

  /** The order `read` asks the venue for, remembered; null when the venue does not know it (-2011/-2013). */
  protected async known(read: () => Promise<GatewayOrderState>): Promise<GatewayOrderState | null> {
    try {
      const state = await read();
      this.remember(state);
      return state;
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'unknown-order') return null;
      throw error;
    }
  }

  /** Remembers which client order id a venue order id belongs to (trade lists give only the latter). */
  protected remember(state: Pick<GatewayOrderState, 'venueOrderId' | 'clientOrderId'>): void {
    if (this.clientIds.has(state.venueOrderId)) return;
    this.clientIds.set(state.venueOrderId, state.clientOrderId);
    if (this.clientIds.size > ORDER_ID_MEMORY) {
      const oldest = this.clientIds.keys().next();
      if (!oldest.done) this.clientIds.delete(oldest.value);
    }
  }

  /** The client order id of a venue order id, asking the venue when it is not remembered. */
  protected abstract clientIdOfOrder(orderId: number): Promise<string>;

  /**
   * Our trades executed at or after `sinceExchUs`, oldest first: `fetch(startMs, endMs)` reads one window
   * of at most `windowMs` (the venue's longest startTime..endTime span) and `limit` trades. History older
   * than `maxLookbackMs` is refused by name rather than walked window by window at the venue's expense.
   */
  protected async walkTrades(
    sinceExchUs: number,
    windowMs: number,
    limit: number,
    maxLookbackMs: number,
    fetch: (startMs: number, endMs: number) => Promise<VenueTrade[]>,
  ): Promise<GatewayTrade[]> {
    const seen = new Set<string>();
    const found: VenueTrade[] = [];
    let from = Math.floor(sinceExchUs / 1_000);
    const end = Math.ceil(this.clock.serverMs()) + 1_000;
    if (!Number.isFinite(from) || end - from > maxLookbackMs) {
      throw new GatewayError('rejected', `trades since ${Number.isFinite(from) ? new Date(from).toISOString() : String(sinceExchUs)}: the gateway reads at most ${Math.round(maxLookbackMs / 86_400_000)} days of trade history`);
    }
    while (from <= end) {
      const to = Math.min(from + windowMs - 1, end);
      const page = await fetch(from, to);
      let added = 0;
      let last = from;
      for (const trade of page) {
        last = Math.max(last, Math.floor(trade.exchUs / 1_000));
        if (seen.has(trade.tradeId)) continue;
        seen.add(trade.tradeId);
        found.push(trade);
        added++;
      }
      // why: a full page may stop mid-millisecond; start again at its last trade's ms (seen ids are skipped)
      if (page.length >= limit) from = added > 0 ? last : last + 1;
      else from = to + 1;
    }
    found.sort((a, b) => a.exchUs - b.exchUs || Number(a.tradeId) - Number(b.tradeId));
    const out: GatewayTrade[] = [];
    for (const trade of found) {
      if (trade.exchUs < sinceExchUs) continue;
      let clientOrderId = this.clientIds.get(trade.venueOrderId);
      if (clientOrderId === undefined) {
        clientOrderId = await this.clientIdOfOrder(trade.orderId);
        this.remember({ venueOrderId: trade.venueOrderId, clientOrderId });
      }
      const { orderId: _orderId, ...rest } = trade;
      out.push({ ...rest, clientOrderId });
    }
    return out;
  }

  /**
   * Hands one user-stream execution to the listener ('trade' when it carries a fill, else 'order'), for
   * our symbol only. An event that cannot be read may hide a fill: `drop` cuts the stream, so its 'up'
   * makes the desk reconcile.
   */
  protected deliver(name: string, parse: () => { symbol: string; state: GatewayOrderState; trade: GatewayTrade | null }, drop: (reason: string) => void): void {
    let execution;
    try {
      execution = parse();
    } catch (error) {
      drop(`sent an unreadable ${name} (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    if (execution.symbol !== this.symbol) return;
    this.remember(execution.state);
    const localUs = this.localUs();
    if (execution.trade) this.emit({ type: 'trade', trade: execution.trade, state: execution.state, localUs });
    else this.emit({ type: 'order', state: execution.state, localUs });
  }

  /** The contract's rules (the gateway keeps the venue's full set for its own checks). */
  protected publicRules(rules: BinanceSymbolRules): SymbolRules {
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

  protected stopBase(): void {
    this.stopped = true;
    if (this.limitsTimer !== null) clearTimeout(this.limitsTimer);
    if (this.resyncTimer !== null) clearInterval(this.resyncTimer);
    this.limitsTimer = null;
    this.resyncTimer = null;
    this.rest.close();
  }
}
