/**
 * A capture of a symbol the code has never seen (Binance spot ETHUSDT, generated here; no ../shared needed)
 * replays through the built CLI, as a user runs it: `inspect`, `backtest` and `serve --recording` without
 * flags (the finest grid of the capture's own decimals, with one notice line) and with `--tick-size` and
 * `--lot-size` (used as given, checked against every recorded price); `record` (and a live session's record
 * toggle) against a local venue on 127.0.0.1 stores the venue's instrument answer, and replays then use it
 * with no notice. Every final book
 * is compared with the book the generator kept itself, not with another run of the same code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskState } from '../../../src/shared/contract.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import { createDesk } from '../../../src/main/desk/create-desk.js';
import { loadCapture } from '../../../src/main/market/capture/capture.js';
import { captureInstrument } from '../../../src/main/market/replay/index.js';
import { CLI, PROJECT_ROOT, removeDir, startServe } from '../../support/serve-process.js';
import { FOREIGN_SYMBOL, writeForeignCapture, type ForeignCapture } from '../../support/foreign-capture.js';
import { VenueServer } from '../../support/venue-server.js';
import { backtestJson, runCli } from '../backtest/backtest-support.js';

const dir = mkdtempSync(join(tmpdir(), 'qd-foreign-'));
let capture: ForeignCapture;

const NOTICE = /^instrument spec for binance-spot ETHUSDT: none given or recorded; tick 0\.01 and lot 0\.0001, the finest decimals its \d+ prices and \d+ sizes use \(pass --tick-size and --lot-size to set them\)$/;

interface InspectJson {
  symbol: string;
  instrument: { tickSize: string; lotSize: string; source: string };
  trusted: boolean;
  frames: number;
  counters: { malformed: number; applied: number };
  finalBook: { bids: Array<[number, number]>; asks: Array<[number, number]> };
}

async function inspectJson(file: string, extra: readonly string[] = []): Promise<{ json: InspectJson; stderr: string }> {
  const result = await runCli(['inspect', '--venue', 'binance-spot', '--recording', file, '--levels', '50', '--json', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return { json: JSON.parse(result.stdout) as InspectJson, stderr: result.stderr };
}

function sessionSpec(db: string): Array<{ symbol: string; tick: string; lot: string }> {
  const handle = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return handle.prepare('SELECT symbol, tick_size AS tick, lot_size AS lot FROM sessions ORDER BY id').all() as Array<{ symbol: string; tick: string; lot: string }>;
  } finally {
    handle.close();
  }
}

beforeAll(() => {
  capture = writeForeignCapture(join(dir, 'ethusdt.jsonl'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a capture of a symbol outside the built-in table', () => {
  it('inspect without flags: the finest grid of its own decimals, one notice line, the true final book', async () => {
    const { json, stderr } = await inspectJson(capture.file);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(NOTICE);
    expect(json.instrument).toEqual({ tickSize: '0.01', lotSize: '0.0001', source: 'grid' });
    expect(json).toMatchObject({ symbol: FOREIGN_SYMBOL, trusted: true, counters: { malformed: 0 } });
    expect(json.finalBook).toEqual({ bids: capture.bids, asks: capture.asks });
  });

  it('inspect with --tick-size and --lot-size: used as given, no notice, the same book', async () => {
    const { json, stderr } = await inspectJson(capture.file, ['--tick-size', '0.005', '--lot-size', '0.0001']);
    expect(stderr).toBe('');
    expect(json.instrument).toEqual({ tickSize: '0.005', lotSize: '0.0001', source: 'given' });
    expect(json.finalBook).toEqual({ bids: capture.bids, asks: capture.asks });
  });

  it('flags that do not hold a recorded price or size, or only one of them: exit 2, one line naming the flag', async () => {
    for (const [args, text] of [
      [['--tick-size', '0.1', '--lot-size', '0.0001'], `--tick-size 0.1 does not hold the capture's price`],
      [['--tick-size', '0.01', '--lot-size', '0.01'], '--lot-size 0.01 does not hold'],
      [['--tick-size', '0.01'], '--tick-size needs --lot-size'],
      [['--tick-size', 'cent', '--lot-size', '0.01'], '--tick-size must be a plain positive decimal'],
    ] as const) {
      for (const command of [['inspect', '--venue', 'binance-spot'], ['backtest', '--db', join(dir, 'refused.db')]]) {
        const result = await runCli([...command, '--recording', capture.file, ...args]);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(text)]);
      }
    }
    expect(readdirSync(dir)).not.toContain('refused.db');
  });

  it('backtest stores the session with the spec it replayed with: the grid (notice) or the flags (none)', async () => {
    const db = join(dir, 'backtest.db');
    const plain = await runCli(['backtest', '--recording', capture.file, '--db', db, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr.trimEnd()).toMatch(NOTICE);
    const report = JSON.parse(plain.stdout) as { symbol: string; events: number };
    expect(report).toMatchObject({ symbol: FOREIGN_SYMBOL, events: capture.frames });
    await backtestJson(['--recording', capture.file, '--db', db, '--tick-size', '0.005', '--lot-size', '0.0001']);
    expect(sessionSpec(db)).toEqual([
      { symbol: FOREIGN_SYMBOL, tick: '0.01', lot: '0.0001' },
      { symbol: FOREIGN_SYMBOL, tick: '0.005', lot: '0.0001' },
    ]);
  });

  for (const flags of [[], ['--tick-size', '0.005', '--lot-size', '0.0001']] as const) {
    it(`serve --recording ${flags.length ? 'with' : 'without'} the flags: the monitor's book at the end is the capture's`, async () => {
      const serve = await startServe({ dir: mkdtempSync(join(tmpdir(), 'qd-foreign-serve-')), args: ['--recording', capture.file, '--speed', '0.25', ...flags] });
      try {
        const start = await serve.get<DeskState>('/api/state');
        expect(start.instrument).toMatchObject({ symbol: FOREIGN_SYMBOL, tickSize: flags.length ? '0.005' : '0.01', lotSize: '0.0001' });
        const seek = await serve.send('POST', '/api/replay', { action: 'seek', timeMs: start.replay?.endMs });
        expect(seek.status, JSON.stringify(seek.body)).toBe(200);
        const end = await serve.get<DeskState>('/api/state');
        expect(end.replay?.eventIndex).toBe(capture.frames);
        const depth = end.book.bids.length;
        expect(depth).toBeGreaterThanOrEqual(Math.min(20, capture.bids.length));
        expect(end.book.bids).toEqual(capture.bids.slice(0, depth));
        expect(end.book.asks).toEqual(capture.asks.slice(0, end.book.asks.length));
        const notices = serve.stderr().split('\n').filter((line) => line.startsWith('instrument spec'));
        if (flags.length) expect(notices).toEqual([]);
        else expect(notices).toEqual([expect.stringMatching(NOTICE)]);
      } finally {
        await serve.stop();
        removeDir(serve.dir);
      }
    });
  }

  it('serve: the flags apply to a replay only; --db may not be the recording', async () => {
    for (const [args, text] of [
      [['--tick-size', '0.01', '--lot-size', '0.0001'], '--tick-size and --lot-size apply to a replay'],
      [['--recording', capture.file, '--db', capture.file], `--db ${capture.file} is --recording`],
    ] as const) {
      const result = await runCli(['serve', '--port', '0', ...args]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(text)]);
    }
  });
});

/** Resolves when a file in `folder` whose name passes `name` contains `text` (fs.watch: no polling timer). */
function whenFileHolds(folder: string, name: (file: string) => boolean, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): boolean => readdirSync(folder).some((file) => name(file) && readFileSync(join(folder, file), 'utf8').includes(text));
    const watcher = watch(folder, () => {
      if (check()) {
        watcher.close();
        resolve();
      }
    });
    if (check()) {
      watcher.close();
      resolve();
    }
  });
}

describe('record stores the venue instrument answer; replay reads it', () => {
  let server: VenueServer;
  const out = join(dir, 'recorded.jsonl');

  beforeAll(async () => {
    // The venue publishes a finer grid than the capture's decimals show: only a stored answer can give it.
    server = await VenueServer.start({ capture: capture.file, venue: 'binance-spot', instrument: { tickSize: '0.001', lotSize: '0.00001' } });
  });

  afterAll(async () => {
    await server.close();
  });

  it('quotedesk record writes the answer first; inspect and backtest use it, with no notice', async () => {
    const child = spawn(process.execPath, [CLI, 'record', '--venue', 'binance-spot', '--symbol', FOREIGN_SYMBOL, '--out', out, '--ws-url', server.wsUrl, '--rest-url', server.restUrl], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await server.done;
    // The recorder flushes its hidden temporary file about once a second: wait until the last frame is there.
    const frames = readFileSync(capture.file, 'utf8').trimEnd().split('\n');
    const last = JSON.stringify((JSON.parse(frames[frames.length - 1]!) as { msg: unknown }).msg);
    await whenFileHolds(dir, (file) => file.startsWith('.recorded.jsonl.tmp-'), last);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stdout).toMatch(/^wrote \d+ frames in [\d.]+ s to /);
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { kind: string; url: string; conn: string };
    expect(first).toMatchObject({ kind: 'rest', conn: 'BINANCE.http.0', url: `${server.restUrl}/api/v3/exchangeInfo?symbol=${FOREIGN_SYMBOL}` });
    expect(readdirSync(dir).filter((file) => file.includes('.tmp-'))).toEqual([]);

    const { json, stderr: inspectErr } = await inspectJson(out);
    expect(inspectErr).toBe('');
    expect(json.instrument).toEqual({ tickSize: '0.001', lotSize: '0.00001', source: 'recording' });
    expect(json).toMatchObject({ trusted: true, counters: { malformed: 0 } });
    expect(json.finalBook).toEqual({ bids: capture.bids, asks: capture.asks });

    const db = join(dir, 'recorded.db');
    const backtest = await runCli(['backtest', '--recording', out, '--db', db, '--json']);
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(backtest.stderr).toBe('');
    expect(sessionSpec(db)).toEqual([{ symbol: FOREIGN_SYMBOL, tick: '0.001', lot: '0.00001' }]);
  });

  it("the monitor's record toggle of a live session stores the answer first too", async () => {
    const running = await createDesk({
      venue: 'binance-spot',
      symbol: FOREIGN_SYMBOL,
      wsUrl: server.wsUrl,
      restUrl: server.restUrl,
      dbPath: join(dir, 'live.db'),
      params: DEFAULT_PARAMS,
      logger: () => undefined,
    });
    const file = join(dir, 'toggle.jsonl');
    try {
      await running.start();
      await running.live?.startRecording(file, { resync: false });
      await running.live?.stopRecording();
    } finally {
      await running.close();
    }
    const { frames } = await loadCapture(file);
    expect(frames[0]).toMatchObject({ kind: 'rest', url: `${server.restUrl}/api/v3/exchangeInfo?symbol=${FOREIGN_SYMBOL}` });
    expect(captureInstrument('binance-spot', FOREIGN_SYMBOL, frames)).toMatchObject({ source: 'recording', instrument: { tickSize: '0.001', lotSize: '0.00001' } });
  });
});
