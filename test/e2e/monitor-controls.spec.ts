/**
 * The monitor's controls against a real `quotedesk serve` on the simulated market: each control — by
 * button and by keyboard shortcut — changes the desk as `/api/state` then shows; re-arm and flatten ask
 * for confirmation; the parameter editor validates like the server, shows the diff and applies it; the
 * page takes its token from the URL fragment and hides it; a dropped stream shows the disconnected banner
 * and recovers with a fresh snapshot.
 */
import type { DeskState } from '../../src/shared/contract.js';
import { expect, monitorUrl, test } from './fixtures.js';

const apiState = (serve: { get<T>(path: string): Promise<T> }): Promise<DeskState> => serve.get<DeskState>('/api/state');

test('keyboard: K kills, R asks to re-arm, P pauses and resumes, D reduces; shortcuts are ignored while typing', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const banner = page.getByTestId('trading-state');
  await expect(banner).toHaveAttribute('data-state', 'active');

  await page.keyboard.press('p');
  await expect(banner).toHaveAttribute('data-state', 'paused');
  expect((await apiState(serve)).tradingState).toBe('paused');
  await expect(page.getByTestId('reasons-bid')).toHaveAttribute('data-reasons', /paused/);
  await page.keyboard.press('p');
  await expect(banner).toHaveAttribute('data-state', 'active');

  await page.keyboard.press('d');
  await expect(banner).toHaveAttribute('data-state', 'reducing');
  expect((await apiState(serve)).tradingState).toBe('reducing');

  await page.keyboard.press('k');
  await expect(banner).toHaveAttribute('data-state', 'halted');
  await expect.poll(async () => (await apiState(serve)).openOrders.length).toBe(0);
  await expect(page.getByTestId('trading-state-cause')).not.toBeEmpty();

  // R opens the confirmation; Escape closes it without re-arming.
  await page.keyboard.press('r');
  await expect(page.getByTestId('rearm-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('rearm-dialog')).toHaveCount(0);
  expect((await apiState(serve)).tradingState).toBe('halted');
  await page.keyboard.press('r');
  await page.getByTestId('rearm-confirm').click();
  await expect(banner).toHaveAttribute('data-state', 'active');
  expect((await apiState(serve)).tradingState).toBe('active');
  // The desk publishes the new state before it answers the command, so the banner can say active while the
  // dialog still waits for the answer; keys go to an open dialog, not to the shortcuts.
  await expect(page.getByTestId('rearm-dialog')).toHaveCount(0);

  // Typing in a field does not fire shortcuts…
  await page.keyboard.press('e');
  const field = page.getByTestId('param-strategy.spread.baseBps');
  await field.click();
  await field.press('k');
  await field.press('p');
  expect((await apiState(serve)).tradingState).toBe('active');
  // …but the kill chord works from anywhere.
  await field.press('Control+Shift+K');
  await expect(banner).toHaveAttribute('data-state', 'halted');
  expect((await apiState(serve)).tradingState).toBe('halted');
});

test('buttons: pause/resume, reduce-only and the always-visible one-click kill switch', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const banner = page.getByTestId('trading-state');
  await expect(banner).toHaveAttribute('data-state', 'active');
  await page.getByTestId('reduce').click();
  await expect(banner).toHaveAttribute('data-state', 'reducing');
  expect((await apiState(serve)).tradingState).toBe('reducing');
  await page.getByTestId('kill-switch').click();
  await expect(banner).toHaveAttribute('data-state', 'halted');
  await expect(page.getByTestId('rearm-dialog')).toHaveCount(0);
  const halted = await apiState(serve);
  expect(halted.tradingState).toBe('halted');
  await expect(page.getByTestId('pause')).toBeDisabled();
  await expect(page.getByTestId('rearm')).toBeEnabled();
});

test('flatten with a chosen style asks for confirmation, shows progress and ends flat', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect.poll(async () => Math.abs((await apiState(serve)).inventory), { timeout: 45_000 }).toBeGreaterThan(0);
  // Pause first, so the strategy does not trade the inventory back up after the flatten.
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'paused');
  await page.keyboard.press('f');
  const dialog = page.getByTestId('flatten-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('flatten-style-aggressive').check();
  await dialog.getByTestId('flatten-slippage').fill('500');
  await dialog.getByTestId('flatten-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('flatten-progress')).toBeVisible();
  await expect.poll(async () => (await apiState(serve)).flatten?.status, { timeout: 30_000 }).toBe('done');
  await expect(page.getByTestId('flatten-progress')).toHaveAttribute('data-status', 'done');
  expect((await apiState(serve)).inventory).toBe(0);
  await expect(page.getByTestId('inventory')).toHaveAttribute('data-value', '0');
});

test('a refused flatten shows the desk\'s reason; a bad slippage is caught before sending', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await page.getByTestId('flatten').click();
  const dialog = page.getByTestId('flatten-dialog');
  await dialog.getByTestId('flatten-slippage').fill('-5');
  await dialog.getByTestId('flatten-confirm').click();
  await expect(dialog.locator('.field-error')).toBeVisible();
  await expect(dialog).toBeVisible();
  expect((await apiState(serve)).flatten).toBeNull();
});

test('parameter editor: validates like the server, shows the diff, applies and reverts', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  const before = await apiState(serve);
  await page.getByTestId('params-open').click();
  const editor = page.getByTestId('params-editor');
  await expect(editor).toBeVisible();

  // A cross-field error (soft above hard) is shown next to its field and blocks Apply.
  const soft = editor.getByTestId('param-risk.softInventoryLots');
  await soft.fill(String(before.params.risk.maxInventoryLots + 1));
  await expect(editor.getByTestId('param-error-risk.softInventoryLots')).toContainText('soft inventory');
  await expect(editor.getByTestId('params-apply')).toBeDisabled();
  await editor.getByTestId('params-revert').click();
  await expect(editor.getByTestId('params-diff')).toHaveAttribute('data-count', '0');

  // A range error from the schema.
  const base = editor.getByTestId('param-strategy.spread.baseBps');
  await base.fill('0');
  await expect(editor.getByTestId('param-error-strategy.spread.baseBps')).toBeVisible();
  await base.fill(String(before.params.strategy.spread.baseBps + 2));
  await expect(editor.getByTestId('param-error-strategy.spread.baseBps')).toHaveCount(0);
  await editor.getByTestId('param-risk.adverseBreakerAction').selectOption('pause');
  await expect(editor.getByTestId('params-diff')).toHaveAttribute('data-count', '2');
  await expect(editor.getByTestId('params-diff')).toContainText('strategy.spread.baseBps');
  await editor.getByTestId('params-apply').click();
  await expect.poll(async () => (await apiState(serve)).params.strategy.spread.baseBps).toBe(before.params.strategy.spread.baseBps + 2);
  const after = await apiState(serve);
  expect(after.params.risk.adverseBreakerAction).toBe('pause');
  expect(after.params.risk.maxInventoryLots).toBe(before.params.risk.maxInventoryLots);
  await expect(editor.getByTestId('params-diff')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('command-status')).toHaveAttribute('data-ok', 'true');
});

test('help overlay lists the shortcuts; the token leaves the URL; without it the page is read-only', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  expect(page.url()).not.toContain('token');
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('Kill switch');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  // The token survives a reload of this tab (sessionStorage) …
  await page.reload();
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'paused');

  // … but a fresh tab opened without it cannot write.
  const other = await page.context().browser()!.newPage();
  await other.goto(serve.baseUrl);
  await expect(other.getByTestId('read-only')).toBeVisible();
  await expect(other.getByTestId('kill-switch')).toBeDisabled();
  await other.close();
});

test('a dropped stream shows the disconnected banner, then reconnects with a fresh snapshot', async ({ page, serve }) => {
  let connections = 0;
  let serverUp = true;
  await page.routeWebSocket(/\/api\/stream$/, (ws) => {
    connections++;
    if (!serverUp) {
      // The desk is unreachable: every attempt is refused until the test lets it through again.
      void ws.close({ code: 1013, reason: 'down' });
      return;
    }
    const server = ws.connectToServer();
    if (connections === 1) {
      // Drop the first connection after it has streamed a while, and keep the desk unreachable.
      let seen = 0;
      server.onMessage((message) => {
        ws.send(message);
        if (++seen === 20) {
          serverUp = false;
          void ws.close({ code: 1011, reason: 'test drop' });
        }
      });
    }
  });
  await page.goto(monitorUrl(serve));
  const banner = page.getByTestId('disconnected-banner');
  await expect(banner).toContainText('DISCONNECTED');
  await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-status', 'open');
  // Controls stay usable while the stream is down (they go over HTTP), and the figures are marked frozen.
  await expect(page.getByTestId('kill-switch')).toBeEnabled();
  const refused = connections;
  await expect.poll(() => connections).toBeGreaterThan(refused);
  serverUp = true;
  await expect(banner).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  const snapshots = await page.evaluate<number>('window.__quotedeskStats.snapshots');
  expect(snapshots).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
});
