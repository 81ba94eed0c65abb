/**
 * The Kraken adapter's incremental top-10 checksum (a cache that follows each level change, re-reads the
 * book only when it runs short, and joins the sides with CRC32 combine) against an independent reference:
 * the book kept as printed strings in Maps, sorted, truncated to the depth and CRC'd as one string. Random
 * message streams concentrated near the top (inserts, size changes, removals of cached and uncached
 * levels, two-part messages, levels beyond the cache, truncation to a shallow depth) must verify every
 * checksum; a wrong `c` must still be caught.
 */
import { describe, expect, it } from 'vitest';
import { createAdapter, crc32Ascii, knownInstrument } from '../../../../src/main/market/adapters/index.js';
import { crc32Combine } from '../../../../src/main/market/adapters/kraken/top-crc.js';
import { mulberry32 as rng } from '../../../support/prng.js';

/** Deterministic PRNG (mulberry32). */

const strip = (s: string): string => s.replace('.', '').replace(/^0+/, '');

class Reference {
  readonly asks = new Map<string, string>();
  readonly bids = new Map<string, string>();
  constructor(private readonly depth: number) {}

  apply(side: 'a' | 'b', price: string, volume: string): void {
    const map = side === 'a' ? this.asks : this.bids;
    if (Number(volume) === 0) map.delete(price);
    else map.set(price, volume);
  }

  sorted(side: 'a' | 'b'): string[] {
    const map = side === 'a' ? this.asks : this.bids;
    return [...map.keys()].sort((x, y) => (side === 'a' ? Number(x) - Number(y) : Number(y) - Number(x)));
  }

  truncate(): void {
    for (const side of ['a', 'b'] as const) {
      const map = side === 'a' ? this.asks : this.bids;
      for (const p of this.sorted(side).slice(this.depth)) map.delete(p);
    }
  }

  checksum(): string {
    let text = '';
    for (const side of ['a', 'b'] as const) {
      const map = side === 'a' ? this.asks : this.bids;
      for (const p of this.sorted(side).slice(0, 10)) text += strip(p) + strip(map.get(p)!);
    }
    return String(crc32Ascii(text));
  }
}

function run(seed: number, depth: number, messages: number): { verified: number; failures: number; trusted: boolean } {
  const random = rng(seed);
  const instrument = knownInstrument('kraken', 'XBT/CHF')!; // tick 0.1 printed with 5 decimals, volumes with 8
  const adapter = createAdapter('kraken', instrument);
  const ref = new Reference(depth);
  const price = (ticks: number): string => (ticks / 10).toFixed(5);
  const vol8 = (): string => ((random() < 0.1 ? Math.floor(random() * 50) + 1 : Math.floor(random() * 5e8) + 1) / 1e8).toFixed(8);
  // asks from 5000 ticks up, bids from 4999 down: never crossed
  const level = (side: 'a' | 'b'): [string, string, string] => {
    const spread = random() < 0.7 ? 25 : 400;
    const off = Math.floor(random() * random() * spread);
    const ticks = side === 'a' ? 5000 + off : 4999 - off;
    const p = price(ticks);
    const map = side === 'a' ? ref.asks : ref.bids;
    const remove = map.has(p) ? random() < 0.5 : random() < 0.05; // sometimes a removal of an absent level
    return [p, remove ? '0.00000000' : vol8(), '1618678117.243818'];
  };
  const snapshot: { as: string[][]; bs: string[][] } = { as: [], bs: [] };
  for (const side of ['a', 'b'] as const) {
    for (let i = 0; i < 60; i++) {
      const [p, v] = level(side);
      if (Number(v) === 0) continue;
      ref.apply(side, p, v);
    }
    ref.truncate();
    for (const p of ref.sorted(side)) (side === 'a' ? snapshot.as : snapshot.bs).push([p, (side === 'a' ? ref.asks : ref.bids).get(p)!, '1618678100.000000']);
  }
  adapter.onMessage('ws', [1, snapshot, `book-${depth}`, 'XBT/CHF'], 1);
  let verified = 0;
  for (let m = 0; m < messages; m++) {
    const parts: Record<string, unknown>[] = [];
    const nParts = random() < 0.1 ? 2 : 1;
    for (let k = 0; k < nParts; k++) {
      const part: Record<string, unknown> = {};
      for (const side of ['a', 'b'] as const) {
        if (random() < 0.5 && !(side === 'b' && part['a'] === undefined && random() < 0.3)) continue;
        const levels: string[][] = [];
        const n = 1 + Math.floor(random() * random() * 6);
        for (let i = 0; i < n; i++) {
          const l = level(side);
          ref.apply(side, l[0], l[1]);
          levels.push(l);
        }
        part[side] = levels;
      }
      parts.push(part);
    }
    ref.truncate();
    parts[parts.length - 1]!['c'] = ref.checksum();
    adapter.onMessage('ws', [1, ...parts, `book-${depth}`, 'XBT/CHF'], 2 + m);
    verified++;
  }
  return { verified, failures: adapter.counters.checksumFailures, trusted: adapter.trusted() };
}

describe('Kraken incremental checksum', () => {
  for (const [seed, depth] of [
    [1, 1000],
    [2, 25],
    [3, 10],
    [4, 100],
  ] as const) {
    it(`agrees with an independent string CRC on every message (seed ${seed}, depth ${depth})`, () => {
      const r = run(seed, depth, 1500);
      expect(r.verified).toBe(1500);
      expect(r.failures).toBe(0);
      expect(r.trusted).toBe(true);
    });
  }

  it('still catches a wrong checksum', () => {
    const instrument = knownInstrument('kraken', 'XBT/CHF')!;
    const a = createAdapter('kraken', instrument);
    a.onMessage('ws', [1, { as: [['5000.00000', '1.00000000', '1']], bs: [['4999.00000', '1.00000000', '1']] }, 'book-10', 'XBT/CHF'], 1);
    const good = String(crc32Ascii(strip('5000.00000') + strip('1.00000000') + strip('4999.00000') + strip('1.00000000')));
    a.onMessage('ws', [1, { a: [['5000.00000', '1.00000000', '2']], c: good }, 'book-10', 'XBT/CHF'], 2);
    expect(a.counters.checksumFailures).toBe(0);
    a.onMessage('ws', [1, { b: [['4999.00000', '2.00000000', '3']], c: good }, 'book-10', 'XBT/CHF'], 3);
    expect(a.counters.checksumFailures).toBe(1);
    expect(a.trusted()).toBe(false);
  });

  it('crc32Combine joins two CRCs as one CRC of the concatenation', () => {
    for (const [x, y] of [
      ['', ''],
      ['123', ''],
      ['', '456'],
      ['5621830000150000', '56218200001200000000'],
    ] as const) {
      expect(crc32Combine(crc32Ascii(x), crc32Ascii(y), y.length)).toBe(crc32Ascii(x + y));
    }
  });
});
