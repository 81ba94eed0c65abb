/**
 * The Kraken adapter's fast paths must never change a result, only skip work: the fixed-decimals parser
 * (fixedSteps) against the generic DecimalGrid on random printed decimals — on and off the grid, with the
 * printed decimals, other decimals, signs, exponents, stray characters and long digit runs — and the
 * table-driven CRC32 combine against zlib's multiply-by-x^(8n) combine and a direct CRC of the joined text.
 */
import { describe, expect, it } from 'vitest';
import { DecimalGrid } from '../../../../src/shared/units.js';
import { crc32Ascii } from '../../../../src/main/market/adapters/index.js';
import { fixedSteps } from '../../../../src/main/market/adapters/kraken/kraken-adapter.js';
import { crc32Combine, crc32CombineFast } from '../../../../src/main/market/adapters/kraken/top-crc.js';
import { mulberry32 as rng } from '../../../support/prng.js';


/** What the adapter does: the fast path when it answers, else the grid. */
function viaFastPath(grid: DecimalGrid, printed: number, text: string): number {
  const factor = 10 ** (printed - grid.decimals) * grid.unitsPerStep;
  const fast = printed > 0 && Number.isInteger(factor) && factor >= 1 ? factor : 0;
  const steps = fixedSteps(text, printed, fast);
  return steps >= 0 ? steps : grid.toSteps(text);
}

describe('kraken fixed-decimals parser', () => {
  const grids: [string, number][] = [
    ['0.00000001', 9], // ADA/XBT: prints 9 decimals on an 8-decimal tick
    ['0.00000001', 8], // volumes
    ['0.00001', 5], // SC/EUR
    ['0.1', 5], // XBT/CHF: prints 5 decimals, trades in 0.1
    ['0.5', 2], // a tick that is not a power of ten
    ['0.25', 1], // printed decimals below the grid's: always the generic path
    ['1', 3],
  ];
  it('agrees with DecimalGrid.toSteps on 60,000 random texts', () => {
    const random = rng(7);
    const digit = (): string => String(Math.floor(random() * 10));
    let fastHits = 0;
    for (const [increment, printed] of grids) {
      const grid = new DecimalGrid(increment);
      for (let k = 0; k < 60_000 / grids.length; k++) {
        const wholeDigits = Math.floor(random() * 12);
        const decimals = random() < 0.7 ? printed : Math.floor(random() * 11);
        let text = '';
        for (let i = 0; i < wholeDigits; i++) text += digit();
        if (wholeDigits === 0 || random() < 0.3) text = '0' + text;
        if (decimals > 0 || random() < 0.1) text += '.';
        for (let i = 0; i < decimals; i++) text += random() < 0.5 ? '0' : digit();
        const r = random();
        if (r < 0.02) text = '-' + text;
        else if (r < 0.04) text = text.replace(/\d(?=\d*$)/, 'x');
        else if (r < 0.05) text += 'e1';
        else if (r < 0.06) text = text.replace('.', '..');
        const expected = grid.toSteps(text);
        const actual = viaFastPath(grid, printed, text);
        if (Number.isNaN(expected)) expect(actual, text).toBeNaN();
        else expect(actual, `${increment} ${text}`).toBe(expected);
        if (fixedSteps(text, printed, 1) >= 0) fastHits++;
      }
    }
    expect(fastHits).toBeGreaterThan(10_000); // the fast path was exercised, not always skipped
  });

  it('reads the venue prints exactly', () => {
    expect(fixedSteps('0.000022900', 9, 10)).toBe(2290);
    expect(fixedSteps('0.000022901', 9, 10)).toBe(-1); // off the tick: the grid decides (NaN)
    expect(fixedSteps('13355.87450757', 8, 1)).toBe(1335587450757);
    expect(fixedSteps('49000.10000', 5, 10_000)).toBe(490001);
    expect(fixedSteps('0.00000000', 8, 1)).toBe(0);
    expect(fixedSteps('1234567890.12345678', 8, 1)).toBe(-1); // too many digits for the fast path
    expect(fixedSteps('0.1', 8, 1)).toBe(-1); // other decimals: the grid decides
  });
});

describe('kraken checksum combine tables', () => {
  it('equals the multiply combine and the CRC of the joined text', () => {
    const random = rng(11);
    for (let k = 0; k < 20_000; k++) {
      const a = Math.floor(random() * 2 ** 32);
      const b = Math.floor(random() * 2 ** 32);
      const len = Math.floor(random() * 401);
      expect(crc32CombineFast(a, b, len)).toBe(crc32Combine(a, b, len));
    }
    for (const [x, y] of [['', ''], ['229', '1335587450757'], ['4900010000', '15000000'.repeat(20)]] as const) {
      expect(crc32CombineFast(crc32Ascii(x), crc32Ascii(y), y.length)).toBe(crc32Ascii(x + y));
    }
  });
});
