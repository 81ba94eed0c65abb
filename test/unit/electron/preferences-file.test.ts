/**
 * The Electron host's preferences file (issue 16, "Layout and preferences persist"), on real files: a
 * round trip through the shared schema, the defaults for a missing, garbled or invalid file (with the
 * field named), an invalid value refused with nothing written, and no temporary file left behind.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPreferencesFile, savePreferencesFile } from '../../../src/main/electron/preferences-file.js';
import { DEFAULT_PREFERENCES, type Preferences } from '../../../src/shared/preferences.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-prefs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const CHANGED: Preferences = {
  ...DEFAULT_PREFERENCES,
  ladder: { group: 5, autoCentre: false, volumeColumn: false, confirmCancel: true },
  blotterTab: 'orders',
  layout: { ladderWidthPx: 400, sideWidthPx: 350, bottomHeightPx: 260 },
  alerts: { muted: ['breaker', 'stale-feed'], sound: true, desktop: false },
  timeZone: 'local',
};

describe('the preferences file', () => {
  it('keeps what was saved, whole', () => {
    const file = join(dir, 'preferences.json');
    expect(savePreferencesFile(file, CHANGED)).toEqual({ ok: true });
    expect(loadPreferencesFile(file)).toEqual(CHANGED);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(CHANGED);
    expect(readdirSync(dir)).toEqual(['preferences.json']);
  });

  it('reads the defaults from a missing, garbled or invalid file, saying why', () => {
    const lines: string[] = [];
    expect(loadPreferencesFile(join(dir, 'none.json'), (l) => lines.push(l))).toEqual(DEFAULT_PREFERENCES);
    expect(lines).toEqual([]);
    const garbled = join(dir, 'garbled.json');
    writeFileSync(garbled, '{"version": 1, "ladder": ');
    expect(loadPreferencesFile(garbled, (l) => lines.push(l))).toEqual(DEFAULT_PREFERENCES);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...CHANGED, layout: { ...CHANGED.layout, ladderWidthPx: 5 } }));
    expect(loadPreferencesFile(invalid, (l) => lines.push(l))).toEqual(DEFAULT_PREFERENCES);
    expect(lines[0]).toMatch(/garbled\.json: not JSON; using the defaults$/);
    expect(lines[1]).toMatch(/invalid\.json: layout\.ladderWidthPx: .*; using the defaults$/);
  });

  it('refuses an invalid value, naming the field, and writes nothing', () => {
    const file = join(dir, 'preferences.json');
    expect(savePreferencesFile(file, CHANGED)).toEqual({ ok: true });
    const before = readFileSync(file, 'utf8');
    const refused = savePreferencesFile(file, { ...CHANGED, alerts: { ...CHANGED.alerts, muted: ['everything'] } });
    expect(refused).toMatchObject({ ok: false, field: 'alerts.muted.0' });
    expect(savePreferencesFile(file, { ...CHANGED, extra: 1 })).toMatchObject({ ok: false });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['preferences.json']);
  });
});
