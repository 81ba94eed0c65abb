/**
 * The desktop app's live keys, kept encrypted with Electron's `safeStorage` (the OS keychain: Keychain on
 * macOS, DPAPI on Windows, the secret service on Linux) in a file of the app's user data, readable by its
 * owner only. Nothing here ever returns the secret to the window: the window learns whether keys are
 * configured and the last four characters of the API key, to tell two accounts apart. Refuses to store
 * keys where the OS offers no encryption (it would be plain text on disk).
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { safeStorage } from 'electron';
import type { Credentials } from '../execution/live/gateway.js';

export interface KeyStatus {
  readonly configured: boolean;
  /** The API key's last four characters, when configured. */
  readonly apiKeyHint: string | null;
  readonly kind: 'hmac' | 'ed25519' | null;
  /** Whether the OS can encrypt keys for this app (they are never stored otherwise). */
  readonly encryptionAvailable: boolean;
}

interface StoredKeys {
  readonly version: 1;
  readonly kind: 'hmac' | 'ed25519';
  readonly apiKey: string;
  readonly secret: string;
}

export class KeyStore {
  constructor(private readonly file: string) {}

  status(): KeyStatus {
    const credentials = this.load();
    return {
      configured: credentials !== null,
      apiKeyHint: credentials ? credentials.apiKey.slice(-4) : null,
      kind: credentials ? credentials.secret.kind : null,
      encryptionAvailable: safeStorage.isEncryptionAvailable(),
    };
  }

  /** Encrypts and stores the keys (replacing any), or refuses where the OS offers no encryption. */
  save(credentials: Credentials): void {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('this system offers no encryption for the keys (no OS keychain): they are not stored');
    const secret = credentials.secret.kind === 'hmac' ? credentials.secret.key : credentials.secret.privateKeyPem;
    const stored: StoredKeys = {
      version: 1,
      kind: credentials.secret.kind,
      apiKey: safeStorage.encryptString(credentials.apiKey).toString('base64'),
      secret: safeStorage.encryptString(secret).toString('base64'),
    };
    const temp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(stored), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  /** The stored keys, decrypted, for the engine only; null when none are stored or they cannot be read. */
  load(): Credentials | null {
    if (!existsSync(this.file)) return null;
    try {
      const stored = JSON.parse(readFileSync(this.file, 'utf8')) as StoredKeys;
      if (stored.version !== 1) return null;
      const apiKey = safeStorage.decryptString(Buffer.from(stored.apiKey, 'base64'));
      const secret = safeStorage.decryptString(Buffer.from(stored.secret, 'base64'));
      return stored.kind === 'hmac' ? { apiKey, secret: { kind: 'hmac', key: secret } } : { apiKey, secret: { kind: 'ed25519', privateKeyPem: secret } };
    } catch {
      // why: a file from another machine or user cannot be decrypted here: as if none were stored.
      return null;
    }
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }
}
