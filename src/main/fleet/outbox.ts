/**
 * Publishes a desk's records (fills, orders, order events, audit) from its own database into JetStream:
 * the database is the outbox. Each table is tailed by sequence (`OutboxReader`) and published on its
 * own subject `qd.desk.<name>.<table>` as batches of consecutive rows, ONE batch in flight per table:
 *
 * - **Where to start** is read from the stream, never remembered locally: the last message on the
 *   table's subject says the last row stored (`last`) and its stream sequence. So a desk cut off from
 *   NATS, or restarted, or SIGKILLed, publishes exactly the rows after that, in order, when it can.
 * - **No hole, no double.** Every batch carries `Nats-Expected-Last-Subject-Sequence` (the stream
 *   sequence of the previous batch on the subject) and `Nats-Msg-Id` `<desk>:<table>:<first>`. A batch
 *   stored but whose acknowledgement was lost is refused when re-sent (duplicate id, or a wrong last
 *   sequence), and the publisher re-reads the stream's last batch and goes on after it. One batch in flight
 *   means a later batch can never be stored while an earlier one is not (a pipelined publisher could leave
 *   a hole if it died between the two). A second process publishing as the same desk is refused the same way.
 * - **A stream ahead of the database** (its `last` beyond the database's newest row) means another
 *   database publishes under this desk's name: the table stops with that reason rather than skip rows.
 *
 * It never writes the database and never blocks the engine: reads are slices on the host thread.
 */
import { type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { RECORD_TABLES, RECORDS_STREAM, describeIssue, recordBatchSchema, subjects, type RecordTable } from '../../shared/fleet.js';
import type { OutboxReader } from './outbox-reader.js';

export interface OutboxOptions {
  readonly desk: string;
  readonly reader: OutboxReader;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly log: (line: string) => void;
  /** Rows per batch at most. Default 500. */
  readonly batchRows?: number;
  /** Bytes per batch at most (NATS' default max payload is 1 MiB). Default 512 KiB. */
  readonly batchBytes?: number;
  /** How often an idle table looks for new rows. Default 100 ms. */
  readonly pollMs?: number;
  /** How long a publish or a stream read may take before it is retried. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** One table's publishing state, as the heartbeat and the tests see it. */
export interface TableProgress {
  /** The last row the stream is known to hold, or null until read from the stream. */
  readonly stored: number | null;
  /** Rows in the database not yet in the stream (as of the last look). */
  readonly backlog: number;
  /** Why the table stopped publishing, or null. */
  readonly stopped: string | null;
}

class TablePublisher {
  stored: number | null = null;
  /** The last row the stream was known to hold (kept while `stored` is being re-read). */
  private confirmed = 0;
  private lastSubjectSeq = 0;
  stopped: string | null = null;
  lastError: string | null = null;
  newest = 0;

  constructor(
    readonly table: RecordTable,
    private readonly options: Required<Omit<OutboxOptions, 'reader' | 'js' | 'jsm' | 'log' | 'desk'>> & Pick<OutboxOptions, 'reader' | 'js' | 'jsm' | 'log' | 'desk'>,
  ) {}

  private get subject(): string {
    return subjects.records(this.options.desk, this.table);
  }

  /** Reads where the stream is for this subject. */
  private async sync(): Promise<void> {
    const stored = await this.options.jsm.streams.getMessage(RECORDS_STREAM, { last_by_subj: this.subject });
    if (stored === null) {
      this.stored = 0;
      this.lastSubjectSeq = 0;
      return;
    }
    const parsed = recordBatchSchema(this.table).safeParse(stored.json());
    if (!parsed.success) {
      this.stopped = `the stream's last ${this.table} message (stream seq ${stored.seq}) is not a batch of this desk: ${describeIssue(parsed.error)}`;
      return;
    }
    this.stored = parsed.data.last;
    this.confirmed = parsed.data.last;
    this.lastSubjectSeq = stored.seq;
  }

  /** One step: sync if needed, publish the next batch if there is one. True when more may be waiting. */
  async step(): Promise<boolean> {
    if (this.stopped !== null) return false;
    // Before the stream is asked, so the backlog is known during an outage too.
    this.newest = this.options.reader.lastSeq(this.table);
    if (this.stored === null) await this.sync();
    const stored = this.stored;
    if (stored === null || this.stopped !== null) return false;
    if (stored > this.newest) {
      this.stopped = `the stream holds ${this.table} up to seq ${stored} but this database's newest is ${this.newest}: another database publishes as desk "${this.options.desk}"`;
      return false;
    }
    if (stored === this.newest) return false;
    const rows = this.options.reader.rowsAfter(this.table, stored, this.options.batchRows);
    if (rows.length === 0) return false;
    let bytes = 0;
    let count = 0;
    const texts: string[] = [];
    for (const row of rows) {
      const text = JSON.stringify(row);
      if (count > 0 && bytes + text.length > this.options.batchBytes) break;
      texts.push(text);
      bytes += text.length + 1;
      count++;
    }
    const first = rows[0]?.seq ?? 0;
    const last = rows[count - 1]?.seq ?? 0;
    const body = `{"v":1,"desk":${JSON.stringify(this.options.desk)},"table":"${this.table}","first":${first},"last":${last},"rows":[${texts.join(',')}]}`;
    try {
      const ack = await this.options.js.publish(this.subject, body, {
        msgID: `${this.options.desk}:${this.table}:${first}`,
        expect: { lastSubjectSequence: this.lastSubjectSeq },
        timeout: this.options.timeoutMs,
      });
      if (ack.duplicate) {
        // Stored before (its acknowledgement was lost): the stream says how far it got.
        this.stored = null;
        return true;
      }
      this.stored = last;
      this.confirmed = last;
      this.lastSubjectSeq = ack.seq;
      this.lastError = null;
      return last < this.newest;
    } catch (error) {
      // A wrong last sequence, a timeout, a leader election: re-read the stream before the next batch.
      this.stored = null;
      throw error;
    }
  }

  progress(): TableProgress {
    return { stored: this.stored, backlog: Math.max(0, this.newest - (this.stored ?? this.confirmed)), stopped: this.stopped };
  }
}

export class Outbox {
  private readonly tables: Record<RecordTable, TablePublisher>;
  private readonly wakers = new Set<() => void>();
  private closed = false;
  /** While closing: publish until caught up or until then (ms since epoch). */
  private drainUntilMs: number | null = null;
  private readonly loops: Array<Promise<void>> = [];
  private readonly options: ConstructorParameters<typeof TablePublisher>[1];

  constructor(options: OutboxOptions) {
    this.options = { batchRows: 500, batchBytes: 512 * 1024, pollMs: 100, timeoutMs: 5_000, ...options };
    this.tables = {
      fills: new TablePublisher('fills', this.options),
      orders: new TablePublisher('orders', this.options),
      events: new TablePublisher('events', this.options),
      audit: new TablePublisher('audit', this.options),
    };
  }

  start(): void {
    for (const table of RECORD_TABLES) this.loops.push(this.run(this.tables[table]));
  }

  /** New rows may be committed: look now instead of at the next poll. */
  wake(): void {
    for (const waker of this.wakers) waker();
    this.wakers.clear();
  }

  progress(): Record<RecordTable, TableProgress> {
    return {
      fills: this.tables.fills.progress(),
      orders: this.tables.orders.progress(),
      events: this.tables.events.progress(),
      audit: this.tables.audit.progress(),
    };
  }

  /**
   * Stops publishing. With `drainMs`, first publishes what the database holds now (a desk shutting down
   * publishes its last rows, the session's end among them), giving up after that long.
   */
  async close(drainMs = 0): Promise<void> {
    if (drainMs > 0) {
      this.drainUntilMs = Date.now() + drainMs;
      this.wake();
      await Promise.race([Promise.all(this.loops), new Promise((resolve) => setTimeout(resolve, drainMs).unref())]);
    }
    this.closed = true;
    this.wake();
    await Promise.all(this.loops);
  }

  private async run(publisher: TablePublisher): Promise<void> {
    while (!this.closed) {
      let more = false;
      let failed = false;
      try {
        more = await publisher.step();
      } catch (error) {
        failed = true;
        const message = (error as Error).message;
        if (publisher.lastError !== message) this.options.log(`fleet: publishing ${publisher.table} failed, will resume from the stream: ${message}`);
        publisher.lastError = message;
      }
      if (publisher.stopped !== null) {
        this.options.log(`fleet: ${publisher.table} stopped: ${publisher.stopped}`);
        return;
      }
      if (more && !failed) continue;
      if (this.drainUntilMs !== null && !failed && publisher.stored !== null && publisher.stored >= this.options.reader.lastSeq(publisher.table)) return;
      if (this.drainUntilMs !== null && Date.now() > this.drainUntilMs) return;
      // why: after a failure wait the back-off out (a frame's wake would retry many times a second).
      await this.pause(failed ? Math.max(this.options.pollMs, 250) : this.options.pollMs, !failed);
    }
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      if (wakeable || this.closed) this.wakers.add(done);
    });
  }
}
