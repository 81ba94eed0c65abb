/**
 * Strict readers for the fields of the venue's JSON answers and events: each returns the field with the
 * type the documentation gives it, or throws a GatewayError naming the field and where it was expected
 * ("malformed answer from the venue: binance-spot order.place: field "orderId" is missing"). An answer
 * the gateway cannot read is, by default, an answer whose outcome it does not know ('unknown-outcome').
 * Values are never quoted back beyond a short type description, so no request parameter can leak. Pure.
 */
import { GatewayError, type GatewayErrorCode } from '../../live/gateway.js';

export function malformed(detail: string, code: GatewayErrorCode = 'unknown-outcome'): GatewayError {
  return new GatewayError(code, `malformed answer from the venue: ${detail}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function objectField(obj: unknown, where: string): Record<string, unknown> {
  if (!isRecord(obj)) throw malformed(`${where}: expected an object, got ${kindOf(obj)}`);
  return obj;
}

function field(obj: unknown, name: string, where: string): unknown {
  const record = objectField(obj, where);
  if (!(name in record)) throw malformed(`${where}: field "${name}" is missing`);
  return record[name];
}

export function stringField(obj: unknown, name: string, where: string): string {
  const value = field(obj, name, where);
  if (typeof value !== 'string') throw malformed(`${where}: field "${name}" should be a string, got ${kindOf(value)}`);
  return value;
}

export function optionalString(obj: unknown, name: string, where: string): string | null {
  const record = objectField(obj, where);
  const value = record[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw malformed(`${where}: field "${name}" should be a string, got ${kindOf(value)}`);
  return value;
}

/** An integer (ids, times in ms) that JavaScript holds exactly. */
export function intField(obj: unknown, name: string, where: string): number {
  const value = field(obj, name, where);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed(`${where}: field "${name}" should be an integer, got ${kindOf(value)}`);
  return value;
}

export function boolField(obj: unknown, name: string, where: string): boolean {
  const value = field(obj, name, where);
  if (typeof value !== 'boolean') throw malformed(`${where}: field "${name}" should be a boolean, got ${kindOf(value)}`);
  return value;
}

const PLAIN_DECIMAL = /^\d+(?:\.\d+)?$/;
const SIGNED_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A non-negative decimal text ("0.01000000"). */
export function decimalField(obj: unknown, name: string, where: string): string {
  const value = stringField(obj, name, where);
  if (!PLAIN_DECIMAL.test(value)) throw malformed(`${where}: field "${name}" should be a decimal text`);
  return value;
}

/** A decimal text that may be negative (positions, PnL, rebates). */
export function signedDecimalField(obj: unknown, name: string, where: string): string {
  const value = stringField(obj, name, where);
  if (!SIGNED_DECIMAL.test(value)) throw malformed(`${where}: field "${name}" should be a decimal text`);
  return value;
}

export function arrayField(obj: unknown, name: string, where: string): unknown[] {
  const value = field(obj, name, where);
  if (!Array.isArray(value)) throw malformed(`${where}: field "${name}" should be an array, got ${kindOf(value)}`);
  return value;
}

export function oneOf<T extends string>(obj: unknown, name: string, where: string, allowed: readonly T[]): T {
  const value = stringField(obj, name, where);
  if (!(allowed as readonly string[]).includes(value)) throw malformed(`${where}: field "${name}" has an undocumented value "${value.slice(0, 40)}"`);
  return value as T;
}
