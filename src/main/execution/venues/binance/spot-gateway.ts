/**
 * The Binance spot gateway (`VenueGateway`). Orders, cancels and queries go over the WebSocket API
 * (`web-socket-api.md`: one persistent connection, no HTTP round-trip setup, the venue's `rateLimits` in
 * every answer), falling back to the equivalent REST endpoint (`rest-api.md`) while that connection is
 * down; clock sync and exchangeInfo use REST. User data comes over a second WebSocket API connection
 * subscribed with `userDataStream.subscribe.signature` (the spot listenKey stream is discontinued:
 * CHANGELOG 2025-04-07); it is resubscribed after every reconnect or `eventStreamTerminated`, and each
 * drop and return is a 'stream' event (the live venue reconciles after 'up').
 * Quotes are `LIMIT_MAKER` (rejected rather than taking), flattening is `LIMIT` + `IOC`; self-trade
 * prevention is `EXPIRE_MAKER` when the symbol allows it: our only taker is a flatten, and a flatten that
 * meets our own resting quote should cancel that stale quote and keep flattening (STP FAQ: the taker's
 * mode decides). Spot has no dead-man's switch (countdownCancelAll is USD-M only): armDeadMansSwitch refuses.
 */
import { backoffDelayMs } from '../../../../shared/backoff.js';
import { GatewayError, type GatewayEvent, type GatewayOrder, type GatewayOrderState, type GatewayTrade, type Holdings, type SymbolRules, type VenueGateway } from '../../live/gateway.js';
import { BinanceGatewayBase, type BinanceGatewayOptions } from './gateway-base.js';
import { parseRateLimits } from './rate-limits.js';
import type { HttpMethod } from './rest-client.js';
import { parseSymbolRules } from './rules.js';
import type { ParamValue } from './signing.js';
import { WsApiClient } from './ws-api-client.js';
import { intField, isRecord, stringField } from '../common/wire-fields.js';
import { parseExecutionReport, parseSpotBalance, parseSpotMyTrade, parseSpotOrder, parseSpotOrderList, spotOrderParams } from './wire-spot.js';

const TIME_PATH = '/api/v3/time';
/** myTrades: "The time between startTime and endTime can't be longer than 24 hours"; limit max 1000. */
const TRADES_WINDOW_MS = 24 * 3_600_000;
const TRADES_LIMIT = 1_000;
const TRADES_LOOKBACK_MS = 30 * 86_400_000;

/** One request as the WebSocket API method and its REST twin, with its documented weight. */
interface SpotRequest {
  readonly wsMethod: string;
  readonly httpMethod: HttpMethod;
  readonly path: string;
  readonly weight: number;
  readonly orders: number;
}

const PLACE: SpotRequest = { wsMethod: 'order.place', httpMethod: 'POST', path: '/api/v3/order', weight: 1, orders: 1 };
const CANCEL: SpotRequest = { wsMethod: 'order.cancel', httpMethod: 'DELETE', path: '/api/v3/order', weight: 1, orders: 0 };
const CANCEL_ALL: SpotRequest = { wsMethod: 'openOrders.cancelAll', httpMethod: 'DELETE', path: '/api/v3/openOrders', weight: 1, orders: 0 };
const QUERY: SpotRequest = { wsMethod: 'order.status', httpMethod: 'GET', path: '/api/v3/order', weight: 4, orders: 0 };
const OPEN_ORDERS: SpotRequest = { wsMethod: 'openOrders.status', httpMethod: 'GET', path: '/api/v3/openOrders', weight: 6, orders: 0 };
const MY_TRADES: SpotRequest = { wsMethod: 'myTrades', httpMethod: 'GET', path: '/api/v3/myTrades', weight: 20, orders: 0 };
const ACCOUNT: SpotRequest = { wsMethod: 'account.status', httpMethod: 'GET', path: '/api/v3/account', weight: 20, orders: 0 };

export class SpotGateway extends BinanceGatewayBase implements VenueGateway {
  readonly venue = 'binance-spot' as const;
  protected readonly timePath = TIME_PATH;
  private readonly trading: WsApiClient;
  private readonly userData: WsApiClient;
  private stpMode: string | null = null;
  private subscribed = false;
  private resubscribeTimer: ReturnType<typeof setTimeout> | null = null;
  private resubscribeAttempt = 0;

  constructor(options: BinanceGatewayOptions) {
    super('binance-spot', options);
    const common = { ...this.transport('binance-spot'), url: options.endpoints.wsApiUrl, reconnectInitialMs: this.reconnectInitialMs, reconnectMaxMs: this.reconnectMaxMs };
    this.trading = new WsApiClient({ ...common, name: 'trading', onStatus: () => undefined });
    this.userData = new WsApiClient({
      ...common,
      name: 'user data',
      onStatus: (status, detail) => this.onUserDataStatus(status, detail),
      onEvent: (event) => this.onUserEvent(event),
    });
  }

  start(listener: (event: GatewayEvent) => void): Promise<SymbolRules> {
    return this.startOnce(listener, () => this.open(), () => this.stop());
  }

  private async open(): Promise<SymbolRules> {
    await this.syncClock();
    const info = await this.rest.call({ method: 'GET', path: '/api/v3/exchangeInfo', params: [['symbol', this.symbol]], security: 'none', weight: 20, orders: 0, what: 'exchangeInfo' });
    this.limits.setLimits(parseRateLimits(info));
    const rules = parseSymbolRules('binance-spot', this.symbol, info);
    // why: EXPIRE_MAKER only where the symbol allows it; otherwise the symbol's default applies (said in the report)
    this.stpMode = rules.stpModes.includes('EXPIRE_MAKER') ? 'EXPIRE_MAKER' : null;
    await this.trading.start();
    await this.userData.start();
    await this.subscribe();
    this.rules = rules;
    this.keepClockSynced();
    this.limitsChanged();
    return this.publicRules(rules);
  }

  async stop(): Promise<void> {
    if (this.resubscribeTimer !== null) clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = null;
    this.stopBase();
    await Promise.all([this.trading.stop(), this.userData.stop()]);
    this.listener = () => undefined;
  }

  /** Over the trading WebSocket API when it is up, else the REST twin (same parameters, same answer). */
  private async call(request: SpotRequest, params: Array<[string, ParamValue]>, what: string): Promise<unknown> {
    return this.signed(async () => {
      if (this.trading.isOpen()) {
        return this.trading.request(request.wsMethod, Object.fromEntries(params), { signed: true, weight: request.weight, orders: request.orders, what });
      }
      return this.rest.call({ method: request.httpMethod, path: request.path, params, security: 'signed', weight: request.weight, orders: request.orders, what });
    });
  }

  async place(order: GatewayOrder): Promise<GatewayOrderState> {
    this.beforePlace(order);
    const answer = await this.call(PLACE, spotOrderParams(this.symbol, order, this.stpMode), `place ${order.clientOrderId}`);
    const state = parseSpotOrder(answer, 'place', `binance-spot place ${order.clientOrderId}`);
    this.remember(state);
    return state;
  }

  async cancel(clientOrderId: string): Promise<GatewayOrderState> {
    this.requireStarted(`cancel ${clientOrderId}`);
    const answer = await this.call(CANCEL, [['symbol', this.symbol], ['origClientOrderId', clientOrderId]], `cancel ${clientOrderId}`);
    const state = parseSpotOrder(answer, 'cancel', `binance-spot cancel ${clientOrderId}`);
    this.remember(state);
    return state;
  }

  async cancelAll(): Promise<GatewayOrderState[]> {
    this.requireStarted('cancel all');
    try {
      const answer = await this.call(CANCEL_ALL, [['symbol', this.symbol]], 'cancel all');
      return parseSpotOrderList(answer, 'cancel', 'binance-spot cancel all');
    } catch (error) {
      // why: the venue answers -2011 "Unknown order sent." when there is no open order to cancel
      if (error instanceof GatewayError && error.code === 'unknown-order') return [];
      throw error;
    }
  }

  async query(clientOrderId: string): Promise<GatewayOrderState | null> {
    this.requireStarted(`query ${clientOrderId}`);
    const what = `query ${clientOrderId}`;
    return this.known(async () => parseSpotOrder(await this.call(QUERY, [['symbol', this.symbol], ['origClientOrderId', clientOrderId]], what), 'query', `binance-spot ${what}`));
  }

  async openOrders(): Promise<GatewayOrderState[]> {
    this.requireStarted('open orders');
    const answer = await this.call(OPEN_ORDERS, [['symbol', this.symbol]], 'open orders');
    const list = parseSpotOrderList(answer, 'query', 'binance-spot open orders');
    for (const state of list) this.remember(state);
    return list;
  }

  async trades(sinceExchUs: number): Promise<GatewayTrade[]> {
    this.requireStarted('trades');
    return this.walkTrades(sinceExchUs, TRADES_WINDOW_MS, TRADES_LIMIT, TRADES_LOOKBACK_MS, async (startMs, endMs) => {
      const params: Array<[string, ParamValue]> = [['symbol', this.symbol], ['startTime', startMs], ['endTime', endMs], ['limit', TRADES_LIMIT]];
      const answer = await this.call(MY_TRADES, params, 'trades');
      if (!Array.isArray(answer)) throw new GatewayError('unknown-outcome', 'malformed answer from the venue: binance-spot myTrades: expected an array');
      return answer.map((entry) => parseSpotMyTrade(entry, 'binance-spot myTrades'));
    });
  }

  protected async clientIdOfOrder(orderId: number): Promise<string> {
    const answer = await this.call(QUERY, [['symbol', this.symbol], ['orderId', orderId]], `query order ${orderId}`);
    return stringField(answer, 'clientOrderId', `binance-spot order ${orderId}`);
  }

  async holdings(): Promise<Holdings> {
    const rules = this.requireStarted('holdings');
    const answer = await this.call(ACCOUNT, [['omitZeroBalances', true]], 'holdings');
    const where = 'binance-spot account';
    return { kind: 'balances', base: parseSpotBalance(answer, rules.baseAsset, where), quote: parseSpotBalance(answer, rules.quoteAsset, where) };
  }

  async armDeadMansSwitch(_timeoutMs: number): Promise<void> {
    throw new GatewayError('rejected', "Binance spot has no dead-man's switch (countdownCancelAll exists on USD-M only): orders stay until cancelled");
  }

  /** Subscribes this connection to our account's user data (`userDataStream.subscribe.signature`, weight 2). */
  private async subscribe(): Promise<void> {
    const answer = await this.signed(() => this.userData.request('userDataStream.subscribe.signature', {}, { signed: true, weight: 2, orders: 0, what: 'user data subscription' }));
    intField(answer, 'subscriptionId', 'binance-spot userDataStream.subscribe.signature');
    this.subscribed = true;
    this.resubscribeAttempt = 0;
    this.streamStatus('up', 'user data stream subscribed');
  }

  private onUserDataStatus(status: 'up' | 'down', detail: string): void {
    if (this.rules === null || this.stopped) return;
    if (status === 'down') {
      if (this.subscribed) this.streamStatus('down', detail);
      this.subscribed = false;
      return;
    }
    this.resubscribeSoon(0);
  }

  private resubscribeSoon(delayMs: number): void {
    if (this.resubscribeTimer !== null || this.stopped) return;
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = null;
      if (!this.userData.isOpen() || this.stopped) return;
      this.subscribe().catch((error: unknown) => {
        // why: a refused subscription leaves us blind; say so and try again with back-off
        this.streamStatus('down', `user data subscription failed: ${error instanceof Error ? error.message : String(error)}`);
        this.resubscribeSoon(backoffDelayMs(this.resubscribeAttempt++, { initialMs: this.reconnectInitialMs, maxMs: this.reconnectMaxMs, jitter: 0 }));
      });
    }, delayMs);
  }

  private onUserEvent(event: unknown): void {
    if (!isRecord(event) || this.stopped) return;
    switch (event['e']) {
      case 'executionReport':
        return this.deliver('executionReport', () => parseExecutionReport(event), (reason) => this.userData.drop(reason));
      case 'eventStreamTerminated':
        this.subscribed = false;
        this.streamStatus('down', 'the venue terminated the user data subscription');
        this.resubscribeSoon(this.reconnectInitialMs);
        return;
      default:
        // outboundAccountPosition, balanceUpdate, externalLockUpdate, listStatus: nothing the contract carries
        return;
    }
  }
}
