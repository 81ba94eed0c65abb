/**
 * Regenerates the README screenshots of the monitor: starts a real `quotedesk serve` on the simulated
 * market (temporary database), lets it trade until it has fills and some history (at most
 * `--max-wait` seconds), then opens the monitor in Debian's Chromium through playwright-core and writes
 * docs/screenshots/monitor.png (1600×1000) and docs/screenshots/monitor-1280x800.png.
 *
 * Run: `npm run build && npx tsx scripts/screenshots.ts [--min-fills 25] [--max-wait 120]`.
 * It never downloads a browser: CHROMIUM_PATH or /usr/bin/chromium (`apt-get install chromium`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { FillView } from '../src/shared/contract.js';
import { PROJECT_ROOT, removeDir, startServe } from '../test/support/serve-process.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: expected a number, got ${process.argv[index + 1]}`);
  return value;
}

const minFills = flag('min-fills', 25);
const maxWaitSec = flag('max-wait', 120);
const outDir = join(PROJECT_ROOT, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });

const serve = await startServe();
try {
  process.stdout.write(`serving ${serve.baseUrl}; waiting for ${minFills} fills (at most ${maxWaitSec} s)…\n`);
  const started = Date.now();
  // The desk trades in real time; wait on its own report of fills, checking once a second.
  for (;;) {
    const fills = await serve.get<FillView[]>(`/api/fills?limit=${minFills}`);
    if (fills.length >= minFills || Date.now() - started > maxWaitSec * 1000) {
      process.stdout.write(`${fills.length} fills after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    for (const [width, height, name] of [
      [1600, 1000, 'monitor.png'],
      [1280, 800, 'monitor-1280x800.png'],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${serve.baseUrl}/#token=${serve.token}`);
      await page.getByTestId('our-bid').first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.getByTestId('fills-blotter-row').first().waitFor({ state: 'visible', timeout: 30_000 });
      // Let the charts draw the history and a few live frames.
      await page.waitForFunction(() => ((globalThis as unknown as { __quotedeskStats?: { frames: number } }).__quotedeskStats?.frames ?? 0) > 30, undefined, { timeout: 30_000 });
      const path = join(outDir, name);
      await page.screenshot({ path });
      if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
      process.stdout.write(`wrote ${path}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await serve.stop();
  removeDir(serve.dir);
}
