/**
 * Several desks in one real `quotedesk serve` (a desks file with three simulated desks and firm limits), in
 * Chromium: the page opens on the overview, one row per desk whose figures are those `GET /api/desks`
 * answers at the same moment (polled until a read of both agrees, never slept on), the firm limits with
 * their use as `GET /api/firm` says; a click or the keyboard opens a desk's full monitor whose symbol and
 * inventory are that desk's `/api/desks/NAME/state`, the address names the desk (a reload stays there),
 * Esc and the strip go back; the KILL ALL button asks, and the confirmation halts every desk — as
 * `GET /api/desks` then shows — with each desk's own answer listed on screen.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { DeskState } from '../../src/shared/contract.js';
import type { DeskSummaryView, FirmView } from '../../src/shared/desks.js';
import { removeDir, startServe, type ServeHandle } from '../support/serve-process.js';
import { expect, test } from './fixtures.js';

const NAMES = ['alpha', 'bravo', 'charlie'];

let serve: ServeHandle;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quotedesk-overview-'));
  writeFileSync(
    join(dir, 'desks.json'),
    JSON.stringify({
      desks: NAMES.map((name, i) => ({ name, venue: 'sim', symbol: `${name.toUpperCase()}-USD`, params: { strategy: { size: { baseLots: 20 + 10 * i } } } })),
      firmLimits: { maxLoss: { USD: 5000 }, maxNetExposure: { ALPHA: 5000 } },
    }),
  );
  serve = await startServe({ dir, args: ['--desks', join(dir, 'desks.json'), '--seed', '3'] });
});

test.afterAll(async () => {
  await serve?.stop();
  removeDir(dir);
});

interface ShownRow {
  readonly name: string;
  readonly state: string;
  readonly execution: string;
  readonly inventory: string;
  readonly pnl: string;
  readonly inventoryText: string;
  readonly pnlText: string;
  readonly modeText: string;
}

async function shownRows(page: Page): Promise<ShownRow[]> {
  return page.getByTestId('overview-row').evaluateAll((rows) =>
    rows.map((row) => ({
      name: row.getAttribute('data-desk') ?? '',
      state: row.getAttribute('data-state') ?? '',
      execution: row.getAttribute('data-execution') ?? '',
      inventory: row.getAttribute('data-inventory') ?? '',
      pnl: row.getAttribute('data-pnl') ?? '',
      inventoryText: row.querySelector('[data-testid="overview-inventory"]')?.textContent ?? '',
      pnlText: row.querySelector('[data-testid="overview-pnl"]')?.textContent ?? '',
      modeText: row.querySelector('[data-testid="overview-mode"]')?.textContent ?? '',
    })),
  );
}

/** The page's signed figure as the monitor writes it (− for negatives, + for positives, grouped). */
function signed(value: number, decimals: number | null): string {
  const abs = decimals === null ? new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 }).format(Math.abs(value)) : new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(Math.abs(value));
  return `${value < 0 ? '−' : value > 0 ? '+' : ''}${abs}`;
}

/** Whether every row on the page shows what `GET /api/desks` answers now (the same summary). */
async function rowsMatchApi(page: Page): Promise<string> {
  const [shown, api] = await Promise.all([shownRows(page), serve.get<DeskSummaryView[]>('/api/desks')]);
  if (shown.length !== api.length) return `${shown.length} rows for ${api.length} desks`;
  for (const [i, desk] of api.entries()) {
    const row = shown[i];
    if (!row) return `no row ${i}`;
    const want = { name: desk.name, state: desk.tradingState ?? '', execution: desk.execution, inventory: String(desk.inventory), pnl: String(desk.pnl), modeText: desk.execution.toUpperCase() };
    const got = { name: row.name, state: row.state, execution: row.execution, inventory: row.inventory, pnl: row.pnl, modeText: row.modeText };
    if (JSON.stringify(want) !== JSON.stringify(got)) return `${desk.name}: page ${JSON.stringify(got)} api ${JSON.stringify(want)}`;
    if (row.inventoryText !== (desk.inventory === 0 ? '0' : signed(desk.inventory, null))) return `${desk.name}: inventory text ${row.inventoryText}`;
    if (!row.pnlText.startsWith(signed(desk.pnl, 2))) return `${desk.name}: pnl text ${row.pnlText} for ${desk.pnl}`;
  }
  return 'match';
}

function row(page: Page, name: string): Locator {
  return page.locator(`[data-testid="overview-row"][data-desk="${name}"]`);
}

test('the overview lists every desk with the figures GET /api/desks answers, and the firm limits with their use', async ({ page }) => {
  await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
  await expect(page.getByTestId('overview')).toBeVisible();
  await expect(page.getByTestId('overview-row')).toHaveCount(3);
  expect(await page.getByTestId('overview-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-desk')))).toEqual(NAMES);
  // Each row names its venue and symbol, as its own state does.
  for (const name of NAMES) {
    const state = await serve.get<DeskState>(`/api/desks/${name}/state`);
    await expect(row(page, name).getByTestId('overview-instrument')).toHaveText(`sim ${state.symbol}`);
  }
  // The figures move with the market: poll a read of the page and of the API together until they agree.
  await expect.poll(() => rowsMatchApi(page), { timeout: 30_000, intervals: [50] }).toBe('match');
  // Until some desk has traded, matching zeros proves little: wait for inventory somewhere, and match again.
  await expect.poll(async () => (await serve.get<DeskSummaryView[]>('/api/desks')).some((d) => d.inventory !== 0), { timeout: 30_000 }).toBe(true);
  await expect.poll(() => rowsMatchApi(page), { timeout: 30_000, intervals: [50] }).toBe('match');

  // The firm limits and their use, as GET /api/firm computes them on the same summaries.
  await expect(page.getByTestId('firm-limit')).toHaveCount(2);
  await expect
    .poll(
      async () => {
        const [firm, shown] = await Promise.all([
          serve.get<FirmView>('/api/firm'),
          page.getByTestId('firm-limit').evaluateAll((els) => els.map((el) => ({ kind: el.getAttribute('data-kind'), unit: el.getAttribute('data-unit'), used: el.getAttribute('data-used'), limit: el.getAttribute('data-limit') }))),
        ]);
        return JSON.stringify(shown) === JSON.stringify(firm.limits.map((l) => ({ kind: l.kind, unit: l.unit, used: String(l.used), limit: String(l.limit) })));
      },
      { timeout: 30_000, intervals: [50] },
    )
    .toBe(true);
  const firm = await serve.get<FirmView>('/api/firm');
  expect(firm.limits.map((l) => [l.kind, l.unit, l.limit, l.desks])).toEqual([
    ['maxLoss', 'USD', 5000, NAMES],
    ['maxNetExposure', 'ALPHA', 5000, ['alpha']],
  ]);
  // The page title does not say LIVE for paper desks.
  await expect(page).toHaveTitle('Quotedesk');
});

test('a click opens the desk monitor of that desk, the address names it, a reload stays, Esc goes back', async ({ page }) => {
  await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
  await row(page, 'bravo').click();
  await expect(page.getByTestId('desk')).toBeVisible();
  await expect(page).toHaveURL(/#desk=bravo$/);
  const bravo = await serve.get<DeskState>('/api/desks/bravo/state');
  await expect(page.getByTestId('instrument')).toContainText(bravo.symbol);
  await expect.poll(async () => Number(await page.getByTestId('inventory').getAttribute('data-value')) === (await serve.get<DeskState>('/api/desks/bravo/state')).inventory, { intervals: [50] }).toBe(true);
  // The strip marks the desk in view among all of them.
  await expect(page.locator('[data-testid="desk-tab"][data-current="true"]')).toHaveAttribute('data-desk', 'bravo');
  await expect(page.getByTestId('desk-tab')).toHaveCount(3);

  await page.reload();
  await expect(page.getByTestId('desk')).toBeVisible();
  await expect(page.getByTestId('instrument')).toContainText(bravo.symbol);
  await expect(page).toHaveURL(/#desk=bravo$/);

  await page.keyboard.press('Escape');
  await expect(page.getByTestId('overview')).toBeVisible();
  await expect(page).not.toHaveURL(/desk=/);
  // The browser's Back returns to the desk that was open.
  await page.goBack();
  await expect(page.locator('[data-testid="desk-tab"][data-current="true"]')).toHaveAttribute('data-desk', 'bravo');
  await page.getByTestId('back-to-overview').click();
  await expect(page.getByTestId('overview')).toBeVisible();
});

test('the keyboard moves through the overview and between desks; the help lists the keys', async ({ page }) => {
  await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
  await expect(page.getByTestId('overview-row')).toHaveCount(3);
  await expect(row(page, 'alpha')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'charlie')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowUp');
  await expect(row(page, 'bravo')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#desk=bravo$/);
  await expect(page.getByTestId('instrument')).toContainText((await serve.get<DeskState>('/api/desks/bravo/state')).symbol);
  // Alt+] the next desk, Alt+[ the previous, Alt+1 the first row's.
  await page.keyboard.press('Alt+BracketRight');
  await expect(page).toHaveURL(/#desk=charlie$/);
  await expect(page.getByTestId('instrument')).toContainText((await serve.get<DeskState>('/api/desks/charlie/state')).symbol);
  await page.keyboard.press('Alt+BracketLeft');
  await expect(page).toHaveURL(/#desk=bravo$/);
  await page.keyboard.press('Alt+1');
  await expect(page).toHaveURL(/#desk=alpha$/);
  await expect(page.getByTestId('instrument')).toContainText((await serve.get<DeskState>('/api/desks/alpha/state')).symbol);
  // The help in a desk lists the keys between desks; on the overview, the overview's own too.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-desk-keys')).toContainText('Alt+[');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('overview')).toBeVisible();
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overview-keys')).toContainText('Enter');
  await expect(page.getByTestId('help-overview-keys')).toContainText('Ctrl/⌘+Alt+Shift+K');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
});

test('KILL ALL asks, then halts every desk, with each desk’s confirmation on screen', async ({ page }) => {
  await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
  await expect(page.getByTestId('overview-row')).toHaveCount(3);
  // Cancelled, nothing is halted.
  await page.getByTestId('kill-all').click();
  await expect(page.getByTestId('kill-all-dialog')).toHaveAttribute('data-phase', 'confirm');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('kill-all-dialog')).toHaveCount(0);
  expect((await serve.get<DeskSummaryView[]>('/api/desks')).map((d) => d.tradingState)).toEqual(['active', 'active', 'active']);

  await page.getByTestId('kill-all').click();
  await expect(page.getByTestId('kill-all-desks')).toContainText('alpha');
  await page.getByTestId('kill-all-confirm').click();
  await expect(page.getByTestId('kill-all-dialog')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('kill-all-dialog')).toHaveAttribute('data-ok', 'true');
  const answers = page.getByTestId('kill-all-answer');
  await expect(answers).toHaveCount(3);
  for (const name of NAMES) {
    const answer = page.locator(`[data-testid="kill-all-answer"][data-desk="${name}"]`);
    await expect(answer).toHaveAttribute('data-state', 'halted');
    await expect(answer).toContainText('HALTED');
    await expect(answer).toContainText('confirmed by the desk');
  }
  await expect(page.getByTestId('kill-all-summary')).toHaveText('Every desk confirmed: 3 of 3 halted.');
  const after = await serve.get<DeskSummaryView[]>('/api/desks');
  expect(after.map((d) => [d.name, d.tradingState])).toEqual(NAMES.map((name) => [name, 'halted']));
  await page.getByTestId('kill-all-close').click();
  // The rows follow: every desk HALTED.
  for (const name of NAMES) await expect(row(page, name)).toHaveAttribute('data-state', 'halted');
  await expect(page.getByTestId('overview-counts')).toContainText('3 halted');
});
