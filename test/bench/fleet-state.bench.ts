/**
 * Desk-to-screen latency of the fleet overview: 100 desks' state at 10 Hz through NATS to one supervisor.
 *
 * The desks are SIMULATED publishers in this process (one NATS connection each, as 100 `serve --fleet`
 * processes would have): each publishes a realistic `DeskSummary` (the schema's every field, figures
 * moving) on `qd.desk.<name>.state` ten times a second and a heartbeat every 500 ms, exactly the shapes
 * and rates the real desk agent sends; 100 real desk processes do not fit on this 2-core machine. The
 * supervisor is the real `quotedesk fleet` process (the built CLI) on a real nats-server with accounts;
 * the screen is a WebSocket client of `/api/fleet/stream` in this process. Desk-to-screen latency is, for
 * every row received, the receipt time minus the row's `sentMs` (one host, one clock). It checks every
 * desk stays live and every row parses. Prints p50 / p95 / p99 / max against the 100 ms target.
 *
 * `npx tsx test/bench/fleet-state.bench.ts [desks=100] [seconds=20] [hz=10] [nodes=3]` (needs the build:
 * `npx electron-vite build`, and Debian's nats-server).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { NatsConnection } from '@nats-io/transport-node';
import { DESK_SUMMARY_SCHEMA, subjects, type DeskSummary, type FleetDeskView, type Heartbeat } from '../../src/shared/fleet.js';
import { startCli } from '../support/cli-process.js';
import { NatsCluster, USERS } from '../support/nats-cluster.js';

const DESKS = Number(process.argv[2] ?? 100);
const SECONDS = Number(process.argv[3] ?? 20);
const HZ = Number(process.argv[4] ?? 10);
const NODES = Number(process.argv[5] ?? 3);
const TARGET_P95_MS = 100;

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summaryOf(name: string, i: number, tick: number): DeskSummary {
  const mid = 100 + Math.sin(tick / 50 + i) * 0.5;
  const inventory = Math.round(Math.sin(tick / 30 + i) * 40);
  return {
    v: 1,
    name,
    instance: `bench-${i}`,
    sentMs: Date.now(),
    sessionId: 1 + (i % 7),
    session: 'running',
    venue: i % 2 === 0 ? 'binance-spot' : 'sim',
    symbol: i % 2 === 0 ? 'BTCUSDT' : 'SIM-USD',
    execution: i % 10 === 0 ? 'live' : 'paper',
    mode: 'live',
    tradingState: i % 13 === 0 ? 'reducing' : 'active',
    inventory,
    pnl: { total: tick * 0.01 + i, realized: tick * 0.008, unrealized: inventory * (mid - 100), fees: -tick * 0.0002 },
    mid,
    feed: { connected: true, state: 'connected', trusted: true, lastMessageAgeMs: (tick * 7 + i) % 40 },
    quoting: { bid: inventory < 35, ask: inventory > -35, bidReason: inventory < 35 ? null : 'inventory-limit', askReason: inventory > -35 ? null : 'inventory-limit' },
    adverseRate: 0.3 + ((i % 10) / 100),
    numFills: tick + i,
    lastFillAgoMs: (tick * 37) % 5_000,
    limits: [
      { name: 'inventory', fraction: Math.abs(inventory) / 50 },
      { name: 'sessionLoss', fraction: 0.05 },
      { name: 'orderRate', fraction: 0.2 },
    ],
    alerts: Math.abs(inventory) >= 40 ? [`inventory at ${Math.round((Math.abs(inventory) / 50) * 100)} % of its limit`] : [],
  };
}

async function main(): Promise<void> {
  const cluster = await NatsCluster.start(NODES);
  const supervisor = await startCli(['fleet', '--nats', cluster.urls, '--port', '0', '--token', 'bench-token-0123'], /listening on (http:\/\/\S+)/, {
    env: { QUOTEDESK_NATS_USER: USERS.supervisor.user, QUOTEDESK_NATS_PASSWORD: USERS.supervisor.pass },
  });
  const url = supervisor.match[1] ?? '';
  const connections: NatsConnection[] = [];
  const timers: Array<ReturnType<typeof setInterval>> = [];
  try {
    for (let i = 0; i < DESKS; i++) connections.push(await cluster.connect('desk'));
    const latencies: number[] = [];
    let rows = 0;
    let invalid = 0;
    let lostSeen = 0;
    let messages = 0;
    let bytes = 0;
    let measuring = false;
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/fleet/stream`);
    ws.on('message', (data: Buffer) => {
      const received = Date.now();
      const message = JSON.parse(data.toString('utf8')) as { type: string; desks: FleetDeskView[] };
      if (!measuring || message.type !== 'desks') return;
      messages++;
      bytes += data.length;
      for (const row of message.desks) {
        rows++;
        if (row.status === 'lost') lostSeen++;
        if (row.summary === null || !DESK_SUMMARY_SCHEMA.safeParse(row.summary).success) {
          invalid++;
          continue;
        }
        latencies.push(received - row.summary.sentMs);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    // Each desk on its own 10 Hz timer, started at a random phase (desks do not tick in step).
    for (let i = 0; i < DESKS; i++) {
      const nc = connections[i];
      if (!nc) continue;
      const name = `desk-${String(i).padStart(3, '0')}`;
      let tick = 0;
      const beat = (): void => {
        const hb: Heartbeat = { v: 1, name, instance: `bench-${i}`, sentMs: Date.now(), backlog: { fills: 0, orders: 0, events: 0, audit: 0 } };
        nc.publish(subjects.heartbeat(name), JSON.stringify(hb));
      };
      const phase = Math.random() * (1000 / HZ);
      timers.push(
        setTimeout(() => {
          beat();
          timers.push(setInterval(() => nc.publish(subjects.state(name), JSON.stringify(summaryOf(name, i, tick++))), 1000 / HZ));
          timers.push(setInterval(beat, 500));
        }, phase) as unknown as ReturnType<typeof setInterval>,
      );
    }
    // Warm-up: every desk seen live.
    const warmStart = performance.now();
    for (;;) {
      const view = (await (await fetch(`${url}/api/fleet`)).json()) as { desks: FleetDeskView[] };
      if (view.desks.length === DESKS && view.desks.every((d) => d.status === 'live' && d.summary !== null)) break;
      if (performance.now() - warmStart > 30_000) throw new Error(`only ${view.desks.length} desks live after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    measuring = true;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    const final = (await (await fetch(`${url}/api/fleet`)).json()) as { desks: FleetDeskView[]; refused: { count: number } };
    ws.close();
    const sorted = [...latencies].sort((a, b) => a - b);
    const p95 = pct(sorted, 95);
    console.log(`fleet state: ${DESKS} desks at ${HZ} Hz (simulated publishers, one NATS connection each) → ${NODES}-node nats-server → quotedesk fleet → WebSocket`);
    console.log(`  measured ${elapsed.toFixed(1)} s: ${rows} desk rows in ${messages} stream messages (${(rows / elapsed).toFixed(0)} rows/s of ${DESKS * HZ} published/s, ${(bytes / elapsed / 1024).toFixed(0)} KiB/s), ${invalid} invalid, ${lostSeen} lost rows, ${final.refused.count} refused by the supervisor`);
    console.log(`  desk-to-screen latency  p50 ${pct(sorted, 50).toFixed(0)} ms   p95 ${p95.toFixed(0)} ms   p99 ${pct(sorted, 99).toFixed(0)} ms   max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms`);
    console.log(`  p95 / target (${TARGET_P95_MS} ms): ${(p95 / TARGET_P95_MS).toFixed(2)}  ${p95 <= TARGET_P95_MS ? 'MET' : 'NOT MET'}`);
    console.log(`  every desk live at the end: ${final.desks.length === DESKS && final.desks.every((d) => d.status === 'live')}`);
  } finally {
    for (const timer of timers) clearInterval(timer);
    for (const nc of connections) await nc.close();
    await supervisor.stop('SIGTERM');
    await cluster.stop();
  }
}

await main();
