/**
 * The Binance USD-M futures gateway (`VenueGateway`) over REST `/fapi/v1/...` ("Trade" pages) and the
 * listenKey user data stream (listen-key-stream.ts). Quotes are LIMIT + `GTX` (post-only: -5022
 * "Due to the order could not be executed as maker, the Post Only order will be rejected"); flattening is
 * LIMIT + `IOC`; `selfTradePreventionMode` is set to EXPIRE_MAKER explicitly (the documented default, and
 * the mode under which a flatten meeting our own stale quote cancels the quote and keeps flattening).
 * The venue's dead-man's switch is `POST /fapi/v1/countdownCancelAll` ("call this endpoint at 30s
 * intervals with a countdownTime of 120000"; 0 disarms; checked "approximately every 10 milliseconds").
 * `DELETE /fapi/v1/allOpenOrders` answers only `{"code":200, ...}`, so cancelAll resolves with null and the
 * cancels arrive on the stream. Assumes One-way position mode (positionSide BOTH).
 */
import { GatewayError, type GatewayEvent, type GatewayOrder, type GatewayOrderState, type GatewayTrade, type Holdings, type SymbolRules, type VenueGateway } from '../../live/gateway.js';
import { BinanceGatewayBase, type BinanceGatewayOptions } from './gateway-base.js';
import { ListenKeyStream } from './listen-key-stream.js';
import { parseRateLimits } from './rate-limits.js';
import type { RestCall } from './rest-client.js';
import { parseSymbolRules } from './rules.js';
import type { ParamValue } from './signing.js';
import { intField, stringField } from '../common/wire-fields.js';
import { parseCountdown, parseListenKey, parseOrderTradeUpdate, parseUsdmOrder, parseUsdmOrderList, parseUsdmPosition, parseUsdmUserTrade, usdmOrderParams } from './wire-usdm.js';

const TIME_PATH = '/fapi/v1/time';
/** userTrades: "The time between startTime and endTime cannot be longer than 7 days"; limit max 1000. */
const TRADES_WINDOW_MS = 7 * 86_400_000;
const TRADES_LIMIT = 1_000;
/** "Only support querying trade in the past 6 months". */
const TRADES_LOOKBACK_MS = 180 * 86_400_000;

export class UsdmGateway extends BinanceGatewayBase implements VenueGateway {
  readonly venue = 'binance-usdm' as const;
  protected readonly timePath = TIME_PATH;
  private readonly stream: ListenKeyStream;

  constructor(options: BinanceGatewayOptions) {
    super('binance-usdm', options);
    this.stream = new ListenKeyStream({
      baseUrl: this.endpoints.wsApiUrl,
      keepAliveMs: options.listenKeyKeepAliveMs ?? 30 * 60_000,
      handshakeTimeoutMs: this.timeoutMs,
      reconnectInitialMs: this.reconnectInitialMs,
      reconnectMaxMs: this.reconnectMaxMs,
      createKey: async () => parseListenKey(await this.request('POST', '/fapi/v1/listenKey', [], 'api-key', 1, 0, 'user data stream key'), 'binance-usdm listenKey'),
      keepAlive: async () => void (await this.request('PUT', '/fapi/v1/listenKey', [], 'api-key', 1, 0, 'user data stream keep-alive')),
      onStatus: (status, detail) => {
        if (this.rules !== null && !this.stopped) this.streamStatus(status, detail);
      },
      onEvent: (event) => this.onUserEvent(event),
    });
  }

  private request(method: RestCall['method'], path: string, params: Array<[string, ParamValue]>, security: RestCall['security'], weight: number, orders: number, what: string): Promise<unknown> {
    const call = (): Promise<unknown> => this.rest.call({ method, path, params, security, weight, orders, what });
    return security === 'signed' ? this.signed(call) : call();
  }

  start(listener: (event: GatewayEvent) => void): Promise<SymbolRules> {
    return this.startOnce(listener, () => this.open(), () => this.stop());
  }

  private async open(): Promise<SymbolRules> {
    await this.syncClock();
    const info = await this.request('GET', '/fapi/v1/exchangeInfo', [], 'none', 1, 0, 'exchangeInfo');
    this.limits.setLimits(parseRateLimits(info));
    const rules = parseSymbolRules('binance-usdm', this.symbol, info);
    // why: the listenKey needs only the API key; one signed request proves the secret (and One-way mode) before trading
    const position = await this.request('GET', '/fapi/v3/positionRisk', [['symbol', this.symbol]], 'signed', 5, 0, 'account check');
    parseUsdmPosition(position, this.symbol, 'binance-usdm positionRisk');
    await this.stream.start();
    this.rules = rules;
    this.streamStatus('up', 'user data stream connected');
    this.keepClockSynced();
    this.limitsChanged();
    return this.publicRules(rules);
  }

  async stop(): Promise<void> {
    this.stopBase();
    await this.stream.stop();
    this.listener = () => undefined;
  }

  async place(order: GatewayOrder): Promise<GatewayOrderState> {
    this.beforePlace(order);
    const what = `place ${order.clientOrderId}`;
    const answer = await this.request('POST', '/fapi/v1/order', usdmOrderParams(this.symbol, order), 'signed', 0, 1, what);
    const state = parseUsdmOrder(answer, `binance-usdm ${what}`);
    this.remember(state);
    if (order.kind === 'post-only' && state.status === 'expired' && state.executedQuantity.replace(/[0.]/g, '') === '') {
      // why: a GTX order the venue accepted and expired at once never rested: it would have taken
      throw new GatewayError('would-take', `${what}: binance-usdm expired the post-only (GTX) order at once: it would have taken liquidity`);
    }
    return state;
  }

  async cancel(clientOrderId: string): Promise<GatewayOrderState> {
    this.requireStarted(`cancel ${clientOrderId}`);
    const what = `cancel ${clientOrderId}`;
    const answer = await this.request('DELETE', '/fapi/v1/order', [['symbol', this.symbol], ['origClientOrderId', clientOrderId]], 'signed', 1, 0, what);
    const state = parseUsdmOrder(answer, `binance-usdm ${what}`);
    this.remember(state);
    return state;
  }

  async cancelAll(): Promise<null> {
    this.requireStarted('cancel all');
    const answer = await this.request('DELETE', '/fapi/v1/allOpenOrders', [['symbol', this.symbol]], 'signed', 1, 0, 'cancel all');
    const code = intField(answer, 'code', 'binance-usdm cancel all');
    if (code !== 200) throw new GatewayError('rejected', `cancel all: binance-usdm answered code ${code}: ${stringField(answer, 'msg', 'binance-usdm cancel all').slice(0, 200)}`, code);
    return null;
  }

  async query(clientOrderId: string): Promise<GatewayOrderState | null> {
    this.requireStarted(`query ${clientOrderId}`);
    const what = `query ${clientOrderId}`;
    return this.known(async () => parseUsdmOrder(await this.request('GET', '/fapi/v1/order', [['symbol', this.symbol], ['origClientOrderId', clientOrderId]], 'signed', 1, 0, what), `binance-usdm ${what}`));
  }

  async openOrders(): Promise<GatewayOrderState[]> {
    this.requireStarted('open orders');
    const answer = await this.request('GET', '/fapi/v1/openOrders', [['symbol', this.symbol]], 'signed', 1, 0, 'open orders');
    const list = parseUsdmOrderList(answer, 'binance-usdm open orders');
    for (const state of list) this.remember(state);
    return list;
  }

  async trades(sinceExchUs: number): Promise<GatewayTrade[]> {
    this.requireStarted('trades');
    return this.walkTrades(sinceExchUs, TRADES_WINDOW_MS, TRADES_LIMIT, TRADES_LOOKBACK_MS, async (startMs, endMs) => {
      const params: Array<[string, ParamValue]> = [['symbol', this.symbol], ['startTime', startMs], ['endTime', endMs], ['limit', TRADES_LIMIT]];
      const answer = await this.request('GET', '/fapi/v1/userTrades', params, 'signed', 5, 0, 'trades');
      if (!Array.isArray(answer)) throw new GatewayError('unknown-outcome', 'malformed answer from the venue: binance-usdm userTrades: expected an array');
      return answer.map((entry) => parseUsdmUserTrade(entry, 'binance-usdm userTrades'));
    });
  }

  protected async clientIdOfOrder(orderId: number): Promise<string> {
    const answer = await this.request('GET', '/fapi/v1/order', [['symbol', this.symbol], ['orderId', orderId]], 'signed', 1, 0, `query order ${orderId}`);
    return stringField(answer, 'clientOrderId', `binance-usdm order ${orderId}`);
  }

  async holdings(): Promise<Holdings> {
    this.requireStarted('holdings');
    const answer = await this.request('GET', '/fapi/v3/positionRisk', [['symbol', this.symbol]], 'signed', 5, 0, 'holdings');
    return { kind: 'position', ...parseUsdmPosition(answer, this.symbol, 'binance-usdm positionRisk') };
  }

  async armDeadMansSwitch(timeoutMs: number): Promise<void> {
    this.requireStarted('dead-man switch');
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new GatewayError('rejected', `dead-man switch: countdown must be a whole number of ms ≥ 0, got ${timeoutMs}`);
    const answer = await this.request('POST', '/fapi/v1/countdownCancelAll', [['symbol', this.symbol], ['countdownTime', timeoutMs]], 'signed', 10, 0, 'dead-man switch');
    const armed = parseCountdown(answer, 'binance-usdm countdownCancelAll');
    if (armed !== timeoutMs) throw new GatewayError('rejected', `dead-man switch: asked for ${timeoutMs} ms, the venue armed ${armed} ms`);
  }

  private onUserEvent(event: Record<string, unknown>): void {
    if (this.stopped || event['e'] !== 'ORDER_TRADE_UPDATE') return; // ACCOUNT_UPDATE, MARGIN_CALL, ...: not in the contract
    this.deliver('ORDER_TRADE_UPDATE', () => parseOrderTradeUpdate(event), (reason) => this.stream.drop(reason));
  }
}
