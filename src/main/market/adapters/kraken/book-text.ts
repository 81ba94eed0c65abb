/**
 * A strict scanner for the one Kraken v1 message shape that dominates a book feed: an update
 * `[channelID,{"a":[...]}(,{"b":[...],"c":"..."}),"book-N","PAIR"]` whose levels are
 * `["price","volume","timestamp"(,"r")]`. It reads the received text itself (no JSON.parse, no substrings):
 * prices and volumes straight into ticks and lots with the adapter's fixed-decimals rule, level timestamps
 * into µs, the checksum into a number, and keeps the text offsets of each printed price and volume so the
 * checksum cache copies their digits from the text. It validates the WHOLE text before reporting success,
 * and it changes nothing but its own scratch: the caller applies the result afterwards. Anything it does not
 * positively recognise (snapshots, heartbeats, events, trades, whitespace, escapes, exponents, numbers off
 * the fixed-decimals form, another pair, too many levels, malformed or truncated JSON) returns false, and the
 * caller takes the ordinary JSON.parse path, which then decides exactly as it always did. Pure, and it does
 * not allocate.
 */
import { fixedStepsAt, secondsToUsAt } from './numbers.js';
import { QUOTE, COMMA, COLON, LBRACKET, RBRACKET, LBRACE, RBRACE } from '../json-chars.js';

/** Levels one scanned update may carry (updates carry a handful; more goes the ordinary way). */
export const SCAN_LEVELS = 64;

/** The scanned update, reused message after message. Levels are in the order the object path applies them. */
export class ScannedUpdate {
  /** Levels scanned; side 0 = ask, 1 = bid. */
  count = 0;
  readonly side = new Uint8Array(SCAN_LEVELS);
  readonly price = new Float64Array(SCAN_LEVELS);
  readonly size = new Float64Array(SCAN_LEVELS);
  /** Text offsets of each printed price and volume (start inclusive, end exclusive, quotes excluded). */
  readonly priceStart = new Int32Array(SCAN_LEVELS);
  readonly priceEnd = new Int32Array(SCAN_LEVELS);
  readonly sizeStart = new Int32Array(SCAN_LEVELS);
  readonly sizeEnd = new Int32Array(SCAN_LEVELS);
  /** Newest level timestamp (µs), 0 when none parsed to a positive number. */
  maxLevelUs = 0;
  /** The checksum the venue sent, -1 when the message has none. */
  checksum = -1;
}

/** The print rules the scanner converts with (the adapter's fixedSteps parameters). */
export interface ScanGrid {
  readonly priceDecimals: number;
  readonly priceFactor: number;
  readonly sizeDecimals: number;
  readonly sizeFactor: number;
}

/**
 * Scans `text` as a book update for `symbol`; true when it is exactly that shape and every value converts
 * on the fixed-decimals fast path (then `out` holds it), false otherwise (then `out` is garbage).
 */
export function scanBookUpdate(text: string, symbol: string, grid: ScanGrid, out: ScannedUpdate): boolean {
  const n = text.length;
  if (n < 8 || text.charCodeAt(0) !== LBRACKET) return false;
  // channel id: a JSON integer without sign or leading zero (JSON.parse would reject "01")
  let i = 1;
  let c = text.charCodeAt(i);
  if (c === 48) {
    i++;
  } else {
    if (c < 49 || c > 57) return false;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
  }
  if (text.charCodeAt(i) !== COMMA) return false;
  i++;
  out.count = 0;
  out.maxLevelUs = 0;
  out.checksum = -1;
  let objects = 0;
  while (text.charCodeAt(i) === LBRACE) {
    if (objects === 2) return false;
    objects++;
    i = scanObject(text, i + 1, grid, out, objects === 1);
    if (i < 0) return false;
    if (text.charCodeAt(i) !== COMMA) return false;
    i++;
  }
  if (objects === 0) return false;
  // channel name "book…": printable ASCII without quotes or escapes
  if (text.charCodeAt(i) !== QUOTE || text.charCodeAt(i + 1) !== 98 /* b */ || text.charCodeAt(i + 2) !== 111 || text.charCodeAt(i + 3) !== 111 || text.charCodeAt(i + 4) !== 107) return false;
  i += 5;
  while (i < n && (c = text.charCodeAt(i)) !== QUOTE) {
    if (c < 32 || c > 126 || c === 92) return false;
    i++;
  }
  if (i >= n || text.charCodeAt(i + 1) !== COMMA || text.charCodeAt(i + 2) !== QUOTE) return false;
  i += 3;
  // the pair, exactly the instrument's symbol (another pair goes the ordinary way)
  const m = symbol.length;
  if (i + m + 2 !== n) return false;
  for (let k = 0; k < m; k++) if (text.charCodeAt(i + k) !== symbol.charCodeAt(k)) return false;
  for (let k = 0; k < m; k++) {
    const s = symbol.charCodeAt(k);
    if (s < 32 || s > 126 || s === 92 || s === QUOTE) return false;
  }
  return text.charCodeAt(n - 2) === QUOTE && text.charCodeAt(n - 1) === RBRACKET;
}

/**
 * Scans one payload object's members from `i` (just after '{'): keys "a", "b" (level arrays) and "c" (the
 * checksum string), each at most once; the object's asks are stored before its bids (the order the object
 * path applies them). The first object must carry "a" or "b". Returns the index after '}', or -1.
 */
function scanObject(text: string, i: number, grid: ScanGrid, out: ScannedUpdate, first: boolean): number {
  let seen = 0; // bit 1 = a, 2 = b, 4 = c
  // asks are scanned first wherever they stand, so remember where the bids are
  let bidsAt = -1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE || text.charCodeAt(i + 2) !== QUOTE || text.charCodeAt(i + 3) !== COLON) return -1;
    const key = text.charCodeAt(i + 1);
    i += 4;
    if (key === 97 /* a */) {
      if ((seen & 1) !== 0) return -1;
      seen |= 1;
      i = scanLevels(text, i, grid, out, 0);
    } else if (key === 98 /* b */) {
      if ((seen & 2) !== 0) return -1;
      seen |= 2;
      bidsAt = i;
      i = skipLevels(text, i);
    } else if (key === 99 /* c */) {
      if ((seen & 4) !== 0) return -1;
      seen |= 4;
      i = scanChecksum(text, i, out);
    } else {
      return -1;
    }
    if (i < 0) return -1;
    const c = text.charCodeAt(i);
    if (c === RBRACE) break;
    if (c !== COMMA) return -1;
    i++;
  }
  if (first && (seen & 3) === 0) return -1;
  if (bidsAt >= 0 && scanLevels(text, bidsAt, grid, out, 1) < 0) return -1;
  return i + 1;
}

/** `"digits"` (1 to 10 of them) → out.checksum; the index after the closing quote, or -1. */
function scanChecksum(text: string, i: number, out: ScannedUpdate): number {
  if (text.charCodeAt(i) !== QUOTE) return -1;
  i++;
  const start = i;
  let value = 0;
  let c = 0;
  while ((c = text.charCodeAt(i)) >= 48 && c <= 57) {
    value = value * 10 + (c - 48);
    i++;
  }
  const digits = i - start;
  // why: a leading zero would print differently in the untrust detail than the venue's text
  if (c !== QUOTE || digits === 0 || digits > 10 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
  out.checksum = value;
  return i + 1;
}

/** Finds the end of a level array without converting (the bids of an object are converted after its asks). */
function skipLevels(text: string, i: number): number {
  if (text.charCodeAt(i) !== LBRACKET) return -1;
  let depth = 0;
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === LBRACKET) depth++;
    else if (c === RBRACKET && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * `[["p","v","t"(,"r")],...]` → levels appended to `out` for `side`; the index after the closing ']', or -1
 * (any other shape, or a value off the fixed-decimals form).
 */
function scanLevels(text: string, i: number, grid: ScanGrid, out: ScannedUpdate, side: number): number {
  if (text.charCodeAt(i) !== LBRACKET) return -1;
  i++;
  if (text.charCodeAt(i) === RBRACKET) return i + 1;
  for (;;) {
    const k = out.count;
    if (k === SCAN_LEVELS) return -1;
    if (text.charCodeAt(i) !== LBRACKET || text.charCodeAt(i + 1) !== QUOTE) return -1;
    // price
    let start = i + 2;
    let end = endOfNumber(text, start);
    if (end < 0) return -1;
    const p = fixedStepsAt(text, start, end, grid.priceDecimals, grid.priceFactor);
    if (p < 0) return -1;
    out.priceStart[k] = start;
    out.priceEnd[k] = end;
    if (text.charCodeAt(end + 1) !== COMMA || text.charCodeAt(end + 2) !== QUOTE) return -1;
    // volume
    start = end + 3;
    end = endOfNumber(text, start);
    if (end < 0) return -1;
    const q = fixedStepsAt(text, start, end, grid.sizeDecimals, grid.sizeFactor);
    if (q < 0) return -1;
    out.sizeStart[k] = start;
    out.sizeEnd[k] = end;
    if (text.charCodeAt(end + 1) !== COMMA || text.charCodeAt(end + 2) !== QUOTE) return -1;
    // timestamp
    start = end + 3;
    end = endOfNumber(text, start);
    if (end < 0) return -1;
    const us = secondsToUsAt(text, start, end);
    if (us > out.maxLevelUs) out.maxLevelUs = us;
    i = end + 1;
    let c = text.charCodeAt(i);
    if (c === COMMA) {
      // the republish flag: exactly "r"
      if (text.charCodeAt(i + 1) !== QUOTE || text.charCodeAt(i + 2) !== 114 /* r */ || text.charCodeAt(i + 3) !== QUOTE) return -1;
      i += 4;
      c = text.charCodeAt(i);
    }
    if (c !== RBRACKET) return -1;
    out.side[k] = side;
    out.price[k] = p;
    out.size[k] = q;
    out.count = k + 1;
    i++;
    c = text.charCodeAt(i);
    if (c === RBRACKET) return i + 1;
    if (c !== COMMA) return -1;
    i++;
  }
}

/** From just after an opening quote: the index of the closing quote when only digits and '.' come between. */
function endOfNumber(text: string, i: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if ((c < 48 || c > 57) && c !== 46) return -1;
  }
  return -1;
}
