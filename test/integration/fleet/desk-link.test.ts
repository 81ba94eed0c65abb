/**
 * A desk in the fleet, end to end with real processes: `quotedesk serve --fleet` on the simulated market
 * against a real 3-node JetStream cluster (nats-server with accounts and users).
 *
 * - Its records reach the stream exactly as its database holds them — every row once, in order — even
 *   across a whole-cluster outage during which the desk keeps trading (and a desk configured to halt
 *   halts), and across a restart.
 * - Commands over NATS get the HTTP API's answers (the same body refused with the same words and field);
 *   a busy desk's summaries never come faster than `--fleet-rate`.
 * - Wrong credentials are refused at the door (the client, and `serve --fleet` with exit code 2).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { RECORD_TABLES, subjects } from '../../../src/shared/fleet.js';
import { runCli } from '../../support/cli-process.js';
import { databaseCount, databaseRows, readRecordStream, type StoredBatch } from '../../support/fleet-check.js';
import { NatsCluster, USERS } from '../../support/nats-cluster.js';
import { removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';
import { until } from '../../support/until.js';

const DESK_ENV = { QUOTEDESK_NATS_USER: USERS.desk.user, QUOTEDESK_NATS_PASSWORD: USERS.desk.pass };

/** The rows of one desk's table in the stream, in stream order, with the batch bounds checked. */
function streamRows(batches: readonly StoredBatch[], desk: string, table: string): number[] {
  const seqs: number[] = [];
  for (const batch of batches) {
    if (batch.desk !== desk || batch.table !== table) continue;
    expect(batch.rows[0]?.seq).toBe(batch.first);
    expect(batch.rows[batch.rows.length - 1]?.seq).toBe(batch.last);
    for (const row of batch.rows) seqs.push(row.seq);
  }
  return seqs;
}

describe('a desk in the fleet over NATS JetStream', () => {
  let cluster: NatsCluster;
  const desks: ServeHandle[] = [];

  beforeAll(async () => {
    cluster = await NatsCluster.start(3);
  });

  afterAll(async () => {
    for (const desk of desks) {
      await desk.stop('SIGKILL');
      removeDir(desk.dir);
    }
    await cluster?.stop();
  });

  it('publishes every row of its database once, in order, across a whole-cluster outage and a restart; a desk set to halt halts', async () => {
    // This test has run past its 180 s now and then on a loaded machine, each step within its own limit:
    // a failure prints how far it got and when, so the slow step is named.
    const startedAt = Date.now();
    const steps: string[] = [];
    const step = (what: string): void => void steps.push(`${((Date.now() - startedAt) / 1_000).toFixed(1)} s: ${what}`);
    onTestFailed(() => console.error(`steps reached before the failure:\n  ${steps.join('\n  ')}`));
    const keep = await startServe({ args: ['--fleet', cluster.urls, '--desk-name', 'keeper', '--sim-flow', '4', '--seed', '3'], env: DESK_ENV });
    desks.push(keep);
    const halting = await startServe({ args: ['--fleet', cluster.urls, '--desk-name', 'halter', '--fleet-offline', 'halt', '--seed', '4'], env: DESK_ENV });
    desks.push(halting);
    step('both desks started');
    const nc = await cluster.connect('supervisor');
    try {
      // Some fills are in the stream before the outage.
      await until('fills of "keeper" in the stream', async () => streamRows(await readRecordStream(nc), 'keeper', 'fills').length >= 3);
    } finally {
      await nc.close();
    }

    step('fills in the stream');
    const beforeOutage = databaseCount(keep.dbPath, 'fills');
    await Promise.all(cluster.nodes.map((node) => cluster.stopNode(node.name)));
    step('cluster stopped');

    // Cut off: the first desk keeps trading under its own limits, the second halts.
    await until('"keeper" to trade on without NATS', () => databaseCount(keep.dbPath, 'fills') >= beforeOutage + 5, { timeoutMs: 45_000 });
    expect((await keep.get<{ tradingState: string }>('/api/state')).tradingState).toBe('active');
    await until('"halter" to halt when cut off', async () => (await halting.get<{ tradingState: string }>('/api/state')).tradingState === 'halted');
    const duringOutage = databaseCount(keep.dbPath, 'fills');
    step('traded and halted during the outage');

    await Promise.all(cluster.nodes.map((node) => cluster.startNode(node.name)));
    step('cluster started');
    await cluster.waitForJetStream();
    step('JetStream answers');

    // Back: what was missed is published.
    const nc2 = await cluster.connect('supervisor');
    try {
      await until('the fills made during the outage in the stream', async () => streamRows(await readRecordStream(nc2), 'keeper', 'fills').length >= duringOutage, { timeoutMs: 45_000 });

      step('outage fills in the stream');
      // A restart (SIGKILL, then the same database and name) neither loses nor doubles a row.
      await keep.stop('SIGKILL');
      const again = await startServe({ dbPath: keep.dbPath, dir: keep.dir, args: ['--fleet', cluster.urls, '--desk-name', 'keeper', '--sim-flow', '4', '--seed', '5'], env: DESK_ENV });
      desks.push(again);
      step('restarted');
      await until('fills after the restart', () => databaseCount(keep.dbPath, 'fills') >= duringOutage + 3);
      step('fills after the restart');
      // A clean stop publishes the last rows (the session's end in the audit trail among them).
      const code = await again.stop('SIGTERM');
      expect(code, `serve exited with ${code} (${again.child.signalCode ?? 'no signal'}): ${again.stderr().slice(-2000)}`).toBe(0);
      await halting.stop('SIGTERM');
      step('both desks stopped');

      const batches = await readRecordStream(nc2);
      for (const [desk, db] of [['keeper', keep.dbPath], ['halter', halting.dbPath]] as const) {
        for (const table of RECORD_TABLES) {
          const expected = databaseRows(db, table).map((row) => row.seq);
          expect(streamRows(batches, desk, table), `${desk} ${table}`).toEqual(expected);
        }
      }
      // The fills' content is the database's, not only their sequence.
      const fills = batches.filter((b) => b.desk === 'keeper' && b.table === 'fills').flatMap((b) => b.rows);
      const onDisk = databaseRows(keep.dbPath, 'fills');
      expect(fills.map((f) => [f.seq, f['fillId'], f['price'], f['size'], f['side']])).toEqual(onDisk.map((f) => [f.seq, f['fillId'], f['price'], f['size'], f['side']]));
      // The halt was audited as the fleet's.
      const audit = batches.filter((b) => b.desk === 'halter' && b.table === 'audit').flatMap((b) => b.rows);
      expect(audit.some((row) => String(row['who']).includes('fleet') && String(row['detail']).includes('cut off from NATS'))).toBe(true);
    } finally {
      await nc2.close();
    }
  }, 180_000);

  it('answers commands over NATS exactly as the HTTP API answers them', async () => {
    const desk = await startServe({ args: ['--fleet', cluster.urls, '--desk-name', 'commanded', '--fleet-rate', '4', '--sim-flow', '20'], env: DESK_ENV });
    desks.push(desk);
    const nc = await cluster.connect('supervisor');
    try {
      // A busy desk's summaries never come faster than --fleet-rate (4 a second: 250 ms apart by its own clock).
      const sentAt: number[] = [];
      for await (const message of nc.subscribe(subjects.state('commanded'), { max: 8 })) sentAt.push(message.json<{ sentMs: number }>().sentMs);
      const gaps = sentAt.slice(1).map((t, i) => t - (sentAt[i] ?? t));
      expect(Math.min(...gaps), `gaps ${gaps.join(', ')}`).toBeGreaterThanOrEqual(245);

      const ask = async (body: string): Promise<Record<string, unknown>> => (await nc.request(subjects.command('commanded'), body, { timeout: 5_000 })).json();
      const bad = { style: 'bogus' };
      const http = await desk.send('POST', '/api/control/flatten', bad);
      expect(http.status).toBe(400);
      const overNats = await ask(JSON.stringify({ command: 'flatten', payload: bad }));
      expect(overNats).toEqual({ ok: false, ...(http.body as object) });

      const params = await desk.send('PUT', '/api/params', [1, 2]);
      expect(await ask(JSON.stringify({ command: 'setParams', payload: [1, 2] }))).toMatchObject({ ok: false, error: (params.body as { error: string }).error });

      expect(await ask('{not json')).toMatchObject({ ok: false, error: expect.stringContaining('malformed JSON') });
      expect(await ask(JSON.stringify({ command: 'launch-rockets' }))).toMatchObject({ ok: false, field: 'command' });
      expect(await ask(JSON.stringify({ command: 'pause', extra: 1 }))).toMatchObject({ ok: false });

      expect(await ask(JSON.stringify({ command: 'pause', payload: { who: 'tester' } }))).toEqual({ ok: true, tradingState: 'paused' });
      expect((await desk.get<{ tradingState: string }>('/api/state')).tradingState).toBe('paused');
      expect(await ask(JSON.stringify({ command: 'kill' }))).toEqual({ ok: true, tradingState: 'halted' });
      expect((await desk.get<{ tradingState: string }>('/api/state')).tradingState).toBe('halted');
    } finally {
      await nc.close();
    }
  }, 60_000);

  it('shuts down cleanly when stopped the moment it says it listens (exit 0, its last rows published)', async () => {
    // why: serve once printed its ready line before it listened for signals; a SIGTERM in between killed it.
    const desk = await startServe({ args: ['--fleet', cluster.urls, '--desk-name', 'hasty'], env: DESK_ENV });
    desks.push(desk);
    expect(await desk.stop('SIGTERM')).toBe(0);
    const nc = await cluster.connect('supervisor');
    try {
      const audit = (await readRecordStream(nc)).filter((b) => b.desk === 'hasty' && b.table === 'audit').flatMap((b) => b.rows.map((row) => row.seq));
      expect(audit).toEqual(databaseRows(desk.dbPath, 'audit').map((row) => row.seq));
    } finally {
      await nc.close();
    }
  });

  it('refuses wrong credentials: the client at the door, and serve --fleet with one line and exit code 2', async () => {
    const url = cluster.nodes[0]?.url ?? '';
    await expect(connect({ servers: url.replace('nats://', ''), user: USERS.desk.user, pass: 'wrong-password', maxReconnectAttempts: 0 })).rejects.toThrow(/authori[sz]ation/i);
    await expect(connect({ servers: url.replace('nats://', ''), maxReconnectAttempts: 0 })).rejects.toThrow(/authori[sz]ation/i);

    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-refused-'));
    try {
      const db = join(dir, 'desk.db');
      const refused = await runCli(['serve', '--port', '0', '--db', db, '--fleet', url, '--desk-name', 'intruder', '--token', 'test-token-0123456789'], {
        env: { QUOTEDESK_NATS_USER: USERS.desk.user, QUOTEDESK_NATS_PASSWORD: 'wrong-password' },
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/--fleet: NATS refused the credentials/);
      // Refused before the desk started: no database was created.
      expect(existsSync(db)).toBe(false);
    } finally {
      removeDir(dir);
    }

    const badName = await runCli(['serve', '--port', '0', '--fleet', url, '--desk-name', 'a.b']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/--desk-name "a\.b"/);
    const noName = await runCli(['serve', '--port', '0', '--fleet', url]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/--fleet needs --desk-name/);
    const badUrl = await runCli(['serve', '--port', '0', '--fleet', 'http://x:1', '--desk-name', 'd']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--fleet: "http:\/\/x:1" must start with nats:\/\//);
  }, 60_000);
});
