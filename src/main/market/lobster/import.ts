/**
 * `importLobster`: converts a LOBSTER message/orderbook pair into a recording in the capture format
 * (see `format.ts` for the line shape) and validates every message against the book file: applying
 * message k to book row k−1 must give row k within the displayed levels (types 1–5; a level that
 * scrolls into view from beyond level L comes from orders the file never showed, so only prices at or
 * better than row k−1's last displayed level are compared). Mismatches are counted and the first few
 * reported; they do not stop the import (the book rows are the recording's L-level state).
 * Bad input (missing file, wrong column count, non-numeric field, mismatched row counts, times going
 * backwards) throws a `LobsterInputError` naming the file and line, and nothing is left at `out`: the
 * recording is written to a temporary file beside it and renamed only when complete. An `out` that is one
 * of the two inputs (same file by device and inode), a folder, or in a missing or unwritable folder is an
 * `OutputFileError` before anything is read.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { checkOutput, createTempBeside, discardTemp, publishTemp } from '../../files/output-file.js';
import {
  LOBSTER_CONN_PREFIX,
  LOBSTER_EMPTY_ASK,
  LOBSTER_EMPTY_BID,
  lobsterTimeToUs,
  midnightUs,
  parseLobsterFileName,
  type LobsterEventType,
} from './format.js';

export class LobsterInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.name = 'LobsterInputError';
  }
}

export interface LobsterImportOptions {
  readonly messages: string;
  readonly orderbook: string;
  /** Output recording: `.jsonl` or `.jsonl.gz`. */
  readonly out: string;
  /** Defaults to the ticker in the file name (`GOOG_2012-06-21_...`). */
  readonly symbol?: string;
  /** YYYY-MM-DD; defaults to the date in the file name. */
  readonly date?: string;
  /** Time zone of LOBSTER's "seconds after midnight" (default America/New_York: NASDAQ). */
  readonly timeZone?: string;
  /** How many mismatches to describe in the result (all are counted). Default 20. */
  readonly maxReportedMismatches?: number;
  /** Called with the fraction of rows done (0..1), at most every 1% or so. */
  readonly onProgress?: (fraction: number) => void;
}

export interface LobsterMismatch {
  /** 1-based row number (= line in both files). */
  readonly row: number;
  readonly detail: string;
}

export interface LobsterImportResult {
  readonly out: string;
  readonly symbol: string;
  readonly date: string;
  readonly levels: number;
  readonly rows: number;
  /** Messages per LOBSTER type. */
  readonly byType: Readonly<Record<LobsterEventType, number>>;
  readonly trades: number;
  /** Messages checked against the book file (types 1–5 from row 2 on). */
  readonly checked: number;
  readonly mismatches: number;
  readonly firstMismatches: readonly LobsterMismatch[];
  readonly startUs: number;
  readonly endUs: number;
}

interface MessageRow {
  readonly timeText: string;
  readonly timeUs: number;
  readonly type: LobsterEventType;
  readonly id: number;
  readonly size: number;
  readonly price: number;
  readonly dir: 1 | -1;
}

/** Iterates the non-empty lines of a text (a final empty line is allowed; an empty line inside is not). */
function* lines(text: string): Generator<string> {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    yield line.trim();
    start = end + 1;
  }
}

function parseIntField(file: string, line: number, name: string, text: string): number {
  const value = Number(text);
  if (text.length === 0 || !Number.isInteger(value)) {
    throw new LobsterInputError(file, line, `${name} must be an integer, got "${text}"`);
  }
  return value;
}

function parseMessage(file: string, line: number, text: string): MessageRow {
  const f = text.split(',');
  if (f.length !== 6) {
    throw new LobsterInputError(file, line, `expected 6 columns (Time,Type,OrderID,Size,Price,Direction), got ${f.length}`);
  }
  const timeText = (f[0] ?? '').trim();
  const timeUs = lobsterTimeToUs(timeText);
  if (Number.isNaN(timeUs)) throw new LobsterInputError(file, line, `Time must be seconds after midnight, got "${timeText}"`);
  const type = parseIntField(file, line, 'Type', (f[1] ?? '').trim());
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4 && type !== 5 && type !== 7) {
    throw new LobsterInputError(file, line, `Type must be 1, 2, 3, 4, 5 or 7, got ${type}`);
  }
  const id = parseIntField(file, line, 'OrderID', (f[2] ?? '').trim());
  const size = parseIntField(file, line, 'Size', (f[3] ?? '').trim());
  const price = parseIntField(file, line, 'Price', (f[4] ?? '').trim());
  const dir = parseIntField(file, line, 'Direction', (f[5] ?? '').trim());
  if (dir !== 1 && dir !== -1) throw new LobsterInputError(file, line, `Direction must be 1 or -1, got ${dir}`);
  if (type !== 7 && (size < 0 || price < 0)) throw new LobsterInputError(file, line, `Size and Price must be ≥ 0`);
  return { timeText, timeUs, type, id, size, price, dir };
}

/** A displayed side: prices and sizes best first, `n` occupied levels. */
class Side {
  readonly px: number[] = [];
  readonly sz: number[] = [];
  n = 0;
  constructor(readonly isBid: boolean) {}
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }
  copyFrom(o: Side): void {
    this.n = o.n;
    for (let i = 0; i < o.n; i++) {
      this.px[i] = o.px[i] ?? 0;
      this.sz[i] = o.sz[i] ?? 0;
    }
  }
  indexOf(price: number): number {
    for (let i = 0; i < this.n; i++) if (this.px[i] === price) return i;
    return -1;
  }
  /** Adds (or subtracts with a negative delta) size at a price; false when removing from an absent level. */
  add(price: number, delta: number): boolean {
    const i = this.indexOf(price);
    if (i >= 0) {
      const size = (this.sz[i] ?? 0) + delta;
      if (size < 0) return false;
      if (size === 0) {
        this.px.splice(i, 1);
        this.sz.splice(i, 1);
        this.n--;
      } else this.sz[i] = size;
      return true;
    }
    if (delta <= 0) return false;
    let at = 0;
    while (at < this.n && this.better(this.px[at] ?? 0, price)) at++;
    this.px.splice(at, 0, price);
    this.sz.splice(at, 0, delta);
    this.n++;
    return true;
  }
}

function readRow(file: string, line: number, text: string, levels: number, bids: Side, asks: Side): void {
  const f = text.split(',');
  if (f.length !== levels * 4) {
    throw new LobsterInputError(file, line, `expected ${levels * 4} columns (${levels} levels × AskPrice,AskSize,BidPrice,BidSize), got ${f.length}`);
  }
  bids.n = 0;
  asks.n = 0;
  for (let l = 0; l < levels; l++) {
    const ap = parseIntField(file, line, `AskPrice ${l + 1}`, (f[4 * l] ?? '').trim());
    const as = parseIntField(file, line, `AskSize ${l + 1}`, (f[4 * l + 1] ?? '').trim());
    const bp = parseIntField(file, line, `BidPrice ${l + 1}`, (f[4 * l + 2] ?? '').trim());
    const bs = parseIntField(file, line, `BidSize ${l + 1}`, (f[4 * l + 3] ?? '').trim());
    if (ap !== LOBSTER_EMPTY_ASK && as > 0) {
      asks.px[asks.n] = ap;
      asks.sz[asks.n] = as;
      asks.n++;
    }
    if (bp !== LOBSTER_EMPTY_BID && bs > 0) {
      bids.px[bids.n] = bp;
      bids.sz[bids.n] = bs;
      bids.n++;
    }
  }
}

/**
 * Compares a computed side with the file's row within the known region: prices at or better than the
 * previous row's last displayed level when that row was full (everything when it was not).
 */
function sideMatches(computed: Side, actual: Side, prev: Side, levels: number): string | null {
  const full = prev.n >= levels;
  const cutoff = full ? (prev.px[levels - 1] ?? 0) : Number.NaN;
  const inRegion = (p: number): boolean => !full || p === cutoff || computed.better(p, cutoff);
  let i = 0;
  let j = 0;
  const limit = Math.min(computed.n, levels);
  for (;;) {
    while (i < limit && !inRegion(computed.px[i] ?? 0)) i++;
    while (j < actual.n && !inRegion(actual.px[j] ?? 0)) j++;
    const ci = i < limit;
    const aj = j < actual.n;
    if (!ci && !aj) return null;
    if (ci !== aj || computed.px[i] !== actual.px[j] || computed.sz[i] !== actual.sz[j]) {
      const c = ci ? `${computed.px[i]}×${computed.sz[i]}` : 'nothing';
      const a = aj ? `${actual.px[j]}×${actual.sz[j]}` : 'nothing';
      return `level ${j + 1}: expected ${c}, book file has ${a}`;
    }
    i++;
    j++;
  }
}

/** JSON of the levels of `cur` that differ from `prev` (absent in cur → size 0). */
function diffJson(prev: Side, cur: Side): string {
  let out = '';
  for (let i = 0; i < cur.n; i++) {
    const p = cur.px[i] ?? 0;
    const k = prev.indexOf(p);
    if (k < 0 || prev.sz[k] !== cur.sz[i]) out += `${out ? ',' : ''}[${p},${cur.sz[i]}]`;
  }
  for (let i = 0; i < prev.n; i++) {
    const p = prev.px[i] ?? 0;
    if (cur.indexOf(p) < 0) out += `${out ? ',' : ''}[${p},0]`;
  }
  return `[${out}]`;
}

function fullJson(side: Side): string {
  let out = '';
  for (let i = 0; i < side.n; i++) out += `${i ? ',' : ''}[${side.px[i]},${side.sz[i]}]`;
  return `[${out}]`;
}

async function readInput(file: string): Promise<string> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new LobsterInputError(file, 0, 'not a file');
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof LobsterInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new LobsterInputError(file, 0, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})`);
  }
}

/**
 * Writes text chunks to an open file (gzip when the name ends in .gz), honouring back-pressure. A write
 * error (a full disk) fails the next write or the close instead of leaving them waiting forever.
 */
class ChunkWriter {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private buffer = '';
  private failure: Error | null = null;
  private readonly failed: Promise<never>;
  constructor(fd: number, gz: boolean) {
    this.file = createWriteStream('', { fd });
    let reject: (error: Error) => void = () => undefined;
    this.failed = new Promise<never>((_, rejectFailed) => (reject = rejectFailed));
    this.failed.catch(() => undefined); // why: observed through the awaits below; never an unhandled rejection
    const fail = (e: Error): void => {
      this.failure ??= e;
      reject(e);
    };
    this.file.on('error', fail);
    this.gzip = gz ? createGzip({ level: 6 }) : null;
    if (this.gzip) {
      this.gzip.on('error', fail);
      this.gzip.pipe(this.file);
    }
  }
  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const target = this.gzip ?? this.file;
    const chunk = this.buffer;
    this.buffer = '';
    if (!target.write(chunk)) await Promise.race([new Promise<void>((resolve) => target.once('drain', resolve)), this.failed]);
  }
  async close(): Promise<void> {
    await this.flush();
    const done = new Promise<void>((resolve) => this.file.once('close', resolve));
    (this.gzip ?? this.file).end();
    await Promise.race([done, this.failed]);
    if (this.failure) throw this.failure;
  }
  /** Stops writing and resolves once the file descriptor is closed. */
  async destroy(): Promise<void> {
    const closed = this.file.closed ? Promise.resolve() : new Promise<void>((resolve) => this.file.once('close', () => resolve()));
    this.gzip?.destroy();
    this.file.destroy();
    await closed;
  }
}

export async function importLobster(options: LobsterImportOptions): Promise<LobsterImportResult> {
  const { messages: messageFile, orderbook: bookFile, out } = options;
  const output = { path: out, name: '--out' };
  const target = checkOutput(output, [
    { path: messageFile, name: '--messages' },
    { path: bookFile, name: '--orderbook' },
  ]);
  const fromName = parseLobsterFileName(messageFile);
  const symbol = options.symbol ?? fromName.symbol;
  const date = options.date ?? fromName.date;
  if (!symbol) throw new LobsterInputError(messageFile, 0, 'no symbol given and none in the file name (TICKER_YYYY-MM-DD_...)');
  if (!date) throw new LobsterInputError(messageFile, 0, 'no date given and none in the file name (TICKER_YYYY-MM-DD_...)');
  const dayUs = midnightUs(date, options.timeZone ?? 'America/New_York');
  const maxReported = options.maxReportedMismatches ?? 20;

  const [messageText, bookText] = await Promise.all([readInput(messageFile), readInput(bookFile)]);
  const firstBookLine = bookText.slice(0, bookText.indexOf('\n') >= 0 ? bookText.indexOf('\n') : bookText.length).trim();
  const columns = firstBookLine.length === 0 ? 0 : firstBookLine.split(',').length;
  if (columns === 0 || columns % 4 !== 0) {
    throw new LobsterInputError(bookFile, 1, `expected 4 columns per level (AskPrice,AskSize,BidPrice,BidSize), got ${columns}`);
  }
  const levels = columns / 4;
  const totalRows = Math.max(1, messageText.length);

  const temp = createTempBeside(output, target);
  const writer = new ChunkWriter(temp.fd, out.endsWith('.gz'));
  const conn = `${LOBSTER_CONN_PREFIX}.${symbol}`;
  const byType: Record<LobsterEventType, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 7: 0 };
  const mismatchList: LobsterMismatch[] = [];
  let mismatches = 0;
  let checked = 0;
  let trades = 0;
  let rows = 0;
  let startUs = Number.NaN;
  let lastUs = Number.NaN;
  try {
    const msgLines = lines(messageText);
    const bookLines = lines(bookText);
    let prevBids = new Side(true);
    let prevAsks = new Side(false);
    let curBids = new Side(true);
    let curAsks = new Side(false);
    const calcBids = new Side(true);
    const calcAsks = new Side(false);
    let consumed = 0;
    let lastProgress = 0;
    for (;;) {
      const m = msgLines.next();
      const b = bookLines.next();
      if (m.done && b.done) break;
      const row = rows + 1;
      if (m.done || b.done) {
        const [file, other] = m.done ? [messageFile, bookFile] : [bookFile, messageFile];
        throw new LobsterInputError(file, row, `file ends after ${rows} rows but ${other} has more: the pair must have the same number of rows`);
      }
      if (m.value.length === 0) throw new LobsterInputError(messageFile, row, 'empty line');
      if (b.value.length === 0) throw new LobsterInputError(bookFile, row, 'empty line');
      const msg = parseMessage(messageFile, row, m.value);
      readRow(bookFile, row, b.value, levels, curBids, curAsks);
      if (msg.timeUs < lastUs) throw new LobsterInputError(messageFile, row, `Time goes backwards (${msg.timeText})`);
      lastUs = msg.timeUs;
      if (rows === 0) startUs = dayUs + msg.timeUs;
      byType[msg.type]++;
      if (msg.type === 4 || msg.type === 5) trades++;

      if (rows > 0 && msg.type !== 7) {
        checked++;
        calcBids.copyFrom(prevBids);
        calcAsks.copyFrom(prevAsks);
        const side = msg.dir === 1 ? calcBids : calcAsks;
        let problem: string | null = null;
        if (msg.type === 1) {
          if (!side.add(msg.price, msg.size)) problem = 'cannot add';
        } else if (msg.type !== 5) {
          const inView = side.indexOf(msg.price) >= 0;
          if (!inView && prevSideFull(msg.dir === 1 ? prevBids : prevAsks, levels, msg.price)) {
            // Beyond the displayed levels: nothing to check against.
          } else if (!side.add(msg.price, -msg.size)) {
            problem = `type ${msg.type} removes ${msg.size} at ${msg.price} on the ${msg.dir === 1 ? 'bid' : 'ask'} side, which has ${inView ? side.sz[side.indexOf(msg.price)] : 'no level there'}`;
          }
        }
        if (problem === null) {
          const bidProblem = sideMatches(calcBids, curBids, prevBids, levels);
          const askProblem = bidProblem === null ? sideMatches(calcAsks, curAsks, prevAsks, levels) : null;
          if (bidProblem !== null) problem = `bid ${bidProblem}`;
          else if (askProblem !== null) problem = `ask ${askProblem}`;
        }
        if (problem !== null) {
          mismatches++;
          if (mismatchList.length < maxReported) mismatchList.push({ row, detail: `message "${m.value}": ${problem}` });
        }
      }

      const us = dayUs + msg.timeUs;
      const head =
        `{"recv_ts":${(us / 1e6).toFixed(6)},"kind":"ws","conn":"${conn}","msg":{"src":"lobster","sym":${JSON.stringify(symbol)},` +
        `"lv":${levels},"seq":${row},"t":"${msg.timeText}","type":${msg.type},"id":${msg.id},"size":${msg.size},"px":${msg.price},"dir":${msg.dir},`;
      const body =
        rows === 0
          ? `"snap":true,"b":${fullJson(curBids)},"a":${fullJson(curAsks)}}}\n`
          : `"b":${diffJson(prevBids, curBids)},"a":${diffJson(prevAsks, curAsks)}}}\n`;
      await writer.write(head + body);

      [prevBids, curBids] = [curBids, prevBids];
      [prevAsks, curAsks] = [curAsks, prevAsks];
      rows++;
      consumed += m.value.length + 1;
      if (options.onProgress && consumed - lastProgress > totalRows / 100) {
        lastProgress = consumed;
        options.onProgress(Math.min(1, consumed / totalRows));
      }
    }
    if (rows === 0) throw new LobsterInputError(messageFile, 0, 'no rows');
    await writer.close();
    publishTemp(temp, target);
  } catch (error) {
    await writer.destroy();
    discardTemp(temp, false);
    throw error;
  }
  options.onProgress?.(1);
  return {
    out,
    symbol,
    date,
    levels,
    rows,
    byType,
    trades,
    checked,
    mismatches,
    firstMismatches: mismatchList,
    startUs,
    endUs: dayUs + lastUs,
  };
}

/** The previous row showed a full side and `price` lies beyond its last displayed level. */
function prevSideFull(prev: Side, levels: number, price: number): boolean {
  if (prev.n < levels) return false;
  const last = prev.px[levels - 1] ?? 0;
  return prev.isBid ? price < last : price > last;
}
