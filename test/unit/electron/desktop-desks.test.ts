/**
 * The desktop app's composition under Node (the Electron binary cannot run here): which desks it runs
 * from a real `desks.json` in a temporary user-data folder (the `serve --desks` format and checks, firm
 * limits included) or the one simulated desk without one; the desk a window's call names, refused when
 * malformed or unknown; the keys typed into the window as the engine's credentials, validated by the
 * bridge's schema; what the window learns of stored keys (never a secret); and the window title.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionView } from '../../../src/shared/contract.js';
import { KILL_ALL_SCHEMA, LIVE_KEYS_INPUT_SCHEMA } from '../../../src/shared/desktop-bridge.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import { credentialsFrom, deskNamed, desktopDesks, keysView, windowTitle } from '../../../src/main/electron/desktop-desks.js';
import type { FleetDesk } from '../../../src/main/engine/desk-fleet.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-app-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the desks the app runs', () => {
  it('is the one simulated desk in quotedesk.db without a desks file', () => {
    const dir = dataDir();
    const chosen = desktopDesks(dir, DEFAULT_PARAMS);
    expect(chosen).toEqual({ desks: [{ name: 'main', venue: 'sim', params: DEFAULT_PARAMS, dbPath: join(dir, 'quotedesk.db') }], firmLimits: null });
  });

  it('is the desks of desks.json, each with its own database and parameters, and the firm limits', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'eth.json'), JSON.stringify({ strategy: { size: { baseLots: 7 } } }));
    writeFileSync(
      join(dir, 'desks.json'),
      JSON.stringify({
        desks: [
          { name: 'btc', venue: 'sim', symbol: 'BTC-USD' },
          { name: 'eth', venue: 'binance-spot', symbol: 'ETHUSDT', params: 'eth.json' },
        ],
        firmLimits: { maxLoss: { USD: 500 } },
      }),
    );
    const chosen = desktopDesks(dir, DEFAULT_PARAMS);
    expect(chosen.desks.map((d) => [d.name, d.venue, d.symbol, d.dbPath])).toEqual([
      ['btc', 'sim', 'BTC-USD', join(dir, 'quotedesk.btc.db')],
      ['eth', 'binance-spot', 'ETHUSDT', join(dir, 'quotedesk.eth.db')],
    ]);
    expect(chosen.desks[1]?.params.strategy.size.baseLots).toBe(7);
    expect(chosen.desks[0]?.params.strategy.size.baseLots).toBe(DEFAULT_PARAMS.strategy.size.baseLots);
    expect(chosen.firmLimits).toEqual({ maxLoss: { USD: 500 } });
  });

  it('refuses a bad desks file with one line naming the file and the field', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'desks.json'), JSON.stringify({ desks: [{ name: 'a', venue: 'nowhere' }] }));
    expect(() => desktopDesks(dir, DEFAULT_PARAMS)).toThrow(/desks\.json: desks\.0\.venue/);
    writeFileSync(join(dir, 'desks.json'), JSON.stringify({ desks: [{ name: 'a', venue: 'sim' }, { name: 'a', venue: 'sim' }] }));
    expect(() => desktopDesks(dir, DEFAULT_PARAMS)).toThrow(/desks\.1\.name: "a" is given to two desks/);
    writeFileSync(join(dir, 'desks.json'), '{ not json');
    expect(() => desktopDesks(dir, DEFAULT_PARAMS)).toThrow(/desks\.json/);
  });
});

describe('the desk a window call names', () => {
  const desk = (name: string): FleetDesk => ({ name }) as unknown as FleetDesk;
  const fleet = { names: ['btc', 'eth'], get: (name: string) => (name === 'btc' || name === 'eth' ? desk(name) : undefined) };

  it('is the fleet desk of that name', () => {
    expect(deskNamed(fleet, 'eth').name).toBe('eth');
  });

  it('refuses a name the schema refuses, and a name no desk has, listing the desks', () => {
    expect(() => deskNamed(fleet, 42)).toThrow(/^desk: /);
    expect(() => deskNamed(fleet, '../etc')).toThrow(/^desk: /);
    expect(() => deskNamed(fleet, '')).toThrow(/^desk: /);
    expect(() => deskNamed(fleet, 'sol')).toThrow('no desk named "sol" (desks: btc, eth)');
  });
});

describe('live keys from the window', () => {
  it('become the engine credentials of their kind, after the schema', () => {
    const hmac = LIVE_KEYS_INPUT_SCHEMA.parse({ kind: 'hmac', apiKey: '  KEY-ABCDEFGH ', secret: 'S3cretS3cret' });
    expect(credentialsFrom(hmac)).toEqual({ apiKey: 'KEY-ABCDEFGH', secret: { kind: 'hmac', key: 'S3cretS3cret' } });
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----';
    const ed = LIVE_KEYS_INPUT_SCHEMA.parse({ kind: 'ed25519', apiKey: 'KEY-ABCDEFGH', privateKeyPem: pem });
    expect(credentialsFrom(ed)).toEqual({ apiKey: 'KEY-ABCDEFGH', secret: { kind: 'ed25519', privateKeyPem: pem } });
  });

  it('are refused when short, spaced, of an unknown kind or with extra fields', () => {
    expect(LIVE_KEYS_INPUT_SCHEMA.safeParse({ kind: 'hmac', apiKey: 'short', secret: 'S3cretS3cret' }).success).toBe(false);
    expect(LIVE_KEYS_INPUT_SCHEMA.safeParse({ kind: 'hmac', apiKey: 'KEY ABCDEFGH', secret: 'S3cretS3cret' }).success).toBe(false);
    expect(LIVE_KEYS_INPUT_SCHEMA.safeParse({ kind: 'rsa', apiKey: 'KEY-ABCDEFGH', secret: 'S3cretS3cret' }).success).toBe(false);
    expect(LIVE_KEYS_INPUT_SCHEMA.safeParse({ kind: 'hmac', apiKey: 'KEY-ABCDEFGH', secret: 'S3cretS3cret', extra: 1 }).success).toBe(false);
    expect(LIVE_KEYS_INPUT_SCHEMA.safeParse({ kind: 'ed25519', apiKey: 'KEY-ABCDEFGH', privateKeyPem: 'not a pem' }).success).toBe(false);
  });

  it('are shown to the window as configured with the key hint only, never a secret', () => {
    const view = keysView({ configured: true, apiKeyHint: 'GH12', kind: 'hmac', encryptionAvailable: true });
    expect(view).toEqual({ configured: true, apiKeyHint: 'GH12', kind: 'hmac', storable: true, source: 'stored encrypted by the OS keychain' });
    expect(keysView({ configured: false, apiKeyHint: null, kind: null, encryptionAvailable: false })).toMatchObject({ configured: false, storable: false, source: expect.stringMatching(/no keychain/) });
  });

  it('the kill-all takes an optional reason and nothing else', () => {
    expect(KILL_ALL_SCHEMA.safeParse({}).success).toBe(true);
    expect(KILL_ALL_SCHEMA.safeParse({ why: 'end of day' }).success).toBe(true);
    expect(KILL_ALL_SCHEMA.safeParse({ why: '' }).success).toBe(false);
    expect(KILL_ALL_SCHEMA.safeParse({ why: 'x', desks: ['a'] }).success).toBe(false);
  });
});

describe('the window title', () => {
  const session = (over: Partial<SessionView>): SessionView => ({ status: 'running', spec: { venue: 'sim' }, loading: null, error: null, sessionId: 1, ...over });

  it('is plain without a live desk', () => {
    expect(windowTitle([{ name: 'a', session: session({}) }], false)).toBe('Quotedesk');
    // A live spec that is not running sends nothing.
    expect(windowTitle([{ name: 'a', session: session({ status: 'stopped', spec: { venue: 'binance-spot', symbol: 'ETHUSDT', execution: 'live' } }) }], false)).toBe('Quotedesk');
  });

  it('says LIVE first with every live desk and its network', () => {
    const title = windowTitle(
      [
        { name: 'a', session: session({}) },
        { name: 'eth', session: session({ spec: { venue: 'binance-spot', symbol: 'ETHUSDT', execution: 'live' } }) },
        { name: 'btc', session: session({ spec: { venue: 'binance-usdm', symbol: 'BTCUSDT', execution: 'live', mainnet: true } }) },
      ],
      true,
    );
    expect(title).toBe('🔴 LIVE — real orders — eth: binance-spot ETHUSDT (testnet) · btc: binance-usdm BTCUSDT (MAINNET, REAL MONEY) — Quotedesk');
  });
});
