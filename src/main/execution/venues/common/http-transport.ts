/**
 * The HTTP(S) leg of a venue gateway, venue-neutral: a pool of up to 16 HTTP/1.1 keep-alive connections
 * to the venue's REST base (`http1-connection.ts`), one request per connection at a time, and every failure
 * turned into a GatewayError by what it means for the request — never sent (connection refused, host
 * unknown, a header that cannot be sent: 'unavailable'), or sent with its answer lost (timeout, reset, a
 * cut, malformed or oversized answer: 'unknown-outcome', never a guess).
 *
 * Latency: a request that finds a connection answered within the last HOT_MS, and idle since for at least
 * one turn of the event loop, is written to the socket inside `send` itself. Node's `http.request` (and
 * undici) write every request on a reused socket a turn later, after whatever else is queued on the loop —
 * on the desk's loop, feed messages — which put 50 µs at the median between the quote decision and the wire
 * (test/bench/venue-gateway.bench.ts). They wait so that a close the venue sent right behind its last answer
 * is read before a request goes out on a dead connection. Here that wait is taken once, in the background,
 * after each answer; a request that comes sooner (in the answer's own turn) or finds the connection idle
 * longer than HOT_MS waits that one turn itself, and a connection idle longer than IDLE_CLOSE_MS is closed
 * rather than trusted.
 *
 * It knows nothing of signing, limits or a venue's error bodies (each venue's REST client does those) and
 * never logs; its messages name the request's label (method and path), never its query, body or headers.
 */
import { GatewayError } from '../../live/gateway.js';
import { Http1Connection, type ConnectionTarget, type ExchangeOutcome } from './http1-connection.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Response headers, names lower-case; a repeated header's values joined with ", " (`set-cookie` a list). */
export type HttpHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface HttpAnswer {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: string;
}

export interface HttpTransportOptions {
  /** Extra trusted certificate authorities (PEM) for an https base. */
  readonly ca?: string;
  /** Wall clock (ms); tests may pass their own. */
  readonly nowMs?: () => number;
}

/** Connections kept to the venue: a kill's cancels and both quotes' requests go out side by side. */
const MAX_CONNECTIONS = 16;
/** A connection answered within this long is written to at once. */
export const HOT_MS = 1_000;
/** A connection idle this long is closed (a venue or a NAT may have dropped it silently). */
export const IDLE_CLOSE_MS = 4_000;
/** Socket errors that mean nothing reached the venue. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/** What may not appear in a request line or header: it would end the line early. */
const LINE_BREAK = /[\r\n\0]/;

/** A request between `send` and its outcome. */
interface Outgoing {
  readonly text: string;
  readonly done: (outcome: ExchangeOutcome) => void;
  /** The connection carrying it, once it has one. */
  connection: Http1Connection | null;
}

export class HttpTransport {
  private readonly url: URL;
  private readonly target: ConnectionTarget;
  private readonly hostHeader: string;
  private readonly nowMs: () => number;
  private readonly connections = new Set<Http1Connection>();
  /** Idle connections, the most recently used last. */
  private readonly idle: Http1Connection[] = [];
  private readonly waiting: Outgoing[] = [];
  private readonly sweeper: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    options: HttpTransportOptions = {},
  ) {
    this.url = new URL(baseUrl);
    const secure = this.url.protocol === 'https:';
    if (!secure && this.url.protocol !== 'http:') throw new GatewayError('unavailable', `REST url must be http(s), got ${this.url.protocol}`);
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.target = { host, port: Number(this.url.port || (secure ? 443 : 80)), secure, ca: options.ca };
    this.hostHeader = this.url.host;
    this.nowMs = options.nowMs ?? Date.now;
    this.sweeper = setInterval(() => this.closeStale(), IDLE_CLOSE_MS / 4);
    this.sweeper.unref();
  }

  /** The base url's path without its trailing slash ('' for a bare origin): request paths go after it. */
  get basePath(): string {
    return this.url.pathname.replace(/\/+$/, '');
  }

  isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends one request (`path` after the base path, with its query) and resolves with the whole answer,
   * whatever its status. `onSent` runs once the request is handed to a connection (usage accounting).
   */
  send(method: HttpMethod, path: string, headers: Record<string, string>, body: string | null, label: string, onSent?: () => void): Promise<HttpAnswer> {
    if (this.closed) return Promise.reject(new GatewayError('unavailable', `${label}: the gateway is stopped`));
    const text = this.requestText(method, path, headers, body);
    if (text === null) return Promise.reject(new GatewayError('unavailable', `${label}: a header or the path holds a line break: not sent`));
    return new Promise((resolve, reject) => {
      let settled = false;
      const request: Outgoing = { text, done: (outcome) => done(outcome), connection: null };
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const connection = request.connection;
        if (connection === null || !connection.wrote) {
          // Still waiting for a connection, or for it to open: nothing reached the venue.
          const at = this.waiting.indexOf(request);
          if (at >= 0) this.waiting.splice(at, 1);
          connection?.destroy();
          reject(new GatewayError('unavailable', `${label}: no connection to the venue within ${this.timeoutMs} ms: not sent`));
          return;
        }
        // why: the connection's late answer must not be read as the next request's
        connection.destroy();
        reject(new GatewayError('unknown-outcome', `${label}: no answer within ${this.timeoutMs} ms: execution status unknown`));
      }, this.timeoutMs);
      const done = (outcome: ExchangeOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome.ok) {
          resolve({ status: outcome.response.status, headers: outcome.response.headers, body: outcome.response.body.toString('utf8') });
        } else if (!outcome.sent) {
          reject(new GatewayError('unavailable', `${label}: the venue could not be reached (${NOT_SENT.has(outcome.code) ? outcome.code : `${outcome.code}, before the request was written`})`));
        } else {
          reject(new GatewayError('unknown-outcome', `${label}: the connection failed (${outcome.code}) before the answer: execution status unknown`));
        }
      };
      this.dispatch(request);
      onSent?.();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const waiting of this.waiting.splice(0)) waiting.done({ ok: false, sent: false, code: 'the gateway is stopped' });
    // Requests in flight fail through their own connections' close: sent ones as 'unknown-outcome'.
    for (const connection of [...this.connections]) connection.destroy();
  }

  /** The request's bytes, or null when a header or the path would break its line. */
  private requestText(method: HttpMethod, path: string, headers: Record<string, string>, body: string | null): string | null {
    const target = `${this.basePath}${path}`;
    if (LINE_BREAK.test(target) || target.includes(' ')) return null;
    let text = `${method} ${target} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const name in headers) {
      const value = headers[name] ?? '';
      if (LINE_BREAK.test(name) || LINE_BREAK.test(value) || name.includes(':')) return null;
      text += `${name}: ${value}\r\n`;
    }
    // A request that may carry content says how much (none for a POST whose parameters are in the query).
    if (body !== null) text += `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    else text += method === 'GET' ? '\r\n' : 'content-length: 0\r\n\r\n';
    return text;
  }

  /** Hands the request to a hot connection at once, or to a checked, a new or the next free one. */
  private dispatch(request: Outgoing): void {
    const now = this.nowMs();
    // The most recently used first: a hot connection that has sat idle for a turn of the loop takes it now.
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const connection = this.idle[i] as Http1Connection;
      if (connection.ready && now - connection.lastUsedMs <= HOT_MS) {
        this.idle.splice(i, 1);
        this.start(connection, request);
        return;
      }
    }
    while (this.idle.length > 0) {
      const connection = this.idle.pop() as Http1Connection;
      if (!connection.usable) continue;
      // Answered this very turn, or idle a while: let the loop read anything the venue sent meanwhile (a
      // close) before writing.
      connection.reserve();
      setImmediate(() => {
        connection.release();
        if (connection.usable) this.start(connection, request);
        else this.dispatch(request);
      });
      return;
    }
    if (this.connections.size < MAX_CONNECTIONS) {
      this.start(this.open(), request);
      return;
    }
    this.waiting.push(request);
  }

  private start(connection: Http1Connection, request: Outgoing): void {
    request.connection = connection;
    connection.exchange(request.text, request.done);
  }

  private open(): Http1Connection {
    const connection = new Http1Connection(
      this.target,
      {
        idle: (c) => this.onIdle(c),
        gone: (c) => this.onGone(c),
      },
      this.nowMs,
    );
    this.connections.add(connection);
    return connection;
  }

  private onIdle(connection: Http1Connection): void {
    if (this.closed) {
      connection.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next) this.start(connection, next);
    else this.idle.push(connection);
  }

  private onGone(connection: Http1Connection): void {
    this.connections.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    // A request waiting for a free connection gets a new one.
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) this.dispatch(next);
  }

  private closeStale(): void {
    const now = this.nowMs();
    for (const connection of [...this.idle]) if (now - connection.lastUsedMs > IDLE_CLOSE_MS) connection.destroy();
  }
}
