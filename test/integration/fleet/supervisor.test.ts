/**
 * The supervisor (`quotedesk fleet`, a real process) against a real nats-server with accounts, fed by
 * this test acting as a desk on the wire (its own heartbeats and summaries, exactly the schema's shape):
 * messages that do not parse, or whose subject names another desk, are refused and counted, never shown;
 * a desk appears live, then lost once its heartbeats stop; a command to a live desk that does not answer
 * is a 504 naming why, to a lost one a 503 with the reason; the WebSocket stream sends the overview, then
 * the rows that changed; foreign origins and wrong tokens are refused; wrong credentials end the command
 * with one line and exit code 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects, type DeskSummary, type FleetView, type Heartbeat } from '../../../src/shared/fleet.js';
import { runCli, startCli, type CliHandle } from '../../support/cli-process.js';
import { NatsCluster, USERS } from '../../support/nats-cluster.js';
import { until } from '../../support/until.js';

const TOKEN = 'supervisor-token-0123';

function summary(name: string, over: Partial<DeskSummary> = {}): DeskSummary {
  return {
    v: 1,
    name,
    instance: 'test-instance',
    sentMs: Date.now(),
    sessionId: 7,
    session: 'running',
    venue: 'sim',
    symbol: 'SIM-USD',
    execution: 'paper',
    mode: 'live',
    tradingState: 'active',
    inventory: 12,
    pnl: { total: 3.5, realized: 1, unrealized: 2.75, fees: 0.25 },
    mid: 100.01,
    feed: { connected: true, state: 'connected', trusted: true, lastMessageAgeMs: 4 },
    quoting: { bid: true, ask: false, bidReason: null, askReason: 'inventory-limit' },
    adverseRate: 0.4,
    numFills: 10,
    lastFillAgoMs: 1200,
    limits: [{ name: 'inventory', fraction: 0.85 }],
    alerts: ['inventory at 85 % of its limit'],
    ...over,
  };
}

function heartbeat(name: string): Heartbeat {
  return { v: 1, name, instance: 'test-instance', sentMs: Date.now(), backlog: { fills: 0, orders: 0, events: 0, audit: 0 } };
}

describe('the fleet supervisor', () => {
  let nats: NatsCluster;
  let supervisor: CliHandle;
  let url = '';
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await NatsCluster.start(1);
    supervisor = await startCli(['fleet', '--nats', nats.urls, '--port', '0', '--token', TOKEN], /listening on (http:\/\/\S+)/, {
      env: { QUOTEDESK_NATS_USER: USERS.supervisor.user, QUOTEDESK_NATS_PASSWORD: USERS.supervisor.pass },
    });
    url = supervisor.match[1] ?? '';
    nc = await nats.connect('desk');
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await supervisor?.stop('SIGKILL');
    await nats?.stop();
  });

  const fleet = async (): Promise<FleetView> => (await fetch(`${url}/api/fleet`)).json() as Promise<FleetView>;

  it('refuses messages that do not parse or name another desk, and shows none of them', async () => {
    nc.publish(subjects.state('mallory'), 'not json');
    nc.publish(subjects.state('mallory'), JSON.stringify({ ...summary('mallory'), inventory: 'lots' }));
    nc.publish(subjects.state('mallory'), JSON.stringify(summary('someone-else')));
    nc.publish(subjects.heartbeat('mallory'), JSON.stringify({ ...heartbeat('mallory'), backlog: { fills: -1, orders: 0, events: 0, audit: 0 } }));
    await nc.flush();
    const view = await until('four refusals', async () => {
      const v = await fleet();
      return v.refused.count >= 4 ? v : null;
    });
    expect(view.refused.count).toBe(4);
    expect(view.desks).toEqual([]);
    expect(view.refused.last).toMatch(/qd\.desk\.mallory\.hb: backlog\.fills/);
    expect(supervisor.stderr()).toMatch(/refused a message on qd\.desk\.mallory\.state: inventory: /);
    expect(supervisor.stderr()).toMatch(/the subject names desk "mallory" but the message says "someone-else"/);
  });

  it('shows a desk live while it heartbeats, lost once it stops; commands fail with the reason', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/fleet/stream`);
    const messages: Array<{ type: string; desks: Array<{ name: string; status: string }> }> = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    await until('the stream to open with the overview', () => messages.find((m) => m.type === 'fleet'));

    const beat = setInterval(() => nc.publish(subjects.heartbeat('ghost'), JSON.stringify(heartbeat('ghost'))), 200);
    try {
      const sent = summary('ghost');
      nc.publish(subjects.heartbeat('ghost'), JSON.stringify(heartbeat('ghost')));
      nc.publish(subjects.state('ghost'), JSON.stringify(sent));
      const row = await until('ghost live', async () => (await fleet()).desks.find((d) => d.name === 'ghost' && d.status === 'live' && d.summary !== null));
      expect(row).toMatchObject({ name: 'ghost', venue: 'sim', symbol: 'SIM-USD', execution: 'paper', tradingState: 'active', inventory: 12, pnl: 3.5, status: 'live', lostReason: null, summary: sent });
      expect(row.heartbeatAgeMs).toBeLessThan(1_500);
      await until('the row on the stream', () => messages.find((m) => m.type === 'desks' && m.desks.some((d) => d.name === 'ghost' && d.status === 'live')));

      // A burst of summaries reaches the screen at most once per 50 ms, merged, the newest winning.
      const before = messages.length;
      for (let i = 1; i <= 200; i++) nc.publish(subjects.state('ghost'), JSON.stringify(summary('ghost', { inventory: i })));
      await nc.flush();
      await until('the newest figure on the stream', () => messages.slice(before).find((m) => m.type === 'desks' && m.desks.some((d) => d.name === 'ghost' && (d as { inventory?: number }).inventory === 200)));
      const times = messages.slice(before).filter((m) => m.type === 'desks').map((m) => (m as unknown as { timeMs: number }).timeMs);
      expect(times.length).toBeLessThan(200);
      for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(49);

      // Live but nobody answers on its command subject.
      const unanswered = await post('/api/fleet/command', { desk: 'ghost', command: 'pause' });
      expect(unanswered.status).toBe(504);
      expect(unanswered.body).toMatchObject({ ok: false, error: 'desk "ghost": no desk process answers on its command subject' });
    } finally {
      clearInterval(beat);
    }
    await until('ghost lost', async () => (await fleet()).desks.find((d) => d.name === 'ghost')?.status === 'lost');
    await until('the lost row on the stream', () => messages.find((m) => m.type === 'desks' && m.desks.some((d) => d.name === 'ghost' && d.status === 'lost')));
    const toLost = await post('/api/fleet/command', { desk: 'ghost', command: 'kill' });
    expect(toLost.status).toBe(503);
    expect((toLost.body as { error: string }).error).toMatch(/^desk "ghost" is lost: no heartbeat for \d+ ms$/);
    const kill = await post('/api/fleet/kill', {});
    expect(kill.status).toBe(200);
    expect(kill.body).toMatchObject({ ok: true, desks: [{ name: 'ghost', ok: false, lost: true }] });
    const unknown = await post('/api/fleet/command', { desk: 'nobody', command: 'kill' });
    expect(unknown).toMatchObject({ status: 503, body: { error: 'desk "nobody" is not in the fleet (never heard of)' } });
    ws.close();
  });

  it('keeps the desk server security: token, content type, origin, host', async () => {
    expect((await post('/api/fleet/kill', {}, 'not-the-token')).status).toBe(401);
    const noType = await fetch(`${url}/api/fleet/kill`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(noType.status).toBe(415);
    const foreign = await fetch(`${url}/api/fleet`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const proto = await post('/api/fleet/command', JSON.parse('{"desk":"ghost","command":"kill","__proto__":{"x":1}}'));
    expect(proto.status).toBe(400);
    expect((await post('/api/fleet/command', { desk: 'ghost', command: 'launch' })).body).toMatchObject({ field: 'command' });
    expect((await fetch(`${url}/api/fleet/pnl`)).status).toBe(404);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/fleet/stream`, { headers: { origin: 'http://evil.example' } });
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(403);
  });

  it('refuses wrong NATS credentials with one line and exit code 2', async () => {
    const run = await runCli(['fleet', '--nats', nats.urls, '--port', '0'], { env: { QUOTEDESK_NATS_USER: 'supervisor', QUOTEDESK_NATS_PASSWORD: 'nope' } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^quotedesk: --nats: NATS refused the credentials/);
  });

  async function post(path: string, body: unknown, token = TOKEN): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }
});
