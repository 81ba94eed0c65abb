/**
 * The archiver (`quotedesk archive`, a real process) between a real nats-server and a real PostgreSQL,
 * fed by this test publishing record batches on the wire: the schema is migrated once and recorded in
 * `schema_migrations`; a batch stored twice in the stream (re-published under another id) is archived
 * once; every malformed message — not JSON, a row that breaks the schema, a batch naming another desk —
 * is kept in `archive_rejected` with its reason and archived nowhere else; a database from a newer build
 * is refused with one line; `--pnl` prints the PnL by desk and day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects, type FillRow, type RecordBatch } from '../../../src/shared/fleet.js';
import { ensureRecordsStream } from '../../../src/main/fleet/streams.js';
import { runCli, startCli, type CliHandle } from '../../support/cli-process.js';
import { NatsCluster, USERS } from '../../support/nats-cluster.js';
import { Postgres } from '../../support/postgres.js';
import { until } from '../../support/until.js';

const ARCHIVER_ENV = { QUOTEDESK_NATS_USER: USERS.archiver.user, QUOTEDESK_NATS_PASSWORD: USERS.archiver.pass };

function fill(seq: number, over: Partial<FillRow> = {}): FillRow {
  return {
    seq,
    sessionId: 1,
    venue: 'sim',
    symbol: 'SIM-USD',
    execution: 'paper',
    fillId: `f${seq}`,
    clientOrderId: `q${seq}`,
    side: seq % 2 === 0 ? 'sell' : 'buy',
    priceTicks: 10_000 + seq,
    price: (100 + seq / 100).toFixed(2),
    sizeLots: 3,
    size: '3',
    tickSize: '0.01',
    lotSize: '1',
    fee: -0.01,
    liquidity: 'maker',
    midAtFill: 100.005 + seq / 100,
    fairValueAtFill: null,
    inventoryAfterLots: seq % 2 === 0 ? 0 : 3,
    // 2026-03-01T23:59:59Z and on: the batch spans two UTC days.
    localUs: 1_772_409_599_000_000 + seq * 200_000,
    exchUs: null,
    ...over,
  };
}

function batch(desk: string, rows: FillRow[]): RecordBatch<'fills'> {
  return { v: 1, desk, table: 'fills', first: rows[0]?.seq ?? 0, last: rows[rows.length - 1]?.seq ?? 0, rows };
}

describe('the archiver', () => {
  let nats: NatsCluster;
  let postgres: Postgres;
  let db: pg.Client;
  let nc: NatsConnection;
  let archiver: CliHandle;

  beforeAll(async () => {
    [nats, postgres] = await Promise.all([NatsCluster.start(1), Postgres.start({ fast: true })]);
    postgres.createDatabase('archive');
    db = new pg.Client({ connectionString: postgres.url('archive') });
    await db.connect();
    nc = await nats.connect('desk');
    await ensureRecordsStream(await jetstreamManager(nc), 1, () => undefined);
  }, 60_000);

  afterAll(async () => {
    await archiver?.stop('SIGKILL');
    await nc?.close();
    await db?.end();
    await Promise.all([nats?.stop(), postgres?.stop()]);
  });

  it('archives each row once, keeps every refused message with its reason, and prints the PnL by desk and day', async () => {
    const js = jetstream(nc);
    const rows = [1, 2, 3, 4, 5, 6].map((seq) => fill(seq));
    await js.publish(subjects.records('desk-a', 'fills'), JSON.stringify(batch('desk-a', rows.slice(0, 4))));
    // The same rows again under another message id (a desk that lost its ack and its dedup window).
    await js.publish(subjects.records('desk-a', 'fills'), JSON.stringify(batch('desk-a', rows.slice(2))));
    await js.publish(subjects.records('desk-a', 'fills'), 'not json');
    await js.publish(subjects.records('desk-a', 'fills'), JSON.stringify(batch('desk-a', [fill(7, { price: 'abc' })])));
    await js.publish(subjects.records('desk-a', 'fills'), JSON.stringify(batch('desk-b', [fill(8)])));

    archiver = await startCli(['archive', '--nats', nats.urls, '--pg', postgres.url('archive')], /Quotedesk archive running/, { env: ARCHIVER_ENV });
    await until('the rejected messages', async () => Number((await db.query('SELECT count(*) AS n FROM archive_rejected')).rows[0].n) === 3);
    const archived = (await db.query<{ seq: string; fill_id: string; price: string }>('SELECT seq, fill_id, price::text FROM archive_fills ORDER BY desk, seq')).rows;
    expect(archived.map((r) => [Number(r.seq), r.fill_id, r.price])).toEqual(rows.map((r) => [r.seq, r.fillId, r.price]));
    const rejected = (await db.query<{ reason: string }>('SELECT reason FROM archive_rejected ORDER BY stream_seq')).rows.map((r) => r.reason);
    expect(rejected[0]).toMatch(/^malformed JSON/);
    expect(rejected[1]).toMatch(/^rows\.0\.price: /);
    expect(rejected[2]).toBe('the subject names desk "desk-a" but the batch says "desk-b"');
    expect(archiver.stderr()).toMatch(/refused stream message 3 on qd\.desk\.desk-a\.fills: malformed JSON/);

    const migrations = (await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
    expect(migrations).toEqual([1, 2]);
    expect(await archiver.stop('SIGTERM')).toBe(0);
    expect(archiver.stdout()).toMatch(/archived 6 rows from 5 messages \(2 already there, 3 refused\)/);

    // PnL by desk and day, by hand: buys at odd seqs, sells at even (3 lots each), fee −0.01 (a rebate).
    // --pnl reads PostgreSQL only: no NATS needed.
    const printed = await runCli(['archive', '--pg', postgres.url('archive'), '--pnl', '--json']);
    expect(printed.code).toBe(0);
    const pnl = JSON.parse(printed.stdout) as Array<{ desk: string; day: string; fills: number; pnl: number; fees: number; volume: number }>;
    // Day 1 (2026-03-01): fill 1 at 23:59:59.2 and 2 at .4, 3 at .6, 4 at .8; fills 5 and 6 on 2026-03-02.
    const cash = (seqs: number[]): number => seqs.reduce((sum, seq) => sum + (seq % 2 === 0 ? 1 : -1) * (100 + seq / 100) * 3 + 0.01, 0);
    const day1 = cash([1, 2, 3, 4]);
    const day2 = cash([1, 2, 3, 4, 5, 6]) - day1;
    expect(pnl.map((r) => [r.desk, r.day, r.fills])).toEqual([
      ['desk-a', '2026-03-01', 4],
      ['desk-a', '2026-03-02', 2],
    ]);
    expect(pnl[0]?.pnl).toBeCloseTo(day1, 9);
    expect(pnl[1]?.pnl).toBeCloseTo(day2, 9);
    expect(pnl[0]?.fees).toBeCloseTo(-0.04, 9);
    expect(pnl[0]?.volume).toBe(12);
    const table = await runCli(['archive', '--nats', nats.urls, '--pg', postgres.url('archive'), '--pnl']);
    expect(table.stdout).toMatch(/desk-a\s+2026-03-01\s+4\s+12\.0000\s+-0\.0400/);
  });

  it('refuses a database of a newer build, and bad flags, with one line and exit code 2', async () => {
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
    try {
      const run = await runCli(['archive', '--nats', nats.urls, '--pg', postgres.url('archive'), '--pnl']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('quotedesk: --pg: the archive database is at schema version 99, newer than this build\'s 2: use a newer quotedesk\n');
    } finally {
      await db.query('DELETE FROM schema_migrations WHERE version = 99');
    }
    const noNats = await runCli(['archive', '--pg', postgres.url('archive')]);
    expect(noNats).toMatchObject({ code: 2, stderr: 'quotedesk: missing required flag --nats for `quotedesk archive` (only --pnl works without it)\n' });
    const badDesk = await runCli(['archive', '--pg', postgres.url('archive'), '--pnl', '--desk', 'a b']);
    expect(badDesk.code).toBe(2);
    const badPg = await runCli(['archive', '--nats', nats.urls, '--pg', 'mysql://x']);
    expect(badPg).toMatchObject({ code: 2, stderr: 'quotedesk: --pg must be a postgres://user@host:port/database URL\n' });
    const noPg = await runCli(['archive', '--nats', nats.urls, '--pg', `postgres://postgres@127.0.0.1:1/x`]);
    expect(noPg.code).toBe(2);
    expect(noPg.stderr).toMatch(/^quotedesk: --pg: cannot connect to PostgreSQL/);
    const noAuth = await runCli(['archive', '--nats', nats.urls, '--pg', postgres.url('archive')]);
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toMatch(/^quotedesk: --nats: NATS refused the credentials/);
  });
});
