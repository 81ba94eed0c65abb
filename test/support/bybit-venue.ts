/**
 * Test support for the Bybit gateways: a real local exchange speaking Bybit v5 (`BybitLocalExchange`, the
 * code `quotedesk venue --speak bybit-...` runs) on 127.0.0.1, a real gateway connected to it over sockets
 * with the event recorder of `local-venue.ts`, and a signed REST request made by hand (the documented
 * signature, independent of the gateway's client) for tests that act as another client of the same account.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { createBybitGateway, type BybitGateway, type BybitGatewayOptions } from '../../src/main/execution/venues/bybit/index.js';
import { hmacVerifier } from '../../src/main/execution/venues/common/signer.js';
import type { BybitVenue, Credentials } from '../../src/main/execution/live/gateway.js';
import { BybitLocalExchange, type BybitLocalExchangeOptions } from '../../src/main/venue-sim/index.js';
import { API_KEY, API_SECRET, HMAC_CREDENTIALS, recorder, type Recorder } from './local-venue.js';

export async function startBybitVenue(dialect: BybitVenue, options: Partial<BybitLocalExchangeOptions> = {}): Promise<BybitLocalExchange> {
  return BybitLocalExchange.start({ dialect, keys: [{ apiKey: API_KEY, verifier: hmacVerifier(API_SECRET) }], seed: 7, ...options });
}

export function bybitGatewayFor(venue: BybitLocalExchange, credentials: Credentials = HMAC_CREDENTIALS, options: Partial<BybitGatewayOptions> = {}): BybitGateway {
  return createBybitGateway(venue.dialect, venue.spec.symbol, credentials, { restUrl: venue.restUrl, wsUrl: venue.wsUrl, wsApiUrl: venue.wsApiUrl }, { requestTimeoutMs: 2_000, reconnectInitialMs: 50, reconnectMaxMs: 500, ...options }) as BybitGateway;
}

export interface BybitSession {
  readonly venue: BybitLocalExchange;
  readonly gateway: BybitGateway;
  readonly rec: Recorder;
}

export async function connectBybit(venue: BybitLocalExchange, options: Partial<BybitGatewayOptions> = {}): Promise<BybitSession> {
  const rec = recorder();
  const gateway = bybitGatewayFor(venue, HMAC_CREDENTIALS, options);
  await gateway.start(rec.listener);
  return { venue, gateway, rec };
}

/** One signed v5 request by hand: returns the envelope and the limit headers. */
export function signedRequest(venue: BybitLocalExchange, method: 'GET' | 'POST', path: string, params: Record<string, string>): Promise<{ body: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }> {
  const timestamp = Math.floor(venue.exchange.serverMs());
  const query = method === 'GET' ? new URLSearchParams(params).toString() : '';
  const body = method === 'POST' ? JSON.stringify(params) : '';
  const sign = createHmac('sha256', API_SECRET).update(`${timestamp}${API_KEY}5000${method === 'GET' ? query : body}`).digest('hex');
  const url = new URL(venue.restUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, method, path: `${path}${query ? `?${query}` : ''}`, headers: { 'X-BAPI-API-KEY': API_KEY, 'X-BAPI-TIMESTAMP': String(timestamp), 'X-BAPI-RECV-WINDOW': '5000', 'X-BAPI-SIGN': sign, 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body || undefined);
  });
}
