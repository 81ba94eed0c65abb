/**
 * The HTTP + WebSocket transport of `quotedesk serve`: the contract's API (contracts.md) over node:http
 * and `ws`, and the monitor's static files.
 *
 * Security: bound to 127.0.0.1 unless told otherwise; every write needs `Authorization: Bearer <token>`
 * (compared in constant time) or it gets 401 and changes nothing; the Host header must name the bound
 * address (so a DNS-rebinding page cannot talk to it); no CORS headers, so other origins cannot send the
 * token; bodies are limited in size and validated by the same schemas as the Electron IPC
 * (`desk-service.ts`): invalid input is a 400 `{error, field}` and changes nothing. Static files are
 * served with a strict Content-Security-Policy. This module adds transport, never logic.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { RECORD_SCHEMA, SESSION_SPEC_SCHEMA, describeSchemaError, type CommandResult, type DeskMetrics, type StreamMessage } from '../../shared/contract.js';
import type { Desk } from '../desk/desk.js';
import type { DeskHost } from '../desk/desk-host.js';
import { executeCommand, type CommandName } from './desk-service.js';
import { StreamFlow } from './stream-flow.js';
import { exportCsv } from './exports.js';

export interface ServerOptions {
  /** The session host: requests go to its current desk. */
  readonly deskHost: DeskHost;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Folder of the built monitor (out/renderer); null serves the API only. */
  readonly staticDir: string | null;
  readonly logger?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const MAX_WS_BUFFER_BYTES = 8 * 1024 * 1024;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const CONTROL_ROUTES: Record<string, CommandName> = {
  '/api/control/kill': 'kill',
  '/api/control/rearm': 'rearm',
  '/api/control/pause': 'pause',
  '/api/control/resume': 'resume',
  '/api/control/reduce': 'reduce',
  '/api/control/flatten': 'flatten',
  '/api/control/cancel-flatten': 'cancelFlatten',
  '/api/replay': 'replay',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field = '',
  ) {
    super(message);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { deskHost, token } = options;
  /** The running desk, or a 503 naming why there is none. */
  const currentDesk = (): Desk => {
    const desk = deskHost.desk;
    if (desk) return desk;
    const session = deskHost.session();
    throw new HttpError(503, session.status === 'starting' ? 'the session is starting' : session.status === 'failed' ? `no session is running: ${session.error ?? 'it failed to start'}` : 'no session is running');
  };
  const log = options.logger ?? (() => undefined);
  const tokenBytes = Buffer.from(token, 'utf8');
  let boundPort = options.port;

  const authorized = (request: IncomingMessage): boolean => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || match[1] === undefined) return false;
    const given = Buffer.from(match[1], 'utf8');
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };

  const hostAllowed = (request: IncomingMessage): boolean => {
    const host = request.headers.host;
    if (!host) return false;
    const loopback = options.host === '127.0.0.1' || options.host === 'localhost' || options.host === '::1';
    if (!loopback) return true;
    return [`127.0.0.1:${boundPort}`, `localhost:${boundPort}`, `[::1]:${boundPort}`].includes(host);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendJson(response, error.status, { error: error.message, field: error.field });
      } else {
        log(`HTTP ${request.method} ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
        sendJson(response, 500, { error: 'internal error' });
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostAllowed(request)) throw new HttpError(403, 'host not allowed');
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const path = url.pathname;
    const method = request.method ?? 'GET';

    if (method === 'GET' || method === 'HEAD') {
      switch (path) {
        case '/api/session':
          return sendJson(response, 200, deskHost.session());
        case '/api/recordings':
          return sendJson(response, 200, deskHost.recordings());
        case '/api/health': {
          const desk = deskHost.desk;
          if (!desk) {
            const session = deskHost.session();
            return sendJson(response, 200, { ok: true, session: session.status, venue: session.spec?.venue ?? null, symbol: session.spec?.symbol ?? null, mode: null, tradingState: null, feed: { connected: false, lastMessageAgeMs: null } });
          }
          const state = desk.state();
          return sendJson(response, 200, {
            ok: true,
            venue: state.venue,
            symbol: state.symbol,
            mode: state.mode,
            tradingState: state.tradingState,
            sessionId: state.sessionId,
            reconciled: state.reconciled,
            feed: { connected: state.feed.connected, lastMessageAgeMs: state.feed.lastMessageAgeMs, trusted: state.feed.trusted, state: state.feed.state },
          });
        }
        case '/api/state':
          return sendJson(response, 200, currentDesk().state());
        case '/api/metrics':
          return sendJson(response, 200, currentDesk().metrics());
        case '/api/fills': {
          const limit = parseLimit(url.searchParams.get('limit'));
          return sendJson(response, 200, currentDesk().fills(limit));
        }
        case '/api/sessions':
          return sendJson(response, 200, currentDesk().sessions(parseLimit(url.searchParams.get('limit'), 50)));
        case '/api/session-fills': {
          const sessionId = Number(url.searchParams.get('session'));
          if (!Number.isInteger(sessionId) || sessionId <= 0) throw new HttpError(400, 'session must be a positive integer', 'session');
          return sendJson(response, 200, currentDesk().sessionFills(sessionId, parseLimit(url.searchParams.get('limit'))));
        }
        case '/api/export/fills.csv':
        case '/api/export/orders.csv':
        case '/api/export/audit.csv': {
          const kind = path.includes('fills') ? 'fills' : path.includes('orders') ? 'orders' : 'audit';
          const desk = currentDesk();
          const store = deskHost.current?.store;
          if (!store) throw new HttpError(503, 'no session is running');
          const sessionParam = url.searchParams.get('session');
          const sessionId = sessionParam === null ? desk.sessionId : Number(sessionParam);
          if (!Number.isInteger(sessionId) || sessionId <= 0) throw new HttpError(400, 'session must be a positive integer', 'session');
          const csv = exportCsv(desk, store, kind, sessionId);
          response.writeHead(200, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="quotedesk-${kind}-session-${sessionId}.csv"`,
            'cache-control': 'no-store',
          });
          response.end(csv);
          return;
        }
        case '/metrics': {
          const desk = currentDesk();
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
          response.end(prometheus(desk));
          return;
        }
        default:
          if (path.startsWith('/api/')) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
          return serveStatic(path, response);
      }
    }

    if (method === 'POST' || method === 'PUT' || method === 'DELETE') {
      const sessionRoute = path === '/api/session' || path === '/api/record';
      const command = method === 'PUT' && path === '/api/params' ? 'setParams' : method === 'POST' ? CONTROL_ROUTES[path] : undefined;
      if (!command && !sessionRoute) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
      if (!authorized(request)) {
        sendJson(response, 401, { error: 'missing or wrong bearer token' });
        request.resume();
        return;
      }
      const body = await readJsonBody(request);
      if (sessionRoute) {
        const result = await sessionCommand(method, path, body);
        if (!result.ok) return sendJson(response, result.error.startsWith('no session') ? 409 : 400, { error: result.error, field: result.field ?? '' });
        return sendJson(response, 200, { ok: true, session: deskHost.session() });
      }
      if (!command) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
      if (command === 'setParams' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
        throw new HttpError(400, 'parameters must be a JSON object', '');
      }
      const desk = currentDesk();
      const result: CommandResult = executeCommand(desk, command, body, 'http');
      if (!result.ok) return sendJson(response, 400, { error: result.error, field: result.field ?? '' });
      return sendJson(response, 200, { ok: true, tradingState: desk.risk.state() });
    }
    throw new HttpError(405, `method ${method} not allowed`);
  }

  /** POST /api/session {venue, symbol?, recording?, speed?} starts a session; DELETE stops it; POST /api/record {on}. */
  async function sessionCommand(method: string, path: string, body: unknown): Promise<CommandResult> {
    if (path === '/api/record') {
      if (method !== 'POST') throw new HttpError(405, `method ${method} not allowed on ${path}`);
      const parsed = RECORD_SCHEMA.safeParse(body);
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      return deskHost.setRecording(parsed.data.on);
    }
    if (method === 'DELETE') return deskHost.stop();
    if (method !== 'POST') throw new HttpError(405, `method ${method} not allowed on ${path}`);
    const parsed = SESSION_SPEC_SCHEMA.safeParse(body);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    return deskHost.start(parsed.data);
  }

  function serveStatic(path: string, response: ServerResponse): void {
    const root = options.staticDir;
    if (!root || !existsSync(root)) throw new HttpError(404, 'the monitor is not built: run `npm run build`');
    const rootResolved = resolve(root);
    const wanted = path === '/' ? '/index.html' : decodeURIComponent(path);
    const file = normalize(join(rootResolved, wanted));
    if (!file.startsWith(rootResolved + sep)) throw new HttpError(404, 'not found');
    const target = existsSync(file) && statSync(file).isFile() ? file : join(rootResolved, 'index.html');
    response.writeHead(200, {
      'content-type': MIME[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(target).pipe(response);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/stream' || !hostAllowed(request)) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => attachStream(ws));
  });

  // One serialisation per message, shared by every client.
  let lastMessage: StreamMessage | null = null;
  let lastText = '';
  const serialise = (message: StreamMessage): string => {
    if (message !== lastMessage) {
      lastMessage = message;
      lastText = JSON.stringify(message, nanToNull);
    }
    return lastText;
  };

  function attachStream(ws: WebSocket): void {
    let needsSnapshot = false;
    let unsubscribe: (() => void) | null = null;
    const flow = new StreamFlow((message) => ws.send(serialise(message)));
    const subscribe = (): void => {
      unsubscribe?.();
      unsubscribe = deskHost.subscribe((message) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_WS_BUFFER_BYTES) {
          // A slow client skips updates; it gets a fresh snapshot once it has drained, so it never shows a gap.
          needsSnapshot = true;
          return;
        }
        if (needsSnapshot && message.type === 'update') {
          // A fresh subscription starts with a snapshot of the current desk.
          needsSnapshot = false;
          subscribe();
          return;
        }
        flow.offer(message);
      });
    };
    subscribe();
    ws.on('message', (data) => flow.control(String(data)));
    ws.on('close', () => {
      unsubscribe?.();
      flow.close();
    });
    ws.on('error', () => {
      unsubscribe?.();
      flow.close();
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${displayHost}:${boundPort}`,
    port: boundPort,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}

function parseLimit(text: string | null, fallback = 100): number {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new HttpError(400, 'limit must be an integer from 1 to 100000', 'limit');
  return value;
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  const type = request.headers['content-type'] ?? '';
  if (type && !type.includes('application/json')) throw new HttpError(415, `content-type must be application/json, got ${type}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function nanToNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, nanToNull);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

/** The statistics in the Prometheus text exposition format. */
export function prometheus(desk: Desk): string {
  const state = desk.state();
  const metrics: DeskMetrics = desk.metrics();
  const labels = `venue="${state.venue}",symbol="${state.symbol}"`;
  const lines: string[] = [];
  const gauge = (name: string, help: string, value: number, extra = ''): void => {
    lines.push(`# HELP quotedesk_${name} ${help}`, `# TYPE quotedesk_${name} gauge`);
    lines.push(`quotedesk_${name}{${labels}${extra}} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  gauge('pnl_total', 'Total PnL (realised + unrealised - fees), quote currency', state.pnl.total);
  gauge('pnl_realized', 'Realised PnL, quote currency', state.pnl.realized);
  gauge('pnl_unrealized', 'Unrealised PnL at the mid, quote currency', state.pnl.unrealized);
  gauge('fees', 'Fees paid (negative: rebates), quote currency', state.pnl.fees);
  gauge('inventory', 'Inventory in instrument size units', state.inventory);
  gauge('daily_pnl', 'PnL since the start of the UTC day', metrics.dailyPnl);
  gauge('sharpe', `Sharpe ratio (${metrics.sharpeBasis})`, metrics.sharpe);
  gauge('win_rate', metrics.winRateDefinition, metrics.winRate);
  gauge('avg_spread_captured_bps', 'Average spread captured per fill, bps of mid', metrics.avgSpreadCapturedBps);
  gauge('adverse_selection_rate', `Share of fills with an adverse markout at ${metrics.adverseHorizonSec} s`, metrics.adverseSelectionRate);
  gauge('avg_inventory', 'Time-weighted average |inventory|', metrics.avgInventory);
  gauge('max_inventory', 'Maximum |inventory|', metrics.maxInventory);
  gauge('inventory_turnover', 'Volume traded / average |inventory|', metrics.inventoryTurnover);
  gauge('fills_total', 'Number of fills', metrics.numFills);
  gauge('open_orders', 'Working orders', state.openOrders.length);
  gauge('feed_messages_total', 'Market messages received', state.feed.messages);
  gauge('feed_gaps_total', 'Sequence gaps detected', state.feed.gaps);
  gauge('feed_resyncs_total', 'Book resyncs', state.feed.resyncs);
  gauge('feed_last_message_age_ms', 'Age of the last market message', state.feed.lastMessageAgeMs ?? Number.NaN);
  lines.push('# HELP quotedesk_trading_state Trading state (1 for the current one)', '# TYPE quotedesk_trading_state gauge');
  for (const s of ['active', 'paused', 'reducing', 'halted'] as const) {
    lines.push(`quotedesk_trading_state{${labels},state="${s}"} ${state.tradingState === s ? 1 : 0}`);
  }
  for (const [side, byHorizon] of Object.entries(metrics.markouts)) {
    for (const [horizon, stats] of Object.entries(byHorizon)) {
      lines.push(`quotedesk_markout_mean_bps{${labels},side="${side}",horizon="${horizon}"} ${stats.meanBps}`);
    }
  }
  return `${lines.join('\n')}\n`;
}


