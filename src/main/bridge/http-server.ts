/**
 * The HTTP + WebSocket transport of `quotedesk serve`: the contract's API (contracts.md) over node:http
 * and `ws`, and the monitor's static files. It adds transport, never logic, and never does the engine's
 * work: the desk runs on the engine thread (`EngineLink`), figures come from it by coalesced reads, the
 * stream from the `StreamHub`'s pre-serialised messages, and database reads from read-only connections
 * streamed in slices (`reads.ts`) — so whatever readers do, a control command reaches the engine at once.
 *
 * Security (see `request-policy.ts`): bound to 127.0.0.1 unless told otherwise; the Host header must name
 * this desk; a browser request from a foreign Origin is refused (reads and the stream too); every write
 * needs the bearer token (on a non-loopback bind every read too), strict `Content-Type:
 * application/json` (415 otherwise), a body under 64 KiB with no `__proto__`/`constructor`/`prototype`
 * key, and is validated by the same schemas as the Electron IPC: invalid input is a 400 `{error, field}`
 * and changes nothing. A malformed %-encoding is a 400. API answers carry `nosniff` and `no-store`;
 * static files a strict Content-Security-Policy.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { EXPORT_KIND_SCHEMA, RECORD_SCHEMA, SESSION_SPEC_SCHEMA, describeSchemaError, type CommandResult } from '../../shared/contract.js';
import { STREAM_PROTOCOL } from '../../shared/stream-auth.js';
import type { CommandName } from '../engine/commands.js';
import type { EngineLink } from '../engine/engine-link.js';
import type { EngineRead } from '../engine/protocol.js';
import { ReadBusyError, ReadFailedError, ReadService, pipeRead, type ReadRequest } from './reads.js';
import { accessPolicy } from './request-policy.js';
import { StreamHub, type StreamHubOptions } from './stream-hub.js';

export interface ServerOptions {
  /** The engine thread: commands and figures go to it. */
  readonly link: EngineLink;
  /** The database the engine writes: reads are served from it, read-only. */
  readonly dbPath: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Folder of the built monitor (out/renderer); null serves the API only. */
  readonly staticDir: string | null;
  /** More names the Host header may carry (a non-loopback bind answers to its addresses and host name). */
  readonly allowedHosts?: readonly string[];
  /** Stream limits: clients at once, bytes queued per client, how long a stuck client is kept. */
  readonly stream?: Partial<StreamHubOptions>;
  /** Database reads (exports, fills) at once; more are refused with 503. Default 4. */
  readonly maxReads?: number;
  readonly nativeBinding?: string;
  readonly logger?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stream clients connected now. */
  readonly streamClients: () => number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
/** Clients send only `hello` and `ack` on the stream. */
const MAX_STREAM_MESSAGE_BYTES = 1024;
/** A health check answers within this, or says the engine is not answering. */
const HEALTH_TIMEOUT_MS = 2_000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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

const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

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
  '/api/control/cancel-order': 'cancelOrder',
  '/api/replay': 'replay',
};

const ENGINE_READS: Record<string, EngineRead> = {
  '/api/state': 'state',
  '/api/metrics': 'metrics',
  '/metrics': 'prometheus',
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
  const { link } = options;
  const log = options.logger ?? (() => undefined);
  const policy = accessPolicy({ host: options.host, token: options.token, ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}) });
  const hub = new StreamHub(link, options.stream);
  const reads = new ReadService(options.dbPath, options.maxReads ?? 4, options.nativeBinding);
  let boundPort = options.port;

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendJson(response, error.status, { error: error.message, field: error.field });
      } else if (error instanceof ReadBusyError) {
        sendJson(response, 503, { error: error.message, field: '' });
      } else if (error instanceof ReadFailedError) {
        sendJson(response, error.status, { error: error.message, field: error.status === 404 ? 'session' : '' });
      } else {
        log(`HTTP ${request.method} ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
        sendJson(response, 500, { error: 'internal error' });
      }
    });
  });

  /** The checks every request passes before routing (Host, URL encoding, Origin). */
  function admit(request: IncomingMessage): URL {
    if (!policy.hostAllowed(request, boundPort)) throw new HttpError(403, `host not allowed: ${request.headers.host ?? '(none)'}`);
    const raw = request.url ?? '/';
    if (malformedEncoding(raw)) throw new HttpError(400, 'malformed %-encoding in the request URL');
    if (!policy.originAllowed(request)) throw new HttpError(403, `cross-origin request refused: ${request.headers.origin ?? ''} is not this desk`);
    return new URL(raw, `http://${request.headers.host ?? 'localhost'}`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = admit(request);
    const path = url.pathname;
    const method = request.method ?? 'GET';

    if (method === 'GET' || method === 'HEAD') {
      const api = path.startsWith('/api/') || path === '/metrics';
      if (api && policy.readsNeedToken && !policy.authorized(request)) throw new HttpError(401, 'missing or wrong bearer token (this desk is bound to a network address: reads need the token too)');
      const engineRead = ENGINE_READS[path];
      if (engineRead !== undefined) return sendRead(response, await link.read(engineRead), engineRead === 'prometheus' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json; charset=utf-8');
      switch (path) {
        case '/api/session':
          return sendJson(response, 200, link.session());
        case '/api/recordings':
          return sendJson(response, 200, await link.recordings());
        case '/api/health':
          return sendHealth(response);
        case '/api/fills': {
          const limit = parseLimit(url.searchParams.get('limit'));
          const sessionId = link.session().sessionId;
          if (sessionId === null) throw new HttpError(503, 'no session is running');
          return streamRead(response, { kind: 'fills', sessionId, limit }, JSON_HEADERS);
        }
        case '/api/sessions':
          return streamRead(response, { kind: 'sessions', limit: parseLimit(url.searchParams.get('limit'), 50) }, JSON_HEADERS);
        case '/api/session-fills': {
          const sessionId = parseSession(url.searchParams.get('session'), null);
          return streamRead(response, { kind: 'fills', sessionId, limit: parseLimit(url.searchParams.get('limit')) }, JSON_HEADERS);
        }
        case '/api/export/fills.csv':
        case '/api/export/orders.csv':
        case '/api/export/audit.csv': {
          const kind = EXPORT_KIND_SCHEMA.parse(path.slice('/api/export/'.length, -'.csv'.length));
          const sessionId = parseSession(url.searchParams.get('session'), link.session().sessionId);
          return streamRead(response, { kind: 'csv', csv: kind, sessionId }, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="quotedesk-${kind}-session-${sessionId}.csv"`,
          });
        }
        default:
          if (api) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
          return serveStatic(path, response);
      }
    }

    if (method === 'POST' || method === 'PUT' || method === 'DELETE') {
      const sessionRoute = path === '/api/session' || path === '/api/record';
      const command = method === 'PUT' && path === '/api/params' ? 'setParams' : method === 'POST' ? CONTROL_ROUTES[path] : undefined;
      if (!command && !sessionRoute) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
      if (!policy.authorized(request)) {
        request.resume();
        throw new HttpError(401, 'missing or wrong bearer token');
      }
      const body = await readJsonBody(request);
      if (sessionRoute) {
        const result = await sessionCommand(method, path, body);
        if (!result.ok) return sendJson(response, result.error.startsWith('no session') ? 409 : 400, { error: result.error, field: result.field ?? '' });
        return sendJson(response, 200, { ok: true, session: link.session() });
      }
      if (!command) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
      if (command === 'setParams' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
        throw new HttpError(400, 'parameters must be a JSON object', '');
      }
      const result = await link.command(command, body, 'http').catch((error: Error) => {
        throw new HttpError(503, error.message);
      });
      if (!result.ok) return sendJson(response, result.error.startsWith('no session') || result.error.startsWith('the session is') ? 503 : 400, { error: result.error, field: result.field ?? '' });
      return sendJson(response, 200, { ok: true, tradingState: result.tradingState });
    }
    throw new HttpError(405, `method ${method} not allowed`);
  }

  async function sendHealth(response: ServerResponse): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(null), HEALTH_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([link.read('health'), timeout]);
      if (answer === null) return sendJson(response, 503, { ok: false, error: `the engine did not answer within ${HEALTH_TIMEOUT_MS} ms` });
      return sendRead(response, answer, 'application/json; charset=utf-8');
    } catch (error) {
      return sendJson(response, 503, { ok: false, error: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A database read streamed to the client: what the engine queued is committed first, the first chunk
   * decides the status (a refusal is a JSON error), the rest follows as the client drains it.
   */
  async function streamRead(response: ServerResponse, request: ReadRequest, headers: Record<string, string>): Promise<void> {
    await link.committed();
    const chunks = reads.chunks(request);
    const first = await chunks.next();
    response.writeHead(200, { ...API_HEADERS, ...headers });
    if (first.done !== true) response.write(first.value);
    await pipeRead(chunks, response);
    response.end();
  }

  /** POST /api/session {venue, symbol?, recording?, speed?} starts a session; DELETE stops it; POST /api/record {on}. */
  async function sessionCommand(method: string, path: string, body: unknown): Promise<CommandResult> {
    if (path === '/api/record') {
      if (method !== 'POST') throw new HttpError(405, `method ${method} not allowed on ${path}`);
      const parsed = RECORD_SCHEMA.safeParse(body);
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      return link.setRecording(parsed.data.on);
    }
    if (method === 'DELETE') return link.stopSession();
    if (method !== 'POST') throw new HttpError(405, `method ${method} not allowed on ${path}`);
    const parsed = SESSION_SPEC_SCHEMA.safeParse(body);
    if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
    const started = await link.startSession(parsed.data);
    if (!started.ok) log(`session could not start: ${started.error}`);
    return started;
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

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_STREAM_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: string, why: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
    };
    let url: URL;
    try {
      url = admit(request);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      return refuse(`${status} ${status === 403 ? 'Forbidden' : 'Bad Request'}`, (error as Error).message);
    }
    if (url.pathname !== '/api/stream') return refuse('404 Not Found', `no such endpoint: ${url.pathname}`);
    if (policy.readsNeedToken && !policy.authorized(request)) return refuse('401 Unauthorized', 'missing or wrong token (offer it as the subprotocol quotedesk-token.<hex>)');
    const full = hub.refusal();
    if (full !== null) return refuse('503 Service Unavailable', full);
    wss.handleUpgrade(request, socket, head, (ws) => attachStream(ws));
  });

  function attachStream(ws: WebSocket): void {
    const client = hub.attach({
      send: (message) => ws.send(message.buffer, { binary: false }),
      bufferedBytes: () => ws.bufferedAmount,
      drop: (reason) => {
        // A close frame where the client still reads; the socket goes regardless.
        ws.close(1008, reason.slice(0, 120));
        setTimeout(() => ws.terminate(), 1_000).unref();
      },
    });
    ws.on('message', (data: Buffer) => client.control(data.toString('utf8')));
    ws.on('close', () => client.detach());
    ws.on('error', () => client.detach());
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
    streamClients: () => hub.clientCount,
    close: () =>
      new Promise<void>((resolvePromise) => {
        hub.close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        void reads.close();
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}

/** Whether the URL holds a %-sequence that is not hex or not UTF-8. */
function malformedEncoding(raw: string): boolean {
  try {
    // why: the decoded text is used (compared), or a bundler drops the call as free of side effects.
    return decodeURIComponent(raw).length < 0;
  } catch {
    return true;
  }
}

function parseLimit(text: string | null, fallback = 100): number {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new HttpError(400, 'limit must be an integer from 1 to 100000', 'limit');
  return value;
}

function parseSession(text: string | null, fallback: number | null): number {
  if (text === null) {
    if (fallback === null) throw new HttpError(503, 'no session is running: name one with ?session=ID', 'session');
    return fallback;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new HttpError(400, 'session must be a positive integer', 'session');
  return value;
}

/** A JSON body under the size limit, sent as `application/json`, with no key that could reach a prototype. */
async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'];
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    request.resume();
    throw new HttpError(415, type === undefined ? 'content-type application/json is required' : `content-type must be application/json, got ${type}`);
  }
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
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new HttpError(400, `forbidden key "${key}" in the body`, key);
      return value;
    }) as unknown;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function sendText(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { ...API_HEADERS, 'content-type': contentType });
  response.end(text);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  // JSON.stringify writes NaN and ±Infinity as null, as the contract says.
  sendText(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendRead(response: ServerResponse, answer: Awaited<ReturnType<EngineLink['read']>>, contentType: string): void {
  if (!answer.ok) return sendJson(response, answer.status, { error: answer.error, field: '' });
  sendText(response, 200, contentType, answer.text);
}
