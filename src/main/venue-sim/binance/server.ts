/**
 * The local exchange speaking Binance spot or USD-M on one port of 127.0.0.1 (by default): REST (spot
 * `/api/v3/...`, USD-M `/fapi/v1/...`, `/fapi/v3/positionRisk`, `/fapi/v1/listenKey`), the spot WebSocket
 * API at `/ws-api/v3`, market streams at `/ws/...` and `/stream?streams=...` (USD-M also under `/public`
 * and `/market`), and USD-M user data streams at `/ws/<listenKey>` (also `/private/...`). Every request
 * passes the venue's checks in the venue's order — rate limits (limits.ts), then security (auth.ts), then
 * parameters and the operation (operations.ts) — and is answered in the venue's shapes with its usage
 * headers or `rateLimits`. Faults for tests, through the handle or `POST /__local/faults`: reject the next
 * order with a code, execute the next trading requests without answering, drop the user streams, expire
 * the listenKey, ignore cancels, race the next cancel with a fill, run the clock early or late, send an
 * outside market order. It logs nothing, and no answer ever carries a key, a signature or a secret.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimConfig } from '../../market/sim/sim-market.js';
import { closeServer, controlRequest, listenOn, readRequest, trackSockets } from '../local-server.js';
import { SimExchange } from '../sim-exchange.js';
import { Auth, mandatory, refusal, type ApiKeyEntry, type VenueRefusal } from './auth.js';
import { DEFAULT_SYMBOL, defaultLimits, exchangeConfig, formats, type Dialect, type DialectLimits, type DialectSymbol } from './dialect.js';
import { ServerLimits } from './limits.js';
import { MarketStreams } from './market-data.js';
import { operations, unreadParams, type Operation, type OperationContext, type Params } from './operations.js';
import { UserDataStreams, type UserDataSession } from './user-data.js';

export interface LocalExchangeOptions {
  readonly dialect: Dialect;
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** The account's API keys and how each signs (HMAC secret or Ed25519 public key). */
  readonly keys: readonly ApiKeyEntry[];
  readonly symbol?: Partial<DialectSymbol>;
  readonly seed?: number;
  readonly flowMultiplier?: number;
  readonly sim?: Partial<SimConfig>;
  readonly limits?: Partial<DialectLimits>;
  readonly wallMs?: () => number;
  /** Serve `POST /__local/faults` (default true). */
  readonly controlApi?: boolean;
}

/** The documented message of a code the tests inject (for codes with several, the order-entry one). */
const INJECTED: Readonly<Record<number, { status: number; msg: string }>> = {
  [-1003]: { status: 429, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.' },
  [-1006]: { status: 503, msg: 'An unexpected response was received from the message bus. Execution status unknown.' },
  [-1007]: { status: 408, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' },
  [-1013]: { status: 400, msg: 'Filter failure: PERCENT_PRICE_BY_SIDE' },
  [-1015]: { status: 429, msg: 'Too many new orders; current limit is 50 orders per 10 SECOND.' },
  [-1021]: { status: 400, msg: 'Timestamp for this request is outside of the recvWindow.' },
  [-2010]: { status: 400, msg: 'Account has insufficient balance for requested action.' },
  [-2019]: { status: 400, msg: 'Margin is insufficient.' },
  [-4131]: { status: 400, msg: "The counterparty's best price does not meet the PERCENT_PRICE filter limit" },
  [-5022]: { status: 400, msg: 'Due to the order could not be executed as maker, the Post Only order will be rejected.' },
};

const SPOT_ROUTES: Readonly<Record<string, string>> = {
  'GET /api/v3/ping': 'ping',
  'GET /api/v3/time': 'time',
  'GET /api/v3/exchangeInfo': 'exchangeInfo',
  'GET /api/v3/depth': 'depth',
  'POST /api/v3/order': 'place',
  'DELETE /api/v3/order': 'cancel',
  'DELETE /api/v3/openOrders': 'cancelAll',
  'GET /api/v3/order': 'query',
  'GET /api/v3/openOrders': 'openOrders',
  'GET /api/v3/myTrades': 'trades',
  'GET /api/v3/account': 'account',
};

const USDM_ROUTES: Readonly<Record<string, string>> = {
  'GET /fapi/v1/ping': 'ping',
  'GET /fapi/v1/time': 'time',
  'GET /fapi/v1/exchangeInfo': 'exchangeInfo',
  'GET /fapi/v1/depth': 'depth',
  'POST /fapi/v1/order': 'place',
  'DELETE /fapi/v1/order': 'cancel',
  'DELETE /fapi/v1/allOpenOrders': 'cancelAll',
  'GET /fapi/v1/order': 'query',
  'GET /fapi/v1/openOrders': 'openOrders',
  'GET /fapi/v1/userTrades': 'trades',
  'GET /fapi/v3/positionRisk': 'positionRisk',
  'GET /fapi/v2/positionRisk': 'positionRisk',
  'POST /fapi/v1/countdownCancelAll': 'countdown',
};

const WS_METHODS: Readonly<Record<string, string>> = {
  ping: 'ping',
  time: 'time',
  exchangeInfo: 'exchangeInfo',
  depth: 'depth',
  'order.place': 'place',
  'order.cancel': 'cancel',
  'openOrders.cancelAll': 'cancelAll',
  'order.status': 'query',
  'openOrders.status': 'openOrders',
  myTrades: 'trades',
  'account.status': 'account',
};

/** What one request came with, for the security check. */
type Credentials = { readonly kind: 'rest'; readonly apiKey: string | undefined; readonly rawQuery: string; readonly rawBody: string } | { readonly kind: 'ws'; readonly params: Readonly<Record<string, unknown>> };

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly retryAtMs: number | null;
  readonly lose: boolean;
  readonly orders: boolean;
}

function mapParams(map: ReadonlyMap<string, string>): Params {
  return { get: (name) => map.get(name), names: () => [...map.keys()] };
}

interface WsApiSession extends UserDataSession {
  readonly socket: WebSocket;
}

export class BinanceLocalExchange {
  readonly exchange: SimExchange;
  readonly spec: DialectSymbol;
  readonly limits: ServerLimits;
  readonly stats = { requests: 0, lostAnswers: 0, listenKeyKeepAlives: 0 };
  /** What the venue saw, for tests to wait on: 'listenKeyKeepAlive', 'request' (operation name). */
  readonly observed = new EventEmitter();
  /** Faults of the transport (the engine's own are on `exchange.faults`). */
  readonly faults: { rejectNext: { code: number; status: number; msg: string } | null; loseNext: number; refuseWsApi: boolean } = { rejectNext: null, loseNext: 0, refuseWsApi: false };
  /** REST and WebSocket API requests served, by transport. */
  readonly served = { rest: 0, wsApi: 0 };
  private readonly auth: Auth;
  private readonly ops: Record<string, Operation>;
  private readonly ctx: OperationContext;
  private readonly market: MarketStreams;
  private readonly userData: UserDataStreams;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly held = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly wsApiSessions = new Set<WsApiSession>();
  private cancelSeq = 0;
  private clientSeq = 0;
  private port = 0;

  private constructor(
    readonly options: LocalExchangeOptions,
    private readonly http: Server,
  ) {
    const dialect = options.dialect;
    this.spec = { ...DEFAULT_SYMBOL, ...options.symbol };
    this.exchange = new SimExchange(
      exchangeConfig(dialect, this.spec, {
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.flowMultiplier !== undefined ? { flowMultiplier: options.flowMultiplier } : {}),
        ...(options.sim ? { sim: options.sim } : {}),
      }),
      options.wallMs,
    );
    const fmt = formats(dialect, this.spec);
    this.limits = new ServerLimits({ ...defaultLimits(dialect), ...options.limits });
    this.auth = new Auth(options.keys);
    this.ops = operations(dialect);
    const renderCtx = { symbol: this.spec.symbol, exchange: this.exchange, fmt };
    const cancelIds = new Map<number, string>();
    this.ctx = {
      dialect,
      spec: this.spec,
      exchange: this.exchange,
      fmt,
      render: renderCtx,
      limits: this.limits,
      cancelIds,
      nextCancelId: () => `localcancel${++this.cancelSeq}`,
      nextClientId: () => `localorder${++this.clientSeq}`,
    };
    this.market = new MarketStreams(dialect, this.spec, this.exchange, fmt);
    this.userData = new UserDataStreams(renderCtx, cancelIds);
    this.exchange.setEvents({
      onExecution: (order, exec, trade) => this.userData.onExecution(order, exec, trade),
      onPublicTrade: (trade) => this.market.onPublicTrade(trade),
    });
  }

  static async start(options: LocalExchangeOptions): Promise<BinanceLocalExchange> {
    const http = createServer();
    const venue = new BinanceLocalExchange(options, http);
    http.on('request', (req, res) => venue.onRequest(req, res));
    http.on('upgrade', (req, socket, head) => venue.onUpgrade(req, socket as Socket, head));
    trackSockets(http, venue.sockets);
    await venue.exchange.start();
    venue.market.start();
    venue.port = await listenOn(http, options.host ?? '127.0.0.1', options.port ?? 0);
    return venue;
  }

  get dialect(): Dialect {
    return this.options.dialect;
  }

  private get origin(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /** REST base url. */
  get restUrl(): string {
    return `http://${this.origin}`;
  }

  /** Market streams base (the LiveFeed keeps the venue's own path and query). */
  get wsUrl(): string {
    return `ws://${this.origin}`;
  }

  /** Spot: the WebSocket API; USD-M: the user data stream base (the gateway appends `/ws/<listenKey>`). */
  get wsApiUrl(): string {
    return this.dialect === 'binance-spot' ? `ws://${this.origin}/ws-api/v3` : `ws://${this.origin}`;
  }

  /* -------------------------------------------------------------------- faults */

  /** The next order placement is refused with `code` (and the documented message unless given). */
  rejectNextOrder(code: number, msg?: string): void {
    const known = INJECTED[code];
    this.faults.rejectNext = { code, status: known?.status ?? 400, msg: msg ?? known?.msg ?? 'NEW_ORDER_REJECTED' };
  }

  /** The next `count` trading requests execute but are never answered. */
  loseNextAnswers(count: number): void {
    this.faults.loseNext = count;
  }

  /** Every user data connection drops now; returns how many. */
  dropUserStreams(): number {
    return this.userData.dropAll();
  }

  /** Spot: every WebSocket API connection drops (trading and user data alike); returns how many. */
  dropWsApiSessions(): number {
    const count = this.wsApiSessions.size;
    for (const session of this.wsApiSessions) session.socket.terminate();
    this.wsApiSessions.clear();
    return count;
  }

  /** USD-M: the listenKey expires now (`listenKeyExpired`). */
  expireListenKey(): void {
    this.userData.expire();
  }

  /** An outside market order: `side` buys or sells `quantity` (decimal text) at market now. */
  marketOrder(side: 'buy' | 'sell', quantity: string): void {
    this.exchange.marketOrderOf(side, quantity);
  }

  /** Trades `quantity` of our open order `clientOrderId` now (an outside order sweeps to it). */
  fillOrder(clientOrderId: string, quantity: string): void {
    this.exchange.fillOrderOf(clientOrderId, quantity);
  }

  /* ------------------------------------------------------------------ requests */

  private execute(name: string, params: Params, credentials: Credentials): Answer {
    this.stats.requests++;
    this.observed.emit('request', name);
    const op = this.ops[name];
    if (!op) return this.refuse(refusal(400, -1020, 'This operation is not supported.'));
    const now = this.exchange.serverMs();
    const limited = this.limits.admit(op.weight(params), op.orders, now);
    if (limited) return { status: limited.status, body: { code: limited.code, msg: limited.msg }, retryAtMs: limited.retryAtMs, lose: false, orders: false };
    const security = this.security(op, credentials, now);
    if (security) return this.refuse(security);
    const unread = unreadParams(op, params);
    if (unread) return this.refuse(unread);
    if (name === 'place' && this.faults.rejectNext) {
      const r = this.faults.rejectNext;
      this.faults.rejectNext = null;
      return this.refuse(refusal(r.status, r.code, r.msg));
    }
    const outcome = op.run(params, this.ctx);
    const lose = op.trading && this.faults.loseNext > 0;
    if (lose) {
      this.faults.loseNext--;
      this.stats.lostAnswers++;
    }
    if (!outcome.ok) return { ...this.refuse(outcome.refusal), lose };
    if (outcome.orders) this.limits.countOrders(outcome.orders, now);
    return { status: 200, body: outcome.body, retryAtMs: null, lose, orders: op.orders > 0 };
  }

  private refuse(r: VenueRefusal): Answer {
    return { status: r.status, body: { code: r.code, msg: r.msg }, retryAtMs: null, lose: false, orders: false };
  }

  private security(op: Operation, credentials: Credentials, now: number): VenueRefusal | null {
    if (op.security === 'none') return null;
    if (credentials.kind === 'ws') {
      if (op.security === 'api-key') return this.auth.checkKey(typeof credentials.params['apiKey'] === 'string' ? credentials.params['apiKey'] : undefined);
      return this.auth.verifyWs(credentials.params, now);
    }
    if (op.security === 'api-key') return this.auth.checkKey(credentials.apiKey);
    const all = new URLSearchParams(credentials.rawBody);
    for (const [key, value] of new URLSearchParams(credentials.rawQuery)) all.set(key, value);
    return this.auth.verifyRest(credentials.apiKey, credentials.rawQuery, credentials.rawBody, new Map(all), now);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    readRequest(req, (path, rawQuery, rawBody) => {
      if (path.startsWith('/__local/')) return controlRequest(req, res, path, rawBody, this.options.controlApi !== false, (key, value) => this.applyFault(key, value));
      this.route(req, res, path, rawQuery, rawBody);
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, rawBody: string): void {
    const method = req.method ?? 'GET';
    const header = req.headers['x-mbx-apikey'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    let params: Map<string, string>;
    try {
      params = new Map(new URLSearchParams(rawBody));
      for (const [key, value] of new URLSearchParams(rawQuery)) params.set(key, value);
    } catch {
      return this.reply(res, { ...this.refuse(refusal(400, -1100, 'Illegal characters found in a parameter.')) });
    }
    if (this.dialect === 'binance-usdm' && path === '/fapi/v1/listenKey') return this.listenKey(res, method, apiKey);
    const name = (this.dialect === 'binance-spot' ? SPOT_ROUTES : USDM_ROUTES)[`${method} ${path}`];
    if (name === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -1000, msg: `Unknown endpoint ${method} ${path.slice(0, 60)}` }));
      return;
    }
    this.served.rest++;
    this.reply(res, this.execute(name, mapParams(params), { kind: 'rest', apiKey, rawQuery, rawBody }));
  }

  private reply(res: ServerResponse, answer: Answer): void {
    if (answer.lose) {
      // why: "execute but never answer": the request took effect; the client must find out by query
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    const now = this.exchange.serverMs();
    const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8', ...this.limits.headers(now, answer.orders) };
    if (answer.retryAtMs !== null) headers['Retry-After'] = String(Math.max(1, Math.ceil((answer.retryAtMs - now) / 1_000)));
    res.writeHead(answer.status, headers);
    res.end(JSON.stringify(answer.body));
  }

  /** USD-M listenKey: POST creates or extends, PUT extends (-1125 when none), DELETE closes. Weight 1. */
  private listenKey(res: ServerResponse, method: string, apiKey: string | undefined): void {
    this.stats.requests++;
    const now = this.exchange.serverMs();
    const limited = this.limits.admit(1, 0, now);
    if (limited) return this.reply(res, { status: limited.status, body: { code: limited.code, msg: limited.msg }, retryAtMs: limited.retryAtMs, lose: false, orders: false });
    const keyIssue = this.auth.checkKey(apiKey);
    if (keyIssue) return this.reply(res, this.refuse(keyIssue));
    let body: unknown;
    if (method === 'POST') body = { listenKey: this.userData.createKey(now) };
    else if (method === 'PUT') {
      if (!this.userData.keepAlive(now)) return this.reply(res, this.refuse(refusal(400, -1125, 'This listenKey does not exist.')));
      this.stats.listenKeyKeepAlives++;
      this.observed.emit('listenKeyKeepAlive');
      body = {};
    } else if (method === 'DELETE') {
      this.userData.closeKey();
      body = {};
    } else return this.reply(res, this.refuse(refusal(400, -1020, 'This operation is not supported.')));
    this.reply(res, { status: 200, body, retryAtMs: null, lose: false, orders: false });
  }

  /* ---------------------------------------------------------------- websockets */

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://local');
    let path = url.pathname;
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.dialect === 'binance-spot' && path === '/ws-api/v3') {
      if (this.faults.refuseWsApi) return refuse(503, 'Service Unavailable');
      const limited = this.limits.admit(2, 0, this.exchange.serverMs());
      if (limited) return refuse(limited.status, 'Too Many Requests');
      return this.wss.handleUpgrade(req, socket, head, (ws) => this.wsApiSession(ws));
    }
    if (this.dialect === 'binance-usdm') {
      const keyPath = /^(?:\/private)?\/ws\/([A-Za-z0-9]{64})$/.exec(path);
      const key = keyPath?.[1] ?? (path === '/private/ws' ? url.searchParams.get('listenKey') : null);
      if (key !== null && key !== undefined) {
        if (!this.userData.isLiveKey(key, this.exchange.serverMs())) return refuse(400, 'Bad Request');
        return this.wss.handleUpgrade(req, socket, head, (ws) => this.userData.attachListenSocket(ws));
      }
      path = path.replace(/^\/(public|market)(?=\/)/, '');
    }
    let streams: string[] | null = null;
    let combined = false;
    if (path === '/stream') {
      streams = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s.length > 0);
      combined = true;
    } else if (path.startsWith('/ws/')) {
      streams = path.slice(4).split('/').filter((s) => s.length > 0);
    }
    if (streams === null || streams.length === 0) return refuse(404, 'Not Found');
    const names = streams;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.market.attach(ws, names, combined));
  }

  private wsApiSession(socket: WebSocket): void {
    const session: WsApiSession = { socket, subscriptions: new Set(), nextSubscriptionId: 0 };
    this.wsApiSessions.add(session);
    socket.on('close', () => {
      this.wsApiSessions.delete(session);
      this.userData.closed(session);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      this.wsApiMessage(session, data.toString('utf8'));
    });
  }

  private wsApiMessage(session: WsApiSession, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      return session.socket.send(JSON.stringify({ id: null, status: 400, error: { code: -1135, msg: 'Invalid JSON Request' } }));
    }
    const m = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
    const id = typeof m['id'] === 'string' || typeof m['id'] === 'number' ? m['id'] : null;
    const method = typeof m['method'] === 'string' ? m['method'] : '';
    const raw = typeof m['params'] === 'object' && m['params'] !== null ? (m['params'] as Record<string, unknown>) : {};
    const params = new Map<string, string>();
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params.set(key, String(value));
    }
    const now = this.exchange.serverMs();
    let answer: Answer;
    if (method.startsWith('userDataStream.') || method === 'session.subscriptions') answer = this.userDataMethod(session, method, mapParams(params), raw, now);
    else {
      this.served.wsApi++;
      const name = WS_METHODS[method.replace(/^v3\//, '')];
      answer = name === undefined ? this.refuse(refusal(400, -1020, 'This operation is not supported.')) : this.execute(name, mapParams(params), { kind: 'ws', params: raw });
    }
    if (answer.lose) return;
    const rateLimits = this.limits.rateLimits(now, answer.orders);
    const body = answer.body as { code?: number; msg?: string };
    const frame =
      answer.status === 200
        ? { id, status: 200, result: answer.body, rateLimits }
        : { id, status: answer.status, error: { code: body.code, msg: body.msg, ...(answer.retryAtMs !== null ? { data: { serverTime: Math.floor(now), retryAfter: answer.retryAtMs } } : {}) }, rateLimits };
    session.socket.send(JSON.stringify(frame));
  }

  private userDataMethod(session: WsApiSession, method: string, params: Params, raw: Readonly<Record<string, unknown>>, now: number): Answer {
    this.stats.requests++;
    const limited = this.limits.admit(2, 0, now);
    if (limited) return { status: limited.status, body: { code: limited.code, msg: limited.msg }, retryAtMs: limited.retryAtMs, lose: false, orders: false };
    const ok = (body: unknown): Answer => ({ status: 200, body, retryAtMs: null, lose: false, orders: false });
    switch (method) {
      case 'userDataStream.subscribe.signature': {
        const issue = this.auth.verifyWs(raw, now);
        if (issue) return this.refuse(issue);
        return ok({ subscriptionId: this.userData.subscribe(session) });
      }
      case 'userDataStream.unsubscribe': {
        const text = params.get('subscriptionId');
        if (text !== undefined && !/^\d+$/.test(text)) return this.refuse(mandatory('subscriptionId'));
        this.userData.unsubscribe(session, text === undefined ? null : Number(text));
        return ok({});
      }
      case 'session.subscriptions':
        return ok([...session.subscriptions].map((subscriptionId) => ({ subscriptionId })));
      default:
        // userDataStream.subscribe needs a session.logon the local exchange does not offer
        return this.refuse(refusal(400, -1020, 'This operation is not supported.'));
    }
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
      case 'dropUserStreams':
        this.dropUserStreams();
        return;
      case 'expireListenKey':
        return this.expireListenKey();
      case 'refuseWsApi':
        this.faults.refuseWsApi = value === true;
        if (value === true) this.dropWsApiSessions();
        return;
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
      case 'marketOrder':
        if ((record['side'] !== 'BUY' && record['side'] !== 'SELL') || typeof record['quantity'] !== 'string') throw new Error('marketOrder needs {"side": "BUY"|"SELL", "quantity": "1.5"}');
        return this.marketOrder(record['side'] === 'BUY' ? 'buy' : 'sell', record['quantity']);
      default:
        throw new Error(`unknown fault "${key.slice(0, 40)}"`);
    }
  }

  async stop(): Promise<void> {
    this.market.stop();
    this.userData.dropAll();
    for (const client of this.wss.clients) client.terminate();
    for (const res of this.held) res.destroy();
    this.held.clear();
    await this.exchange.stop();
    await closeServer(this.http, this.sockets);
  }
}
