/**
 * A Binance spot capture of a symbol the desk has no built-in spec for (ETHUSDT), written by a seeded random
 * walk in the venue's own shapes (a buffered `depthUpdate`, the REST snapshot with its url, then depth
 * updates with consecutive ids, and trades), prices and sizes printed with Binance's 8 decimals though they
 * use only 2 and 4. The book it ends with is kept here by plain maps, independently of
 * the adapters, so a test can check what `inspect`, `backtest` and `serve` built against it. Test support.
 */
import { writeFileSync } from 'node:fs';
import { formatCaptureLine, type CaptureFrameInput } from '../../src/main/market/capture/capture.js';
import { mulberry32 } from './prng.js';

export const FOREIGN_SYMBOL = 'ETHUSDT';

export interface ForeignCapture {
  readonly file: string;
  readonly symbol: string;
  readonly frames: number;
  /** The final book, best first, as decimal numbers (cents and 1e-4 units scaled back). */
  readonly bids: Array<[number, number]>;
  readonly asks: Array<[number, number]>;
  /** One price and one size text exactly as printed (for error messages). */
  readonly samplePrice: string;
}

const MID_CENTS = 250_000; // 2500.00
const price = (cents: number): string => (cents / 100).toFixed(8);
const size = (units: number): string => (units / 10_000).toFixed(8);

function sorted(side: Map<number, number>, descending: boolean): Array<[number, number]> {
  return [...side.entries()].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).map(([p, q]) => [p / 100, q / 10_000]);
}

/** Writes the capture to `file` (.jsonl); `instrumentFirst` puts a venue instrument answer first, as `record` does. */
export function writeForeignCapture(file: string, options: { seed?: number; updates?: number; instrumentFirst?: { tickSize: string; lotSize: string } } = {}): ForeignCapture {
  const random = mulberry32(options.seed ?? 7);
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  const frames: CaptureFrameInput[] = [];
  let t = 1_700_000_000;
  const next = (): number => (t += 0.001 + random() * 0.01);
  const level = (): [number, number] => [1 + Math.floor(random() * 40), 1 + Math.floor(random() * 50_000)];
  if (options.instrumentFirst) {
    const body = {
      symbols: [{ symbol: FOREIGN_SYMBOL, quoteAsset: 'USDT', filters: [{ filterType: 'PRICE_FILTER', tickSize: options.instrumentFirst.tickSize }, { filterType: 'LOT_SIZE', stepSize: options.instrumentFirst.lotSize }] }],
    };
    frames.push({ recvTs: next(), kind: 'rest', url: `https://api.binance.com/api/v3/exchangeInfo?symbol=${FOREIGN_SYMBOL}`, conn: 'BINANCE.http.0', msg: body });
  }
  let id = 1_000;
  const depth = (b: Array<[string, string]>, a: Array<[string, string]>): CaptureFrameInput => {
    id++;
    return { recvTs: next(), kind: 'ws', conn: 'BINANCE.ws.1', msg: { stream: 'ethusdt@depth@100ms', data: { e: 'depthUpdate', E: Math.round(t * 1000), s: FOREIGN_SYMBOL, U: id, u: id, b, a } } };
  };
  // The stream starts before the snapshot (the adapter buffers it), as a real recording does.
  const first = depth([[price(MID_CENTS - 3), size(1_234)]], []);
  frames.push(first);
  bids.set(MID_CENTS - 3, 1_234);
  const snapBids: Array<[string, string]> = [];
  const snapAsks: Array<[string, string]> = [];
  for (let i = 1; i <= 20; i++) {
    const [, qb] = level();
    const [, qa] = level();
    if (i !== 3) bids.set(MID_CENTS - i, qb);
    asks.set(MID_CENTS + i, qa);
  }
  // The snapshot is at id 1001, so it holds the buffered event (Binance: a snapshot older than the first
  // buffered U is fetched again); the adapter drops that event and applies from 1002 on.
  for (const [p, q] of [...bids.entries()].sort((a, b) => b[0] - a[0])) snapBids.push([price(p), size(q)]);
  for (const [p, q] of [...asks.entries()].sort((a, b) => a[0] - b[0])) snapAsks.push([price(p), size(q)]);
  frames.push({ recvTs: next(), kind: 'rest', url: `https://api.binance.com/api/v3/depth?symbol=${FOREIGN_SYMBOL}&limit=1000`, conn: 'BINANCE.http.0', msg: { lastUpdateId: id, bids: snapBids, asks: snapAsks } });
  const updates = options.updates ?? 400;
  for (let n = 0; n < updates; n++) {
    const roll = random();
    if (roll < 0.1) {
      const [offset, q] = level();
      frames.push({ recvTs: next(), kind: 'ws', conn: 'BINANCE.ws.1', msg: { stream: 'ethusdt@trade', data: { e: 'trade', E: Math.round(t * 1000), T: Math.round(t * 1000), s: FOREIGN_SYMBOL, t: n, p: price(MID_CENTS + offset), q: size(q), m: random() < 0.5 } } });
      continue;
    }
    const bid = random() < 0.5;
    const [offset, q] = level();
    const p = bid ? MID_CENTS - offset : MID_CENTS + offset;
    const removed = random() < 0.2;
    const side = bid ? bids : asks;
    if (removed) side.delete(p);
    else side.set(p, q);
    const change: Array<[string, string]> = [[price(p), size(removed ? 0 : q)]];
    frames.push(bid ? depth(change, []) : depth([], change));
  }
  writeFileSync(file, `${frames.map((f) => formatCaptureLine(f)).join('\n')}\n`);
  return { file, symbol: FOREIGN_SYMBOL, frames: frames.length, bids: sorted(bids, true), asks: sorted(asks, false), samplePrice: price(MID_CENTS - 3) };
}
