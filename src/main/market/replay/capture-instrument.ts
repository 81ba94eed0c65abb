/**
 * The instrument (tick and lot) a capture replays with, in the order of contracts.md: the spec the user
 * gave (`--tick-size`/`--lot-size`), else the venue's answer to the instrument request that `record` stores
 * as the capture's first `rest` line (read by the venue's own parser), else the documented spec of a symbol
 * the desk knows (`knownInstrument`), else the finest decimal grid the capture's own prices and sizes use,
 * with a one-line notice for the host to print. A given spec is checked against every price and size of
 * the capture: one that would put a recorded price off the grid is refused, naming the flag and the price.
 * Also tells the instrument answer apart from market data (`marketFrames`): the live adapter never sees it
 * live, so the replay must not feed it either. Pure: no I/O.
 */
import type { VenueName } from '../../../shared/contract.js';
import { DecimalGrid, decimalsOf, makeInstrument, type Instrument } from '../../../shared/units.js';
import { isRecord } from '../adapters/base.js';
import { isInstrumentUrl, knownInstrument, parseInstrumentResponse, powerOfTen } from '../adapters/instruments.js';
import type { AdapterVenue } from '../adapters/types.js';
import { lobsterInstrument } from '../lobster/format.js';
import type { ReplayFrame } from './detect.js';

/** Tick and lot as decimal strings ("0.01", "0.0001"): plain data, as hosts pass it. */
export interface InstrumentSpec {
  readonly tickSize: string;
  readonly lotSize: string;
}

/** Where the spec came from: the user, the recording, the built-in table, or the capture's own decimals. */
export type InstrumentSource = 'given' | 'recording' | 'known' | 'grid';

export interface CaptureInstrument {
  readonly instrument: Instrument;
  readonly source: InstrumentSource;
  /** One line for the host to print (a guessed grid, an unreadable stored answer), else null. */
  readonly notice: string | null;
}

/** A given spec that is malformed or does not hold the capture's prices or sizes. */
export class InstrumentSpecError extends Error {
  override readonly name = 'InstrumentSpecError';
  constructor(
    readonly field: 'tick-size' | 'lot-size',
    message: string,
  ) {
    super(message);
  }
}

type LiveVenue = Exclude<VenueName, 'sim'>;

function liveVenue(venue: AdapterVenue): LiveVenue | null {
  return venue === 'lobster' || venue === 'sim' ? null : venue;
}

/** Whether `frame` is the venue's answer to the instrument request about `symbol` (as `record` writes it). */
export function isInstrumentFrame(venue: AdapterVenue, symbol: string, frame: ReplayFrame): boolean {
  const live = liveVenue(venue);
  return live !== null && frame.kind === 'rest' && frame.url !== undefined && isInstrumentUrl(live, symbol, frame.url);
}

/** The frames the venue's adapter sees: everything but the instrument answer. */
export function marketFrames<T extends ReplayFrame>(venue: AdapterVenue, symbol: string, frames: readonly T[]): readonly T[] {
  if (liveVenue(venue) === null) return frames;
  // why: a capture without the answer (most) is returned as is, without a copy of a large array.
  const first = frames.findIndex((f) => isInstrumentFrame(venue, symbol, f));
  if (first < 0) return frames;
  return frames.filter((f) => !isInstrumentFrame(venue, symbol, f));
}

type Visit = (text: unknown) => void;

function levels(list: unknown, price: Visit, size: Visit): void {
  if (!Array.isArray(list)) return;
  for (const level of list) {
    if (!Array.isArray(level)) continue;
    price(level[0]);
    size(level[1]);
  }
}

/**
 * Calls `price` and `size` with every price and size text of `symbol` the venue's adapter (and `inspect`'s
 * checks) would convert: book levels, trades and best bid/ask tickers, message shapes as in each adapter.
 */
export function visitPricesAndSizes(venue: AdapterVenue, symbol: string, frames: readonly ReplayFrame[], price: Visit, size: Visit): void {
  for (const frame of frames) {
    if (isInstrumentFrame(venue, symbol, frame)) continue;
    const msg = frame.msg;
    switch (venue) {
      case 'binance-spot':
      case 'binance-usdm': {
        if (!isRecord(msg)) break;
        if (frame.kind === 'rest') {
          levels(msg['bids'], price, size);
          levels(msg['asks'], price, size);
          break;
        }
        const data = isRecord(msg['data']) ? msg['data'] : msg;
        if (typeof data['s'] === 'string' && data['s'].toUpperCase() !== symbol.toUpperCase()) break;
        if (data['e'] === 'depthUpdate') {
          levels(data['b'], price, size);
          levels(data['a'], price, size);
        } else if (data['e'] === 'trade' || data['e'] === 'aggTrade') {
          price(data['p']);
          size(data['q']);
        } else if (data['e'] === 'bookTicker' || (data['e'] === undefined && typeof data['b'] === 'string')) {
          price(data['b']);
          price(data['a']);
          size(data['B']);
          size(data['A']);
        }
        break;
      }
      case 'bybit-spot':
      case 'bybit-linear': {
        if (!isRecord(msg) || typeof msg['topic'] !== 'string' || !msg['topic'].endsWith(`.${symbol}`)) break;
        const data = msg['data'];
        if (msg['topic'].startsWith('orderbook.') && isRecord(data)) {
          levels(data['b'], price, size);
          levels(data['a'], price, size);
        } else if (msg['topic'].startsWith('publicTrade.') && Array.isArray(data)) {
          for (const t of data) {
            if (!isRecord(t)) continue;
            price(t['p']);
            size(t['v']);
          }
        }
        break;
      }
      case 'kraken': {
        if (!Array.isArray(msg) || msg.length < 4 || msg[msg.length - 1] !== symbol) break;
        const channel = msg[msg.length - 2];
        for (let i = 1; i < msg.length - 2; i++) {
          const part: unknown = msg[i];
          if (typeof channel === 'string' && channel.startsWith('book') && isRecord(part)) {
            for (const key of ['as', 'bs', 'a', 'b']) levels(part[key], price, size);
          } else if (channel === 'trade') {
            levels(part, price, size);
          }
        }
        break;
      }
      case 'coinbase': {
        if (!isRecord(msg) || !Array.isArray(msg['events'])) break;
        for (const ev of msg['events']) {
          if (!isRecord(ev)) continue;
          if (msg['channel'] === 'l2_data' && ev['product_id'] === symbol && Array.isArray(ev['updates'])) {
            for (const u of ev['updates']) {
              if (!isRecord(u)) continue;
              price(u['price_level']);
              size(u['new_quantity']);
            }
          }
          const trades = Array.isArray(ev['trades']) ? ev['trades'] : [];
          for (const t of trades) {
            if (!isRecord(t) || t['product_id'] !== symbol) continue;
            price(t['price']);
            size(t['size']);
          }
          const tickers = Array.isArray(ev['tickers']) ? ev['tickers'] : [];
          for (const t of tickers) {
            if (!isRecord(t) || t['product_id'] !== symbol) continue;
            price(t['best_bid']);
            price(t['best_ask']);
          }
        }
        break;
      }
      case 'lobster':
      case 'sim':
        return;
    }
  }
}

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

function gridFor(field: 'tick-size' | 'lot-size', text: string): DecimalGrid {
  if (!PLAIN_DECIMAL.test(text)) throw new InstrumentSpecError(field, `--${field} must be a plain positive decimal such as 0.01, got "${text}"`);
  try {
    return new DecimalGrid(text);
  } catch {
    throw new InstrumentSpecError(field, `--${field} must be a positive decimal such as 0.01, got "${text}"`);
  }
}

/** Checks the form of a given spec (plain positive decimals) before any capture is read. */
export function checkInstrumentSpec(given: InstrumentSpec): { tick: DecimalGrid; lot: DecimalGrid } {
  return { tick: gridFor('tick-size', given.tickSize), lot: gridFor('lot-size', given.lotSize) };
}

/** A given spec, checked: every price of the capture on the tick grid, every size on the lot grid. */
function givenInstrument(venue: AdapterVenue, symbol: string, frames: readonly ReplayFrame[], given: InstrumentSpec): Instrument {
  const { tick, lot } = checkInstrumentSpec(given);
  if (venue === 'lobster') {
    const fixed = lobsterInstrument(symbol);
    if (tick.decimals !== 2 || tick.toSteps('0.01') !== 1 || lot.toSteps('1') !== 1 || lot.decimals !== 0) {
      throw new InstrumentSpecError('tick-size', `a LOBSTER recording has tick ${fixed.tickSize} and lot ${fixed.lotSize} (NASDAQ), not ${given.tickSize} and ${given.lotSize}`);
    }
    return fixed;
  }
  let badPrice: string | null = null;
  let badSize: string | null = null;
  visitPricesAndSizes(
    venue,
    symbol,
    frames,
    (text) => {
      if (badPrice === null && typeof text === 'string' && !Number.isSafeInteger(tick.toSteps(text))) badPrice = text;
    },
    (text) => {
      if (badSize === null && typeof text === 'string' && !Number.isSafeInteger(lot.toSteps(text))) badSize = text;
    },
  );
  if (badPrice !== null) throw new InstrumentSpecError('tick-size', `--tick-size ${given.tickSize} does not hold the capture's price "${badPrice}"`);
  if (badSize !== null) throw new InstrumentSpecError('lot-size', `--lot-size ${given.lotSize} does not hold the capture's size "${badSize}"`);
  return makeInstrument({ venue, symbol, tickSize: given.tickSize, lotSize: given.lotSize });
}

/** The finest grid the capture's own prices and sizes use: tick 10^−(most price decimals), lot likewise. */
export function finestGrid(venue: AdapterVenue, symbol: string, frames: readonly ReplayFrame[]): { tickSize: string; lotSize: string; prices: number; sizes: number } {
  let priceDecimals = 0;
  let sizeDecimals = 0;
  let prices = 0;
  let sizes = 0;
  visitPricesAndSizes(
    venue,
    symbol,
    frames,
    (text) => {
      if (typeof text !== 'string') return;
      prices++;
      priceDecimals = Math.max(priceDecimals, decimalsOf(text));
    },
    (text) => {
      if (typeof text !== 'string') return;
      sizes++;
      sizeDecimals = Math.max(sizeDecimals, decimalsOf(text));
    },
  );
  return { tickSize: powerOfTen(priceDecimals), lotSize: powerOfTen(sizeDecimals), prices, sizes };
}

/** The spec stored by `record`, or why it could not be read; null when the capture has none. */
function recordedInstrument(venue: AdapterVenue, symbol: string, frames: readonly ReplayFrame[]): Instrument | string | null {
  const live = liveVenue(venue);
  if (live === null) return null;
  const frame = frames.find((f) => isInstrumentFrame(venue, symbol, f));
  if (frame === undefined) return null;
  try {
    return parseInstrumentResponse(live, symbol, frame.msg);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The instrument a capture replays with, by the order in the header. Throws `InstrumentSpecError`. */
export function captureInstrument(venue: AdapterVenue, symbol: string, frames: readonly ReplayFrame[], given?: InstrumentSpec): CaptureInstrument {
  if (given !== undefined) return { instrument: givenInstrument(venue, symbol, frames, given), source: 'given', notice: null };
  if (venue === 'lobster') return { instrument: lobsterInstrument(symbol), source: 'known', notice: null };
  const recorded = recordedInstrument(venue, symbol, frames);
  if (recorded !== null && typeof recorded !== 'string') return { instrument: recorded, source: 'recording', notice: null };
  const unreadable = typeof recorded === 'string' ? `the recording's instrument answer could not be read (${recorded}); ` : '';
  const known = knownInstrument(venue, symbol);
  if (known !== undefined) {
    const notice = unreadable ? `instrument spec for ${venue} ${symbol}: ${unreadable}using the built-in tick ${known.tickSize}, lot ${known.lotSize}` : null;
    return { instrument: known, source: 'known', notice };
  }
  const grid = finestGrid(venue, symbol, frames);
  const instrument = makeInstrument({ venue, symbol, tickSize: grid.tickSize, lotSize: grid.lotSize });
  const notice =
    `instrument spec for ${venue} ${symbol}: ${unreadable}${unreadable ? '' : 'none given or recorded; '}` +
    `tick ${grid.tickSize} and lot ${grid.lotSize}, the finest decimals its ${grid.prices} prices and ${grid.sizes} sizes use ` +
    `(pass --tick-size and --lot-size to set them)`;
  return { instrument, source: 'grid', notice };
}
