/**
 * Bad files and faults: each gives a typed StoreError naming the file, and a file the store does not
 * understand is left byte-for-byte as it was, with no -wal/-shm/-journal left behind. A full disk during
 * a commit (SQLITE_FULL, produced for real through a page quota) keeps every queued row, in the writer
 * thread as inline, and the rows commit once space returns.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, StoreError, migrate, openStore } from '../../../src/main/storage/index.js';
import type { SqliteStore, StoreErrorCode } from '../../../src/main/storage/index.js';
import { asUnprivileged, listDir, makeFill, makeTempDir, manualScheduler, sessionMeta, sha256 } from './helpers.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});

afterEach(() => {
  // why: a failed test may leave a directory read-only; root's cleanup would still work, a user's would not.
  try {
    chmodSync(dir, 0o755);
  } catch {
    // already gone
  }
  cleanup();
});

function expectStoreError(fn: () => unknown, code: StoreErrorCode, file: string, words: RegExp): StoreError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const error = caught as StoreError;
  expect({ code: error.code, file: error.file }).toEqual({ code, file });
  expect(error.message).toContain(file);
  expect(error.message).toMatch(words);
  return error;
}

/** A real store file with data, closed (checkpointed), in WAL mode. */
function populatedDatabase(path: string, fills = 300): void {
  const store = openStore(path, { scheduleFlush: () => {}, logger: () => {} });
  const id = store.openSession(sessionMeta());
  for (let n = 0; n < fills; n++) store.recordFill(makeFill(id, n));
  store.close(); // the writer thread's connection closes last and checkpoints the WAL into the file
}

describe('files the store refuses, left untouched', () => {
  it('a file that is not SQLite: not-a-database', () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are my trading notes, not a database\n'.repeat(100));
    const before = sha256(path);
    expectStoreError(() => openStore(path), 'not-a-database', path, /not an SQLite database/);
    expect(sha256(path)).toBe(before);
    expect(listDir(dir)).toEqual(['notes.db']);
  });

  it('an SQLite database of another application: not-a-database', () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES (\'ada\')');
    db.close();
    const before = sha256(path);
    expectStoreError(() => openStore(path), 'not-a-database', path, /not a Quotedesk one \(tables contacts/);
    expect(sha256(path)).toBe(before);
    expect(listDir(dir)).toEqual(['other.db']);
  });

  it('a corrupt database (damaged pages): corrupt', () => {
    const path = join(dir, 'corrupt.db');
    populatedDatabase(path, 2000);
    const pageSize = 4096;
    expect(statSync(path).size).toBeGreaterThan(pageSize * 8);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize * 3, 0xa5), 0, pageSize * 3, pageSize * 3);
    closeSync(fd);
    const before = sha256(path);
    expectStoreError(() => openStore(path, { logger: () => {} }), 'corrupt', path, /corrupt/);
    expect(sha256(path)).toBe(before);
    expect(listDir(dir)).toEqual(['corrupt.db']);
  });

  it('a truncated database: corrupt, untouched', () => {
    const path = join(dir, 'truncated.db');
    populatedDatabase(path, 2000);
    const whole = statSync(path).size;
    // keep the header (it still claims the full page count) and cut the rest in half
    truncateSync(path, Math.floor(whole / 2));
    const before = sha256(path);
    expectStoreError(() => openStore(path, { logger: () => {} }), 'corrupt', path, /corrupt/);
    expect(sha256(path)).toBe(before);
    expect(listDir(dir)).toEqual(['truncated.db']);
  });

  it('a database from a newer version: newer-version', () => {
    const path = join(dir, 'future.db');
    populatedDatabase(path, 10);
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    db.close();
    const before = sha256(path);
    expectStoreError(() => openStore(path), 'newer-version', path, new RegExp(`version ${SCHEMA_VERSION + 7} is newer than this build understands \\(${SCHEMA_VERSION}\\)`));
    expect(sha256(path)).toBe(before);
    expect(listDir(dir)).toEqual(['future.db']);
    // read-only opening refuses it the same way
    expectStoreError(() => openStore(path, { readonly: true }), 'newer-version', path, /newer/);
    expect(sha256(path)).toBe(before);
  });

  it('a read-only file: read-only', () => {
    const path = join(dir, 'locked.db');
    populatedDatabase(path, 10);
    chmodSync(path, 0o444);
    // why: only the file is read-only here; a reader still needs to create the -shm beside a WAL database.
    chmodSync(dir, 0o777);
    const before = sha256(path);
    expectStoreError(() => asUnprivileged(() => openStore(path)), 'read-only', path, /not writable/);
    expect(sha256(path)).toBe(before);
    expect(listDir(dir)).toEqual(['locked.db']);
    // read-only opening still works
    const reader = asUnprivileged(() => openStore(path, { readonly: true, logger: () => {} }));
    expect(asUnprivileged(() => reader.fills({ limit: 100 }))).toHaveLength(10);
    asUnprivileged(() => reader.close());
    expect(sha256(path)).toBe(before);
  });

  it('a writable file in a read-only directory: read-only (SQLite needs its -wal beside it)', () => {
    const sub = join(dir, 'ro-dir');
    mkdirSync(sub);
    const path = join(sub, 'desk.db');
    populatedDatabase(path, 10);
    chmodSync(path, 0o666);
    chmodSync(sub, 0o555);
    const before = sha256(path);
    expectStoreError(() => asUnprivileged(() => openStore(path)), 'read-only', path, /directory .* is read-only/);
    expect(sha256(path)).toBe(before);
    expect(listDir(sub)).toEqual(['desk.db']);
  });
});

describe('cannot create', () => {
  it('a parent directory that does not exist: cannot-create, nothing created', () => {
    const path = join(dir, 'missing', 'deeper', 'desk.db');
    expectStoreError(() => openStore(path), 'cannot-create', path, /directory .*missing.* does not exist/);
    expect(listDir(dir)).toEqual([]);
  });

  it('an unwritable parent directory: cannot-create, nothing created', () => {
    const sub = join(dir, 'sealed');
    mkdirSync(sub);
    chmodSync(sub, 0o555);
    const path = join(sub, 'desk.db');
    expectStoreError(() => asUnprivileged(() => openStore(path)), 'cannot-create', path, /not writable/);
    expect(listDir(sub)).toEqual([]);
  });

  it('a path that is a directory: cannot-create', () => {
    expectStoreError(() => openStore(dir), 'cannot-create', dir, /is a directory/);
  });

  it('read-only opening of a file that does not exist creates nothing', () => {
    const path = join(dir, 'absent.db');
    expectStoreError(() => openStore(path, { readonly: true }), 'io', path, /no such database file/);
    expect(listDir(dir)).toEqual([]);
  });
});

describe.each(['worker', 'inline'] as const)('full disk while writing (%s writer)', (writer) => {
  function fullStore(): { store: SqliteStore; faults: StoreError[]; cleared: number[]; lines: string[]; scheduler: ReturnType<typeof manualScheduler>; sessionId: number } {
    const scheduler = manualScheduler();
    const lines: string[] = [];
    const store = openStore(join(dir, 'full.db'), { writer, scheduleFlush: scheduler.schedule, logger: (l) => lines.push(l) });
    const sessionId = store.openSession(sessionMeta());
    const faults: StoreError[] = [];
    const cleared: number[] = [];
    store.onFault((error) => faults.push(error));
    store.onFaultCleared(() => cleared.push(store.fills({ limit: 1_000_000 }).length));
    // why: a quota at the current size makes the next page allocation fail with SQLITE_FULL, exactly like a full disk.
    const pages = store.setMaxPageCount(1);
    expect(pages).toBeGreaterThan(1);
    return { store, faults, cleared, lines, scheduler, sessionId };
  }

  it('flushSync throws disk-full, keeps every queued row, notifies once, and commits them all once space returns', () => {
    const { store, faults, cleared, lines, sessionId } = fullStore();
    for (let n = 0; n < 3000; n++) store.recordFill(makeFill(sessionId, n));
    expectStoreError(() => store.flushSync(), 'disk-full', store.path, /disk full while committing 3000 queued rows/);
    expect(store.pendingWrites).toBe(3000);
    expect(store.fills({ limit: 10 })).toHaveLength(0);
    expect(store.fault?.code).toBe('disk-full');
    // more writes while full: still kept, still one notification; flush() keeps throwing the fault
    store.recordFill(makeFill(sessionId, 3000));
    expect(() => store.flush()).toThrow(StoreError);
    expect(() => store.flushSync()).toThrow(StoreError);
    expect(store.pendingWrites).toBe(3001);
    expect(faults.map((f) => f.code)).toEqual(['disk-full']);
    expect(lines.filter((l) => l.includes('[disk-full]'))).toHaveLength(1);

    store.setMaxPageCount(1_000_000);
    store.flushSync();
    expect(store.pendingWrites).toBe(0);
    expect(store.fault).toBeNull();
    expect(() => store.flush()).not.toThrow();
    expect(cleared).toEqual([3001]);
    const ids = new Set(store.fills({ limit: 10_000 }).map((f) => f.fillId));
    expect(ids.size).toBe(3001);
    store.close();
  });

  it('a self-scheduled flush that hits a full disk never throws into the event loop; it reports through onFault', async () => {
    const { store, faults, scheduler, sessionId } = fullStore();
    const faulted = new Promise<void>((resolve) => store.onFault(() => resolve()));
    for (let n = 0; n < 3000; n++) store.recordFill(makeFill(sessionId, n));
    expect(() => scheduler.run()).not.toThrow();
    await faulted;
    expect(faults).toHaveLength(1);
    expect(faults[0]?.message).toContain(store.path);
    expect(store.pendingWrites).toBe(3000);
    // close() refuses to drop the rows: it throws and the store stays open
    expect(() => store.close()).toThrow(expect.objectContaining({ code: 'disk-full' }));
    expect(store.isOpen).toBe(true);
    store.setMaxPageCount(1_000_000);
    store.close();
    const reopened = openStore(join(dir, 'full.db'), { logger: () => {} });
    expect(reopened.fills({ limit: 10_000 })).toHaveLength(3000);
    reopened.close();
  });

  it.runIf(writer === 'worker')('the writer retries on its own: once space returns every kept row commits once, and onCommitted sees each fill once', async () => {
    const { store, faults, cleared, scheduler, sessionId } = fullStore();
    const committed: string[] = [];
    store.onCommitted((fills) => committed.push(...fills.map((f) => f.fillId)));
    const faulted = new Promise<void>((resolve) => store.onFault(() => resolve()));
    for (let n = 0; n < 3000; n++) store.recordFill(makeFill(sessionId, n));
    scheduler.run();
    await faulted;
    expect(committed).toEqual([]);
    const recovered = new Promise<void>((resolve) => store.onFaultCleared(() => resolve()));
    store.setMaxPageCount(1_000_000);
    // no flush from here on: the writer's own retry commits the rows it kept
    await recovered;
    expect(faults.map((f) => f.code)).toEqual(['disk-full']);
    expect(cleared).toEqual([3000]);
    expect(store.pendingWrites).toBe(0);
    expect(committed).toHaveLength(3000);
    expect(new Set(committed).size).toBe(3000);
    store.close();
  });
});

describe('a failed migration', () => {
  it('rolls back as a whole: the database stays at its previous version with its data', () => {
    const path = join(dir, 'half.db');
    const db = new Database(path);
    migrate(db, 1);
    db.prepare(`INSERT INTO sessions (venue, symbol, mode, tick_size, lot_size, params_json, started_us) VALUES ('sim', 'X', 'live', '0.01', '1', '{}', 1)`).run();
    // a table v2 wants to create already exists: v2 must fail and leave v1 intact
    db.exec('CREATE TABLE orders (x INTEGER)');
    db.close();
    expectStoreError(() => openStore(path, { logger: () => {} }), 'io', path, /already exists/);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    const columns = (check.pragma('table_info(sessions)') as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('summary_json');
    expect(check.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    check.close();
  });
});
