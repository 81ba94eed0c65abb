/**
 * The desk's database as an outbox: the rows of `fills`, `orders` (the journaled intent), `order_events`
 * and `audit` after a given sequence, oldest first, read on a read-only connection of the host thread.
 * Reads see committed rows only (WAL), so what is published is exactly what the desk has on disk. Small
 * slices (`limit`) keep each read short on the host's event loop. It never writes: the engine's writer
 * thread is the database's only writer.
 *
 * The sequence of a table is its rowid (`fills.seq`, `order_events.seq`, `audit.seq`, the implicit rowid
 * of `orders`): rows are only ever appended, so it grows with every row and names a row for good.
 */
import Database from 'better-sqlite3';
import type { AuditRow, EventRow, FillRow, OrderRow, RecordRows, RecordTable } from '../../shared/fleet.js';
import { SCHEMA_VERSION, schemaVersionOf } from '../storage/migrations.js';

interface FillDb {
  seq: number;
  session_id: number;
  venue: string;
  symbol: string;
  execution: 'paper' | 'live';
  fill_id: string;
  client_order_id: string;
  side: 'buy' | 'sell';
  price_ticks: number;
  price: string;
  size_lots: number;
  size: string;
  tick_size: string;
  lot_size: string;
  fee: number;
  liquidity: 'maker' | 'taker';
  mid_at_fill: number | null;
  fair_value_at_fill: number | null;
  inventory_after: number;
  local_us: number;
  exch_us: number | null;
}

interface OrderDb {
  seq: number;
  session_id: number;
  client_order_id: string;
  side: 'buy' | 'sell';
  price_ticks: number;
  price: string;
  size_lots: number;
  size: string;
  time_in_force: 'gtc' | 'ioc';
  post_only: number;
  purpose: 'quote' | 'flatten';
  created_us: number;
}

interface EventDb {
  seq: number;
  session_id: number;
  client_order_id: string;
  type: string;
  local_us: number;
  detail_json: string;
}

interface AuditDb {
  seq: number;
  session_id: number | null;
  local_us: number;
  who: string;
  action: string;
  detail_json: string;
}

/** Non-finite numbers are stored as NULL; a REAL column may still hold one from an older build. */
function finite(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

export class OutboxReader {
  private readonly db: Database.Database;
  private readonly statements: { readonly [T in RecordTable]: Database.Statement<[number, number]> };
  private readonly maxStatements: { readonly [T in RecordTable]: Database.Statement<[]> };

  constructor(readonly path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    const version = schemaVersionOf(this.db);
    if (version < SCHEMA_VERSION) {
      this.db.close();
      throw new Error(`${path}: schema version ${version} is older than ${SCHEMA_VERSION}; the desk migrates it when it opens the database`);
    }
    this.statements = {
      fills: this.db.prepare(
        `SELECT f.seq, f.session_id, s.venue, s.symbol, s.execution, f.fill_id, f.client_order_id, f.side, f.price_ticks, f.price,
                f.size_lots, f.size, s.tick_size, s.lot_size, f.fee, f.liquidity, f.mid_at_fill, f.fair_value_at_fill,
                f.inventory_after, f.local_us, f.exch_us
           FROM fills f JOIN sessions s ON s.id = f.session_id WHERE f.seq > ? ORDER BY f.seq LIMIT ?`,
      ),
      orders: this.db.prepare(
        `SELECT rowid AS seq, session_id, client_order_id, side, price_ticks, price, size_lots, size, time_in_force, post_only,
                purpose, created_us
           FROM orders WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      ),
      events: this.db.prepare(`SELECT seq, session_id, client_order_id, type, local_us, detail_json FROM order_events WHERE seq > ? ORDER BY seq LIMIT ?`),
      audit: this.db.prepare(`SELECT seq, session_id, local_us, who, action, detail_json FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`),
    };
    this.maxStatements = {
      fills: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM fills'),
      orders: this.db.prepare('SELECT coalesce(max(rowid), 0) AS n FROM orders'),
      events: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM order_events'),
      audit: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM audit'),
    };
  }

  /** The newest committed sequence of `table` (0 when empty). */
  lastSeq(table: RecordTable): number {
    return (this.maxStatements[table].get() as { n: number }).n;
  }

  /** At most `limit` rows of `table` after `after`, oldest first. */
  rowsAfter<T extends RecordTable>(table: T, after: number, limit: number): Array<RecordRows[T]> {
    const raw = this.statements[table].all(after, limit);
    return raw.map((row) => convert(table, row)) as Array<RecordRows[T]>;
  }

  close(): void {
    this.db.close();
  }
}

function convert(table: RecordTable, row: unknown): FillRow | OrderRow | EventRow | AuditRow {
  switch (table) {
    case 'fills': {
      const r = row as FillDb;
      return {
        seq: r.seq,
        sessionId: r.session_id,
        venue: r.venue,
        symbol: r.symbol,
        execution: r.execution,
        fillId: r.fill_id,
        clientOrderId: r.client_order_id,
        side: r.side,
        priceTicks: r.price_ticks,
        price: r.price,
        sizeLots: r.size_lots,
        size: r.size,
        tickSize: r.tick_size,
        lotSize: r.lot_size,
        fee: r.fee,
        liquidity: r.liquidity,
        midAtFill: finite(r.mid_at_fill),
        fairValueAtFill: finite(r.fair_value_at_fill),
        inventoryAfterLots: r.inventory_after,
        localUs: r.local_us,
        exchUs: r.exch_us,
      };
    }
    case 'orders': {
      const r = row as OrderDb;
      return {
        seq: r.seq,
        sessionId: r.session_id,
        clientOrderId: r.client_order_id,
        side: r.side,
        priceTicks: r.price_ticks,
        price: r.price,
        sizeLots: r.size_lots,
        size: r.size,
        timeInForce: r.time_in_force,
        postOnly: r.post_only === 1,
        purpose: r.purpose,
        createdUs: r.created_us,
      };
    }
    case 'events': {
      const r = row as EventDb;
      return { seq: r.seq, sessionId: r.session_id, clientOrderId: r.client_order_id, type: r.type, localUs: r.local_us, detail: r.detail_json };
    }
    case 'audit': {
      const r = row as AuditDb;
      return { seq: r.seq, sessionId: r.session_id, localUs: r.local_us, who: r.who, action: r.action, detail: r.detail_json };
    }
  }
}
