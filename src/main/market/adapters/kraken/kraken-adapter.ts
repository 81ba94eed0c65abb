/**
 * Kraken WebSocket v1 adapter: `book` (snapshot `as`/`bs`, updates `a`/`b` possibly in two objects of one
 * message, republished levels marked "r") and `trade`.
 *
 * Rules (../shared/reference/book-rules.md): apply entries in array order, volume 0 removes; after the whole
 * message truncate each side to the subscribed depth (levels falling out of scope are not deleted for us);
 * then verify the CRC32 checksum `c` of the 10 best asks then the 10 best bids, each price and volume as
 * the venue prints them with the '.' removed and leading zeros stripped. The printed decimals are fixed per
 * pair and are learned from the snapshot's strings, so the check is computed from integer ticks and lots
 * without building strings. A mismatch or a crossed book → untrusted at once, `resubscribe` requested; the
 * book is maintained best-effort until the next snapshot re-trusts it. Kraken has no sequence numbers: the
 * checksum is its gap detector. Trades: side 'b' = the buyer was the aggressor. Pure: no I/O.
 */
import type { Instrument, LocalUs } from '../../../../shared/units.js';
import { BaseAdapter, isRecord } from '../base.js';
import type { AdapterOptions } from '../base.js';

// Int32Array keeps every CRC step in small-integer arithmetic (a Uint32Array would box values >= 2^31).
const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC32 (IEEE) of a string's char codes (ASCII), for tests and tools. */
export function crc32Ascii(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const CHECK_LEVELS = 10;
const DEFAULT_DEPTH = 1000;
const DIGITS_PER_SLOT = 24;

export class KrakenAdapter extends BaseAdapter {
  private readonly explicitDepth: number | undefined;
  private depth = DEFAULT_DEPTH;
  private haveBook = false;
  /** Decimals the venue prints for prices and volumes (learned from the snapshot). */
  private pricePrintFactor = 1;
  private sizePrintFactor = 1;
  private readonly topPrices = new Float64Array(CHECK_LEVELS);
  private readonly topSizes = new Float64Array(CHECK_LEVELS);
  private readonly digitCache = new Uint8Array(CHECK_LEVELS * 4 * DIGITS_PER_SLOT);
  private readonly digitLen = new Uint8Array(CHECK_LEVELS * 4);
  private readonly digitValue = new Float64Array(CHECK_LEVELS * 4).fill(-1);
  private readonly slotCrc = new Int32Array(CHECK_LEVELS * 4);
  private maxLevelUs = 0;

  constructor(instrument: Instrument, options: AdapterOptions = {}) {
    super('kraken', instrument, options);
    this.explicitDepth = options.depth;
    if (options.depth !== undefined) this.depth = options.depth;
    this.learnPrintDecimals(instrument.priceDecimals, 8);
  }

  protected resetState(): void {
    this.haveBook = false;
  }

  private learnPrintDecimals(priceDecimals: number, sizeDecimals: number): void {
    this.pricePrintFactor = 10 ** (priceDecimals - this.priceGrid.decimals) * this.priceGrid.unitsPerStep;
    this.sizePrintFactor = 10 ** (sizeDecimals - this.sizeGrid.decimals) * this.sizeGrid.unitsPerStep;
  }

  protected handle(_kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    if (!Array.isArray(msg)) {
      if (isRecord(msg)) {
        // heartbeat, systemStatus, subscriptionStatus, pong
        if (msg['event'] === 'subscriptionStatus' && msg['status'] === 'error') {
          this.emit({ type: 'error', localUs, detail: `kraken subscription error: ${String(msg['errorMessage'])}` });
        }
        this.counters.dropped++;
        return false;
      }
      this.malformed(localUs, 'message is neither an array nor an object', true);
      return false;
    }
    const n = msg.length;
    const name: unknown = msg[n - 2];
    if (n < 4 || typeof name !== 'string') {
      this.malformed(localUs, 'channel message without channel name and pair', true);
      return false;
    }
    if (msg[n - 1] !== this.instrument.symbol) {
      this.counters.dropped++;
      return false;
    }
    if (name.startsWith('book')) return this.onBook(msg, n, name, localUs);
    if (name === 'trade') {
      this.onTrades(msg[1], localUs);
      return false;
    }
    this.counters.dropped++;
    return false;
  }

  private levelTime(levels: unknown[]): void {
    // the newest level timestamp stamps the message (seconds with µs decimals)
    for (let i = 0; i < levels.length; i++) {
      const level: unknown = levels[i];
      if (Array.isArray(level) && typeof level[2] === 'string') {
        const us = Number.parseFloat(level[2]) * 1_000_000;
        if (us > this.maxLevelUs) this.maxLevelUs = us;
      }
    }
  }

  private onBook(msg: unknown[], n: number, name: string, localUs: LocalUs): boolean {
    const first: unknown = msg[1];
    if (!isRecord(first)) {
      this.malformed(localUs, 'book message without a payload object', true);
      return false;
    }
    this.maxLevelUs = 0;
    if (first['as'] !== undefined || first['bs'] !== undefined) return this.onSnapshot(first, name, localUs);
    if (!this.haveBook) {
      this.counters.dropped++;
      return false;
    }
    let checksum: unknown = undefined;
    for (let i = 1; i < n - 2; i++) {
      const part: unknown = msg[i];
      if (!isRecord(part)) {
        this.malformed(localUs, 'book update part is not an object', true);
        return true;
      }
      const a = part['a'];
      const b = part['b'];
      if (a !== undefined) {
        if (!this.applyLevels('ask', a)) {
          this.malformed(localUs, 'book update has a malformed ask', true);
          return true;
        }
        this.levelTime(a as unknown[]);
      }
      if (b !== undefined) {
        if (!this.applyLevels('bid', b)) {
          this.malformed(localUs, 'book update has a malformed bid', true);
          return true;
        }
        this.levelTime(b as unknown[]);
      }
      if (part['c'] !== undefined) checksum = part['c'];
    }
    if (this.maxLevelUs > 0) this.stamp(this.maxLevelUs, localUs);
    this.book.truncate('ask', this.depth);
    this.book.truncate('bid', this.depth);
    this.counters.applied++;
    if (typeof checksum === 'string') {
      const expected = Number.parseInt(checksum, 10);
      const actual = this.checksum();
      if (expected !== actual) {
        this.counters.checksumFailures++;
        this.untrust('checksum', `checksum ${actual} != venue ${checksum}`, localUs);
        this.checkCrossed(localUs);
        return true;
      }
    } else if (checksum !== undefined) {
      this.malformed(localUs, 'checksum is not a string', true);
      return true;
    }
    this.checkCrossed(localUs);
    return true;
  }

  private onSnapshot(payload: Record<string, unknown>, name: string, localUs: LocalUs): boolean {
    const asks = payload['as'];
    const bids = payload['bs'];
    if (!Array.isArray(asks) || !Array.isArray(bids)) {
      this.malformed(localUs, 'book snapshot without as/bs arrays', true);
      return false;
    }
    if (this.explicitDepth === undefined) {
      const dash = name.indexOf('-');
      const parsed = dash > 0 ? Number.parseInt(name.slice(dash + 1), 10) : Number.NaN;
      if (parsed > 0) this.depth = parsed;
    }
    const sample = (asks[0] ?? bids[0]) as unknown;
    if (Array.isArray(sample) && typeof sample[0] === 'string' && typeof sample[1] === 'string') {
      this.learnPrintDecimals(printedDecimals(sample[0]), printedDecimals(sample[1]));
    }
    this.book.clear();
    if (!this.applyLevels('ask', asks) || !this.applyLevels('bid', bids)) {
      this.book.clear();
      this.haveBook = false;
      this.malformed(localUs, 'book snapshot has a malformed level', true);
      return true;
    }
    // why: snapshot levels carry the time each level last changed (minutes old): no latency from them
    this.book.truncate('ask', this.depth);
    this.book.truncate('bid', this.depth);
    this.haveBook = true;
    this.counters.applied++;
    this.retrust(localUs);
    this.checkCrossed(localUs);
    return true;
  }

  /**
   * CRC32 of the top 10 asks then bids, as Kraken prints them, computed from integers. The 40 values
   * (price and volume of 10 asks then 10 bids; NaN for an absent level) are cached with their digits and the
   * CRC state after each: the unchanged prefix since the last message is skipped, and unchanged values reuse
   * their digits, so a typical update costs a fraction of a full CRC.
   */
  checksum(): number {
    let crc = -1;
    let prefix = true;
    const values = this.digitValue;
    for (let s = 0; s < 2; s++) {
      const count = this.book.top(s === 0 ? 'ask' : 'bid', CHECK_LEVELS, this.topPrices, this.topSizes);
      for (let i = 0; i < CHECK_LEVELS; i++) {
        for (let pv = 0; pv < 2; pv++) {
          const slot = (s * CHECK_LEVELS + i) * 2 + pv;
          const value = i >= count ? Number.NaN : pv === 0 ? this.topPrices[i]! * this.pricePrintFactor : this.topSizes[i]! * this.sizePrintFactor;
          const cached = values[slot]!;
          const same = value === cached || (value !== value && cached !== cached);
          if (prefix && same) {
            crc = this.slotCrc[slot]!;
            continue;
          }
          prefix = false;
          if (!same) this.cacheDigits(slot, value);
          crc = this.crcSlot(crc, slot);
          this.slotCrc[slot] = crc;
        }
      }
    }
    return (crc ^ -1) >>> 0;
  }

  private cacheDigits(slot: number, value: number): void {
    const digits = this.digitCache;
    const at = slot * DIGITS_PER_SLOT;
    let len = 0;
    if (value === value) {
      let v = Math.round(value);
      if (v === 0) digits[at + DIGITS_PER_SLOT - ++len] = 48;
      while (v > 0 && len < DIGITS_PER_SLOT) {
        const q = Math.floor(v / 10);
        digits[at + DIGITS_PER_SLOT - ++len] = 48 + (v - q * 10);
        v = q;
      }
    }
    this.digitValue[slot] = value;
    this.digitLen[slot] = len;
  }

  private crcSlot(crc: number, slot: number): number {
    const digits = this.digitCache;
    const end = (slot + 1) * DIGITS_PER_SLOT;
    for (let i = end - this.digitLen[slot]!; i < end; i++) crc = CRC_TABLE[(crc ^ digits[i]!) & 0xff]! ^ (crc >>> 8);
    return crc;
  }

  private onTrades(payload: unknown, localUs: LocalUs): void {
    if (!Array.isArray(payload)) {
      this.malformed(localUs, 'trade message without a trade array', false);
      return;
    }
    for (let i = 0; i < payload.length; i++) {
      const t: unknown = payload[i];
      if (!Array.isArray(t)) {
        this.malformed(localUs, 'trade entry is not an array', false);
        continue;
      }
      const exchUs = typeof t[2] === 'string' ? Number.parseFloat(t[2]) * 1_000_000 : Number.NaN;
      if (exchUs > 0) this.stamp(exchUs, localUs);
      const ok = this.deliverTrade(localUs, exchUs > 0 ? exchUs : null, t[0], t[1], t[3] === 'b' ? 'buy' : t[3] === 's' ? 'sell' : null);
      if (!ok) this.malformed(localUs, 'trade entry without a valid price/volume', false);
    }
  }
}

/** Digits after the point as printed (trailing zeros count: they are part of the checksum string). */
function printedDecimals(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}
