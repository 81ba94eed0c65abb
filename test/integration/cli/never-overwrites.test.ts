/**
 * Files are never destroyed, through the built CLI as a user runs it: every command that writes
 * (`export-fills`, `import-lobster`, `record`, `backtest --db`, `serve --db`) pointed at its own input or
 * database — by path, symbolic link and hard link — at a folder, a pipe, a missing folder and (as the
 * unprivileged user) a folder it cannot write exits 2 with one line naming the flag and the file, leaves
 * every input byte for byte as it was and writes nothing; `record` fails before it asks the venue anything.
 * A good run replaces an older output whole. Recordings that are empty or a folder are one line too. Real
 * files in a temp folder, a real SQLite database, a real HTTP server on 127.0.0.1; no ../shared needed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/storage/index.js';
import { CLI } from '../../support/serve-process.js';
import { writeForeignCapture } from '../../support/foreign-capture.js';
import { makeFill, sessionMeta } from '../../unit/storage/helpers.js';
import { readSessions, runCli, type CliResult } from '../backtest/backtest-support.js';

const dir = mkdtempSync(join(tmpdir(), 'qd-never-'));
chmodSync(dir, 0o755); // why: the unprivileged runs must reach the files in here
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const listing = (folder = dir): string[] => readdirSync(folder).sort();
const asRoot = process.geteuid?.() === 0;

/** Runs the CLI as `nobody` when the suite runs as root (root ignores permissions), else as the user. */
function runUnprivileged(args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A folder the CLI cannot write in: root's 0755 folder for `nobody`, or 0555 when not root. */
function lockedFolder(name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder, { mode: asRoot ? 0o755 : 0o555 });
  return folder;
}

function expectRefused(result: CliResult, ...mentions: string[]): void {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^quotedesk: /);
  for (const text of mentions) expect(lines[0]).toContain(text);
}

/** A three-row LOBSTER level-1 pair whose messages agree with the book file. */
function writeLobsterPair(): { messages: string; orderbook: string } {
  const messages = join(dir, 'GOOG_2012-06-21_34200000_57600000_message_1.csv');
  const orderbook = join(dir, 'GOOG_2012-06-21_34200000_57600000_orderbook_1.csv');
  writeFileSync(messages, '34200.000001,1,1,100,5800000,1\n34200.100000,1,2,50,5800000,1\n34200.200000,3,2,50,5800000,1\n');
  writeFileSync(orderbook, '5801000,30,5800000,100\n5801000,30,5800000,150\n5801000,30,5800000,100\n');
  return { messages, orderbook };
}

describe('--help of the writing commands', () => {
  it('shows every flag and the output rule, even without the required flags', async () => {
    for (const command of ['export-fills', 'import-lobster', 'record', 'inspect', 'backtest', 'serve']) {
      const result = await runCli([command, '--help']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^quotedesk ${command}: `));
      expect(result.stdout).toMatch(/^(OUTPUT|SPEC): /m);
    }
  });
});

describe('export-fills', () => {
  const db = join(dir, 'desk.db');
  let dbHash = '';

  beforeAll(() => {
    const store = openStore(db, { logger: () => undefined });
    const session = store.openSession(sessionMeta());
    store.recordFill(makeFill(session, 1, { fillId: '=HYPERLINK("http://x")', clientOrderId: '+O1', fee: -0.0125 }));
    store.recordFill(makeFill(session, 2));
    store.flushSync();
    store.close();
    dbHash = sha(db);
    symlinkSync(db, join(dir, 'db-link.csv'));
    linkSync(db, join(dir, 'db-hard.csv'));
    mkdirSync(join(dir, 'a-folder.csv'));
    execFileSync('mkfifo', [join(dir, 'a-pipe.csv')]);
  });

  it('refuses the database, a link to it, its -wal, a folder, a pipe and a missing folder; the database is untouched', async () => {
    for (const [out, text] of [
      [db, `--out ${db} is --db ${db}`],
      [join(dir, 'db-link.csv'), 'same file as --db'],
      [join(dir, 'db-hard.csv'), 'a hard link'],
      [`${db}-wal`, 'write-ahead log'],
      [join(dir, 'a-folder.csv'), 'is a folder'],
      [join(dir, 'a-pipe.csv'), 'not a regular file'],
      [join(dir, 'missing', 'fills.csv'), 'folder'],
    ] as const) {
      const before = listing();
      expectRefused(await runCli(['export-fills', '--db', db, '--out', out]), text);
      expect(sha(db)).toBe(dbHash);
      expect(listing()).toEqual(before);
    }
    expect(readSessions(db)).toHaveLength(1);
  });

  it('replaces an older export whole, with formula cells neutralised', async () => {
    const out = join(dir, 'fills.csv');
    writeFileSync(out, 'an older export');
    const result = await runCli(['export-fills', '--db', db, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`wrote 2 fills to ${out}\n`);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^\d+,"'=HYPERLINK\(""http:\/\/x""\)",'\+O1,/);
    expect(rows[1]).toContain(',-0.0125,');
    expect(listing().filter((file) => file.includes('.tmp-'))).toEqual([]);
  });
});

describe('import-lobster', () => {
  let pair: { messages: string; orderbook: string };
  let hashes: string[] = [];

  beforeAll(() => {
    pair = writeLobsterPair();
    hashes = [sha(pair.messages), sha(pair.orderbook)];
    symlinkSync(pair.messages, join(dir, 'messages-link.jsonl'));
    linkSync(pair.orderbook, join(dir, 'orderbook-hard.jsonl'));
  });

  const args = (out: string): string[] => ['import-lobster', '--messages', pair.messages, '--orderbook', pair.orderbook, '--out', out];

  it('refuses its own inputs by path, symbolic and hard link, a folder and a missing folder; inputs untouched', async () => {
    for (const [out, text] of [
      [() => pair.messages, '--messages'],
      [() => pair.orderbook, '--orderbook'],
      [() => join(dir, 'messages-link.jsonl'), 'same file as --messages'],
      [() => join(dir, 'orderbook-hard.jsonl'), 'same file as --orderbook'],
      [() => join(dir, 'a-folder.csv'), 'is a folder'],
      [() => '/missing/dir/x.jsonl.gz', '--out /missing/dir/x.jsonl.gz: folder /missing/dir does not exist'],
    ] as const) {
      const before = listing();
      expectRefused(await runCli(args(out())), '--out', text);
      expect([sha(pair.messages), sha(pair.orderbook)]).toEqual(hashes);
      expect(listing()).toEqual(before);
    }
  });

  it('refuses a folder it cannot write, writing nothing', async () => {
    const locked = lockedFolder('locked-import');
    expectRefused(await runUnprivileged(args(join(locked, 'goog.jsonl.gz'))), '--out', 'cannot write in folder', 'locked-import');
    expect(listing(locked)).toEqual([]);
  });

  it('replaces an older recording whole (gzip), leaving no temporary file', async () => {
    const out = join(dir, 'goog.jsonl.gz');
    writeFileSync(out, 'an older recording');
    const result = await runCli(args(out));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^GOOG 2012-06-21: 3 rows \(1 levels\).* 0 mismatches/);
    const replayed = await runCli(['backtest', '--recording', out, '--db', join(dir, 'goog.db'), '--json']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ symbol: 'GOOG', events: 3 });
    expect(listing().filter((file) => file.includes('.tmp-'))).toEqual([]);
  });
});

describe('record', () => {
  let venue: Server;
  let requests = 0;

  beforeAll(async () => {
    // A venue that counts what it is asked: a refused output must fail before any request.
    venue = createServer((_req, res) => {
      requests++;
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => venue.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => venue.close(() => resolve())));

  it('refuses a folder, a missing folder and a folder it cannot write, before asking the venue', async () => {
    const restUrl = `http://127.0.0.1:${(venue.address() as AddressInfo).port}`;
    const args = (out: string): string[] => ['record', '--venue', 'binance-spot', '--symbol', 'ETHUSDT', '--out', out, '--rest-url', restUrl, '--ws-url', restUrl.replace('http', 'ws')];
    mkdirSync(join(dir, 'a-folder.jsonl'));
    expectRefused(await runCli(args(join(dir, 'a-folder.jsonl'))), '--out', 'is a folder');
    expectRefused(await runCli(args(join(dir, 'missing', 'x.jsonl'))), '--out', 'does not exist');
    const locked = lockedFolder('locked-record');
    expectRefused(await runUnprivileged(args(join(locked, 'x.jsonl.gz'))), '--out', 'cannot write in folder', 'locked-record');
    expect(listing(locked)).toEqual([]);
    expect(requests).toBe(0);
  });
});

describe('backtest and serve: the database is never one of the inputs; bad recordings are one line', () => {
  let recording = '';
  let params = '';

  beforeAll(() => {
    recording = writeForeignCapture(join(dir, 'eth.jsonl'), { updates: 50 }).file;
    params = join(dir, 'params.json');
    writeFileSync(params, '{}');
    symlinkSync(recording, join(dir, 'eth-link.db'));
    writeFileSync(join(dir, 'empty.jsonl'), '');
    writeFileSync(join(dir, 'blank.jsonl.gz'), gzipSync('\n\n'));
  });

  it('backtest --db that is the recording, the params file or a link to them: exit 2, inputs untouched', async () => {
    const hashes = [sha(recording), sha(params)];
    for (const [db, text] of [
      [recording, `--db ${recording} is --recording`],
      [params, `--db ${params} is --params`],
      [join(dir, 'eth-link.db'), 'same file as --recording'],
      [join(dir, 'missing', 'x.db'), 'does not exist'],
    ] as const) {
      const before = listing();
      expectRefused(await runCli(['backtest', '--recording', recording, '--params', params, '--db', db]), '--db', text);
      expect(listing()).toEqual(before);
    }
    expect([sha(recording), sha(params)]).toEqual(hashes);
  });

  it('a recording that is a folder, empty, or blank once unzipped: exit 2, one line, no database created', async () => {
    for (const [file, text] of [
      [dir, 'is a folder, not a capture file'],
      [join(dir, 'empty.jsonl'), 'is empty'],
      [join(dir, 'blank.jsonl.gz'), 'holds no frames'],
    ] as const) {
      const db = join(dir, 'never.db');
      expectRefused(await runCli(['backtest', '--recording', file, '--db', db]), file, text);
      expectRefused(await runCli(['inspect', '--venue', 'binance-spot', '--recording', file]), file, text);
      expect(listing()).not.toContain('never.db');
    }
    for (const file of [dir, join(dir, 'empty.jsonl')]) {
      expectRefused(await runCli(['serve', '--port', '0', '--db', join(dir, 'never.db'), '--recording', file]), '--recording', file);
    }
    expectRefused(await runCli(['serve', '--port', '0', '--params', params, '--db', params]), `--db ${params} is --params`);
    expect(listing()).not.toContain('never.db');
  });
});
