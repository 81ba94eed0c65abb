/**
 * Locates the real market data in `../shared/data` (beside the project, never copied into it).
 *
 * Tests that need it use `describeWithSharedData`: when the folder is absent (a fresh clone outside the
 * workplace) the suite is skipped with a message saying so; in CI the data is always present.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED_DATA_DIR = process.env['QUOTEDESK_SHARED_DATA'] ?? join(projectRoot, '..', 'shared', 'data');

export function sharedDataPath(...parts: string[]): string {
  return join(SHARED_DATA_DIR, ...parts);
}

export function hasSharedData(): boolean {
  return existsSync(SHARED_DATA_DIR);
}

/** `describe` when ../shared/data exists; otherwise a skipped suite whose title says the data is absent. */
export function describeWithSharedData(name: string, body: () => void): void {
  if (hasSharedData()) {
    describe(name, body);
  } else {
    describe.skip(`${name} [skipped: real market data not found at ${SHARED_DATA_DIR}]`, body);
  }
}

export { projectRoot };
