/**
 * Trading for real, rehearsed on the local exchange (the same code `quotedesk venue` runs) speaking Binance
 * spot and Bybit linear over real sockets, with a real `quotedesk serve --execution live` child process:
 * quotes reach the venue post-only and every screen says LIVE (on Bybit the monitor says the venue's
 * dead-man's switch, DCP, is armed, and the venue's own state agrees); a kill leaves nothing open at the venue, confirmed by the venue's own
 * answer; a desk SIGKILLed while the venue keeps filling its resting orders restarts, reconciles, and has
 * lost or doubled no fill (its stored fills are exactly the venue's trades for the account); and no
 * output of the session — logs, the database, the API, the stream, the exports — contains the secret.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BinanceLocalExchange, BybitLocalExchange } from '../../../src/main/venue-sim/index.js';
import type { DeskState, StreamMessage } from '../../../src/shared/contract.js';
import { startBybitVenue } from '../../support/bybit-venue.js';
import { API_KEY, API_SECRET, startVenue } from '../../support/local-venue.js';
import { removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';
import { openReader, type ReadingClient } from '../../support/stream-clients.js';

type Update = Extract<StreamMessage, { type: 'update' }>;
const stateOf = (m: StreamMessage): DeskState | null => (m.type === 'update' || m.type === 'snapshot' ? m.state : null);

const PARAMS = {
  strategy: { spread: { baseBps: 2, volatility: { enabled: false } }, size: { baseLots: 50 }, adverseSelection: { enabled: false } },
  risk: { maxInventoryLots: 5_000, softInventoryLots: 4_000, fillBurstCount: 100_000, maxLossSession: 1e9, maxLossDaily: 1e9, priceBandBps: 10_000, maxOrdersPerSec: 50 },
};

/** What differs between the venues the rehearsal runs on. */
interface VenueCase {
  readonly name: 'binance-spot' | 'bybit-linear';
  start(): Promise<BinanceLocalExchange | BybitLocalExchange>;
  readonly deadMansSwitch: 'none at this venue' | 'armed';
  /** The venue's own view of its dead-man's switch (null where there is none). */
  switchAtVenue(venue: BinanceLocalExchange | BybitLocalExchange): unknown;
  /** How the venue holds a post-only quote. */
  postOnly(order: { type: string; timeInForce: string }): string;
  /** The fill ids the desk must have stored: one per trade of the account, by the venue's trade id. */
  tradeIds(venue: BinanceLocalExchange | BybitLocalExchange): string[];
}

const CASES: readonly VenueCase[] = [
  {
    name: 'binance-spot',
    start: () => startVenue('binance-spot', { flowMultiplier: 4 }),
    deadMansSwitch: 'none at this venue',
    switchAtVenue: () => null,
    postOnly: (o) => o.type,
    tradeIds: (v) => v.exchange.accountTrades({ limit: 100_000 }).map((t) => `binance-spot:${t.id}`),
  },
  {
    name: 'bybit-linear',
    start: () => startBybitVenue('bybit-linear', { flowMultiplier: 4 }),
    deadMansSwitch: 'armed',
    // the desk's 60 s switch, set as a 60 s DCP window on the derivatives product, carried by a live connection
    switchAtVenue: (v) => ('dcpArmed' in v ? { armed: v.dcpArmed(), info: v.privateStreams.dcpInfo() } : null),
    postOnly: (o) => (o.timeInForce === 'GTX' ? 'PostOnly' : o.timeInForce),
    tradeIds: (v) => ('execIds' in v ? v.execIds().map((id) => `bybit-linear:${id}`) : []),
  },
];

describe.each(CASES)('live execution on the local exchange speaking $name', (c) => {
  let venue: BinanceLocalExchange | BybitLocalExchange;
  let dir: string;
  let serve: ServeHandle;
  let args: string[];
  const outputs: string[] = [];
  const env = { QUOTEDESK_API_KEY: API_KEY, QUOTEDESK_API_SECRET: API_SECRET };

  beforeAll(async () => {
    venue = await c.start();
    dir = mkdtempSync(join(tmpdir(), 'quotedesk-live-'));
    const params = join(dir, 'params.json');
    writeFileSync(params, JSON.stringify(PARAMS));
    args = ['--venue', c.name, '--symbol', 'SIMUSDT', '--execution', 'live', '--rest-url', venue.restUrl, '--ws-url', venue.wsUrl, '--ws-api-url', venue.wsApiUrl, '--params', params];
    serve = await startServe({ dir, args, env, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await serve?.stop();
    await venue?.stop();
    removeDir(dir);
  });

  async function quoting(reader: ReadingClient): Promise<DeskState> {
    const message = await reader.waitFor((m) => {
      const state = stateOf(m);
      if (state === null || state.execution !== 'live' || state.venueLink?.userStream !== 'up') return false;
      // why: the desk's working quotes as the venue holds them, not ones a market order took in the meantime
      const atVenue = new Set(venue.exchange.openOrders().map((o) => o.clientOrderId));
      return state.openOrders.some((o) => o.status === 'working' && atVenue.has(o.clientOrderId));
    }, 'working quotes at the venue');
    return stateOf(message) as DeskState;
  }

  it('quotes post-only at the venue, under client order ids of its own, and says LIVE', async () => {
    const reader = await openReader(serve.baseUrl);
    const state = await quoting(reader);
    reader.close();
    expect(serve.stdout()).toMatch(/^LIVE TRADING: real orders go to the venue's testnet through the endpoints given$/m);
    expect(state.venueLink).toMatchObject({ endpoint: expect.stringMatching(/^override 127\.0\.0\.1:\d+$/), deadMansSwitch: c.deadMansSwitch, positionMismatch: false });
    expect(c.switchAtVenue(venue)).toEqual(c.name === 'bybit-linear' ? { armed: true, info: [{ product: 'DERIVATIVES', dcpStatus: 'ON', timeWindow: '60' }] } : null);
    const ours = new Set(state.openOrders.map((o) => o.clientOrderId));
    const atVenue = venue.exchange.openOrders().filter((o) => ours.has(o.clientOrderId));
    expect(atVenue.length).toBeGreaterThan(0);
    expect(new Set(atVenue.map((o) => c.postOnly(o)))).toEqual(new Set([c.name === 'binance-spot' ? 'LIMIT_MAKER' : 'PostOnly']));
    for (const id of ours) expect(id).toMatch(/^qd[0-9a-z]+-\d+$/);
    const db = new Database(serve.dbPath, { readonly: true });
    expect(db.prepare('SELECT execution, endpoint FROM sessions').get()).toEqual({ execution: 'live', endpoint: state.venueLink?.endpoint });
    db.close();
  });

  it('kills: nothing of ours stays open at the venue, and the venue answered so', async () => {
    const reader = await openReader(serve.baseUrl, { ack: true });
    await quoting(reader);
    const confirmed = reader.waitFor((m) => m.type === 'update' && (m as Update).events.some((e) => e.text.startsWith('kill confirmed by the venue')), 'the kill confirmed');
    const kill = await serve.send('POST', '/api/control/kill', {});
    expect(kill).toEqual({ status: 200, body: { ok: true, tradingState: 'halted' } });
    await confirmed;
    expect(venue.exchange.openOrders()).toEqual([]);
    const db = new Database(serve.dbPath, { readonly: true });
    const read = (): { detail_json: string } | undefined => db.prepare("SELECT detail_json FROM audit WHERE action = 'kill-confirmed' ORDER BY seq DESC").get() as { detail_json: string } | undefined;
    // why: the audit row is committed by the store's writer thread, possibly just after the event went out
    await reader.waitFor(() => read() !== undefined, 'the kill-confirmed audit row committed');
    reader.close();
    const row = read();
    db.close();
    expect(JSON.parse(row?.detail_json ?? '{}')).toMatchObject({ venueAnswer: 'no open order of ours on the symbol' });
  });

  it('restarts after a SIGKILL with every fill the venue made, once, including those made while it was down', async () => {
    expect((await serve.send('POST', '/api/control/rearm', { confirm: true })).status).toBe(200);
    const reader = await openReader(serve.baseUrl);
    await quoting(reader);
    // Trade against our resting quotes until the desk has booked fills on both sides of the book.
    for (let i = 0; i < 40; i++) {
      venue.marketOrder(i % 2 === 0 ? 'buy' : 'sell', '0.5');
      const fills = await serve.get<Array<{ side: string }>>('/api/fills?limit=100');
      if (new Set(fills.map((f) => f.side)).size === 2 && fills.length >= 4) break;
      await reader.waitFor((m) => m.type === 'update', 'another update');
    }
    // Quotes rest at the venue again (after the last fill the desk re-quotes) before the desk is killed.
    await quoting(reader);
    reader.close();
    expect(venue.exchange.openOrders().length).toBeGreaterThan(0);
    outputs.push(serve.stdout(), serve.stderr());
    await serve.stop('SIGKILL');
    // While the desk is down, the market takes its resting quotes.
    venue.marketOrder('buy', '2');
    venue.marketOrder('sell', '2');
    serve = await startServe({ dir, dbPath: serve.dbPath, args, env, timeoutMs: 60_000 });
    const again = await openReader(serve.baseUrl);
    const state = await again.waitFor((m) => stateOf(m)?.reconciled === true, 'the restarted desk reconciled');
    expect(stateOf(state)?.venueLink?.positionMismatch).toBe(false);
    const db = new Database(serve.dbPath, { readonly: true });
    const storedIds = (): string[] => (db.prepare('SELECT fill_id FROM fills').all() as Array<{ fill_id: string }>).map((f) => f.fill_id).sort();
    // The venue's market keeps trading against the restarted desk's new quotes: a fill can land between
    // reading the venue and reading the database. Both are read again until a moment they agree (10 s at most).
    let stored: string[] = [];
    let trades: string[] = [];
    await vi
      .waitFor(
        () => {
          [stored, trades] = [storedIds(), c.tradeIds(venue).sort()];
          if (JSON.stringify(stored) !== JSON.stringify(trades)) throw new Error('the database and the venue differ');
        },
        { timeout: 10_000, interval: 50 },
      )
      .catch(() => undefined); // the assertions below show the difference
    const sessions = db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number };
    const actions = (db.prepare('SELECT action FROM audit').all() as Array<{ action: string }>).map((a) => a.action);
    db.close();
    again.close();
    // The same session resumed, and the fills made while the desk was down were booked from the venue.
    expect(actions).toContain('session-resumed');
    expect(actions.filter((a) => a === 'untracked-fill').length).toBeGreaterThan(0);
    expect(trades.length).toBeGreaterThan(4);
    // Every venue trade booked, each once.
    expect(stored).toEqual(trades);
    expect(new Set(stored).size).toBe(stored.length);
    expect(sessions.n).toBe(1);
  });

  it('never lets the secret or the key out: logs, database, API, stream and exports', async () => {
    const reader = await openReader(serve.baseUrl, { record: true });
    await reader.waitFor((m) => m.type === 'update', 'an update');
    reader.close();
    const stream = reader.messages.map((m) => JSON.stringify(m)).join('\n');
    const api = await Promise.all(['/api/state', '/api/metrics', '/api/health', '/api/session', '/api/fills', '/metrics', '/api/export/fills.csv', '/api/export/orders.csv', '/api/export/audit.csv'].map((path) => fetch(serve.baseUrl + path).then((r) => r.text())));
    outputs.push(serve.stdout(), serve.stderr(), stream, ...api);
    for (const name of readdirSync(dir)) if (name.startsWith('desk.db')) outputs.push(readFileSync(join(dir, name)).toString('latin1'));
    // The search itself finds a secret when there is one.
    expect([...outputs, `x${API_SECRET}x`].some((text) => text.includes(API_SECRET))).toBe(true);
    for (const text of outputs) {
      expect(text.includes(API_SECRET)).toBe(false);
      expect(text.includes(API_KEY)).toBe(false);
    }
    expect(api[7]).toMatch(/,LIVE\r\n/);
  });
});
