/**
 * What the Binance spot and USD-M gateways share beyond every gateway's core (`../common/gateway-core.ts`:
 * signer, clock and its resync after -1021, 'limits' events, the check of every order before it is sent):
 * the rate-limit tracker, the REST client, the symbol's filters, the venue order id → client order id
 * memory that trade lists need (the venue's trade lists carry only `orderId`), and the walk over trade
 * history in the windows the venue allows. It keeps no order book of ours and decides nothing about orders.
 */
import { GatewayError, type BinanceVenue, type GatewayOrder, type GatewayOrderState, type GatewayTrade } from '../../live/gateway.js';
import { GatewayCore, type FilterFailure, type GatewayCoreOptions } from '../common/gateway-core.js';
import { intField } from '../common/wire-fields.js';
import { checkOrder, clientOrderIdIssue, type BinanceSymbolRules } from './rules.js';
import { RateLimitTracker } from './rate-limits.js';
import { RestClient } from './rest-client.js';
import type { SignedTransport } from './transport.js';
import type { VenueTrade } from './wire-spot.js';

export interface BinanceGatewayOptions extends GatewayCoreOptions {
  /** USD-M: how often the listenKey is kept alive (default 30 min; the key lives 60 min). */
  readonly listenKeyKeepAliveMs?: number;
}

/** Order ids remembered for trade lists (a bounded window, oldest forgotten first). */
const ORDER_ID_MEMORY = 50_000;

export abstract class BinanceGatewayBase extends GatewayCore<BinanceSymbolRules> {
  abstract override readonly venue: BinanceVenue;
  protected readonly limits = new RateLimitTracker();
  protected readonly rest: RestClient;
  /** The venue's public time endpoint (`/api/v3/time`, `/fapi/v1/time`). */
  protected abstract readonly timePath: string;
  private readonly clientIds = new Map<string, string>();

  constructor(venue: BinanceVenue, options: BinanceGatewayOptions) {
    super(venue, options);
    this.rest = new RestClient({ ...this.transport(venue), baseUrl: options.endpoints.restUrl });
  }

  /** What every transport of this gateway signs and counts with. */
  protected transport(venue: BinanceVenue): SignedTransport {
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

  /** The venue's time (`GET {timePath}`, weight 1). */
  protected async fetchServerMs(): Promise<number> {
    const body = await this.rest.call({ method: 'GET', path: this.timePath, params: [], security: 'none', weight: 1, orders: 0, what: 'server time' });
    return intField(body, 'serverTime', `${this.venue} ${this.timePath}`);
  }

  protected filterFailure(rules: BinanceSymbolRules, order: GatewayOrder): FilterFailure | null {
    return checkOrder(this.venue, rules, order);
  }

  protected clientOrderIdIssue(id: string): string | null {
    return clientOrderIdIssue(id);
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

  protected stopBase(): void {
    this.stopCore();
    this.rest.close();
  }
}
