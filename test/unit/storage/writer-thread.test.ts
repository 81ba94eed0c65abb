/**
 * The writer thread: commits run in a worker (not on the main thread) while the main thread keeps
 * turning; `flush()` only hands off; `onCommitted` fires after the commit is confirmed and the committed
 * rows are already visible to the main thread's reads; the order of writes survives many hand-offs; the
 * WAL is checkpointed away when the store closes. No timing thresholds: where and when a commit ran is
 * proven with the thread id and the wall-clock bounds the writer reports.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openStore } from '../../../src/main/storage/index.js';
import type { CommitInfo } from '../../../src/main/storage/index.js';
import { listDir, makeFill, makeOrder, makeTempDir, sessionMeta } from './helpers.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});

afterEach(() => cleanup());

function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

describe('writer thread', () => {
  it('commits in a worker thread while the main thread keeps turning; flush() returns before the commit ends', async () => {
    const store = openStore(join(dir, 'loop.db'), { scheduleFlush: () => {}, logger: () => {} });
    expect(store.writerMode).toBe('worker');
    expect(store.writerThreadId).not.toBe(threadId);
    const id = store.openSession(sessionMeta());
    for (let n = 0; n < 40_000; n++) store.recordFill(makeFill(id, n));

    const commits: CommitInfo[] = [];
    const committed = new Promise<CommitInfo>((resolve) => {
      store.onBatchCommitted((info) => {
        commits.push(info);
        resolve(info);
      });
    });
    const turns: Array<readonly [number, number]> = [];
    let running = true;
    const loop = (): void => {
      const start = wallMs();
      // a little engine work per turn
      let x = 0;
      for (let i = 0; i < 1_000; i++) x += Math.sqrt(i);
      turns.push([start, wallMs() + x * 0]);
      if (running) setImmediate(loop);
    };
    const handOffStart = wallMs();
    store.flush();
    const handOffEnd = wallMs();
    setImmediate(loop);
    const info = await committed;
    running = false;

    expect(info.threadId).toBe(store.writerThreadId);
    expect(info.threadId).not.toBe(threadId);
    expect(info.rows).toBe(40_000);
    expect(info.fills).toHaveLength(40_000);
    // the hand-off returned before the writer finished the transaction
    expect(handOffStart).toBeLessThan(info.endedAtMs);
    expect(handOffEnd).toBeLessThan(info.endedAtMs);
    // the main thread ran turns DURING the commit, and no turn contained the whole commit
    const during = turns.filter(([start, end]) => start > info.startedAtMs && end < info.endedAtMs);
    expect(during.length).toBeGreaterThan(0);
    expect(turns.some(([start, end]) => start <= info.startedAtMs && end >= info.endedAtMs)).toBe(false);
    expect(commits).toHaveLength(1);
    store.close();
  });

  it('onCommitted fires on the main thread after the commit, and the committed fills are already readable', async () => {
    const store = openStore(join(dir, 'visible.db'), { logger: () => {} });
    const id = store.openSession(sessionMeta());
    const seen: number[] = [];
    const done = new Promise<void>((resolve) => {
      store.onCommitted((fills) => {
        // what a monitor would do: read back what was just published
        const stored = new Set(store.fills({ sessionId: id, limit: 1_000 }).map((f) => f.fillId));
        for (const f of fills) expect(stored.has(f.fillId)).toBe(true);
        seen.push(...fills.map((f) => Number(f.fillId.slice(1))));
        if (seen.length === 300) resolve();
      });
    });
    // 30 turns of 10 fills, each turn handed off by the store's own scheduled flush
    for (let turn = 0; turn < 30; turn++) {
      for (let k = 0; k < 10; k++) store.recordFill(makeFill(id, turn * 10 + k));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await done;
    expect(seen).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(store.pendingWrites).toBe(0);
    store.close();
  });

  it('keeps the order of writes across many hand-offs: intents before their events and fills, sequence numbers rising', () => {
    const store = openStore(join(dir, 'order.db'), { scheduleFlush: () => {}, logger: () => {} });
    const id = store.openSession(sessionMeta());
    const through: number[] = [];
    store.onBatchCommitted((info) => through.push(info.committedThroughSeq));
    for (let n = 0; n < 200; n++) {
      const clientOrderId = `O${n}`;
      store.journalOrder(id, makeOrder(clientOrderId, { size: 10 }), n);
      store.flush();
      store.recordOrderEvent(id, clientOrderId, 'ack', n + 1);
      store.recordFill(makeFill(id, n, { clientOrderId, size: 10 }));
      store.flush();
    }
    store.flushSync();
    expect(store.stats()).toMatchObject({ pending: 0, rowsRejected: 0, committedThroughSeq: 400 });
    expect(through.length).toBeLessThanOrEqual(400);
    expect([...through].sort((a, b) => a - b)).toEqual(through);
    // every fill found its order (journaled in an earlier batch) and completed it
    expect(store.orders({ sessionId: id, status: 'open' })).toEqual([]);
    expect(store.fills({ sessionId: id, limit: 1_000 }).map((f) => f.fillId).reverse()).toEqual(Array.from({ length: 200 }, (_, n) => `F${n}`));
    store.close();
  });

  it('settings() describe the writer connection; close() leaves the database file alone with no -wal/-shm', () => {
    const store = openStore(join(dir, 'x.db'), { scheduleFlush: () => {}, logger: () => {} });
    expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'full', foreignKeys: true, schemaVersion: SCHEMA_VERSION });
    const id = store.openSession(sessionMeta());
    for (let n = 0; n < 500; n++) store.recordFill(makeFill(id, n));
    store.flush();
    store.close();
    expect(store.isOpen).toBe(false);
    expect(listDir(dir)).toEqual(['x.db']);
    const again = openStore(join(dir, 'x.db'), { writer: 'inline', logger: () => {} });
    expect(again.fills({ limit: 1_000 })).toHaveLength(500);
    again.close();
  });

  it('an in-memory database and a read-only store have no writer thread', () => {
    const memory = openStore(':memory:', { logger: () => {} });
    expect(memory.writerMode).toBe('inline');
    expect(memory.writerThreadId).toBe(threadId);
    memory.close();
    const path = join(dir, 'ro.db');
    openStore(path, { logger: () => {} }).close();
    const reader = openStore(path, { readonly: true, logger: () => {} });
    expect(reader.writerMode).toBe('none');
    reader.close();
  });
});
