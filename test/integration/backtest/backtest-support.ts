/**
 * Helpers for the backtest integration tests: run the built `quotedesk` CLI as a real child process (the
 * exact command a user types), import the GOOG LOBSTER slice to a temporary recording once per suite, read
 * what a backtest stored straight from its SQLite file, and read/write the golden digests in
 * `test/fixtures/golden-backtests.json`. No mocks: every figure compared here came from a real run.
 *
 * Wall-clock shifting: `shift-clock.mjs` is preloaded into the child (`node --import`) to move its `Date`
 * by CLOCK_SHIFT_MS, so a run "at another time" really sees another time (seed-notes defect 10).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { DeskMetrics } from '../../../src/shared/contract.js';
import { importLobster } from '../../../src/main/market/lobster/import.js';
import { CLI, PROJECT_ROOT, assertBuilt } from '../../support/serve-process.js';
import { sharedDataPath } from '../../support/shared-data.js';

export const GOLDEN_FILE = join(PROJECT_ROOT, 'test', 'fixtures', 'golden-backtests.json');
export const SHIFT_CLOCK = join(PROJECT_ROOT, 'test', 'integration', 'backtest', 'shift-clock.mjs');
/** `UPDATE_GOLDEN=1 npx vitest run test/integration/backtest` rewrites the golden file from this run. */
export const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';

export const GOOG_SLICE_DIR = sharedDataPath('lobster', 'GOOG_2012-06-21_L10_first2000rows');
export const GOOG_L5_DIR = sharedDataPath('lobster', 'GOOG_2012-06-21_L5');
export const NKN_SPOT = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
export const SUSHI_USDM = sharedDataPath('exchanges', 'binance_usdm', 'SUSHIUSDT_session.jsonl');
export const BYBIT_LINEAR = sharedDataPath('exchanges', 'bybit_v5', 'linear_orderbook.200.BTCUSDT.jsonl');

export const MODELS = ['heuristic', 'avellaneda-stoikov', 'glft'] as const;
export const FILL_MODELS = ['queue', 'touch'] as const;
export type Model = (typeof MODELS)[number];
export type FillModel = (typeof FILL_MODELS)[number];

/** Writes the params file for one model × fill model (everything else at the defaults). */
export function writeParams(dir: string, model: Model, fillModel: FillModel): string {
  const file = join(dir, `params-${model}-${fillModel}.json`);
  writeFileSync(file, JSON.stringify({ strategy: { model }, execution: { fillModel } }));
  return file;
}

/** Imports the 2,000-row GOOG slice to `dir/goog-2000.jsonl` (the importer validates every row). */
export async function importGoogSlice(dir: string): Promise<string> {
  const out = join(dir, 'goog-2000.jsonl');
  const result = await importLobster({
    messages: join(GOOG_SLICE_DIR, 'GOOG_2012-06-21_34200000_57600000_message_10.first2000.csv'),
    orderbook: join(GOOG_SLICE_DIR, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.first2000.csv'),
    out,
  });
  if (result.mismatches !== 0) throw new Error(`GOOG slice import: ${result.mismatches} mismatches`);
  return out;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  /** Move the child's wall clock by this many ms (preloads shift-clock.mjs). */
  readonly clockShiftMs?: number;
}

/** Runs `node bin/quotedesk.js ...args` to its exit; resolves on the process's exit event, never a timer. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  assertBuilt();
  const nodeArgs = options.clockShiftMs === undefined ? [] : ['--import', pathToFileURL(SHIFT_CLOCK).href];
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      ...(options.clockShiftMs === undefined ? {} : { CLOCK_SHIFT_MS: String(options.clockShiftMs) }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `--json` report: every DeskMetrics key plus what `backtest()` adds. */
export type BacktestReport = DeskMetrics & {
  readonly sessionId: number;
  readonly database: string;
  readonly venue: string;
  readonly symbol: string;
  readonly model: string;
  readonly fillModel: string;
  readonly events: number;
  readonly finalInventory: number;
  readonly storedFills: number;
  readonly fillsDigest: string;
};

export async function backtestJson(args: readonly string[], options: CliOptions = {}): Promise<BacktestReport> {
  const result = await runCli(['backtest', '--json', ...args], options);
  if (result.code !== 0) throw new Error(`backtest exited ${result.code}\nstderr: ${result.stderr}\nstdout: ${result.stdout.slice(0, 2000)}`);
  return JSON.parse(result.stdout) as BacktestReport;
}

export interface DbSession {
  readonly id: number;
  readonly mode: string;
  readonly startedUs: number;
  readonly endedUs: number | null;
  readonly lotSize: string;
  readonly fills: number;
  readonly signedLots: number;
}

/** Every session in the database with its stored fill count and signed fill sum (buy +, sell −). */
export function readSessions(dbPath: string): DbSession[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT s.id AS id, s.mode AS mode, s.started_us AS startedUs, s.ended_us AS endedUs, s.lot_size AS lotSize,
                COUNT(f.seq) AS fills,
                COALESCE(SUM(CASE f.side WHEN 'buy' THEN f.size_lots ELSE -f.size_lots END), 0) AS signedLots
           FROM sessions s LEFT JOIN fills f ON f.session_id = s.id
          GROUP BY s.id ORDER BY s.id`,
      )
      .all() as DbSession[];
  } finally {
    db.close();
  }
}

export interface GoldenEntry {
  readonly fillsDigest: string;
  readonly numFills: number;
  readonly finalInventory: number;
  readonly events: number;
}

export interface GoldenFile {
  readonly note: string;
  readonly cases: Record<string, GoldenEntry>;
}

export function readGolden(): GoldenFile {
  if (!existsSync(GOLDEN_FILE)) return { note: '', cases: {} };
  return JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenFile;
}

export function writeGolden(cases: Record<string, GoldenEntry>): void {
  const sorted = Object.fromEntries(Object.entries(cases).sort(([a], [b]) => a.localeCompare(b)));
  const file: GoldenFile = {
    note:
      'Fill digests of deterministic backtests (test/integration/backtest/golden-backtest.test.ts). ' +
      'When the strategy, paper venue or importer deliberately changes, regenerate with ' +
      '`npx electron-vite build && UPDATE_GOLDEN=1 npx vitest run test/integration/backtest` and review the diff.',
    cases: sorted,
  };
  writeFileSync(GOLDEN_FILE, `${JSON.stringify(file, null, 2)}\n`);
}
