/**
 * PriceLevelBook against a plain Map-based reference: random operations (near the touch, far away, across
 * window re-centres, truncation) must leave both with the same levels, best prices, top N and imbalance.
 */
import { describe, expect, it } from 'vitest';
import { PriceLevelBook } from '../../../../src/main/market/book/order-book.js';
import type { BookSideName } from '../../../../src/main/market/types.js';
import { mulberry32 } from '../../../support/prng.js';

class ReferenceBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  side(s: BookSideName): Map<number, number> {
    return s === 'bid' ? this.bids : this.asks;
  }
  set(s: BookSideName, p: number, q: number): void {
    if (q === 0) this.side(s).delete(p);
    else this.side(s).set(p, q);
  }
  sorted(s: BookSideName): [number, number][] {
    const entries = [...this.side(s).entries()];
    entries.sort((a, b) => (s === 'bid' ? b[0] - a[0] : a[0] - b[0]));
    return entries;
  }
  truncate(s: BookSideName, depth: number): void {
    for (const [p] of this.sorted(s).slice(depth)) this.side(s).delete(p);
  }
  imbalance(levels: number): number {
    const w = (s: BookSideName): number => this.sorted(s).slice(0, levels).reduce((acc, [, q], i) => acc + q / (i + 1), 0);
    const b = w('bid');
    const a = w('ask');
    return b + a > 0 ? (b - a) / (b + a) : 0;
  }
}

function readTop(book: PriceLevelBook, side: BookSideName, n: number): [number, number][] {
  const prices = new Float64Array(n);
  const sizes = new Float64Array(n);
  const k = book.top(side, n, prices, sizes);
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) out.push([prices[i]!, sizes[i]!]);
  return out;
}


function compare(book: PriceLevelBook, ref: ReferenceBook): void {
  for (const side of ['bid', 'ask'] as const) {
    const expected = ref.sorted(side);
    expect(book.levels(side)).toBe(expected.length);
    expect(readTop(book, side, expected.length + 3)).toEqual(expected);
  }
  const bb = ref.sorted('bid')[0]?.[0] ?? Number.NaN;
  const ba = ref.sorted('ask')[0]?.[0] ?? Number.NaN;
  expect(book.bestBid()).toBe(bb);
  expect(book.bestAsk()).toBe(ba);
  expect(book.isCrossed()).toBe(bb >= ba);
  expect(book.imbalance(5)).toBeCloseTo(ref.imbalance(5), 12);
}

describe('PriceLevelBook', () => {
  it('starts empty: NaN bests, no levels, zero imbalance, not crossed', () => {
    const book = new PriceLevelBook();
    expect(book.bestBid()).toBeNaN();
    expect(book.bestAsk()).toBeNaN();
    expect(book.levels('bid')).toBe(0);
    expect(book.imbalance(5)).toBe(0);
    expect(book.isCrossed()).toBe(false);
    expect(book.sizeAt('ask', 100)).toBe(0);
  });

  it('keeps sizes beyond 2^31 exact and removes with size 0 (unknown removals ignored)', () => {
    const book = new PriceLevelBook();
    book.set('bid', 100, 2 ** 40 + 1);
    book.set('bid', 99, 5);
    book.set('bid', 42, 0);
    expect(book.sizeAt('bid', 100)).toBe(2 ** 40 + 1);
    book.set('bid', 100, 0);
    expect(book.bestBid()).toBe(99);
    expect(book.levels('bid')).toBe(1);
  });

  it('computes the depth-weighted imbalance with weights 1/(i+1)', () => {
    const book = new PriceLevelBook();
    book.set('bid', 10, 6);
    book.set('bid', 9, 6); // 6 + 3 = 9
    book.set('ask', 11, 3);
    book.set('ask', 12, 0);
    expect(book.imbalance(5)).toBeCloseTo((9 - 3) / 12, 12);
    expect(book.imbalance(1)).toBeCloseTo((6 - 3) / 9, 12);
  });

  it('handles levels 10^11 ticks apart (Kraken and Coinbase far levels) and re-centres when the best leaves the window', () => {
    const book = new PriceLevelBook({ windowTicks: 1024 });
    const ref = new ReferenceBook();
    const ops: [BookSideName, number, number][] = [
      ['ask', 561_942, 1],
      ['ask', 99_999_999_970, 2],
      ['bid', 1, 3],
      ['bid', 560_603, 4],
      ['ask', 562_000, 5],
      ['ask', 561_942, 0], // best ask removed: next is inside the window
      ['ask', 562_000, 0], // best ask removed: next is the far level → re-centre
      ['bid', 600_000, 6], // new best bid far above the window
      ['bid', 600_000, 0],
      ['bid', 560_603, 0],
    ];
    for (const [s, p, q] of ops) {
      book.set(s, p, q);
      ref.set(s, p, q);
      compare(book, ref);
    }
  });

  it('matches a Map reference over 20,000 random operations incl. truncation and far levels', () => {
    const rnd = mulberry32(7);
    const book = new PriceLevelBook({ windowTicks: 2048 });
    const ref = new ReferenceBook();
    let mid = 100_000;
    for (let step = 0; step < 20_000; step++) {
      if (rnd() < 0.01) mid += Math.round((rnd() - 0.5) * 6000); // jumps beyond the window
      const side: BookSideName = rnd() < 0.5 ? 'bid' : 'ask';
      const r = rnd();
      let offset: number;
      if (r < 0.8) offset = 1 + Math.floor(rnd() * 50);
      else if (r < 0.95) offset = 1 + Math.floor(rnd() * 3000);
      else offset = 1 + Math.floor(rnd() * 1e9);
      const price = side === 'bid' ? mid - offset : mid + offset;
      const size = rnd() < 0.3 ? 0 : 1 + Math.floor(rnd() * 1e12);
      book.set(side, price, size);
      ref.set(side, price, size);
      if (rnd() < 0.01) {
        const depth = Math.floor(rnd() * 40);
        book.truncate(side, depth);
        ref.truncate(side, depth);
      }
      if (step % 97 === 0) compare(book, ref);
      expect(book.sizeAt(side, price)).toBe(ref.side(side).get(price) ?? 0);
    }
    compare(book, ref);
    book.clear();
    expect(book.levels('bid') + book.levels('ask')).toBe(0);
    expect(book.bestBid()).toBeNaN();
  });

  it('truncate keeps the best levels of one side only', () => {
    const book = new PriceLevelBook();
    for (let i = 0; i < 10; i++) {
      book.set('bid', 100 - i, 1);
      book.set('ask', 101 + i * 1000, 1);
    }
    book.truncate('bid', 3);
    book.truncate('ask', 2);
    expect(readTop(book, 'bid', 10).map(([p]) => p)).toEqual([100, 99, 98]);
    expect(readTop(book, 'ask', 10).map(([p]) => p)).toEqual([101, 1101]);
  });

  it('rejects a non-integer price instead of corrupting the index', () => {
    const book = new PriceLevelBook();
    expect(() => book.set('bid', Number.NaN, 1)).toThrow(RangeError);
    expect(() => book.set('bid', 1.5, 1)).toThrow(RangeError);
  });
});
