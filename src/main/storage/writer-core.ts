/**
 * The store's writer: the SQL of every write statement, the message protocol between the store (main
 * thread) and its writer thread, and the writer's code itself as one self-contained JavaScript string.
 *
 * Why a string: the writer runs in a `worker_threads` Worker started with `new Worker(WORKER_SOURCE,
 * { eval: true })`, which works the same from the TypeScript sources (vitest, tsx) and from the
 * electron-vite bundle without a second build entry; an eval worker is CommonJS, so it loads
 * better-sqlite3 with `require(workerData.sqlitePath)` (Electron passes its own ABI build as
 * `nativeBinding`). The same `WRITER_CORE_SOURCE` also runs in-process for the store's 'inline' writer
 * (`loadInlineWriterCore`), so both writers apply rows, drop row-level failures and retain a failed batch
 * in exactly one way. The core prepares every statement once, applies the pending batches in ONE
 * immediate transaction, and on a database-level failure (full disk, I/O) keeps every pending row for
 * the next attempt; it never decides anything about schemas (migrations run on the main thread before a
 * writer exists) and it knows nothing of fills or orders beyond the statement names below.
 */
import type Database from 'better-sqlite3';

/** Kinds of queued write; each is one statement, some with a follow-up statement in the same row. */
export type WriteOp =
  | 'fill'
  | 'order'
  | 'event'
  | 'markout'
  | 'audit'
  | 'pnl'
  | 'end'
  | 'baseline'
  | 'recording'
  | 'mark'
  | 'rewindMarkouts'
  | 'rewindFills'
  | 'rewindOrderEvents'
  | 'rewindOrders'
  | 'rewindOrderState'
  | 'rewindPnl';

/**
 * The writer connection's scratch table of replay marks (a TEMP table: it lives with the connection, never
 * on disk, so it needs no migration). A mark records, in the order of the write queue, the newest row of
 * each table a replay may rewind; rewinding to it deletes what was written after it.
 */
export const WRITER_SETUP_SQL = `CREATE TEMP TABLE IF NOT EXISTS rewind_marks (
  session_id INTEGER NOT NULL, mark INTEGER NOT NULL, fills_max INTEGER NOT NULL, events_max INTEGER NOT NULL,
  orders_max INTEGER NOT NULL, pnl_max INTEGER NOT NULL, markouts_max INTEGER NOT NULL, PRIMARY KEY (session_id, mark))`;

const MARK_OF = (column: string): string => `(SELECT ${column} FROM temp.rewind_marks WHERE session_id = ? AND mark = ?)`;
/** Order events that close an order (the store's TERMINAL_EVENTS). */
const TERMINAL_EVENT_SQL = `'reject', 'cancelled', 'expired', 'ioc-remainder', 'filled'`;

export type SqlValue = number | string | null;

/** One queued write as the writer applies it: plain data, cheap to structured-clone. */
export interface WriteRow {
  readonly op: WriteOp;
  readonly params: readonly SqlValue[];
  /** Parameters of the op's follow-up statement (see `WRITE_STATEMENTS`), or null for none. */
  readonly then: readonly SqlValue[] | null;
}

export interface WriteStatement {
  readonly sql: string;
  /** A second statement run after the first, with the row's `then` parameters. */
  readonly then?: { readonly sql: string; readonly onlyIfInserted: boolean };
  /** The writer reports the row's index when this statement inserted a row (new fills, for onCommitted). */
  readonly reportInserted?: boolean;
}

/** Every write the queue can carry, by op. The SQL is prepared once per writer connection. */
export const WRITE_STATEMENTS: { readonly [K in WriteOp]: WriteStatement } = {
  fill: {
    // why: not INSERT OR IGNORE, which would also silently swallow CHECK and NOT NULL violations.
    sql: `INSERT INTO fills (session_id, fill_id, client_order_id, side, price_ticks, price, size_lots, size, fee,
            liquidity, mid_at_fill, fair_value_at_fill, inventory_after, local_us, exch_us)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (session_id, fill_id) DO NOTHING`,
    then: {
      sql: `UPDATE orders SET filled_lots = filled_lots + ?,
              status = CASE WHEN filled_lots + ? >= size_lots THEN 'done' ELSE status END, updated_us = ?
            WHERE session_id = ? AND client_order_id = ?`,
      // why: a duplicate fill (re-reported by the venue) must not count twice against its order.
      onlyIfInserted: true,
    },
    reportInserted: true,
  },
  order: {
    sql: `INSERT INTO orders (session_id, client_order_id, side, price_ticks, price, size_lots, size, time_in_force, post_only,
            purpose, created_us, updated_us)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  },
  event: {
    sql: `INSERT INTO order_events (session_id, client_order_id, type, local_us, detail_json) VALUES (?, ?, ?, ?, ?)`,
    then: { sql: `UPDATE orders SET status = 'done', updated_us = ? WHERE session_id = ? AND client_order_id = ?`, onlyIfInserted: false },
  },
  markout: { sql: `INSERT OR REPLACE INTO markouts (session_id, fill_id, horizon_sec, markout_bps) VALUES (?, ?, ?, ?)` },
  audit: { sql: `INSERT INTO audit (session_id, local_us, who, action, detail_json) VALUES (?, ?, ?, ?, ?)` },
  pnl: {
    sql: `INSERT INTO pnl_snapshots (session_id, local_us, inventory_lots, cash, realized, unrealized, fees, mid)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  },
  end: { sql: `UPDATE sessions SET ended_us = ?, realized_pnl = ?, total_pnl = ?, summary_json = ? WHERE id = ?` },
  baseline: { sql: `UPDATE sessions SET baseline_lots = ? WHERE id = ?` },
  // A replay's rewind (Store.markPoint / rewindTo). Params: [session, mark] for the mark; [session, session,
  // mark] for a delete; the order state after a rewind is recomputed from the rows that remain.
  mark: {
    sql: `INSERT OR REPLACE INTO temp.rewind_marks (session_id, mark, fills_max, events_max, orders_max, pnl_max, markouts_max)
          VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) FROM fills), (SELECT COALESCE(MAX(seq), 0) FROM order_events),
            (SELECT COALESCE(MAX(rowid), 0) FROM orders), (SELECT COALESCE(MAX(seq), 0) FROM pnl_snapshots),
            (SELECT COALESCE(MAX(rowid), 0) FROM markouts))`,
  },
  rewindMarkouts: { sql: `DELETE FROM markouts WHERE session_id = ? AND rowid > ${MARK_OF('markouts_max')}` },
  rewindFills: { sql: `DELETE FROM fills WHERE session_id = ? AND seq > ${MARK_OF('fills_max')}` },
  rewindOrderEvents: { sql: `DELETE FROM order_events WHERE session_id = ? AND seq > ${MARK_OF('events_max')}` },
  rewindOrders: {
    sql: `DELETE FROM orders WHERE session_id = ? AND rowid > ${MARK_OF('orders_max')}`,
    // Marks after this one point at rows that are gone.
    then: { sql: `DELETE FROM temp.rewind_marks WHERE session_id = ? AND mark > ?`, onlyIfInserted: false },
  },
  rewindOrderState: {
    // Params: [session, at]: orders touched at or after the mark's time get their fill and status back.
    sql: `UPDATE orders SET
            filled_lots = (SELECT COALESCE(SUM(f.size_lots), 0) FROM fills f WHERE f.session_id = orders.session_id AND f.client_order_id = orders.client_order_id),
            status = CASE WHEN EXISTS (SELECT 1 FROM order_events e WHERE e.session_id = orders.session_id AND e.client_order_id = orders.client_order_id
                                         AND e.type IN (${TERMINAL_EVENT_SQL}))
                            OR (SELECT COALESCE(SUM(f.size_lots), 0) FROM fills f WHERE f.session_id = orders.session_id AND f.client_order_id = orders.client_order_id) >= size_lots
                          THEN 'done' ELSE 'open' END
          WHERE session_id = ? AND updated_us >= ?`,
  },
  rewindPnl: { sql: `DELETE FROM pnl_snapshots WHERE session_id = ? AND seq > ${MARK_OF('pnl_max')}` },
  recording: {
    sql: `INSERT INTO recordings (path, venue, symbol, start_us, end_us, frames, bytes, indexed_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (path) DO UPDATE SET venue = excluded.venue, symbol = excluded.symbol, start_us = excluded.start_us,
            end_us = excluded.end_us, frames = excluded.frames, bytes = excluded.bytes, indexed_us = excluded.indexed_us`,
  },
};

/** The one write that is not queued: a new session, whose id the caller needs at once. */
export const INSERT_SESSION_SQL = `INSERT INTO sessions (venue, symbol, mode, tick_size, lot_size, params_json, recording, started_us,
    execution, endpoint, baseline_lots)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** What the core needs besides its connection. */
export interface WriterCoreConfig {
  /** Run once on the writer's connection before the statements are prepared (its TEMP tables). */
  readonly setupSql: string;
  readonly statements: { readonly [K in WriteOp]: WriteStatement };
  readonly insertSessionSql: string;
  readonly rowLevelCodePrefixes: readonly string[];
  /** Reported with each commit, so a test can prove where the commit ran. */
  readonly threadId: number;
}

/** A batch as the store hands it to the writer. `seq` increases by one per batch. */
export interface WriteBatch {
  readonly seq: number;
  readonly rows: readonly WriteRow[];
}

export interface CommittedReply {
  readonly type: 'committed';
  /** Every batch with seq <= this is durable now. */
  readonly committedThroughSeq: number;
  readonly rows: number;
  readonly durationMs: number;
  /** Wall-clock bounds of the transaction (ms since the epoch, sub-ms resolution). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly threadId: number;
  /** Indices (into the committed batches' rows, concatenated in seq order) of newly inserted fills. */
  readonly inserted: readonly number[];
  /** Rows the database refused on their own (a constraint): index and message; the rest committed. */
  readonly rejected: readonly (readonly [number, string])[];
}

export interface FailedReply {
  readonly type: 'failed';
  /** The last batch attempted; every attempted batch is retained by the writer and retried. */
  readonly throughSeq: number;
  readonly rows: number;
  readonly durationMs: number;
  /** The SQLite/errno code and message of the failure (the store maps them to a StoreError). */
  readonly code: string;
  readonly message: string;
}

export type CommitReply = CommittedReply | FailedReply;

export interface WriterSettings {
  readonly journalMode: string;
  readonly synchronous: number;
  readonly foreignKeys: boolean;
}

/** The core's interface, as both writers use it. */
export interface WriterCore {
  add(batch: WriteBatch): void;
  /** Rows handed in and not yet committed (retained across failed attempts). */
  pendingRows(): number;
  /** Commits every pending batch in one immediate transaction; null when nothing is pending. */
  commitPending(): CommitReply | null;
  /** Inserts a session in its own transaction and returns its id; throws the database's error. */
  openSession(params: readonly SqlValue[]): number;
  setMaxPageCount(pages: number): number;
  settings(): WriterSettings;
  /** `PRAGMA wal_checkpoint(PASSIVE)`: frames in the WAL and frames checkpointed. */
  checkpoint(): { readonly walFrames: number; readonly checkpointed: number; readonly durationMs: number };
}

/** Calls from the store to the writer thread, each answered by a `ResultReply` with the same id. */
export type WriterCall =
  | { readonly type: 'call'; readonly id: number; readonly op: 'sync' }
  | { readonly type: 'call'; readonly id: number; readonly op: 'openSession'; readonly params: readonly SqlValue[] }
  | { readonly type: 'call'; readonly id: number; readonly op: 'setMaxPageCount'; readonly pages: number }
  | { readonly type: 'call'; readonly id: number; readonly op: 'settings' }
  | { readonly type: 'call'; readonly id: number; readonly op: 'close' };

export type ToWriter = ({ readonly type: 'batch' } & WriteBatch) | WriterCall;

export type ResultReply =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

export type FromWriter =
  | CommitReply
  | ResultReply
  | { readonly type: 'ready'; readonly threadId: number }
  | { readonly type: 'ready-failed'; readonly code: string; readonly message: string }
  | { readonly type: 'checkpoint'; readonly walFrames: number; readonly checkpointed: number; readonly durationMs: number }
  | { readonly type: 'log'; readonly line: string };

/** What the writer thread receives as `workerData` (plus its port and the wake-up signal). */
export interface WorkerSetup {
  readonly sqlitePath: string;
  readonly nativeBinding: string | null;
  readonly file: string;
  readonly busyTimeoutMs: number;
  readonly maxPageCount: number | null;
  /** Delay after a commit before the writer runs a PASSIVE checkpoint (at most one pending). */
  readonly checkpointDelayMs: number;
  /** While faulted the writer retries its retained rows after this delay, doubling up to retryMaxMs. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly core: Omit<WriterCoreConfig, 'threadId'>;
}

/**
 * The core, as plain JavaScript (ES2020, no imports, no outer bindings): `createWriterCore(db, config)`.
 * Kept small and boring on purpose; its behaviour is covered by the store tests in both writer modes.
 */
export const WRITER_CORE_SOURCE = String.raw`
function createWriterCore(db, config) {
  db.exec(config.setupSql);
  const ops = {};
  for (const op of Object.keys(config.statements)) {
    const spec = config.statements[op];
    ops[op] = {
      stmt: db.prepare(spec.sql),
      then: spec.then ? db.prepare(spec.then.sql) : null,
      onlyIfInserted: spec.then ? spec.then.onlyIfInserted : false,
      reportInserted: spec.reportInserted === true,
    };
  }
  const insertSession = db.prepare(config.insertSessionSql);
  const prefixes = config.rowLevelCodePrefixes;
  const pending = [];
  let pendingRowCount = 0;

  function isRowLevel(error) {
    if (error instanceof TypeError || error instanceof RangeError) return true;
    const code = error && typeof error.code === 'string' ? error.code : '';
    for (let i = 0; i < prefixes.length; i++) if (code.startsWith(prefixes[i])) return true;
    return false;
  }

  const applyAll = db.transaction(() => {
    const inserted = [];
    const rejected = [];
    let index = 0;
    for (let b = 0; b < pending.length; b++) {
      const rows = pending[b].rows;
      for (let r = 0; r < rows.length; r++, index++) {
        const row = rows[r];
        const spec = ops[row.op];
        try {
          if (spec === undefined) throw new RangeError('unknown write op ' + String(row.op));
          const info = spec.stmt.run(row.params);
          const isNew = info.changes === 1;
          if (spec.then !== null && row.then !== null && (isNew || !spec.onlyIfInserted)) spec.then.run(row.then);
          if (spec.reportInserted && isNew) inserted.push(index);
        } catch (error) {
          if (!isRowLevel(error)) throw error;
          rejected.push([index, error instanceof Error ? error.message : String(error)]);
        }
      }
    }
    return { inserted, rejected };
  });

  function now() {
    return performance.timeOrigin + performance.now();
  }

  return {
    add(batch) {
      pending.push(batch);
      pendingRowCount += batch.rows.length;
    },
    pendingRows() {
      return pendingRowCount;
    },
    commitPending() {
      if (pending.length === 0) return null;
      const rows = pendingRowCount;
      const through = pending[pending.length - 1].seq;
      const startedAtMs = now();
      try {
        const outcome = applyAll.immediate();
        const endedAtMs = now();
        pending.length = 0;
        pendingRowCount = 0;
        return {
          type: 'committed', committedThroughSeq: through, rows, durationMs: endedAtMs - startedAtMs, startedAtMs, endedAtMs,
          threadId: config.threadId, inserted: outcome.inserted, rejected: outcome.rejected,
        };
      } catch (error) {
        // why: the transaction rolled back as a whole, so every pending row is still to be written: keep them all.
        return {
          type: 'failed', throughSeq: through, rows, durationMs: now() - startedAtMs,
          code: error && typeof error.code === 'string' ? error.code : '',
          message: error instanceof Error ? error.message : String(error),
        };
      }
    },
    openSession(params) {
      return Number(insertSession.run(params).lastInsertRowid);
    },
    setMaxPageCount(pages) {
      return db.pragma('max_page_count = ' + Math.max(1, Math.floor(pages)), { simple: true });
    },
    settings() {
      return {
        journalMode: String(db.pragma('journal_mode', { simple: true })),
        synchronous: db.pragma('synchronous', { simple: true }),
        foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
      };
    },
    checkpoint() {
      const started = performance.now();
      const row = db.pragma('wal_checkpoint(PASSIVE)')[0] || { log: -1, checkpointed: -1 };
      return { walFrames: row.log, checkpointed: row.checkpointed, durationMs: performance.now() - started };
    },
  };
}
`;

/**
 * The writer thread: opens the one write connection (WAL is already set by the main thread's open;
 * synchronous=FULL, no automatic checkpoints), then applies batches in arrival order. Batches that arrive
 * while a commit runs are grouped into the next transaction (group commit); after a failure the rows are
 * retained and retried with backoff (or at once on a 'sync' call); a PASSIVE checkpoint runs between
 * batches, never inside one. Every message it posts is followed by a bump of the shared signal, so the
 * main thread can wait for it synchronously (Atomics.wait + receiveMessageOnPort).
 */
export const WORKER_SOURCE = `${WRITER_CORE_SOURCE}
(function main() {
  const threads = require('node:worker_threads');
  const setup = threads.workerData;
  const port = setup.port;
  const signal = new Int32Array(setup.signal);
  function send(message) {
    port.postMessage(message);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
  function codeOf(error) {
    return error && typeof error.code === 'string' ? error.code : '';
  }
  function messageOf(error) {
    return error instanceof Error ? error.message : String(error);
  }
  let db = null;
  let core = null;
  try {
    const Database = require(setup.sqlitePath);
    const options = { fileMustExist: true, timeout: setup.busyTimeoutMs };
    if (setup.nativeBinding) options.nativeBinding = setup.nativeBinding;
    db = new Database(setup.file, options);
    const mode = db.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') throw new Error('the database is not in WAL mode (got "' + String(mode) + '")');
    db.pragma('synchronous = FULL');
    db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
    // why: checkpoints run between batches below, never inside a commit.
    db.pragma('wal_autocheckpoint = 0');
    if (setup.maxPageCount !== null) db.pragma('max_page_count = ' + Math.max(1, Math.floor(setup.maxPageCount)));
    core = createWriterCore(db, Object.assign({}, setup.core, { threadId: threads.threadId }));
  } catch (error) {
    try { if (db !== null) db.close(); } catch (_) { /* the first error is the one to report */ }
    send({ type: 'ready-failed', code: codeOf(error), message: messageOf(error) });
    port.close();
    return;
  }

  let faulted = false;
  let commitScheduled = false;
  let retryTimer = null;
  let retryMs = setup.retryMinMs;
  let checkpointTimer = null;
  let closed = false;

  function commitNow() {
    commitScheduled = false;
    if (closed) return;
    const reply = core.commitPending();
    if (reply === null) return;
    send(reply);
    if (reply.type === 'committed') {
      faulted = false;
      retryMs = setup.retryMinMs;
      if (retryTimer !== null) { clearTimeout(retryTimer); retryTimer = null; }
      if (checkpointTimer === null) checkpointTimer = setTimeout(checkpoint, setup.checkpointDelayMs);
    } else {
      faulted = true;
      if (retryTimer === null) {
        retryTimer = setTimeout(() => { retryTimer = null; commitNow(); }, retryMs);
        retryMs = Math.min(retryMs * 2, setup.retryMaxMs);
      }
    }
  }

  function checkpoint() {
    checkpointTimer = null;
    if (closed) return;
    // why: rows already waiting go first; the checkpoint may take a while and must not delay them.
    if (core.pendingRows() > 0 && !faulted) commitNow();
    try {
      const result = core.checkpoint();
      send({ type: 'checkpoint', walFrames: result.walFrames, checkpointed: result.checkpointed, durationMs: result.durationMs });
    } catch (error) {
      send({ type: 'log', line: 'store: checkpoint failed (' + messageOf(error) + ')' });
    }
  }

  function answer(id, fn) {
    try {
      send({ type: 'result', id, ok: true, value: fn() });
    } catch (error) {
      send({ type: 'result', id, ok: false, code: codeOf(error), message: messageOf(error) });
    }
  }

  port.on('message', (message) => {
    if (closed) return;
    if (message.type === 'batch') {
      core.add({ seq: message.seq, rows: message.rows });
      // why: let every batch already queued on the port join this transaction (group commit).
      if (!faulted && !commitScheduled) { commitScheduled = true; setImmediate(commitNow); }
      return;
    }
    switch (message.op) {
      case 'sync':
        commitNow();
        answer(message.id, () => core.pendingRows());
        return;
      case 'openSession':
        commitNow();
        answer(message.id, () => core.openSession(message.params));
        return;
      case 'setMaxPageCount':
        answer(message.id, () => core.setMaxPageCount(message.pages));
        return;
      case 'settings':
        answer(message.id, () => core.settings());
        return;
      case 'close':
        commitNow();
        if (core.pendingRows() > 0) {
          send({ type: 'result', id: message.id, ok: false, code: 'RETAINED', message: core.pendingRows() + ' rows are not committed' });
          return;
        }
        closed = true;
        if (retryTimer !== null) clearTimeout(retryTimer);
        if (checkpointTimer !== null) clearTimeout(checkpointTimer);
        answer(message.id, () => { db.close(); return true; });
        port.close();
        return;
      default:
        send({ type: 'result', id: message.id, ok: false, code: 'EPROTO', message: 'unknown call ' + String(message.op) });
    }
  });
  send({ type: 'ready', threadId: threads.threadId });
})();
`;

/** The core for the 'inline' writer, built from the very same source the writer thread runs. */
export function loadInlineWriterCore(db: Database.Database, config: WriterCoreConfig): WriterCore {
  // why: one implementation for both writers; `new Function` only evaluates our own constant source.
  const factory = new Function(`${WRITER_CORE_SOURCE}\nreturn createWriterCore;`)() as (db: Database.Database, config: WriterCoreConfig) => WriterCore;
  return factory(db, config);
}
