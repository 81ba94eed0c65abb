/**
 * The local exchange speaking Bybit v5 spot or linear on one port of 127.0.0.1 (by default): REST
 * (`/v5/market/time`, `instruments-info`, `orderbook`; `/v5/order/create`, `cancel`, `cancel-all`,
 * `disconnected-cancel-all`, `realtime`, `history`; `/v5/execution/list`; `/v5/position/list` (linear);
 * `/v5/account/wallet-balance`, `query-dcp-info`), the public stream at `/v5/public/{spot|linear}` and the
 * private stream at `/v5/private`. Every signed request passes the venue's checks (`guide.mdx`): the key,
 * the timestamp rule `server_time - recv_window <= timestamp < server_time + 1000` (10002), the HMAC over
 * `timestamp + key + recv_window + query|body` (10004); then the UID's per-endpoint limit per second
 * (`rate-limit.mdx`: retCode 10006 "Too many visits!" with X-Bapi-Limit / X-Bapi-Limit-Status /
 * X-Bapi-Limit-Reset-Timestamp on every answer); then parameters and the operation, answered in the v5
 * envelope with the documented retCodes. Faults for tests, through the handle or `POST /__local/faults`:
 * reject the next order with a retCode, execute the next trading requests without answering, drop or cut
 * off the private streams (DCP then fires at its window), send the next execution twice, ignore cancels,
 * race the next cancel with a fill, run the clock early or late, lower an endpoint's limit, send an outside
 * market order. It logs nothing, and no answer carries a key, a signature or a secret.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { restSignText } from '../../execution/venues/bybit/signing.js';
import { compareDec, decToSteps, formatDec, isMultipleOf, mulDec, parseDec, addDec, type Dec } from '../../execution/venues/common/decimal.js';
import type { SimConfig } from '../../market/sim/sim-market.js';
import type { ApiKeyEntry } from '../binance/auth.js';
import { DEFAULT_SYMBOL, type DialectSymbol, type Formats } from '../binance/dialect.js';
import { closeServer, controlRequest, listenOn, readRequest, trackSockets } from '../local-server.js';
import { SimExchange, type ExchangeOrder, type ExchangeTrade, type TimeInForce } from '../sim-exchange.js';
import { bybitExchangeConfig, bybitFormats, bybitLimits, categoryOfDialect, instrumentEntry, type BybitDialect } from './dialect.js';
import { BybitPrivateStreams, type DcpProduct } from './private-ws.js';
import { BybitPublicStreams, bookLevels } from './public-ws.js';
import { BybitBook, type BybitTif } from './render.js';

export interface BybitLocalExchangeOptions {
  readonly dialect: BybitDialect;
  readonly host?: string;
  readonly port?: number;
  /** The account's API keys (HMAC secrets: Bybit's system-generated keys). */
  readonly keys: readonly ApiKeyEntry[];
  readonly symbol?: Partial<DialectSymbol>;
  readonly seed?: number;
  readonly flowMultiplier?: number;
  readonly sim?: Partial<SimConfig>;
  /** Requests per second per endpoint path, over the documented defaults. */
  readonly limits?: Readonly<Record<string, number>>;
  readonly wallMs?: () => number;
  readonly controlApi?: boolean;
}

type Params = ReadonlyMap<string, string>;

interface Reply {
  readonly retCode: number;
  readonly retMsg: string;
  readonly result: unknown;
  /** Trading requests may be executed and never answered (the lost-answer fault). */
  readonly trading?: boolean;
}

const ok = (result: unknown, trading = false): Reply => ({ retCode: 0, retMsg: 'OK', result, trading });
const fail = (retCode: number, retMsg: string): Reply => ({ retCode, retMsg, result: {} });

/** The documented message of a retCode the tests inject. */
const INJECTED: Readonly<Record<number, string>> = {
  10001: 'Request parameter error',
  10006: 'Too many visits!',
  10016: 'Server error.',
  110007: 'Available balance is insufficient',
  110094: 'Order notional value below the lower limit',
  170131: 'Balance insufficient',
  170007: 'Timeout waiting for response from backend server.',
};

interface Route {
  readonly method: 'GET' | 'POST';
  readonly signed: boolean;
  readonly run: (params: Params) => Reply;
}

export class BybitLocalExchange {
  readonly exchange: SimExchange;
  readonly spec: DialectSymbol;
  readonly category: 'spot' | 'linear';
  readonly stats = { requests: 0, lostAnswers: 0, tooManyVisits: 0 };
  readonly observed = new EventEmitter();
  readonly faults: { rejectNext: { code: number; msg: string } | null; loseNext: number; refusePrivate: boolean } = { rejectNext: null, loseNext: 0, refusePrivate: false };
  readonly privateStreams: BybitPrivateStreams;
  private readonly publicStreams: BybitPublicStreams;
  private readonly book: BybitBook;
  private readonly fmt: Formats;
  private readonly limitPerSecond: Record<string, number>;
  private readonly sends = new Map<string, number[]>();
  private readonly routes: Record<string, Route>;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly held = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(
    readonly options: BybitLocalExchangeOptions,
    private readonly http: Server,
  ) {
    this.category = categoryOfDialect(options.dialect);
    this.spec = { ...DEFAULT_SYMBOL, ...options.symbol };
    this.exchange = new SimExchange(
      bybitExchangeConfig(options.dialect, this.spec, {
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.flowMultiplier !== undefined ? { flowMultiplier: options.flowMultiplier } : {}),
        ...(options.sim ? { sim: options.sim } : {}),
      }),
      options.wallMs,
    );
    this.fmt = bybitFormats(this.spec);
    this.limitPerSecond = { ...bybitLimits(options.dialect), ...options.limits };
    this.book = new BybitBook(this.category, this.spec.symbol, this.exchange, this.fmt);
    this.publicStreams = new BybitPublicStreams(this.category, this.spec.symbol, this.exchange, this.fmt);
    this.privateStreams = new BybitPrivateStreams(this.category, options.keys, {
      serverMs: () => this.exchange.serverMs(),
      dcpFired: (product) => this.dcpFired(product),
      heartbeat: () => this.observed.emit('ping'),
    });
    this.exchange.setEvents({
      onExecution: (order, _exec, trade) => {
        if (trade) {
          this.book.noteTrade(order, trade);
          this.privateStreams.publish('execution', [this.book.execution(trade, order)]);
        }
        this.privateStreams.publish('order', [{ category: this.category, ...this.book.order(order) }]);
      },
      onPublicTrade: (trade) => this.publicStreams.onPublicTrade(trade),
    });
    this.routes = this.makeRoutes();
  }

  static async start(options: BybitLocalExchangeOptions): Promise<BybitLocalExchange> {
    const http = createServer();
    const venue = new BybitLocalExchange(options, http);
    http.on('request', (req, res) => venue.onRequest(req, res));
    http.on('upgrade', (req, socket, head) => venue.onUpgrade(req, socket as Socket, head));
    trackSockets(http, venue.sockets);
    await venue.exchange.start();
    venue.publicStreams.start();
    venue.privateStreams.start();
    venue.port = await listenOn(http, options.host ?? '127.0.0.1', options.port ?? 0);
    return venue;
  }

  get dialect(): BybitDialect {
    return this.options.dialect;
  }

  private get origin(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  get restUrl(): string {
    return `http://${this.origin}`;
  }

  /** The public stream of the category (what a feed's --ws-url takes). */
  get wsUrl(): string {
    return `ws://${this.origin}/v5/public/${this.category}`;
  }

  /** The private stream. */
  get wsApiUrl(): string {
    return `ws://${this.origin}/v5/private`;
  }

  /* -------------------------------------------------------------------- faults */

  rejectNextOrder(code: number, msg?: string): void {
    this.faults.rejectNext = { code, msg: msg ?? INJECTED[code] ?? 'Request parameter error' };
  }

  loseNextAnswers(count: number): void {
    this.faults.loseNext = count;
  }

  dropPrivateStreams(): number {
    return this.privateStreams.dropAll();
  }

  /** The network to the private streams is cut (true) or restored (false): connections drop and none is accepted. */
  cutPrivateStreams(cut: boolean): void {
    this.faults.refusePrivate = cut;
    if (cut) this.privateStreams.dropAll();
  }

  duplicateNextExecutions(count: number): void {
    this.privateStreams.duplicateExecutions = count;
  }

  setLimit(path: string, perSecond: number): void {
    this.limitPerSecond[path] = perSecond;
  }

  /** The execId of every trade of the account, oldest first (what a desk's stored fills must match). */
  execIds(): string[] {
    return this.exchange.accountTrades({ limit: Number.MAX_SAFE_INTEGER }).map((t) => this.book.execId(t));
  }

  execIdOf(trade: ExchangeTrade): string {
    return this.book.execId(trade);
  }

  dcpArmed(): boolean {
    return this.privateStreams.dcpWatching(this.category === 'spot' ? 'SPOT' : 'DERIVATIVES');
  }

  marketOrder(side: 'buy' | 'sell', quantity: string): void {
    this.exchange.marketOrderOf(side, quantity);
  }

  fillOrder(orderLinkId: string, quantity: string): void {
    this.exchange.fillOrderOf(orderLinkId, quantity);
  }

  private dcpFired(product: DcpProduct): void {
    const mine: DcpProduct = this.category === 'spot' ? 'SPOT' : 'DERIVATIVES';
    if (product === mine) this.exchange.cancelEvery('DCP');
    this.observed.emit('dcp', product);
  }

  /* ------------------------------------------------------------------ security */

  private authIssue(req: IncomingMessage, signedText: string, now: number): Reply | null {
    const header = (name: string): string | undefined => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const apiKey = header('X-BAPI-API-KEY');
    const entry = apiKey === undefined ? undefined : this.options.keys.find((k) => k.apiKey === apiKey);
    if (!entry) return fail(10003, 'API key is invalid.');
    const ts = header('X-BAPI-TIMESTAMP') ?? '';
    const recvText = header('X-BAPI-RECV-WINDOW') ?? '5000';
    if (!/^\d{13}$/.test(ts) || !/^\d{1,6}$/.test(recvText)) return fail(10001, 'Request parameter error: X-BAPI-TIMESTAMP or X-BAPI-RECV-WINDOW');
    const timestamp = Number(ts);
    const recv = Number(recvText);
    if (!(now - recv <= timestamp && timestamp < now + 1_000)) {
      return fail(10002, `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${Math.floor(now)}],recv_window[${recv}]`);
    }
    const sign = header('X-BAPI-SIGN') ?? '';
    if (!entry.verifier.verify(restSignText(timestamp, entry.apiKey, recv, signedText), sign)) return fail(10004, 'error sign! origin_string[...]');
    return null;
  }

  /** The UID's rolling second for `path`: null when admitted (and counted), else the reset time. */
  private admit(path: string, wallMs: number): number | null {
    const limit = this.limitPerSecond[path];
    if (limit === undefined) return null;
    const list = (this.sends.get(path) ?? []).filter((t) => t > wallMs - 1_000);
    this.sends.set(path, list);
    if (list.length >= limit) return (list[0] ?? wallMs) + 1_000;
    list.push(wallMs);
    return null;
  }

  private limitHeaders(path: string, wallMs: number, resetAt: number | null): Record<string, string> {
    const limit = this.limitPerSecond[path];
    if (limit === undefined) return {};
    const used = (this.sends.get(path) ?? []).filter((t) => t > wallMs - 1_000).length;
    const skew = this.exchange.clockSkewMs;
    return { 'X-Bapi-Limit': String(limit), 'X-Bapi-Limit-Status': String(Math.max(0, limit - used)), 'X-Bapi-Limit-Reset-Timestamp': String(Math.floor((resetAt ?? wallMs) + skew)) };
  }

  /* ------------------------------------------------------------------ requests */

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    readRequest(req, (path, rawQuery, rawBody) => {
      if (path.startsWith('/__local/')) return controlRequest(req, res, path, rawBody, this.options.controlApi !== false, (key, value) => this.applyFault(key, value));
      this.route(req, res, path, rawQuery, rawBody);
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, rawBody: string): void {
    const method = req.method ?? 'GET';
    const route = this.routes[path];
    if (route === undefined || route.method !== method) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    this.stats.requests++;
    this.observed.emit('request', path);
    const wallMs = (this.options.wallMs ?? Date.now)();
    const now = this.exchange.serverMs();
    let params: Map<string, string>;
    try {
      params = new Map();
      if (method === 'GET') for (const [k, v] of new URLSearchParams(rawQuery)) params.set(k, v);
      else {
        const body = rawBody.length > 0 ? (JSON.parse(rawBody) as unknown) : {};
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
        for (const [k, v] of Object.entries(body)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params.set(k, String(v));
      }
    } catch {
      return this.send(res, path, fail(10001, 'Request parameter error: the body is not a JSON object'), wallMs, null);
    }
    if (route.signed) {
      const issue = this.authIssue(req, method === 'GET' ? rawQuery : rawBody, now);
      if (issue) return this.send(res, path, issue, wallMs, null);
      const resetAt = this.admit(path, wallMs);
      if (resetAt !== null) {
        this.stats.tooManyVisits++;
        return this.send(res, path, fail(10006, 'Too many visits!'), wallMs, resetAt);
      }
    }
    const category = params.get('category');
    if (category !== undefined && category !== this.category) return this.send(res, path, fail(10001, `Request parameter error: category ${category.slice(0, 10)} is not served here`), wallMs, null);
    const symbol = params.get('symbol');
    if (symbol !== undefined && symbol !== this.spec.symbol) return this.send(res, path, fail(10001, 'params error: symbol invalid'), wallMs, null);
    if (path === '/v5/order/create' && this.faults.rejectNext) {
      const r = this.faults.rejectNext;
      this.faults.rejectNext = null;
      return this.send(res, path, fail(r.code, r.msg), wallMs, null);
    }
    const reply = route.run(params);
    if (reply.trading && this.faults.loseNext > 0) {
      // why: "execute but never answer": the request took effect; the client must find out by query
      this.faults.loseNext--;
      this.stats.lostAnswers++;
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    this.send(res, path, reply, wallMs, null);
  }

  private send(res: ServerResponse, path: string, reply: Reply, wallMs: number, resetAt: number | null): void {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', Traceid: randomUUID().replace(/-/g, ''), ...(this.routes[path]?.signed ? this.limitHeaders(path, wallMs, resetAt) : {}) };
    res.writeHead(200, headers);
    res.end(JSON.stringify({ retCode: reply.retCode, retMsg: reply.retMsg, result: reply.result, retExtInfo: {}, time: Math.floor(this.exchange.serverMs()) }));
  }

  private makeRoutes(): Record<string, Route> {
    const spot = this.category === 'spot';
    const r = (method: 'GET' | 'POST', signed: boolean, run: (p: Params) => Reply): Route => ({ method, signed, run });
    return {
      '/v5/market/time': r('GET', false, () => {
        const ms = Math.floor(this.exchange.serverMs());
        return ok({ timeSecond: String(Math.floor(ms / 1_000)), timeNano: `${ms}000000` });
      }),
      '/v5/market/instruments-info': r('GET', false, () => ok({ category: this.category, list: [instrumentEntry(this.dialect, this.spec)], nextPageCursor: '' })),
      '/v5/market/orderbook': r('GET', false, (p) => this.orderbook(p)),
      '/v5/order/create': r('POST', true, (p) => this.create(p)),
      '/v5/order/cancel': r('POST', true, (p) => this.cancel(p)),
      '/v5/order/cancel-all': r('POST', true, () => this.cancelAll()),
      '/v5/order/disconnected-cancel-all': r('POST', true, (p) => this.setDcp(p)),
      '/v5/order/realtime': r('GET', true, (p) => this.orders(p, true)),
      '/v5/order/history': r('GET', true, (p) => this.orders(p, false)),
      '/v5/execution/list': r('GET', true, (p) => this.executions(p)),
      ...(spot ? {} : { '/v5/position/list': r('GET', true, () => this.position()) }),
      '/v5/account/wallet-balance': r('GET', true, (p) => this.wallet(p)),
      '/v5/account/query-dcp-info': r('GET', true, () => ok({ dcpInfos: this.privateStreams.dcpInfo() })),
    };
  }

  private orderbook(p: Params): Reply {
    const limit = Math.min(Number(p.get('limit') ?? '25') || 25, this.category === 'spot' ? 200 : 500);
    const level = (side: 'bid' | 'ask'): Array<[string, string]> => bookLevels(this.exchange, this.fmt, side, limit);
    const ts = Math.floor(this.exchange.serverMs());
    return ok({ s: this.spec.symbol, b: level('bid'), a: level('ask'), ts, u: this.exchange.book.updateId(), seq: this.exchange.book.updateId(), cts: ts });
  }

  /** The venue's own checks of an order's price and quantity (tick, step, bounds, value). */
  private orderIssue(price: Dec, qty: Dec): Reply | null {
    const spot = this.category === 'spot';
    const tick = parseDec(this.spec.tickSize);
    const step = parseDec(this.spec.stepSize);
    const minQty = parseDec(this.spec.minQty);
    const maxQty = parseDec(this.spec.maxQty);
    const minNotional = parseDec(this.spec.minNotional);
    const minPrice = parseDec(this.spec.minPrice);
    const maxPrice = parseDec(this.spec.maxPrice);
    if (!tick || !step || !minQty || !maxQty || !minNotional || !minPrice || !maxPrice) return fail(10016, 'Server error.');
    if (price.units <= 0n || !isMultipleOf(price, tick)) return spot ? fail(170134, 'Order price decimal too long.') : fail(10001, 'price invalid');
    if (!spot && (compareDec(price, minPrice) < 0 || compareDec(price, maxPrice) > 0)) return fail(110003, 'Order price exceeds the allowable range.');
    if (!isMultipleOf(qty, step)) return spot ? fail(170137, 'Order volume decimal too long') : fail(10001, 'Qty invalid');
    if (compareDec(qty, minQty) < 0) return spot ? fail(170136, 'Order quantity lower than the minimum.') : fail(10001, 'The number of contracts exceeds minimum limit allowed');
    if (compareDec(qty, maxQty) > 0) return spot ? fail(170381, 'Order quantity too large.') : fail(10001, 'The number of contracts exceeds maximum limit allowed');
    if (compareDec(mulDec(price, qty), minNotional) < 0) return spot ? fail(170140, 'Order value exceeded lower limit') : fail(110094, 'Order notional value below the lower limit');
    return null;
  }

  private create(p: Params): Reply {
    const spot = this.category === 'spot';
    for (const name of ['category', 'symbol', 'side', 'orderType', 'qty']) if (!p.get(name)) return fail(10001, `Request parameter error: ${name} is missing`);
    const side = p.get('side');
    if (side !== 'Buy' && side !== 'Sell') return spot ? fail(170117, 'Invalid side.') : fail(10001, 'Side invalid');
    if (p.get('orderType') !== 'Limit') return spot ? fail(170116, 'Invalid orderType.') : fail(10001, 'the local exchange takes Limit orders only');
    const tifText = p.get('timeInForce') ?? 'GTC';
    if (tifText !== 'GTC' && tifText !== 'IOC' && tifText !== 'PostOnly') return spot ? fail(170115, 'Invalid timeInForce.') : fail(10001, 'the local exchange takes GTC, IOC and PostOnly');
    const tif: BybitTif = tifText;
    const priceText = p.get('price');
    const price = priceText === undefined ? null : parseDec(priceText);
    const qtyText = p.get('qty') ?? '';
    const qty = parseDec(qtyText);
    if (price === null || qty === null) return fail(10001, 'Request parameter error: price and qty must be plain decimals');
    const idx = p.get('positionIdx');
    if (!spot && idx !== undefined && idx !== '0') return fail(10001, 'position idx not match position mode');
    const issue = this.orderIssue(price, qty);
    if (issue) return issue;
    const orderLinkId = p.get('orderLinkId') ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,36}$/.test(orderLinkId)) return fail(10001, 'Request parameter error: orderLinkId');
    if (this.exchange.find({ clientOrderId: orderLinkId }) || this.book.refused.has(orderLinkId)) return spot ? fail(170141, 'Duplicate clientOrderId') : fail(110072, 'OrderLinkedID is duplicate');
    const priceTicks = decToSteps(price, this.exchange.tick) ?? 0;
    const qtyLots = decToSteps(qty, this.exchange.lot) ?? 0;
    const engineTif: TimeInForce = tif === 'PostOnly' ? 'GTX' : tif;
    const result = this.exchange.place({ clientOrderId: orderLinkId, side: side === 'Buy' ? 'buy' : 'sell', type: 'LIMIT', timeInForce: engineTif, priceTicks, qtyLots, reduceOnly: !spot && p.get('reduceOnly') === 'true' });
    if (!result.ok) {
      switch (result.refusal) {
        case 'would-take': {
          // why: Bybit accepts the order and cancels it at once (EC_PostOnlyWillTakeLiquidity)
          const refused = { orderId: this.book.refusedId(), orderLinkId, side: side === 'Buy' ? ('buy' as const) : ('sell' as const), price: this.fmt.price(price), qty: this.fmt.qty(qty), timeMs: Math.floor(this.exchange.serverMs()) };
          this.book.refused.set(orderLinkId, refused);
          const answer = ok({ orderId: refused.orderId, orderLinkId }, true);
          queueMicrotask(() => this.privateStreams.publish('order', [{ category: this.category, ...this.book.refusedOrder(refused) }]));
          return answer;
        }
        case 'insufficient-balance':
          return fail(170131, 'Balance insufficient');
        case 'insufficient-margin':
          return fail(110007, 'Available balance is insufficient');
        case 'reduce-only':
          return fail(110017, 'orderQty will be truncated to zero');
        case 'duplicate-client-id':
          return spot ? fail(170141, 'Duplicate clientOrderId') : fail(110072, 'OrderLinkedID is duplicate');
      }
    }
    this.book.tif.set(result.order.orderId, tif);
    return ok({ orderId: String(result.order.orderId), orderLinkId }, true);
  }

  private findOrder(p: Params): ExchangeOrder | null {
    const orderId = p.get('orderId');
    if (orderId !== undefined) return /^\d+$/.test(orderId) ? this.exchange.find({ orderId: Number(orderId) }) : null;
    const link = p.get('orderLinkId');
    return link === undefined ? null : this.exchange.find({ clientOrderId: link });
  }

  private cancel(p: Params): Reply {
    const spot = this.category === 'spot';
    if (p.get('orderId') === undefined && p.get('orderLinkId') === undefined) return fail(10001, 'Request parameter error: orderId or orderLinkId');
    const order = this.findOrder(p);
    const unknown = spot ? fail(170213, 'Order does not exist.') : fail(110001, 'Order does not exist');
    if (!order) return unknown;
    const result = this.exchange.cancel({ orderId: order.orderId });
    if (!result.ok) return result.refusal === 'ignored' ? { ...fail(170007, 'Timeout waiting for response from backend server.'), trading: true } : unknown;
    return ok({ orderId: String(order.orderId), orderLinkId: order.clientOrderId }, true);
  }

  private cancelAll(): Reply {
    const cancelled = this.exchange.cancelAll();
    if (cancelled === null) return { ...fail(10016, 'Server error.'), trading: true };
    return ok({ list: cancelled.map((o) => ({ orderId: String(o.orderId), orderLinkId: o.clientOrderId })), success: '1' }, true);
  }

  private setDcp(p: Params): Reply {
    const window = Number(p.get('timeWindow'));
    if (!Number.isInteger(window) || window < 3 || window > 300) return fail(10001, 'Request parameter error: timeWindow must be 3 to 300');
    const product = p.get('product') ?? 'OPTIONS';
    if (product !== 'SPOT' && product !== 'DERIVATIVES') return fail(10001, `Request parameter error: product ${product.slice(0, 12)} is not served here`);
    this.privateStreams.setDcpWindow(product, window);
    return ok({});
  }

  private orders(p: Params, realtime: boolean): Reply {
    const link = p.get('orderLinkId');
    const orderId = p.get('orderId');
    let list: Array<Record<string, unknown>>;
    if (link !== undefined || orderId !== undefined) {
      const order = this.findOrder(p);
      const refused = link !== undefined ? this.book.refused.get(link) : undefined;
      list = order ? [this.book.order(order)] : refused ? [this.book.refusedOrder(refused)] : [];
    } else if (realtime && (p.get('openOnly') ?? '0') === '0') {
      list = this.exchange.openOrders().map((o) => this.book.order(o));
    } else {
      list = [];
    }
    const limit = Math.max(1, Math.min(50, Number(p.get('limit') ?? '20') || 20));
    const offset = Number(p.get('cursor') ?? '0') || 0;
    const pageList = list.slice(offset, offset + limit);
    const next = offset + limit < list.length ? String(offset + limit) : '';
    return ok({ category: this.category, list: pageList, nextPageCursor: next });
  }

  private executions(p: Params): Reply {
    const now = Math.floor(this.exchange.serverMs());
    const start = p.get('startTime') === undefined ? undefined : Number(p.get('startTime'));
    const end = p.get('endTime') === undefined ? undefined : Number(p.get('endTime'));
    let startMs = start ?? (end !== undefined ? end - 7 * 86_400_000 : now - 7 * 86_400_000);
    let endMs = end ?? (start !== undefined ? start + 7 * 86_400_000 : now);
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs - startMs > 7 * 86_400_000 || endMs < startMs) return fail(10001, 'Request parameter error: endTime - startTime must be within 7 days');
    startMs = Math.floor(startMs);
    endMs = Math.floor(endMs);
    const link = p.get('orderLinkId');
    const orderRef = link !== undefined ? this.exchange.find({ clientOrderId: link }) : null;
    const all = this.exchange.accountTrades({ startMs, endMs, limit: Number.MAX_SAFE_INTEGER, ...(orderRef ? { orderId: orderRef.orderId } : {}) });
    if (link !== undefined && !orderRef) all.length = 0;
    all.reverse();
    const limit = Math.max(1, Math.min(100, Number(p.get('limit') ?? '50') || 50));
    const offset = Number(p.get('cursor') ?? '0') || 0;
    const list = all.slice(offset, offset + limit).map((t) => this.book.execution(t, this.exchange.find({ orderId: t.orderId })));
    return ok({ category: this.category, list, nextPageCursor: offset + limit < all.length ? String(offset + limit) : '' });
  }

  private position(): Reply {
    const account = this.exchange.futures;
    if (!account) return fail(10001, 'category invalid');
    const pos = account.position;
    const size = pos.units < 0n ? { units: -pos.units, scale: pos.scale } : pos;
    const side = pos.units === 0n ? '' : pos.units > 0n ? 'Buy' : 'Sell';
    const entry = account.entryPrice();
    const now = String(Math.floor(this.exchange.serverMs()));
    return ok({
      category: 'linear',
      nextPageCursor: '',
      list: [
        {
          positionIdx: 0,
          riskId: 1,
          riskLimitValue: '2000000',
          symbol: this.spec.symbol,
          side,
          size: this.fmt.qty(size),
          avgPrice: pos.units === 0n ? '0' : formatDec(entry, 8),
          positionValue: formatDec(mulDec(entry, size), 8),
          tradeMode: 0,
          autoAddMargin: 0,
          positionStatus: 'Normal',
          leverage: String(account.leverage),
          markPrice: formatDec(entry, 8),
          liqPrice: '',
          takeProfit: '0',
          stopLoss: '0',
          trailingStop: '0',
          unrealisedPnl: '0',
          cumRealisedPnl: '0',
          seq: 1,
          isReduceOnly: false,
          createdTime: now,
          updatedTime: now,
        },
      ],
    });
  }

  private wallet(p: Params): Reply {
    if (p.get('accountType') !== 'UNIFIED') return fail(10001, 'accountType only support UNIFIED');
    const coins: Array<Record<string, unknown>> = [];
    const wanted = (p.get('coin') ?? '').split(',').filter((c) => c.length > 0);
    const add = (coin: string, free: Dec, locked: Dec): void => {
      if (wanted.length > 0 && !wanted.includes(coin)) return;
      const total = formatDec(addDec(free, locked), 8);
      coins.push({ coin, equity: total, usdValue: '', walletBalance: total, locked: formatDec(locked, 8), borrowAmount: '0', unrealisedPnl: '0', cumRealisedPnl: '0', spotBorrow: '0', marginCollateral: true, collateralSwitch: true });
    };
    if (this.exchange.spot) {
      add(this.exchange.spot.baseAsset, this.exchange.spot.base.free, this.exchange.spot.base.locked);
      add(this.exchange.spot.quoteAsset, this.exchange.spot.quote.free, this.exchange.spot.quote.locked);
    } else if (this.exchange.futures) {
      add(this.exchange.futures.marginAsset, this.exchange.futures.wallet, { units: 0n, scale: 0 });
    }
    return ok({ list: [{ accountType: 'UNIFIED', totalEquity: '', totalWalletBalance: '', totalMarginBalance: '', totalAvailableBalance: '', coin: coins }] });
  }

  /* ---------------------------------------------------------------- websockets */

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path === '/v5/private') {
      if (this.faults.refusePrivate) return refuse(503, 'Service Unavailable');
      return this.wss.handleUpgrade(req, socket, head, (ws) => this.privateStreams.attach(ws));
    }
    if (path === `/v5/public/${this.category}`) return this.wss.handleUpgrade(req, socket, head, (ws) => this.publicStreams.attach(ws, randomUUID()));
    refuse(404, 'Not Found');
  }

  /* ------------------------------------------------------------------- control */

  private applyFault(key: string, value: unknown): void {
    const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    switch (key) {
      case 'rejectNextOrder':
        if (typeof record['code'] !== 'number') throw new Error('rejectNextOrder needs {"code": n}');
        return this.rejectNextOrder(record['code'], typeof record['msg'] === 'string' ? record['msg'] : undefined);
      case 'loseNextAnswers':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error('loseNextAnswers needs a count');
        return this.loseNextAnswers(value);
      case 'dropPrivateStreams':
        this.dropPrivateStreams();
        return;
      case 'cutPrivateStreams':
        return this.cutPrivateStreams(value === true);
      case 'duplicateNextExecutions':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error('duplicateNextExecutions needs a count');
        return this.duplicateNextExecutions(value);
      case 'ignoreCancels':
        this.exchange.faults.ignoreCancels = value === true;
        return;
      case 'raceNextCancel':
        if (value !== 'fill' && value !== 'partial') throw new Error('raceNextCancel is "fill" or "partial"');
        this.exchange.faults.raceNextCancel = value;
        return;
      case 'clockSkewMs':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error('clockSkewMs needs a number');
        this.exchange.clockSkewMs = value;
        return;
      case 'limit':
        if (typeof record['path'] !== 'string' || typeof record['perSecond'] !== 'number') throw new Error('limit needs {"path": "/v5/order/create", "perSecond": n}');
        return this.setLimit(record['path'], record['perSecond']);
      case 'marketOrder':
        if ((record['side'] !== 'Buy' && record['side'] !== 'Sell') || typeof record['qty'] !== 'string') throw new Error('marketOrder needs {"side": "Buy"|"Sell", "qty": "1.5"}');
        return this.marketOrder(record['side'] === 'Buy' ? 'buy' : 'sell', record['qty']);
      default:
        throw new Error(`unknown fault "${key.slice(0, 40)}"`);
    }
  }

  async stop(): Promise<void> {
    this.publicStreams.stop();
    this.privateStreams.stop();
    for (const client of this.wss.clients) client.terminate();
    for (const res of this.held) res.destroy();
    this.held.clear();
    await this.exchange.stop();
    await closeServer(this.http, this.sockets);
  }
}
