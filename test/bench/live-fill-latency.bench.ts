/**
 * Fills from the venue to the screen, live: a real `quotedesk serve --execution live` child process quoting
 * on the local exchange (in this process, on 127.0.0.1, the same code `quotedesk venue` runs), and a stream
 * client that acknowledges every update as a monitor that has rendered it would. Each round the venue fills
 * one lot of one of our resting quotes (an outside order sweeping to it); timed from that execution to the
 * stream update carrying the fill in the client: the venue's user-data push, the gateway, the engine thread
 * (journal, inventory, PnL), the publish and the WebSocket — everything before the monitor draws. Target
 * (issue 17): p95 ≤ 50 ms. Asserts nothing; exits 0. Needs the built app.
 *
 *   npx tsx test/bench/live-fill-latency.bench.ts [--fills N] [--venue binance-spot|binance-usdm|bybit-spot|bybit-linear] [--flow F]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { GatewayVenue } from '../../src/main/execution/live/gateway.js';
import type { DeskState, StreamMessage } from '../../src/shared/contract.js';
import { startBybitVenue } from '../support/bybit-venue.js';
import { API_KEY, API_SECRET, startVenue } from '../support/local-venue.js';
import { removeDir, startServe } from '../support/serve-process.js';
import { openReader } from '../support/stream-clients.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const FILLS = Number(arg('fills') ?? 300);
const VENUE = (arg('venue') ?? 'binance-spot') as GatewayVenue;
const FLOW = Number(arg('flow') ?? 1);
if (!Number.isInteger(FILLS) || FILLS <= 0) throw new Error('--fills must be a positive integer');
if (!['binance-spot', 'binance-usdm', 'bybit-spot', 'bybit-linear'].includes(VENUE)) throw new Error('--venue must be binance-spot, binance-usdm, bybit-spot or bybit-linear');

type Update = Extract<StreamMessage, { type: 'update' }>;
const stateOf = (m: StreamMessage): DeskState | null => (m.type === 'update' || m.type === 'snapshot' ? m.state : null);

const PARAMS = {
  strategy: { spread: { baseBps: 4, volatility: { enabled: false } }, size: { baseLots: 50 }, adverseSelection: { enabled: false } },
  risk: { maxInventoryLots: 1_000_000, softInventoryLots: 900_000, fillBurstCount: 1_000_000, maxLossSession: 1e12, maxLossDaily: 1e12, priceBandBps: 10_000, maxOrdersPerSec: 50 },
};

function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const venue = VENUE === 'bybit-spot' || VENUE === 'bybit-linear' ? await startBybitVenue(VENUE, { flowMultiplier: FLOW }) : await startVenue(VENUE, { flowMultiplier: FLOW });
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-fill-bench-'));
  const params = join(dir, 'params.json');
  writeFileSync(params, JSON.stringify(PARAMS));
  const symbol = venue.spec.symbol;
  const args = ['--venue', VENUE, '--symbol', symbol, '--execution', 'live', '--rest-url', venue.restUrl, '--ws-url', venue.wsUrl, '--ws-api-url', venue.wsApiUrl, '--params', params];
  const serve = await startServe({ dir, args, env: { QUOTEDESK_API_KEY: API_KEY, QUOTEDESK_API_SECRET: API_SECRET }, timeoutMs: 60_000 });
  const reader = await openReader(serve.baseUrl, { ack: true });
  const samples: number[] = [];
  try {
    for (let i = 0; i < FILLS; i++) {
      await reader.waitFor((m) => {
        const state = stateOf(m);
        return state !== null && state.tradingState === 'active' && state.venueLink?.userStream === 'up' && venue.exchange.openOrders().some((o) => o.qtyLots - o.executedLots > 1);
      }, `a resting quote before fill ${i + 1}`);
      const order = venue.exchange.openOrders().find((o) => o.qtyLots - o.executedLots > 1);
      if (!order) continue;
      const t0 = performance.now();
      venue.fillOrder(order.clientOrderId, venue.spec.stepSize);
      // The venue executed synchronously; its trade id is the fill's id at the desk (`<venue>:<trade id>`).
      const trade = venue.exchange.accountTrades({ orderId: order.orderId, limit: 100_000 }).at(-1);
      // the venue's trade id as the desk books it: Binance's numeric id, Bybit's execId
      const fillId = `${VENUE}:${trade === undefined ? -1 : 'execIdOf' in venue ? venue.execIdOf(trade) : trade.id}`;
      await reader.waitFor((m) => m.type === 'update' && (m as Update).fills.some((f) => f.fillId === fillId), `fill ${i + 1} on the stream`);
      samples.push(performance.now() - t0);
    }
    const state = await serve.get<DeskState>('/api/state');
    console.log(`live fills, venue execution → the update carrying the fill at a stream client (${VENUE}, market flow ×${FLOW}, node ${process.version})`);
    console.log(`  p50 ${pct(samples, 50).toFixed(1)} ms   p95 ${pct(samples, 95).toFixed(1)} ms   p99 ${pct(samples, 99).toFixed(1)} ms   max ${Math.max(...samples).toFixed(1)} ms   (n=${samples.length})   target p95 ≤ 50 ms`);
    console.log(`  desk: ${state.execution}, ${state.tradingState}, inventory ${state.inventory}, reconciled ${String(state.reconciled)}, position mismatch ${String(state.venueLink?.positionMismatch)}`);
  } finally {
    reader.close();
    await serve.stop();
    await venue.stop();
    removeDir(dir);
  }
}

await main();
