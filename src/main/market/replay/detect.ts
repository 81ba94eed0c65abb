/**
 * What a capture is: which venue's adapter it needs and which symbol it carries (its tick and lot are
 * `capture-instrument.ts`'s). Detection reads the connection ids the recorders write (`BINANCE.ws.1`, `BINANCE_FUTURES`,
 * `BYBIT`, `KRAKEN`, `COINBASE`, `LOBSTER`), then the message shapes (a Binance `depthUpdate` with `pu`
 * is USD-M; a Bybit `orderbook.N.SYM` topic; a Kraken `[id, {...}, "book-N", "PAIR"]` array; a Coinbase
 * `l2_data` channel; a LOBSTER line), REST urls (`fapi.` is USD-M) and the file name (`linear`/`spot`
 * for Bybit, whose two markets share a wire format). An explicit venue wins; an explicit symbol must be one
 * the capture carries. Pure: no I/O.
 */
import { isVenueName } from '../../../shared/contract.js';
import type { AdapterVenue } from '../adapters/types.js';

/** One recorded message, times in µs on the capture's clock (`recv_ts`). */
export interface ReplayFrame {
  readonly localUs: number;
  readonly kind: 'ws' | 'rest';
  readonly conn: string;
  readonly url?: string;
  readonly msg: unknown;
}

export interface CaptureIdentity {
  readonly venue: AdapterVenue;
  readonly symbol: string;
  /** How the venue was decided, for messages and `inspect`. */
  readonly reason: string;
}

export class CaptureDetectionError extends Error {
  override readonly name = 'CaptureDetectionError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unwrapBinance(msg: unknown): Record<string, unknown> | null {
  if (!isRecord(msg)) return null;
  const data = msg['data'];
  return isRecord(data) ? data : msg;
}

function venueFromConn(conn: string): AdapterVenue | null {
  const prefix = conn.split('.')[0]?.toUpperCase() ?? '';
  switch (prefix) {
    case 'BINANCE_FUTURES':
    case 'BINANCE_USDM':
      return 'binance-usdm';
    case 'BINANCE':
      return 'binance-spot';
    case 'KRAKEN':
      return 'kraken';
    case 'COINBASE':
      return 'coinbase';
    case 'LOBSTER':
      return 'lobster';
    case 'BYBIT_SPOT':
      return 'bybit-spot';
    case 'BYBIT_LINEAR':
      return 'bybit-linear';
    case 'BYBIT':
      return 'bybit-linear'; // refined below: spot and linear share the wire format
    default: {
      const lower = prefix.toLowerCase();
      return isVenueName(lower) && lower !== 'sim' ? lower : lower === 'lobster' ? 'lobster' : null;
    }
  }
}

function venueFromShape(frame: ReplayFrame): AdapterVenue | null {
  const msg = frame.msg;
  if (frame.kind === 'rest' && frame.url) {
    if (frame.url.includes('/fapi/')) return 'binance-usdm';
    if (frame.url.includes('/api/v3/depth')) return 'binance-spot';
  }
  if (Array.isArray(msg) && typeof msg[msg.length - 2] === 'string' && String(msg[msg.length - 2]).startsWith('book')) return 'kraken';
  if (!isRecord(msg)) return null;
  if (msg['src'] === 'lobster') return 'lobster';
  if (msg['channel'] === 'l2_data') return 'coinbase';
  if (typeof msg['topic'] === 'string' && String(msg['topic']).startsWith('orderbook.')) return 'bybit-linear';
  const data = unwrapBinance(msg);
  if (data && data['e'] === 'depthUpdate') return 'pu' in data ? 'binance-usdm' : 'binance-spot';
  return null;
}

function symbolFrom(venue: AdapterVenue, frame: ReplayFrame): string | null {
  const msg = frame.msg;
  switch (venue) {
    case 'binance-spot':
    case 'binance-usdm': {
      const data = unwrapBinance(msg);
      return data && data['e'] === 'depthUpdate' && typeof data['s'] === 'string' ? data['s'] : null;
    }
    case 'bybit-spot':
    case 'bybit-linear': {
      const topic = isRecord(msg) ? msg['topic'] : undefined;
      if (typeof topic !== 'string' || !topic.startsWith('orderbook.')) return null;
      return topic.split('.')[2] ?? null;
    }
    case 'kraken':
      return Array.isArray(msg) && typeof msg[msg.length - 1] === 'string' && String(msg[msg.length - 2]).startsWith('book')
        ? String(msg[msg.length - 1])
        : null;
    case 'coinbase': {
      if (!isRecord(msg) || msg['channel'] !== 'l2_data' || !Array.isArray(msg['events'])) return null;
      const ev: unknown = msg['events'][0];
      return isRecord(ev) && typeof ev['product_id'] === 'string' ? ev['product_id'] : null;
    }
    case 'lobster':
      return isRecord(msg) && typeof msg['sym'] === 'string' ? msg['sym'] : null;
    case 'sim':
      return null;
  }
}

/** Bybit spot prints prices without trailing zeros ("65140", "65140.4"); linear prints a fixed scale. */
function bybitMarket(frames: readonly ReplayFrame[], fileName: string | undefined): 'bybit-spot' | 'bybit-linear' {
  const name = (fileName ?? '').toLowerCase();
  if (/linear|inverse|perp|usdm/.test(name)) return 'bybit-linear';
  if (/spot/.test(name)) return 'bybit-spot';
  for (const f of frames) {
    const msg = f.msg;
    if (!isRecord(msg) || msg['type'] !== 'snapshot' || !isRecord(msg['data'])) continue;
    const scales = new Set<number>();
    for (const sideKey of ['b', 'a']) {
      const side = msg['data'][sideKey];
      if (!Array.isArray(side)) continue;
      for (const level of side) if (Array.isArray(level) && typeof level[0] === 'string') scales.add(level[0].split('.')[1]?.length ?? 0);
    }
    return scales.size > 1 ? 'bybit-spot' : 'bybit-linear';
  }
  return 'bybit-linear';
}

/**
 * The venue and symbol of a capture. `override` values win; otherwise the first frames that say so.
 * Throws `CaptureDetectionError` naming what was missing.
 */
export function detectCapture(
  frames: readonly ReplayFrame[],
  options: { venue?: AdapterVenue; symbol?: string; fileName?: string } = {},
): CaptureIdentity {
  let venue: AdapterVenue | null = options.venue ?? null;
  let reason = venue ? 'given' : '';
  let bareBybit = false;
  const limit = Math.min(frames.length, 5_000);
  if (!venue) {
    for (let i = 0; i < limit && !venue; i++) {
      const f = frames[i]!;
      venue = venueFromConn(f.conn);
      if (venue) reason = `connection id "${f.conn}"`;
      bareBybit = venue !== null && (f.conn.split('.')[0] ?? '').toUpperCase() === 'BYBIT';
    }
  }
  // The shape refines a bare prefix (BINANCE with `pu` events is USD-M; BYBIT needs spot/linear).
  if (!options.venue) {
    for (let i = 0; i < limit; i++) {
      const shaped = venueFromShape(frames[i]!);
      if (!shaped) continue;
      if (!venue || (venue === 'binance-spot' && shaped === 'binance-usdm')) {
        bareBybit = shaped === 'bybit-linear';
        venue = shaped;
        reason = reason ? `${reason} and message shape` : 'message shape';
      }
      break;
    }
    if (bareBybit) venue = bybitMarket(frames, options.fileName);
  }
  if (!venue) {
    throw new CaptureDetectionError(
      `cannot tell the venue of ${options.fileName ?? 'the capture'}: no known connection id (BINANCE, BINANCE_FUTURES, BYBIT, KRAKEN, COINBASE, LOBSTER) or message shape in its first ${limit} lines; pass the venue explicitly`,
    );
  }
  let symbol = options.symbol ?? null;
  if (!symbol) {
    for (let i = 0; i < limit && !symbol; i++) symbol = symbolFrom(venue, frames[i]!);
  } else {
    // An explicit symbol must be one the capture carries: replaying it under another name would store
    // one instrument's fills labelled as another's, or an empty book.
    const seen = new Set<string>();
    for (let i = 0; i < limit; i++) {
      const found = symbolFrom(venue, frames[i]!);
      if (found) seen.add(found);
    }
    if (seen.size > 0 && !seen.has(symbol)) {
      throw new CaptureDetectionError(`symbol "${symbol}" is not in ${options.fileName ?? 'the capture'} (it carries ${[...seen].join(', ')})`);
    }
  }
  if (!symbol) {
    throw new CaptureDetectionError(`cannot tell the symbol of ${options.fileName ?? 'the capture'} (${venue}); pass the symbol explicitly`);
  }
  return { venue, symbol, reason };
}
