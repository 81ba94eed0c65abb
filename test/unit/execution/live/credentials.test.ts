/**
 * Live keys: from the environment (HMAC) or an Ed25519 key file that only its owner can read; every
 * refusal names what is wrong and never contains the secret; the redacting logger removes a secret that
 * was handed to it by mistake.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CredentialsError, loadCredentials, redactingLogger, secretsOf } from '../../../../src/main/execution/live/credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'hmacSecretValue0123456789abcdefXYZ';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    return (error as Error).message;
  }
  throw new Error('no refusal');
}

describe('live credentials', () => {
  it('reads an HMAC key pair from the environment', () => {
    expect(loadCredentials({ env: { QUOTEDESK_API_KEY: ' key-1 ', QUOTEDESK_API_SECRET: SECRET } })).toEqual({ apiKey: 'key-1', secret: { kind: 'hmac', key: SECRET } });
  });

  it('refuses what is missing, naming it, never echoing a secret', () => {
    expect(refusal(() => loadCredentials({ env: {} }))).toBe('live execution needs an API key: set QUOTEDESK_API_KEY');
    expect(refusal(() => loadCredentials({ env: { QUOTEDESK_API_KEY: 'k' } }))).toBe('live execution needs a secret: set QUOTEDESK_API_SECRET, or give --ed25519-key FILE');
    const both = refusal(() => loadCredentials({ env: { QUOTEDESK_API_KEY: 'k', QUOTEDESK_API_SECRET: SECRET }, ed25519KeyFile: join(dir, 'x.pem') }));
    expect(both).toBe('give either QUOTEDESK_API_SECRET (HMAC) or --ed25519-key FILE, not both');
    expect(both).not.toContain(SECRET);
  });

  it('takes an Ed25519 key file only when its owner alone can read it', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const file = join(dir, 'ed25519.pem');
    writeFileSync(file, pem);
    chmodSync(file, 0o644);
    expect(refusal(() => loadCredentials({ env: { QUOTEDESK_API_KEY: 'k' }, ed25519KeyFile: file }))).toBe(
      `--ed25519-key ${file}: its mode is 644; a private key must be readable by its owner only (chmod 600)`,
    );
    chmodSync(file, 0o600);
    const credentials = loadCredentials({ env: { QUOTEDESK_API_KEY: 'k' }, ed25519KeyFile: file });
    expect(credentials.secret).toEqual({ kind: 'ed25519', privateKeyPem: pem });
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello', { mode: 0o600 });
    expect(refusal(() => loadCredentials({ env: { QUOTEDESK_API_KEY: 'k' }, ed25519KeyFile: notPem }))).toMatch(/not a PEM private key/);
    expect(refusal(() => loadCredentials({ env: { QUOTEDESK_API_KEY: 'k' }, ed25519KeyFile: join(dir, 'missing.pem') }))).toMatch(/cannot read it \(ENOENT\)/);
    // Every line of the key's body is a secret the outputs are grepped for.
    expect(secretsOf(credentials).join('')).toBe(pem.split('\n').filter((l) => l && !l.startsWith('-----')).join(''));
  });

  it('redacts a secret handed to the logger by mistake', () => {
    const lines: string[] = [];
    const log = redactingLogger((line) => lines.push(line), [SECRET]);
    log(`request failed: signature over ${SECRET} rejected`);
    expect(lines).toEqual(['request failed: signature over [redacted] rejected']);
  });
});
