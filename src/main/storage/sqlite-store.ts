/**
 * The durable SQLite store: one writer, statements prepared once, a write queue, and reads that see
 * committed data only. Threading and durability, in the default `writer: 'worker'` mode:
 *
 * - Write methods (`recordFill`, `journalOrder`, `audit`, ...) only append a row to an in-memory queue;
 *   the store schedules `flush()` right after the current event-loop turn. `flush()` turns the queue into
 *   plain rows, posts them to the writer thread (a `worker_threads` Worker that owns the ONE write
 *   connection: WAL, `synchronous=FULL`, statements prepared once) and returns at once: the engine loop
 *   never waits on the disk. The writer commits every batch that has arrived in ONE immediate transaction
 *   (group commit), runs WAL checkpoints itself between batches (automatic checkpoints are off), and
 *   posts back `{ committedThroughSeq, durationMs, rows }`. Order of writes is preserved (one writer, FIFO).
 * - `onCommitted(listener)` fires on the main thread with the newly inserted fills of each batch AFTER the
 *   writer confirmed its commit: publish fills from there and everything published is on disk (a committed
 *   row survives a power cut). A batch slower than `slowWriteMs` is logged with its duration and row count.
 * - `flushSync()` (and `close()`, `openSession()`) wait for the writer's confirmation with `Atomics.wait`
 *   on a shared signal plus `receiveMessageOnPort`, so shutdown, tests, the CLI and read-your-writes stay
 *   synchronous; only they can block the calling thread on the disk.
 * - Reads (`fills()`, `sessions()`, `unfinishedSession()`, exports, ...) run on the main thread on a
 *   separate connection (`query_only`; WAL readers never block the writer) and see COMMITTED data only: a
 *   row handed off but not yet confirmed is not visible. Call `flushSync()` first where read-your-writes
 *   is needed.
 * - A failed commit (full disk, I/O error) keeps every row (the writer retains them and retries with
 *   backoff, or at once on `flushSync()`), raises `onFault` with the `StoreError` once, and makes `flush()`
 *   throw that fault after its hand-off for as long as it lasts (so a caller that halts on a throwing
 *   flush keeps working); the next successful commit clears it and fires `onFaultCleared`. A single bad
 *   row (a constraint) is dropped with a log line naming it rather than blocking the queue.
 *
 * `writer: 'inline'` is the previous behaviour for small tools and tests: the same writer code runs on
 * the calling thread, `flush()` commits synchronously and throws on failure. An in-memory database is
 * always inline. Opening (checks, WAL, migrations) runs synchronously on the main thread BEFORE the writer
 * starts, so every open-time error (corrupt, newer-version, read-only, cannot-create, not-a-database) is
 * thrown by `openStore` and the file's bytes stay as they were: nothing is ever repaired or rewritten
 * silently. No transaction spans an await.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker, receiveMessageOnPort, threadId as mainThreadId } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { DeskParams } from '../../shared/params.js';
import { DecimalGrid, assertNever } from '../../shared/units.js';
import type { LocalUs, Lots, Side } from '../../shared/units.js';
import type { Fill, OrderPurpose, OrderRequest, TimeInForce } from '../execution/types.js';
import { ROW_LEVEL_CODE_PREFIXES, StoreError, errorCodeOf, isRowLevelError, toStoreError } from './errors.js';
import { SCHEMA_VERSION, migrate, schemaVersionOf } from './migrations.js';
import type {
  AuditEntry,
  ExecutionMode,
  OrderEventType,
  PnlSnapshot,
  RecoveredSession,
  SessionMeta,
  SessionMode,
  SessionRow,
  SessionSummary,
  Store,
  StoredFill,
  StoredOrder,
} from './types.js';
import { INSERT_SESSION_SQL, WORKER_SOURCE, WRITER_SETUP_SQL, WRITE_STATEMENTS, loadInlineWriterCore } from './writer-core.js';
import type { CommitReply, FromWriter, ResultReply, SqlValue, WorkerSetup, WriteRow, WriterCall, WriterCore, WriterSettings } from './writer-core.js';

export interface OpenStoreOptions {
  /** Open for reading only (exports, inspection): every write throws a 'read-only' StoreError. */
  readonly readonly?: boolean;
  /** Path of a better-sqlite3 native addon built for another ABI (Electron). */
  readonly nativeBinding?: string;
  /** Commits slower than this are logged with their duration and row count. Default 20 ms. */
  readonly slowWriteMs?: number;
  /** Where log lines go. Default: stderr. */
  readonly logger?: (line: string) => void;
  /** How the store schedules its own flush after queuing a write. Default: `setImmediate`. */
  readonly scheduleFlush?: (fn: () => void) => void;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` when opening an existing file (a corrupt file is refused). Default true. */
  readonly checkIntegrity?: boolean;
  /** A page quota (`PRAGMA max_page_count`): writes beyond it fail like a full disk. */
  readonly maxPageCount?: number;
  /** Where commits run: a writer thread (default) or the calling thread (the previous behaviour). */
  readonly writer?: 'worker' | 'inline';
  /** Resolved path of the better-sqlite3 package for the writer thread. Default: resolved from here. */
  readonly betterSqlite3Path?: string;
  /** How long `flushSync`/`close`/`openSession` wait for the writer thread before failing. Default 120 s. */
  readonly writerTimeoutMs?: number;
  /** Delay after a commit before the writer runs a PASSIVE WAL checkpoint. Default 200 ms. */
  readonly checkpointDelayMs?: number;
  /** Benchmarks: told how long each main-thread hand-off (flush) and confirmation took. */
  readonly measureMainThread?: (what: 'hand-off' | 'confirm', ms: number) => void;
}

/** An order as journaled, with everything the intent carried. */
export interface OrderRecord extends StoredOrder {
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly purpose: OrderPurpose;
  readonly updatedUs: LocalUs;
  /** Price and size as the instrument prints them. */
  readonly priceText: string;
  readonly sizeText: string;
}

export interface OrderEventRecord {
  readonly sessionId: number;
  readonly clientOrderId: string;
  readonly type: OrderEventType;
  readonly localUs: LocalUs;
  readonly detail: Record<string, unknown>;
}

/** A stored fill with its decimal texts and its session's instrument grid, for display and exports. */
export interface FillRecord extends StoredFill {
  readonly priceText: string;
  readonly sizeText: string;
  readonly tickSize: string;
  readonly lotSize: string;
  /** Whether the fill's session traded for real. */
  readonly execution: ExecutionMode;
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
}

export interface MarkoutRecord {
  readonly sessionId: number;
  readonly fillId: string;
  readonly horizonSec: number;
  readonly markoutBps: number;
}

export interface RecordingEntry {
  readonly path: string;
  readonly venue: string;
  readonly symbol: string;
  readonly startUs: LocalUs | null;
  readonly endUs: LocalUs | null;
  readonly frames: number;
  readonly bytes: number;
}

export interface StoreStats {
  /** Rows not yet confirmed durable: queued plus handed off (or retained after a failure). */
  readonly pending: number;
  readonly commits: number;
  readonly rowsCommitted: number;
  readonly rowsRejected: number;
  /** Duration of the last / longest commit transaction (in the writer thread in worker mode). */
  readonly lastCommitMs: number;
  readonly maxCommitMs: number;
  /** Every batch up to this sequence number is durable (batches are numbered from 1 per store). */
  readonly committedThroughSeq: number;
  readonly checkpoints: number;
  readonly maxCheckpointMs: number;
}

/** One confirmed commit, as `onBatchCommitted` reports it. */
export interface CommitInfo {
  /** Every batch up to this sequence number is durable. */
  readonly committedThroughSeq: number;
  readonly rows: number;
  readonly durationMs: number;
  /** Wall-clock bounds of the transaction, ms since the epoch (sub-ms resolution). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** The thread the transaction ran on (0 = main thread). */
  readonly threadId: number;
  /** Newly inserted fills of the commit. */
  readonly fills: readonly StoredFill[];
}

type Op =
  | { readonly kind: 'fill'; readonly fill: StoredFill }
  | { readonly kind: 'order'; readonly sessionId: number; readonly request: OrderRequest; readonly localUs: LocalUs }
  | {
      readonly kind: 'event';
      readonly sessionId: number;
      readonly clientOrderId: string;
      readonly type: OrderEventType;
      readonly localUs: LocalUs;
      readonly detail: Record<string, unknown> | undefined;
    }
  | { readonly kind: 'markout'; readonly sessionId: number; readonly fillId: string; readonly horizonSec: number; readonly markoutBps: number }
  | { readonly kind: 'audit'; readonly entry: AuditEntry }
  | { readonly kind: 'pnl'; readonly snapshot: PnlSnapshot }
  | { readonly kind: 'end'; readonly sessionId: number; readonly endedUs: LocalUs; readonly summary: SessionSummary }
  | { readonly kind: 'baseline'; readonly sessionId: number; readonly baselineLots: Lots }
  | { readonly kind: 'recording'; readonly entry: RecordingEntry; readonly localUs: LocalUs }
  | { readonly kind: 'mark'; readonly sessionId: number; readonly mark: number }
  | { readonly kind: 'rewind'; readonly step: RewindStep; readonly sessionId: number; readonly mark: number; readonly atUs: LocalUs };

/** The writes of one rewind, in the order they must run (markouts before their fills). */
const REWIND_STEPS = ['rewindMarkouts', 'rewindFills', 'rewindOrderEvents', 'rewindOrders', 'rewindOrderState', 'rewindPnl'] as const;
type RewindStep = (typeof REWIND_STEPS)[number];

interface SessionDbRow {
  id: number;
  venue: string;
  symbol: string;
  mode: string;
  tick_size: string;
  lot_size: string;
  params_json: string;
  recording: string | null;
  started_us: number;
  ended_us: number | null;
  realized_pnl: number | null;
  total_pnl: number | null;
  fill_count: number;
  execution: string;
  endpoint: string | null;
  baseline_lots: number | null;
}

interface FillDbRow {
  session_id: number;
  fill_id: string;
  client_order_id: string;
  side: string;
  price_ticks: number;
  price: string;
  size_lots: number;
  size: string;
  fee: number;
  liquidity: string;
  mid_at_fill: number | null;
  fair_value_at_fill: number | null;
  inventory_after: number;
  local_us: number;
  /** NULL on fills stored before migration 3 (their execution time was not kept). */
  exch_us: number | null;
  tick_size: string;
  lot_size: string;
  execution: string;
}

interface OrderDbRow {
  session_id: number;
  client_order_id: string;
  side: string;
  price_ticks: number;
  price: string;
  size_lots: number;
  size: string;
  time_in_force: string;
  post_only: number;
  purpose: string;
  created_us: number;
  status: string;
  filled_lots: number;
  updated_us: number;
}

interface OrderEventDbRow {
  session_id: number;
  client_order_id: string;
  type: string;
  local_us: number;
  detail_json: string;
}

interface AuditDbRow {
  seq: number;
  session_id: number | null;
  local_us: number;
  who: string;
  action: string;
  detail_json: string;
}

interface PnlDbRow {
  session_id: number;
  local_us: number;
  inventory_lots: number;
  cash: number;
  realized: number;
  unrealized: number;
  fees: number;
  mid: number | null;
}

interface RecordingDbRow {
  path: string;
  venue: string;
  symbol: string;
  start_us: number | null;
  end_us: number | null;
  frames: number;
  bytes: number;
}

interface Grids {
  readonly tick: DecimalGrid;
  readonly lot: DecimalGrid;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const SIDECARS = ['-wal', '-shm', '-journal'] as const;
const TERMINAL_EVENTS: ReadonlySet<OrderEventType> = new Set<OrderEventType>(['reject', 'cancelled', 'expired', 'ioc-remainder', 'filled']);

const FILL_COLUMNS = `f.session_id, f.fill_id, f.client_order_id, f.side, f.price_ticks, f.price, f.size_lots, f.size, f.fee,
  f.liquidity, f.mid_at_fill, f.fair_value_at_fill, f.inventory_after, f.local_us, f.exch_us, s.tick_size, s.lot_size, s.execution`;
const SESSION_COLUMNS = `s.id, s.venue, s.symbol, s.mode, s.tick_size, s.lot_size, s.params_json, s.recording, s.started_us,
  s.ended_us, s.realized_pnl, s.total_pnl, (SELECT count(*) FROM fills f WHERE f.session_id = s.id) AS fill_count,
  s.execution, s.endpoint, s.baseline_lots`;
const ORDER_COLUMNS = `session_id, client_order_id, side, price_ticks, price, size_lots, size, time_in_force, post_only, purpose,
  created_us, status, filled_lots, updated_us`;

function defaultLogger(line: string): void {
  process.stderr.write(`${line}\n`);
}

function nanToNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function nullToNan(value: number | null): number {
  return value === null ? Number.NaN : value;
}

function parseDetail(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

function asSide(text: string): Side {
  if (text === 'buy' || text === 'sell') return text;
  throw new RangeError(`stored side is not buy/sell: ${text}`);
}

function asMode(text: string): SessionMode {
  if (text === 'live' || text === 'replay' || text === 'backtest') return text;
  throw new RangeError(`stored session mode is unknown: ${text}`);
}

function asEventType(text: string): OrderEventType {
  switch (text) {
    case 'sent':
    case 'ack':
    case 'reject':
    case 'cancel-requested':
    case 'cancelled':
    case 'expired':
    case 'ioc-remainder':
    case 'filled':
    case 'untracked':
      return text;
    default:
      throw new RangeError(`stored order event type is unknown: ${text}`);
  }
}

function toSessionRow(row: SessionDbRow): SessionRow {
  return {
    id: row.id,
    venue: row.venue,
    symbol: row.symbol,
    mode: asMode(row.mode),
    tickSize: row.tick_size,
    lotSize: row.lot_size,
    // why: the params were validated by the desk when the session started; a later schema may not accept them.
    params: JSON.parse(row.params_json) as DeskParams,
    recording: row.recording,
    startedUs: row.started_us,
    endedUs: row.ended_us,
    fillCount: row.fill_count,
    realizedPnl: row.realized_pnl,
    totalPnl: row.total_pnl,
    execution: row.execution === 'live' ? 'live' : 'paper',
    endpoint: row.endpoint,
    baselineLots: row.baseline_lots,
  };
}

function toFillRecord(row: FillDbRow): FillRecord {
  return {
    sessionId: row.session_id,
    fillId: row.fill_id,
    clientOrderId: row.client_order_id,
    side: asSide(row.side),
    price: row.price_ticks,
    size: row.size_lots,
    fee: row.fee,
    liquidity: row.liquidity === 'taker' ? 'taker' : 'maker',
    localUs: row.local_us,
    // why: a fill stored before execution times were kept reads as executed when it was received.
    exchUs: row.exch_us ?? row.local_us,
    midAtFill: nullToNan(row.mid_at_fill),
    fairValueAtFill: nullToNan(row.fair_value_at_fill),
    inventoryAfter: row.inventory_after,
    priceText: row.price,
    sizeText: row.size,
    tickSize: row.tick_size,
    lotSize: row.lot_size,
    execution: row.execution === 'live' ? 'live' : 'paper',
  };
}

function toOrderRecord(row: OrderDbRow): OrderRecord {
  return {
    sessionId: row.session_id,
    clientOrderId: row.client_order_id,
    side: asSide(row.side),
    price: row.price_ticks,
    size: row.size_lots,
    filled: row.filled_lots,
    status: row.status === 'done' ? 'done' : 'open',
    createdUs: row.created_us,
    timeInForce: row.time_in_force === 'ioc' ? 'ioc' : 'gtc',
    postOnly: row.post_only === 1,
    purpose: row.purpose === 'flatten' ? 'flatten' : 'quote',
    updatedUs: row.updated_us,
    priceText: row.price,
    sizeText: row.size,
  };
}

function toAuditRecord(row: AuditDbRow): AuditRecord {
  return {
    seq: row.seq,
    sessionId: row.session_id ?? 0,
    localUs: row.local_us,
    who: row.who,
    action: row.action,
    detail: parseDetail(row.detail_json),
  };
}

/** Probes by creating (and removing) a file: `access(2)` answers for the real uid and misses read-only mounts. */
function probeDirectory(dir: string): string | null {
  const probe = join(dir, `.quotedesk-probe-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    return null;
  } catch (error) {
    return errorCodeOf(error) || 'EIO';
  }
}

function probeFileWritable(file: string): string | null {
  try {
    closeSync(openSync(file, 'r+'));
    return null;
  } catch (error) {
    return errorCodeOf(error) || 'EIO';
  }
}

function readHeader(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    return header.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

interface InflightBatch {
  readonly seq: number;
  readonly ops: readonly Op[];
}

interface WorkerWriter {
  readonly kind: 'worker';
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}

interface InlineWriter {
  readonly kind: 'inline';
  readonly core: WriterCore;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/** An Error carrying the SQLite/errno code the writer reported, for `toStoreError`. */
function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

let sqliteModulePath: string | null = null;
function betterSqlite3Path(): string {
  // why: resolved from this module (source or bundle), so the writer thread loads the very same package.
  sqliteModulePath ??= createRequire(import.meta.url).resolve('better-sqlite3');
  return sqliteModulePath;
}

export class SqliteStore implements Store {
  readonly path: string;
  readonly readonly: boolean;

  /** The main thread's connection: all reads; in inline mode also the writes. */
  private readonly db: Database.Database;
  private readonly logger: (line: string) => void;
  private readonly schedule: (fn: () => void) => void;
  private readonly slowWriteMs: number;
  private readonly writerTimeoutMs: number;
  private readonly measure: ((what: 'hand-off' | 'confirm', ms: number) => void) | null;
  private readonly grids = new Map<number, Grids>();
  private readonly writer: WorkerWriter | InlineWriter | null;
  /** Writes not yet handed to the writer. */
  private queue: Op[] = [];
  /** Batches handed to the writer and not yet confirmed (retained by the writer after a failure). */
  private readonly inflight: InflightBatch[] = [];
  private inflightRows = 0;
  private nextBatchSeq = 1;
  private committedThroughSeqValue = 0;
  private nextCallId = 1;
  private readonly callResults = new Map<number, ResultReply>();
  private writerThreadIdValue: number = mainThreadId;
  private writerStartFailure: StoreError | null = null;
  private writerReady = false;
  private writerGone: StoreError | null = null;
  private scheduled = false;
  private closed = false;
  private currentFault: StoreError | null = null;
  private readonly faultListeners = new Set<(error: StoreError) => void>();
  private readonly faultClearedListeners = new Set<() => void>();
  private readonly commitListeners = new Set<(fills: readonly StoredFill[]) => void>();
  private readonly commitListenersDetailed = new Set<(commit: CommitInfo) => void>();
  /** `whenCommitted` callers, oldest first, each waiting for its batch's confirmation. */
  private commitWaiters: Array<{ readonly seq: number; readonly settle: (fault: StoreError | null) => void }> = [];
  private commits = 0;
  private rowsCommitted = 0;
  private rowsRejected = 0;
  private lastCommitMs = 0;
  private maxCommitMs = 0;
  private checkpoints = 0;
  private maxCheckpointMs = 0;

  private readonly stmt: ReturnType<SqliteStore['prepareStatements']>;
  private readonly scheduledFlush = (): void => {
    this.scheduled = false;
    if (this.closed || this.queue.length === 0) return;
    try {
      this.flush();
    } catch {
      // why: the fault was already logged and told to the fault listeners; the rows are kept.
    }
  };

  /** Use `openStore`: it checks and migrates the file before handing a connection here. */
  constructor(db: Database.Database, path: string, readonly: boolean, options: OpenStoreOptions) {
    this.db = db;
    this.path = path;
    this.readonly = readonly;
    this.logger = options.logger ?? defaultLogger;
    this.schedule = options.scheduleFlush ?? ((fn) => void setImmediate(fn));
    this.slowWriteMs = options.slowWriteMs ?? 20;
    this.writerTimeoutMs = options.writerTimeoutMs ?? 120_000;
    this.measure = options.measureMainThread ?? null;
    this.stmt = this.prepareStatements();
    const coreConfig = { setupSql: WRITER_SETUP_SQL, statements: WRITE_STATEMENTS, insertSessionSql: INSERT_SESSION_SQL, rowLevelCodePrefixes: ROW_LEVEL_CODE_PREFIXES };
    if (readonly) {
      this.writer = null;
    } else if ((options.writer ?? 'worker') === 'inline' || path === ':memory:') {
      this.writer = { kind: 'inline', core: loadInlineWriterCore(db, { ...coreConfig, threadId: mainThreadId }) };
    } else {
      // why: this connection only reads from now on; checkpoints belong to the writer, between its batches.
      db.pragma('wal_autocheckpoint = 0');
      db.pragma('query_only = 1');
      this.writer = this.startWorker({
        sqlitePath: options.betterSqlite3Path ?? betterSqlite3Path(),
        nativeBinding: options.nativeBinding ?? null,
        file: path,
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
        maxPageCount: options.maxPageCount ?? null,
        checkpointDelayMs: options.checkpointDelayMs ?? 200,
        retryMinMs: RETRY_MIN_MS,
        retryMaxMs: RETRY_MAX_MS,
        core: coreConfig,
      });
    }
  }

  private startWorker(setup: WorkerSetup): WorkerWriter {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...setup, port: port2, signal: shared }, transferList: [port2] });
    } catch (error) {
      port1.close();
      throw toStoreError(error, this.path, 'starting the writer thread');
    }
    const writer: WorkerWriter = { kind: 'worker', worker, port: port1, signal: new Int32Array(shared) };
    port1.on('message', (message: FromWriter) => this.onWriterMessage(message));
    // why: an idle store must not keep the process alive; the port is ref'd only while batches are in flight
    // (after `on('message')`, which refs the port itself).
    worker.unref();
    port1.unref();
    worker.on('error', (error) => this.onWriterGone(toStoreError(error, this.path, 'in the writer thread')));
    worker.on('exit', (code) => {
      if (!this.closed) this.onWriterGone(new StoreError('io', this.path, `the writer thread exited (code ${code}); writes are kept in memory`));
    });
    try {
      this.waitUntil(writer, () => this.writerReady || this.writerStartFailure !== null, 'starting the writer thread');
    } catch (error) {
      void worker.terminate();
      port1.close();
      throw error;
    }
    if (this.writerStartFailure !== null) {
      port1.close();
      throw this.writerStartFailure;
    }
    return writer;
  }

  private prepareStatements() {
    const db = this.db;
    return {
      sessionGrid: db.prepare<[number], { tick_size: string; lot_size: string }>(`SELECT tick_size, lot_size FROM sessions WHERE id = ?`),
      fillsAll: db.prepare<[number], FillDbRow>(
        `SELECT ${FILL_COLUMNS} FROM fills f JOIN sessions s ON s.id = f.session_id ORDER BY f.seq DESC LIMIT ?`,
      ),
      fillsOfSession: db.prepare<[number, number], FillDbRow>(
        `SELECT ${FILL_COLUMNS} FROM fills f JOIN sessions s ON s.id = f.session_id WHERE f.session_id = ? ORDER BY f.seq DESC LIMIT ?`,
      ),
      fillsOldestFirstAll: db.prepare<[], FillDbRow>(
        `SELECT ${FILL_COLUMNS} FROM fills f JOIN sessions s ON s.id = f.session_id ORDER BY f.seq ASC`,
      ),
      fillsOldestFirst: db.prepare<[number], FillDbRow>(
        `SELECT ${FILL_COLUMNS} FROM fills f JOIN sessions s ON s.id = f.session_id WHERE f.session_id = ? ORDER BY f.seq ASC`,
      ),
      hasFill: db.prepare<[number, string], { one: number }>(`SELECT 1 AS one FROM fills WHERE session_id = ? AND fill_id = ?`),
      sessions: db.prepare<[number], SessionDbRow>(`SELECT ${SESSION_COLUMNS} FROM sessions s ORDER BY s.id DESC LIMIT ?`),
      session: db.prepare<[number], SessionDbRow>(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ?`),
      unfinished: db.prepare<[string, string], SessionDbRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.venue = ? AND s.symbol = ? AND s.ended_us IS NULL ORDER BY s.id DESC LIMIT 1`,
      ),
      openOrders: db.prepare<[number], OrderDbRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE session_id = ? AND status = 'open' ORDER BY created_us, rowid`,
      ),
      ordersOfSession: db.prepare<[number], OrderDbRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE session_id = ? ORDER BY created_us, rowid`),
      ordersAll: db.prepare<[], OrderDbRow>(`SELECT ${ORDER_COLUMNS} FROM orders ORDER BY session_id, created_us, rowid`),
      order: db.prepare<[number, string], OrderDbRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE session_id = ? AND client_order_id = ?`),
      eventsOfOrder: db.prepare<[number, string], OrderEventDbRow>(
        `SELECT session_id, client_order_id, type, local_us, detail_json FROM order_events
         WHERE session_id = ? AND client_order_id = ? ORDER BY seq`,
      ),
      eventsOfSession: db.prepare<[number], OrderEventDbRow>(
        `SELECT session_id, client_order_id, type, local_us, detail_json FROM order_events WHERE session_id = ? ORDER BY seq`,
      ),
      auditAll: db.prepare<[], AuditDbRow>(`SELECT seq, session_id, local_us, who, action, detail_json FROM audit ORDER BY seq`),
      auditOfSession: db.prepare<[number], AuditDbRow>(
        `SELECT seq, session_id, local_us, who, action, detail_json FROM audit WHERE session_id = ? ORDER BY seq`,
      ),
      markouts: db.prepare<[number], MarkoutRecord>(
        `SELECT session_id AS sessionId, fill_id AS fillId, horizon_sec AS horizonSec, markout_bps AS markoutBps
         FROM markouts WHERE session_id = ? ORDER BY fill_id, horizon_sec`,
      ),
      pnlSnapshots: db.prepare<[number, number], PnlDbRow>(
        `SELECT session_id, local_us, inventory_lots, cash, realized, unrealized, fees, mid FROM pnl_snapshots
         WHERE session_id = ? ORDER BY seq DESC LIMIT ?`,
      ),
      recordings: db.prepare<[number], RecordingDbRow>(
        `SELECT path, venue, symbol, start_us, end_us, frames, bytes FROM recordings ORDER BY start_us DESC, id DESC LIMIT ?`,
      ),
    };
  }

  // ---------------------------------------------------------------- writes (queued)

  /**
   * Starts a session and returns its id. The one write that is not queued: the caller needs the id now,
   * so it waits for its own commit (in worker mode after handing off what is queued, to keep the order).
   */
  openSession(meta: SessionMeta): number {
    this.assertWritable();
    const grids: Grids = { tick: new DecimalGrid(meta.tickSize), lot: new DecimalGrid(meta.lotSize) };
    const params: SqlValue[] = [
      meta.venue,
      meta.symbol,
      meta.mode,
      meta.tickSize,
      meta.lotSize,
      JSON.stringify(meta.params),
      meta.recording,
      meta.startedUs,
      meta.execution ?? 'paper',
      meta.endpoint ?? null,
      meta.baselineLots ?? null,
    ];
    try {
      let id: number;
      const writer = this.writer;
      if (writer === null) throw new StoreError('read-only', this.path, 'the store was opened read-only; writes are refused');
      if (writer.kind === 'inline') {
        id = writer.core.openSession(params);
      } else {
        this.handOff(writer);
        id = Number(this.expectOk(this.call(writer, { type: 'call', id: this.nextCallId++, op: 'openSession', params })));
      }
      this.grids.set(id, grids);
      return id;
    } catch (error) {
      const storeError = toStoreError(error, this.path, 'starting a session');
      this.raiseFault(storeError);
      throw storeError;
    }
  }

  endSession(sessionId: number, endedUs: LocalUs, summary: SessionSummary): void {
    this.enqueue({ kind: 'end', sessionId, endedUs, summary });
  }

  setBaseline(sessionId: number, baselineLots: Lots): void {
    this.enqueue({ kind: 'baseline', sessionId, baselineLots });
  }

  journalOrder(sessionId: number, request: OrderRequest, localUs: LocalUs): void {
    this.enqueue({ kind: 'order', sessionId, request, localUs });
  }

  recordOrderEvent(sessionId: number, clientOrderId: string, type: OrderEventType, localUs: LocalUs, detail?: Record<string, unknown>): void {
    this.enqueue({ kind: 'event', sessionId, clientOrderId, type, localUs, detail });
  }

  recordFill(fill: StoredFill): void {
    this.enqueue({ kind: 'fill', fill });
  }

  /**
   * Reconciliation found a fill at the venue that the store did not have: records it (idempotently) and
   * an 'untracked' event on its order, in the same batch.
   */
  recordUntrackedFill(fill: StoredFill, localUs: LocalUs, detail?: Record<string, unknown>): void {
    this.enqueue({ kind: 'fill', fill });
    this.enqueue({
      kind: 'event',
      sessionId: fill.sessionId,
      clientOrderId: fill.clientOrderId,
      type: 'untracked',
      localUs,
      detail: { fillId: fill.fillId, side: fill.side, price: fill.price, size: fill.size, ...detail },
    });
  }

  recordMarkout(sessionId: number, fillId: string, horizonSec: number, markoutBps: number): void {
    this.enqueue({ kind: 'markout', sessionId, fillId, horizonSec, markoutBps });
  }

  audit(entry: AuditEntry): void {
    this.enqueue({ kind: 'audit', entry });
  }

  recordPnl(snapshot: PnlSnapshot): void {
    this.enqueue({ kind: 'pnl', snapshot });
  }

  markPoint(sessionId: number, mark: number): void {
    this.enqueue({ kind: 'mark', sessionId, mark });
  }

  rewindTo(sessionId: number, mark: number, atUs: LocalUs): void {
    for (const step of REWIND_STEPS) this.enqueue({ kind: 'rewind', step, sessionId, mark, atUs });
  }

  /** Adds or updates (by path) a recording in the recordings index. */
  indexRecording(entry: RecordingEntry, localUs: LocalUs): void {
    this.enqueue({ kind: 'recording', entry, localUs });
  }

  private enqueue(op: Op): void {
    this.assertWritable();
    this.queue.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.scheduledFlush);
    }
  }

  /**
   * Hands every queued write to the writer. Worker mode: posts the batch and returns at once (durable
   * later, see `onCommitted`); throws the current fault, AFTER the hand-off, while the store is faulted.
   * Inline mode: commits now in one transaction and throws a `StoreError` if that fails (rows kept).
   */
  flush(): void {
    this.assertOpen();
    const writer = this.writer;
    if (writer === null) return;
    const started = this.measure === null ? 0 : performance.now();
    try {
      this.handOff(writer);
      if (writer.kind === 'inline') this.commitInline(writer);
      else if (this.writerGone !== null) throw this.writerGone;
      else if (this.currentFault !== null) throw this.currentFault;
    } finally {
      if (this.measure !== null) this.measure('hand-off', performance.now() - started);
    }
  }

  /**
   * Hands off what is queued and waits until the writer has committed everything handed off so far
   * (read-your-writes, shutdown, tests, the CLI). Throws the `StoreError` if the commit failed; the rows
   * are then kept and retried. Blocks the calling thread for one commit: keep it off the engine's hot path.
   */
  flushSync(): void {
    this.assertOpen();
    const writer = this.writer;
    if (writer === null) return;
    this.handOff(writer);
    if (writer.kind === 'inline') {
      this.commitInline(writer);
      return;
    }
    if (this.inflight.length === 0) return;
    this.call(writer, { type: 'call', id: this.nextCallId++, op: 'sync' });
    if (this.inflight.length > 0) {
      throw this.currentFault ?? this.writerGone ?? new StoreError('io', this.path, `${this.inflightRows} rows are still not committed`);
    }
  }

  /**
   * Hands off what is queued and resolves once the writer has committed everything handed off so far,
   * without blocking this thread (an operator's command is answered after its audit row is durable while
   * the engine keeps processing the feed). Resolves with null, or with the fault that stopped the commit
   * (the rows are then kept and retried, as always).
   */
  whenCommitted(): Promise<StoreError | null> {
    this.assertOpen();
    const writer = this.writer;
    if (writer === null) return Promise.resolve(null);
    try {
      this.handOff(writer);
      if (writer.kind === 'inline') this.commitInline(writer);
    } catch (error) {
      return Promise.resolve(toStoreError(error, this.path, 'committing queued rows'));
    }
    const last = this.inflight[this.inflight.length - 1];
    if (last === undefined) return Promise.resolve(null);
    const gone = this.writerGone ?? (writer.kind === 'inline' ? this.currentFault : null);
    if (gone !== null) return Promise.resolve(gone);
    return new Promise((settle) => this.commitWaiters.push({ seq: last.seq, settle }));
  }

  private settleCommitWaiters(throughSeq: number, fault: StoreError | null): void {
    if (this.commitWaiters.length === 0) return;
    const due = fault !== null ? this.commitWaiters : this.commitWaiters.filter((waiter) => waiter.seq <= throughSeq);
    this.commitWaiters = fault !== null ? [] : this.commitWaiters.filter((waiter) => waiter.seq > throughSeq);
    for (const waiter of due) waiter.settle(fault);
  }

  /** Turns the queue into plain rows and gives them to the writer as one batch. */
  private handOff(writer: WorkerWriter | InlineWriter): void {
    const ops = this.queue;
    if (ops.length === 0) return;
    this.queue = [];
    const rows: WriteRow[] = [];
    const kept: Op[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op === undefined) continue;
      try {
        rows.push(this.toRow(op));
        kept.push(op);
      } catch (error) {
        if (!isRowLevelError(error)) {
          // why: a database problem while preparing rows (reading a session's grid) is not the row's fault: keep them all.
          this.queue = kept.concat(ops.slice(i), this.queue);
          throw toStoreError(error, this.path, 'preparing queued rows');
        }
        this.rejectRow(op, error instanceof Error ? error.message : String(error));
      }
    }
    if (rows.length === 0) return;
    const seq = this.nextBatchSeq++;
    this.inflight.push({ seq, ops: kept });
    this.inflightRows += kept.length;
    if (writer.kind === 'inline') {
      writer.core.add({ seq, rows });
    } else {
      if (this.inflight.length === 1) writer.port.ref();
      writer.port.postMessage({ type: 'batch', seq, rows });
    }
  }

  private commitInline(writer: InlineWriter): void {
    const reply = writer.core.commitPending();
    if (reply === null) return;
    this.onWriterMessage(reply);
    if (reply.type === 'failed' && this.currentFault !== null) throw this.currentFault;
  }

  /** One queued write as the writer's plain row: decimals formatted here, from the session's grids. */
  private toRow(op: Op): WriteRow {
    switch (op.kind) {
      case 'fill': {
        const f = op.fill;
        const grids = this.gridsFor(f.sessionId);
        return {
          op: 'fill',
          params: [
            f.sessionId,
            f.fillId,
            f.clientOrderId,
            f.side,
            f.price,
            grids.tick.format(f.price),
            f.size,
            grids.lot.format(f.size),
            f.fee,
            f.liquidity,
            nanToNull(f.midAtFill),
            nanToNull(f.fairValueAtFill),
            f.inventoryAfter,
            f.localUs,
            f.exchUs,
          ],
          then: [f.size, f.size, f.localUs, f.sessionId, f.clientOrderId],
        };
      }
      case 'order': {
        const r = op.request;
        const grids = this.gridsFor(op.sessionId);
        return {
          op: 'order',
          params: [
            op.sessionId,
            r.clientOrderId,
            r.side,
            r.price,
            grids.tick.format(r.price),
            r.size,
            grids.lot.format(r.size),
            r.timeInForce,
            r.postOnly ? 1 : 0,
            r.purpose,
            op.localUs,
            op.localUs,
          ],
          then: null,
        };
      }
      case 'event':
        return {
          op: 'event',
          params: [op.sessionId, op.clientOrderId, op.type, op.localUs, JSON.stringify(op.detail ?? {})],
          then: TERMINAL_EVENTS.has(op.type) ? [op.localUs, op.sessionId, op.clientOrderId] : null,
        };
      case 'markout':
        return { op: 'markout', params: [op.sessionId, op.fillId, op.horizonSec, op.markoutBps], then: null };
      case 'audit': {
        const e = op.entry;
        // why: an action before any session (a kill at start-up) is still audited, with no session.
        return { op: 'audit', params: [e.sessionId > 0 ? e.sessionId : null, e.localUs, e.who, e.action, JSON.stringify(e.detail)], then: null };
      }
      case 'pnl': {
        const s = op.snapshot;
        return { op: 'pnl', params: [s.sessionId, s.localUs, s.inventoryLots, s.cash, s.realized, s.unrealized, s.fees, nanToNull(s.mid)], then: null };
      }
      case 'end':
        return { op: 'end', params: [op.endedUs, op.summary.realizedPnl, op.summary.totalPnl, JSON.stringify(op.summary), op.sessionId], then: null };
      case 'baseline':
        return { op: 'baseline', params: [op.baselineLots, op.sessionId], then: null };
      case 'recording': {
        const r = op.entry;
        return { op: 'recording', params: [r.path, r.venue, r.symbol, r.startUs, r.endUs, r.frames, r.bytes, op.localUs], then: null };
      }
      case 'mark':
        return { op: 'mark', params: [op.sessionId, op.mark], then: null };
      case 'rewind':
        switch (op.step) {
          case 'rewindOrderState':
            return { op: op.step, params: [op.sessionId, op.atUs], then: null };
          case 'rewindOrders':
            return { op: op.step, params: [op.sessionId, op.sessionId, op.mark], then: [op.sessionId, op.mark] };
          default:
            return { op: op.step, params: [op.sessionId, op.sessionId, op.mark], then: null };
        }
      default:
        return assertNever(op, 'queued write');
    }
  }

  private rejectRow(op: Op, message: string): void {
    this.rowsRejected++;
    this.logger(`store: dropped a ${op.kind} row that the database refused (${message}): ${describeOp(op)}`);
  }

  private gridsFor(sessionId: number): Grids {
    const cached = this.grids.get(sessionId);
    if (cached !== undefined) return cached;
    const row = this.stmt.sessionGrid.get(sessionId);
    if (row === undefined) throw new RangeError(`no session ${sessionId}`);
    const grids: Grids = { tick: new DecimalGrid(row.tick_size), lot: new DecimalGrid(row.lot_size) };
    this.grids.set(sessionId, grids);
    return grids;
  }

  // ---------------------------------------------------------------- the writer's answers

  private onWriterMessage(message: FromWriter): void {
    switch (message.type) {
      case 'committed':
      case 'failed': {
        const started = this.measure === null ? 0 : performance.now();
        this.onCommitReply(message);
        if (this.measure !== null) this.measure('confirm', performance.now() - started);
        return;
      }
      case 'result':
        this.callResults.set(message.id, message);
        return;
      case 'ready':
        this.writerThreadIdValue = message.threadId;
        this.writerReady = true;
        return;
      case 'ready-failed':
        this.writerStartFailure = toStoreError(codedError(message.code, message.message), this.path, 'opening the writer connection');
        return;
      case 'checkpoint':
        this.checkpoints++;
        if (message.durationMs > this.maxCheckpointMs) this.maxCheckpointMs = message.durationMs;
        if (message.durationMs > this.slowWriteMs) {
          this.logger(`store: slow checkpoint: ${message.durationMs.toFixed(1)} ms for ${message.checkpointed} of ${message.walFrames} WAL frames (${this.path})`);
        }
        return;
      case 'log':
        this.logger(message.line);
        return;
      default:
        assertNever(message, 'writer message');
    }
  }

  private onCommitReply(reply: CommitReply): void {
    if (reply.type === 'failed') {
      const fault = toStoreError(codedError(reply.code, reply.message), this.path, `committing ${reply.rows} queued rows`);
      this.raiseFault(fault);
      this.settleCommitWaiters(0, this.currentFault ?? fault);
      return;
    }
    let done = 0;
    while (done < this.inflight.length && (this.inflight[done]?.seq ?? Infinity) <= reply.committedThroughSeq) done++;
    const batches = this.inflight.splice(0, done);
    let rows = 0;
    for (const batch of batches) rows += batch.ops.length;
    this.inflightRows -= rows;
    const ops = reply.inserted.length > 0 || reply.rejected.length > 0 ? batches.flatMap((batch) => batch.ops) : [];
    const fills: StoredFill[] = [];
    for (const index of reply.inserted) {
      const op = ops[index];
      if (op?.kind === 'fill') fills.push(op.fill);
    }
    for (const [index, message] of reply.rejected) {
      const op = ops[index];
      if (op !== undefined) this.rejectRow(op, message);
    }
    this.commits++;
    this.rowsCommitted += reply.rows - reply.rejected.length;
    this.committedThroughSeqValue = reply.committedThroughSeq;
    this.settleCommitWaiters(reply.committedThroughSeq, null);
    this.lastCommitMs = reply.durationMs;
    if (reply.durationMs > this.maxCommitMs) this.maxCommitMs = reply.durationMs;
    if (reply.durationMs > this.slowWriteMs) {
      this.logger(`store: slow commit: ${reply.durationMs.toFixed(1)} ms for ${reply.rows} rows (${this.path})`);
    }
    if (this.inflight.length === 0 && this.writer?.kind === 'worker') this.writer.port.unref();
    if (this.currentFault !== null) {
      this.logger(`store: writes succeed again after "${this.currentFault.code}" (${this.path})`);
      this.currentFault = null;
      for (const listener of this.faultClearedListeners) this.notify(listener, undefined);
    }
    if (this.commitListenersDetailed.size > 0) {
      const info: CommitInfo = {
        committedThroughSeq: reply.committedThroughSeq,
        rows: reply.rows,
        durationMs: reply.durationMs,
        startedAtMs: reply.startedAtMs,
        endedAtMs: reply.endedAtMs,
        threadId: reply.threadId,
        fills,
      };
      for (const listener of this.commitListenersDetailed) this.notify(listener, info);
    }
    if (fills.length > 0) {
      for (const listener of this.commitListeners) this.notify(listener, fills);
    }
  }

  private onWriterGone(error: StoreError): void {
    if (this.writerGone !== null) return;
    this.writerGone = error;
    this.raiseFault(error);
    this.settleCommitWaiters(0, error);
  }

  /** Posts a call to the writer thread and waits (blocking this thread) for its answer. */
  private call(writer: WorkerWriter, message: WriterCall): ResultReply {
    if (this.writerGone !== null) throw this.writerGone;
    writer.port.postMessage(message);
    this.waitUntil(writer, () => this.callResults.has(message.id), `waiting for the writer (${message.op})`);
    const result = this.callResults.get(message.id);
    this.callResults.delete(message.id);
    if (result === undefined) throw new StoreError('io', this.path, `the writer did not answer ${message.op}`);
    return result;
  }

  private expectOk(result: ResultReply): unknown {
    if (!result.ok) throw codedError(result.code, result.message);
    return result.value;
  }

  /**
   * Processes the writer's messages synchronously until `done()`: `receiveMessageOnPort` takes what has
   * arrived; `Atomics.wait` sleeps until the writer bumps the shared signal after its next post.
   */
  private waitUntil(writer: WorkerWriter, done: () => boolean, doing: string): void {
    const deadline = performance.now() + this.writerTimeoutMs;
    while (!done()) {
      const seen = Atomics.load(writer.signal, 0);
      const packet = receiveMessageOnPort(writer.port);
      if (packet !== undefined) {
        this.onWriterMessage(packet.message as FromWriter);
        continue;
      }
      if (performance.now() > deadline) {
        throw new StoreError('io', this.path, `the writer thread did not answer within ${this.writerTimeoutMs} ms while ${doing}`);
      }
      // why: the writer bumps the signal after every post, so a message posted after `seen` was read wakes us.
      Atomics.wait(writer.signal, 0, seen, 250);
    }
  }

  /** Calls a listener; its exception is logged, never allowed to undo or mask the store's own outcome. */
  private notify<T>(listener: (value: T) => void, value: T): void {
    try {
      listener(value);
    } catch (error) {
      this.logger(`store: a listener threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  // ---------------------------------------------------------------- faults and notifications

  /** Listens for write faults (disk full, I/O, read-only); returns an unsubscribe function. */
  onFault(listener: (error: StoreError) => void): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  /** Listens for the first successful commit after a fault. */
  onFaultCleared(listener: () => void): () => void {
    this.faultClearedListeners.add(listener);
    return () => this.faultClearedListeners.delete(listener);
  }

  /**
   * Listens for fills that have just become durable (newly inserted, duplicates excluded), on the main
   * thread, after the writer confirmed their commit: publish "fill recorded" from here and everything
   * published is on disk. Not called for a commit without new fills.
   */
  onCommitted(listener: (fills: readonly StoredFill[]) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Listens for every confirmed commit with its figures (where and how long it ran): diagnostics, tests. */
  onBatchCommitted(listener: (commit: CommitInfo) => void): () => void {
    this.commitListenersDetailed.add(listener);
    return () => this.commitListenersDetailed.delete(listener);
  }

  /** The fault of the last failed commit, cleared by the next successful one. */
  get fault(): StoreError | null {
    return this.currentFault;
  }

  /** Rows not yet confirmed durable: queued, handed off, or retained after a failure. */
  get pendingWrites(): number {
    return this.queue.length + this.inflightRows;
  }

  /** 'worker', 'inline', or 'none' for a read-only store. */
  get writerMode(): 'worker' | 'inline' | 'none' {
    return this.writer === null ? 'none' : this.writer.kind;
  }

  /** The `threadId` commits run on (0 = the main thread). */
  get writerThreadId(): number {
    return this.writerThreadIdValue;
  }

  stats(): StoreStats {
    return {
      pending: this.pendingWrites,
      commits: this.commits,
      rowsCommitted: this.rowsCommitted,
      rowsRejected: this.rowsRejected,
      lastCommitMs: this.lastCommitMs,
      maxCommitMs: this.maxCommitMs,
      committedThroughSeq: this.committedThroughSeqValue,
      checkpoints: this.checkpoints,
      maxCheckpointMs: this.maxCheckpointMs,
    };
  }

  /** The WRITE connection's durability settings (the writer thread's in worker mode), for diagnostics and tests. */
  settings(): { journalMode: string; synchronous: 'off' | 'normal' | 'full' | 'extra'; foreignKeys: boolean; schemaVersion: number } {
    this.assertOpen();
    const writer = this.writer;
    let raw: WriterSettings;
    if (writer === null) {
      raw = {
        journalMode: String(this.db.pragma('journal_mode', { simple: true })),
        synchronous: this.db.pragma('synchronous', { simple: true }) as number,
        foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1,
      };
    } else if (writer.kind === 'inline') {
      raw = writer.core.settings();
    } else {
      raw = this.expectOk(this.call(writer, { type: 'call', id: this.nextCallId++, op: 'settings' })) as WriterSettings;
    }
    const sync = raw.synchronous;
    return {
      journalMode: raw.journalMode,
      synchronous: sync === 0 ? 'off' : sync === 1 ? 'normal' : sync === 2 ? 'full' : 'extra',
      foreignKeys: raw.foreignKeys,
      schemaVersion: schemaVersionOf(this.db),
    };
  }

  /** Sets the write connection's page quota (`PRAGMA max_page_count`); returns the quota now in force. */
  setMaxPageCount(pages: number): number {
    this.assertOpen();
    const writer = this.writer;
    if (writer === null) return this.db.pragma(`max_page_count = ${Math.max(1, Math.floor(pages))}`, { simple: true }) as number;
    if (writer.kind === 'inline') return writer.core.setMaxPageCount(pages);
    try {
      return Number(this.expectOk(this.call(writer, { type: 'call', id: this.nextCallId++, op: 'setMaxPageCount', pages })));
    } catch (error) {
      throw toStoreError(error, this.path, 'setting the page quota');
    }
  }

  private raiseFault(error: StoreError): void {
    const isNew = this.currentFault === null || this.currentFault.code !== error.code;
    this.currentFault = error;
    if (!isNew) return;
    this.logger(`store: write fault [${error.code}]: ${error.message}`);
    for (const listener of this.faultListeners) this.notify(listener, error);
  }

  // ---------------------------------------------------------------- reads (committed data only)

  fills(query: { sessionId?: number; limit: number }): FillRecord[] {
    this.assertOpen();
    const rows =
      query.sessionId === undefined ? this.stmt.fillsAll.all(query.limit) : this.stmt.fillsOfSession.all(query.sessionId, query.limit);
    return rows.map(toFillRecord);
  }

  /** The newest committed fills (of one session or all), newest first, one at a time: for streamed reads. */
  *iterateNewestFills(query: { sessionId?: number; limit: number }): Generator<FillRecord> {
    this.assertOpen();
    const rows = query.sessionId === undefined ? this.stmt.fillsAll.iterate(query.limit) : this.stmt.fillsOfSession.iterate(query.sessionId, query.limit);
    for (const row of rows) yield toFillRecord(row);
  }

  /** Every committed fill (of one session or all), oldest first, one at a time: for exports. */
  *iterateFills(sessionId?: number): Generator<FillRecord> {
    this.assertOpen();
    const rows = sessionId === undefined ? this.stmt.fillsOldestFirstAll.iterate() : this.stmt.fillsOldestFirst.iterate(sessionId);
    for (const row of rows) yield toFillRecord(row);
  }

  hasFill(sessionId: number, fillId: string): boolean {
    this.assertOpen();
    return this.stmt.hasFill.get(sessionId, fillId) !== undefined;
  }

  /** The venue's fills that the store has not committed for this session (reconciliation). */
  missingFills<F extends Fill>(sessionId: number, venueFills: readonly F[]): F[] {
    return venueFills.filter((fill) => !this.hasFill(sessionId, fill.fillId));
  }

  sessions(limit: number): SessionRow[] {
    this.assertOpen();
    return this.stmt.sessions.all(limit).map(toSessionRow);
  }

  session(id: number): SessionRow | null {
    this.assertOpen();
    const row = this.stmt.session.get(id);
    return row === undefined ? null : toSessionRow(row);
  }

  unfinishedSession(venue: string, symbol: string): RecoveredSession | null {
    this.assertOpen();
    const row = this.stmt.unfinished.get(venue, symbol);
    if (row === undefined) return null;
    const fills: StoredFill[] = this.stmt.fillsOldestFirst.all(row.id).map(toFillRecord);
    const openOrders: StoredOrder[] = this.stmt.openOrders.all(row.id).map(toOrderRecord);
    return { session: toSessionRow(row), fills, openOrders };
  }

  orders(query: { sessionId?: number; status?: 'open' | 'done' }): OrderRecord[] {
    this.assertOpen();
    const rows =
      query.sessionId === undefined
        ? this.stmt.ordersAll.all()
        : query.status === 'open'
          ? this.stmt.openOrders.all(query.sessionId)
          : this.stmt.ordersOfSession.all(query.sessionId);
    const records = rows.map(toOrderRecord);
    return query.status === undefined ? records : records.filter((order) => order.status === query.status);
  }

  /** Every journaled order (of one session or all), in creation order, one at a time: for exports. */
  *iterateOrders(sessionId?: number): Generator<OrderRecord> {
    this.assertOpen();
    const rows = sessionId === undefined ? this.stmt.ordersAll.iterate() : this.stmt.ordersOfSession.iterate(sessionId);
    for (const row of rows) yield toOrderRecord(row);
  }

  /** The audit trail (of one session or all) oldest first, one entry at a time: for exports. */
  *iterateAudit(sessionId?: number): Generator<AuditRecord> {
    this.assertOpen();
    const rows = sessionId === undefined ? this.stmt.auditAll.iterate() : this.stmt.auditOfSession.iterate(sessionId);
    for (const row of rows) yield toAuditRecord(row);
  }

  order(sessionId: number, clientOrderId: string): OrderRecord | null {
    this.assertOpen();
    const row = this.stmt.order.get(sessionId, clientOrderId);
    return row === undefined ? null : toOrderRecord(row);
  }

  /** Order events oldest first, of one order or of a whole session. */
  orderEvents(sessionId: number, clientOrderId?: string): OrderEventRecord[] {
    this.assertOpen();
    const rows =
      clientOrderId === undefined ? this.stmt.eventsOfSession.all(sessionId) : this.stmt.eventsOfOrder.all(sessionId, clientOrderId);
    return rows.map((row) => ({
      sessionId: row.session_id,
      clientOrderId: row.client_order_id,
      type: asEventType(row.type),
      localUs: row.local_us,
      detail: parseDetail(row.detail_json),
    }));
  }

  /** The audit trail oldest first (entries recorded without a session have sessionId 0). */
  auditTrail(query: { sessionId?: number } = {}): AuditRecord[] {
    this.assertOpen();
    const rows = query.sessionId === undefined ? this.stmt.auditAll.all() : this.stmt.auditOfSession.all(query.sessionId);
    return rows.map(toAuditRecord);
  }

  markouts(sessionId: number): MarkoutRecord[] {
    this.assertOpen();
    return this.stmt.markouts.all(sessionId);
  }

  /** PnL snapshots newest first. */
  pnlSnapshots(sessionId: number, limit: number): PnlSnapshot[] {
    this.assertOpen();
    return this.stmt.pnlSnapshots.all(sessionId, limit).map((row) => ({
      sessionId: row.session_id,
      localUs: row.local_us,
      inventoryLots: row.inventory_lots,
      cash: row.cash,
      realized: row.realized,
      unrealized: row.unrealized,
      fees: row.fees,
      mid: nullToNan(row.mid),
    }));
  }

  recordings(limit: number): RecordingEntry[] {
    this.assertOpen();
    return this.stmt.recordings.all(limit).map((row) => ({
      path: row.path,
      venue: row.venue,
      symbol: row.symbol,
      startUs: row.start_us,
      endUs: row.end_us,
      frames: row.frames,
      bytes: row.bytes,
    }));
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Commits what is queued (waiting for the writer), then closes the connections and ends the writer
   * thread. If that last commit fails, the error is thrown and the store stays OPEN with its rows, so
   * nothing is lost while the process lives.
   */
  close(): void {
    if (this.closed) return;
    const writer = this.writer;
    if (writer !== null) this.flushSync();
    if (writer?.kind === 'worker') {
      // why: the reader closes first, so the writer's connection is the last one and checkpoints the WAL away.
      this.db.close();
      this.closed = true;
      let result: ResultReply | null = null;
      try {
        result = this.call(writer, { type: 'call', id: this.nextCallId++, op: 'close' });
      } finally {
        writer.port.close();
      }
      if (!result.ok) throw toStoreError(codedError(result.code, result.message), this.path, 'closing the writer connection');
      return;
    }
    this.closed = true;
    this.db.close();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('io', this.path, 'the store is closed');
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readonly) throw new StoreError('read-only', this.path, 'the store was opened read-only; writes are refused');
  }
}

function describeOp(op: Op): string {
  switch (op.kind) {
    case 'fill':
      return `fill ${op.fill.fillId} of session ${op.fill.sessionId} ${JSON.stringify(op.fill)}`;
    case 'order':
      return `order ${op.request.clientOrderId} of session ${op.sessionId} ${JSON.stringify(op.request)}`;
    case 'event':
      return `${op.type} event of order ${op.clientOrderId} of session ${op.sessionId}`;
    case 'markout':
      return `markout of fill ${op.fillId} at ${op.horizonSec} s of session ${op.sessionId}`;
    case 'audit':
      return `audit ${op.entry.who} ${op.entry.action} ${JSON.stringify(op.entry.detail)}`;
    case 'pnl':
      return `PnL snapshot of session ${op.snapshot.sessionId}`;
    case 'end':
      return `end of session ${op.sessionId}`;
    case 'baseline':
      return `baseline of session ${op.sessionId}`;
    case 'recording':
      return `recording ${op.entry.path}`;
    case 'mark':
      return `replay mark ${op.mark} of session ${op.sessionId}`;
    case 'rewind':
      return `${op.step} to replay mark ${op.mark} of session ${op.sessionId}`;
    default:
      return assertNever(op, 'queued write');
  }
}

/**
 * Opens (creating when absent) the database at `path`, checks it, migrates it to this build's schema and
 * returns the store. Throws a `StoreError` naming the file and the problem; on failure the file's bytes
 * are unchanged and no file the attempt created is left behind.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): SqliteStore {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  const readonly = options.readonly ?? false;
  let existed = false;
  let nonEmpty = false;
  if (!memory) {
    const stat = statSync(file, { throwIfNoEntry: false });
    existed = stat !== undefined;
    if (stat?.isDirectory() === true) throw new StoreError('cannot-create', file, 'is a directory, not a database file');
    nonEmpty = (stat?.size ?? 0) > 0;
    checkFileBeforeOpening(file, existed, nonEmpty, readonly);
  }
  const sidecarsBefore = memory ? [] : SIDECARS.filter((suffix) => existsSync(file + suffix));
  let db: Database.Database | null = null;
  try {
    db = new Database(file, {
      readonly,
      fileMustExist: existed || readonly,
      timeout: options.busyTimeoutMs ?? 5_000,
      ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
    });
    // why: nothing below may write before the file is known to be ours, intact and not from a newer build.
    if (nonEmpty) checkExistingDatabase(db, file, options.checkIntegrity ?? true);
    if (readonly) {
      const version = schemaVersionOf(db);
      if (version < SCHEMA_VERSION) {
        throw new StoreError(
          'read-only',
          file,
          `schema version ${version} is older than this build's ${SCHEMA_VERSION} and the store was opened read-only; open it once read-write to migrate`,
        );
      }
    } else {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && !memory) throw new StoreError('io', file, `could not switch to WAL journal mode (got "${String(mode)}")`);
      db.pragma('synchronous = FULL');
      db.pragma('journal_size_limit = 67108864');
      migrate(db);
    }
    db.pragma('foreign_keys = ON');
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPageCount))}`);
    return new SqliteStore(db, file, readonly, options);
  } catch (error) {
    try {
      db?.close();
    } catch {
      // why: the original error is the one worth reporting.
    }
    if (!memory) removeWhatWeCreated(file, existed, sidecarsBefore);
    throw toStoreError(error, file, 'opening the database');
  }
}

function checkFileBeforeOpening(file: string, existed: boolean, nonEmpty: boolean, readonly: boolean): void {
  const dir = dirname(file);
  if (!existed) {
    if (readonly) throw new StoreError('io', file, 'no such database file (opened read-only, so it is not created)');
    const dirStat = statSync(dir, { throwIfNoEntry: false });
    if (dirStat === undefined) throw new StoreError('cannot-create', file, `cannot create the database: directory ${dir} does not exist`);
    if (!dirStat.isDirectory()) throw new StoreError('cannot-create', file, `cannot create the database: ${dir} is not a directory`);
    const problem = probeDirectory(dir);
    if (problem !== null) throw new StoreError('cannot-create', file, `cannot create the database: directory ${dir} is not writable (${problem})`);
    return;
  }
  if (nonEmpty) {
    let header: Buffer;
    try {
      header = readHeader(file);
    } catch (error) {
      throw toStoreError(error, file, 'reading the file header');
    }
    if (header.toString('latin1') !== SQLITE_MAGIC) {
      throw new StoreError('not-a-database', file, 'not an SQLite database (the file does not start with the SQLite header); the file was left untouched');
    }
  }
  if (readonly) return;
  const fileProblem = probeFileWritable(file);
  if (fileProblem !== null) {
    throw new StoreError('read-only', file, `the database file is not writable (${fileProblem}); open it read-only or fix its permissions`);
  }
  const dirProblem = probeDirectory(dir);
  if (dirProblem !== null) {
    throw new StoreError(
      'read-only',
      file,
      `directory ${dir} is read-only (${dirProblem}); SQLite must create its -wal and -shm files beside the database`,
    );
  }
}

function checkExistingDatabase(db: Database.Database, file: string, checkIntegrity: boolean): void {
  const version = schemaVersionOf(db);
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'newer-version',
      file,
      `database schema version ${version} is newer than this build understands (${SCHEMA_VERSION}); use a newer Quotedesk. The file was left untouched`,
    );
  }
  const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all();
  if (version === 0 && tables.length > 0) {
    const names = tables.slice(0, 5).map((t) => t.name).join(', ');
    throw new StoreError('not-a-database', file, `an SQLite database but not a Quotedesk one (tables ${names}, no schema version); the file was left untouched`);
  }
  if (checkIntegrity) {
    const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((row) => row.quick_check);
    if (!(problems.length === 1 && problems[0] === 'ok')) {
      throw new StoreError('corrupt', file, `database file is corrupt (${problems.join('; ')}); the file was left untouched`);
    }
  }
}

function removeWhatWeCreated(file: string, existed: boolean, sidecarsBefore: readonly string[]): void {
  for (const suffix of SIDECARS) {
    if (!sidecarsBefore.includes(suffix)) rmSync(file + suffix, { force: true });
  }
  if (!existed) rmSync(file, { force: true });
}
