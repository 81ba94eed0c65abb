/**
 * The monitor's figures say what they are and when they mean nothing yet, against a real `quotedesk serve`
 * replaying real recordings in Debian's Chromium:
 *   - the GOOG LOBSTER slice (2,000 rows, paper fills, played at full speed to its end): every statistic
 *     shows the value `/api/metrics` reports or, where it reports null, "n/a (condition)" — the Sharpe ratio
 *     "n/a (k of 30 intervals)" with the API's own count — and its tooltip is the API's definition; the
 *     fills blotter shows each fill's execution and receipt times as `/api/fills` reports them, one ack
 *     latency apart; the help overlay describes each paper fill model;
 *   - a Binance spot capture on which the desk never fills: every rate reads "n/a (no fills)", never 0 %.
 * Skipped, with a message, only when ../shared/data is absent.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { DeskMetrics, DeskState, FillView, MetricName } from '../../src/shared/contract.js';
import { DEFAULT_PARAMS } from '../../src/shared/params.js';
import { removeDir, type ServeHandle } from '../support/serve-process.js';
import { sharedDataPath } from '../support/shared-data.js';
import { expect, monitorUrl, test } from './fixtures.js';
import { GOOG_SLICE, hasGoogSlice, importGoogSlice } from './recordings.js';

const NKN = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
const available = hasGoogSlice() && existsSync(NKN);
const dir = mkdtempSync(join(tmpdir(), 'quotedesk-figures-e2e-'));
const goog = available ? importGoogSlice(dir) : join(dir, 'goog.jsonl');
test.afterAll(() => removeDir(dir));
test.skip(!available, `../shared/data (the ${GOOG_SLICE} slice and the NKNUSDT capture) is absent: these tests replay real recordings`);

/** The statistics rows: test id → the metric it shows. */
const ROWS: ReadonlyArray<readonly [string, MetricName]> = [
  ['stat-daily-pnl', 'dailyPnl'],
  ['stat-sharpe', 'sharpe'],
  ['stat-win-rate', 'winRate'],
  ['stat-spread-captured', 'avgSpreadCapturedBps'],
  ['stat-adverse-rate', 'adverseSelectionRate'],
  ['stat-avg-inventory', 'avgInventory'],
  ['stat-max-inventory', 'maxInventory'],
  ['stat-turnover', 'inventoryTurnover'],
];

async function replayToTheEnd(page: Page, serve: ServeHandle): Promise<void> {
  await page.goto(monitorUrl(serve));
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).replay?.finished, { timeout: 60_000 }).toBe(true);
}

/** UTC HH:MM:SS.mmm, as the blotter prints a time. */
function clock(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().slice(11, 23);
}

test.describe('a replay with fills (GOOG slice, paper fills)', () => {
  test.use({ serveArgs: ['--recording', goog, '--speed', 'max'] });

  test('every statistic shows the API figure or "n/a (condition)", and its tooltip is the API definition', async ({ page, serve }) => {
    await replayToTheEnd(page, serve);
    const metrics = await serve.get<DeskMetrics>('/api/metrics');
    expect(metrics.numFills).toBeGreaterThan(0);
    // A few minutes of the day: the Sharpe ratio waits for its 30 intervals, and says how many it has.
    expect(metrics.sharpe).toBeNull();
    await expect(page.getByTestId('stat-sharpe').locator('td')).toHaveText(`n/a (${metrics.sharpeIntervals} of ${metrics.sharpeMinIntervals} intervals)`);
    for (const [testid, name] of ROWS) {
      const row = page.getByTestId(testid);
      const value = metrics[name] as number | null;
      if (value === null) {
        await expect(row, testid).toHaveAttribute('data-na', /.+/);
        await expect(row.locator('td'), testid).toHaveText(/^n\/a \(.+\)$/);
      } else {
        await expect.poll(async () => Number(await row.getAttribute('data-value')), { message: testid }).toBe(value);
        await expect(row.locator('td'), testid).not.toContainText('n/a');
      }
      // The tooltip is the desk's definition (the Daily PnL's adds the quote currency).
      await expect(row.locator('th .has-tip'), testid).toHaveAttribute('title', new RegExp(`^${escape(metrics.definitions[name])}`));
    }
    await expect(page.getByTestId('adverse-rate')).toHaveAttribute('title', metrics.definitions.adverseSelectionRate);
    await expect(page.getByTestId('markout-table')).toHaveAttribute('title', metrics.definitions.markouts);
  });

  test('the fills blotter shows each fill\'s execution and receipt times, one ack latency apart', async ({ page, serve }) => {
    await replayToTheEnd(page, serve);
    const fills = await serve.get<FillView[]>('/api/fills?limit=1000');
    expect(fills.length).toBeGreaterThan(0);
    const blotter = page.getByTestId('fills-blotter');
    await expect(blotter).toHaveAttribute('data-rows', String(fills.length));
    const shown = await blotter.getByTestId('fills-blotter-row').evaluateAll((rows) =>
      rows.map((row) => ({
        exec: row.querySelector('[data-col="exec"]')?.textContent ?? '',
        received: row.querySelector('[data-col="time"]')?.textContent ?? '',
        order: row.querySelector('[data-col="order"]')?.textContent ?? '',
      })),
    );
    expect(shown.length).toBeGreaterThan(0);
    shown.forEach((row, i) => {
      const fill = fills[i]!;
      expect(row).toEqual({ exec: clock(fill.execTimeMs), received: clock(fill.timeMs), order: fill.clientOrderId });
      // Paper fills: the report arrives one ack latency after the match.
      expect(fill.timeMs - Math.floor(fill.execTimeMs)).toBe(DEFAULT_PARAMS.execution.ackLatencyMs);
    });
  });

  test('the help overlay describes each paper fill model', async ({ page, serve }) => {
    await page.goto(monitorUrl(serve));
    // The monitor (and its keys) exists once the page knows it serves one desk: press only then.
    await expect(page.getByTestId('trading-state')).toBeVisible();
    await page.keyboard.press('?');
    const help = page.getByTestId('help-fill-models');
    await expect(help).toContainText('Queue (the default).');
    await expect(help).toContainText('never more than what traded');
    await expect(help).toContainText('Touch (for comparison only).');
    await expect(help).toContainText('no queue, no size cap');
  });
});

test.describe('a replay without fills (Binance spot NKNUSDT)', () => {
  test.use({ serveArgs: ['--recording', NKN, '--speed', 'max'] });

  test('every rate reads "n/a (no fills)", never 0 %', async ({ page, serve }) => {
    await replayToTheEnd(page, serve);
    const metrics = await serve.get<DeskMetrics>('/api/metrics');
    expect(metrics.numFills).toBe(0);
    for (const name of ['winRate', 'adverseSelectionRate', 'avgSpreadCapturedBps', 'inventoryTurnover'] as const) expect(metrics[name], name).toBeNull();
    for (const testid of ['stat-win-rate', 'stat-adverse-rate', 'stat-spread-captured', 'stat-turnover']) {
      await expect(page.getByTestId(testid).locator('td'), testid).toHaveText('n/a (no fills)');
    }
    await expect(page.getByTestId('adverse-rate')).toHaveText('n/a (no fills)');
    await expect(page.getByTestId('spread-captured')).toHaveText('n/a (no fills)');
    await expect(page.getByTestId('markout-buy-5s')).toHaveText('n/a');
    // No rate in the table reads 0 % (the fill ratio above it may: orders were sent and none filled).
    await expect(page.getByTestId('stats-table')).not.toContainText('%');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
