/**
 * The REST client of a Bybit gateway over the shared HTTP transport (`../common/http-transport.ts`): signed
 * requests exactly as `guide.mdx` builds them (GET: the query string signed and sent; POST: the JSON body
 * signed and sent; X-BAPI-API-KEY / X-BAPI-SIGN / X-BAPI-TIMESTAMP / X-BAPI-RECV-WINDOW), the v5 envelope
 * (`retCode`, `retMsg`, `result`, `time`) read strictly, usage headers fed to the rate-limit book, and every
 * failure turned into a GatewayError by what it means (errors.ts). Messages name the request, never its
 * query, body, key or signature.
 */
import { GatewayError } from '../../live/gateway.js';
import { HttpTransport, type HttpAnswer } from '../common/http-transport.js';
import type { RequestSigner } from '../common/signer.js';
import type { ServerClock } from '../common/server-clock.js';
import { isRecord } from '../common/wire-fields.js';
import { bybitError, bybitHttpError, scrubKey } from './errors.js';
import type { BybitRateLimits } from './rate-limits.js';
import { BYBIT_HEADERS, bybitQuery, restSignText, type BybitParam } from './signing.js';

export interface BybitCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly params: ReadonlyArray<readonly [string, BybitParam]>;
  readonly signed: boolean;
  /** What the request is for, in error messages ("place C1"). */
  readonly what: string;
}

export interface BybitAnswer {
  readonly result: unknown;
  /** The envelope's `time` (venue ms), when present. */
  readonly timeMs: number | null;
}

export interface BybitRestOptions {
  readonly venue: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly signer: RequestSigner;
  readonly clock: ServerClock;
  readonly limits: BybitRateLimits;
  readonly recvWindowMs: number;
  readonly timeoutMs: number;
  readonly wallMs: () => number;
  readonly onLimits: () => void;
}

const BAN_MS = 10 * 60_000;

export class BybitRestClient {
  private readonly http: HttpTransport;

  constructor(private readonly o: BybitRestOptions) {
    this.http = new HttpTransport(o.baseUrl, o.timeoutMs);
  }

  async call(call: BybitCall): Promise<BybitAnswer> {
    const o = this.o;
    if (this.http.isClosed()) throw new GatewayError('unavailable', `${call.what}: the gateway is stopped`);
    const held = call.signed ? o.limits.check(call.path, o.wallMs()) : null;
    if (held) throw new GatewayError(held.code, `${call.what}: ${held.message}`, null, held.retryAtMs);
    const headers: Record<string, string> = { accept: 'application/json' };
    let path = call.path;
    let body: string | null = null;
    let signed = '';
    if (call.method === 'GET') {
      const query = bybitQuery(call.params);
      if (query.length > 0) path += `?${query}`;
      signed = query;
    } else {
      body = JSON.stringify(Object.fromEntries(call.params));
      headers['content-type'] = 'application/json';
      signed = body;
    }
    if (call.signed) {
      const timestamp = o.clock.timestamp();
      headers[BYBIT_HEADERS.apiKey] = o.apiKey;
      headers[BYBIT_HEADERS.timestamp] = String(timestamp);
      headers[BYBIT_HEADERS.recvWindow] = String(o.recvWindowMs);
      headers[BYBIT_HEADERS.sign] = o.signer.sign(restSignText(timestamp, o.apiKey, o.recvWindowMs, signed));
    }
    const label = `${call.what} (${call.method} ${call.path})`;
    const response = await this.http.send(call.method, path, headers, body, label, () => {
      if (call.signed) o.limits.sent(call.path, o.wallMs());
    });
    return this.answer(call, response, label);
  }

  private answer(call: BybitCall, response: HttpAnswer, label: string): BybitAnswer {
    const o = this.o;
    const now = o.wallMs();
    let changed = o.limits.fromHeaders(call.path, response.headers, now, (serverMs) => o.clock.toLocalMs(serverMs));
    let json: unknown;
    try {
      json = response.body.length > 0 ? (JSON.parse(response.body) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    const envelope = isRecord(json) && typeof json['retCode'] === 'number' ? json : null;
    if (response.status < 200 || response.status >= 300) {
      let retryAt: number | null = null;
      if (response.status === 403) {
        retryAt = now + BAN_MS;
        o.limits.ban(retryAt);
        changed = true;
      } else if (response.status === 429) {
        retryAt = now + 1_000;
        o.limits.backOff(retryAt);
        changed = true;
      }
      if (changed) o.onLimits();
      if (envelope && response.status !== 403 && response.status !== 429) throw this.refusal(call, envelope, now);
      throw bybitHttpError(o.venue, label, response.status, retryAt);
    }
    if (envelope === null) {
      if (changed) o.onLimits();
      throw new GatewayError('unknown-outcome', `${label}: the answer is not a v5 envelope: execution status unknown`);
    }
    if (envelope['retCode'] !== 0) {
      const error = this.refusal(call, envelope, now);
      if (error.code === 'rate-limited') changed = true;
      if (changed) o.onLimits();
      throw error;
    }
    if (changed) o.onLimits();
    const time = envelope['time'];
    return { result: envelope['result'], timeMs: typeof time === 'number' && Number.isSafeInteger(time) ? time : null };
  }

  private refusal(call: BybitCall, envelope: Record<string, unknown>, now: number): GatewayError {
    const retCode = envelope['retCode'] as number;
    const retMsg = typeof envelope['retMsg'] === 'string' ? scrubKey(envelope['retMsg'], this.o.apiKey) : '';
    const retryAt = retCode === 10006 ? this.o.limits.tooManyVisits(call.path, now) : null;
    return bybitError(this.o.venue, call.what, retCode, retMsg, retryAt);
  }

  close(): void {
    this.http.close();
  }
}
