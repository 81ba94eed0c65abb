/**
 * The REST transport of a Binance gateway: one keep-alive HTTP(S) agent, signed requests built the way
 * the docs sign them (every parameter in the query string, `timestamp` and `recvWindow` added, the
 * `signature` last; `X-MBX-APIKEY` header), the venue's usage headers fed to the rate-limit tracker, and
 * every failure turned into a GatewayError by what it means: held back locally (limits), not sent
 * (connection refused: 'unavailable'), answer lost (timeout, reset: 'unknown-outcome'), or the venue's
 * documented error (errors.ts). A request that exceeds `timeoutMs` is abandoned with 'unknown-outcome' —
 * never a guess. Error messages name the request (`what`, method, path) and never its query string, key
 * or signature.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GatewayError } from '../../live/gateway.js';
import { gatewayErrorFor, venueErrorBody } from './errors.js';
import { retryAfterHeaderMs } from './rate-limits.js';
import { encodeQuery, percentEncode, type ParamValue } from './signing.js';
import type { SignedTransport } from './transport.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestCall {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: ReadonlyArray<readonly [string, ParamValue]>;
  /** `signed`: TRADE / USER_DATA; `api-key`: USER_STREAM (listenKey); `none`: public. */
  readonly security: 'none' | 'api-key' | 'signed';
  /** Request weight and new orders it counts for (the endpoint's documented weight). */
  readonly weight: number;
  readonly orders: number;
  /** What the request is for, in error messages ("place C1"). */
  readonly what: string;
}

export interface RestClientOptions extends SignedTransport {
  readonly baseUrl: string;
}

const MAX_BODY = 16 * 1024 * 1024;
/** Errors raised before anything reached the venue: the request was not sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export class RestClient {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private closed = false;

  constructor(private readonly options: RestClientOptions) {
    this.url = new URL(options.baseUrl);
    this.secure = this.url.protocol === 'https:';
    if (!this.secure && this.url.protocol !== 'http:') throw new GatewayError('unavailable', `REST url must be http(s), got ${this.url.protocol}`);
    const agentOptions = { keepAlive: true, maxSockets: 16, noDelay: true };
    this.agent = this.secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  /** Sends one request and resolves with the parsed JSON body of a 2XX answer. */
  async call(call: RestCall): Promise<unknown> {
    const o = this.options;
    if (this.closed) throw new GatewayError('unavailable', `${call.what}: the gateway is stopped`);
    const held = o.limits.check(call.weight, call.orders, o.clock.serverMs(), o.wallMs());
    if (held) throw new GatewayError(held.code, `${call.what}: ${held.message}`, null, held.retryAtMs);
    let query = encodeQuery(call.params);
    if (call.security === 'signed') {
      query += `${query.length > 0 ? '&' : ''}timestamp=${o.clock.timestamp()}&recvWindow=${o.recvWindowMs}`;
      query += `&signature=${percentEncode(o.signer.sign(query))}`;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.security !== 'none') headers['X-MBX-APIKEY'] = o.apiKey;
    const basePath = this.url.pathname.replace(/\/+$/, '');
    const path = `${basePath}${call.path}${query.length > 0 ? `?${query}` : ''}`;
    const label = `${call.what} (${call.method} ${call.path})`;
    const response = await this.send(call, path, headers, label);
    return this.answer(call, response, label);
  }

  private send(call: RestCall, path: string, headers: Record<string, string>, label: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const o = this.options;
    return new Promise((resolve, reject) => {
      const request = (this.secure ? httpsRequest : httpRequest)({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port,
        method: call.method,
        path,
        headers,
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
      const timer = setTimeout(() => fail(new GatewayError('unknown-outcome', `${label}: no answer within ${o.timeoutMs} ms: execution status unknown`)), o.timeoutMs);
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
      request.end();
      o.limits.sent(call.weight, call.orders, o.clock.serverMs());
    });
  }

  private answer(call: RestCall, response: { status: number; headers: IncomingHttpHeaders; body: string }, label: string): unknown {
    const o = this.options;
    const now = o.wallMs();
    let limitsChanged = o.limits.fromHeaders(response.headers, o.clock.serverMs());
    let json: unknown = undefined;
    let parsed = true;
    try {
      json = response.body.length > 0 ? (JSON.parse(response.body) as unknown) : undefined;
    } catch {
      parsed = false;
    }
    if (response.status >= 200 && response.status < 300) {
      if (limitsChanged) o.onLimits();
      if (!parsed || json === undefined) throw new GatewayError('unknown-outcome', `${label}: the answer is not JSON: execution status unknown`);
      return json;
    }
    const retryAtMs = retryAfterHeaderMs(response.headers['retry-after'], now);
    if (response.status === 429) {
      o.limits.backOff(retryAtMs ?? now + 60_000);
      limitsChanged = true;
    } else if (response.status === 418) {
      o.limits.ban(retryAtMs ?? now + 120_000);
      limitsChanged = true;
    }
    if (limitsChanged) o.onLimits();
    throw gatewayErrorFor(o.venue, call.what, response.status, parsed ? venueErrorBody(json) : null, retryAtMs);
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}
