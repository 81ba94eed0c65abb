/**
 * Incremental CRC32 of Kraken's v1 book checksum string (the 10 best asks then the 10 best bids, price then
 * volume as printed, '.' removed, leading zeros stripped), computed from integer ticks and lots without
 * building strings. Each side caches its top 10 (prices, sizes), the printed digits of every level in a
 * physical slot (so a level that merely moves down after an insertion keeps its digits), and the CRC
 * state after each level. A side is recomputed only when the adapter marked it dirty (a change at or better
 * than its cached 10th level, a clear, a truncation below 10 levels), and then only from its first changed
 * level; the two sides' CRCs are joined with the zlib-style combine (multiplication by x^(8·len) mod P), so
 * an ask change never re-runs the bid bytes and vice versa. No allocation after construction. Pure.
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
/** Room for the digits of one value (safe integers have at most 16). */
const MAXD = 20;
const SLOT_BYTES = 2 * MAXD;

/** a(x)·b(x) mod P in CRC32's reflected bit order (zlib's multmodp). */
function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
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

/** Writes the decimal digits of a non-negative integer right-aligned ending at `end`; returns the count. */
function writeDigits(out: Uint8Array, end: number, value: number): number {
  let v = Math.round(value);
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

export class SideCrc {
  /** +1 bids (higher is better), -1 asks. */
  readonly dir: 1 | -1;
  readonly name: BookSideName;
  /** The side's top 10 may differ from the cache: recompute before the next checksum. */
  dirty = true;
  /** Cached top levels (ticks, lots), best first. */
  count = 0;
  readonly prices = new Float64Array(CHECK_LEVELS);
  readonly sizes = new Float64Array(CHECK_LEVELS);
  /** Physical digit slot of each cached level. */
  private readonly slotOf = new Int8Array(CHECK_LEVELS);
  private readonly digits = new Uint8Array(CHECK_LEVELS * SLOT_BYTES);
  private readonly priceLen = new Uint8Array(CHECK_LEVELS);
  private readonly sizeLen = new Uint8Array(CHECK_LEVELS);
  /** CRC register and byte count after each cached level. */
  private readonly crcAfter = new Int32Array(CHECK_LEVELS);
  private readonly lenAfter = new Int32Array(CHECK_LEVELS);
  /** Finalized CRC32 of this side's digits and their byte count. */
  crc = 0;
  length = 0;
  // scratch
  private readonly newPrices = new Float64Array(CHECK_LEVELS);
  private readonly newSizes = new Float64Array(CHECK_LEVELS);
  private readonly newSlot = new Int8Array(CHECK_LEVELS);
  private readonly sizeSame = new Uint8Array(CHECK_LEVELS);
  private readonly slotUsed = new Uint8Array(CHECK_LEVELS);

  constructor(name: BookSideName) {
    this.name = name;
    this.dir = name === 'bid' ? 1 : -1;
  }

  /** True when a change at `price` could alter this side's top 10 as cached. */
  touches(price: number): boolean {
    if (this.count < CHECK_LEVELS) return true;
    const tenth = this.prices[CHECK_LEVELS - 1]!;
    return this.dir === 1 ? price >= tenth : price <= tenth;
  }

  /** Forgets every cached level (print decimals changed, or a full recomputation is wanted). */
  invalidate(): void {
    this.count = 0;
    this.dirty = true;
  }

  /** Brings the cache up to date with the book; `priceFactor`/`sizeFactor` scale ticks/lots to printed integers. */
  update(book: OrderBook, priceFactor: number, sizeFactor: number): void {
    this.dirty = false;
    const np = this.newPrices;
    const ns = this.newSizes;
    const n = book.top(this.name, CHECK_LEVELS, np, ns);
    const prices = this.prices;
    const sizes = this.sizes;
    const old = this.count;
    const m = n < old ? n : old;
    let k = 0;
    while (k < m && np[k] === prices[k] && ns[k] === sizes[k]) k++;
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
        this.priceLen[slot] = writeDigits(digits, slot * SLOT_BYTES + MAXD, np[i]! * priceFactor);
        this.sizeLen[slot] = writeDigits(digits, slot * SLOT_BYTES + SLOT_BYTES, ns[i]! * sizeFactor);
      } else if (this.sizeSame[i] === 0) {
        this.sizeLen[slot] = writeDigits(digits, slot * SLOT_BYTES + SLOT_BYTES, ns[i]! * sizeFactor);
      }
      slotOf[i] = slot;
      prices[i] = np[i]!;
      sizes[i] = ns[i]!;
    }
    this.count = n;
    let crc = k > 0 ? this.crcAfter[k - 1]! : -1;
    let len = k > 0 ? this.lenAfter[k - 1]! : 0;
    for (let i = k; i < n; i++) {
      const base = slotOf[i]! * SLOT_BYTES;
      const pl = this.priceLen[slotOf[i]!]!;
      const sl = this.sizeLen[slotOf[i]!]!;
      for (let b = base + MAXD - pl, e = base + MAXD; b < e; b++) crc = CRC_TABLE[(crc ^ digits[b]!) & 0xff]! ^ (crc >>> 8);
      for (let b = base + SLOT_BYTES - sl, e = base + SLOT_BYTES; b < e; b++) crc = CRC_TABLE[(crc ^ digits[b]!) & 0xff]! ^ (crc >>> 8);
      len += pl + sl;
      this.crcAfter[i] = crc;
      this.lenAfter[i] = len;
    }
    this.crc = (crc ^ -1) >>> 0;
    this.length = len;
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

  markDirty(): void {
    this.asks.dirty = true;
    this.bids.dirty = true;
  }

  checksum(book: OrderBook, priceFactor: number, sizeFactor: number): number {
    if (this.asks.dirty) this.asks.update(book, priceFactor, sizeFactor);
    if (this.bids.dirty) this.bids.update(book, priceFactor, sizeFactor);
    return crc32Combine(this.asks.crc, this.bids.crc, this.bids.length);
  }
}
