/**
 * The desktop app's composition, without Electron (so it is tested under Node): which desks the app runs —
 * the desks file `desks.json` in its user-data folder, in the format of `quotedesk serve --desks` (same
 * schema, same checks, firm-wide limits included), or the one simulated desk of the default app — the
 * desk a window's call names (validated, then looked up: an unknown name is refused), the keys typed
 * into the window turned into the engine's credentials, what the window learns of the stored
 * keys (never the keys), and the window title, which says LIVE whenever any desk trades for real.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LiveKeysView, SessionView } from '../../shared/contract.js';
import { BRIDGE_DESK_NAME_SCHEMA, type LiveKeysInput } from '../../shared/desktop-bridge.js';
import type { DeskParams } from '../../shared/params.js';
import { desksFromFile, type ServeDesks } from '../cli/desk-specs.js';
import type { DeskFleet, FleetDesk } from '../engine/desk-fleet.js';
import type { Credentials } from '../execution/live/gateway.js';

/** The desks file the app reads at start (optional). */
export const DESKS_FILE = 'desks.json';

/** The app's desks: its desks file's, or the one simulated desk (database `quotedesk.db`) without one. */
export function desktopDesks(dataDir: string, params: DeskParams): ServeDesks {
  const dbPath = join(dataDir, 'quotedesk.db');
  const file = join(dataDir, DESKS_FILE);
  if (existsSync(file)) return desksFromFile(file, params, dbPath);
  return { desks: [{ name: 'main', venue: 'sim', params, dbPath }], firmLimits: null };
}

/** The engine's credentials from the keys the operator typed (validated by `LIVE_KEYS_INPUT_SCHEMA` first). */
export function credentialsFrom(input: LiveKeysInput): Credentials {
  return input.kind === 'hmac'
    ? { apiKey: input.apiKey.trim(), secret: { kind: 'hmac', key: input.secret } }
    : { apiKey: input.apiKey.trim(), secret: { kind: 'ed25519', privateKeyPem: input.privateKeyPem } };
}

/** What the window learns of the stored keys. */
export function keysView(status: { readonly configured: boolean; readonly apiKeyHint: string | null; readonly kind: 'hmac' | 'ed25519' | null; readonly encryptionAvailable: boolean }): LiveKeysView {
  return {
    configured: status.configured,
    apiKeyHint: status.apiKeyHint,
    kind: status.kind,
    storable: status.encryptionAvailable,
    source: status.encryptionAvailable ? 'stored encrypted by the OS keychain' : 'this system offers no keychain: keys cannot be stored',
  };
}

/** The window title: LIVE first, with every desk trading for real, whenever one is. */
export function windowTitle(sessions: ReadonlyArray<{ readonly name: string; readonly session: SessionView }>, several: boolean): string {
  const live = sessions.filter(({ session }) => session.status === 'running' && session.spec?.execution === 'live');
  if (live.length === 0) return 'Quotedesk';
  const desks = live.map(({ name, session }) => `${several ? `${name}: ` : ''}${session.spec?.venue ?? ''} ${session.spec?.symbol ?? ''} (${session.spec?.mainnet ? 'MAINNET, REAL MONEY' : 'testnet'})`);
  return `🔴 LIVE — real orders — ${desks.join(' · ')} — Quotedesk`;
}

/** The desk a window's payload names, or an error naming what is wrong (the window shows it). */
export function deskNamed(fleet: Pick<DeskFleet, 'get' | 'names'>, value: unknown): FleetDesk {
  const parsed = BRIDGE_DESK_NAME_SCHEMA.safeParse(value);
  if (!parsed.success) throw new Error(`desk: ${parsed.error.issues[0]?.message ?? 'not a desk name'}`);
  const desk = fleet.get(parsed.data);
  if (!desk) throw new Error(`no desk named "${parsed.data}" (desks: ${fleet.names.join(', ')})`);
  return desk;
}
