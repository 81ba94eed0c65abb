/**
 * A DecimalGrid conversion read straight from a received text, without taking a substring: a StepReader
 * reads the decimal that starts at an index and gives exactly what the grid's `toSteps` gives for that
 * string (the same code: `DecimalGrid.stepsAt`), so a text scanner converts prices and sizes with the rule
 * the JSON.parse path uses: a value off the grid or with significant digits beyond it is NaN on both paths.
 * The reader stops at the first character that is neither a digit nor '.' and leaves that index in `end`:
 * the caller checks it is the closing quote (anything else, an escape, a sign, an exponent, is not a plain
 * decimal string and the caller must let the JSON.parse path decide). Pure, no allocation.
 */
import type { DecimalGrid, TextCursor } from '../../../shared/units.js';

export class StepReader implements TextCursor {
  /** Index of the first character after the last decimal read (valid when `read` returned a number). */
  end = 0;

  constructor(private readonly grid: DecimalGrid) {}

  /**
   * Steps of the decimal starting at `start`: `grid.toSteps(text.slice(start, end))` where `end` is the
   * first index that holds neither a digit nor '.'. NaN when that string is empty, has two points, has a
   * non-zero digit beyond the grid's decimals, or is off the grid (then `end` is not meaningful).
   */
  read(text: string, start: number): number {
    return this.grid.stepsAt(text, start, this);
  }
}
