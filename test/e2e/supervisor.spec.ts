/**
 * The fleet supervisor's page, in Chromium, over real processes: a nats-server with accounts, two
 * `quotedesk serve --fleet` desks on the simulated market and `quotedesk fleet` serving the monitor. The
 * page opens on the fleet's overview with both desks live and their heartbeat age, the figures the
 * supervisor's `GET /api/fleet` answers; a desk drilled into shows the fleet's panel of it; a desk
 * SIGKILLed turns lost on the page within the heartbeat window (waited on, not slept); the kill-all halts
 * the live desk — as its own API then says — and reports the lost one as not asked.
 */
import type { Page } from '@playwright/test';
import type { DeskState } from '../../src/shared/contract.js';
import type { FleetView } from '../../src/shared/fleet.js';
import { startCli, type CliHandle } from '../support/cli-process.js';
import { NatsCluster, USERS } from '../support/nats-cluster.js';
import { removeDir, startServe, type ServeHandle } from '../support/serve-process.js';
import { expect, test } from './fixtures.js';

const TOKEN = 'supervisor-page-token-42';
const env = (who: keyof typeof USERS): Record<string, string> => ({ QUOTEDESK_NATS_USER: USERS[who].user, QUOTEDESK_NATS_PASSWORD: USERS[who].pass });

let nats: NatsCluster;
let supervisor: CliHandle;
let supervisorUrl = '';
const desks = new Map<string, ServeHandle>();

test.beforeAll(async () => {
  nats = await NatsCluster.start(1);
  for (const [name, seed] of [
    ['north', 1],
    ['south', 2],
  ] as const) {
    desks.set(name, await startServe({ args: ['--fleet', nats.urls, '--desk-name', name, '--seed', String(seed), '--sim-flow', '2'], env: env('desk') }));
  }
  supervisor = await startCli(['fleet', '--nats', nats.urls, '--port', '0', '--token', TOKEN], /listening on (http:\/\/\S+)/, { env: env('supervisor') });
  supervisorUrl = supervisor.match[1] ?? '';
});

test.afterAll(async () => {
  await supervisor?.stop('SIGTERM');
  for (const desk of desks.values()) {
    await desk.stop('SIGKILL');
    removeDir(desk.dir);
  }
  await nats?.stop();
});

function row(page: Page, name: string) {
  return page.locator(`[data-testid="overview-row"][data-desk="${name}"]`);
}

test('the supervisor page lists the fleet live, drills into a desk, shows a SIGKILLed desk lost, and kills all', async ({ page }) => {
  expect(supervisor.stdout()).toContain(`Monitor: ${supervisorUrl}/#token=${TOKEN}`);
  await page.goto(`${supervisorUrl}/#token=${TOKEN}`);
  await expect(page.getByTestId('overview')).toHaveAttribute('data-kind', 'fleet');
  await expect(row(page, 'north')).toHaveAttribute('data-status', 'running');
  await expect(row(page, 'south')).toHaveAttribute('data-status', 'running');
  await expect(row(page, 'north').getByText(/heartbeat .* ago/)).toBeVisible();
  // The rows are the supervisor's: the same desks, executions and states as GET /api/fleet.
  await expect
    .poll(async () => {
      const view = (await (await fetch(`${supervisorUrl}/api/fleet`)).json()) as FleetView;
      const shown = await page.getByTestId('overview-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-desk'), r.getAttribute('data-execution'), r.getAttribute('data-state'), r.getAttribute('data-inventory')]));
      return JSON.stringify(shown) === JSON.stringify(view.desks.map((d) => [d.name, d.execution, d.tradingState, String(d.inventory)]));
    })
    .toBe(true);

  // Drill-in: the fleet's panel of the desk (its summary, heartbeat, commands), and back.
  await row(page, 'south').click();
  await expect(page).toHaveURL(/#desk=south$/);
  await expect(page.getByTestId('fleet-desk')).toHaveAttribute('data-desk', 'south');
  await expect(page.getByTestId('fleet-heartbeat')).toContainText('ago');
  await expect(page.getByTestId('fleet-not-here')).toContainText('quotedesk serve');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('overview')).toBeVisible();

  // SIGKILL one desk: its row turns lost within the heartbeat window, the other stays live.
  await desks.get('south')?.stop('SIGKILL');
  await expect(row(page, 'south')).toHaveAttribute('data-status', 'lost', { timeout: 10_000 });
  await expect(row(page, 'south').getByTestId('overview-state')).toHaveText('LOST');
  await expect(row(page, 'north')).toHaveAttribute('data-status', 'running');

  // The kill-all: the live desk halts (its own API says so), the lost one is reported as not asked.
  await page.getByTestId('kill-all').click();
  await page.getByTestId('kill-all-confirm').click();
  await expect(page.getByTestId('kill-all-dialog')).toHaveAttribute('data-done', 'true');
  await expect(page.locator('[data-testid="kill-all-answer"][data-desk="north"]')).toHaveAttribute('data-state', 'halted');
  await expect(page.locator('[data-testid="kill-all-answer"][data-desk="south"]')).toHaveAttribute('data-lost', 'true');
  await expect(page.locator('[data-testid="kill-all-answer"][data-desk="south"]')).toContainText('NOT ASKED');
  expect((await desks.get('north')?.get<DeskState>('/api/state'))?.tradingState).toBe('halted');
  await page.getByTestId('kill-all-close').click();
  await expect(row(page, 'north')).toHaveAttribute('data-state', 'halted');
});
