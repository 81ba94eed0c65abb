/**
 * CSV exports of the committed fills, orders and audit trail, as library functions: the CLI
 * (`quotedesk export-fills`), the Electron save dialog and the HTTP download all call these.
 *
 * RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes
 * doubled. Prices and sizes are printed as the instrument prints them (the decimal text stored beside
 * the ticks/lots), times as ISO-8601 UTC with microseconds; a fill has two (`time_utc`/`local_us`: its
 * report's receipt; `exec_time_utc`/`exec_us`: its execution). A file export is written to a temporary file
 * beside the target, synced, and renamed over it, so a reader never sees half a file and a failed export
 * leaves nothing behind. Exports read committed data only; they never write to the database.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DecimalGrid } from '../../shared/units.js';
import type { LocalUs } from '../../shared/units.js';
import { StoreError, toStoreError } from './errors.js';
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
] as const;
const AUDIT_HEADER = ['seq', 'session_id', 'time_utc', 'who', 'action', 'detail'] as const;

type Cell = string | number;
type Sink = (line: string) => void;

/** One CSV field per RFC 4180. */
export function csvField(value: Cell): string {
  const text = typeof value === 'number' ? String(value) : value;
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

function gridCache(): (increment: string) => DecimalGrid {
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

/** A price in (possibly fractional) ticks as a decimal, with `extra` digits beyond the tick's own. */
function ticksText(ticks: number, grid: DecimalGrid, extra: number): string {
  if (!Number.isFinite(ticks)) return '';
  return grid.toNumber(ticks).toFixed(grid.decimals + extra);
}

function writeFills(store: SqliteStore, query: ExportQuery, sink: Sink): number {
  const gridOf = gridCache();
  sink(csvLine(FILL_HEADER));
  let rows = 0;
  for (const fill of store.iterateFills(query.sessionId)) {
    const tick = gridOf(fill.tickSize);
    const lot = gridOf(fill.lotSize);
    sink(
      csvLine([
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
      ]),
    );
    rows++;
  }
  return rows;
}

function writeOrders(store: SqliteStore, query: ExportQuery, sink: Sink): number {
  const lotOf = new Map<number, DecimalGrid>();
  const gridOf = gridCache();
  sink(csvLine(ORDER_HEADER));
  let rows = 0;
  for (const order of store.iterateOrders(query.sessionId)) {
    let lot = lotOf.get(order.sessionId);
    if (lot === undefined) {
      const session = store.session(order.sessionId);
      lot = gridOf(session?.lotSize ?? '1');
      lotOf.set(order.sessionId, lot);
    }
    sink(
      csvLine([
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
      ]),
    );
    rows++;
  }
  return rows;
}

function writeAudit(store: SqliteStore, query: ExportQuery, sink: Sink): number {
  sink(csvLine(AUDIT_HEADER));
  let rows = 0;
  for (const entry of store.iterateAudit(query.sessionId)) {
    sink(csvLine([entry.seq, entry.sessionId === 0 ? '' : entry.sessionId, isoUtcFromUs(entry.localUs), entry.who, entry.action, JSON.stringify(entry.detail)]));
    rows++;
  }
  return rows;
}

function toText(write: (sink: Sink) => number): string {
  const parts: string[] = [];
  write((line) => parts.push(line));
  return parts.join('');
}

/** Writes through a temporary file beside `outPath`, synced and renamed over it; nothing is left on failure. */
function toFile(outPath: string, write: (sink: Sink) => number): ExportResult {
  const target = resolve(outPath);
  const dir = dirname(target);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (dirStat === undefined || !dirStat.isDirectory()) {
    throw new StoreError('cannot-create', target, `cannot write the export: directory ${dir} does not exist`);
  }
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx');
    const handle = fd;
    let buffer = '';
    const rows = write((line) => {
      buffer += line;
      if (buffer.length >= 65_536) {
        writeSync(handle, buffer);
        buffer = '';
      }
    });
    if (buffer.length > 0) writeSync(handle, buffer);
    fsyncSync(handle);
    closeSync(handle);
    fd = null;
    renameSync(temp, target);
    return { path: target, rows };
  } catch (error) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // why: the write error is the one worth reporting.
      }
    }
    rmSync(temp, { force: true });
    throw toStoreError(error, target, 'writing the CSV export');
  }
}

export function fillsCsv(store: SqliteStore, query: ExportQuery = {}): string {
  return toText((sink) => writeFills(store, query, sink));
}

export function ordersCsv(store: SqliteStore, query: ExportQuery = {}): string {
  return toText((sink) => writeOrders(store, query, sink));
}

export function auditCsv(store: SqliteStore, query: ExportQuery = {}): string {
  return toText((sink) => writeAudit(store, query, sink));
}

export function exportFillsCsv(store: SqliteStore, query: ExportQuery, outPath: string): ExportResult {
  return toFile(outPath, (sink) => writeFills(store, query, sink));
}

export function exportOrdersCsv(store: SqliteStore, query: ExportQuery, outPath: string): ExportResult {
  return toFile(outPath, (sink) => writeOrders(store, query, sink));
}

export function exportAuditCsv(store: SqliteStore, query: ExportQuery, outPath: string): ExportResult {
  return toFile(outPath, (sink) => writeAudit(store, query, sink));
}
