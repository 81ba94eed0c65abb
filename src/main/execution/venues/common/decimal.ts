/**
 * Exact decimal arithmetic on the venue's decimal texts ("0.01000000", "52000.5"), for the symbol filters
 * and for the local exchange's balances: a value is an integer count of 10^-scale units held in a BigInt,
 * so a tick check, a notional or a commission is never decided by a float. It owns parsing, comparison,
 * product, and formatting back to text; it accepts only plain non-negative decimals (optionally signed with
 * `signed`) and refuses anything else with null. Pure: no I/O.
 */

export interface Dec {
  /** The value in units of 10^-scale. */
  readonly units: bigint;
  readonly scale: number;
}

const PLAIN = /^(\d+)(?:\.(\d*))?$/;
const SIGNED = /^(-?)(\d+)(?:\.(\d*))?$/;

/** A non-negative decimal text ("12", "0.10", "5.") as a Dec; null for anything else. */
export function parseDec(text: string): Dec | null {
  const match = PLAIN.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

/** A decimal text that may carry a leading minus ("-0.5"); null for anything else. */
export function parseSignedDec(text: string): Dec | null {
  const match = SIGNED.exec(text);
  if (!match) return null;
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  const units = BigInt(whole + fraction);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

/** The value at a finer (or equal) scale. */
export function rescale(value: Dec, scale: number): Dec {
  if (scale < value.scale) throw new RangeError(`cannot rescale ${value.scale} decimals down to ${scale}`);
  return { units: value.units * 10n ** BigInt(scale - value.scale), scale };
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareDec(a: Dec, b: Dec): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale).units;
  const y = rescale(b, scale).units;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function mulDec(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale).units + rescale(b, scale).units, scale };
}

export function subDec(a: Dec, b: Dec): Dec {
  return addDec(a, { units: -b.units, scale: b.scale });
}

export function isZeroDec(a: Dec): boolean {
  return a.units === 0n;
}

/** Whether `value` is a whole multiple of `step` (a zero step accepts everything: the filter is off). */
export function isMultipleOf(value: Dec, step: Dec): boolean {
  if (step.units === 0n) return true;
  const scale = Math.max(value.scale, step.scale);
  return rescale(value, scale).units % rescale(step, scale).units === 0n;
}

/** The value rounded toward zero to `scale` decimals. */
export function truncateDec(value: Dec, scale: number): Dec {
  if (scale >= value.scale) return rescale(value, scale);
  return { units: value.units / 10n ** BigInt(value.scale - scale), scale };
}

/** The text with exactly `scale` decimals (rounded toward zero when the value has more). */
export function formatDec(value: Dec, scale: number = value.scale): string {
  const v = truncateDec(value, scale);
  const negative = v.units < 0n;
  const digits = (negative ? -v.units : v.units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** The value as a float, for display and logs only (never for a decision). */
export function decToNumber(value: Dec): number {
  return Number(value.units) / 10 ** value.scale;
}

/** An exact Dec from an integer count of steps of a decimal increment ("0.01" × 1234 = 12.34). */
export function stepsToDec(steps: number, increment: Dec): Dec {
  if (!Number.isSafeInteger(steps)) throw new RangeError(`steps must be a safe integer, got ${steps}`);
  return { units: BigInt(steps) * increment.units, scale: increment.scale };
}

/** The whole number of increments in `value`, or null when it is not on the grid. */
export function decToSteps(value: Dec, increment: Dec): number | null {
  if (increment.units === 0n || !isMultipleOf(value, increment)) return null;
  const scale = Math.max(value.scale, increment.scale);
  const steps = rescale(value, scale).units / rescale(increment, scale).units;
  const n = Number(steps);
  return Number.isSafeInteger(n) ? n : null;
}
