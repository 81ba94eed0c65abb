/**
 * Independent reads for the fleet tests: every record batch the stream holds (read back with an ordered
 * consumer from the first message to the stream's last, each parsed with the wire schema), and a desk
 * database's rows read with their own SQL (not the outbox's reader), so "the stream holds every row once"
 * and "PostgreSQL holds every fill once" are checked against the database on disk.
 */
import Database from 'better-sqlite3';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { RECORDS_STREAM, parseRecordSubject, type RecordTable } from '../../src/shared/fleet.js';

export interface StoredBatch {
  readonly streamSeq: number;
  readonly desk: string;
  readonly table: RecordTable;
  readonly first: number;
  readonly last: number;
  readonly rows: ReadonlyArray<{ readonly seq: number } & Record<string, unknown>>;
}

/** Every batch in `QD_RECORDS`, in stream order. */
export async function readRecordStream(nc: NatsConnection): Promise<StoredBatch[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(RECORDS_STREAM);
  const last = info.state.last_seq;
  const out: StoredBatch[] = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(RECORDS_STREAM);
  const messages = await consumer.consume();
  for await (const message of messages) {
    const target = parseRecordSubject(message.subject);
    if (target !== null) {
      const body = message.json<{ first: number; last: number; rows: StoredBatch['rows'] }>();
      out.push({ streamSeq: message.seq, desk: target.desk, table: target.table, first: body.first, last: body.last, rows: body.rows });
    }
    if (message.seq >= last) break;
  }
  await messages.close();
  return out;
}

const TABLE_SQL: Record<RecordTable, string> = {
  fills: 'SELECT seq, fill_id AS fillId, price, size, side FROM fills ORDER BY seq',
  orders: 'SELECT rowid AS seq, client_order_id AS clientOrderId FROM orders ORDER BY rowid',
  events: 'SELECT seq, client_order_id AS clientOrderId, type FROM order_events ORDER BY seq',
  audit: 'SELECT seq, action FROM audit ORDER BY seq',
};

/** A desk database's rows of `table` (a few identifying columns), oldest first. */
export function databaseRows(path: string, table: RecordTable): Array<{ seq: number } & Record<string, unknown>> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(TABLE_SQL[table]).all() as Array<{ seq: number } & Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** How many rows of `table` the database holds. */
export function databaseCount(path: string, table: RecordTable): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const name = table === 'events' ? 'order_events' : table;
    return (db.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
