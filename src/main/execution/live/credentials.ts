/**
 * Where a live desk's keys come from for `quotedesk serve` and the CLI: `QUOTEDESK_API_KEY` with either
 * `QUOTEDESK_API_SECRET` (HMAC-SHA256) or an Ed25519 private key file (`--ed25519-key FILE`), refused
 * unless only its owner can read it (mode 0600 or stricter). The desktop app keeps its keys encrypted with
 * the OS keychain instead (`electron/key-store.ts`). A secret is returned to the caller and nowhere else:
 * no message here ever contains it, and `secretsOf` lists what every output of a live session must never
 * contain (the tests grep for them).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Credentials } from './gateway.js';

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

export interface CredentialSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--ed25519-key FILE`, when given. */
  readonly ed25519KeyFile?: string;
}

/** The live desk's credentials, or a `CredentialsError` naming what is missing or wrong (never a secret). */
export function loadCredentials(sources: CredentialSources): Credentials {
  const apiKey = sources.env['QUOTEDESK_API_KEY'];
  if (apiKey === undefined || apiKey.trim() === '') throw new CredentialsError('live execution needs an API key: set QUOTEDESK_API_KEY');
  const secret = sources.env['QUOTEDESK_API_SECRET'];
  const keyFile = sources.ed25519KeyFile;
  if (keyFile !== undefined && secret !== undefined) throw new CredentialsError('give either QUOTEDESK_API_SECRET (HMAC) or --ed25519-key FILE, not both');
  if (keyFile !== undefined) {
    let mode: number;
    try {
      mode = statSync(keyFile).mode;
    } catch (error) {
      throw new CredentialsError(`--ed25519-key ${keyFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if ((mode & 0o077) !== 0) {
      throw new CredentialsError(`--ed25519-key ${keyFile}: its mode is ${(mode & 0o777).toString(8).padStart(3, '0')}; a private key must be readable by its owner only (chmod 600)`);
    }
    const pem = readFileSync(keyFile, 'utf8');
    if (!/-----BEGIN PRIVATE KEY-----/.test(pem)) throw new CredentialsError(`--ed25519-key ${keyFile}: not a PEM private key (PKCS#8, "BEGIN PRIVATE KEY")`);
    return { apiKey: apiKey.trim(), secret: { kind: 'ed25519', privateKeyPem: pem } };
  }
  if (secret === undefined || secret === '') throw new CredentialsError('live execution needs a secret: set QUOTEDESK_API_SECRET, or give --ed25519-key FILE');
  return { apiKey: apiKey.trim(), secret: { kind: 'hmac', key: secret } };
}

/** What no output of a live session may contain: the secret (and each line of a PEM key). */
export function secretsOf(credentials: Credentials): string[] {
  const secret = credentials.secret;
  if (secret.kind === 'hmac') return [secret.key];
  return secret.privateKeyPem
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
}

/** A logger that replaces any secret it is handed (a defence in depth: nothing should hand it one). */
export function redactingLogger(log: (line: string) => void, secrets: readonly string[]): (line: string) => void {
  const needles = secrets.filter((s) => s.length >= 8);
  return (line) => {
    let out = line;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join('[redacted]');
    log(out);
  };
}
