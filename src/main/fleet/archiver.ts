/**
 * `quotedesk archive`: every desk's records from JetStream into PostgreSQL, exactly once. A durable pull
 * consumer (`qd-archive` on `QD_RECORDS`, explicit acks) is fetched in batches; each batch's messages are
 * validated (`shared/fleet.ts`: the subject's desk and table must match the batch's), their rows inserted
 * in ONE transaction with `ON CONFLICT DO NOTHING` on the rows' keys, a refused message stored in
 * `archive_rejected` with its reason in the same transaction, and the messages acknowledged only after the
 * commit. A crash before the commit redelivers the batch (nothing was written); a crash after the commit
 * but before the acks redelivers rows that are already there (inserted once by their keys). So a restart
 * resumes from the durable consumer and nothing is lost or doubled.
 *
 * Inserts use one statement per table per batch (`unnest` of one array per column), so a batch of
 * thousands of rows costs a handful of round trips.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import {
  ARCHIVE_CONSUMER,
  RECORDS_STREAM,
  describeIssue,
  parseRecordSubject,
  recordBatchSchema,
  type AuditRow,
  type EventRow,
  type FillRow,
  type OrderRow,
  type RecordTable,
} from '../../shared/fleet.js';
import { migrateArchive } from './archive-schema.js';
import { FleetInputError, connectNats, watchStatus, type NatsTarget } from './nats-connection.js';
import { defaultReplicas, ensureRecordsStream, withClusterPatience } from './streams.js';

export interface ArchiverOptions {
  readonly target: NatsTarget;
  readonly natsFlag: string;
  readonly pgUrl: string;
  readonly log: (line: string) => void;
  /** Messages per fetch (each a batch of up to 500 rows). Default: about 20,000 rows' worth. */
  readonly fetchMessages?: number;
  /** How long a fetch waits for messages before an empty batch (the server takes 1 s at least). Default 1000 ms. */
  readonly fetchExpiresMs?: number;
}

export interface ArchiveStats {
  readonly messages: number;
  readonly rowsInserted: number;
  /** Rows that were already archived (redeliveries, re-published batches). */
  readonly rowsAlreadyThere: number;
  readonly rejected: number;
}

interface Pending {
  readonly fills: Array<FillRow & Keyed>;
  readonly orders: Array<OrderRow & Keyed>;
  readonly events: Array<EventRow & Keyed>;
  readonly audit: Array<AuditRow & Keyed>;
  readonly rejected: Array<{ streamSeq: number; subject: string; reason: string; body: string }>;
}

/** Rows per transaction aimed at: messages per fetch follow the rows per message seen. */
const ROWS_PER_TRANSACTION = 20_000;

/** A PostgreSQL column: its name, its type, and the row's key that holds its value. */
type Column<R> = readonly [name: string, type: string, key: keyof R & string];
type Keyed = { readonly desk: string; readonly streamSeq: number };

const KEY_COLUMNS: ReadonlyArray<Column<Keyed>> = [
  ['desk', 'text', 'desk'],
  ['stream_seq', 'bigint', 'streamSeq'],
];

const FILL_COLUMNS: ReadonlyArray<Column<FillRow & Keyed>> = [
  ...KEY_COLUMNS,
  ['seq', 'bigint', 'seq'],
  ['session_id', 'bigint', 'sessionId'],
  ['venue', 'text', 'venue'],
  ['symbol', 'text', 'symbol'],
  ['execution', 'text', 'execution'],
  ['fill_id', 'text', 'fillId'],
  ['client_order_id', 'text', 'clientOrderId'],
  ['side', 'text', 'side'],
  ['price_ticks', 'bigint', 'priceTicks'],
  ['price', 'numeric', 'price'],
  ['size_lots', 'bigint', 'sizeLots'],
  ['size', 'numeric', 'size'],
  ['tick_size', 'numeric', 'tickSize'],
  ['lot_size', 'numeric', 'lotSize'],
  ['fee', 'float8', 'fee'],
  ['liquidity', 'text', 'liquidity'],
  ['mid_at_fill', 'float8', 'midAtFill'],
  ['fair_value_at_fill', 'float8', 'fairValueAtFill'],
  ['inventory_after_lots', 'bigint', 'inventoryAfterLots'],
  ['local_us', 'bigint', 'localUs'],
  ['exch_us', 'bigint', 'exchUs'],
];

const ORDER_COLUMNS: ReadonlyArray<Column<OrderRow & Keyed>> = [
  ...KEY_COLUMNS,
  ['seq', 'bigint', 'seq'],
  ['session_id', 'bigint', 'sessionId'],
  ['client_order_id', 'text', 'clientOrderId'],
  ['side', 'text', 'side'],
  ['price_ticks', 'bigint', 'priceTicks'],
  ['price', 'numeric', 'price'],
  ['size_lots', 'bigint', 'sizeLots'],
  ['size', 'numeric', 'size'],
  ['time_in_force', 'text', 'timeInForce'],
  ['post_only', 'boolean', 'postOnly'],
  ['purpose', 'text', 'purpose'],
  ['created_us', 'bigint', 'createdUs'],
];

const EVENT_COLUMNS: ReadonlyArray<Column<EventRow & Keyed>> = [
  ...KEY_COLUMNS,
  ['seq', 'bigint', 'seq'],
  ['session_id', 'bigint', 'sessionId'],
  ['client_order_id', 'text', 'clientOrderId'],
  ['type', 'text', 'type'],
  ['local_us', 'bigint', 'localUs'],
  ['detail', 'text', 'detail'],
];

const AUDIT_COLUMNS: ReadonlyArray<Column<AuditRow & Keyed>> = [
  ...KEY_COLUMNS,
  ['seq', 'bigint', 'seq'],
  ['session_id', 'bigint', 'sessionId'],
  ['local_us', 'bigint', 'localUs'],
  ['who', 'text', 'who'],
  ['action', 'text', 'action'],
  ['detail', 'text', 'detail'],
];

const REJECTED_COLUMNS: ReadonlyArray<Column<Pending['rejected'][number]>> = [
  ['stream_seq', 'bigint', 'streamSeq'],
  ['subject', 'text', 'subject'],
  ['reason', 'text', 'reason'],
  ['body', 'text', 'body'],
];

const BATCH_SCHEMAS = {
  fills: recordBatchSchema('fills'),
  orders: recordBatchSchema('orders'),
  events: recordBatchSchema('events'),
  audit: recordBatchSchema('audit'),
} as const;

export class Archiver {
  private closed = false;
  private running: Promise<void> | null = null;
  private statsValue = { messages: 0, rowsInserted: 0, rowsAlreadyThere: 0, rejected: 0 };
  private lastError: string | null = null;
  /** Why the PostgreSQL connection is gone (the archiver stops: restarting it resumes from the consumer). */
  private fatal: string | null = null;

  private constructor(
    private readonly options: ArchiverOptions,
    private readonly nc: NatsConnection,
    private readonly db: pg.Client,
    private readonly consumer: Consumer,
  ) {
    db.on('error', (error) => {
      this.fatal = error.message;
    });
  }

  static async start(options: ArchiverOptions): Promise<Archiver> {
    const db = new pg.Client({ connectionString: options.pgUrl, application_name: 'quotedesk archive' });
    try {
      await db.connect();
    } catch (error) {
      throw new FleetInputError(`--pg: cannot connect to PostgreSQL (${(error as Error).message})`);
    }
    let nc: NatsConnection | null = null;
    try {
      const applied = await migrateArchive(db);
      if (applied.length > 0) options.log(`archive: applied schema migrations ${applied.join(', ')}`);
      const connection = await connectNats(options.target, options.natsFlag, { name: 'quotedesk archive' });
      nc = connection;
      // A cluster busy electing or placing answers the account check late: asked again, as the streams are.
      const jsm = await withClusterPatience('JetStream', () => jetstreamManager(connection), options.log);
      await ensureRecordsStream(jsm, defaultReplicas(nc), options.log);
      await withClusterPatience(
        'the archive consumer',
        async () => {
          try {
            await jsm.consumers.info(RECORDS_STREAM, ARCHIVE_CONSUMER);
          } catch (error) {
            if (!/not found/i.test((error as Error).message)) throw error;
            await jsm.consumers.add(RECORDS_STREAM, {
              durable_name: ARCHIVE_CONSUMER,
              ack_policy: AckPolicy.Explicit,
              deliver_policy: DeliverPolicy.All,
              ack_wait: nanos(30_000),
              max_ack_pending: 50_000,
            });
          }
        },
        options.log,
      );
      const consumer = await jetstream(nc).consumers.get(RECORDS_STREAM, ARCHIVE_CONSUMER);
      watchStatus(nc, options.log);
      return new Archiver(options, nc, db, consumer);
    } catch (error) {
      await nc?.close();
      await db.end();
      throw error;
    }
  }

  stats(): ArchiveStats {
    return { ...this.statsValue };
  }

  /** Runs until `close()`. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /**
   * Messages to ask for: about `ROWS_PER_TRANSACTION` rows at the rows per message seen so far (a desk
   * catching up sends 500-row batches, a live desk a few rows), so one commit carries thousands of rows
   * and a fetch never holds hundreds of megabytes.
   */
  private fetchSize(): number {
    if (this.options.fetchMessages !== undefined) return this.options.fetchMessages;
    const perMessage = this.statsValue.messages === 0 ? 500 : Math.max(1, (this.statsValue.rowsInserted + this.statsValue.rowsAlreadyThere) / this.statsValue.messages);
    return Math.max(16, Math.min(1_024, Math.round(ROWS_PER_TRANSACTION / perMessage)));
  }

  /** One fetch's messages (fewer, or none, when the wait runs out), or the error that ended it. */
  private async fetchBatch(): Promise<JsMsg[] | Error> {
    try {
      const messages: JsMsg[] = [];
      const iterator = await this.consumer.fetch({ max_messages: this.fetchSize(), expires: this.options.fetchExpiresMs ?? 1_000 });
      for await (const message of iterator) messages.push(message);
      return messages;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Fetches the next batch while the current one is written: the stream and the database work at once. */
  private async loop(): Promise<void> {
    let next = this.fetchBatch();
    try {
      while (!this.closed) {
        if (this.fatal !== null) throw new Error(`PostgreSQL connection lost: ${this.fatal}`);
        const fetched = await next;
        next = this.closed ? Promise.resolve([]) : this.fetchBatch();
        try {
          if (fetched instanceof Error) throw fetched;
          if (fetched.length > 0) await this.archive(fetched);
          this.lastError = null;
        } catch (error) {
          const message = (error as Error).message;
          if (message !== this.lastError) this.options.log(`archive: ${message}; retrying`);
          this.lastError = message;
          if (this.fatal !== null) throw new Error(`PostgreSQL connection lost: ${this.fatal}`);
          // why: a leader election or a reconnect takes a moment; retrying at once would spin.
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      // Messages fetched but not archived are redelivered after their ack wait: nothing is lost.
      await next;
    }
  }

  private async archive(messages: readonly JsMsg[]): Promise<void> {
    const pending: Pending = { fills: [], orders: [], events: [], audit: [], rejected: [] };
    for (const message of messages) this.collect(message, pending);
    await this.db.query('BEGIN');
    let inserted = 0;
    let offered = 0;
    try {
      inserted += await this.insert('archive_fills', FILL_COLUMNS, pending.fills);
      inserted += await this.insert('archive_orders', ORDER_COLUMNS, pending.orders);
      inserted += await this.insert('archive_order_events', EVENT_COLUMNS, pending.events);
      inserted += await this.insert('archive_audit', AUDIT_COLUMNS, pending.audit);
      offered = pending.fills.length + pending.orders.length + pending.events.length + pending.audit.length;
      await this.insert('archive_rejected', REJECTED_COLUMNS, pending.rejected);
      await this.db.query('COMMIT');
    } catch (error) {
      await this.db.query('ROLLBACK').catch(() => undefined);
      for (const message of messages) message.nak(1_000);
      throw error;
    }
    // Acknowledged only once committed: a crash before this line redelivers rows that are already there.
    for (const message of messages) message.ack();
    this.statsValue.messages += messages.length;
    this.statsValue.rowsInserted += inserted;
    this.statsValue.rowsAlreadyThere += offered - inserted;
    this.statsValue.rejected += pending.rejected.length;
    for (const rejected of pending.rejected) this.options.log(`archive: refused stream message ${rejected.streamSeq} on ${rejected.subject}: ${rejected.reason}`);
  }

  private collect(message: JsMsg, pending: Pending): void {
    const streamSeq = message.seq;
    const subject = message.subject;
    const body = message.string();
    const reject = (reason: string): void => void pending.rejected.push({ streamSeq, subject, reason, body: body.slice(0, 10_000) });
    const target = parseRecordSubject(subject);
    if (target === null) return reject('not a records subject (qd.desk.<name>.<fills|orders|events|audit>)');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      return reject(`malformed JSON: ${(error as Error).message}`);
    }
    const parsed = BATCH_SCHEMAS[target.table].safeParse(json);
    if (!parsed.success) return reject(describeIssue(parsed.error));
    const batch = parsed.data;
    if (batch.desk !== target.desk) return reject(`the subject names desk "${target.desk}" but the batch says "${batch.desk}"`);
    this.push(target.table, batch.rows, target.desk, streamSeq, pending);
  }

  private push(table: RecordTable, rows: readonly unknown[], desk: string, streamSeq: number, pending: Pending): void {
    for (const row of rows) (pending[table] as Array<unknown>).push({ ...(row as object), desk, streamSeq });
  }

  /**
   * One `INSERT ... SELECT ... FROM json_to_recordset($1)` of the rows; the rows newly inserted. The rows
   * travel as one JSON text that PostgreSQL parses itself: far cheaper than a parameter per value or an
   * array per column, which the driver would escape value by value.
   */
  private async insert<R>(table: string, columns: ReadonlyArray<Column<R>>, rows: readonly R[]): Promise<number> {
    if (rows.length === 0) return 0;
    const names = columns.map((column) => column[0]).join(', ');
    const keys = columns.map((column) => `"${column[2]}"`).join(', ');
    const types = columns.map((column) => `"${column[2]}" ${column[1]}`).join(', ');
    const result = await this.db.query(`INSERT INTO ${table} (${names}) SELECT ${keys} FROM json_to_recordset($1::json) AS x(${types}) ON CONFLICT DO NOTHING`, [JSON.stringify(rows)]);
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running?.catch(() => undefined);
    await this.nc.drain().catch(() => undefined);
    await this.db.end().catch(() => undefined);
  }
}
