/**
 * The LOBSTER recording format: what `importLobster` writes into the capture format and what the
 * `lobster` adapter reads back. One capture line per LOBSTER message k (row k of both files):
 *
 *     {"recv_ts": <date + seconds after midnight, s>, "kind": "ws", "conn": "LOBSTER.<SYMBOL>",
 *      "msg": {"src": "lobster", "sym": "GOOG", "lv": 5, "seq": k, "t": "34200.015105074",
 *              "type": 1|2|3|4|5|7, "id": <order id>, "size": <shares>, "px": <price × 10000>, "dir": 1|-1,
 *              "snap"?: true, "b": [[px, size], ...], "a": [[px, size], ...]}}
 *
 * `type`…`dir` are the message-file fields exactly as LOBSTER wrote them (prices in dollars × 10,000).
 * `b`/`a` carry book row k as the L-level state: on the first line (`snap`) the whole displayed book,
 * afterwards only the levels that differ from row k−1 (size 0 = the level left the displayed book).
 * Sizes are absolute. This module holds the shared names and small pure helpers; no I/O.
 */
import { makeInstrument, type Instrument } from '../../../shared/units.js';

export const LOBSTER_CONN_PREFIX = 'LOBSTER';
/** LOBSTER prices are dollars × 10,000; the equity tick of 0.01 is 100 of those units. */
export const LOBSTER_PRICE_UNITS_PER_TICK = 100;
/** Padding of empty levels in the orderbook file. */
export const LOBSTER_EMPTY_ASK = 9_999_999_999;
export const LOBSTER_EMPTY_BID = -9_999_999_999;

export type LobsterEventType = 1 | 2 | 3 | 4 | 5 | 7;

/** One recorded line's payload (see the module header). */
export interface LobsterRecordMessage {
  readonly src: 'lobster';
  readonly sym: string;
  readonly lv: number;
  readonly seq: number;
  readonly t: string;
  readonly type: LobsterEventType;
  readonly id: number;
  readonly size: number;
  readonly px: number;
  readonly dir: 1 | -1;
  readonly snap?: true;
  readonly b: ReadonlyArray<readonly [number, number]>;
  readonly a: ReadonlyArray<readonly [number, number]>;
}

/** The equity instrument of a LOBSTER recording: tick 0.01 USD, lots of one share. */
export function lobsterInstrument(symbol: string): Instrument {
  return makeInstrument({ venue: 'lobster', symbol, tickSize: '0.01', lotSize: '1', quoteCurrency: 'USD' });
}

/**
 * Microseconds after midnight of a LOBSTER time field ("34200.015105074"), truncated (never rounded up,
 * so the order of events is kept); NaN when the text is not a plain non-negative decimal.
 */
export function lobsterTimeToUs(text: string): number {
  let whole = 0;
  let frac = 0;
  let fracDigits = -1;
  if (text.length === 0) return Number.NaN;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (fracDigits >= 0) return Number.NaN;
      fracDigits = 0;
      continue;
    }
    if (c < 48 || c > 57) return Number.NaN;
    if (fracDigits < 0) whole = whole * 10 + (c - 48);
    else if (fracDigits < 6) {
      frac = frac * 10 + (c - 48);
      fracDigits++;
    }
  }
  for (let d = Math.max(fracDigits, 0); d < 6; d++) frac *= 10;
  return whole * 1_000_000 + frac;
}

/**
 * Offset of a time zone from UTC in minutes at a given UTC instant (America/New_York in June: −240),
 * from the platform's time-zone database.
 */
export function timeZoneOffsetMinutes(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** µs since the epoch of local midnight of `date` (YYYY-MM-DD) in `timeZone`. */
export function midnightUs(date: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got "${date}"`);
  const utcMidnightMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(utcMidnightMs)) throw new RangeError(`date must be YYYY-MM-DD, got "${date}"`);
  // The offset at local noon is the day's offset for every zone whose DST switch is at night.
  const offsetMin = timeZoneOffsetMinutes(timeZone, utcMidnightMs + 12 * 3_600_000);
  return (utcMidnightMs - offsetMin * 60_000) * 1_000;
}

/** Reads `TICKER_YYYY-MM-DD_...` from a LOBSTER file name. */
export function parseLobsterFileName(path: string): { symbol: string | null; date: string | null } {
  const base = path.split(/[\\/]/).pop() ?? '';
  const m = /^([A-Za-z.]+)_(\d{4}-\d{2}-\d{2})_/.exec(base);
  return { symbol: m?.[1] ?? null, date: m?.[2] ?? null };
}
