/**
 * Test support for the live gateways: a real local exchange (`BinanceLocalExchange`, the same code
 * `quotedesk venue` runs) on 127.0.0.1 and a real gateway connected to it over sockets, with a recorder
 * of the gateway's events that tests wait on (never sleeps: each wait re-checks its condition on every
 * event and fails with a named timeout). Fresh HMAC and Ed25519 credentials per call.
 */
import { generateKeyPairSync } from 'node:crypto';
import { DecimalGrid } from '../../src/shared/units.js';
import { createBinanceGateway, type BinanceGatewayOptions } from '../../src/main/execution/venues/binance/index.js';
import { ed25519Verifier, hmacVerifier } from '../../src/main/execution/venues/common/signer.js';
import { GatewayError, type Credentials, type GatewayEvent, type BinanceVenue, type VenueGateway } from '../../src/main/execution/live/gateway.js';
import { BinanceLocalExchange, type LocalExchangeOptions } from '../../src/main/venue-sim/index.js';

export const API_KEY = 'local-test-key-7c1e';
export const API_SECRET = 'local-test-secret-4f9a0b3d2e';
export const ED_API_KEY = 'local-test-ed25519-key-91';

const ed = generateKeyPairSync('ed25519');
export const ED_PRIVATE_PEM = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const ED_PUBLIC_PEM = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();

export const HMAC_CREDENTIALS: Credentials = { apiKey: API_KEY, secret: { kind: 'hmac', key: API_SECRET } };
export const ED_CREDENTIALS: Credentials = { apiKey: ED_API_KEY, secret: { kind: 'ed25519', privateKeyPem: ED_PRIVATE_PEM } };

export async function startVenue(dialect: BinanceVenue, options: Partial<LocalExchangeOptions> = {}): Promise<BinanceLocalExchange> {
  return BinanceLocalExchange.start({
    dialect,
    keys: [
      { apiKey: API_KEY, verifier: hmacVerifier(API_SECRET) },
      { apiKey: ED_API_KEY, verifier: ed25519Verifier(ED_PUBLIC_PEM) },
    ],
    seed: 7,
    ...options,
  });
}

export interface Recorder {
  readonly events: GatewayEvent[];
  readonly listener: (event: GatewayEvent) => void;
  /** Resolves when `cond` holds (checked now and after every event); rejects after `ms` naming `what`. */
  until(cond: () => boolean, what: string, ms?: number): Promise<void>;
  /** The first event after index `from` that `match` accepts, waiting for it. */
  next<T extends GatewayEvent>(match: (event: GatewayEvent) => event is T, what: string, from?: number, ms?: number): Promise<T>;
}

export function recorder(): Recorder {
  const events: GatewayEvent[] = [];
  const waits: Array<{ cond: () => boolean; resolve: () => void }> = [];
  const check = (): void => {
    for (let i = waits.length - 1; i >= 0; i--) {
      const wait = waits[i]!;
      if (wait.cond()) {
        waits.splice(i, 1);
        wait.resolve();
      }
    }
  };
  const until = (cond: () => boolean, what: string, ms = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      if (cond()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      waits.push({ cond, resolve: () => (clearTimeout(timer), resolve()) });
    });
  return {
    events,
    listener: (event) => {
      events.push(event);
      check();
    },
    until,
    async next(match, what, from = 0, ms = 10_000) {
      let found: GatewayEvent | undefined;
      await until(() => (found = events.slice(from).find(match)) !== undefined, what, ms);
      return found as never;
    },
  };
}

export interface Session {
  readonly venue: BinanceLocalExchange;
  readonly gateway: VenueGateway;
  readonly rec: Recorder;
}

export function gatewayFor(venue: BinanceLocalExchange, credentials: Credentials = HMAC_CREDENTIALS, options: Partial<BinanceGatewayOptions> = {}): VenueGateway {
  return createBinanceGateway(venue.dialect, venue.spec.symbol, credentials, { restUrl: venue.restUrl, wsUrl: venue.wsUrl, wsApiUrl: venue.wsApiUrl }, { requestTimeoutMs: 2_000, reconnectInitialMs: 50, reconnectMaxMs: 500, ...options });
}

/** A started gateway on `venue`. */
export async function connect(venue: BinanceLocalExchange, credentials: Credentials = HMAC_CREDENTIALS, options: Partial<BinanceGatewayOptions> = {}): Promise<Session> {
  const rec = recorder();
  const gateway = gatewayFor(venue, credentials, options);
  await gateway.start(rec.listener);
  return { venue, gateway, rec };
}

/** Best bid and ask of the local exchange as decimal texts on its grid, and a price `ticks` away. */
export function touch(venue: BinanceLocalExchange): { bid: number; ask: number; px(ticks: number): string } {
  const bid = venue.exchange.book.bestBid();
  const ask = venue.exchange.book.bestAsk();
  const grid = new DecimalGrid(venue.spec.tickSize);
  return { bid, ask, px: (ticks: number) => grid.format(ticks) };
}

export const isOrder = (id: string, status?: string) => (e: GatewayEvent): e is Extract<GatewayEvent, { type: 'order' }> => e.type === 'order' && e.state.clientOrderId === id && (status === undefined || e.state.status === status);
export const isTrade = (id: string) => (e: GatewayEvent): e is Extract<GatewayEvent, { type: 'trade' }> => e.type === 'trade' && e.trade.clientOrderId === id;
export const isStream = (status: 'up' | 'down') => (e: GatewayEvent): e is Extract<GatewayEvent, { type: 'stream' }> => e.type === 'stream' && e.status === status;

/** The GatewayError a call fails with (fails the test when it succeeds or throws anything else). */
export async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

/** Cleanups a test file runs after each test, last registered first. */
export function cleanups(): { add(step: () => Promise<void>): void; run(): Promise<void> } {
  const steps: Array<() => Promise<void>> = [];
  return {
    add: (step) => void steps.push(step),
    run: async () => {
      while (steps.length) await steps.pop()!();
    },
  };
}
