/**
 * Kraken's printed numbers read from a range of a string without slicing it: the fixed-decimals price/volume
 * parser (a fast path in front of DecimalGrid that never changes a result, it only skips work) and the level
 * timestamps (seconds with µs decimals → exact µs). Used on a JSON-parsed string (the whole string) and on
 * the received text (a range of it) alike, so both paths convert with the same code. Pure, no allocation.
 */

const POW10 = new Float64Array(10).map((_, i) => 10 ** i);

/**
 * Steps of a decimal printed with exactly `decimals` digits after the point (Kraken prints a fixed number
 * per pair), reading digits with charCodeAt and skipping the point: the value in units of 10^-decimals,
 * divided by `factor` (a whole number: printed units per step). -1 when the text is not in that form, has
 * more than 15 digits (or more than 9 on either side of the point), is off the grid, or `factor` is 0: the
 * caller then takes the generic DecimalGrid path, which decides (so the fast path never changes a result,
 * it only skips work).
 */
export function fixedSteps(text: string, decimals: number, factor: number): number {
  return fixedStepsAt(text, 0, text.length, decimals, factor);
}

/** fixedSteps of text[start, end). */
export function fixedStepsAt(text: string, start: number, end: number, decimals: number, factor: number): number {
  const point = end - 1 - decimals;
  const whole = point - start;
  if (factor === 0 || whole < 1 || whole > 9 || decimals > 9 || end - start > 16 || text.charCodeAt(point) !== 46 /* '.' */) return -1;
  // why: two short int32 chains (whole part, fraction) instead of one float multiply-add chain per digit
  let w = 0;
  let fraction = 0;
  let bad = 0;
  for (let i = start; i < point; i++) {
    const d = text.charCodeAt(i) - 48;
    bad |= d | (9 - d);
    w = (w * 10 + d) | 0;
  }
  for (let i = point + 1; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    bad |= d | (9 - d);
    fraction = (fraction * 10 + d) | 0;
  }
  if (bad < 0) return -1;
  const value = w * POW10[decimals]! + fraction;
  if (factor === 1) return value;
  const steps = value / factor;
  return steps === Math.floor(steps) ? steps : -1;
}

/**
 * "1618678117.243818" (seconds with up to µs decimals) → µs since the epoch, exactly and without
 * parseFloat; NaN when it is not such a number (further decimals are truncated).
 */
export function secondsToUs(text: string): number {
  return secondsToUsAt(text, 0, text.length);
}

/** secondsToUs of text[start, end). */
export function secondsToUsAt(text: string, start: number, end: number): number {
  let value = 0;
  let fraction = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* '.' */ && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (c < 48 || c > 57) return Number.NaN;
    if (fraction >= 0) {
      if (fraction === 6) continue;
      fraction++;
    }
    value = value * 10 + (c - 48);
  }
  if (end === start) return Number.NaN;
  for (let f = fraction < 0 ? 0 : fraction; f < 6; f++) value *= 10;
  return value;
}
