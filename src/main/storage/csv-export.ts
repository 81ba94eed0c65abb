/**
 * CSV exports of the committed fills, orders and audit trail, as library functions: the CLI
 * (`quotedesk export-fills`), the Electron save dialog and the HTTP download all call these.
 *
 * RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes
 * doubled. Prices and sizes are printed as the instrument prints them (the decimal text stored beside
 * the ticks/lots), times as ISO-8601 UTC with microseconds; a fill has two (`time_utc`/`local_us`: its
 * report's receipt; `exec_time_utc`/`exec_us`: its execution); a text cell a spreadsheet would run as a
 * formula is neutralised (`csvField`). A file export is written to a temporary file beside the target,
 * synced, and renamed over it, so a reader never sees half a file and a failed export leaves nothing
 * behind; it never replaces the database it reads (`checkOutput`). Exports read committed data only; they
 * never write to the database.
 */
import { closeSync, fsyncSync, writeSync } from 'node:fs';
import { gridCache, type DecimalGrid } from '../../shared/units.js';
import type { LocalUs } from '../../shared/units.js';
import { checkOutput, createTempBeside, databaseFiles, discardTemp, publishTemp } from '../files/output-file.js';
import { toStoreError } from './errors.js';
import type { SqliteStore } from './sqlite-store.js';

export interface ExportQuery {
  /** Only this session; all sessions when absent. */
  readonly sessionId?: number;
}

export interface ExportResult {
  readonly path: string;
  /** Data rows written (the header not counted). */
  readonly rows: number;
}

const FILL_HEADER = [
  'session_id',
  'fill_id',
  'client_order_id',
  'time_utc',
  'local_us',
  'exec_time_utc',
  'exec_us',
  'side',
  'price',
  'size',
  'fee',
  'liquidity',
  'mid_at_fill',
  'fair_value_at_fill',
  'inventory_after',
  'execution',
] as const;
const ORDER_HEADER = [
  'session_id',
  'client_order_id',
  'created_utc',
  'side',
  'price',
  'size',
  'filled',
  'time_in_force',
  'post_only',
  'purpose',
  'status',
  'updated_utc',
  'execution',
] as const;
const AUDIT_HEADER = ['seq', 'session_id', 'time_utc', 'who', 'action', 'detail'] as const;

type Cell = string | number;

const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * One CSV field per RFC 4180. A text that starts with `=`, `+`, `-`, `@` (or a tab or CR) and is not a plain
 * number gets a leading `'`: a spreadsheet would otherwise run it as a formula (CSV injection; an id or an
 * audit note can come from outside). Plain numbers such as `-0.0125` stay numbers.
 */
export function csvField(value: Cell): string {
  let text = typeof value === 'number' ? String(value) : value;
  if (text.length > 0 && '=+-@\t\r'.includes(text.charAt(0)) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += csvField(cells[i] ?? '');
  }
  return `${line}\r\n`;
}

/** ISO-8601 UTC with microseconds: `2024-03-01T14:30:00.123456Z`. */
export function isoUtcFromUs(us: LocalUs): string {
  const whole = Math.round(us);
  const ms = Math.floor(whole / 1000);
  const micro = whole - ms * 1000;
  return `${new Date(ms).toISOString().slice(0, -1)}${String(micro).padStart(3, '0')}Z`;
}

/** A money figure as a plain decimal (never exponent notation), at most 10 digits after the point. */
function money(value: number): string {
  if (!Number.isFinite(value)) return '';
  const fixed = value.toFixed(10).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}

/** A price in (possibly fractional) ticks as a decimal, with `extra` digits beyond the tick's own. */
function ticksText(ticks: number, grid: DecimalGrid, extra: number): string {
  if (!Number.isFinite(ticks)) return '';
  return grid.toNumber(ticks).toFixed(grid.decimals + extra);
}

function* fillLines(store: SqliteStore, query: ExportQuery): Generator<string> {
  const gridOf = gridCache();
  yield csvLine(FILL_HEADER);
  for (const fill of store.iterateFills(query.sessionId)) {
    const tick = gridOf(fill.tickSize);
    const lot = gridOf(fill.lotSize);
    yield csvLine([
      fill.sessionId,
      fill.fillId,
      fill.clientOrderId,
      isoUtcFromUs(fill.localUs),
      Math.round(fill.localUs),
      // The execution time beside the receipt time (the mid at the fill and its markouts are taken here).
      isoUtcFromUs(fill.exchUs),
      Math.round(fill.exchUs),
      fill.side,
      fill.priceText,
      fill.sizeText,
      money(fill.fee),
      fill.liquidity,
      // why: a mid may sit on a half tick and a fair value anywhere: one and two digits beyond the tick.
      ticksText(fill.midAtFill, tick, 1),
      ticksText(fill.fairValueAtFill, tick, 2),
      lot.format(fill.inventoryAfter),
      // Every export of a live session says so on every row.
      fill.execution === 'live' ? 'LIVE' : 'paper',
    ]);
  }
}

function* orderLines(store: SqliteStore, query: ExportQuery): Generator<string> {
  const sessionOf = new Map<number, { readonly lot: DecimalGrid; readonly execution: string }>();
  const gridOf = gridCache();
  yield csvLine(ORDER_HEADER);
  for (const order of store.iterateOrders(query.sessionId)) {
    let session = sessionOf.get(order.sessionId);
    if (session === undefined) {
      const row = store.session(order.sessionId);
      session = { lot: gridOf(row?.lotSize ?? '1'), execution: row?.execution === 'live' ? 'LIVE' : 'paper' };
      sessionOf.set(order.sessionId, session);
    }
    const lot = session.lot;
    yield csvLine([
      order.sessionId,
      order.clientOrderId,
      isoUtcFromUs(order.createdUs),
      order.side,
      order.priceText,
      order.sizeText,
      lot.format(order.filled),
      order.timeInForce,
      order.postOnly ? 'true' : 'false',
      order.purpose,
      order.status,
      isoUtcFromUs(order.updatedUs),
      session.execution,
    ]);
  }
}

function* auditLines(store: SqliteStore, query: ExportQuery): Generator<string> {
  yield csvLine(AUDIT_HEADER);
  for (const entry of store.iterateAudit(query.sessionId)) {
    yield csvLine([entry.seq, entry.sessionId === 0 ? '' : entry.sessionId, isoUtcFromUs(entry.localUs), entry.who, entry.action, JSON.stringify(entry.detail)]);
  }
}

export type CsvKind = 'fills' | 'orders' | 'audit';

/**
 * The export's lines, header first, one row at a time: a caller that streams them (the HTTP download)
 * can stop between any two rows to let other work run. The read transaction lasts until the generator
 * finishes or is returned.
 */
export function csvLines(kind: CsvKind, store: SqliteStore, query: ExportQuery = {}): Generator<string> {
  switch (kind) {
    case 'fills':
      return fillLines(store, query);
    case 'orders':
      return orderLines(store, query);
    case 'audit':
      return auditLines(store, query);
  }
}

function toText(lines: Iterable<string>): string {
  const parts: string[] = [];
  for (const line of lines) parts.push(line);
  return parts.join('');
}

/**
 * Writes through a temporary file beside `outPath`, synced and renamed over it; nothing is left on failure.
 * The target is refused (OutputFileError) when it is the database or one of its -wal/-shm files, a folder,
 * a device, or in a folder that is missing or unwritable.
 */
function toFile(store: SqliteStore, outPath: string, lines: Iterable<string>): ExportResult {
  const output = { path: outPath, name: 'the export' };
  const target = checkOutput(output, databaseFiles(store.path, 'the database'));
  const temp = createTempBeside(output, target);
  let open = true;
  try {
    const handle = temp.fd;
    let buffer = '';
    // The header is not a row.
    let rows = -1;
    for (const line of lines) {
      rows++;
      buffer += line;
      if (buffer.length >= 65_536) {
        writeSync(handle, buffer);
        buffer = '';
      }
    }
    if (buffer.length > 0) writeSync(handle, buffer);
    fsyncSync(handle);
    open = false;
    closeSync(handle);
    publishTemp(temp, target);
    return { path: target, rows: Math.max(0, rows) };
  } catch (error) {
    discardTemp(temp, open);
    throw toStoreError(error, target, 'writing the CSV export');
  }
}

export function fillsCsv(store: SqliteStore, query: ExportQuery = {}): string {
  return toText(csvLines('fills', store, query));
}

export function ordersCsv(store: SqliteStore, query: ExportQuery = {}): string {
  return toText(csvLines('orders', store, query));
}

export function auditCsv(store: SqliteStore, query: ExportQuery = {}): string {
  return toText(csvLines('audit', store, query));
}

export function exportFillsCsv(store: SqliteStore, query: ExportQuery, outPath: string): ExportResult {
  return toFile(store, outPath, csvLines('fills', store, query));
}

export function exportOrdersCsv(store: SqliteStore, query: ExportQuery, outPath: string): ExportResult {
  return toFile(store, outPath, csvLines('orders', store, query));
}

export function exportAuditCsv(store: SqliteStore, query: ExportQuery, outPath: string): ExportResult {
  return toFile(store, outPath, csvLines('audit', store, query));
}
