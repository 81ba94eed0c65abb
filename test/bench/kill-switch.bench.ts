/**
 * Kill-switch latency on the simulated market, idle (calm flow) and under a ≈ 20,000 messages/s feed
 * (`flowMultiplier: 300`), over many kills with a re-arm between them:
 *   - command → last cancel sent: wall-clock hrtime from just before `desk.kill` to the last cancel
 *     reaching the venue wrapper (every cancel leaves inside `kill`; the wrapper checks each working
 *     order got one), and to `kill` returning (it also audits and hands the store its writes);
 *   - command → venue confirmation: event time from the kill to the `kill-confirmed` audit
 *     (`desk.stats.killConfirmedMs`, includes the simulated exchange latency), and the wall time the
 *     engine needed to get there while processing the feed.
 * Prints p50 / p99 / max, and the feed rate actually achieved (messages per simulated second, and per
 * wall second processed). Standalone: `npx tsx test/bench/kill-switch.bench.ts [kills]`. Asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { FILL_OFTEN, SEC, advance, harness, merge, wrappedSimDesk } from '../unit/risk/sim-support.js';

const KILLS = Number(process.argv[2] ?? 200);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(name: string, values: number[], unit: string, digits = 3): string {
  return `  ${name.padEnd(44)} p50 ${pct(values, 50).toFixed(digits).padStart(9)} ${unit}   p99 ${pct(values, 99).toFixed(digits).padStart(9)} ${unit}   max ${Math.max(...values).toFixed(digits).padStart(9)} ${unit}`;
}

async function scenario(label: string, flowMultiplier: number): Promise<void> {
  const { open, closeAll } = harness();
  const run = await wrappedSimDesk(open, merge(FILL_OFTEN, { risk: { maxOrdersPerSec: 2_000 } }), { flowMultiplier });
  const { desk, sim, venue } = run;
  advance(sim, 1, 1_000);
  const toLastCancelUs: number[] = [];
  const killReturnUs: number[] = [];
  const confirmEventMs: number[] = [];
  const confirmWallMs: number[] = [];
  const openAtKill: number[] = [];
  let messages = 0;
  let simUs = 0;
  let wallMs = 0;
  let leaked = 0;
  for (let k = 0; k < KILLS; k++) {
    // Quote for a while (re-armed), so orders are working at the venue when the kill comes.
    const m0 = desk.state().feed.messages;
    const s0 = sim.now();
    const w0 = performance.now();
    advance(sim, 0.3, 1_000);
    let guard = 0;
    while (desk.orders.liveCount() === 0 && guard++ < 100) advance(sim, 0.05, 1_000);
    const live = desk.orders.liveOrders().filter((o) => o.status !== 'pending-cancel').length;
    openAtKill.push(live);
    desk.stats.killConfirmedMs = Number.NaN;
    const cancels0 = venue.cancels;
    const submits0 = venue.submits;
    const t0 = process.hrtime.bigint();
    desk.kill('bench');
    const t1 = process.hrtime.bigint();
    toLastCancelUs.push(Number(venue.lastCancelHr - t0) / 1_000);
    killReturnUs.push(Number(t1 - t0) / 1_000);
    if (venue.cancels - cancels0 < live) throw new Error(`kill sent ${venue.cancels - cancels0} cancels for ${live} live orders`);
    const c0 = performance.now();
    while (!Number.isFinite(desk.stats.killConfirmedMs)) sim.advanceTo(sim.now() + 100);
    confirmWallMs.push(performance.now() - c0);
    confirmEventMs.push(desk.stats.killConfirmedMs);
    advance(sim, 0.05, 1_000);
    if (venue.submits !== submits0 || sim.openOrders().length > 0) leaked++;
    messages += desk.state().feed.messages - m0;
    simUs += sim.now() - s0;
    wallMs += performance.now() - w0;
    const rearm = desk.rearm('bench');
    if (!rearm.ok) throw new Error(rearm.error);
  }
  console.log(`\n${label} — ${KILLS} kills, ${(openAtKill.reduce((a, b) => a + b, 0) / KILLS).toFixed(1)} open orders per kill on average`);
  console.log(`  feed achieved: ${Math.round(messages / (simUs / SEC)).toLocaleString('en-US')} messages per simulated second; engine processed ${Math.round(messages / (wallMs / 1000)).toLocaleString('en-US')} messages per wall second`);
  console.log(line('command → last cancel sent (wall)', toLastCancelUs, 'µs', 1));
  console.log(line('command → kill() returned (audit, flush; wall)', killReturnUs, 'µs', 1));
  console.log(line('command → venue confirmed (event time)', confirmEventMs, 'ms'));
  console.log(line('command → venue confirmed (wall, engine)', confirmWallMs, 'ms'));
  console.log(`  kills with an order sent after them or left open at the venue: ${leaked}`);
  await closeAll();
}

console.log(`kill-switch latency (simulated exchange latency ${2} ms each way; node ${process.version})`);
await scenario('idle (calm simulated market, flowMultiplier 1)', 1);
await scenario('under load (flowMultiplier 300, target ≈ 20,000 messages/s)', 300);
