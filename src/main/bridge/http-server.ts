/**
 * The HTTP + WebSocket transport of `quotedesk serve`: the contract's API (contracts.md) over node:http
 * and `ws` for every desk of the process, the overview of all of them, and the monitor's static files. It
 * adds transport, never logic, and never does an engine's work: each desk runs on its own engine thread,
 * figures come from it by coalesced reads, its stream from pre-serialised messages, database reads from
 * read workers (`desk-api.ts`) — so whatever readers do, a control command reaches its engine at once.
 *
 * Routes: `/api/...` is the main desk (the first; the single-desk contract unchanged); `/api/desks/NAME/...`
 * is desk NAME with the same routes (`/api/desks/NAME/stream` its stream); `/api/desks` lists every desk's
 * summary, `/api/desks/stream` streams the overview, `POST /api/desks/kill` halts every desk and reports
 * each desk's answer.
 *
 * Security (see `request-policy.ts`): bound to 127.0.0.1 unless told otherwise; the Host header must name
 * this desk; a browser request from a foreign Origin is refused (reads and the streams too); every write
 * needs the bearer token (on a non-loopback bind every read too), strict `Content-Type:
 * application/json` (415 otherwise), a body under 64 KiB with no `__proto__`/`constructor`/`prototype`
 * key, and is validated by the same schemas as the Electron IPC: invalid input is a 400 `{error, field}`
 * and changes nothing. A malformed %-encoding is a 400. API answers carry `nosniff` and `no-store`;
 * static files a strict Content-Security-Policy. At most `maxClients` stream clients (all desks and the
 * overview together) are served; one more is refused with a 503 that says so.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LiveKeysView } from '../../shared/contract.js';
import { STREAM_PROTOCOL } from '../../shared/stream-auth.js';
import type { DeskFleet } from '../engine/desk-fleet.js';
import { DeskApi } from './desk-api.js';
import { HttpError, admitRequest, readJsonBody, refuseUpgrade, sendJson } from './http-common.js';
import { OverviewHub } from './overview-hub.js';
import { ReadBusyError, ReadFailedError } from './reads.js';
import { serveStatic } from './static-files.js';
import { accessPolicy } from './request-policy.js';
import { TurnBatches } from './turn-batches.js';
import { DEFAULT_STREAM_OPTIONS, type StreamHubOptions, type StreamPeer } from './stream-hub.js';

export interface ServerOptions {
  /** The desks of this process: commands and figures go to their engine threads. */
  readonly fleet: DeskFleet;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Folder of the built monitor (out/renderer); null serves the API only. */
  readonly staticDir: string | null;
  /** More names the Host header may carry (a non-loopback bind answers to its addresses and host name). */
  readonly allowedHosts?: readonly string[];
  /** Stream limits: clients at once (all desks and the overview), bytes queued per client, how long a stuck client is kept. */
  readonly stream?: Partial<StreamHubOptions>;
  /** Database reads (exports, fills) at once per desk; more are refused with 503. Default 4. */
  readonly maxReads?: number;
  readonly nativeBinding?: string;
  readonly logger?: (line: string) => void;
  /** Whether the desks hold live keys (answered as `GET /api/live`, never the keys). */
  readonly live?: LiveKeysView;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stream clients connected now (all desks and the overview). */
  readonly streamClients: () => number;
  close(): Promise<void>;
}

/** Clients send only `hello` and `ack` on a stream. */
const MAX_STREAM_MESSAGE_BYTES = 1024;
/** Stream handshakes completed per event-loop turn when a crowd connects at once. */
const UPGRADES_PER_TURN = 8;
const DESKS_PREFIX = '/api/desks/';


export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { fleet } = options;
  const log = options.logger ?? (() => undefined);
  const policy = accessPolicy({ host: options.host, token: options.token, ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}) });
  const streamOptions = { ...DEFAULT_STREAM_OPTIONS, ...options.stream };
  const desks = new Map<string, DeskApi>();
  for (const name of fleet.names) {
    const desk = fleet.get(name);
    if (!desk) continue;
    desks.set(name, new DeskApi({ link: desk.link, dbPath: desk.dbPath, maxReads: options.maxReads ?? 4, stream: streamOptions, log, ...(options.live ? { live: options.live } : {}), ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) }));
  }
  const mainDesk = desks.get(fleet.main.name) as DeskApi;
  const overview = new OverviewHub(fleet, { ratePerSec: 4, highWaterBytes: streamOptions.highWaterBytes, slowClientMs: streamOptions.slowClientMs });
  /**
   * Stream upgrades accepted but not yet completed: a crowd connecting at once is completed eight per
   * event-loop turn (the handshake, then the hub's own batches send the snapshots), so a kill arriving in the
   * middle of a connection storm is parsed and posted to the engine between batches rather than after all.
   */
  const upgrades = new TurnBatches(UPGRADES_PER_TURN);
  const streamClients = (): number => {
    let count = overview.clientCount + upgrades.pending;
    for (const desk of desks.values()) count += desk.hub.clientCount;
    return count;
  };
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

  const admit = (request: IncomingMessage): URL => admitRequest(policy, request, boundPort, 'this desk');

  /** The desk a path addresses, and the path as that desk's API sees it; null for the fleet's own routes. */
  function route(path: string): { readonly desk: DeskApi; readonly path: string } | null {
    if (!path.startsWith(DESKS_PREFIX)) return { desk: mainDesk, path };
    const rest = path.slice(DESKS_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash < 0) return null;
    const name = rest.slice(0, slash);
    const desk = desks.get(name);
    if (!desk) throw new HttpError(404, `no desk named "${name}" (desks: ${fleet.names.join(', ')})`, 'desk');
    return { desk, path: `/api${rest.slice(slash)}` };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = admit(request);
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const api = path.startsWith('/api/') || path === '/api/desks' || path === '/metrics';

    if (method === 'GET' || method === 'HEAD') {
      if (api && policy.readsNeedToken && !policy.authorized(request)) throw new HttpError(401, 'missing or wrong bearer token (this desk is bound to a network address: reads need the token too)');
      if (path === '/api/desks') return sendJson(response, 200, fleet.summaries());
      if (path === '/api/firm') return sendJson(response, 200, fleet.firm());
      if (!api) return serveStatic(options.staticDir, path, response);
      const target = route(path);
      if (target === null || !target.desk.answersGet(target.path)) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
      return target.desk.get(target.path, url, response);
    }

    if (method === 'POST' || method === 'PUT' || method === 'DELETE') {
      const killAll = method === 'POST' && path === '/api/desks/kill';
      const target = killAll ? null : route(path);
      if (!killAll && (target === null || !target.desk.answersWrite(method, target.path))) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
      if (!policy.authorized(request)) {
        request.resume();
        throw new HttpError(401, 'missing or wrong bearer token');
      }
      if (killAll) {
        const body = await readJsonBody(request);
        const why = typeof body === 'object' && body !== null && typeof (body as { why?: unknown }).why === 'string' ? String((body as { why: string }).why).slice(0, 500) : 'kill-all';
        const results = await fleet.killAll('operator:http', why);
        return sendJson(response, results.every((r) => r.ok) ? 200 : 207, { ok: results.every((r) => r.ok), desks: results });
      }
      return (target as { desk: DeskApi; path: string }).desk.write(method, (target as { path: string }).path, request, response);
    }
    throw new HttpError(405, `method ${method} not allowed`);
  }


  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_STREAM_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: string, why: string): void => refuseUpgrade(socket, status, why);
    let url: URL;
    let target: { readonly desk: DeskApi; readonly path: string } | null = null;
    try {
      url = admit(request);
      if (url.pathname !== '/api/desks/stream') target = route(url.pathname);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      return refuse(`${status} ${status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request'}`, (error as Error).message);
    }
    const overviewStream = url.pathname === '/api/desks/stream';
    if (!overviewStream && target?.path !== '/api/stream') return refuse('404 Not Found', `no such endpoint: ${url.pathname}`);
    if (policy.readsNeedToken && !policy.authorized(request)) return refuse('401 Unauthorized', 'missing or wrong token (offer it as the subprotocol quotedesk-token.<hex>)');
    const connected = streamClients();
    if (connected >= streamOptions.maxClients) {
      return refuse('503 Service Unavailable', `too many stream clients (${connected} of at most ${streamOptions.maxClients}): close another monitor, or start serve with a higher --max-clients`);
    }
    upgrades.add(() => {
      // why: a client that gave up while waiting for its turn is not completed.
      if (socket.destroyed) return;
      wss.handleUpgrade(request, socket, head, (ws) => onStreamSocket(ws, overviewStream, target));
    });
  });

  function onStreamSocket(ws: WebSocket, overviewStream: boolean, target: { readonly desk: DeskApi } | null): void {
    const peer = peerOf(ws);
    if (overviewStream) {
      const client = overview.attach(peer);
      ws.on('close', () => client.detach());
      ws.on('error', () => client.detach());
      return;
    }
    if (target === null) return;
    const client = target.desk.hub.attach(peer);
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
    streamClients,
    close: () =>
      new Promise<void>((resolvePromise) => {
        upgrades.clear();
        overview.close();
        for (const desk of desks.values()) void desk.close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}

function peerOf(ws: WebSocket): StreamPeer {
  return {
    send: (message) => ws.send(message.buffer, { binary: false }),
    bufferedBytes: () => ws.bufferedAmount,
    drop: (reason) => {
      // A close frame where the client still reads; the socket goes regardless.
      ws.close(1008, reason.slice(0, 120));
      setTimeout(() => ws.terminate(), 1_000).unref();
    },
  };
}
