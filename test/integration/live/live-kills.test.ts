/**
 * Twenty kills of a live desk in a busy market: a real `quotedesk serve --execution live` child process
 * quoting on the local exchange (the same code `quotedesk venue` runs) while the venue's simulated market
 * makes more than 20,000 book messages a second. After each kill the venue itself holds no open order of
 * ours, the desk's `kill-confirmed` audit carries the venue's answer, and no order reaches the venue between
 * the confirmation and the re-arm, however many market messages the desk handles meanwhile.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinanceLocalExchange } from '../../../src/main/venue-sim/index.js';
import type { DeskState, StreamMessage } from '../../../src/shared/contract.js';
import { API_KEY, API_SECRET, startVenue } from '../../support/local-venue.js';
import { removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';
import { openReader, type ReadingClient } from '../../support/stream-clients.js';

type Update = Extract<StreamMessage, { type: 'update' }>;
const stateOf = (m: StreamMessage): DeskState | null => (m.type === 'update' || m.type === 'snapshot' ? m.state : null);

const KILLS = 20;
/** The venue market's flow multiplier: ≥ 20,000 book messages a second (175 is the threshold; some margin). */
const FLOW = 200;
const marketRate = (venue: BinanceLocalExchange): number => venue.exchange.sim.health(Date.now() * 1_000).messagesPerSec;

const PARAMS = {
  strategy: { spread: { baseBps: 2, volatility: { enabled: false } }, size: { baseLots: 20 }, adverseSelection: { enabled: false } },
  risk: { maxInventoryLots: 50_000, softInventoryLots: 40_000, fillBurstCount: 100_000, maxLossSession: 1e9, maxLossDaily: 1e9, priceBandBps: 10_000, maxOrdersPerSec: 50 },
};

describe('kills under a busy market, confirmed by the venue', () => {
  let venue: BinanceLocalExchange;
  let dir: string;
  let serve: ServeHandle;
  let reader: ReadingClient;

  beforeAll(async () => {
    venue = await startVenue('binance-spot', { flowMultiplier: FLOW });
    dir = mkdtempSync(join(tmpdir(), 'quotedesk-live-kills-'));
    const params = join(dir, 'params.json');
    writeFileSync(params, JSON.stringify(PARAMS));
    const args = ['--venue', 'binance-spot', '--symbol', 'SIMUSDT', '--execution', 'live', '--rest-url', venue.restUrl, '--ws-url', venue.wsUrl, '--ws-api-url', venue.wsApiUrl, '--params', params];
    serve = await startServe({ dir, args, env: { QUOTEDESK_API_KEY: API_KEY, QUOTEDESK_API_SECRET: API_SECRET }, timeoutMs: 60_000 });
    reader = await openReader(serve.baseUrl, { ack: true });
  });

  afterAll(async () => {
    reader?.close();
    await serve?.stop();
    await venue?.stop();
    removeDir(dir);
  });

  /** The highest order id the venue has given any order of the account so far. */
  function lastOrderId(): number {
    let id = 0;
    while (venue.exchange.find({ orderId: id + 1 }) !== null) id++;
    return id;
  }

  it(`${KILLS} kills leave nothing open at the venue, and no order reaches it after a kill`, async () => {
    // The venue's market reaches its full rate (its rate window filled) before the first kill.
    await reader.waitFor(() => marketRate(venue) >= 20_000, 'the venue market at 20,000 messages a second');
    const rates: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      if (k > 0) expect((await serve.send('POST', '/api/control/rearm', { confirm: true })).status).toBe(200);
      await reader.waitFor((m) => {
        const state = stateOf(m);
        // Re-checked on every update: the desk says it quotes, and the venue holds our orders at that moment.
        return state !== null && state.tradingState === 'active' && state.venueLink?.userStream === 'up' && state.openOrders.some((o) => o.status === 'working') && venue.exchange.openOrders().length > 0;
      }, `working quotes at the venue before kill ${k + 1}`);
      rates.push(marketRate(venue));

      const confirmed = reader.waitFor((m) => m.type === 'update' && (m as Update).events.some((e) => e.text.startsWith('kill confirmed by the venue')), `kill ${k + 1} confirmed`);
      const kill = await serve.send('POST', '/api/control/kill', {});
      expect(kill).toEqual({ status: 200, body: { ok: true, tradingState: 'halted' } });
      await confirmed;
      expect(venue.exchange.openOrders()).toEqual([]);
      const watermark = lastOrderId();

      // The desk keeps reading the market while halted: let it handle a good many messages, then look again.
      const seen = (await serve.get<DeskState>('/api/state')).feed.messages;
      await reader.waitFor((m) => (stateOf(m)?.feed.messages ?? 0) >= seen + 20, `the halted desk reading on after kill ${k + 1}`);
      expect(lastOrderId()).toBe(watermark);
      expect(venue.exchange.openOrders()).toEqual([]);
      const state = await serve.get<DeskState>('/api/state');
      expect(state.tradingState).toBe('halted');
      expect(state.openOrders).toEqual([]);
    }

    // The venue's market ran at the rate the issue names while the desk quoted (median over the kills).
    const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
    expect(median).toBeGreaterThanOrEqual(20_000);

    const db = new Database(serve.dbPath, { readonly: true });
    const confirmations = (db.prepare("SELECT detail_json FROM audit WHERE action = 'kill-confirmed' ORDER BY seq").all() as Array<{ detail_json: string }>).map((row) => JSON.parse(row.detail_json) as { venueAnswer?: string });
    db.close();
    expect(confirmations).toHaveLength(KILLS);
    for (const confirmation of confirmations) expect(confirmation.venueAnswer).toBe('no open order of ours on the symbol');
  }, 240_000);
});
