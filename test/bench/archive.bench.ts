/**
 * Archive throughput: fills from JetStream into PostgreSQL by the real `quotedesk archive` process.
 *
 * A real nats-server cluster (3 nodes, the records stream at R3) and a real PostgreSQL 15 with its shipped
 * durability settings (fsync on, synchronous_commit on). Before the archiver starts, simulated desks
 * publish N fills in record batches of B rows (the wire format real desks publish: a desk catching up
 * after an outage sends 500-row batches, a busy desk live sends a few rows per batch), so the figure is
 * the archiver's own rate, not the publishers'. The rate is rows over the time from
 * the archiver's ready line to the last row (polling the row count every 50 ms), and every row is checked
 * to be there once.
 *
 * `npx tsx test/bench/archive.bench.ts [fills=200000] [batchRows=500,20] [desks=10]` (needs the build).
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { subjects, type FillRow } from '../../src/shared/fleet.js';
import { ensureRecordsStream } from '../../src/main/fleet/streams.js';
import { startCli } from '../support/cli-process.js';
import { NatsCluster, USERS } from '../support/nats-cluster.js';
import { Postgres } from '../support/postgres.js';

const FILLS = Number(process.argv[2] ?? 200_000);
const BATCHES = (process.argv[3] ?? '500,20').split(',').map(Number);
const DESKS = Number(process.argv[4] ?? 10);
const TARGET_PER_SEC = 20_000;

function fill(seq: number, desk: number): FillRow {
  const side = seq % 2 === 0 ? 'sell' : 'buy';
  return {
    seq,
    sessionId: 1 + Math.floor(seq / 50_000),
    venue: 'binance-spot',
    symbol: 'BTCUSDT',
    execution: 'paper',
    fillId: `t${desk}-${seq}`,
    clientOrderId: `q${seq}`,
    side,
    priceTicks: 6_500_000 + (seq % 200),
    price: (65_000 + (seq % 200) / 100).toFixed(2),
    sizeLots: 1 + (seq % 9),
    size: ((1 + (seq % 9)) / 10_000).toFixed(4),
    tickSize: '0.01',
    lotSize: '0.0001',
    fee: -0.0013,
    liquidity: 'maker',
    midAtFill: 65_000.005 + (seq % 200) / 100,
    fairValueAtFill: 65_000.01,
    inventoryAfterLots: (seq % 40) - 20,
    localUs: 1_780_000_000_000_000 + seq * 1_000,
    exchUs: 1_780_000_000_000_000 + seq * 1_000 - 300,
  };
}

async function scenario(cluster: NatsCluster, postgres: Postgres, batchRows: number): Promise<void> {
  const database = `archive_${batchRows}`;
  postgres.createDatabase(database);
  const nc = await cluster.connect('desk');
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.delete('QD_RECORDS');
  } catch {
    // none yet
  }
  await ensureRecordsStream(jsm, 3, (line) => console.log(line));
  const js = jetstream(nc);
  const perDesk = Math.ceil(FILLS / DESKS);
  const publishStart = performance.now();
  let total = 0;
  for (let d = 0; d < DESKS; d++) {
    const desk = `bench-${d}`;
    const acks: Array<Promise<unknown>> = [];
    for (let first = 1; first <= perDesk; first += batchRows) {
      const rows: FillRow[] = [];
      for (let seq = first; seq < first + batchRows && seq <= perDesk; seq++) rows.push(fill(seq, d));
      total += rows.length;
      acks.push(js.publish(subjects.records(desk, 'fills'), JSON.stringify({ v: 1, desk, table: 'fills', first, last: rows[rows.length - 1]?.seq, rows }), { msgID: `${desk}:fills:${first}` }));
      if (acks.length >= 256) await Promise.all(acks.splice(0));
    }
    await Promise.all(acks);
  }
  const publishSec = (performance.now() - publishStart) / 1000;
  await nc.close();

  const db = new pg.Client({ connectionString: postgres.url(database) });
  await db.connect();
  const archiver = await startCli(['archive', '--nats', cluster.urls, '--pg', postgres.url(database)], /Quotedesk archive running/, {
    env: { QUOTEDESK_NATS_USER: USERS.archiver.user, QUOTEDESK_NATS_PASSWORD: USERS.archiver.pass },
  });
  // From the archiver's ready line (it has migrated and connected) to the last row.
  const readyAt = performance.now();
  let firstAt = 0;
  let lastAt = 0;
  let count = 0;
  const deadline = performance.now() + 600_000;
  while (count < total && performance.now() < deadline) {
    // A COUNT needs the table to exist: the archiver migrates at start.
    count = Number((await db.query('SELECT count(*) AS n FROM archive_fills').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
    const now = performance.now();
    if (count > 0 && firstAt === 0) firstAt = now;
    if (count >= total) lastAt = now;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const distinct = Number((await db.query('SELECT count(DISTINCT (desk, seq)) AS n FROM archive_fills').then((r) => r.rows[0])).n);
  await archiver.stop('SIGTERM');
  await db.end();
  const seconds = (lastAt - readyAt) / 1000;
  const rate = total / seconds;
  console.log(`archive, ${batchRows}-row batches: ${total} fills of ${DESKS} desks (published in ${publishSec.toFixed(1)} s), archived in ${seconds.toFixed(2)} s from the archiver's start (first row after ${((firstAt - readyAt) / 1000).toFixed(2)} s) = ${rate.toFixed(0)} fills/s; rows ${count}, distinct ${distinct}`);
  console.log(`  rate / target (${TARGET_PER_SEC} fills/s): ${(rate / TARGET_PER_SEC).toFixed(2)}  ${rate >= TARGET_PER_SEC ? 'MET' : 'NOT MET'}`);
}

async function main(): Promise<void> {
  const [cluster, postgres] = await Promise.all([NatsCluster.start(3), Postgres.start()]);
  try {
    console.log('archive throughput: 3-node nats-server (R3 stream) → quotedesk archive → PostgreSQL 15 (fsync on, synchronous_commit on)');
    for (const batchRows of BATCHES) await scenario(cluster, postgres, batchRows);
  } finally {
    await cluster.stop();
    await postgres.stop();
  }
}

await main();
