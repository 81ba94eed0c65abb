/**
 * One desk's HTTP API (contracts.md) as `quotedesk serve` answers it, for the desk it was made for:
 * figures by coalesced reads of its engine thread, commands posted to it (validated there), database
 * reads and exports from its read workers, and its stream clients from its `StreamHub`. The server routes
 * `/api/...` to the main desk and `/api/desks/NAME/...` to desk NAME, after its own checks (Host, Origin,
 * token); this module sees the path as `/api/...` either way. It adds transport, never logic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPORT_KIND_SCHEMA, RECORD_SCHEMA, SESSION_SPEC_SCHEMA, describeSchemaError, type CommandResult, type LiveKeysView } from '../../shared/contract.js';
import type { CommandName } from '../engine/commands.js';
import type { EngineLink } from '../engine/engine-link.js';
import type { EngineRead, ReadAnswer } from '../engine/protocol.js';
import { API_HEADERS, HttpError, JSON_HEADERS, parseLimit, parseSession, readJsonBody, sendJson, sendText } from './http-common.js';
import { ReadService, pipeRead, type ReadRequest } from './reads.js';
import { StreamHub, type StreamHubOptions } from './stream-hub.js';

/** A health check answers within this, or says the engine is not answering. */
const HEALTH_TIMEOUT_MS = 2_000;

const CONTROL_ROUTES: Record<string, CommandName> = {
  '/api/control/kill': 'kill',
  '/api/control/rearm': 'rearm',
  '/api/control/pause': 'pause',
  '/api/control/resume': 'resume',
  '/api/control/reduce': 'reduce',
  '/api/control/flatten': 'flatten',
  '/api/control/cancel-flatten': 'cancelFlatten',
  '/api/control/cancel-order': 'cancelOrder',
  '/api/control/accept-position': 'acceptPosition',
  '/api/replay': 'replay',
};

const ENGINE_READS: Record<string, EngineRead> = {
  '/api/state': 'state',
  '/api/metrics': 'metrics',
  '/metrics': 'prometheus',
};

export interface DeskApiOptions {
  readonly link: EngineLink;
  /** The desk's database: its reads are served from it, read-only. */
  readonly dbPath: string;
  readonly maxReads: number;
  readonly stream?: Partial<StreamHubOptions>;
  readonly nativeBinding?: string;
  readonly log: (line: string) => void;
  /** Whether the host holds live keys (`GET /api/live`: never the keys). */
  readonly live?: LiveKeysView;
}

/** A host that holds no keys. */
export const NO_LIVE_KEYS: LiveKeysView = { configured: false, apiKeyHint: null, kind: null, storable: false, source: 'start serve with QUOTEDESK_API_KEY and QUOTEDESK_API_SECRET (or --ed25519-key FILE) in its environment' };

export class DeskApi {
  readonly hub: StreamHub;
  private readonly reads: ReadService;
  private readonly link: EngineLink;

  constructor(private readonly options: DeskApiOptions) {
    this.link = options.link;
    this.hub = new StreamHub(options.link, { ...options.stream, maxClients: Number.POSITIVE_INFINITY });
    this.reads = new ReadService(options.dbPath, options.maxReads, options.nativeBinding);
  }

  /** Whether this module answers `GET path` (else it is an unknown endpoint or a static file). */
  answersGet(path: string): boolean {
    return ENGINE_READS[path] !== undefined || GET_ROUTES.has(path);
  }

  async get(path: string, url: URL, response: ServerResponse): Promise<void> {
    const link = this.link;
    const engineRead = ENGINE_READS[path];
    if (engineRead !== undefined) return sendRead(response, await link.read(engineRead), engineRead === 'prometheus' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json; charset=utf-8');
    switch (path) {
      case '/api/session':
        return sendJson(response, 200, link.session());
      case '/api/live':
        return sendJson(response, 200, this.options.live ?? NO_LIVE_KEYS);
      case '/api/recordings':
        return sendJson(response, 200, await link.recordings());
      case '/api/health':
        return this.health(response);
      case '/api/fills': {
        const limit = parseLimit(url.searchParams.get('limit'));
        const sessionId = link.session().sessionId;
        if (sessionId === null) throw new HttpError(503, 'no session is running');
        return this.streamRead(response, { kind: 'fills', sessionId, limit }, JSON_HEADERS);
      }
      case '/api/sessions':
        return this.streamRead(response, { kind: 'sessions', limit: parseLimit(url.searchParams.get('limit'), 50) }, JSON_HEADERS);
      case '/api/session-fills': {
        const sessionId = parseSession(url.searchParams.get('session'), null);
        return this.streamRead(response, { kind: 'fills', sessionId, limit: parseLimit(url.searchParams.get('limit')) }, JSON_HEADERS);
      }
      case '/api/export/fills.csv':
      case '/api/export/orders.csv':
      case '/api/export/audit.csv': {
        const kind = EXPORT_KIND_SCHEMA.parse(path.slice('/api/export/'.length, -'.csv'.length));
        const sessionId = parseSession(url.searchParams.get('session'), link.session().sessionId);
        return this.streamRead(response, { kind: 'csv', csv: kind, sessionId }, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="quotedesk-${kind}-session-${sessionId}.csv"`,
        });
      }
      default:
        throw new HttpError(404, `no such endpoint: GET ${path}`);
    }
  }

  /** Whether `method path` is a write this module answers (the server checks the token first). */
  answersWrite(method: string, path: string): boolean {
    return path === '/api/session' || path === '/api/record' || (method === 'PUT' && path === '/api/params') || (method === 'POST' && CONTROL_ROUTES[path] !== undefined);
  }

  async write(method: string, path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonBody(request);
    if (path === '/api/session' || path === '/api/record') {
      const result = await this.sessionCommand(method, path, body);
      if (!result.ok) return sendJson(response, result.error.startsWith('no session') ? 409 : 400, { error: result.error, field: result.field ?? '' });
      return sendJson(response, 200, { ok: true, session: this.link.session() });
    }
    const command = method === 'PUT' && path === '/api/params' ? 'setParams' : CONTROL_ROUTES[path];
    if (!command) throw new HttpError(404, `no such endpoint: ${method} ${path}`);
    if (command === 'setParams' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw new HttpError(400, 'parameters must be a JSON object', '');
    }
    const result = await this.link.command(command, body, 'operator:http').catch((error: Error) => {
      throw new HttpError(503, error.message);
    });
    if (!result.ok) return sendJson(response, result.error.startsWith('no session') || result.error.startsWith('the session is') ? 503 : 400, { error: result.error, field: result.field ?? '' });
    return sendJson(response, 200, { ok: true, tradingState: result.tradingState });
  }

  async close(): Promise<void> {
    this.hub.close();
    await this.reads.close();
  }

  private async health(response: ServerResponse): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(null), HEALTH_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.link.read('health'), timeout]);
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
  private async streamRead(response: ServerResponse, request: ReadRequest, headers: Record<string, string>): Promise<void> {
    await this.link.committed();
    const chunks = this.reads.chunks(request);
    const first = await chunks.next();
    response.writeHead(200, { ...API_HEADERS, ...headers });
    if (first.done !== true) response.write(first.value);
    await pipeRead(chunks, response);
    response.end();
  }

  /** POST /api/session {venue, symbol?, recording?, speed?} starts a session; DELETE stops it; POST /api/record {on}. */
  private async sessionCommand(method: string, path: string, body: unknown): Promise<CommandResult> {
    const link = this.link;
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
    if (!started.ok) this.options.log(`session could not start: ${started.error}`);
    return started;
  }
}

const GET_ROUTES = new Set(['/api/session', '/api/live', '/api/recordings', '/api/health', '/api/fills', '/api/sessions', '/api/session-fills', '/api/export/fills.csv', '/api/export/orders.csv', '/api/export/audit.csv']);

function sendRead(response: ServerResponse, answer: ReadAnswer, contentType: string): void {
  if (!answer.ok) return sendJson(response, answer.status, { error: answer.error, field: '' });
  sendText(response, 200, contentType, answer.text);
}
