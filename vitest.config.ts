/**
 * Vitest runs the unit and integration suites under Node against the TypeScript sources directly.
 * Browser end-to-end tests are Playwright's (playwright.config.ts), not vitest's.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
