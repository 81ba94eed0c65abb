/**
 * Regenerates the README screenshots of several desks, at 1280×800 in Debian's Chromium: the overview of a
 * `quotedesk serve --desks` with three simulated desks and firm limits (docs/screenshots/overview.png), one
 * of them drilled into (desk-drill-in.png), the fleet supervisor's page over a real nats-server with two
 * `serve --fleet` desks, one of them SIGKILLed so the page shows it lost (supervisor.png), and the session
 * dialog choosing LIVE on the local exchange (session-live.png). Everything shown is what the real
 * processes report; nothing is staged but the choice of moment.
 *
 * Run: `npm run build && npx tsx scripts/screenshots-desks.ts`. Needs /usr/bin/chromium and nats-server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { DeskSummaryView } from '../src/shared/desks.js';
import { startCli } from '../test/support/cli-process.js';
import { NatsCluster, USERS } from '../test/support/nats-cluster.js';
import { CLI, PROJECT_ROOT, removeDir, startServe, type ServeHandle } from '../test/support/serve-process.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const outDir = join(PROJECT_ROOT, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(outDir, name);
  await page.screenshot({ path });
  process.stdout.write(`wrote ${path}\n`);
}

/** Polls `check` once a second until it holds or `maxSec` pass (the desks trade in real time). */
async function waitFor(what: string, check: () => Promise<boolean>, maxSec: number): Promise<void> {
  const end = Date.now() + maxSec * 1000;
  while (!(await check())) {
    if (Date.now() > end) {
      process.stdout.write(`(${what}: not within ${maxSec} s, shooting anyway)\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function desks(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-shots-'));
  writeFileSync(
    join(dir, 'desks.json'),
    JSON.stringify({
      desks: [
        { name: 'btc-sim', venue: 'sim', symbol: 'BTC-USD' },
        { name: 'eth-sim', venue: 'sim', symbol: 'ETH-USD', params: { strategy: { size: { baseLots: 40 } } } },
        { name: 'sol-sim', venue: 'sim', symbol: 'SOL-USD', params: { strategy: { size: { baseLots: 25 } } } },
      ],
      firmLimits: { maxLoss: { USD: 2500 }, maxGrossNotional: { USD: 400000 }, maxNetExposure: { BTC: 3000 } },
    }),
  );
  const serve = await startServe({ dir, args: ['--desks', join(dir, 'desks.json'), '--sim-flow', '3', '--seed', '9'] });
  try {
    await waitFor('fills on every desk', async () => (await serve.get<DeskSummaryView[]>('/api/desks')).every((d) => d.lastFillAgeMs !== null && d.inventory !== 0), 90);
    // One desk paused by its operator: the overview shows it as it is.
    await serve.send('POST', '/api/desks/sol-sim/control/pause', {});
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
    await page.getByTestId('overview-row').nth(2).waitFor();
    await page.locator('[data-testid="overview-row"][data-desk="sol-sim"][data-state="paused"]').waitFor();
    await shoot(page, 'overview.png');
    await page.locator('[data-testid="overview-row"][data-desk="eth-sim"]').click();
    await page.getByTestId('fills-blotter-row').first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => ((globalThis as unknown as { __quotedeskStats?: { frames: number } }).__quotedeskStats?.frames ?? 0) > 30);
    await shoot(page, 'desk-drill-in.png');
    await page.close();
  } finally {
    await serve.stop();
    removeDir(dir);
  }
}

async function supervisor(): Promise<void> {
  const nats = await NatsCluster.start(1);
  const env = (who: keyof typeof USERS): Record<string, string> => ({ QUOTEDESK_NATS_USER: USERS[who].user, QUOTEDESK_NATS_PASSWORD: USERS[who].pass });
  const serves: ServeHandle[] = [];
  try {
    for (const [name, seed] of [
      ['ldn-btc', 1],
      ['nyc-eth', 2],
      ['tyo-sol', 3],
    ] as const) {
      serves.push(await startServe({ args: ['--fleet', nats.urls, '--desk-name', name, '--seed', String(seed), '--sim-flow', '3'], env: env('desk') }));
    }
    const fleet = await startCli(['fleet', '--nats', nats.urls, '--port', '0', '--token', 'shots-token'], /listening on (http:\/\/\S+)/, { env: env('supervisor') });
    try {
      const url = fleet.match[1] ?? '';
      await waitFor('fills', async () => (await Promise.all(serves.map((s) => s.get<{ numFills: number }>('/api/metrics')))).every((m) => m.numFills > 0), 60);
      await serves[2]?.stop('SIGKILL');
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${url}/#token=shots-token`);
      await page.locator('[data-testid="overview-row"][data-desk="tyo-sol"][data-status="lost"]').waitFor({ timeout: 15_000 });
      await shoot(page, 'supervisor.png');
      await page.close();
    } finally {
      await fleet.stop('SIGTERM');
    }
  } finally {
    for (const serve of serves) {
      await serve.stop('SIGKILL');
      removeDir(serve.dir);
    }
    await nats.stop();
  }
}

async function sessionLive(): Promise<void> {
  const keys = { QUOTEDESK_API_KEY: 'screenshot-key-3f9a', QUOTEDESK_API_SECRET: 'screenshot-secret-0c1d2e3f' };
  const venue = spawn(process.execPath, [CLI, 'venue', '--speak', 'binance-spot', '--port', '0'], { cwd: PROJECT_ROOT, env: { ...process.env, ...keys }, stdio: ['ignore', 'pipe', 'inherit'] });
  const out = await new Promise<string>((resolve) => {
    let text = '';
    venue.stdout?.setEncoding('utf8');
    venue.stdout?.on('data', (chunk: string) => {
      text += chunk;
      if (/listening on/.test(text)) resolve(text);
    });
  });
  const line = (label: string): string => new RegExp(`^${label}: (\\S+)$`, 'm').exec(out)?.[1] ?? '';
  const serve = await startServe({ args: ['--venue', 'binance-spot', '--symbol', 'SIMUSDT', '--rest-url', line('REST'), '--ws-url', line('Market streams'), '--ws-api-url', line('WebSocket API')], env: keys, timeoutMs: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
    await page.getByTestId('our-bid').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('session-open').click();
    await page.getByTestId('session-execution-live').check();
    await page.locator('[data-testid="session-keys"][data-configured="true"]').waitFor();
    await page.getByTestId('session-confirm').fill('binance-spot SIMUSDT');
    await shoot(page, 'session-live.png');
    await page.close();
  } finally {
    await serve.stop();
    removeDir(serve.dir);
    venue.kill('SIGTERM');
  }
}

try {
  await desks();
  await supervisor();
  await sessionLive();
} finally {
  await browser.close();
}
