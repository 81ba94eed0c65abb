/**
 * `quotedesk inspect`: replays a raw capture through the venue's live adapter and reports the final book,
 * the feed counters, whether the book ends trusted, and every independent check the capture itself allows:
 * Binance `bookTicker` best bid/ask at matching update ids, Kraken checksums, Bybit `u` continuity, Coinbase
 * `ticker` best bid/ask against the book within a time tolerance. The tick and lot come as for a replay
 * (`captureInstrument`: given, recorded, known, or the capture's finest grid with a notice). The CLI
 * formats the result; this module does no printing and never writes anything.
 */
import { DecimalGrid } from '../../shared/units.js';
import type { Instrument } from '../../shared/units.js';
import { BinanceAdapter, createAdapter } from './adapters/index.js';
import type { AdapterOptions } from './adapters/index.js';
import type { AdapterCounters, AdapterVenue, VenueAdapter } from './adapters/types.js';
import { loadCapture } from './capture/capture.js';
import type { CaptureFrame } from './capture/capture.js';
import { CaptureDetectionError } from './replay/detect.js';
import { captureInstrument, marketFrames, type InstrumentSource, type InstrumentSpec } from './replay/capture-instrument.js';
import type { FeedEvent } from './types.js';

export interface InspectOptions {
  /** Symbol as the venue spells it; default: the first one the capture shows. */
  symbol?: string;
  /** The instrument, as is (tests). */
  instrument?: Instrument;
  /** Tick and lot the user gave (`--tick-size`/`--lot-size`); else the recording's, the known or the capture's grid. */
  spec?: InstrumentSpec;
  /** Levels per side in `finalBook` (default 20). */
  levels?: number;
  adapter?: AdapterOptions;
  /** Skip malformed capture lines (reported in `skippedLines`) instead of failing. */
  tolerant?: boolean;
  /** Coinbase ticker check: how far apart (ms) the ticker and a matching book state may be. Default 1000. */
  tickerToleranceMs?: number;
}

export interface InspectCheck {
  readonly name: string;
  readonly checked: number;
  readonly failed: number;
  readonly detail: string;
}

export interface InspectResult {
  readonly venue: AdapterVenue;
  readonly file: string;
  readonly instrument: Instrument;
  readonly instrumentSource: InstrumentSource;
  /** One line to print when the tick and lot were guessed from the capture's decimals, else null. */
  readonly notice: string | null;
  /** Prices and sizes in instrument units, best first. */
  readonly finalBook: { bids: [number, number][]; asks: [number, number][] };
  readonly counters: AdapterCounters;
  readonly trusted: boolean;
  readonly frames: number;
  readonly skippedLines: number;
  readonly events: FeedEvent[];
  readonly checks: InspectCheck[];
}

function rec(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The symbol a capture is about, as the venue spells it (first one seen). */
export function sniffSymbol(venue: AdapterVenue, frames: readonly CaptureFrame[]): string | undefined {
  for (const f of frames) {
    const msg = f.msg;
    switch (venue) {
      case 'binance-spot':
      case 'binance-usdm': {
        const data = rec(rec(msg)?.['data'] ?? msg);
        if (typeof data?.['s'] === 'string') return data['s'];
        if (f.url !== undefined) {
          const m = /symbol=([A-Za-z0-9]+)/.exec(f.url);
          if (m?.[1] !== undefined) return m[1];
        }
        break;
      }
      case 'bybit-spot':
      case 'bybit-linear': {
        const data = rec(rec(msg)?.['data']);
        if (typeof data?.['s'] === 'string') return data['s'];
        break;
      }
      case 'kraken':
        if (Array.isArray(msg) && typeof msg[msg.length - 1] === 'string' && msg.length >= 4) return msg[msg.length - 1] as string;
        break;
      case 'coinbase': {
        const m = rec(msg);
        if (m?.['channel'] === 'l2_data' && Array.isArray(m['events'])) {
          const ev = rec(m['events'][0]);
          if (typeof ev?.['product_id'] === 'string') return ev['product_id'];
        }
        break;
      }
      case 'sim':
      case 'lobster':
        return undefined;
    }
  }
  return undefined;
}

export async function inspectCapture(venue: AdapterVenue, file: string, options: InspectOptions = {}): Promise<InspectResult> {
  const loaded = await loadCapture(file, undefined, { mode: options.tolerant === true ? 'tolerant' : 'strict' });
  if (loaded.frames.length === 0) throw new CaptureDetectionError(`${file}: the capture holds no frames (an empty file?)`);
  const symbol = options.symbol ?? options.instrument?.symbol ?? sniffSymbol(venue, loaded.frames);
  if (symbol === undefined) throw new CaptureDetectionError(`${file}: cannot tell the symbol of this ${venue} capture; pass --symbol`);
  const spec = options.instrument
    ? { instrument: options.instrument, source: 'given' as const, notice: null }
    : captureInstrument(venue, symbol, loaded.frames, options.spec);
  const instrument = spec.instrument;
  // The venue's instrument answer stored by `record` is not market data (live, the adapter never saw it).
  const frames = marketFrames(venue, symbol, loaded.frames);
  const adapter = createAdapter(venue, instrument, options.adapter ?? {});
  const events: FeedEvent[] = [];
  adapter.setSink({ onTrade: () => undefined, onFeedEvent: (e) => events.push(e) });
  const checker = makeChecker(venue, adapter, instrument, options);
  for (const frame of frames) {
    const changed = adapter.onMessage(frame.kind, frame.msg, frame.localUs);
    adapter.takeAction(); // a replay ignores resync requests: the capture holds what followed
    checker.after(frame, changed);
  }
  const levels = options.levels ?? 20;
  return {
    venue,
    file,
    instrument,
    instrumentSource: spec.source,
    notice: spec.notice,
    finalBook: bookLevels(adapter, instrument, levels),
    counters: { ...adapter.counters },
    trusted: adapter.trusted(),
    frames: frames.length,
    skippedLines: loaded.errors.length,
    events,
    checks: checker.finish(),
  };
}

export function bookLevels(adapter: VenueAdapter, instrument: Instrument, levels: number): { bids: [number, number][]; asks: [number, number][] } {
  const tick = new DecimalGrid(instrument.tickSize);
  const lot = new DecimalGrid(instrument.lotSize);
  const prices = new Float64Array(levels);
  const sizes = new Float64Array(levels);
  const side = (name: 'bid' | 'ask'): [number, number][] => {
    const n = adapter.book.top(name, levels, prices, sizes);
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) out.push([tick.toNumber(prices[i]!), lot.toNumber(sizes[i]!)]);
    return out;
  };
  return { bids: side('bid'), asks: side('ask') };
}

interface Checker {
  after(frame: CaptureFrame, changed: boolean): void;
  finish(): InspectCheck[];
}

function makeChecker(venue: AdapterVenue, adapter: VenueAdapter, instrument: Instrument, options: InspectOptions): Checker {
  const tick = new DecimalGrid(instrument.tickSize);
  switch (venue) {
    case 'binance-spot':
    case 'binance-usdm': {
      // A bookTicker with update id t is comparable with the book exactly when t is the final id u of an
      // applied depth event (or of the snapshot). The ticker often arrives before that event: keep it pending.
      let bookId = Number.NaN;
      let checked = 0;
      let failed = 0;
      let firstFailure = '';
      const pending = new Map<number, { bid: number; ask: number }>();
      const compare = (id: number, bid: number, ask: number): void => {
        if (!adapter.trusted()) return;
        checked++;
        if (bid !== adapter.book.bestBid() || ask !== adapter.book.bestAsk()) {
          failed++;
          firstFailure ||= `u=${id}: ticker ${bid}/${ask} book ${adapter.book.bestBid()}/${adapter.book.bestAsk()} (ticks)`;
        }
      };
      const settle = (): void => {
        const p = pending.get(bookId);
        if (p !== undefined) compare(bookId, p.bid, p.ask);
        for (const id of pending.keys()) if (id <= bookId) pending.delete(id);
      };
      return {
        after(frame, changed) {
          const m = rec(frame.msg);
          const data = rec(m?.['data'] ?? frame.msg);
          if (data === null) return;
          if (changed && adapter instanceof BinanceAdapter) {
            bookId = adapter.updateId;
            settle();
            return;
          }
          const isTicker = data['e'] === 'bookTicker' || (data['e'] === undefined && typeof data['b'] === 'string');
          if (!isTicker || typeof data['u'] !== 'number') return;
          const bid = tick.toSteps(String(data['b']));
          const ask = tick.toSteps(String(data['a']));
          if (data['u'] === bookId) compare(bookId, bid, ask);
          else if (!(data['u'] < bookId)) pending.set(data['u'], { bid, ask });
        },
        finish: () => [{ name: 'bookTicker best bid/ask at matching update id', checked, failed, detail: firstFailure || 'all matched' }],
      };
    }
    case 'kraken': {
      let checked = 0;
      return {
        after(frame) {
          const msg = frame.msg;
          if (!Array.isArray(msg)) return;
          for (const part of msg) if (rec(part)?.['c'] !== undefined) checked++;
        },
        finish: () => [
          {
            name: 'CRC32 checksum of the top 10 levels',
            checked,
            failed: adapter.counters.checksumFailures,
            detail: adapter.counters.checksumFailures === 0 ? 'all matched' : 'see counters.checksumFailures',
          },
        ],
      };
    }
    case 'bybit-spot':
    case 'bybit-linear': {
      let checked = 0;
      return {
        after(frame) {
          if (rec(frame.msg)?.['type'] === 'delta') checked++;
        },
        finish: () => [{ name: 'update id u continuity (previous u + 1)', checked, failed: adapter.counters.gaps, detail: adapter.counters.gaps === 0 ? 'continuous' : 'gaps found' }],
      };
    }
    case 'coinbase': {
      const toleranceUs = (options.tickerToleranceMs ?? 1000) * 1000;
      const bookTs: number[] = [];
      const bookBid: number[] = [];
      const bookAsk: number[] = [];
      const tickers: { ts: number; bid: number; ask: number }[] = [];
      return {
        after(frame, changed) {
          const m = rec(frame.msg);
          if (m === null) return;
          if (changed) {
            bookTs.push(frame.localUs);
            bookBid.push(adapter.book.bestBid());
            bookAsk.push(adapter.book.bestAsk());
            return;
          }
          if (m['channel'] !== 'ticker' || !Array.isArray(m['events'])) return;
          for (const ev of m['events']) {
            const list = rec(ev)?.['tickers'];
            if (!Array.isArray(list)) continue;
            for (const t of list) {
              const r = rec(t);
              if (r?.['product_id'] !== instrument.symbol) continue;
              tickers.push({ ts: frame.localUs, bid: tick.toSteps(String(r['best_bid'])), ask: tick.toSteps(String(r['best_ask'])) });
            }
          }
        },
        finish() {
          let checked = 0;
          let failed = 0;
          let firstFailure = '';
          for (const t of tickers) {
            if (bookTs.length === 0 || t.ts < bookTs[0]!) continue; // before the book existed
            checked++;
            let ok = false;
            for (let i = 0; i < bookTs.length && !ok; i++) {
              if (Math.abs(bookTs[i]! - t.ts) <= toleranceUs && bookBid[i] === t.bid && bookAsk[i] === t.ask) ok = true;
            }
            if (!ok) {
              failed++;
              firstFailure ||= `ticker at ${t.ts}µs ${t.bid}/${t.ask} never matched the book within ${toleranceUs / 1000} ms`;
            }
          }
          return [{ name: `ticker best bid/ask matches the book within ${toleranceUs / 1000} ms`, checked, failed, detail: firstFailure || 'all matched' }];
        },
      };
    }
    case 'sim':
    case 'lobster':
      return { after: () => undefined, finish: () => [] };
  }
}
