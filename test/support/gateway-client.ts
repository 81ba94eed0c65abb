/**
 * A client process for the secret test: a real gateway (Binance spot or USD-M, Bybit spot or linear) against a local exchange run by
 * `quotedesk venue`, driven through a session that succeeds and fails in every way an operator could see
 * (refusals, wrong secret, unknown key, lost answers), printing every result, every error message, the
 * gateway itself (`console.log`, `util.inspect`, JSON) and finally dying of an uncaught error — so the
 * test can grep everything a user would ever see for the secret. Reads its settings from the environment:
 * QD_VENUE, QD_REST, QD_WS_API, QD_API_KEY, and QD_API_SECRET or QD_ED25519_KEY_FILE. Test support only.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { createBinanceGateway } from '../../src/main/execution/venues/binance/index.js';
import { createBybitGateway } from '../../src/main/execution/venues/bybit/index.js';
import type { Credentials, GatewayEndpoints, GatewayVenue, VenueGateway } from '../../src/main/execution/live/gateway.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
};

const venue = env('QD_VENUE') as GatewayVenue;
const create = (symbol: string, credentials: Credentials, endpoints: GatewayEndpoints, options: { requestTimeoutMs: number }): VenueGateway =>
  venue === 'bybit-spot' || venue === 'bybit-linear' ? createBybitGateway(venue, symbol, credentials, endpoints, options) : createBinanceGateway(venue, symbol, credentials, endpoints, options);
const endpoints = { restUrl: env('QD_REST'), wsUrl: env('QD_REST').replace(/^http/, 'ws'), wsApiUrl: env('QD_WS_API') };
const keyFile = process.env['QD_ED25519_KEY_FILE'];
const credentials: Credentials = keyFile
  ? { apiKey: env('QD_API_KEY'), secret: { kind: 'ed25519', privateKeyPem: readFileSync(keyFile, 'utf8') } }
  : { apiKey: env('QD_API_KEY'), secret: { kind: 'hmac', key: env('QD_API_SECRET') } };

function report(label: string, value: unknown): void {
  process.stdout.write(`${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
}

async function attempt(label: string, run: () => Promise<unknown>): Promise<void> {
  try {
    report(label, await run());
  } catch (error) {
    // what an operator's screen would show: the message, and the whole error object
    process.stderr.write(`${label} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stderr.write(`${inspect(error, { depth: 5 })}\n`);
  }
}

const gateway = create('SIMUSDT', credentials, endpoints, { requestTimeoutMs: 600 });
console.log('gateway', gateway, inspect(gateway, { depth: 10, showHidden: true }), JSON.stringify(gateway));
await attempt('start', () => gateway.start((event) => report('event', event)));
await attempt('book-crossing quote', () => gateway.place({ clientOrderId: 'x1', side: 'buy', price: '100.50', quantity: '0.10', kind: 'post-only' }));
await attempt('quote', () => gateway.place({ clientOrderId: 'x2', side: 'buy', price: '90.00', quantity: '0.10', kind: 'post-only' }));
await attempt('filter', () => gateway.place({ clientOrderId: 'x3', side: 'buy', price: '90.001', quantity: '0.10', kind: 'post-only' }));
await attempt('unknown cancel', () => gateway.cancel('nope'));
await attempt('query', () => gateway.query('x2'));
await attempt('open orders', () => gateway.openOrders());
await attempt('trades', () => gateway.trades(Date.now() * 1_000 - 60_000_000));
await attempt('holdings', () => gateway.holdings());
await attempt('dead-man', () => gateway.armDeadMansSwitch(60_000));
await attempt('cancel all', () => gateway.cancelAll());
await attempt('usage', async () => gateway.usage());
const wrongSecret = create('SIMUSDT', { apiKey: credentials.apiKey, secret: { kind: 'hmac', key: 'wrong-secret-for-this-key' } }, endpoints, { requestTimeoutMs: 600 });
await attempt('wrong secret', () => wrongSecret.start(() => undefined));
const wrongKey = create('SIMUSDT', { apiKey: 'unknown-key', secret: credentials.secret }, endpoints, { requestTimeoutMs: 600 });
await attempt('unknown key', () => wrongKey.start(() => undefined));
await attempt('stop', () => gateway.stop());
await wrongSecret.stop();
await wrongKey.stop();
const unreachable = create('SIMUSDT', credentials, { ...endpoints, restUrl: 'http://127.0.0.1:1' }, { requestTimeoutMs: 600 });
await attempt('unreachable', () => unreachable.start(() => undefined));
await unreachable.stop();
throw new Error(`the client ends here, uncaught, with its gateway: ${inspect(gateway)}`);
