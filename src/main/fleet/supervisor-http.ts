/**
 * The supervisor's HTTP + WebSocket API on 127.0.0.1, with the desk server's security
 * (`bridge/request-policy.ts`: the Host header must name it, a foreign Origin is refused, writes need the
 * bearer token and `application/json`, bodies are read by the desk server's `readJsonBody`):
 *
 * - `GET /api/fleet`: every desk's row (`FleetView`).
 * - `GET /api/fleet/pnl[?desk=NAME]`: PnL by desk and day from the archive (with `--pg`).
 * - `POST /api/fleet/kill`: the kill-all; each desk's confirmation and which desks are lost.
 * - `POST /api/fleet/command` `{desk, command, payload?}`: one desk's command; a lost desk is 503 with
 *   the reason, a desk that does not answer 504, a refusal 400 with the desk's `{error, field}`.
 * - Any other GET: the built monitor (`bridge/static-files.ts`, the desk server's CSP), which finds
 *   `/api/fleet` answering and opens on the fleet's overview.
 * - WebSocket `/api/fleet/stream`: `{"type":"fleet", ...FleetView}` on connect and every second, and
 *   `{"type":"desks","timeMs","desks":[rows that changed]}` at most every `frameMs` (changes in between are
 *   merged). Nothing is queued for a client more than 1 MiB behind; it gets a full view once it drains.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { DESK_NAME_SCHEMA, FLEET_COMMAND_NAMES, describeIssue, type DailyPnlRow } from '../../shared/fleet.js';
import { HttpError, admitRequest, readJsonBody, refuseUpgrade, sendJson } from '../bridge/http-common.js';
import { accessPolicy } from '../bridge/request-policy.js';
import { serveStatic } from '../bridge/static-files.js';
import type { Supervisor } from './supervisor.js';

export interface SupervisorServerOptions {
  readonly supervisor: Supervisor;
  readonly port: number;
  readonly token: string;
  /** PnL by desk and day from the archive, or null when the supervisor has no `--pg`. */
  readonly pnl: ((desk?: string) => Promise<DailyPnlRow[]>) | null;
  /** Folder of the built monitor (out/renderer); null serves the API only. */
  readonly staticDir?: string | null;
  /** Least time between two updates to a stream client. Default 50 ms. */
  readonly frameMs?: number;
  readonly log: (line: string) => void;
}

export interface RunningSupervisorServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const FULL_VIEW_MS = 1_000;
const HIGH_WATER_BYTES = 1024 * 1024;

const COMMAND_BODY_SCHEMA = z.strictObject({ desk: DESK_NAME_SCHEMA, command: z.enum(FLEET_COMMAND_NAMES), payload: z.unknown().optional() });
const KILL_BODY_SCHEMA = z.strictObject({ who: z.string().min(1).max(64).optional(), why: z.string().max(500).optional() });

export async function startSupervisorServer(options: SupervisorServerOptions): Promise<RunningSupervisorServer> {
  const { supervisor } = options;
  const policy = accessPolicy({ host: HOST, token: options.token });
  const frameMs = options.frameMs ?? 50;
  let boundPort = options.port;

  const admit = (request: IncomingMessage): URL => admitRequest(policy, request, boundPort, 'this supervisor');

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = admit(request);
    const method = request.method ?? 'GET';
    const path = url.pathname;
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/api/fleet') return sendJson(response, 200, supervisor.view());
      if (path === '/api/fleet/pnl') {
        if (options.pnl === null) throw new HttpError(404, 'the archive is not connected: start the supervisor with --pg postgres://...');
        const desk = url.searchParams.get('desk');
        if (desk !== null && !DESK_NAME_SCHEMA.safeParse(desk).success) throw new HttpError(400, 'desk must be a desk name', 'desk');
        let rows: DailyPnlRow[];
        try {
          rows = await options.pnl(desk ?? undefined);
        } catch (error) {
          // why: the archive may be down, or not yet created by `quotedesk archive`: say so, not "internal error".
          throw new HttpError(503, `the archive cannot be read: ${(error as Error).message}`);
        }
        return sendJson(response, 200, { rows });
      }
      if (!path.startsWith('/api/')) return serveStatic(options.staticDir ?? null, path, response);
      throw new HttpError(404, `no such endpoint: ${method} ${path}`);
    }
    if (method !== 'POST') throw new HttpError(405, `method ${method} not allowed`);
    if (path !== '/api/fleet/kill' && path !== '/api/fleet/command') throw new HttpError(404, `no such endpoint: ${method} ${path}`);
    if (!policy.authorized(request)) {
      request.resume();
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    const body = await readJsonBody(request);
    if (path === '/api/fleet/kill') {
      const parsed = KILL_BODY_SCHEMA.safeParse(body ?? {});
      if (!parsed.success) throw new HttpError(400, describeIssue(parsed.error), parsed.error.issues[0]?.path.join('.') ?? '');
      const result = await supervisor.killAll(parsed.data.who ?? 'fleet', parsed.data.why ?? 'fleet kill-all');
      options.log(`fleet: kill-all: ${result.desks.map((d) => `${d.name} ${d.ok ? (d.tradingState ?? 'ok') : d.lost ? 'LOST' : `FAILED (${d.error ?? ''})`}`).join(', ') || 'no desks'}`);
      return sendJson(response, result.ok ? 200 : 502, result);
    }
    const parsed = COMMAND_BODY_SCHEMA.safeParse(body);
    if (!parsed.success) throw new HttpError(400, describeIssue(parsed.error), parsed.error.issues[0]?.path.join('.') ?? '');
    const result = await supervisor.command(parsed.data.desk, parsed.data.command, parsed.data.payload);
    const status = result.outcome === 'lost' ? 503 : result.outcome === 'unreachable' ? 504 : result.reply.ok ? 200 : 400;
    return sendJson(response, status, result.reply.ok ? result.reply : { ...result.reply, field: result.reply.field ?? '' });
  }

  const server = createServer((request, response) => {
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-content-type-options', 'nosniff');
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof HttpError) return sendJson(response, error.status, { error: error.message, field: error.field });
      options.log(`fleet HTTP ${request.method} ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
      sendJson(response, 500, { error: 'internal error' });
    });
  });

  // ---------------------------------------------------------------- the stream
  interface Client {
    readonly ws: WebSocket;
    pending: Set<string>;
    lastSentMs: number;
    timer: ReturnType<typeof setTimeout> | null;
    needsFull: boolean;
  }
  const clients = new Set<Client>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  function sendFull(client: Client): void {
    if (client.ws.bufferedAmount > HIGH_WATER_BYTES) {
      client.needsFull = true;
      return;
    }
    client.needsFull = false;
    client.pending.clear();
    client.lastSentMs = Date.now();
    client.ws.send(JSON.stringify({ type: 'fleet', ...supervisor.view() }));
  }

  function flush(client: Client): void {
    client.timer = null;
    if (client.ws.readyState !== client.ws.OPEN) return;
    if (client.needsFull) return sendFull(client);
    if (client.pending.size === 0) return;
    if (client.ws.bufferedAmount > HIGH_WATER_BYTES) {
      client.needsFull = true;
      return;
    }
    const nowMs = Date.now();
    const desks = [];
    for (const name of client.pending) {
      const view = supervisor.table.view(name, nowMs);
      if (view !== null) desks.push(view);
    }
    client.pending.clear();
    client.lastSentMs = nowMs;
    client.ws.send(JSON.stringify({ type: 'desks', timeMs: nowMs, desks }));
  }

  const offChange = supervisor.onChange((changed) => {
    for (const client of clients) {
      for (const name of changed) client.pending.add(name);
      if (client.timer !== null) continue;
      const wait = Math.max(0, client.lastSentMs + frameMs - Date.now());
      client.timer = setTimeout(() => flush(client), wait);
    }
  });
  const fullTimer = setInterval(() => {
    for (const client of clients) sendFull(client);
  }, FULL_VIEW_MS);

  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: string, why: string): void => refuseUpgrade(socket, status, why);
    let url: URL;
    try {
      url = admit(request);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      return refuse(`${status} ${status === 403 ? 'Forbidden' : 'Bad Request'}`, (error as Error).message);
    }
    if (url.pathname !== '/api/fleet/stream') return refuse('404 Not Found', `no such endpoint: ${url.pathname}`);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const client: Client = { ws, pending: new Set(), lastSentMs: 0, timer: null, needsFull: false };
      clients.add(client);
      ws.on('close', () => {
        if (client.timer !== null) clearTimeout(client.timer);
        clients.delete(client);
      });
      ws.on('error', () => ws.terminate());
      sendFull(client);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${boundPort}`,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        offChange();
        clearInterval(fullTimer);
        for (const client of clients) {
          if (client.timer !== null) clearTimeout(client.timer);
          client.ws.terminate();
        }
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
