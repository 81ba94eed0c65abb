/**
 * The independent check: every statistic of a backtest, recomputed from what the backtest stored in its
 * SQLite file and from its recording, by reference code that shares nothing with `src/main/analytics`
 * (`test/support/reference/`: its own recording reader and its own arithmetic; ESLint keeps it apart).
 * Runs the built `quotedesk backtest --json` on the GOOG 2012-06-21 L5 day (default parameters) and on a
 * Binance USD-M capture that produces fills (SUSHIUSDT, the heuristic and Avellaneda–Stoikov), then checks:
 *   - every figure of the report (PnL, daily PnL, Sharpe or its n/a, win rate, spread captured, adverse
 *     rate and move, inventory, turnover, fills, fill ratio, drawdown, fees, volume, markouts per side and
 *     horizon, hourly rows) equals the reference's to 1e-9 (relative), n/a where the reference has none;
 *   - each fill's stored mid is the mid prevailing just before its execution in the recording, exactly;
 *   - every markout the report counts is in the `markouts` table, with the reference's value;
 *   - a fill's report arrives one ack latency after its execution;
 *   - (GOOG) the passive fills executed at any instant add up to no more than what traded at or through
 *     their price then, plus the volume the opposite side displayed at or through it (paper fills no
 *     larger than what traded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importLobster } from '../../../src/main/market/lobster/import.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import { recordingSpan, replayBinanceUsdm, replayLobster, type RefBook, type RefTrade } from '../../support/reference/recording.js';
import { referenceStatistics, type RefFill, type RefStats } from '../../support/reference/statistics.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import { GOOG_L5_DIR, SUSHI_USDM, backtestJson, writeParams, type BacktestReport } from './backtest-support.js';

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-independent-'));
const EQUITY_YEAR_SEC = 252 * 6.5 * 3_600;
const CRYPTO_YEAR_SEC = 365 * 24 * 3_600;

interface Stored {
  readonly fills: RefFill[];
  readonly midAtFill: Map<string, number>;
  readonly markouts: Array<{ fillId: string; horizonSec: number; bps: number }>;
  readonly startUs: number;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly ordersSent: number;
}

function readStored(dbPath: string, sessionId: number): Stored {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const session = db.prepare('SELECT started_us, tick_size, lot_size, summary_json FROM sessions WHERE id = ?').get(sessionId) as { started_us: number; tick_size: string; lot_size: string; summary_json: string };
    const rows = db
      .prepare('SELECT seq, fill_id, client_order_id, side, price_ticks, size_lots, fee, exch_us, local_us, mid_at_fill FROM fills WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as Array<{ seq: number; fill_id: string; client_order_id: string; side: 'buy' | 'sell'; price_ticks: number; size_lots: number; fee: number; exch_us: number; local_us: number; mid_at_fill: number | null }>;
    const markouts = db.prepare('SELECT fill_id, horizon_sec, markout_bps FROM markouts WHERE session_id = ?').all(sessionId) as Array<{ fill_id: string; horizon_sec: number; markout_bps: number }>;
    return {
      fills: rows.map((r) => ({ seq: r.seq, fillId: r.fill_id, clientOrderId: r.client_order_id, side: r.side, priceTicks: r.price_ticks, sizeLots: r.size_lots, fee: r.fee, execUs: r.exch_us, receivedUs: r.local_us })),
      midAtFill: new Map(rows.map((r) => [r.fill_id, r.mid_at_fill ?? Number.NaN])),
      markouts: markouts.map((m) => ({ fillId: m.fill_id, horizonSec: m.horizon_sec, bps: m.markout_bps })),
      startUs: session.started_us,
      tickSize: session.tick_size,
      lotSize: session.lot_size,
      ordersSent: (JSON.parse(session.summary_json) as { ordersSent: number }).ordersSent,
    };
  } finally {
    db.close();
  }
}

/** Equal to 1e-9 of the larger magnitude (1e-9 absolute near zero); n/a (null in the report) only where the reference has NaN. */
function same(report: number | null, reference: number, what: string): void {
  if (Number.isNaN(reference)) {
    expect(report, `${what}: n/a in the reference`).toBeNull();
    return;
  }
  expect(report, `${what}: ${reference} in the reference`).not.toBeNull();
  const tolerance = 1e-9 * Math.max(1, Math.abs(reference));
  expect(Math.abs((report ?? Number.NaN) - reference), `${what}: report ${report}, reference ${reference}`).toBeLessThanOrEqual(tolerance);
}

interface Market {
  readonly midTimes: number[];
  readonly mids: number[];
  /** The last frame that the book applied (the desk marks the mid there). */
  readonly lastFrameUs: number;
  readonly trades: RefTrade[];
}

/** Collects the mid changes and trades of a replay; `onFrame` sees each frame's book. */
function collect(run: (visit: { frame(t: number, book: RefBook): void; trade(tr: RefTrade): void }) => void, onFrame?: (t: number, book: RefBook) => void): Market {
  const midTimes: number[] = [];
  const mids: number[] = [];
  const trades: RefTrade[] = [];
  let lastFrameUs = Number.NaN;
  run({
    frame(t, book) {
      lastFrameUs = t;
      onFrame?.(t, book);
      const bid = book.bestBid();
      const ask = book.bestAsk();
      if (Number.isNaN(bid) || Number.isNaN(ask)) return;
      const mid = (bid + ask) / 2;
      if (mids.at(-1) !== mid) {
        midTimes.push(t);
        mids.push(mid);
      }
    },
    trade(tr) {
      trades.push(tr);
    },
  });
  return { midTimes, mids, lastFrameUs, trades };
}

/** The replay's clock grid between frames: a tick every 100 ms of event time. */
const TICK_US = 100_000;

function checkAgainstReference(report: BacktestReport, stored: Stored, market: Market, span: { firstUs: number; lastUs: number }, secondsPerYear: number): RefStats {
  // The desk's clock ends at the recording's last line; its last mark is the later of the last frame the book
  // applied and the last clock tick (a line the book ignores, such as a bookTicker, still moves the clock).
  const lastTickUs = Math.floor(span.lastUs / TICK_US) * TICK_US;
  const lastMarkUs = Math.max(market.lastFrameUs, lastTickUs > span.firstUs ? lastTickUs : Number.NEGATIVE_INFINITY);
  const ackUs = DEFAULT_PARAMS.execution.ackLatencyMs * 1_000;
  expect(stored.fills.length, 'a check on no fills would prove little').toBeGreaterThan(0);
  for (const f of stored.fills) expect(f.receivedUs - f.execUs, `fill ${f.fillId}: report one ack latency after execution`).toBe(ackUs);
  const ref = referenceStatistics({
    fills: stored.fills,
    midTimes: market.midTimes,
    mids: market.mids,
    startUs: stored.startUs,
    endUs: span.lastUs,
    lastMarkUs,
    tickSize: stored.tickSize,
    lotSize: stored.lotSize,
    horizonSec: DEFAULT_PARAMS.strategy.adverseSelection.horizonSec,
    intervalSec: 60,
    minIntervals: report.sharpeMinIntervals,
    secondsPerYear,
    ordersSent: stored.ordersSent,
  });
  // Each fill's mid: the mid prevailing just before its execution, exactly.
  for (const f of stored.fills) {
    const mine = stored.midAtFill.get(f.fillId) ?? Number.NaN;
    const theirs = ref.midAtFill.get(f.fillId) ?? Number.NaN;
    expect(Object.is(mine, theirs) || mine === theirs, `fill ${f.fillId} at ${f.execUs}: stored mid ${mine}, recording ${theirs}`).toBe(true);
  }
  // Every markout the report counts is stored, with the reference's value.
  expect(stored.markouts.length).toBe(ref.markouts.length);
  const storedMarkouts = new Map(stored.markouts.map((m) => [`${m.fillId}@${m.horizonSec}`, m.bps]));
  for (const m of ref.markouts) same(storedMarkouts.get(`${m.fillId}@${m.horizonSec}`) ?? null, m.bps, `stored markout ${m.fillId} at ${m.horizonSec} s`);
  for (const h of ['1s', '5s', '30s', '60s'] as const) expect(report.markouts.all[h].count, `markouts counted at ${h}`).toBe(stored.markouts.filter((m) => `${m.horizonSec}s` === h).length);
  // Every figure.
  const figures = report as unknown as Record<string, number | null>;
  for (const [name, value] of Object.entries(ref.figures)) same(figures[name] ?? null, value, name);
  expect(report.sharpeIntervals).toBe(ref.sharpeIntervals);
  for (const side of ['buy', 'sell', 'all'] as const) {
    for (const h of ['1s', '5s', '30s', '60s'] as const) {
      const mine = report.markouts[side][h] as unknown as { count: number; meanBps: number | null; adverseRate: number | null };
      const theirs = ref.bySideAndHorizon[side][h];
      expect(mine.count, `${side} ${h} count`).toBe(theirs?.count);
      same(mine.meanBps, theirs?.meanBps ?? Number.NaN, `${side} ${h} mean`);
      same(mine.adverseRate, theirs?.adverseRate ?? Number.NaN, `${side} ${h} adverse rate`);
    }
  }
  expect(report.hourly.map((r) => r.hourUtc)).toEqual(ref.hourly.map((r) => r.hourUtc));
  report.hourly.forEach((row, i) => {
    const theirs = ref.hourly[i];
    const mine = row as unknown as { fills: number; adverseRate: number | null; pnl: number; avgSpreadCapturedBps: number | null };
    expect(mine.fills, `hour ${row.hourUtc} fills`).toBe(theirs?.fills);
    same(mine.adverseRate, theirs?.adverseRate ?? Number.NaN, `hour ${row.hourUtc} adverse rate`);
    same(mine.pnl, theirs?.pnl ?? Number.NaN, `hour ${row.hourUtc} PnL`);
    same(mine.avgSpreadCapturedBps, theirs?.avgSpreadCapturedBps ?? Number.NaN, `hour ${row.hourUtc} spread captured`);
  });
  return ref;
}

describeWithSharedData('independent check: every statistic of a backtest recomputed from its SQLite file and its recording', () => {
  let goog = '';

  beforeAll(async () => {
    goog = join(dir, 'goog-l5.jsonl');
    const imported = await importLobster({
      messages: join(GOOG_L5_DIR, 'GOOG_2012-06-21_34200000_57600000_message_5.csv'),
      orderbook: join(GOOG_L5_DIR, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv'),
      out: goog,
    });
    if (imported.mismatches !== 0) throw new Error(`GOOG L5 import: ${imported.mismatches} mismatches`);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GOOG 2012-06-21 L5, default parameters', async () => {
    const dbPath = join(dir, 'goog.db');
    const report = await backtestJson(['--recording', goog, '--db', dbPath]);
    const stored = readStored(dbPath, report.sessionId);
    // The book at every frame, kept only at the instants where something of ours was executed.
    const execInstants = new Set(stored.fills.map((f) => f.execUs));
    const crossing = new Map<string, number>();
    const market = collect(
      (visit) => replayLobster(goog, visit),
      (t, book) => {
        if (!execInstants.has(t)) return;
        for (const f of stored.fills.filter((g) => g.execUs === t)) {
          const key = `${t}/${f.side}/${f.priceTicks}`;
          crossing.set(key, Math.max(crossing.get(key) ?? 0, book.volumeReaching(f.side, f.priceTicks)));
        }
      },
    );
    checkAgainstReference(report, stored, market, recordingSpan(goog), EQUITY_YEAR_SEC);
    expect(report.tradingCalendar).toContain('252 days × 6.5 h');
    expect(stored.startUs).toBe(recordingSpan(goog).firstUs);

    // Paper fills no larger than what traded: per instant, side and price, the passive fills are bounded by the
    // trades from the other side at or through that price then, plus what the opposite side displayed there.
    const filledAt = new Map<string, number>();
    for (const f of stored.fills) filledAt.set(`${f.execUs}/${f.side}/${f.priceTicks}`, (filledAt.get(`${f.execUs}/${f.side}/${f.priceTicks}`) ?? 0) + f.sizeLots);
    for (const [key, filled] of filledAt) {
      const [t, side, price] = key.split('/') as [string, 'buy' | 'sell', string];
      const traded = market.trades
        .filter((tr) => tr.t === Number(t) && tr.aggressor !== side && (side === 'buy' ? tr.price <= Number(price) : tr.price >= Number(price)))
        .reduce((sum, tr) => sum + tr.size, 0);
      expect(filled, `${side} at ${price} ticks executed at ${t}: filled ${filled}, traded ${traded}, displayed against it ${crossing.get(key) ?? 0}`).toBeLessThanOrEqual(traded + (crossing.get(key) ?? 0));
    }
  });

  for (const model of ['heuristic', 'avellaneda-stoikov'] as const) {
    it(`Binance USD-M SUSHIUSDT capture, ${model}`, async () => {
      const dbPath = join(dir, `sushi-${model}.db`);
      const report = await backtestJson(['--recording', SUSHI_USDM, '--params', writeParams(dir, model, 'queue'), '--db', dbPath]);
      const stored = readStored(dbPath, report.sessionId);
      const market = collect((visit) => replayBinanceUsdm(SUSHI_USDM, stored.tickSize, stored.lotSize, visit));
      checkAgainstReference(report, stored, market, recordingSpan(SUSHI_USDM), CRYPTO_YEAR_SEC);
      expect(report.sharpe).toBeNull();
      expect(report.sharpeBasis).toMatch(/^n\/a \(0 of 30 intervals\)/);
    });
  }
});
