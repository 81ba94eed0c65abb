/**
 * The HTTP(S) leg of a venue gateway, venue-neutral: one keep-alive agent to the venue's REST base, one
 * request at a time handed to the kernel, and every failure of the wire turned into a GatewayError by
 * what it means for the request — never sent (connection refused, host unknown: 'unavailable'), or sent
 * with its answer lost (timeout, reset, a cut or oversized answer: 'unknown-outcome', never a guess). It
 * knows nothing of signing, limits or a venue's error bodies (each venue's REST client does those) and
 * never logs; its messages name the request's label (method and path), never its query, body or headers.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GatewayError } from '../../live/gateway.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const MAX_BODY = 16 * 1024 * 1024;
/** Errors raised before anything reached the venue: the request was not sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export class HttpTransport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private closed = false;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.url = new URL(baseUrl);
    this.secure = this.url.protocol === 'https:';
    if (!this.secure && this.url.protocol !== 'http:') throw new GatewayError('unavailable', `REST url must be http(s), got ${this.url.protocol}`);
    const agentOptions = { keepAlive: true, maxSockets: 16, noDelay: true };
    this.agent = this.secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
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
   * whatever its status. `onSent` runs once the request is handed to the kernel (usage accounting).
   */
  send(method: HttpMethod, path: string, headers: Record<string, string>, body: string | null, label: string, onSent?: () => void): Promise<HttpAnswer> {
    if (this.closed) return Promise.reject(new GatewayError('unavailable', `${label}: the gateway is stopped`));
    return new Promise((resolve, reject) => {
      const request = (this.secure ? httpsRequest : httpRequest)({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port,
        method,
        path: `${this.basePath}${path}`,
        headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: this.agent,
      });
      let settled = false;
      const fail = (error: GatewayError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new GatewayError('unknown-outcome', `${label}: no answer within ${this.timeoutMs} ms: execution status unknown`)), this.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? '';
        fail(
          NOT_SENT.has(code)
            ? new GatewayError('unavailable', `${label}: the venue could not be reached (${code})`)
            : new GatewayError('unknown-outcome', `${label}: the connection failed (${code || 'error'}) before the answer: execution status unknown`),
        );
      });
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) fail(new GatewayError('unknown-outcome', `${label}: the answer is larger than ${MAX_BODY} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', () => fail(new GatewayError('unknown-outcome', `${label}: the answer was cut: execution status unknown`)));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(body ?? undefined);
      onSent?.();
    });
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}
