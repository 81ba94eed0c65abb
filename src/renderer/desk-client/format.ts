/**
 * Formatting of the desk's figures for display: prices and sizes to the instrument's precision, money,
 * basis points, percentages and clock times in the zone the trader chose (UTC, or this computer's local
 * time: `setTimeZone`, a preference; `timeZoneLabel` names it). Absent values (null, NaN — the server
 * sends NaN as null) show as an em dash, never as "NaN" or 0. Pure apart from the chosen zone.
 */
const DASH = '—';

// why: `toLocaleString` with options builds a new Intl.NumberFormat on every call — the ladder, blotter
// and cards format hundreds of numbers per frame; one cached formatter per decimal count gives the same text.
const grouped = new Map<number, Intl.NumberFormat>();
function groupedFormat(decimals: number): Intl.NumberFormat {
  let format = grouped.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    grouped.set(decimals, format);
  }
  return format;
}

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function fmtFixed(value: number | null | undefined, decimals: number): string {
  return finite(value) ? value.toFixed(Math.max(0, Math.min(12, decimals))) : DASH;
}

export function fmtPrice(value: number | null | undefined, priceDecimals: number): string {
  return fmtFixed(value, priceDecimals);
}

export function fmtSize(value: number | null | undefined, sizeDecimals: number): string {
  if (!finite(value)) return DASH;
  return groupedFormat(sizeDecimals).format(value);
}

export function fmtSignedSize(value: number | null | undefined, sizeDecimals: number): string {
  if (!finite(value)) return DASH;
  return `${value > 0 ? '+' : ''}${fmtSize(value, sizeDecimals)}`;
}

export function fmtMoney(value: number | null | undefined, decimals = 2): string {
  if (!finite(value)) return DASH;
  const text = groupedFormat(decimals).format(Math.abs(value));
  return `${value < 0 ? '−' : value > 0 ? '+' : ''}${text}`;
}

export function fmtBps(value: number | null | undefined, decimals = 2): string {
  return finite(value) ? `${value.toFixed(decimals)} bps` : DASH;
}

export function fmtPct(fraction: number | null | undefined, decimals = 1): string {
  return finite(fraction) ? `${(fraction * 100).toFixed(decimals)} %` : DASH;
}

export function fmtNumber(value: number | null | undefined, decimals = 2): string {
  return finite(value) ? groupedFormat(decimals).format(value) : DASH;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

export type TimeZoneChoice = 'utc' | 'local';
let zone: TimeZoneChoice = 'utc';

/** The zone every clock time is shown in from now on (the caller re-renders what shows times). */
export function setTimeZone(choice: TimeZoneChoice): void {
  zone = choice;
}

export function timeZone(): TimeZoneChoice {
  return zone;
}

/** "UTC", or this computer's zone as it names itself (e.g. "CEST", "GMT+2"). */
export function timeZoneLabel(): string {
  if (zone === 'utc') return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local';
}

/** HH:MM:SS in the chosen zone, with milliseconds when asked. */
export function fmtTime(ms: number | null | undefined, withMs = false): string {
  if (!finite(ms)) return DASH;
  const d = new Date(ms);
  const utc = zone === 'utc';
  const base = `${pad(utc ? d.getUTCHours() : d.getHours())}:${pad(utc ? d.getUTCMinutes() : d.getMinutes())}:${pad(utc ? d.getUTCSeconds() : d.getSeconds())}`;
  return withMs ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

export function fmtDateTime(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  const d = new Date(ms);
  const utc = zone === 'utc';
  return `${utc ? d.getUTCFullYear() : d.getFullYear()}-${pad((utc ? d.getUTCMonth() : d.getMonth()) + 1)}-${pad(utc ? d.getUTCDate() : d.getDate())} ${fmtTime(ms)}`;
}

export function fmtDuration(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  if (ms < 1_000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  const s = ms / 1_000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.floor(s % 60)} s`;
}

/** Number of decimals in a decimal string such as "0.01" (the instrument's tick or lot). */
export function decimalsOf(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

export function signClass(value: number | null | undefined): string {
  if (!finite(value) || value === 0) return '';
  return value > 0 ? 'pos' : 'neg';
}
