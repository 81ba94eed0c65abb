/**
 * Playwright fixture: a fresh `quotedesk serve` on the simulated market and a temporary database for each
 * test, and a page opened on the monitor with the token in the URL fragment.
 */
import { test as base, expect } from '@playwright/test';
import { removeDir, startServe, type ServeHandle } from '../support/serve-process.js';

export interface DeskFixtures {
  serve: ServeHandle;
  /** Extra `serve` flags for this test file (`test.use({ serveArgs: [...] })`). */
  serveArgs: string[];
}

export const test = base.extend<DeskFixtures>({
  serveArgs: [[], { option: true }],
  serve: async ({ serveArgs }, use) => {
    const serve = await startServe({ args: serveArgs });
    await use(serve);
    await serve.stop();
    removeDir(serve.dir);
  },
});

export { expect };

/** Opens the monitor as a user would: the URL the server printed, token in the fragment. */
export function monitorUrl(serve: ServeHandle): string {
  return `${serve.baseUrl}/#token=${serve.token}`;
}
