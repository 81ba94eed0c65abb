/**
 * The store's write queue, idempotent fills, the order journal and its events, recovery of an unfinished
 * session, and the other tables, on real SQLite files in a temp directory. Every test runs with both
 * writers: the writer thread (the default) and inline; reads after writes use `flushSync()`, because
 * reads see committed data only.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, StoreError, openStore } from '../../../src/main/storage/index.js';
import type { SqliteStore } from '../../../src/main/storage/index.js';
import type { StoredFill } from '../../../src/main/storage/types.js';
import { makeFill, makeOrder, makeTempDir, manualScheduler, sessionMeta } from './helpers.js';

let dir: string;
let cleanup: () => void;
const open: SqliteStore[] = [];

function track(store: SqliteStore): SqliteStore {
  open.push(store);
  return store;
}

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});

afterEach(() => {
  for (const store of open.splice(0)) if (store.isOpen) store.close();
  cleanup();
});

const WRITERS = ['worker', 'inline'] as const;

describe.each(WRITERS)('%s writer', (writer) => {
describe('opening', () => {
  it('creates a WAL database with synchronous=FULL and foreign keys on', () => {
    const path = join(dir, 'desk.db');
    const store = track(openStore(path, { writer, logger: () => {} }));
    expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'full', foreignKeys: true, schemaVersion: SCHEMA_VERSION });
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });
});

describe('write queue', () => {
  it('commits nothing until a flush, then everything in one commit; reads see committed rows only', () => {
    const scheduler = manualScheduler();
    const store = track(openStore(join(dir, 'q.db'), { scheduleFlush: scheduler.schedule, logger: () => {} }));
    const id = store.openSession(sessionMeta());
    for (let n = 0; n < 50; n++) store.recordFill(makeFill(id, n));
    expect(store.pendingWrites).toBe(50);
    expect(store.fills({ sessionId: id, limit: 100 })).toHaveLength(0);
    store.flushSync();
    expect(store.pendingWrites).toBe(0);
    expect(store.stats().commits).toBe(1);
    const fills = store.fills({ sessionId: id, limit: 100 });
    expect(fills).toHaveLength(50);
    expect(fills[0]?.fillId).toBe('F49'); // newest first
    expect(scheduler.run()).toBe(1); // one self-scheduled flush for the whole turn; nothing left to do
    expect(store.stats().commits).toBe(1);
  });

  it('schedules its own flush after the current turn (default scheduler: setImmediate)', async () => {
    const store = track(openStore(join(dir, 'auto.db'), { logger: () => {} }));
    const id = store.openSession(sessionMeta());
    const committed = new Promise<readonly StoredFill[]>((resolve) => {
      store.onCommitted((fills) => resolve([...fills]));
    });
    store.recordFill(makeFill(id, 1));
    store.recordFill(makeFill(id, 2));
    const fills = await committed;
    expect(fills.map((f) => f.fillId)).toEqual(['F1', 'F2']);
    expect(store.fills({ sessionId: id, limit: 10 })).toHaveLength(2);
  });

  it('logs a slow commit with its duration and row count', () => {
    const lines: string[] = [];
    const store = track(openStore(join(dir, 'slow.db'), { slowWriteMs: -1, logger: (l) => lines.push(l), scheduleFlush: () => {} }));
    const id = store.openSession(sessionMeta());
    store.recordFill(makeFill(id, 1));
    store.flushSync();
    expect(lines.some((l) => /slow commit: [\d.]+ ms for 1 rows/.test(l))).toBe(true);
  });

  it('drops only a row the database refuses, with a log line naming it, and commits the rest', () => {
    const lines: string[] = [];
    const store = track(openStore(join(dir, 'bad.db'), { logger: (l) => lines.push(l), scheduleFlush: () => {} }));
    const id = store.openSession(sessionMeta());
    store.recordFill(makeFill(id, 1));
    store.recordFill(makeFill(999, 2)); // no such session
    store.recordFill(makeFill(id, 3, { size: 0 })); // CHECK size_lots > 0
    store.recordFill(makeFill(id, 4));
    store.flushSync();
    expect(store.fills({ sessionId: id, limit: 10 }).map((f) => f.fillId)).toEqual(['F4', 'F1']);
    expect(store.stats().rowsRejected).toBe(2);
    expect(lines.filter((l) => l.includes('dropped a fill row'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('fill F2 of session 999'))).toBe(true);
  });

  it('a listener that throws is logged and changes nothing about the commit', () => {
    const lines: string[] = [];
    const store = track(openStore(join(dir, 'listener.db'), { scheduleFlush: () => {}, logger: (l) => lines.push(l) }));
    const id = store.openSession(sessionMeta());
    const seen: string[] = [];
    store.onCommitted(() => {
      throw new Error('boom in a listener');
    });
    store.onCommitted((fills) => seen.push(...fills.map((f) => f.fillId)));
    store.recordFill(makeFill(id, 1));
    expect(() => store.flushSync()).not.toThrow();
    expect(seen).toEqual(['F1']);
    expect(store.pendingWrites).toBe(0);
    expect(lines.some((l) => l.includes('boom in a listener'))).toBe(true);
  });

  it('close() commits what is queued', () => {
    const path = join(dir, 'close.db');
    const store = openStore(path, { writer, scheduleFlush: () => {}, logger: () => {} });
    const id = store.openSession(sessionMeta());
    store.recordFill(makeFill(id, 7));
    store.close();
    const again = track(openStore(path, { writer, logger: () => {} }));
    expect(again.fills({ limit: 10 }).map((f) => f.fillId)).toEqual(['F7']);
    expect(() => store.recordFill(makeFill(id, 8))).toThrow(StoreError);
  });
});

describe('fills', () => {
  it('round-trips every field, NaN prices as NaN, decimals as the instrument prints them', () => {
    const store = track(openStore(join(dir, 'f.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta());
    const fill = makeFill(id, 5, { price: 6_500_123, size: 1_500, fairValueAtFill: Number.NaN, liquidity: 'taker', fee: 0.25 });
    store.recordFill(fill);
    store.flushSync();
    const [stored] = store.fills({ limit: 1 });
    expect(stored).toMatchObject({ ...fill, fairValueAtFill: Number.NaN, priceText: '65001.23', sizeText: '1.500' });
    expect(Number.isNaN(stored?.fairValueAtFill)).toBe(true);
  });

  it('inserts a fill id once per session, however often it is recorded (in one batch or across batches)', () => {
    const store = track(openStore(join(dir, 'idem.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta());
    store.journalOrder(id, makeOrder('O1', { size: 100 }), 1);
    const fill = makeFill(id, 1, { clientOrderId: 'O1', size: 40 });
    const committed: string[] = [];
    store.onCommitted((fills) => committed.push(...fills.map((f) => f.fillId)));
    store.recordFill(fill);
    store.recordFill(fill);
    store.flushSync();
    store.recordFill(fill);
    store.flushSync();
    expect(store.fills({ sessionId: id, limit: 10 })).toHaveLength(1);
    expect(committed).toEqual(['F1']);
    expect(store.order(id, 'O1')?.filled).toBe(40); // the duplicate did not count twice
    // the same venue fill id in another session is another fill
    const other = store.openSession(sessionMeta());
    store.recordFill({ ...fill, sessionId: other });
    store.flushSync();
    expect(store.fills({ limit: 10 })).toHaveLength(2);
    expect(store.hasFill(id, 'F1')).toBe(true);
    expect(store.missingFills(id, [fill, makeFill(id, 2)]).map((f) => f.fillId)).toEqual(['F2']);
  });
});

describe('order journal', () => {
  it('journals the intent and follows it through its events to done', () => {
    const store = track(openStore(join(dir, 'o.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta());
    const request = makeOrder('Q1', { side: 'sell', price: 6_500_010, size: 30, timeInForce: 'ioc', postOnly: false, purpose: 'flatten' });
    store.journalOrder(id, request, 100);
    store.recordOrderEvent(id, 'Q1', 'sent', 101);
    store.recordOrderEvent(id, 'Q1', 'ack', 150, { venueOrderId: 'V9' });
    store.recordFill(makeFill(id, 1, { clientOrderId: 'Q1', side: 'sell', size: 10 }));
    store.flushSync();
    expect(store.order(id, 'Q1')).toMatchObject({
      ...request,
      sessionId: id,
      filled: 10,
      status: 'open',
      createdUs: 100,
      priceText: '65000.10',
      sizeText: '0.030',
    });
    store.recordOrderEvent(id, 'Q1', 'ioc-remainder', 200, { remaining: 20 });
    store.flushSync();
    expect(store.order(id, 'Q1')?.status).toBe('done');
    expect(store.orderEvents(id, 'Q1').map((e) => [e.type, e.localUs])).toEqual([
      ['sent', 101],
      ['ack', 150],
      ['ioc-remainder', 200],
    ]);
    expect(store.orderEvents(id, 'Q1')[1]?.detail).toEqual({ venueOrderId: 'V9' });
  });

  it('marks an order done when its fills reach its size, and on each terminal event type', () => {
    const store = track(openStore(join(dir, 'o2.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta());
    store.journalOrder(id, makeOrder('A', { size: 20 }), 1);
    store.recordFill(makeFill(id, 1, { clientOrderId: 'A', size: 5 }));
    store.recordFill(makeFill(id, 2, { clientOrderId: 'A', size: 15 }));
    const terminal = ['reject', 'cancelled', 'expired', 'filled'] as const;
    for (const type of terminal) {
      store.journalOrder(id, makeOrder(type), 1);
      store.recordOrderEvent(id, type, type, 2);
    }
    store.journalOrder(id, makeOrder('still-open'), 1);
    store.recordOrderEvent(id, 'still-open', 'cancel-requested', 2);
    store.flushSync();
    expect(store.order(id, 'A')).toMatchObject({ filled: 20, status: 'done' });
    for (const type of terminal) expect(store.order(id, type)?.status).toBe('done');
    expect(store.orders({ sessionId: id, status: 'open' }).map((o) => o.clientOrderId)).toEqual(['still-open']);
  });

  it('refuses a second intent with the same client id in a session (logged), keeping the first', () => {
    const lines: string[] = [];
    const store = track(openStore(join(dir, 'dup.db'), { scheduleFlush: () => {}, logger: (l) => lines.push(l) }));
    const id = store.openSession(sessionMeta());
    store.journalOrder(id, makeOrder('X', { price: 1 }), 1);
    store.journalOrder(id, makeOrder('X', { price: 2 }), 2);
    store.flushSync();
    expect(store.order(id, 'X')?.price).toBe(1);
    expect(lines.some((l) => l.includes('dropped a order row') && l.includes('UNIQUE'))).toBe(true);
  });
});

describe('a replay rewind', () => {
  it('deletes what was written after the mark, markouts before their fills, and gives the orders their fill and status back', () => {
    const store = track(openStore(join(dir, 'rw.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta({ mode: 'replay' }));
    const other = store.openSession(sessionMeta({ mode: 'replay' }));
    store.journalOrder(id, makeOrder('A', { size: 20 }), 1);
    store.recordOrderEvent(id, 'A', 'sent', 1);
    store.recordFill(makeFill(id, 1, { clientOrderId: 'A', size: 5, localUs: 2 }));
    store.recordMarkout(id, 'F1', 1, 0.5);
    store.recordPnl({ sessionId: id, localUs: 2, inventoryLots: 5, cash: -1, realized: 0, unrealized: 0, fees: 0, mid: 100 });
    store.markPoint(id, 1);
    // After the mark, at the mark's own time too (a tie is decided by the order of the writes, not the clock).
    store.journalOrder(id, makeOrder('B'), 2);
    store.recordFill(makeFill(id, 2, { clientOrderId: 'A', size: 15, localUs: 2 }));
    store.recordOrderEvent(id, 'A', 'filled', 2);
    store.recordMarkout(id, 'F1', 5, -0.25);
    store.recordMarkout(id, 'F2', 1, 1);
    store.recordPnl({ sessionId: id, localUs: 3, inventoryLots: 20, cash: -2, realized: 0, unrealized: 0, fees: 0, mid: 100 });
    store.recordFill(makeFill(other, 3, { localUs: 3 }));
    store.flushSync();
    expect(store.order(id, 'A')).toMatchObject({ filled: 20, status: 'done' });
    store.rewindTo(id, 1, 2);
    store.flushSync();
    expect(store.orders({ sessionId: id }).map((o) => [o.clientOrderId, o.filled, o.status])).toEqual([['A', 5, 'open']]);
    expect(store.fills({ sessionId: id, limit: 10 }).map((f) => f.fillId)).toEqual(['F1']);
    expect(store.orderEvents(id).map((e) => [e.clientOrderId, e.type])).toEqual([['A', 'sent']]);
    expect(store.markouts(id).map((m) => [m.fillId, m.horizonSec])).toEqual([['F1', 1]]);
    expect(store.pnlSnapshots(id, 10).map((p) => p.localUs)).toEqual([2]);
    // Another session is left alone, and the same stretch written again lands as before.
    expect(store.fills({ sessionId: other, limit: 10 }).map((f) => f.fillId)).toEqual(['F3']);
    store.journalOrder(id, makeOrder('B'), 2);
    store.recordFill(makeFill(id, 2, { clientOrderId: 'A', size: 15, localUs: 2 }));
    store.flushSync();
    expect(store.orders({ sessionId: id }).map((o) => [o.clientOrderId, o.filled, o.status])).toEqual([['A', 20, 'done'], ['B', 0, 'open']]);
  });
});

describe('recovery', () => {
  it('returns the newest unfinished session with all its fills oldest first and its open orders', () => {
    const path = join(dir, 'rec.db');
    const store = openStore(path, { writer, scheduleFlush: () => {}, logger: () => {} });
    const ended = store.openSession(sessionMeta());
    store.recordFill(makeFill(ended, 1));
    store.endSession(ended, 2, { realizedPnl: 1.5, totalPnl: 2 });
    const other = store.openSession(sessionMeta({ symbol: 'ETH-USD' }));
    store.recordFill(makeFill(other, 1));
    const crashed = store.openSession(sessionMeta());
    store.journalOrder(crashed, makeOrder('B1', { size: 50 }), 10);
    store.journalOrder(crashed, makeOrder('S1', { side: 'sell', size: 50 }), 11);
    store.journalOrder(crashed, makeOrder('B2', { size: 10 }), 12);
    let inventory = 0;
    for (let n = 0; n < 20; n++) {
      const side = n % 3 === 0 ? 'sell' : 'buy';
      const size = 1 + (n % 4);
      inventory += side === 'buy' ? size : -size;
      store.recordFill(makeFill(crashed, n, { side, size, inventoryAfter: inventory, clientOrderId: 'other' }));
    }
    store.recordOrderEvent(crashed, 'S1', 'cancelled', 20);
    store.recordFill(makeFill(crashed, 100, { clientOrderId: 'B2', size: 10, inventoryAfter: inventory + 10 }));
    inventory += 10;
    store.flushSync();
    store.close(); // like a crash after the last commit: the session never ended

    const reopened = track(openStore(path, { writer, logger: () => {} }));
    expect(reopened.unfinishedSession('sim', 'ETH-USD')?.session.id).toBe(other);
    const recovered = reopened.unfinishedSession('sim', 'BTC-USD');
    expect(recovered?.session).toMatchObject({ id: crashed, endedUs: null, fillCount: 21 });
    const fills = recovered?.fills ?? [];
    expect(fills.map((f) => f.fillId)).toEqual([...Array.from({ length: 20 }, (_, n) => `F${n}`), 'F100']);
    const signedSum = fills.reduce((sum, f) => sum + (f.side === 'buy' ? f.size : -f.size), 0);
    expect(signedSum).toBe(inventory);
    expect(fills.at(-1)?.inventoryAfter).toBe(inventory);
    expect(recovered?.openOrders.map((o) => o.clientOrderId)).toEqual(['B1']);
    expect(reopened.unfinishedSession('sim', 'NOPE')).toBeNull();
    const endedRow = reopened.session(ended);
    expect(endedRow).toMatchObject({ endedUs: 2, realizedPnl: 1.5, totalPnl: 2, fillCount: 1 });
  });

  it('records a fill found only at the venue with an untracked event, once', () => {
    const store = track(openStore(join(dir, 'untracked.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta());
    const venueFills = [makeFill(id, 1), makeFill(id, 2)];
    store.recordFill(venueFills[0]!);
    store.flushSync();
    for (const fill of store.missingFills(id, venueFills)) store.recordUntrackedFill(fill, 500, { reconciliation: 'start' });
    store.flushSync();
    expect(store.missingFills(id, venueFills)).toEqual([]);
    expect(store.orderEvents(id).map((e) => [e.clientOrderId, e.type, e.detail['fillId'], e.detail['reconciliation']])).toEqual([
      ['O2', 'untracked', 'F2', 'start'],
    ]);
  });
});

describe('sessions, audit, markouts, PnL, recordings', () => {
  it('stores and reads each of them', () => {
    const store = track(openStore(join(dir, 'misc.db'), { scheduleFlush: () => {}, logger: () => {} }));
    const id = store.openSession(sessionMeta({ mode: 'replay', recording: '/data/x.qdrec' }));
    store.recordFill(makeFill(id, 1));
    store.recordMarkout(id, 'F1', 1, 2.5);
    store.recordMarkout(id, 'F1', 5, -1.25);
    store.recordMarkout(id, 'F1', 5, -1.5); // a recomputed markout replaces the old one
    store.audit({ sessionId: id, localUs: 10, who: 'operator:http', action: 'kill', detail: { reason: 'test, "quoted"' } });
    store.audit({ sessionId: 0, localUs: 5, who: 'desk', action: 'start', detail: {} });
    store.recordPnl({ sessionId: id, localUs: 11, inventoryLots: 3, cash: -10.5, realized: 1, unrealized: 0.5, fees: -0.1, mid: Number.NaN });
    store.recordPnl({ sessionId: id, localUs: 12, inventoryLots: 4, cash: -11, realized: 1, unrealized: 0.75, fees: -0.1, mid: 6_500_000.5 });
    store.indexRecording({ path: '/data/x.qdrec', venue: 'coinbase', symbol: 'BTC-USD', startUs: 1, endUs: 2, frames: 10, bytes: 100 }, 3);
    store.indexRecording({ path: '/data/x.qdrec', venue: 'coinbase', symbol: 'BTC-USD', startUs: 1, endUs: 3, frames: 12, bytes: 120 }, 4);
    store.flushSync();
    expect(store.sessions(10)[0]).toMatchObject({ id, mode: 'replay', recording: '/data/x.qdrec', fillCount: 1 });
    expect(store.sessions(10)[0]?.params).toEqual(sessionMeta().params);
    expect(store.markouts(id)).toEqual([
      { sessionId: id, fillId: 'F1', horizonSec: 1, markoutBps: 2.5 },
      { sessionId: id, fillId: 'F1', horizonSec: 5, markoutBps: -1.5 },
    ]);
    expect(store.auditTrail().map((a) => [a.sessionId, a.who, a.action])).toEqual([
      [id, 'operator:http', 'kill'],
      [0, 'desk', 'start'],
    ]);
    expect(store.auditTrail({ sessionId: id })[0]?.detail).toEqual({ reason: 'test, "quoted"' });
    const snapshots = store.pnlSnapshots(id, 10);
    expect(snapshots.map((s) => s.inventoryLots)).toEqual([4, 3]);
    expect(Number.isNaN(snapshots[1]?.mid)).toBe(true);
    expect(store.recordings(10)).toEqual([{ path: '/data/x.qdrec', venue: 'coinbase', symbol: 'BTC-USD', startUs: 1, endUs: 3, frames: 12, bytes: 120 }]);
  });

  it('a read-only store reads and refuses every write', () => {
    const path = join(dir, 'ro.db');
    const writing = openStore(path, { writer, scheduleFlush: () => {}, logger: () => {} });
    const id = writing.openSession(sessionMeta());
    writing.recordFill(makeFill(id, 1));
    writing.close();
    const reader = track(openStore(path, { writer, readonly: true, logger: () => {} }));
    expect(reader.fills({ limit: 5 })).toHaveLength(1);
    expect(() => reader.recordFill(makeFill(id, 2))).toThrow(expect.objectContaining({ code: 'read-only' }));
    expect(() => reader.openSession(sessionMeta())).toThrow(expect.objectContaining({ code: 'read-only' }));
  });
});
});
