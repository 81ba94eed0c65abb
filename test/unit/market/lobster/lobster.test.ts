import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createLobsterAdapter, importLobster, LobsterInputError, midnightUs } from '../../../../src/main/market/lobster/index.js';
import type { MarketTrade } from '../../../../src/main/market/types.js';
import { describeWithSharedData, sharedDataPath } from '../../../support/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'qd-lobster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const L10 = {
  messages: sharedDataPath('lobster', 'GOOG_2012-06-21_L10_first2000rows', 'GOOG_2012-06-21_34200000_57600000_message_10.first2000.csv'),
  orderbook: sharedDataPath('lobster', 'GOOG_2012-06-21_L10_first2000rows', 'GOOG_2012-06-21_34200000_57600000_orderbook_10.first2000.csv'),
};
const L5 = {
  messages: sharedDataPath('lobster', 'GOOG_2012-06-21_L5', 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
  orderbook: sharedDataPath('lobster', 'GOOG_2012-06-21_L5', 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
};

function readLines(file: string): Array<{ recv_ts: number; kind: 'ws' | 'rest'; conn: string; msg: unknown }> {
  const raw = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { recv_ts: number; kind: 'ws' | 'rest'; conn: string; msg: unknown });
}

function noLeftovers(): void {
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
}

describe('LOBSTER time', () => {
  it('puts 09:30 New York on 2012-06-21 at 13:30 UTC', () => {
    expect(midnightUs('2012-06-21', 'America/New_York') + 34_200 * 1e6).toBe(Date.UTC(2012, 5, 21, 13, 30) * 1000);
    expect(midnightUs('2012-01-10', 'America/New_York') + 34_200 * 1e6).toBe(Date.UTC(2012, 0, 10, 14, 30) * 1000);
  });
});

describeWithSharedData('importLobster on real LOBSTER files', () => {
  it('imports the full GOOG L5 day with 0 mismatches', async () => {
    const out = join(dir, 'goog-l5.jsonl.gz');
    const progress: number[] = [];
    const r = await importLobster({ ...L5, out, onProgress: (f) => progress.push(f) });
    expect(r).toMatchObject({ symbol: 'GOOG', date: '2012-06-21', levels: 5, rows: 112_673, checked: 112_672, mismatches: 0 });
    expect(r.trades).toBe(r.byType[4] + r.byType[5]);
    expect(r.startUs).toBe(Date.UTC(2012, 5, 21, 13, 30, 0, 15) * 1000 + 105);
    expect(progress.at(-1)).toBe(1);
    expect(existsSync(out)).toBe(true);
    noLeftovers();
  });

  it('imports the L10 slice with 0 mismatches, and the adapter rebuilds every book row from the recording', async () => {
    const out = join(dir, 'goog-l10.jsonl');
    const r = await importLobster({ ...L10, out });
    expect(r).toMatchObject({ rows: 2000, levels: 10, mismatches: 0 });
    const lines = readLines(out);
    expect(lines).toHaveLength(2000);
    expect(lines[0]?.conn).toBe('LOBSTER.GOOG');
    const rows = readFileSync(L10.orderbook, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const messages = readFileSync(L10.messages, 'utf8').trim().split('\n').map((l) => l.split(','));
    const adapter = createLobsterAdapter('GOOG');
    const trades: MarketTrade[] = [];
    adapter.setSink({ onTrade: (t) => trades.push({ ...t }), onFeedEvent: () => undefined });
    const px = new Float64Array(10);
    const sz = new Float64Array(10);
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      expect(adapter.onMessage(line.kind, line.msg, Math.round(line.recv_ts * 1e6))).toBe(true);
      expect(adapter.trusted()).toBe(true);
      const row = rows[k]!;
      const n = adapter.book.top('ask', 10, px, sz);
      const expectedAsks: number[][] = [];
      const expectedBids: number[][] = [];
      for (let l = 0; l < 10; l++) {
        if (row[4 * l + 1]! > 0) expectedAsks.push([row[4 * l]! / 100, row[4 * l + 1]!]);
        if (row[4 * l + 3]! > 0) expectedBids.push([row[4 * l + 2]! / 100, row[4 * l + 3]!]);
      }
      expect(Array.from({ length: n }, (_, i) => [px[i], sz[i]])).toEqual(expectedAsks);
      const m = adapter.book.top('bid', 10, px, sz);
      expect(Array.from({ length: m }, (_, i) => [px[i], sz[i]])).toEqual(expectedBids);
    }
    expect(adapter.counters).toMatchObject({ messages: 2000, applied: 2000, gaps: 0, crossedBooks: 0, malformed: 0 });
    // Aggressor: an execution of a sell limit order (direction −1) is a buyer-initiated trade.
    const executions = messages.filter((f) => f[1] === '4' || f[1] === '5');
    expect(trades).toHaveLength(executions.length);
    for (let i = 0; i < trades.length; i++) {
      expect(trades[i]!.aggressor).toBe(executions[i]![5] === '-1' ? 'buy' : 'sell');
      expect(trades[i]!.size).toBe(Number(executions[i]![3]));
    }
  });

  it('reports a mismatch when the book file disagrees with the messages', async () => {
    const rows = readFileSync(L10.orderbook, 'utf8').split('\n');
    const f = rows[500]!.split(',');
    f[3] = String(Number(f[3]) + 7); // best bid size off by 7 shares
    rows[500] = f.join(',');
    const book = join(dir, 'GOOG_2012-06-21_bad_orderbook.csv');
    writeFileSync(book, rows.join('\n'));
    const r = await importLobster({ messages: L10.messages, orderbook: book, out: join(dir, 'bad.jsonl') });
    expect(r.mismatches).toBeGreaterThanOrEqual(1);
    expect(r.firstMismatches[0]?.row).toBe(501);
    expect(r.firstMismatches[0]?.detail).toMatch(/bid level 1/);
  });

  it('a dropped line makes the adapter untrusted (a gap), never silently wrong', () => {
    const lines = readLines(join(dir, 'goog-l10.jsonl'));
    const adapter = createLobsterAdapter('GOOG');
    const events: string[] = [];
    adapter.setSink({ onTrade: () => undefined, onFeedEvent: (e) => events.push(e.type === 'untrusted' ? `untrusted:${e.cause}` : e.type) });
    for (let k = 0; k < 20; k++) {
      if (k === 10) continue;
      const line = lines[k]!;
      adapter.onMessage('ws', line.msg, Math.round(line.recv_ts * 1e6));
    }
    expect(adapter.trusted()).toBe(false);
    expect(adapter.counters.gaps).toBe(1);
    expect(events).toEqual(['trusted', 'untrusted:gap']);
    expect(adapter.takeAction()).toEqual({ type: 'none' });
  });
});

describe('importLobster bad input', () => {
  const msg = (text: string): string => {
    const p = join(dir, `X_2012-06-21_m_${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(p, text);
    return p;
  };
  const good = '34200.1,1,11,100,1000000,1\n34200.2,1,12,50,1010000,-1\n';
  const book = '9999999999,0,1000000,100\n1010000,50,1000000,100\n';

  async function fails(messages: string, orderbook: string, pattern: RegExp): Promise<void> {
    const out = join(dir, `never-${Math.random().toString(36).slice(2)}.jsonl`);
    await expect(importLobster({ messages, orderbook, out })).rejects.toThrow(pattern);
    await expect(importLobster({ messages, orderbook, out })).rejects.toBeInstanceOf(LobsterInputError);
    expect(existsSync(out)).toBe(false);
    noLeftovers();
  }

  it('accepts a tiny well-formed pair', async () => {
    const out = join(dir, 'tiny.jsonl');
    const r = await importLobster({ messages: msg(good), orderbook: msg(book), out });
    expect(r).toMatchObject({ rows: 2, levels: 1, mismatches: 0, symbol: 'X' });
  });

  it('names a missing file', async () => {
    await fails(join(dir, 'X_2012-06-21_nope.csv'), msg(book), /X_2012-06-21_nope\.csv: file not found/);
  });
  it('names the file and line of a wrong column count', async () => {
    const m = msg('34200.1,1,11,100,1000000,1\n34200.2,1,12,50,1010000\n');
    await fails(m, msg(book), new RegExp(`${m.replace(/[.]/g, '\\.')}:2: expected 6 columns`));
  });
  it('names the field of a non-numeric value', async () => {
    const b = msg('9999999999,0,1000000,100\n1010000,abc,1000000,100\n');
    await fails(msg(good), b, /:2: AskSize 1 must be an integer, got "abc"/);
  });
  it('rejects mismatched row counts', async () => {
    await fails(msg(good + '34200.3,3,12,50,1010000,-1\n'), msg(book), /ends after 2 rows .* same number of rows/);
  });
  it('rejects an unknown type and a bad direction', async () => {
    await fails(msg('34200.1,6,11,100,1000000,1\n34200.2,1,12,50,1010000,-1\n'), msg(book), /:1: Type must be/);
    await fails(msg('34200.1,1,11,100,1000000,0\n34200.2,1,12,50,1010000,-1\n'), msg(book), /:1: Direction must be 1 or -1/);
  });
  it('needs a symbol and date from the name or the options', async () => {
    const m = join(dir, 'plain.csv');
    writeFileSync(m, good);
    await expect(importLobster({ messages: m, orderbook: msg(book), out: join(dir, 'p.jsonl') })).rejects.toThrow(/no symbol given/);
  });
});
