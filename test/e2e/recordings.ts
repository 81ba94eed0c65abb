/**
 * Real recordings for the browser tests: the GOOG LOBSTER slice (2,000 rows) converted by the built
 * `quotedesk import-lobster` into a temporary recording, the way a user makes one. Test support.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/serve-process.js';
import { hasSharedData, sharedDataPath } from '../support/shared-data.js';

export const GOOG_SLICE = 'GOOG_2012-06-21_L10_first2000rows';

/** Whether ../shared/data holds the GOOG slice. */
export function hasGoogSlice(): boolean {
  return hasSharedData() && existsSync(sharedDataPath('lobster', GOOG_SLICE));
}

/** Imports the GOOG slice into `dir/goog.jsonl` and returns its path. */
export function importGoogSlice(dir: string): string {
  const out = join(dir, 'goog.jsonl');
  const base = sharedDataPath('lobster', GOOG_SLICE, 'GOOG_2012-06-21_34200000_57600000');
  execFileSync(process.execPath, [CLI, 'import-lobster', '--messages', `${base}_message_10.first2000.csv`, '--orderbook', `${base}_orderbook_10.first2000.csv`, '--out', out], { stdio: 'pipe' });
  return out;
}
