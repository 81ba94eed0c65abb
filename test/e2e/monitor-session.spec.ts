/**
 * Session control from the monitor against a real `quotedesk serve`: stopping the session shows it in the
 * banner (no market running) and `/api/session` agrees; starting the simulated market again from the
 * session dialog brings a new session whose snapshot replaces the old one on the page.
 */
import type { DeskState, SessionView } from '../../src/shared/contract.js';
import { expect, monitorUrl, test } from './fixtures.js';

test('stop and start the session from the monitor', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const banner = page.getByTestId('trading-state');
  await expect(banner).toHaveAttribute('data-state', 'active');
  const first = await serve.get<DeskState>('/api/state');

  await page.keyboard.press('s');
  const dialog = page.getByTestId('session-dialog');
  await expect(dialog.getByTestId('session-status')).toHaveAttribute('data-status', 'running');
  await dialog.getByTestId('session-stop').click();
  await expect(banner).toHaveAttribute('data-session', 'stopped');
  await expect(banner).toContainText('SESSION STOPPED');
  expect((await serve.get<SessionView>('/api/session')).status).toBe('stopped');

  await dialog.getByTestId('session-source-sim').check();
  await dialog.getByTestId('session-start').click();
  await expect(dialog).toHaveCount(0);
  await expect.poll(async () => (await serve.get<SessionView>('/api/session')).status).toBe('running');
  const second = await serve.get<SessionView>('/api/session');
  expect(second.sessionId).not.toBe(first.sessionId);
  await expect(banner).toHaveAttribute('data-session', 'running');
  await expect(banner).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('session-open')).toContainText(`session ${second.sessionId}`);
  await expect(page.getByTestId('ladder').getByTestId('our-bid')).toHaveCount(1);
});
