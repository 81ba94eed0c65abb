/**
 * The REST client of a Binance gateway, over the shared HTTP transport (`../common/http-transport.ts`):
 * signed requests built the way the docs sign them (every parameter in the query string, `timestamp` and
 * `recvWindow` added, the `signature` last; `X-MBX-APIKEY` header), the venue's usage headers fed to the
 * rate-limit tracker, and every failure turned into a GatewayError by what it means: held back locally
 * (limits), a failure of the wire (the transport's), or the venue's documented error (errors.ts). Error
 * messages name the request (`what`, method, path) and never its query string, key or signature.
 */
import { GatewayError } from '../../live/gateway.js';
import { HttpTransport, type HttpAnswer, type HttpMethod } from '../common/http-transport.js';
import { gatewayErrorFor, venueErrorBody } from './errors.js';
import { retryAfterHeaderMs } from './rate-limits.js';
import { encodeQuery, percentEncode, type ParamValue } from './signing.js';
import type { SignedTransport } from './transport.js';

export type { HttpMethod } from '../common/http-transport.js';

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

export class RestClient {
  private readonly http: HttpTransport;

  constructor(private readonly options: RestClientOptions) {
    this.http = new HttpTransport(options.baseUrl, options.timeoutMs);
  }

  /** Sends one request and resolves with the parsed JSON body of a 2XX answer. */
  async call(call: RestCall): Promise<unknown> {
    const o = this.options;
    if (this.http.isClosed()) throw new GatewayError('unavailable', `${call.what}: the gateway is stopped`);
    const held = o.limits.check(call.weight, call.orders, o.clock.serverMs(), o.wallMs());
    if (held) throw new GatewayError(held.code, `${call.what}: ${held.message}`, null, held.retryAtMs);
    let query = encodeQuery(call.params);
    if (call.security === 'signed') {
      query += `${query.length > 0 ? '&' : ''}timestamp=${o.clock.timestamp()}&recvWindow=${o.recvWindowMs}`;
      query += `&signature=${percentEncode(o.signer.sign(query))}`;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.security !== 'none') headers['X-MBX-APIKEY'] = o.apiKey;
    const path = `${call.path}${query.length > 0 ? `?${query}` : ''}`;
    const label = `${call.what} (${call.method} ${call.path})`;
    const response = await this.http.send(call.method, path, headers, null, label, () => o.limits.sent(call.weight, call.orders, o.clock.serverMs()));
    return this.answer(call, response, label);
  }

  private answer(call: RestCall, response: HttpAnswer, label: string): unknown {
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
    this.http.close();
  }
}
