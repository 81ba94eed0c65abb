/**
 * CSV exports of fills, orders and the audit trail: RFC 4180 quoting, header row, decimals as the
 * instrument prints them, ISO-8601 UTC times, session filter, formula cells neutralised, and an atomic file
 * write that never replaces the database it reads (same file by device and inode), a folder or a device.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputFileError } from '../../../src/main/files/output-file.js';
import {
  auditCsv,
  csvField,
  exportAuditCsv,
  exportFillsCsv,
  exportOrdersCsv,
  fillsCsv,
  isoUtcFromUs,
  openStore,
  ordersCsv,
} from '../../../src/main/storage/index.js';
import type { SqliteStore } from '../../../src/main/storage/index.js';
import { asUnprivileged, listDir, makeFill, makeOrder, makeTempDir, sessionMeta, sha256 } from './helpers.js';

let dir: string;
let cleanup: () => void;
let store: SqliteStore;
let s1: number;
let s2: number;

/** Minimal RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  store = openStore(join(dir, 'x.db'), { scheduleFlush: () => {}, logger: () => {} });
  s1 = store.openSession(sessionMeta());
  s2 = store.openSession(sessionMeta({ symbol: 'DOGE-USD', tickSize: '0.00001', lotSize: '1' }));
  store.journalOrder(s1, makeOrder('b,1', { size: 1_500, price: 6_500_012 }), Date.UTC(2024, 2, 1, 14, 30, 0) * 1000 + 123_456);
  store.recordFill(
    makeFill(s1, 1, { fillId: 'f"1', clientOrderId: 'b,1', side: 'buy', price: 6_500_012, size: 500, fee: -0.0000001, midAtFill: 6_500_012.5, fairValueAtFill: Number.NaN, inventoryAfter: 500, localUs: Date.UTC(2024, 2, 1, 14, 30, 1) * 1000 + 7, exchUs: Date.UTC(2024, 2, 1, 14, 30, 0) * 1000 + 995_007 }),
  );
  store.recordFill(makeFill(s2, 2, { price: 12_345, size: 3, inventoryAfter: -3, side: 'sell', midAtFill: 12_346, fairValueAtFill: 12_345.75 }));
  store.audit({ sessionId: s1, localUs: 1_000_000, who: 'operator:http', action: 'params', detail: { note: 'line1\nline2, "x"' } });
  store.flushSync();
});

afterEach(() => {
  store.close();
  cleanup();
});

describe('csv helpers', () => {
  it('quotes only when needed, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(-1.5)).toBe('-1.5');
  });

  it('neutralises cells a spreadsheet would run as a formula, but not plain numbers', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+cmd|/c calc')).toBe("'+cmd|/c calc");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('-')).toBe("'-");
    for (const plain of ['-0.0125', '-3', '+1.5', '-1e-7', '-.5', '65000.12', 'a=b']) expect(csvField(plain)).toBe(plain);
    expect(csvField(-0.0000001)).toBe('-1e-7');
  });

  it('a fill id or an audit note that looks like a formula reaches the file neutralised', () => {
    store.recordFill(makeFill(s2, 3, { fillId: '=1+1', clientOrderId: '@x' }));
    store.audit({ sessionId: s2, localUs: 2_000_000, who: '-operator', action: 'note', detail: {} });
    store.flushSync();
    const fill = parseCsv(fillsCsv(store, { sessionId: s2 })).find((row) => row[1] === "'=1+1");
    expect(fill?.slice(1, 3)).toEqual(["'=1+1", "'@x"]);
    expect(fill?.[10]).toBe('-0.0125');
    expect(parseCsv(auditCsv(store, { sessionId: s2 }))[1]?.[3]).toBe("'-operator");
  });

  it('prints µs times as ISO-8601 UTC with microseconds', () => {
    expect(isoUtcFromUs(Date.UTC(2024, 2, 1, 14, 30, 0) * 1000 + 123_456)).toBe('2024-03-01T14:30:00.123456Z');
    expect(isoUtcFromUs(7)).toBe('1970-01-01T00:00:00.000007Z');
  });
});

describe('fills', () => {
  it('has a header, one row per fill oldest first, decimals per instrument, RFC 4180 quoting', () => {
    const text = fillsCsv(store);
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, first, second, ...rest] = parseCsv(text);
    expect(rest).toEqual([]);
    expect(header).toEqual([
      'session_id', 'fill_id', 'client_order_id', 'time_utc', 'local_us', 'exec_time_utc', 'exec_us', 'side', 'price', 'size', 'fee', 'liquidity',
      'mid_at_fill', 'fair_value_at_fill', 'inventory_after', 'execution',
    ]);
    // Both times of a fill: the receipt of its report, and its execution 5 ms earlier.
    expect(first).toEqual([
      String(s1), 'f"1', 'b,1', '2024-03-01T14:30:01.000007Z', String(Date.UTC(2024, 2, 1, 14, 30, 1) * 1000 + 7),
      '2024-03-01T14:30:00.995007Z', String(Date.UTC(2024, 2, 1, 14, 30, 0) * 1000 + 995_007), 'buy', '65000.12', '0.500',
      '-0.0000001', 'maker', '65000.125', '', '0.500', 'paper',
    ]);
    expect(second?.slice(7)).toEqual(['sell', '0.12345', '3', '-0.0125', 'maker', '0.123460', '0.1234575', '-3', 'paper']);
  });

  it('filters by session', () => {
    const rows = parseCsv(fillsCsv(store, { sessionId: s2 }));
    expect(rows).toHaveLength(2);
    expect(rows[1]?.[0]).toBe(String(s2));
  });

  it('writes a file atomically (no temp file left) and replaces an older export', () => {
    const out = join(dir, 'fills.csv');
    writeFileSync(out, 'old export');
    const result = exportFillsCsv(store, {}, out);
    expect(result).toEqual({ path: out, rows: 2 });
    expect(readFileSync(out, 'utf8')).toBe(fillsCsv(store));
    expect(listDir(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a destination whose directory does not exist, leaving nothing', () => {
    const out = join(dir, 'nope', 'fills.csv');
    expect(() => exportFillsCsv(store, {}, out)).toThrow(OutputFileError);
    expect(() => exportFillsCsv(store, {}, out)).toThrow(/nope.*does not exist/);
  });

  it('never replaces the database, its -wal or -shm, by path, symbolic link or hard link', () => {
    const db = store.path;
    symlinkSync(db, join(dir, 'link.csv'));
    linkSync(db, join(dir, 'hard.csv'));
    const before = listDir(dir);
    const dbHash = sha256(db);
    for (const [out, why] of [
      [db, /is the database/],
      [`${db}-wal`, /write-ahead log/],
      [`${db}-shm`, /shared-memory/],
      [join(dir, 'link.csv'), /through a link/],
      [join(dir, 'hard.csv'), /hard link/],
      [`${db}-journal`, /journal/], // absent: refused by name
    ] as const) {
      expect(() => exportFillsCsv(store, {}, out), out).toThrow(why);
    }
    expect(sha256(db)).toBe(dbHash);
    expect(listDir(dir)).toEqual(before);
    expect(store.fills({ limit: 10 })).toHaveLength(2);
  });

  it('refuses a folder, a pipe and a folder it cannot write in, leaving the old export', () => {
    mkdirSync(join(dir, 'folder.csv'));
    expect(() => exportFillsCsv(store, {}, join(dir, 'folder.csv'))).toThrow(/is a folder/);
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    expect(() => exportFillsCsv(store, {}, join(dir, 'pipe.csv'))).toThrow(/not a regular file/);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    writeFileSync(join(locked, 'fills.csv'), 'old export');
    // why: as root permissions do not apply; the step runs as nobody (the folder stays root's, 0755).
    expect(() => asUnprivileged(() => exportFillsCsv(store, {}, join(locked, 'fills.csv')))).toThrow(/cannot write in folder .*locked/);
    expect(readFileSync(join(locked, 'fills.csv'), 'utf8')).toBe('old export');
    expect(listDir(locked)).toEqual(['fills.csv']);
  });
});

describe('orders and audit', () => {
  it('exports orders with their state', () => {
    const rows = parseCsv(ordersCsv(store));
    expect(rows[0]).toEqual(['session_id', 'client_order_id', 'created_utc', 'side', 'price', 'size', 'filled', 'time_in_force', 'post_only', 'purpose', 'status', 'updated_utc', 'execution']);
    expect(rows[1]).toEqual([String(s1), 'b,1', '2024-03-01T14:30:00.123456Z', 'buy', '65000.12', '1.500', '0.500', 'gtc', 'true', 'quote', 'open', '2024-03-01T14:30:01.000007Z', 'paper']);
    const out = join(dir, 'orders.csv');
    expect(exportOrdersCsv(store, { sessionId: s1 }, out).rows).toBe(1);
  });

  it('marks every row of a live session LIVE, in the fills and the orders', () => {
    const live = store.openSession(sessionMeta({ execution: 'live', endpoint: 'testnet', baselineLots: 0 }));
    store.journalOrder(live, makeOrder('L1'), 1_700_000_000_000_000);
    store.recordFill(makeFill(live, 1, { clientOrderId: 'L1' }));
    store.flushSync();
    const fills = parseCsv(fillsCsv(store, { sessionId: live }));
    const orders = parseCsv(ordersCsv(store, { sessionId: live }));
    expect(fills.slice(1).map((row) => row[row.length - 1])).toEqual(['LIVE']);
    expect(orders.slice(1).map((row) => row[row.length - 1])).toEqual(['LIVE']);
  });

  it('exports the audit trail with its detail as JSON in one field', () => {
    const rows = parseCsv(auditCsv(store));
    expect(rows[0]).toEqual(['seq', 'session_id', 'time_utc', 'who', 'action', 'detail']);
    expect(rows[1]?.slice(1)).toEqual([String(s1), '1970-01-01T00:00:01.000000Z', 'operator:http', 'params', '{"note":"line1\\nline2, \\"x\\""}']);
    expect(JSON.parse(rows[1]?.[5] ?? '')).toEqual({ note: 'line1\nline2, "x"' });
    expect(exportAuditCsv(store, {}, join(dir, 'audit.csv')).rows).toBe(1);
  });
});
