/**
 * A live session started from the monitor's session dialog, in Chromium, against the local exchange
 * (`quotedesk venue --speak binance-spot`, a child process) and a real paper `quotedesk serve` on its feed
 * with the account's keys in its environment: the dialog says where the keys come from and that they are
 * configured (the key's last four characters, never the secret); LIVE without the typed confirmation is
 * refused in the engine's words and nothing trades for real; with it, the session starts, `/api/state`
 * says `"execution":"live"`, and the LIVE strip and the page title say LIVE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { DeskState, SessionView } from '../../src/shared/contract.js';
import { CLI, PROJECT_ROOT, removeDir, startServe, type ServeHandle } from '../support/serve-process.js';
import { expect, test } from './fixtures.js';

const API_KEY = 'e2e-live-key-5d2c';
const API_SECRET = 'e2e-live-secret-8b71c0a9f3';

interface Venue {
  readonly child: ChildProcess;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly wsApiUrl: string;
}

/** Starts `quotedesk venue` and reads its endpoints from its own output. */
async function startVenue(): Promise<Venue> {
  const child = spawn(process.execPath, [CLI, 'venue', '--speak', 'binance-spot', '--port', '0', '--seed', '4'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, QUOTEDESK_API_KEY: API_KEY, QUOTEDESK_API_SECRET: API_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`quotedesk venue did not start: ${out}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`quotedesk venue exited ${code}: ${out}`)));
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (!/listening on/.test(out)) return;
      clearTimeout(timer);
      const line = (label: string): string => new RegExp(`^${label}: (\\S+)$`, 'm').exec(out)?.[1] ?? '';
      resolve({ child, restUrl: line('REST'), wsUrl: line('Market streams'), wsApiUrl: line('WebSocket API') });
    });
  });
}

/** The running session's execution, or its status while none runs (a switch stops one, then starts one). */
async function executionNow(): Promise<string> {
  const response = await fetch(`${serve.baseUrl}/api/state`);
  if (!response.ok) return `HTTP ${response.status}: ${await response.text()}`;
  return ((await response.json()) as DeskState).execution;
}

let venue: Venue;
let serve: ServeHandle;

test.beforeAll(async () => {
  venue = await startVenue();
  serve = await startServe({
    args: ['--venue', 'binance-spot', '--symbol', 'SIMUSDT', '--rest-url', venue.restUrl, '--ws-url', venue.wsUrl, '--ws-api-url', venue.wsApiUrl],
    env: { QUOTEDESK_API_KEY: API_KEY, QUOTEDESK_API_SECRET: API_SECRET },
    timeoutMs: 60_000,
  });
});

test.afterAll(async () => {
  await serve?.stop();
  removeDir(serve?.dir ?? '');
  venue?.child.kill('SIGTERM');
});

test('LIVE from the session dialog: refused without the typed confirmation, then started with it, LIVE everywhere', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
  await expect(page.getByTestId('execution-mode')).toHaveAttribute('data-mode', 'paper');
  expect(serve.stdout()).toMatch(/^Live keys: loaded from the environment \(API key …5d2c\)/m);

  await page.getByTestId('session-open').click();
  await expect(page.getByTestId('session-dialog')).toBeVisible();
  await expect(page.getByTestId('session-source-live')).toBeChecked();
  await expect(page.getByTestId('session-symbol')).toHaveValue('SIMUSDT');
  await page.getByTestId('session-execution-live').check();
  // Where the keys come from and that they are there — never the secret.
  await expect(page.getByTestId('session-keys')).toHaveAttribute('data-configured', 'true');
  await expect(page.getByTestId('session-keys-status')).toHaveText('Configured: API key …5d2c (HMAC)');
  await expect(page.getByTestId('session-keys-source')).toHaveText('From the environment of quotedesk serve.');
  await expect(page.getByTestId('session-keys-secret')).toHaveCount(0);
  expect(await page.getByTestId('session-dialog').textContent()).not.toContain(API_SECRET);
  await expect(page.getByTestId('session-mainnet')).not.toBeChecked();
  await expect(page.getByTestId('session-confirm-expected')).toHaveText('binance-spot SIMUSDT');

  // No confirmation typed: the engine refuses, in its words, and the desk stays on paper.
  await page.getByTestId('session-start').click();
  await expect(page.getByTestId('session-confirm-error')).toHaveText('to trade for real, type "binance-spot SIMUSDT" to confirm');
  expect((await serve.get<DeskState>('/api/state')).execution).toBe('paper');
  // A wrong one too.
  await page.getByTestId('session-confirm').fill('binance-spot BTCUSDT');
  await page.getByTestId('session-start').click();
  await expect(page.getByTestId('command-status')).toContainText('to trade for real');
  expect((await serve.get<DeskState>('/api/state')).execution).toBe('paper');

  await page.getByTestId('session-confirm').fill('binance-spot SIMUSDT');
  await page.getByTestId('session-start').click();
  await expect(page.getByTestId('session-dialog')).toHaveCount(0);
  await expect.poll(async () => (await serve.get<SessionView>('/api/session')).status, { timeout: 30_000 }).toBe('running');
  const session = await serve.get<SessionView>('/api/session');
  expect(session.spec).toEqual({ venue: 'binance-spot', symbol: 'SIMUSDT', execution: 'live', confirm: 'binance-spot SIMUSDT' });
  await expect.poll(executionNow, { timeout: 30_000 }).toBe('live');
  const state = await serve.get<DeskState>('/api/state');
  // The testnet by default: the endpoints given override it, and the desk says so.
  expect(state.venueLink?.endpoint).toMatch(/^override 127\.0\.0\.1:\d+$/);

  await expect(page.getByTestId('execution-mode')).toHaveAttribute('data-mode', 'live');
  await expect(page.getByTestId('live-strip')).toBeVisible();
  await expect(page.getByTestId('live-strip')).toContainText('LIVE');
  await expect(page.getByTestId('live-endpoint')).toHaveText(state.venueLink?.endpoint ?? '?');
  await expect(page).toHaveTitle('🔴 LIVE binance-spot SIMUSDT — Quotedesk');
  expect(await page.content()).not.toContain(API_SECRET);

  // Back to paper from the dialog: LIVE leaves the title and the strip.
  await page.getByTestId('session-open').click();
  await page.getByTestId('session-execution-paper').check();
  await page.getByTestId('session-start').click();
  await expect.poll(executionNow, { timeout: 30_000 }).toBe('paper');
  await expect(page.getByTestId('live-strip')).toHaveCount(0);
  await expect(page).toHaveTitle('Quotedesk');
});
