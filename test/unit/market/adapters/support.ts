/**
 * Helpers for the adapter tests: the real captures, clean replays, and fresh venue snapshots synthesized
 * from a clean replay's book (what a resubscribe or a REST fetch would have returned at that moment).
 */
import { DecimalGrid } from '../../../../src/shared/units.js';
import type { Instrument } from '../../../../src/shared/units.js';
import { createAdapter, knownInstrument } from '../../../../src/main/market/adapters/index.js';
import type { AdapterOptions } from '../../../../src/main/market/adapters/index.js';
import type { AdapterAction, AdapterVenue, VenueAdapter } from '../../../../src/main/market/adapters/types.js';
import type { CaptureFrame } from '../../../../src/main/market/capture/index.js';
import type { BookSideName, FeedEvent } from '../../../../src/main/market/types.js';

export interface CaptureCase {
  readonly name: string;
  readonly venue: AdapterVenue;
  readonly symbol: string;
  readonly file: string[];
  /** Frames usable for fault tests end before this index (Coinbase: the capture's own sequence gaps). */
  readonly endAt?: number;
}

export const CASES: CaptureCase[] = [
  { name: 'binance spot NKNUSDT', venue: 'binance-spot', symbol: 'NKNUSDT', file: ['exchanges', 'binance_spot', 'NKNUSDT_session.jsonl'] },
  { name: 'binance usdm SUSHIUSDT', venue: 'binance-usdm', symbol: 'SUSHIUSDT', file: ['exchanges', 'binance_usdm', 'SUSHIUSDT_session.jsonl'] },
  { name: 'bybit linear BTCUSDT', venue: 'bybit-linear', symbol: 'BTCUSDT', file: ['exchanges', 'bybit_v5', 'linear_orderbook.200.BTCUSDT.jsonl'] },
  { name: 'bybit spot BTCUSDT', venue: 'bybit-spot', symbol: 'BTCUSDT', file: ['exchanges', 'bybit_v5', 'spot_orderbook.200.BTCUSDT.jsonl'] },
  { name: 'kraken ADA/XBT', venue: 'kraken', symbol: 'ADA/XBT', file: ['exchanges', 'kraken_v1', 'book-1000_ADA-XBT.jsonl'] },
  { name: 'kraken SC/EUR', venue: 'kraken', symbol: 'SC/EUR', file: ['exchanges', 'kraken_v1', 'book-1000_SC-EUR.jsonl'] },
  { name: 'kraken XBT/CHF', venue: 'kraken', symbol: 'XBT/CHF', file: ['exchanges', 'kraken_v1', 'book-1000_XBT-CHF.jsonl'] },
  { name: 'coinbase BTC-USD', venue: 'coinbase', symbol: 'BTC-USD', file: ['exchanges', 'coinbase_advanced', 'level2_ticker_BTC-USD_ETH-USD.jsonl'], endAt: 45 },
  { name: 'coinbase ETH-USD', venue: 'coinbase', symbol: 'ETH-USD', file: ['exchanges', 'coinbase_advanced', 'level2_ticker_BTC-USD_ETH-USD.jsonl'], endAt: 45 },
];

export interface Run {
  readonly adapter: VenueAdapter;
  readonly events: FeedEvent[];
  readonly actions: AdapterAction[];
  readonly changed: boolean[];
}

export function makeAdapter(c: CaptureCase, options: AdapterOptions = {}): Run {
  const instrument = knownInstrument(c.venue, c.symbol);
  if (instrument === undefined) throw new Error(`no instrument for ${c.venue} ${c.symbol}`);
  const adapter = createAdapter(c.venue, instrument, options);
  const events: FeedEvent[] = [];
  adapter.setSink({ onTrade: () => undefined, onFeedEvent: (e) => events.push(e) });
  return { adapter, events, actions: [], changed: [] };
}

export function feed(run: Run, kind: 'ws' | 'rest', msg: unknown, localUs: number): void {
  run.changed.push(run.adapter.onMessage(kind, msg, localUs));
  const action = run.adapter.takeAction();
  if (action.type !== 'none') run.actions.push(action);
}

export function replay(c: CaptureCase, frames: readonly CaptureFrame[], options: AdapterOptions = {}): Run {
  const run = makeAdapter(c, options);
  for (const f of frames) feed(run, f.kind, f.msg, f.localUs);
  return run;
}

export function allLevels(adapter: VenueAdapter, side: BookSideName): [number, number][] {
  const n = adapter.book.levels(side);
  const prices = new Float64Array(n);
  const sizes = new Float64Array(n);
  const k = adapter.book.top(side, n, prices, sizes);
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) out.push([prices[i]!, sizes[i]!]);
  return out;
}

export function topKey(adapter: VenueAdapter, n: number): string {
  const b = allLevels(adapter, 'bid').slice(0, n);
  const a = allLevels(adapter, 'ask').slice(0, n);
  return JSON.stringify([b, a]);
}

function pad(text: string, decimals: number): string {
  const point = text.indexOf('.');
  const have = point < 0 ? 0 : text.length - point - 1;
  if (have >= decimals) return text;
  return (point < 0 ? `${text}.` : text) + '0'.repeat(decimals - have);
}

/**
 * A fresh snapshot message equal to `source`'s book, in the venue's format, at the update id / printed
 * decimals the following original messages expect.
 */
export function synthesizeSnapshot(c: CaptureCase, instrument: Instrument, source: VenueAdapter, frames: readonly CaptureFrame[], at: number): { kind: 'ws' | 'rest'; msg: unknown } {
  const tick = new DecimalGrid(instrument.tickSize);
  const lot = new DecimalGrid(instrument.lotSize);
  const levels = (side: BookSideName, pd = instrument.priceDecimals, sd = instrument.sizeDecimals): string[][] =>
    allLevels(source, side).map(([p, q]) => [pad(tick.format(p), pd), pad(lot.format(q), sd)]);
  const msg = frames[at]!.msg as Record<string, unknown>;
  switch (c.venue) {
    case 'binance-spot':
    case 'binance-usdm': {
      const data = (msg['data'] ?? msg) as Record<string, unknown>;
      return { kind: 'rest', msg: { lastUpdateId: data['u'], bids: levels('bid'), asks: levels('ask') } };
    }
    case 'bybit-spot':
    case 'bybit-linear': {
      const data = msg['data'] as Record<string, unknown>;
      return { kind: 'ws', msg: { topic: msg['topic'], type: 'snapshot', ts: msg['ts'], data: { s: c.symbol, b: levels('bid'), a: levels('ask'), u: data['u'] } } };
    }
    case 'kraken': {
      const arr = msg as unknown as unknown[];
      // printed decimals of the original feed
      const first = (frames[0]!.msg as unknown[])[1] as { as: string[][] };
      const sample = first.as[0]!;
      const pd = sample[0]!.length - sample[0]!.indexOf('.') - 1;
      const sd = sample[1]!.length - sample[1]!.indexOf('.') - 1;
      const withTs = (side: BookSideName): string[][] => levels(side, pd, sd).map(([p, q]) => [p!, q!, '1618678140.000000']);
      return { kind: 'ws', msg: [arr[0], { as: withTs('ask'), bs: withTs('bid') }, arr[arr.length - 2], arr[arr.length - 1]] };
    }
    case 'coinbase': {
      const updates = [
        ...levels('bid').map(([p, q]) => ({ side: 'bid', event_time: msg['timestamp'], price_level: p, new_quantity: q })),
        ...levels('ask').map(([p, q]) => ({ side: 'offer', event_time: msg['timestamp'], price_level: p, new_quantity: q })),
      ];
      // no sequence_num: a resubscription's snapshot does not test the connection's sequence here
      return { kind: 'ws', msg: { channel: 'l2_data', timestamp: msg['timestamp'], events: [{ type: 'snapshot', product_id: c.symbol, updates }] } };
    }
    case 'sim':
    case 'lobster':
      throw new Error('no snapshot format');
  }
}

/** What a call did, as text both paths of an adapter can be compared on: its result, or the error it threw. */
export function outcome(run: () => boolean): string {
  try {
    return `returned ${run()}`;
  } catch (err) {
    return `threw ${err instanceof Error ? err.name : String(err)}`;
  }
}
