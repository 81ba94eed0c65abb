#!/usr/bin/env node
/**
 * `npm test`: every suite the project has, in order — build, type-check, lint, vitest (unit + integration),
 * Playwright end-to-end in Debian's Chromium — each run even if an earlier one failed, so one run shows
 * everything. Ends with one plain line `N passed, N failed[, N skipped]` summing all suites (the build,
 * type-check and lint count as one test each), and exits non-zero on any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];

function run(name, command, args, env = {}) {
  process.stdout.write(`\n=== ${name}: ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = result.status === 0;
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

function step(name, command, args) {
  if (run(name, command, args)) passed++;
  else failed++;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

step('build', 'npx', ['electron-vite', 'build']);
step('type-check', 'npm', ['run', '-s', 'typecheck']);
step('lint', 'npm', ['run', '-s', 'lint']);

const vitestJson = join(results, 'vitest.json');
const vitestOk = run('vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
const vitest = readJson(vitestJson);
if (vitest) {
  passed += vitest.numPassedTests ?? 0;
  failed += vitest.numFailedTests ?? 0;
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
  if (!vitestOk && (vitest.numFailedTests ?? 0) === 0) failed++;
} else if (!vitestOk) {
  failed++;
}

const playwrightJson = join(results, 'playwright.json');
const playwrightOk = run('playwright', 'npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson });
const playwright = existsSync(playwrightJson) ? readJson(playwrightJson) : null;
if (playwright && playwright.stats) {
  passed += (playwright.stats.expected ?? 0) + (playwright.stats.flaky ?? 0);
  failed += playwright.stats.unexpected ?? 0;
  skipped += playwright.stats.skipped ?? 0;
  if (!playwrightOk && (playwright.stats.unexpected ?? 0) === 0) failed++;
} else if (!playwrightOk) {
  failed++;
}

process.stdout.write(`\n${summary.join('\n')}\n\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 ? 1 : 0);
