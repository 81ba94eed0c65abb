/**
 * Units of the domain: integer ticks for prices, integer lots for sizes, and named timestamps.
 *
 * Prices never travel as floats inside the engine: a venue's decimal string is converted once, at the
 * adapter, into an integer count of ticks of the instrument, and back into a decimal only for display or
 * for the outside API. Sizes likewise become integer lots. Timestamps carry their source and unit in
 * their name (`localUs`: microseconds since the Unix epoch on the desk's clock; `exchUs`: the venue's
 * stamp). This module is pure: no node, electron or DOM imports.
 */

/** A price as an integer number of the instrument's ticks. */
export type Ticks = number;
/** A size as an integer number of the instrument's lots. */
export type Lots = number;
/** Microseconds since the Unix epoch on the desk's clock (wall clock live, event clock in replay). */
export type LocalUs = number;
/** Microseconds since the Unix epoch as stamped by the venue. */
export type ExchUs = number;

export const US_PER_MS = 1_000;
export const US_PER_SEC = 1_000_000;

export type Side = 'buy' | 'sell';

export function oppositeSide(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}

/** +1 for buy, -1 for sell: the sign of the inventory change a fill on that side causes. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

/** What a desk trades: the venue's tick and lot as decimal strings, exactly as the venue publishes them. */
export interface Instrument {
  readonly venue: string;
  readonly symbol: string;
  /** Price increment as a decimal string, e.g. "0.01". */
  readonly tickSize: string;
  /** Size increment as a decimal string, e.g. "0.001". */
  readonly lotSize: string;
  /** Digits after the decimal point needed to print a price on the tick grid. */
  readonly priceDecimals: number;
  /** Digits after the decimal point needed to print a size on the lot grid. */
  readonly sizeDecimals: number;
  /** Currency of prices and PnL, for display only. */
  readonly quoteCurrency: string;
}

/** Digits after the point of a decimal string ("0.0100" counts as 2: trailing zeros carry no precision). */
export function decimalsOf(decimal: string): number {
  const point = decimal.indexOf('.');
  if (point < 0) return 0;
  let end = decimal.length;
  while (end > point + 1 && decimal.charCodeAt(end - 1) === 48 /* '0' */) end--;
  return end - point - 1;
}

/** Where a read inside a longer text stopped (`parseScaledAt`, `DecimalGrid.stepsAt`). */
export interface TextCursor {
  /** Index of the first character after the decimal read. */
  end: number;
}

/**
 * Reads the non-negative decimal that starts at `start` in a longer text (digits and at most one '.') into an
 * integer scaled by 10^decimals, without a float and without a substring; stops at the first character
 * that is neither a digit nor '.' and leaves its index in `cursor.end` (a text scanner checks it is the
 * closing quote). NaN when no digit or point was read, on a second point, or for a non-zero digit beyond
 * `decimals` (then `cursor.end` is not meaningful).
 */
export function parseScaledAt(text: string, start: number, decimals: number, cursor: TextCursor): number {
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
  cursor.end = i;
  if (i === start) return Number.NaN;
  if (fraction < 0) fraction = 0;
  for (let k = fraction; k < decimals; k++) value *= 10;
  return value;
}

/**
 * Parses a non-negative decimal string into an integer scaled by 10^decimals without going through a
 * float, so "0.1" with 8 decimals is exactly 10000000. Returns NaN for anything that is not a plain
 * decimal or that has more significant digits after the point than `decimals`. The same arithmetic as
 * `parseScaledAt` over a whole string, kept as its own loop on purpose: it is the hot path of every adapter
 * that JSON.parses, and routing it through `parseScaledAt` (a cursor write and an end check) measured
 * 1.28× → 1.53× of JSON.parse on the Bybit capture (`test/bench/adapters.bench.ts`). A fuzz test holds the
 * two to the same answers (binance-text-path.test.ts, "StepReader reads exactly what DecimalGrid.toSteps reads").
 */
export function parseScaled(text: string, decimals: number): number {
  let value = 0;
  let fraction = -1;
  const length = text.length;
  if (length === 0) return Number.NaN;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* '.' */) {
      if (fraction >= 0) return Number.NaN;
      fraction = 0;
      continue;
    }
    if (c < 48 || c > 57) return Number.NaN;
    if (fraction >= 0) {
      if (fraction === decimals) {
        if (c !== 48) return Number.NaN;
        continue;
      }
      fraction++;
    }
    value = value * 10 + (c - 48);
  }
  if (fraction < 0) fraction = 0;
  for (let i = fraction; i < decimals; i++) value *= 10;
  return value;
}

/**
 * Converts between a venue's decimal strings and integer ticks/lots for one increment ("0.01", "0.5",
 * "0.00000001"). The increment need not be a power of ten.
 */
export class DecimalGrid {
  readonly decimals: number;
  /** The increment expressed in units of 10^-decimals. */
  readonly unitsPerStep: number;
  private readonly scale: number;

  constructor(readonly increment: string) {
    this.decimals = decimalsOf(increment);
    this.unitsPerStep = parseScaled(increment, this.decimals);
    if (!Number.isFinite(this.unitsPerStep) || this.unitsPerStep <= 0) {
      throw new RangeError(`increment must be a positive decimal, got "${increment}"`);
    }
    this.scale = 10 ** this.decimals;
  }

  /**
   * Integer steps for a decimal string; NaN when the text is not a decimal or not on the grid.
   * Digits beyond the grid's precision are allowed only when they are zeros ("0.01000000").
   */
  toSteps(text: string): number {
    return this.unitsToSteps(parseScaled(text, this.decimals));
  }

  /**
   * Steps of the decimal that starts at `start` in a longer text (see `parseScaledAt`): what `toSteps` gives
   * for `text.slice(start, cursor.end)`, read in place by the text scanners of the live adapters.
   */
  stepsAt(text: string, start: number, cursor: TextCursor): number {
    return this.unitsToSteps(parseScaledAt(text, start, this.decimals, cursor));
  }

  private unitsToSteps(units: number): number {
    if (this.unitsPerStep === 1) return units;
    const steps = units / this.unitsPerStep;
    return Number.isInteger(steps) ? steps : Number.NaN;
  }

  /** The decimal value of a number of steps, for display and the outside API. */
  toNumber(steps: number): number {
    return (steps * this.unitsPerStep) / this.scale;
  }

  /** The decimal text of a number of steps with exactly `decimals` digits after the point. */
  format(steps: number): string {
    return this.toNumber(steps).toFixed(this.decimals);
  }

  /** Nearest number of steps for a decimal value (used only for operator input, never on the feed path). */
  fromNumber(value: number): number {
    return Math.round((value * this.scale) / this.unitsPerStep);
  }
}

/** A lookup of DecimalGrids by increment text, each built once (rows of many sessions share a few grids). */
export function gridCache(): (increment: string) => DecimalGrid {
  const grids = new Map<string, DecimalGrid>();
  return (increment) => {
    let grid = grids.get(increment);
    if (grid === undefined) {
      grid = new DecimalGrid(increment);
      grids.set(increment, grid);
    }
    return grid;
  };
}

export function makeInstrument(spec: {
  venue: string;
  symbol: string;
  tickSize: string;
  lotSize: string;
  quoteCurrency?: string;
}): Instrument {
  const tick = new DecimalGrid(spec.tickSize);
  const lot = new DecimalGrid(spec.lotSize);
  return {
    venue: spec.venue,
    symbol: spec.symbol,
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    priceDecimals: tick.decimals,
    sizeDecimals: lot.decimals,
    quoteCurrency: spec.quoteCurrency ?? 'USD',
  };
}

/** Exhaustiveness guard for switches over unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
