/**
 * Incremental CRC32 of Kraken's v1 book checksum string (the 10 best asks then the 10 best bids, price then
 * volume as printed, '.' removed, leading zeros stripped). Each side mirrors the adapter's level changes into
 * a cache of its best 16 levels (prices, sizes, and the printed digits copied from the message's strings
 * into a fixed physical slot per level, so a level that moves down keeps its digits), the CRC of each
 * slot's own digits, and the CRC after each of the first 10 levels. After a message only a changed slot's
 * digits are re-CRC'd (slicing-by-4 over word-aligned digits); from the first changed level on, each level
 * is joined to the prefix with the zlib-style combine (multiplication by x^(8·len) mod P, four table
 * lookups per level), and the two sides are joined the same way. The book is read back (top 16) only after a
 * clear/snapshot, a truncation into the cached levels, or when removals leave fewer than 10 known levels;
 * digits then come from integers. No allocation after construction. Pure.
 */
import type { BookSideName, OrderBook } from '../../types.js';

// Int32Array keeps every CRC step in small-integer arithmetic (a Uint32Array would box values >= 2^31).
const POLY = 0xedb88320;
export const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export const CHECK_LEVELS = 10;
/**
 * Levels each side caches: a few beyond the checksummed 10, so that a top level's removal moves the 11th
 * up without reading the book (re-read only when the known levels run short).
 */
export const CACHE_LEVELS = 16;
/** Room for the digits of one value (safe integers have at most 16). */
const MAXD = 20;
const SLOT_BYTES = 2 * MAXD;

/** Slicing-by-4 tables: SLICE_k[n] = CRC of byte n followed by k zero bytes. */
const [SLICE1, SLICE2, SLICE3] = (() => {
  const next = (prev: Int32Array): Int32Array => {
    const t = new Int32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ CRC_TABLE[prev[n]! & 0xff]!;
    return t;
  };
  const t1 = next(CRC_TABLE);
  const t2 = next(t1);
  return [t1, t2, next(t2)] as const;
})();

/** Words are read from the digit buffer little-endian first; a big-endian host runs byte by byte. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** a(x)·b(x) mod P in CRC32's reflected bit order (zlib's multmodp), branch-free. */
function multmodp(a: number, b: number): number {
  let p = 0;
  for (let k = 31; k >= 0; k--) {
    p ^= b & -((a >>> k) & 1);
    b = (b >>> 1) ^ (POLY & -(b & 1));
  }
  return p;
}

/** X8N[n] = x^(8n) mod P: the operator that appends n zero bytes, for CRC combination. */
const X8N = (() => {
  const max = CHECK_LEVELS * SLOT_BYTES;
  const table = new Int32Array(max + 1);
  table[0] = 0x80000000 | 0; // x^0
  for (let n = 1; n <= max; n++) table[n] = multmodp(table[n - 1]!, 0x00800000 /* x^8 */);
  return table;
})();

/** crc32(A ‖ B) from crc32(A), crc32(B) and the length of B (finalized, unsigned CRCs). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(X8N[lengthB]!, crcA) ^ crcB) >>> 0;
}

/**
 * The same combine with four byte lookups instead of 32 multiply steps: multiplication by x^(8·len) is
 * linear over GF(2), so SHIFT_TABLES[len] holds, for each byte position of crc(A), the product of all 256
 * byte values. Built on first use of each length (about 1,100 operations, 4 KiB, shared by every adapter
 * of the process; at most CHECK_LEVELS·SLOT_BYTES + 1 of them).
 */
const SHIFT_TABLES: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(CHECK_LEVELS * SLOT_BYTES + 1).fill(undefined);

function shiftTable(lengthB: number): Int32Array {
  const cached = SHIFT_TABLES[lengthB];
  if (cached !== undefined) return cached;
  const op = X8N[lengthB]!;
  const table = new Int32Array(1024);
  for (let byte = 0; byte < 4; byte++) {
    const t = byte << 8;
    for (let bit = 0; bit < 8; bit++) table[t + (1 << bit)] = multmodp(op, (1 << (byte * 8 + bit)) | 0);
    for (let v = 3; v < 256; v++) if ((v & (v - 1)) !== 0) table[t + v] = table[t + (v & (v - 1))]! ^ table[t + (v & -v)]!;
  }
  SHIFT_TABLES[lengthB] = table;
  return table;
}

export function crc32CombineFast(crcA: number, crcB: number, lengthB: number): number {
  const t = shiftTable(lengthB);
  return (t[crcA & 0xff]! ^ t[256 + ((crcA >>> 8) & 0xff)]! ^ t[512 + ((crcA >>> 16) & 0xff)]! ^ t[768 + (crcA >>> 24)]! ^ crcB) >>> 0;
}

/**
 * The combine tables for one level's byte count (0..2·MAXD) laid out flat, built at load (41 × 4 KiB):
 * LEVEL_SHIFT[(len << 10) + 256·k + v] = shiftTable(len)[256·k + v]. A level is joined to the CRC of the
 * levels before it with four lookups, so a change re-CRCs only its own level's digits.
 */
const LEVEL_SHIFT = (() => {
  const flat = new Int32Array((SLOT_BYTES + 1) * 1024);
  for (let len = 0; len <= SLOT_BYTES; len++) flat.set(shiftTable(len), len << 10);
  return flat;
})();

/** Writes the decimal digits of a non-negative integer starting at `start` (rare path); returns the count. */
function writeDigits(out: Uint8Array, start: number, value: number): number {
  let v = Math.round(value);
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  const end = start + digits;
  let at = end;
  if (v === 0) out[--at] = 48;
  while (v >= 0x80000000) {
    const q = Math.floor(v / 10);
    out[--at] = 48 + (v - q * 10);
    v = q;
  }
  let x = v | 0;
  while (x > 0) {
    const q = (x / 10) | 0;
    out[--at] = 48 + (x - q * 10);
    x = q;
  }
  return end - at;
}

/**
 * Copies the printed digits of the decimal text[start, end) ('.' removed, leading zeros stripped) to `out`
 * at `at`; returns the count. The text was validated by the decimal parser before.
 */
function copyDigits(out: Uint8Array, at: number, text: string, start: number, end: number): number {
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 48 && c !== 46) break;
  }
  let w = at;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 46) out[w++] = c;
  }
  return w - at;
}

export class SideCrc {
  /** +1 bids (higher is better), -1 asks. */
  readonly dir: 1 | -1;
  readonly name: BookSideName;
  /**
   * The cache no longer mirrors the book's top 10 (a clear, a snapshot, a top level removed from a full
   * cache, a truncation into the top 10): rebuild it from the book before the next checksum.
   */
  rebuild = true;
  /** Index of the first cached level that changed since the CRC was last run (CHECK_LEVELS: none). */
  private firstDirty = 0;
  /**
   * Cached top levels (ticks, lots), best first: while !rebuild, the book's best `count` levels, and all of
   * them when `complete`; an incomplete cache always knows at least the 10 checksummed levels.
   */
  count = 0;
  complete = false;
  readonly prices = new Float64Array(CACHE_LEVELS);
  readonly sizes = new Float64Array(CACHE_LEVELS);
  /** Physical digit slot of each cached level; a slot holds the price digits then the volume digits. */
  private readonly slotOf = new Int8Array(CACHE_LEVELS);
  private readonly digits = new Uint8Array(CACHE_LEVELS * SLOT_BYTES);
  /** The same bytes as little-endian words (every value starts on a word boundary). */
  private readonly words = new Int32Array(this.digits.buffer);
  private readonly priceLen = new Uint8Array(CACHE_LEVELS);
  private readonly sizeLen = new Uint8Array(CACHE_LEVELS);
  /** Finalized CRC32 (as int32) of each slot's digits (price then volume); stale while slotDirty. */
  private readonly slotCrc = new Int32Array(CACHE_LEVELS);
  private readonly slotDirty = new Uint8Array(CACHE_LEVELS).fill(1);
  /** Finalized CRC (as int32) and byte count of the side's digits up to each cached level. */
  private readonly crcAfter = new Int32Array(CHECK_LEVELS);
  private readonly lenAfter = new Int32Array(CHECK_LEVELS);
  /** Finalized CRC32 of this side's digits and their byte count. */
  crc = 0;
  length = 0;
  // scratch for rebuilds
  private readonly newPrices = new Float64Array(CACHE_LEVELS);
  private readonly newSizes = new Float64Array(CACHE_LEVELS);
  private readonly newSlot = new Int8Array(CACHE_LEVELS);
  private readonly sizeSame = new Uint8Array(CACHE_LEVELS);
  private readonly slotUsed = new Uint8Array(CACHE_LEVELS);

  constructor(name: BookSideName) {
    this.name = name;
    this.dir = name === 'bid' ? 1 : -1;
    for (let i = 0; i < CACHE_LEVELS; i++) this.slotOf[i] = i;
  }

  /** Forgets every cached level (print decimals changed, a clear, or a full recomputation is wanted). */
  invalidate(): void {
    this.count = 0;
    this.rebuild = true;
  }

  /**
   * Mirrors one level change the book has just applied (`q` = 0 removes), with the venue's printed
   * strings, so the cache follows the book without reading it back.
   */
  apply(p: number, q: number, priceText: string, sizeText: string): void {
    this.applyAt(p, q, priceText, 0, priceText.length, sizeText, 0, sizeText.length);
  }

  /** apply() with the printed price at priceText[ps, pe) and the volume at sizeText[vs, ve). */
  applyAt(p: number, q: number, priceText: string, ps: number, pe: number, sizeText: string, vs: number, ve: number): void {
    if (this.rebuild) return;
    if (pe - ps > MAXD || ve - vs > MAXD) {
      // why: an exotic over-long print ("0.0100000000000000000000") would not fit a digit slot
      this.rebuild = true;
      return;
    }
    const count = this.count;
    const prices = this.prices;
    const dir = this.dir;
    let i = 0;
    while (i < count && (prices[i]! - p) * dir > 0) i++;
    const slotOf = this.slotOf;
    if (i < count && prices[i] === p) {
      if (q === 0) {
        const slot = slotOf[i]!;
        for (let j = i + 1; j < count; j++) {
          prices[j - 1] = prices[j]!;
          this.sizes[j - 1] = this.sizes[j]!;
          slotOf[j - 1] = slotOf[j]!;
        }
        slotOf[count - 1] = slot;
        this.count = count - 1;
        if (!this.complete && count - 1 < CHECK_LEVELS) {
          // the next level up is beyond what the cache knows: only the book has it
          if (i < this.firstDirty) this.firstDirty = i;
          this.rebuild = true;
          return;
        }
      } else {
        if (this.sizes[i] === q) return;
        this.sizes[i] = q;
        const slot = slotOf[i]!;
        this.sizeLen[slot] = copyDigits(this.digits, slot * SLOT_BYTES + MAXD, sizeText, vs, ve);
        this.slotDirty[slot] = 1;
      }
    } else {
      if (q === 0) return; // not in the book (or beyond the cache)
      if (i === count && (!this.complete || count === CACHE_LEVELS)) {
        // beyond the cached levels: not in the top 10
        if (count === CACHE_LEVELS) this.complete = false;
        return;
      }
      const full = count === CACHE_LEVELS;
      const last = full ? count - 1 : count;
      const slot = slotOf[last]!; // a free slot, or the last cached level's that falls out
      for (let j = last; j > i; j--) {
        prices[j] = prices[j - 1]!;
        this.sizes[j] = this.sizes[j - 1]!;
        slotOf[j] = slotOf[j - 1]!;
      }
      prices[i] = p;
      this.sizes[i] = q;
      slotOf[i] = slot;
      const base = slot * SLOT_BYTES;
      this.priceLen[slot] = copyDigits(this.digits, base, priceText, ps, pe);
      this.sizeLen[slot] = copyDigits(this.digits, base + MAXD, sizeText, vs, ve);
      this.slotDirty[slot] = 1;
      if (full) this.complete = false;
      else this.count = count + 1;
    }
    if (i < this.firstDirty) this.firstDirty = i;
  }

  /** Brings the side's CRC up to date; `priceFactor`/`sizeFactor` scale ticks/lots to printed integers. */
  update(book: OrderBook, priceFactor: number, sizeFactor: number): void {
    if (this.rebuild) this.rebuildFrom(book, priceFactor, sizeFactor);
    const k = this.firstDirty;
    const n = this.count < CHECK_LEVELS ? this.count : CHECK_LEVELS;
    if (k >= CHECK_LEVELS) return;
    this.firstDirty = CHECK_LEVELS;
    // finalized CRCs (as int32): the prefix up to level i joined with level i's own CRC by one table combine
    let crc = k > 0 ? this.crcAfter[k - 1]! : 0;
    let len = k > 0 ? this.lenAfter[k - 1]! : 0;
    const slotOf = this.slotOf;
    const slotCrc = this.slotCrc;
    const slotDirty = this.slotDirty;
    for (let i = k; i < n; i++) {
      const slot = slotOf[i]!;
      const pl = this.priceLen[slot]!;
      const sl = this.sizeLen[slot]!;
      if (slotDirty[slot] === 1) {
        slotDirty[slot] = 0;
        slotCrc[slot] = this.run(this.run(-1, slot * SLOT_BYTES, pl), slot * SLOT_BYTES + MAXD, sl) ^ -1;
      }
      const l = pl + sl;
      const t = l << 10;
      crc =
        LEVEL_SHIFT[t + (crc & 0xff)]! ^
        LEVEL_SHIFT[t + 256 + ((crc >>> 8) & 0xff)]! ^
        LEVEL_SHIFT[t + 512 + ((crc >>> 16) & 0xff)]! ^
        LEVEL_SHIFT[t + 768 + (crc >>> 24)]! ^
        slotCrc[slot]!;
      len += l;
      this.crcAfter[i] = crc;
      this.lenAfter[i] = len;
    }
    this.crc = crc >>> 0;
    this.length = len;
  }

  /** CRC register after `len` digit bytes from the word-aligned offset `at`: four bytes per step. */
  private run(crc: number, at: number, len: number): number {
    const digits = this.digits;
    let b = at;
    if (LITTLE_ENDIAN) {
      const words = this.words;
      const whole = at + (len & ~3);
      for (; b < whole; b += 4) {
        crc ^= words[b >>> 2]!;
        crc = SLICE3[crc & 0xff]! ^ SLICE2[(crc >>> 8) & 0xff]! ^ SLICE1[(crc >>> 16) & 0xff]! ^ CRC_TABLE[crc >>> 24]!;
      }
    }
    for (const e = at + len; b < e; b++) crc = CRC_TABLE[(crc ^ digits[b]!) & 0xff]! ^ (crc >>> 8);
    return crc;
  }

  /** Re-reads the top 10 from the book; levels still present keep their digits (and the CRC prefix). */
  private rebuildFrom(book: OrderBook, priceFactor: number, sizeFactor: number): void {
    this.rebuild = false;
    const np = this.newPrices;
    const ns = this.newSizes;
    const n = book.top(this.name, CACHE_LEVELS, np, ns);
    this.complete = n < CACHE_LEVELS;
    const prices = this.prices;
    const sizes = this.sizes;
    const old = this.count;
    const m = n < old ? n : old;
    let k = 0;
    while (k < m && np[k] === prices[k] && ns[k] === sizes[k]) k++;
    if (k < this.firstDirty) this.firstDirty = k;
    if (k === n && n === old) return;
    const slotOf = this.slotOf;
    const newSlot = this.newSlot;
    const used = this.slotUsed;
    used.fill(0);
    for (let i = 0; i < k; i++) used[slotOf[i]!] = 1;
    // match the new levels from k on with old levels of the same price (both lists are best first)
    let j = k;
    const dir = this.dir;
    for (let i = k; i < n; i++) {
      const p = np[i]!;
      while (j < old && (prices[j]! - p) * dir > 0) j++;
      if (j < old && prices[j] === p) {
        const slot = slotOf[j]!;
        newSlot[i] = slot;
        used[slot] = 1;
        this.sizeSame[i] = sizes[j] === ns[i] ? 1 : 0;
        j++;
      } else {
        newSlot[i] = -1;
      }
    }
    const digits = this.digits;
    let free = 0;
    for (let i = k; i < n; i++) {
      let slot = newSlot[i]!;
      if (slot < 0) {
        while (used[free] === 1) free++;
        slot = free;
        used[slot] = 1;
        this.priceLen[slot] = writeDigits(digits, slot * SLOT_BYTES, np[i]! * priceFactor);
        this.sizeSame[i] = 0;
      }
      if (this.sizeSame[i] === 0) {
        this.sizeLen[slot] = writeDigits(digits, slot * SLOT_BYTES + MAXD, ns[i]! * sizeFactor);
        this.slotDirty[slot] = 1;
      }
      newSlot[i] = slot;
    }
    for (let i = k; i < n; i++) {
      slotOf[i] = newSlot[i]!;
      prices[i] = np[i]!;
      sizes[i] = ns[i]!;
    }
    // keep slotOf a permutation: the unused slots follow the cached levels
    let at = n;
    for (let s = 0; s < CACHE_LEVELS && at < CACHE_LEVELS; s++) if (used[s] === 0) slotOf[at++] = s;
    this.count = n;
  }
}

/** The whole checksum: asks then bids. */
export class TopCrc {
  readonly asks = new SideCrc('ask');
  readonly bids = new SideCrc('bid');

  invalidate(): void {
    this.asks.invalidate();
    this.bids.invalidate();
  }

  /** The book changed in a way the caches did not follow: re-read both tops from it. */
  markRebuild(): void {
    this.asks.rebuild = true;
    this.bids.rebuild = true;
  }

  checksum(book: OrderBook, priceFactor: number, sizeFactor: number): number {
    this.asks.update(book, priceFactor, sizeFactor);
    this.bids.update(book, priceFactor, sizeFactor);
    return crc32CombineFast(this.asks.crc, this.bids.crc, this.bids.length);
  }
}
