/**
 * The whole fleet with real processes: three `quotedesk serve --fleet` desks on the simulated market, the
 * supervisor (`quotedesk fleet`) and the archiver (`quotedesk archive`) over a real 3-node JetStream
 * cluster, and a real PostgreSQL. Mid-run the stream's leader node is SIGKILLed (and stays down), a desk is SIGKILLed,
 * the archiver is SIGKILLed and restarted. Proven against independent sources:
 *
 * - the supervisor's rows agree with each desk's own `/api/state`;
 * - the SIGKILLed desk is marked lost with its heartbeat age under 2 s, and a command to it fails with that
 *   reason; the kill-all halts the others, each confirming `halted`, which their own API confirms;
 * - every fill (order, event, audit row) of every desk's database reaches PostgreSQL exactly once, the
 *   killed desk's too once restarted, and the PnL by desk and day equals a recomputation from the fills
 *   on disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import type { DeskState } from '../../../src/shared/contract.js';
import { RECORDS_STREAM, type DailyPnlRow, type FleetView, type KillAllResult } from '../../../src/shared/fleet.js';
import { startCli, type CliHandle } from '../../support/cli-process.js';
import { databaseCount, databaseRows } from '../../support/fleet-check.js';
import { NatsCluster, USERS } from '../../support/nats-cluster.js';
import { Postgres } from '../../support/postgres.js';
import { removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';
import { until } from '../../support/until.js';
import Database from 'better-sqlite3';

const TOKEN = 'fleet-token-0123456789';
const env = (who: keyof typeof USERS): Record<string, string> => ({ QUOTEDESK_NATS_USER: USERS[who].user, QUOTEDESK_NATS_PASSWORD: USERS[who].pass });

describe('a fleet of three desks, a supervisor and an archiver over a 3-node JetStream cluster', () => {
  let cluster: NatsCluster;
  let postgres: Postgres;
  let db: pg.Client;
  const desks = new Map<string, ServeHandle>();
  const processes: CliHandle[] = [];
  let supervisorUrl = '';

  const startDesk = async (name: string, seed: number, dbPath?: string, dir?: string): Promise<ServeHandle> => {
    const desk = await startServe({ args: ['--fleet', cluster.urls, '--desk-name', name, '--sim-flow', '4', '--seed', String(seed)], env: env('desk'), ...(dbPath ? { dbPath } : {}), ...(dir ? { dir } : {}) });
    desks.set(name, desk);
    return desk;
  };
  const startArchiver = async (): Promise<CliHandle> => {
    const archiver = await startCli(['archive', '--nats', cluster.urls, '--pg', postgres.url('archive')], /Quotedesk archive running/, { env: env('archiver') });
    processes.push(archiver);
    return archiver;
  };
  const fleet = async (): Promise<FleetView> => (await fetch(`${supervisorUrl}/api/fleet`)).json() as Promise<FleetView>;
  const post = async (path: string, body: unknown, token = TOKEN): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(supervisorUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const archivedFills = async (desk: string): Promise<Array<{ seq: string; fill_id: string; price: string; size: string }>> =>
    (await db.query<{ seq: string; fill_id: string; price: string; size: string }>('SELECT seq, fill_id, price::text, size::text FROM archive_fills WHERE desk = $1 ORDER BY seq', [desk])).rows;

  beforeAll(async () => {
    [cluster, postgres] = await Promise.all([NatsCluster.start(3), Postgres.start({ fast: true })]);
    postgres.createDatabase('archive');
    db = new pg.Client({ connectionString: postgres.url('archive') });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    for (const proc of processes) await proc.stop('SIGKILL');
    for (const desk of desks.values()) {
      await desk.stop('SIGKILL');
      removeDir(desk.dir);
    }
    await db?.end();
    await Promise.all([cluster?.stop(), postgres?.stop()]);
  });

  it('supervises, survives a node and a desk lost, kills all, and archives every fill exactly once', async () => {
    const supervisor = await startCli(['fleet', '--nats', cluster.urls, '--port', '0', '--token', TOKEN, '--pg', postgres.url('archive')], /listening on (http:\/\/\S+)/, { env: env('supervisor') });
    processes.push(supervisor);
    supervisorUrl = supervisor.match[1] ?? '';
    await Promise.all([startDesk('alpha', 1), startDesk('bravo', 2), startDesk('charlie', 3)]);
    let archiver = await startArchiver();

    // The overview lists all three, live, and agrees with each desk's own API.
    await until('three live desks in the overview', async () => {
      const view = await fleet();
      return view.desks.length === 3 && view.desks.every((d) => d.status === 'live' && d.venue === 'sim' && d.tradingState === 'active');
    });
    const alpha = desks.get('alpha');
    if (!alpha) throw new Error('no alpha');
    const paused = await post('/api/fleet/command', { desk: 'alpha', command: 'pause', payload: { who: 'test' } });
    expect(paused).toEqual({ status: 200, body: { ok: true, tradingState: 'paused' } });
    // Paused, alpha's figures settle; the overview must then show exactly its own state.
    await until('the overview to show alpha as its API does', async () => {
      const own = await alpha.get<DeskState>('/api/state');
      const row = (await fleet()).desks.find((d) => d.name === 'alpha');
      return (
        row !== undefined &&
        row.tradingState === own.tradingState &&
        row.inventory === own.inventory &&
        // Paused, inventory, realized PnL and fees hold still (the unrealized part moves with the market).
        row.summary?.pnl?.realized === own.pnl.realized &&
        row.summary.pnl.fees === own.pnl.fees &&
        row.pnl === row.summary.pnl.total &&
        row.symbol === own.symbol &&
        row.execution === own.execution &&
        row.summary?.sessionId === own.sessionId
      );
    });
    expect((await post('/api/fleet/command', { desk: 'alpha', command: 'resume' })).body).toEqual({ ok: true, tradingState: 'active' });

    // Writes need the token; a bad body is refused with its field.
    expect((await post('/api/fleet/kill', {}, 'wrong-token-0000')).status).toBe(401);
    expect(await post('/api/fleet/command', { desk: 'alpha', command: 'flatten', payload: { style: 'bogus' } })).toMatchObject({ status: 400, body: { ok: false, field: 'style' } });
    expect(await post('/api/fleet/command', { desk: 'no.such', command: 'kill' })).toMatchObject({ status: 400, body: { field: 'desk' } });

    // The node leading the records stream dies mid-run (and stays down); the fleet goes on (R3) and keeps archiving.
    const archivedBefore = (await archivedFills('bravo')).length;
    const nc = await cluster.connect('archiver');
    const info = await (await jetstreamManager(nc)).streams.info(RECORDS_STREAM);
    await nc.close();
    expect(info.config.num_replicas).toBe(3);
    const leader = info.cluster?.leader ?? '';
    expect(cluster.nodes.map((node) => node.name)).toContain(leader);
    await cluster.stopNode(leader, 'SIGKILL');
    await until('bravo fills archived after the node was lost', async () => (await archivedFills('bravo')).length >= archivedBefore + 5, { timeoutMs: 45_000 });

    // The archiver crashes mid-run and is restarted: it resumes from its durable consumer.
    await archiver.stop('SIGKILL');
    const whileDown = databaseCount(alpha.dbPath, 'fills');
    archiver = await startArchiver();
    await until('alpha fills from while the archiver was down', async () => (await archivedFills('alpha')).length >= whileDown, { timeoutMs: 45_000 });

    // A desk is SIGKILLed: the supervisor marks it lost, and a command to it fails with that reason.
    const charlie = desks.get('charlie');
    if (!charlie) throw new Error('no charlie');
    await charlie.stop('SIGKILL');
    const lostRow = await until('charlie lost', async () => (await fleet()).desks.find((d) => d.name === 'charlie' && d.status === 'lost'), { everyMs: 20 });
    expect(lostRow.heartbeatAgeMs).toBeGreaterThan(1_500);
    expect(lostRow.heartbeatAgeMs).toBeLessThan(2_000);
    const toLost = await post('/api/fleet/command', { desk: 'charlie', command: 'pause' });
    expect(toLost.status).toBe(503);
    expect((toLost.body as { error: string }).error).toMatch(/^desk "charlie" is lost: no heartbeat for \d+ ms$/);

    // The kill-all halts the others, each confirming; the lost one is named.
    const killAll = await post('/api/fleet/kill', { who: 'test', why: 'fleet test' });
    expect(killAll.status).toBe(200);
    const result = killAll.body as KillAllResult;
    expect(result.ok).toBe(true);
    expect(result.desks).toEqual([
      { name: 'alpha', ok: true, tradingState: 'halted', error: null, lost: false },
      { name: 'bravo', ok: true, tradingState: 'halted', error: null, lost: false },
      { name: 'charlie', ok: false, tradingState: null, error: expect.stringMatching(/is lost: no heartbeat/), lost: true },
    ]);
    for (const name of ['alpha', 'bravo']) expect((await desks.get(name)?.get<DeskState>('/api/state'))?.tradingState).toBe('halted');
    await until('the overview to show both halted', async () => (await fleet()).desks.filter((d) => d.tradingState === 'halted').length === 2);

    // The killed desk comes back on its database; it publishes what it had not.
    const back = await startDesk('charlie', 13, charlie.dbPath, charlie.dir);
    await until('charlie live again', async () => (await fleet()).desks.find((d) => d.name === 'charlie')?.status === 'live');
    for (const desk of desks.values()) expect(await desk.stop('SIGTERM')).toBe(0);
    expect(back.child.exitCode).toBe(0);

    // Every row of every desk's database is archived exactly once.
    for (const [name, desk] of desks) {
      const onDisk = databaseRows(desk.dbPath, 'fills');
      expect(onDisk.length).toBeGreaterThan(5);
      await until(`all of ${name}'s fills archived`, async () => (await archivedFills(name)).length === onDisk.length, { timeoutMs: 45_000 });
      const archived = await archivedFills(name);
      expect(archived.map((f) => [Number(f.seq), f.fill_id, Number(f.price), Number(f.size)])).toEqual(onDisk.map((f) => [f.seq, f['fillId'], Number(f['price']), Number(f['size'])]));
      for (const [table, pgTable] of [['orders', 'archive_orders'], ['events', 'archive_order_events'], ['audit', 'archive_audit']] as const) {
        const expected = databaseRows(desk.dbPath, table).map((row) => row.seq);
        await until(`all of ${name}'s ${table} archived`, async () => Number((await db.query(`SELECT count(*) AS n FROM ${pgTable} WHERE desk = $1`, [name])).rows[0].n) === expected.length, { timeoutMs: 45_000 });
        const seqs = (await db.query<{ seq: string }>(`SELECT seq FROM ${pgTable} WHERE desk = $1 ORDER BY seq`, [name])).rows.map((row) => Number(row.seq));
        expect(seqs, `${name} ${table}`).toEqual(expected);
      }
    }
    const stats = await archiver.stop('SIGTERM');
    expect(stats).toBe(0);
    expect(archiver.stdout()).toMatch(/archived \d+ rows from \d+ messages \(\d+ already there, 0 refused\)/);

    // PnL by desk and day, from the supervisor, equals a recomputation from each desk's fills on disk.
    const pnl = (await (await fetch(`${supervisorUrl}/api/fleet/pnl`)).json()) as { rows: DailyPnlRow[] };
    for (const [name, desk] of desks) {
      const expected = recomputePnl(desk.dbPath);
      const got = pnl.rows.filter((row) => row.desk === name);
      expect(got.map((row) => row.day)).toEqual([...expected.keys()]);
      for (const row of got) {
        const want = expected.get(row.day);
        expect(row.fills).toBe(want?.fills);
        expect(row.pnl).toBeCloseTo(want?.pnl ?? NaN, 6);
        expect(row.fees).toBeCloseTo(want?.fees ?? NaN, 9);
      }
    }
    expect(supervisor.stderr()).not.toMatch(/refused a message/);
  }, 240_000);
});

/**
 * The archive's PnL definition, recomputed from a desk database's fills with this test's own code: per
 * session and UTC day of receipt, equity after the day's last fill (cash of all fills so far less fees,
 * plus inventory marked at that fill's mid, or its price without one) minus the previous day's.
 */
function recomputePnl(path: string): Map<string, { fills: number; fees: number; pnl: number }> {
  const sqlite = new Database(path, { readonly: true });
  const rows = sqlite
    .prepare(
      `SELECT f.session_id AS session, f.side, f.price, f.size, f.fee, f.mid_at_fill AS mid, f.inventory_after AS lots, f.local_us AS localUs, s.lot_size AS lot
         FROM fills f JOIN sessions s ON s.id = f.session_id ORDER BY f.seq`,
    )
    .all() as Array<{ session: number; side: string; price: string; size: string; fee: number; mid: number | null; lots: number; localUs: number; lot: string }>;
  sqlite.close();
  const out = new Map<string, { fills: number; fees: number; pnl: number }>();
  const cash = new Map<number, number>();
  const dayEnd = new Map<string, number>();
  const lastDayOf = new Map<number, string>();
  const closeOf = new Map<string, number>();
  for (const row of rows) {
    const day = new Date(row.localUs / 1000).toISOString().slice(0, 10);
    const flow = (row.side === 'sell' ? 1 : -1) * Number(row.price) * Number(row.size) - row.fee;
    const c = (cash.get(row.session) ?? 0) + flow;
    cash.set(row.session, c);
    dayEnd.set(`${row.session}|${day}`, c + row.lots * Number(row.lot) * (row.mid ?? Number(row.price)));
    const entry = out.get(day) ?? { fills: 0, fees: 0, pnl: 0 };
    entry.fills++;
    entry.fees += row.fee;
    out.set(day, entry);
  }
  for (const [key, equity] of dayEnd) {
    const [session, day] = key.split('|') as [string, string];
    const previous = lastDayOf.get(Number(session));
    const base = previous === undefined ? 0 : (closeOf.get(`${session}|${previous}`) ?? 0);
    closeOf.set(key, equity);
    lastDayOf.set(Number(session), day);
    const entry = out.get(day);
    if (entry) entry.pnl += equity - base;
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
