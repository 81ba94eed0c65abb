/**
 * DecimalGrid conversion read straight from a received text, without taking a substring: a StepReader
 * reads the decimal that starts at an index (digits and at most one '.') and gives exactly what the grid's
 * `toSteps` gives for that string (the same arithmetic, step for step, as `parseScaled` then the division
 * by the increment), so a text scanner converts prices and sizes with the rule the JSON.parse path uses:
 * a value off the grid or with significant digits beyond it is NaN on both paths. The reader stops at the
 * first character that is neither a digit nor '.' and leaves that index in `end`: the caller checks it is
 * the closing quote (anything else, an escape, a sign, an exponent, is not a plain decimal string and the
 * caller must let the JSON.parse path decide). Pure, no allocation.
 */
import type { DecimalGrid } from '../../../shared/units.js';

export class StepReader {
  /** Index of the first character after the last decimal read (valid when `read` returned a number). */
  end = 0;
  private readonly decimals: number;
  private readonly unitsPerStep: number;

  constructor(grid: DecimalGrid) {
    this.decimals = grid.decimals;
    this.unitsPerStep = grid.unitsPerStep;
  }

  /**
   * Steps of the decimal starting at `start`: `grid.toSteps(text.slice(start, end))` where `end` is the
   * first index that holds neither a digit nor '.'. NaN when that string is empty, has two points, has a
   * non-zero digit beyond the grid's decimals, or is off the grid (then `end` is not meaningful).
   */
  read(text: string, start: number): number {
    const decimals = this.decimals;
    let value = 0;
    let fraction = -1;
    let i = start;
    for (;; i++) {
      // why: charCodeAt past the end is NaN, which fails both comparisons and ends the number
      const c = text.charCodeAt(i);
      if (c === 46 /* '.' */) {
        if (fraction >= 0) return Number.NaN;
        fraction = 0;
        continue;
      }
      if (!(c >= 48 && c <= 57)) break;
      if (fraction >= 0) {
        if (fraction === decimals) {
          if (c !== 48) return Number.NaN;
          continue;
        }
        fraction++;
      }
      value = value * 10 + (c - 48);
    }
    this.end = i;
    if (i === start) return Number.NaN;
    if (fraction < 0) fraction = 0;
    for (let k = fraction; k < decimals; k++) value *= 10;
    if (this.unitsPerStep === 1) return value;
    const steps = value / this.unitsPerStep;
    return Number.isInteger(steps) ? steps : Number.NaN;
  }
}
