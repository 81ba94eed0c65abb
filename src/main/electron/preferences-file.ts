/**
 * The Electron host's store of the monitor's preferences: one JSON file in the app's user-data folder,
 * read and written through the shared schema (`shared/preferences.ts`). A write is validated first and
 * lands whole (a temporary file beside it, renamed into place), so a crash never leaves half a layout;
 * a missing file reads as the defaults, an unreadable or invalid one as the defaults with a line saying
 * why (the file is left as it is until the next save). Node only, no Electron: tested on real files.
 */
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { PREFERENCES_SCHEMA, readPreferences, type Preferences } from '../../shared/preferences.js';
import { createTempBeside, discardTemp, publishTemp } from '../files/output-file.js';

export function loadPreferencesFile(path: string, log: (line: string) => void = () => undefined): Preferences {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') log(`preferences ${path}: cannot read (${code ?? String(error)}); using the defaults`);
    return readPreferences(null).preferences;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    log(`preferences ${path}: not JSON; using the defaults`);
    return readPreferences(null).preferences;
  }
  const { preferences, issue } = readPreferences(value);
  if (issue !== null) log(`preferences ${path}: ${issue}; using the defaults`);
  return preferences;
}

/** Validates and writes; an invalid value is refused with the field and nothing is written. */
export function savePreferencesFile(path: string, value: unknown): { ok: true } | { ok: false; error: string; field: string } {
  const parsed = PREFERENCES_SCHEMA.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, error: first?.message ?? 'invalid preferences', field: first ? first.path.map(String).join('.') : '' };
  }
  const temp = createTempBeside({ path, name: 'preferences file' }, path);
  let open = true;
  try {
    writeSync(temp.fd, `${JSON.stringify(parsed.data, null, 2)}\n`);
    closeSync(temp.fd);
    open = false;
    publishTemp(temp, path);
  } catch (error) {
    discardTemp(temp, open);
    throw error;
  }
  return { ok: true };
}
