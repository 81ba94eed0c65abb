/**
 * Golden, deterministic backtests (issue 4 item 7 and test "a golden backtest ... the digest is stable";
 * seed-notes defect 10 "wall-clock time in a backtest"). Each case runs the built `quotedesk backtest
 * --json` as a real child process on a temporary database, then checks:
 *   - the report carries every key of `/api/metrics` (DeskMetrics) plus sessionId and fillsDigest;
 *   - the session is stored as a finished backtest, its stored fill count equals numFills and the signed
 *     sum of its stored fills equals finalInventory;
 *   - a second run into the same database, with the child's wall clock moved 12 years ahead and another
 *     TZ, gives a new session with the identical digest and bit-identical PnL, and the same session start
 *     (the event clock's, never the wall clock's);
 *   - the digest, fill count and final inventory equal the golden values in test/fixtures/golden-backtests.json.
 * An in-process run through createDesk under a faked Date gives the CLI's digest too.
 *
 * Regenerating the golden file when the strategy, paper venue or importer DELIBERATELY changes:
 *   npx electron-vite build && UPDATE_GOLDEN=1 npx vitest run test/integration/backtest/golden-backtest.test.ts
 * then review the diff of test/fixtures/golden-backtests.json (an unexplained change is a bug).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { DeskMetrics } from '../../../src/shared/contract.js';
import { DEFAULT_PARAMS, applyParamsPatch } from '../../../src/shared/params.js';
import { createDesk } from '../../../src/main/desk/create-desk.js';
import { fillsDigest } from '../../../src/main/cli/main.js';
import { openStore } from '../../../src/main/storage/index.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import {
  BYBIT_LINEAR,
  FILL_MODELS,
  MODELS,
  NKN_SPOT,
  SUSHI_USDM,
  UPDATE_GOLDEN,
  backtestJson,
  importGoogSlice,
  readGolden,
  readSessions,
  writeGolden,
  writeParams,
  type BacktestReport,
  type FillModel,
  type GoldenEntry,
  type Model,
} from './backtest-support.js';

/** Every key of DeskMetrics, checked by the compiler: adding a metric without listing it here fails tsc. */
const METRIC_KEYS: Record<keyof DeskMetrics, true> = {
  totalPnl: true,
  dailyPnl: true,
  sharpe: true,
  sharpeBasis: true,
  sharpeIntervals: true,
  sharpeMinIntervals: true,
  tradingCalendar: true,
  winRate: true,
  winRateDefinition: true,
  avgSpreadCapturedBps: true,
  adverseSelectionRate: true,
  adverseHorizonSec: true,
  avgAdverseMoveBps: true,
  avgInventory: true,
  maxInventory: true,
  inventoryTurnover: true,
  numFills: true,
  fillRatio: true,
  maxDrawdown: true,
  peakPnl: true,
  fees: true,
  volumeTraded: true,
  markouts: true,
  hourly: true,
  definitions: true,
};

const TWELVE_YEARS_MS = 12 * 365 * 86_400_000;

interface Case {
  readonly name: string;
  readonly recording: () => string;
  readonly model: Model;
  readonly fillModel: FillModel;
  readonly venue: string;
}

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-golden-'));
let googRecording = '';
const golden = readGolden();
const seen: Record<string, GoldenEntry> = {};

function crypto(name: string, file: string, venue: string, combos: ReadonlyArray<readonly [Model, FillModel]>): Case[] {
  return combos.map(([model, fillModel]) => ({ name: `${name}/${model}/${fillModel}`, recording: () => file, model, fillModel, venue }));
}

const CASES: Case[] = [
  // The GOOG slice: every model with every fill model.
  ...MODELS.flatMap((model) =>
    FILL_MODELS.map((fillModel): Case => ({ name: `goog-l10-2000/${model}/${fillModel}`, recording: () => googRecording, model, fillModel, venue: 'lobster' })),
  ),
  // The crypto captures (30–42 s of depth and bookTicker, no trades): every model with the queue model, and the touch model once.
  // Kept short: each case is two CLI runs (about 1–2 s each on the shared machine).
  ...crypto('binance-spot-nknusdt', NKN_SPOT, 'binance-spot', [...MODELS.map((m) => [m, 'queue'] as const), ['heuristic', 'touch']]),
  ...crypto('bybit-linear-btcusdt', BYBIT_LINEAR, 'bybit-linear', [['heuristic', 'queue'], ['heuristic', 'touch']]),
  ...crypto('binance-usdm-sushiusdt', SUSHI_USDM, 'binance-usdm', [['heuristic', 'queue'], ['avellaneda-stoikov', 'queue']]),
];

function checkReport(report: BacktestReport, c: Case): void {
  for (const key of Object.keys(METRIC_KEYS)) expect(report, `report key ${key}`).toHaveProperty(key);
  expect(Number.isInteger(report.sessionId) && report.sessionId > 0).toBe(true);
  expect(report.fillsDigest).toMatch(/^[0-9a-f]{64}$/);
  expect(report.model).toBe(c.model);
  expect(report.fillModel).toBe(c.fillModel);
  expect(report.venue).toBe(c.venue);
  expect(report.storedFills).toBe(report.numFills);
}

describeWithSharedData('golden backtests: same recording and parameters → same fills, bit for bit, at any wall-clock time', () => {
  beforeAll(async () => {
    googRecording = await importGoogSlice(dir);
  });

  afterAll(() => {
    if (UPDATE_GOLDEN) writeGolden({ ...golden.cases, ...seen });
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const dbPath = join(dir, `${c.name.replaceAll('/', '_')}.db`);
      const args = ['--recording', c.recording(), '--params', writeParams(dir, c.model, c.fillModel), '--db', dbPath];

      const first = await backtestJson(args, { env: { TZ: 'UTC' } });
      checkReport(first, c);

      const again = await backtestJson(args, { clockShiftMs: TWELVE_YEARS_MS, env: { TZ: 'Pacific/Chatham' } });
      checkReport(again, c);
      expect(again.sessionId).toBe(first.sessionId + 1);
      expect(again.fillsDigest).toBe(first.fillsDigest);
      expect(again.numFills).toBe(first.numFills);
      expect(again.finalInventory).toBe(first.finalInventory);
      expect(Object.is(again.totalPnl, first.totalPnl)).toBe(true);
      expect(Object.is(again.fees, first.fees)).toBe(true);
      expect(again.hourly).toEqual(first.hourly);

      const sessions = readSessions(dbPath);
      expect(sessions.map((s) => s.id)).toEqual([first.sessionId, again.sessionId]);
      for (const [session, report] of [
        [sessions[0], first],
        [sessions[1], again],
      ] as const) {
        expect(session?.mode).toBe('backtest');
        expect(session?.endedUs).not.toBeNull();
        expect(session?.fills).toBe(report.numFills);
        // finalInventory is in base units (the API's), the stored sizes in lots: compare in lots, exactly.
        const lot = Number(session?.lotSize);
        expect(session?.signedLots).toBe(Math.round(report.finalInventory / lot));
        expect(Math.abs((session?.signedLots ?? Number.NaN) * lot - report.finalInventory)).toBeLessThan(lot * 1e-6);
      }
      // The session starts at the recording's first event, whatever the wall clock said.
      expect(sessions[1]?.startedUs).toBe(sessions[0]?.startedUs);
      expect(sessions[1]?.endedUs).toBe(sessions[0]?.endedUs);

      const entry: GoldenEntry = { fillsDigest: first.fillsDigest, numFills: first.numFills, finalInventory: first.finalInventory, events: first.events };
      seen[c.name] = entry;
      if (!UPDATE_GOLDEN) {
        expect(golden.cases[c.name], `no golden value for ${c.name}: run with UPDATE_GOLDEN=1 (see the header)`).toBeDefined();
        expect(entry).toEqual(golden.cases[c.name]);
      }
    });
  }

  it('the GOOG slice has fills in every model (a golden of no fills would prove little)', () => {
    for (const model of MODELS) {
      for (const fillModel of FILL_MODELS) {
        const entry = UPDATE_GOLDEN ? seen[`goog-l10-2000/${model}/${fillModel}`] : golden.cases[`goog-l10-2000/${model}/${fillModel}`];
        expect(entry?.numFills ?? 0, `${model}/${fillModel}`).toBeGreaterThan(0);
      }
    }
  });

  it('in process (createDesk) under a faked Date in 1999 gives the CLI digest', async () => {
    const patch = applyParamsPatch(DEFAULT_PARAMS, { strategy: { model: 'avellaneda-stoikov' }, execution: { fillModel: 'queue' } });
    if (!patch.ok) throw new Error(patch.issue.message);
    const dbPath = join(dir, 'in-process.db');
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('1999-12-31T23:59:59Z') });
    let sessionId: number;
    try {
      const running = await createDesk({ venue: 'sim', recording: googRecording, backtest: true, dbPath, params: patch.params });
      await running.start();
      running.replay?.runToEnd();
      sessionId = running.desk.sessionId;
      await running.close();
    } finally {
      vi.useRealTimers();
    }
    const store = openStore(dbPath, { readonly: true });
    try {
      const digest = fillsDigest(store.fills({ sessionId, limit: 10_000_000 }).reverse());
      const expected = UPDATE_GOLDEN ? seen['goog-l10-2000/avellaneda-stoikov/queue'] : golden.cases['goog-l10-2000/avellaneda-stoikov/queue'];
      expect(digest).toBe(expected?.fillsDigest);
    } finally {
      store.close();
    }
  });
});
