/**
 * Starts the monitor bench's Chromium in one of two process layouts, which the kernel schedules differently.
 *
 * - `own` (Playwright's `launch`): Chromium is started detached, in a session of its own. With the kernel's
 *   autogroup scheduling (on by default on desktop Linux and here), each session is one scheduling group, and
 *   the groups share the CPUs fairly as wholes: the desk server's session weighs as much as all of
 *   Chromium's threads together, so on a 2-core machine the page's main thread waits behind the server's.
 *   This is a browser opened from the desktop beside `quotedesk serve` started in a terminal.
 * - `shared`: Chromium is started as a child in the bench's own session, beside the desk server, and
 *   Playwright connects to it over CDP. Every thread then competes as itself, as in the Electron app, where
 *   the desk runs in the main process and the window's renderer is its child in the same session.
 *
 * It also names, before a bench starts, any desk server or Chromium already running (`warnOfStrayProcesses`).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type BrowserSession = 'own' | 'shared';

export interface BenchBrowser {
  readonly browser: Browser;
  readonly session: BrowserSession;
  newPage(viewport: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Playwright's own switches that matter for a page measured in the background of nothing (see its chromiumSwitches). */
const PLAYWRIGHT_LIKE = [
  '--disable-field-trial-config',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-back-forward-cache',
  '--disable-breakpad',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-hang-monitor',
  '--disable-ipc-flooding-protection',
  '--disable-popup-blocking',
  '--no-default-browser-check',
  '--password-store=basic',
  '--force-color-profile=srgb',
  '--hide-scrollbars',
  '--mute-audio',
];

export async function startBenchBrowser(options: { session: BrowserSession; executablePath: string; args: readonly string[]; headed: boolean }): Promise<BenchBrowser> {
  if (options.session === 'own') {
    const browser = await chromium.launch({ executablePath: options.executablePath, headless: !options.headed, args: [...options.args] });
    return {
      browser,
      session: 'own',
      newPage: (viewport) => browser.newPage({ viewport }),
      close: () => browser.close(),
    };
  }
  const profile = mkdtempSync(join(tmpdir(), 'qd-bench-chromium-'));
  const child: ChildProcess = spawn(
    options.executablePath,
    [...options.args, ...PLAYWRIGHT_LIKE, ...(options.headed ? [] : ['--headless']), '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools endpoint within 30 s:\n${seen}`)), 30_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (seen.length > 100_000) return; // listening long since; the rest is drained, not kept
      seen += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with code ${code} before listening:\n${seen}`));
    });
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    session: 'shared',
    async newPage(viewport) {
      const context = browser.contexts()[0] ?? (await browser.newContext());
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await browser.close();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      // Chromium's helper processes can still be writing the profile a moment after the browser exits
      // (ENOTEMPTY): retried, as rm -rf would need to be.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/**
 * Desk servers and Chromiums already running on this machine (a run killed part-way leaves them): each takes
 * a share of the two cores the figures depend on, so the bench names them before it starts.
 */
function strayProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // gone meanwhile
    }
    if (/quotedesk\.js serve|\/chromium(\s|$)/.test(cmdline)) found.push(`${entry}: ${cmdline.slice(0, 100)}`);
  }
  return found;
}

/** Says, before a bench starts, which desk servers and Chromiums are already running (see `strayProcesses`). */
export function warnOfStrayProcesses(): void {
  const strays = strayProcesses();
  if (strays.length > 0) console.log(`WARNING: ${strays.length} desk server or Chromium process(es) already running; the figures will be slower:\n  ${strays.join('\n  ')}`);
}
