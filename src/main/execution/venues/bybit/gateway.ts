/**
 * The Bybit v5 gateway (`VenueGateway`) for one symbol of one category, spot or linear, over REST and the
 * private WebSocket (private-stream.ts). Docs relied on (bybit-exchange/docs, `docs/v5/`): `guide.mdx`
 * (signing), `market/time.mdx`, `market/instrument.mdx`, `order/create-order.mdx` (Limit + `PostOnly` for
 * quotes, Limit + `IOC` to flatten; the answer is only `orderId` / `orderLinkId`: "use the websocket to
 * confirm the order status"), `order/cancel-order.mdx`, `order/cancel-all.mdx`, `order/open-order.mdx`
 * (`/v5/order/realtime`, by `orderLinkId`), `order/order-list.mdx` (history, for orders realtime no longer
 * holds), `order/execution.mdx` (`/v5/execution/list`, 7-day windows, cursor pages of 100, two years back),
 * `position/position.mdx`, `account/wallet-balance.mdx`, `order/dcp.mdx` and `websocket/private/dcp.mdx`
 * (Disconnection Protection), `websocket/private/order.mdx`, `execution.mdx`, `rate-limit/rate-limit.mdx`,
 * `error.mdx`.
 *
 * The dead-man's switch is DCP: `POST /v5/order/disconnected-cancel-all` sets `timeWindow` (3..300 s) for
 * the product (SPOT or DERIVATIVES), and the venue cancels every open order of that product once every
 * private connection subscribed to `dcp.spot` / `dcp.future` has been gone for the window. So arming is the
 * window set AND the subscription confirmed on our live private connection (the heartbeat, every 20 s or a
 * third of the window if shorter, keeps it from firing); while the stream is down arming fails by name, so the monitor never says "armed" on a dead
 * connection. Disarming (0) unsubscribes the topic: the docs give no window of 0.
 *
 * The acknowledgement of a new order carries no state: the gateway answers with the state the private stream
 * already gave for that `orderLinkId` when it has one (a post-only order the venue cancelled as a taker is then
 * the 'would-take' error), else 'new'. A cancel is acknowledged the same way, so it answers with the venue's
 * state of the order, asked by `orderLinkId`. Linear assumes One-way mode (positionIdx 0) and refuses hedge
 * mode at start. It keeps no order book of ours and decides nothing.
 */
import { GatewayError, type BybitVenue, type GatewayEvent, type GatewayOrder, type GatewayOrderState, type GatewayTrade, type Holdings, type SymbolRules, type VenueGateway } from '../../live/gateway.js';
import { GatewayCore, type FilterFailure, type GatewayCoreOptions } from '../common/gateway-core.js';
import { isRecord } from '../common/wire-fields.js';
import { scrubKey } from './errors.js';
import { BybitPrivateStream } from './private-stream.js';
import { BybitRateLimits, defaultBybitLimits } from './rate-limits.js';
import { BybitRestClient, type BybitAnswer } from './rest-client.js';
import { bybitOrderLinkIdIssue, categoryOf, checkBybitOrder, parseBybitRules, type BybitCategory, type BybitSymbolRules } from './rules.js';
import { wsAuthText, type BybitParam } from './signing.js';
import { page, parseBybitExecution, parseBybitOrder, parseBybitPosition, parseBybitTime, parseBybitWallet, POST_ONLY_WOULD_TAKE, bybitSide } from './wire.js';

export interface BybitGatewayOptions extends GatewayCoreOptions {
  /** Private stream heartbeat (default 20 s). */
  readonly pingIntervalMs?: number;
}

/** execution/list: "endTime - startTime <= 7 days"; limit [1, 100]; "Get Trade History (2 years)". */
const TRADES_WINDOW_MS = 7 * 86_400_000;
const TRADES_LIMIT = 100;
const TRADES_LOOKBACK_MS = 730 * 86_400_000;
/** realtime: limit [1, 50]. */
const ORDERS_LIMIT = 50;
const STATE_MEMORY = 10_000;
/** DCP timeWindow bounds, seconds. */
const DCP_MIN_S = 3;
const DCP_MAX_S = 300;

export class BybitGateway extends GatewayCore<BybitSymbolRules> implements VenueGateway {
  readonly venue: BybitVenue;
  readonly category: BybitCategory;
  protected readonly limits: BybitRateLimits;
  private readonly rest: BybitRestClient;
  private readonly stream: BybitPrivateStream;
  /** The newest state the stream gave per orderLinkId (an ack that arrives later must not undo it). */
  private readonly streamStates = new Map<string, GatewayOrderState>();
  private readonly dcpTopic: string;
  private readonly pingMs: number;

  constructor(venue: BybitVenue, options: BybitGatewayOptions) {
    super(venue, options);
    if (options.credentials.secret.kind !== 'hmac') throw new GatewayError('auth', `${venue} signs with HMAC-SHA256: an Ed25519 key is not accepted`);
    this.venue = venue;
    this.category = categoryOf(venue);
    this.limits = new BybitRateLimits(defaultBybitLimits(this.category));
    this.dcpTopic = this.category === 'spot' ? 'dcp.spot' : 'dcp.future';
    this.pingMs = options.pingIntervalMs ?? 20_000;
    this.rest = new BybitRestClient({
      venue,
      baseUrl: this.endpoints.restUrl,
      apiKey: this.apiKey,
      signer: this.signer,
      clock: this.clock,
      limits: this.limits,
      recvWindowMs: this.recvWindowMs,
      timeoutMs: this.timeoutMs,
      wallMs: this.wallMs,
      onLimits: () => this.limitsChanged(),
    });
    this.stream = new BybitPrivateStream({
      url: this.endpoints.wsApiUrl,
      handshakeTimeoutMs: this.timeoutMs,
      reconnectInitialMs: this.reconnectInitialMs,
      reconnectMaxMs: this.reconnectMaxMs,
      ...(options.pingIntervalMs !== undefined ? { pingIntervalMs: options.pingIntervalMs } : {}),
      authArgs: () => {
        // why: "expires ... is greater than your current timestamp": the venue's now plus the receive window
        const expires = this.clock.timestamp() + this.recvWindowMs;
        return [this.apiKey, expires, this.signer.sign(wsAuthText(expires))];
      },
      scrub: (text) => scrubKey(text, this.apiKey),
      topics: [`order.${this.category}`, `execution.${this.category}`],
      onStatus: (status, detail) => {
        if (this.rules !== null && !this.stopped) this.streamStatus(status, detail);
      },
      onTopic: (topic, data) => this.onTopic(topic, data),
    });
  }

  private call(method: 'GET' | 'POST', path: string, params: Array<[string, BybitParam]>, what: string, signed = true): Promise<BybitAnswer> {
    const run = (): Promise<BybitAnswer> => this.rest.call({ method, path, params, signed, what });
    return signed ? this.signed(run) : run();
  }

  protected async fetchServerMs(): Promise<number> {
    const answer = await this.call('GET', '/v5/market/time', [], 'server time', false);
    return parseBybitTime(answer.result, `${this.venue} market/time`);
  }

  protected filterFailure(rules: BybitSymbolRules, order: GatewayOrder): FilterFailure | null {
    return checkBybitOrder(rules, order);
  }

  protected clientOrderIdIssue(id: string): string | null {
    return bybitOrderLinkIdIssue(id);
  }

  start(listener: (event: GatewayEvent) => void): Promise<SymbolRules> {
    return this.startOnce(listener, () => this.open(), () => this.stop());
  }

  private async open(): Promise<SymbolRules> {
    await this.syncClock();
    const info = await this.call('GET', '/v5/market/instruments-info', [['category', this.category], ['symbol', this.symbol]], 'instruments-info', false);
    const rules = parseBybitRules(this.venue, this.symbol, info.result);
    if (rules.status !== 'Trading') throw new GatewayError('rejected', `${this.venue} ${this.symbol} is not trading (status ${rules.status})`);
    // why: one signed request proves key and secret (and, linear, One-way mode) before the stream and trading
    await this.readHoldings(rules);
    await this.stream.start();
    this.rules = rules;
    this.streamStatus('up', 'private stream authenticated and subscribed');
    this.keepClockSynced();
    this.limitsChanged();
    return this.publicRules(rules);
  }

  async stop(): Promise<void> {
    this.stopCore();
    this.rest.close();
    await this.stream.stop();
    this.listener = () => undefined;
  }

  async place(order: GatewayOrder): Promise<GatewayOrderState> {
    this.beforePlace(order);
    const what = `place ${order.clientOrderId}`;
    const params: Array<[string, BybitParam]> = [
      ['category', this.category],
      ['symbol', this.symbol],
      ['side', bybitSide(order.side)],
      ['orderType', 'Limit'],
      ['qty', order.quantity],
      ['price', order.price],
      ['timeInForce', order.kind === 'post-only' ? 'PostOnly' : 'IOC'],
      ['orderLinkId', order.clientOrderId],
    ];
    if (this.category === 'linear') {
      params.push(['positionIdx', 0]);
      if (order.reduceOnly === true) params.push(['reduceOnly', true]);
    }
    const answer = await this.call('POST', '/v5/order/create', params, what);
    const seen = this.streamStates.get(order.clientOrderId);
    if (seen !== undefined) {
      if (seen.status === 'rejected' && seen.reason?.includes(POST_ONLY_WOULD_TAKE)) {
        throw new GatewayError('would-take', `${what}: ${this.venue} cancelled the post-only order at once (${POST_ONLY_WOULD_TAKE}): it would have taken liquidity`);
      }
      return seen;
    }
    const result = answer.result;
    const venueOrderId = isRecord(result) && typeof result['orderId'] === 'string' ? result['orderId'] : '';
    if (venueOrderId === '') throw new GatewayError('unknown-outcome', `${what}: ${this.venue} acknowledged without an orderId: execution status unknown`);
    return {
      clientOrderId: order.clientOrderId,
      venueOrderId,
      side: order.side,
      price: order.price,
      quantity: order.quantity,
      // why: zero on the quantity's own grid ("0.00"), as the venue writes cumExecQty
      executedQuantity: order.quantity.replace(/\d/g, '0'),
      status: 'new',
      reason: null,
      exchUs: (answer.timeMs ?? Math.floor(this.clock.serverMs())) * 1_000,
    };
  }

  async cancel(clientOrderId: string): Promise<GatewayOrderState> {
    this.requireStarted(`cancel ${clientOrderId}`);
    const what = `cancel ${clientOrderId}`;
    await this.call('POST', '/v5/order/cancel', [['category', this.category], ['symbol', this.symbol], ['orderLinkId', clientOrderId]], what);
    const state = await this.query(clientOrderId);
    if (state === null) throw new GatewayError('unknown-order', `${what}: ${this.venue} acknowledged the cancel but does not know the order`);
    return state;
  }

  async cancelAll(): Promise<null> {
    this.requireStarted('cancel all');
    // why: the answer lists ids only and the cancel is asynchronous: the stream and openOrders() confirm
    await this.call('POST', '/v5/order/cancel-all', [['category', this.category], ['symbol', this.symbol]], 'cancel all');
    return null;
  }

  async query(clientOrderId: string): Promise<GatewayOrderState | null> {
    this.requireStarted(`query ${clientOrderId}`);
    const what = `query ${clientOrderId}`;
    const params: Array<[string, BybitParam]> = [['category', this.category], ['symbol', this.symbol], ['orderLinkId', clientOrderId]];
    for (const path of ['/v5/order/realtime', '/v5/order/history']) {
      const answer = await this.call('GET', path, params, what);
      const { list } = page(answer.result, `${this.venue} ${path}`);
      for (const entry of list) {
        const { state } = parseBybitOrder(entry, `${this.venue} ${path}`);
        if (state.clientOrderId === clientOrderId) return state;
      }
    }
    return null;
  }

  async openOrders(): Promise<GatewayOrderState[]> {
    this.requireStarted('open orders');
    const out: GatewayOrderState[] = [];
    let cursor = '';
    do {
      const params: Array<[string, BybitParam]> = [['category', this.category], ['symbol', this.symbol], ['openOnly', 0], ['limit', ORDERS_LIMIT]];
      if (cursor !== '') params.push(['cursor', cursor]);
      const answer = await this.call('GET', '/v5/order/realtime', params, 'open orders');
      const where = `${this.venue} open orders`;
      const result = page(answer.result, where);
      for (const entry of result.list) {
        const { symbol, state } = parseBybitOrder(entry, where);
        if (symbol === this.symbol && (state.status === 'new' || state.status === 'partially-filled')) out.push(state);
      }
      cursor = result.list.length > 0 ? result.cursor : '';
    } while (cursor !== '');
    return out;
  }

  async trades(sinceExchUs: number): Promise<GatewayTrade[]> {
    this.requireStarted('trades');
    let from = Math.floor(sinceExchUs / 1_000);
    const end = Math.ceil(this.clock.serverMs()) + 1_000;
    if (!Number.isFinite(from) || end - from > TRADES_LOOKBACK_MS) {
      throw new GatewayError('rejected', `trades since ${Number.isFinite(from) ? new Date(from).toISOString() : String(sinceExchUs)}: ${this.venue} keeps two years of trade history`);
    }
    const seen = new Set<string>();
    const found: GatewayTrade[] = [];
    const where = `${this.venue} execution/list`;
    while (from <= end) {
      const to = Math.min(from + TRADES_WINDOW_MS - 1, end);
      let cursor = '';
      do {
        const params: Array<[string, BybitParam]> = [['category', this.category], ['symbol', this.symbol], ['startTime', from], ['endTime', to], ['limit', TRADES_LIMIT]];
        if (cursor !== '') params.push(['cursor', cursor]);
        const answer = await this.call('GET', '/v5/execution/list', params, 'trades');
        const result = page(answer.result, where);
        for (const entry of result.list) {
          const execution = parseBybitExecution(entry, where);
          if (execution.symbol !== this.symbol || execution.execType !== 'Trade' || seen.has(execution.trade.tradeId)) continue;
          seen.add(execution.trade.tradeId);
          if (execution.trade.exchUs >= sinceExchUs) found.push(execution.trade);
        }
        cursor = result.list.length > 0 ? result.cursor : '';
      } while (cursor !== '');
      from = to + 1;
    }
    // why: the venue sorts by execTime descending and leaves ties unordered ("sort according to execId+...")
    found.sort((a, b) => a.exchUs - b.exchUs || (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
    return found;
  }

  async holdings(): Promise<Holdings> {
    return this.readHoldings(this.requireStarted('holdings'));
  }

  private async readHoldings(rules: BybitSymbolRules): Promise<Holdings> {
    if (this.category === 'linear') {
      const answer = await this.call('GET', '/v5/position/list', [['category', 'linear'], ['symbol', this.symbol]], 'holdings');
      return parseBybitPosition(answer.result, this.symbol, `${this.venue} position/list`);
    }
    const answer = await this.call('GET', '/v5/account/wallet-balance', [['accountType', 'UNIFIED'], ['coin', `${rules.baseAsset},${rules.quoteAsset}`]], 'holdings');
    return parseBybitWallet(answer.result, rules.baseAsset, rules.quoteAsset, `${this.venue} wallet-balance`);
  }

  async armDeadMansSwitch(timeoutMs: number): Promise<void> {
    this.requireStarted('dead-man switch');
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new GatewayError('rejected', `dead-man switch: the window must be a whole number of ms ≥ 0, got ${timeoutMs}`);
    if (timeoutMs === 0) {
      await this.stream.removeTopic(this.dcpTopic);
      this.stream.setPingInterval(this.pingMs);
      return;
    }
    const seconds = Math.ceil(timeoutMs / 1_000);
    if (seconds < DCP_MIN_S || seconds > DCP_MAX_S) throw new GatewayError('rejected', `dead-man switch: ${this.venue} DCP takes a timeWindow of ${DCP_MIN_S} to ${DCP_MAX_S} s, asked for ${timeoutMs} ms`);
    await this.call('POST', '/v5/order/disconnected-cancel-all', [['product', this.category === 'spot' ? 'SPOT' : 'DERIVATIVES'], ['timeWindow', seconds]], 'dead-man switch');
    // why: DCP fires only for connections subscribed to the dcp topic; without a live one nothing is armed
    if (!this.stream.isUp()) throw new GatewayError('unavailable', `dead-man switch: the DCP window is set but the private stream is down, so no connection carries ${this.dcpTopic}`);
    if (!this.stream.hasTopic(this.dcpTopic)) await this.stream.addTopic(this.dcpTopic);
    // why: the heartbeat is what tells the venue the connection lives; three of them fit in every window
    this.stream.setPingInterval(Math.min(this.pingMs, Math.floor((seconds * 1_000) / 3)));
  }

  /** Whether DCP is carried by a live subscribed connection now (tests and the monitor). */
  dcpCarried(): boolean {
    return this.stream.isUp() && this.stream.hasTopic(this.dcpTopic);
  }

  /** Drops the private connection as the network would (tests). */
  dropStream(reason: string): void {
    this.stream.drop(reason);
  }

  private onTopic(topic: string, data: unknown): void {
    if (this.stopped || this.rules === null) return;
    if (topic !== `order.${this.category}` && topic !== `execution.${this.category}` && topic !== 'order' && topic !== 'execution') return;
    if (!Array.isArray(data)) return this.stream.drop(`sent ${topic} without a data array`);
    const isOrder = topic.startsWith('order');
    for (const entry of data) {
      try {
        if (isOrder) {
          const { symbol, state } = parseBybitOrder(entry, `${this.venue} ${topic}`);
          if (symbol !== this.symbol) continue;
          this.rememberState(state);
          this.emit({ type: 'order', state, localUs: this.localUs() });
        } else {
          const execution = parseBybitExecution(entry, `${this.venue} ${topic}`);
          if (execution.symbol !== this.symbol || execution.execType !== 'Trade') continue;
          this.rememberState(execution.state);
          this.emit({ type: 'trade', trade: execution.trade, state: execution.state, localUs: this.localUs() });
        }
      } catch (error) {
        // why: an event that cannot be read may hide a fill: drop the stream so its return reconciles
        return this.stream.drop(`sent an unreadable ${topic} event (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }

  private rememberState(state: GatewayOrderState): void {
    const previous = this.streamStates.get(state.clientOrderId);
    // why: a later stream state never goes back to open from an end (two Filled messages, a late New)
    if (previous && previous.status !== 'new' && previous.status !== 'partially-filled' && (state.status === 'new' || state.status === 'partially-filled')) return;
    this.streamStates.delete(state.clientOrderId);
    this.streamStates.set(state.clientOrderId, state);
    if (this.streamStates.size > STATE_MEMORY) {
      const oldest = this.streamStates.keys().next();
      if (!oldest.done) this.streamStates.delete(oldest.value);
    }
  }
}
