/**
 * The contract of the SQLite store as the desk uses it.
 *
 * Writes are queued and committed in batched transactions by one writer (`flush`, also scheduled by the
 * store itself right after the current event-loop turn); reads see committed data only. The order intent
 * is journaled before the request leaves; fills are inserted idempotently by their venue fill id.
 * Prices are stored in ticks and sizes in lots, beside their decimal values for people and exports.
 */
import type { DeskParams } from '../../shared/params.js';
import type { LocalUs, Lots, Side, Ticks } from '../../shared/units.js';
import type { AnalyticsFill } from '../analytics/types.js';
import type { OrderRequest } from '../execution/types.js';

export type SessionMode = 'live' | 'replay' | 'backtest';

export interface SessionMeta {
  readonly venue: string;
  readonly symbol: string;
  readonly mode: SessionMode;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly params: DeskParams;
  readonly recording: string | null;
  readonly startedUs: LocalUs;
  /** Paper (the default) or live: real orders at a venue. */
  readonly execution?: ExecutionMode;
  /** Live: where the orders went (`testnet`, `mainnet`, or the override's host). */
  readonly endpoint?: string | null;
  /** Live: the venue holding (base balance or position, in lots) the session's inventory counts from. */
  readonly baselineLots?: Lots | null;
}

export type ExecutionMode = 'paper' | 'live';

export interface SessionSummary {
  readonly realizedPnl: number;
  readonly totalPnl: number;
  readonly ordersSent?: number;
}

export interface SessionRow extends SessionMeta {
  readonly id: number;
  readonly execution: ExecutionMode;
  readonly endpoint: string | null;
  readonly baselineLots: Lots | null;
  readonly endedUs: LocalUs | null;
  readonly fillCount: number;
  readonly realizedPnl: number | null;
  readonly totalPnl: number | null;
}

export interface StoredFill extends AnalyticsFill {
  readonly sessionId: number;
  readonly inventoryAfter: Lots;
}

export type OrderEventType = 'sent' | 'ack' | 'reject' | 'cancel-requested' | 'cancelled' | 'expired' | 'ioc-remainder' | 'filled' | 'untracked';

export interface StoredOrder {
  readonly sessionId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly price: Ticks;
  readonly size: Lots;
  readonly filled: Lots;
  readonly status: 'open' | 'done';
  readonly createdUs: LocalUs;
}

export interface AuditEntry {
  readonly sessionId: number;
  readonly localUs: LocalUs;
  /** Who acted: `operator:http`, `operator:electron`, `risk`, `desk`, `cli`, ... */
  readonly who: string;
  /** What happened: `kill`, `rearm`, `pause`, `params`, `state`, `breaker`, `flatten`, ... */
  readonly action: string;
  readonly detail: Record<string, unknown>;
}

export interface PnlSnapshot {
  readonly sessionId: number;
  readonly localUs: LocalUs;
  readonly inventoryLots: Lots;
  readonly cash: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly fees: number;
  readonly mid: number;
}

export interface RecoveredSession {
  readonly session: SessionRow;
  readonly fills: StoredFill[];
  readonly openOrders: StoredOrder[];
}

export interface Store {
  readonly path: string;
  openSession(meta: SessionMeta): number;
  /**
   * Ends a session with its summary (kept as JSON; `ordersSent` counts the orders the desk sent, the fill
   * ratio's denominator, which a backtest does not journal order by order).
   */
  endSession(sessionId: number, endedUs: LocalUs, summary: SessionSummary): void;
  /** Live: the venue holding the session's inventory counts from changed (the operator accepted the venue's). */
  setBaseline(sessionId: number, baselineLots: Lots): void;
  /** Journals an order intent; must be called before the request is sent. */
  journalOrder(sessionId: number, request: OrderRequest, localUs: LocalUs): void;
  recordOrderEvent(sessionId: number, clientOrderId: string, type: OrderEventType, localUs: LocalUs, detail?: Record<string, unknown>): void;
  /** Inserts a fill unless its fill id is already stored. */
  recordFill(fill: StoredFill): void;
  recordMarkout(sessionId: number, fillId: string, horizonSec: number, markoutBps: number): void;
  audit(entry: AuditEntry): void;
  recordPnl(snapshot: PnlSnapshot): void;
  /**
   * A replay's checkpoint: remembers, in the order of the writes, the newest row of the tables a replay can
   * rewind (fills, markouts, orders, order events, PnL snapshots) under `mark`.
   */
  markPoint(sessionId: number, mark: number): void;
  /**
   * A replay went back to the checkpoint `mark` (taken at desk time `atUs`): the session's rows written
   * after it are deleted and the remaining orders get their filled size and status back, so the database
   * holds what an uninterrupted replay to that point wrote. The audit trail is never rewound.
   */
  rewindTo(sessionId: number, mark: number, atUs: LocalUs): void;
  /** Adds (or updates) a recording in the recordings index. */
  indexRecording(
    entry: { readonly path: string; readonly venue: string; readonly symbol: string; readonly startUs: LocalUs | null; readonly endUs: LocalUs | null; readonly frames: number; readonly bytes: number },
    localUs: LocalUs,
  ): void;
  /** Hands every queued write to the writer (committed in one batched transaction, off the engine loop). */
  flush(): void;
  /** Hands off and waits until everything so far is committed (read-your-writes, shutdown). */
  flushSync(): void;
  /** Hands off and resolves once everything so far is committed, without blocking: null, or the fault. */
  whenCommitted(): Promise<Error | null>;
  /** Fills newly committed (durable), in commit order, right after each batch commits. */
  onCommitted(listener: (fills: readonly StoredFill[]) => void): () => void;
  /** A write failed (disk full, I/O): the rows are kept and retried; quoting must halt meanwhile. */
  onFault(listener: (error: Error) => void): () => void;
  onFaultCleared(listener: () => void): () => void;
  /** Committed fills, newest first. */
  fills(query: { sessionId?: number; limit: number }): StoredFill[];
  sessions(limit: number): SessionRow[];
  /** Markouts stored for a session's fills (restored into the statistics after a restart). */
  markouts(sessionId: number): Array<{ readonly fillId: string; readonly horizonSec: number; readonly markoutBps: number }>;
  /** The newest session for this venue and symbol that never ended (a crash), with its fills and open orders. */
  unfinishedSession(venue: string, symbol: string): RecoveredSession | null;
  close(): void;
}
