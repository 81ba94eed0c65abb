/**
 * A strict scanner for the two Binance texts that carry a book: the diff-depth event
 * `{"e":"depthUpdate","E":…,("T":…,)"s":"SYMBOL","U":…,"u":…,("pu":…,)"b":[["p","q"],…],"a":[…]}`, raw or in
 * a combined-stream wrapper `{"stream":"…","data":{…}}`, and the REST depth snapshot
 * `{"lastUpdateId":…,("E":…,"T":…,)"bids":[…],"asks":[…]}`. It reads the received text itself (no JSON.parse,
 * no substrings): ids and stamps as plain JSON integers, prices and sizes straight into ticks and lots with
 * the instrument's grids (StepReader: the DecimalGrid rule exactly). It validates the WHOLE text before
 * reporting success and changes nothing but its own scratch: the adapter applies the result afterwards.
 * Anything it does not accept whole returns false, and the adapter takes the JSON.parse path, which then
 * decides exactly as it always did: whitespace, escapes, exponents, signs, fractions or leading zeros in
 * ids, unknown or repeated keys, another event type or symbol, a level that is not `["p","q"]`, a price or
 * size that does not convert (off the grid, malformed: the JSON.parse path reports it), trailing text,
 * truncation. Keys may come in any order. Pure; it allocates only to grow its level arrays.
 */
import type { StepReader } from '../decimal-text.js';
import { QUOTE, COMMA, COLON, LBRACKET, BACKSLASH, RBRACKET, LBRACE, RBRACE } from '../json-chars.js';

/** Levels of one side in text order, in ticks and lots. Grows as needed and keeps its capacity. */
export class ScannedLevels {
  count = 0;
  price = new Float64Array(64);
  size = new Float64Array(64);

  push(price: number, size: number): void {
    const k = this.count;
    if (k === this.price.length) {
      const p = new Float64Array(k * 2);
      const q = new Float64Array(k * 2);
      p.set(this.price);
      q.set(this.size);
      this.price = p;
      this.size = q;
    }
    this.price[k] = price;
    this.size[k] = size;
    this.count = k + 1;
  }
}

/** One scanned depth event or snapshot, reused message after message. NaN marks an absent optional field. */
export class ScannedDepth {
  readonly bids = new ScannedLevels();
  readonly asks = new ScannedLevels();
  /** depthUpdate `U`, `u`, `pu` (NaN when absent). */
  first = 0;
  final = 0;
  pu = Number.NaN;
  /** Event time `E` in ms (NaN when absent). */
  eventMs = Number.NaN;
  /** Snapshot `lastUpdateId`. */
  lastUpdateId = 0;
}

/** The instrument's grids as readers (price → ticks, size → lots). */
export interface DepthReaders {
  readonly price: StepReader;
  readonly size: StepReader;
}

// member keys, one bit each
const K_TYPE = 1; // e
const K_TIME = 2; // E
const K_TRANSACT = 4; // T
const K_SYMBOL = 8; // s
const K_FIRST = 16; // U
const K_FINAL = 32; // u
const K_PREV = 64; // pu
const K_B = 128; // b
const K_A = 256; // a
const K_LAST_ID = 512; // lastUpdateId
const K_BIDS = 1024; // bids
const K_ASKS = 2048; // asks

const UPDATE_REQUIRED = K_TYPE | K_SYMBOL | K_FIRST | K_FINAL | K_B | K_A;
const UPDATE_ALLOWED = UPDATE_REQUIRED | K_TIME | K_TRANSACT | K_PREV;
const SNAPSHOT_REQUIRED = K_LAST_ID | K_BIDS | K_ASKS;
const SNAPSHOT_ALLOWED = SNAPSHOT_REQUIRED | K_TIME | K_TRANSACT;

const WRAPPER_HEAD = '{"stream":"';
const WRAPPER_DATA = '","data":{';

/**
 * Scans `text` as a depthUpdate of `symbol` (raw or wrapped); true when it is exactly that and every
 * value converts (then `out` holds it), false otherwise (then `out` is garbage).
 */
export function scanDepthUpdate(text: string, symbol: string, readers: DepthReaders, out: ScannedDepth): boolean {
  let i = 1;
  const wrapped = startsAt(text, 0, WRAPPER_HEAD);
  if (wrapped) {
    // the stream name is not read (the adapter reads the event itself); it only has to be a plain string
    const end = plainStringEnd(text, WRAPPER_HEAD.length);
    if (end < 0 || !startsAt(text, end, WRAPPER_DATA)) return false;
    i = end + WRAPPER_DATA.length;
  } else if (text.charCodeAt(0) !== LBRACE) {
    return false;
  }
  i = scanMembers(text, i, UPDATE_ALLOWED, UPDATE_REQUIRED, symbol, readers, out);
  if (i < 0) return false;
  if (wrapped) {
    if (text.charCodeAt(i) !== RBRACE) return false;
    i++;
  }
  return i === text.length;
}

/** Scans `text` as a REST depth snapshot; true when it is exactly that and every level converts. */
export function scanDepthSnapshot(text: string, readers: DepthReaders, out: ScannedDepth): boolean {
  if (text.charCodeAt(0) !== LBRACE) return false;
  return scanMembers(text, 1, SNAPSHOT_ALLOWED, SNAPSHOT_REQUIRED, '', readers, out) === text.length;
}

/** Integer read by the last readUint. */
let uint = 0;

/**
 * The members of one object from `i` (just after '{'), each key at most once and among `allowed`, all of
 * `required` present. Returns the index after the closing '}', or -1.
 */
function scanMembers(text: string, i: number, allowed: number, required: number, symbol: string, readers: DepthReaders, out: ScannedDepth): number {
  out.bids.count = 0;
  out.asks.count = 0;
  out.pu = Number.NaN;
  out.eventMs = Number.NaN;
  let seen = 0;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = plainStringEnd(text, i + 1);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return -1;
    const key = keyBit(text, i + 1, keyEnd);
    if ((key & allowed) === 0 || (key & seen) !== 0) return -1;
    seen |= key;
    i = keyEnd + 2;
    switch (key) {
      case K_TYPE:
        i = literalString(text, i, 'depthUpdate');
        break;
      case K_SYMBOL:
        i = literalString(text, i, symbol);
        break;
      case K_B:
      case K_BIDS:
        i = scanLevels(text, i, readers, out.bids);
        break;
      case K_A:
      case K_ASKS:
        i = scanLevels(text, i, readers, out.asks);
        break;
      default:
        // the integers: E, T, U, u, pu, lastUpdateId
        i = readUint(text, i);
        if (key === K_TIME) out.eventMs = uint;
        else if (key === K_FIRST) out.first = uint;
        else if (key === K_FINAL) out.final = uint;
        else if (key === K_PREV) out.pu = uint;
        else if (key === K_LAST_ID) out.lastUpdateId = uint;
    }
    if (i < 0) return -1;
    const c = text.charCodeAt(i);
    if (c === RBRACE) break;
    if (c !== COMMA) return -1;
    i++;
  }
  return (seen & required) === required ? i + 1 : -1;
}

/** The bit of the key text[start, end), 0 for a key the scanner does not take. */
function keyBit(text: string, start: number, end: number): number {
  const c = text.charCodeAt(start);
  switch (end - start) {
    case 1:
      switch (c) {
        case 101 /* e */:
          return K_TYPE;
        case 69 /* E */:
          return K_TIME;
        case 84 /* T */:
          return K_TRANSACT;
        case 115 /* s */:
          return K_SYMBOL;
        case 85 /* U */:
          return K_FIRST;
        case 117 /* u */:
          return K_FINAL;
        case 98 /* b */:
          return K_B;
        case 97 /* a */:
          return K_A;
        default:
          return 0;
      }
    case 2:
      return c === 112 /* p */ && text.charCodeAt(start + 1) === 117 /* u */ ? K_PREV : 0;
    case 4:
      return startsAt(text, start, 'bids') ? K_BIDS : startsAt(text, start, 'asks') ? K_ASKS : 0;
    case 12:
      return startsAt(text, start, 'lastUpdateId') ? K_LAST_ID : 0;
    default:
      return 0;
  }
}

/**
 * `[["p","q"],…]` → `list` (prices on the price grid as safe integers, sizes on the lot grid, >= 0: the
 * JSON.parse path's acceptance exactly); the index after the closing ']', or -1.
 */
function scanLevels(text: string, i: number, readers: DepthReaders, list: ScannedLevels): number {
  if (text.charCodeAt(i) !== LBRACKET) return -1;
  list.count = 0;
  i++;
  if (text.charCodeAt(i) === RBRACKET) return i + 1;
  const price = readers.price;
  const size = readers.size;
  for (;;) {
    if (text.charCodeAt(i) !== LBRACKET || text.charCodeAt(i + 1) !== QUOTE) return -1;
    const p = price.read(text, i + 2);
    if (!Number.isSafeInteger(p)) return -1;
    i = price.end;
    if (text.charCodeAt(i) !== QUOTE || text.charCodeAt(i + 1) !== COMMA || text.charCodeAt(i + 2) !== QUOTE) return -1;
    const q = size.read(text, i + 3);
    if (!(q >= 0)) return -1;
    i = size.end;
    if (text.charCodeAt(i) !== QUOTE || text.charCodeAt(i + 1) !== RBRACKET) return -1;
    list.push(p, q);
    i += 2;
    const c = text.charCodeAt(i);
    if (c === RBRACKET) return i + 1;
    if (c !== COMMA) return -1;
    i++;
  }
}

/**
 * A JSON integer without sign, fraction, exponent or leading zero, at most 15 digits (so the value is
 * exact, as JSON.parse's) → `uint`; the index after it, or -1. The caller checks what follows.
 */
function readUint(text: string, i: number): number {
  const start = i;
  let c = text.charCodeAt(i);
  if (c === 48) {
    uint = 0;
    return i + 1;
  }
  let value = 0;
  while (c >= 48 && c <= 57) {
    value = value * 10 + (c - 48);
    c = text.charCodeAt(++i);
  }
  if (i === start || i - start > 15) return -1;
  uint = value;
  return i;
}

/** `"literal"` at `i` (a plain string: no escapes, quotes or control characters); the index after it, or -1. */
function literalString(text: string, i: number, literal: string): number {
  const m = literal.length;
  if (text.charCodeAt(i) !== QUOTE || text.charCodeAt(i + m + 1) !== QUOTE) return -1;
  for (let k = 0; k < m; k++) {
    const c = text.charCodeAt(i + 1 + k);
    if (c !== literal.charCodeAt(k) || c === QUOTE || c === BACKSLASH || c < 32) return -1;
  }
  return i + m + 2;
}

/** From just after an opening quote: the index of the closing quote of a string without escapes or control characters, or -1. */
function plainStringEnd(text: string, i: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

function startsAt(text: string, i: number, literal: string): boolean {
  if (i + literal.length > text.length) return false;
  for (let k = 0; k < literal.length; k++) if (text.charCodeAt(i + k) !== literal.charCodeAt(k)) return false;
  return true;
}
