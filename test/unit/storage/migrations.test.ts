/**
 * Every migration path, from every earlier schema version, on a database WITH data: the rows of each
 * table that existed are kept and readable through the store, and the tables the newer versions add are
 * usable at once. Seeders are per version: v3 adds the execution time of a fill, so the fills written by
 * v1 read as executed when received, and a fill written with both times keeps both; v4 says whether a
 * session traded for real, so older sessions read as paper and a live one keeps its endpoint and baseline.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, migrate, openStore, schemaVersionOf } from '../../../src/main/storage/index.js';
import { makeFill, makeOrder, makeTempDir, sessionMeta } from './helpers.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});

afterEach(() => cleanup());

/** Rows written with the SQL of the version that introduced each table, as an old build would have. */
const seed: Record<number, (db: Database.Database) => void> = {
  1: (db) => {
    const session = db.prepare(
      `INSERT INTO sessions (venue, symbol, mode, tick_size, lot_size, params_json, recording, started_us, ended_us, realized_pnl, total_pnl)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    session.run('sim', 'BTC-USD', 'backtest', '0.01', '0.001', '{"strategy":{}}', '/rec/a.qdrec', 1_000, 2_000, 3.5, 4.25);
    session.run('sim', 'BTC-USD', 'live', '0.01', '0.001', '{"strategy":{}}', null, 3_000, null, null, null);
    const fill = db.prepare(
      `INSERT INTO fills (session_id, fill_id, client_order_id, side, price_ticks, price, size_lots, size, fee, liquidity,
         mid_at_fill, fair_value_at_fill, inventory_after, local_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    fill.run(1, 'old-1', 'c1', 'buy', 6_500_000, '65000.00', 5, '0.005', -0.01, 'maker', 6_500_000.5, 6_500_000.25, 5, 1_500);
    fill.run(2, 'old-2', 'c2', 'sell', 6_500_010, '65000.10', 2, '0.002', 0.02, 'taker', null, null, -2, 3_500);
  },
  2: (db) => {
    db.prepare(
      `INSERT INTO orders (session_id, client_order_id, side, price_ticks, price, size_lots, size, time_in_force, post_only, purpose, created_us, updated_us)
       VALUES (2, 'open-1', 'buy', 6_499_990, '64999.90', 7, '0.007', 'gtc', 1, 'quote', 3_100, 3_100)`,
    ).run();
    db.prepare(`INSERT INTO order_events (session_id, client_order_id, type, local_us, detail_json) VALUES (2, 'open-1', 'ack', 3_200, '{}')`).run();
    db.prepare(`INSERT INTO audit (session_id, local_us, who, action, detail_json) VALUES (2, 3_300, 'operator:http', 'pause', '{"why":"lunch"}')`).run();
    db.prepare(`INSERT INTO markouts (session_id, fill_id, horizon_sec, markout_bps) VALUES (1, 'old-1', 5, 1.5)`).run();
  },
  4: (db) => {
    db.prepare(
      `INSERT INTO sessions (venue, symbol, mode, tick_size, lot_size, params_json, recording, started_us, execution, endpoint, baseline_lots)
       VALUES ('binance-spot', 'ETHUSDT', 'live', '0.01', '0.001', '{}', NULL, 4_000, 'live', 'testnet', 1500)`,
    ).run();
  },
  3: (db) => {
    db.prepare(
      `INSERT INTO fills (session_id, fill_id, client_order_id, side, price_ticks, price, size_lots, size, fee, liquidity,
         mid_at_fill, fair_value_at_fill, inventory_after, local_us, exch_us) VALUES (2, 'v3-1', 'c3', 'buy', 6_500_001, '65000.01', 1, '0.001', 0, 'maker', 6_500_002, NULL, -1, 3_900, 3_850)`,
    ).run();
  },
};

function checkSeeded(path: string, fromVersion: number, writer: 'worker' | 'inline'): void {
  const store = openStore(path, { writer, scheduleFlush: () => {}, logger: () => {} });
  expect(store.settings().schemaVersion).toBe(SCHEMA_VERSION);
  if (fromVersion >= 1) {
    const sessions = store.sessions(10);
    expect(sessions.filter((s) => s.id <= 2).map((s) => [s.id, s.mode, s.endedUs, s.realizedPnl, s.fillCount, s.execution, s.endpoint, s.baselineLots])).toEqual([
      [2, 'live', null, null, fromVersion >= 3 ? 2 : 1, 'paper', null, null],
      [1, 'backtest', 2_000, 3.5, 1, 'paper', null, null],
    ]);
    const fills = store.fills({ limit: 10 }).filter((f) => f.fillId.startsWith('old-'));
    expect(fills.map((f) => [f.fillId, f.side, f.price, f.size, f.inventoryAfter])).toEqual([
      ['old-2', 'sell', 6_500_010, 2, -2],
      ['old-1', 'buy', 6_500_000, 5, 5],
    ]);
    expect(Number.isNaN(fills[0]?.midAtFill)).toBe(true);
    // Fills stored before v3 kept one time: they read as executed when their report was received.
    expect(fills.map((f) => [f.localUs, f.exchUs])).toEqual([
      [3_500, 3_500],
      [1_500, 1_500],
    ]);
    expect(store.unfinishedSession('sim', 'BTC-USD')?.session.id).toBe(2);
  }
  if (fromVersion >= 4) {
    expect(store.session(3)).toMatchObject({ venue: 'binance-spot', execution: 'live', endpoint: 'testnet', baselineLots: 1500 });
  }
  if (fromVersion >= 3) {
    expect(store.fills({ sessionId: 2, limit: 10 }).find((f) => f.fillId === 'v3-1')).toMatchObject({ localUs: 3_900, exchUs: 3_850, midAtFill: 6_500_002 });
  }
  if (fromVersion >= 2) {
    expect(store.unfinishedSession('sim', 'BTC-USD')?.openOrders.map((o) => o.clientOrderId)).toEqual(['open-1']);
    expect(store.auditTrail({ sessionId: 2 })[0]?.detail).toEqual({ why: 'lunch' });
    expect(store.markouts(1)).toEqual([{ sessionId: 1, fillId: 'old-1', horizonSec: 5, markoutBps: 1.5 }]);
  }
  // every table of the latest schema is usable on the migrated file
  const sessionId = fromVersion >= 1 ? 2 : store.openSession(sessionMeta({ startedUs: 5_000 }));
  store.journalOrder(sessionId, makeOrder('new-1', { size: 3 }), 5_100);
  store.recordOrderEvent(sessionId, 'new-1', 'ack', 5_200);
  store.recordFill(makeFill(sessionId, 9, { clientOrderId: 'new-1', size: 3, localUs: 5_250, exchUs: 5_240 }));
  store.recordMarkout(sessionId, 'F9', 1, -0.5);
  store.audit({ sessionId, localUs: 5_300, who: 'desk', action: 'state', detail: { to: 'active' } });
  store.recordPnl({ sessionId, localUs: 5_400, inventoryLots: 3, cash: -1, realized: 0, unrealized: 0.1, fees: 0, mid: 6_500_000 });
  store.indexRecording({ path: '/rec/b.qdrec', venue: 'sim', symbol: 'BTC-USD', startUs: 1, endUs: 2, frames: 3, bytes: 4 }, 5_500);
  store.endSession(sessionId, 6_000, { realizedPnl: 0, totalPnl: 0.1 });
  const live = store.openSession(sessionMeta({ startedUs: 6_100, execution: 'live', endpoint: 'mainnet', baselineLots: 20 }));
  store.setBaseline(live, 35);
  store.flushSync();
  expect(store.session(live)).toMatchObject({ execution: 'live', endpoint: 'mainnet', baselineLots: 35 });
  expect(store.stats().rowsRejected).toBe(0);
  expect(store.order(sessionId, 'new-1')).toMatchObject({ filled: 3, status: 'done' });
  // A fill written on the migrated file keeps both of its times.
  expect(store.fills({ sessionId, limit: 10 }).find((f) => f.fillId === 'F9')).toMatchObject({ localUs: 5_250, exchUs: 5_240 });
  expect(store.orderEvents(sessionId, 'new-1').map((e) => e.type)).toEqual(['ack']);
  expect(store.markouts(sessionId).some((m) => m.fillId === 'F9')).toBe(true);
  expect(store.pnlSnapshots(sessionId, 1)[0]?.inventoryLots).toBe(3);
  expect(store.recordings(5).map((r) => r.path)).toContain('/rec/b.qdrec');
  expect(store.session(sessionId)?.endedUs).toBe(6_000);
  store.close();
}

describe('migrations', () => {
  it('are numbered 1..N without gaps, and the store writes the latest', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
  });

  // From every earlier version, and from the latest (the seeders of every version then run: no migration, data kept).
  for (let from = 0; from <= SCHEMA_VERSION; from++) {
    it.each(['worker', 'inline'] as const)(`migrate from v${from} to v${SCHEMA_VERSION} keeping the data (%s writer)`, (writer) => {
      const path = join(dir, `from-v${from}.db`);
      const db = new Database(path);
      migrate(db, from);
      expect(schemaVersionOf(db)).toBe(from);
      for (let v = 1; v <= from; v++) seed[v]?.(db);
      db.close();
      checkSeeded(path, from, writer);
      // opening again is a no-op migration
      const again = new Database(path);
      expect(migrate(again)).toEqual([]);
      again.close();
    });
  }

  it('each step of the chain applies exactly once and in order', () => {
    const db = new Database(join(dir, 'steps.db'));
    const applied: number[] = [];
    for (let v = 1; v <= SCHEMA_VERSION; v++) applied.push(...migrate(db, v));
    expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
  });
});
