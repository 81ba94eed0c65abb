/**
 * Live-gateway latency against the local exchange on 127.0.0.1 (market frozen, limits raised so nothing
 * is held back), for Binance spot (WebSocket API), USD-M (REST) and Bybit v5 spot and linear (REST, signed
 * JSON bodies):
 *   - quote decision → request on the wire, in process: hrtime from just before `gateway.place(...)` to
 *     the first byte handed to the kernel for it (`net.Socket.prototype.write` on the gateway's socket:
 *     build, filters, sign, serialise, send). Target p99 ≤ 200 µs.
 *   - kill → all cancels on the wire: from just before `gateway.cancelAll()` to its request's first write
 *     (one cancel-all request carries every cancel), with N quotes open; and, for information, to the
 *     venue having cancelled them all (the answer back, loopback included). Target ≤ 10 ms.
 * Prints p50 / p99 / max. Standalone: `npx tsx test/bench/venue-gateway.bench.ts [places] [kills]`.
 * Asserts nothing.
 */
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { BinanceVenue, BybitVenue, VenueGateway } from '../../src/main/execution/live/gateway.js';
import { defaultBybitLimits } from '../../src/main/execution/venues/bybit/rate-limits.js';
import { connectBybit, startBybitVenue } from '../support/bybit-venue.js';
import { DecimalGrid } from '../../src/shared/units.js';
import { connect, startVenue, touch } from '../support/local-venue.js';

const PLACES = Number(process.argv[2] ?? 3_000);
const KILLS = Number(process.argv[3] ?? 200);
const OPEN_AT_KILL = 20;

let armed = false;
let firstWriteNs = 0n;
const originalWrite = Socket.prototype.write;
// why: the moment bytes for the request reach the kernel is "on the wire" for an in-process figure
Socket.prototype.write = function patchedWrite(this: Socket, ...args: Parameters<Socket['write']>): boolean {
  if (armed) {
    armed = false;
    firstWriteNs = process.hrtime.bigint();
  }
  return originalWrite.apply(this, args);
} as Socket['write'];

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(name: string, values: number[], unit: string): string {
  return `  ${name.padEnd(46)} p50 ${pct(values, 50).toFixed(1).padStart(8)} ${unit}   p99 ${pct(values, 99).toFixed(1).padStart(8)} ${unit}   max ${Math.max(...values).toFixed(1).padStart(8)} ${unit}   (n=${values.length})`;
}

async function timedSend<T>(run: () => Promise<T>): Promise<{ us: number; result: T }> {
  firstWriteNs = 0n;
  armed = true;
  const t0 = process.hrtime.bigint();
  const pending = run();
  const result = await pending;
  armed = false;
  if (firstWriteNs === 0n) throw new Error('no write was seen for the request');
  return { us: Number(firstWriteNs - t0) / 1_000, result };
}

interface Rig {
  readonly gateway: VenueGateway;
  readonly open: () => number;
  readonly px: (ticks: number) => string;
  readonly bid: number;
  stop(): Promise<void>;
}

async function binanceRig(dialect: BinanceVenue): Promise<Rig> {
  const venue = await startVenue(dialect, { limits: { weight: { limit: 10_000_000, intervalSec: 60 }, orders: { limit: 10_000_000, intervalSec: 10 } } });
  const s = await connect(venue);
  venue.exchange.pause();
  const { px, bid } = touch(venue);
  return { gateway: s.gateway, open: () => venue.exchange.openOrders().length, px, bid, stop: async () => (await s.gateway.stop(), await venue.stop()) };
}

async function bybitRig(dialect: BybitVenue): Promise<Rig> {
  // why: the venue's per-second limits would hold the bench back; both sides are raised alike
  const raised = Object.fromEntries(Object.keys(defaultBybitLimits(dialect === 'bybit-spot' ? 'spot' : 'linear')).map((path) => [path, 1_000_000]));
  const venue = await startBybitVenue(dialect, { limits: raised });
  const s = await connectBybit(venue);
  venue.exchange.pause();
  const grid = new DecimalGrid(venue.spec.tickSize);
  return { gateway: s.gateway, open: () => venue.exchange.openOrders().length, px: (t) => grid.format(t), bid: venue.exchange.book.bestBid(), stop: async () => (await s.gateway.stop(), await venue.stop()) };
}

async function scenario(dialect: BinanceVenue | BybitVenue): Promise<void> {
  const rig = dialect === 'binance-spot' || dialect === 'binance-usdm' ? await binanceRig(dialect) : await bybitRig(dialect);
  const gateway = rig.gateway;
  const { px, bid } = rig;
  const placeUs: number[] = [];
  let n = 0;
  for (let i = 0; i < PLACES; i++) {
    const price = px(bid - 5 - (i % 40));
    const { us } = await timedSend(() => gateway.place({ clientOrderId: `b${n++}`, side: 'buy', price, quantity: '0.10', kind: 'post-only' }));
    if (i >= 100) placeUs.push(us); // the first hundred warm the JIT
    if (i % 100 === 99) await gateway.cancelAll();
  }
  const killSendUs: number[] = [];
  const killDoneMs: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    for (let j = 0; j < OPEN_AT_KILL; j++) await gateway.place({ clientOrderId: `k${n++}`, side: 'buy', price: px(bid - 5 - j), quantity: '0.10', kind: 'post-only' });
    if (rig.open() !== OPEN_AT_KILL) throw new Error('quotes did not rest');
    const t0 = performance.now();
    const { us } = await timedSend(() => gateway.cancelAll());
    const done = performance.now() - t0;
    if (rig.open() !== 0) throw new Error('cancel-all left orders open');
    killSendUs.push(us);
    killDoneMs.push(done);
  }
  process.stdout.write(`${dialect} (${dialect === 'binance-spot' ? 'WebSocket API' : 'REST'}):\n`);
  process.stdout.write(`${line('quote decision → request on the wire', placeUs, 'µs')}\n`);
  process.stdout.write(`${line(`kill → all ${OPEN_AT_KILL} cancels on the wire`, killSendUs, 'µs')}\n`);
  process.stdout.write(`${line('kill → venue cancelled all (answer back)', killDoneMs, 'ms')}\n`);
  await rig.stop();
}

await scenario('binance-spot');
await scenario('binance-usdm');
await scenario('bybit-spot');
await scenario('bybit-linear');
Socket.prototype.write = originalWrite;
