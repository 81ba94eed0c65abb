/**
 * Request signing keys, venue-neutral, both sides of the wire: the client's signer (HMAC-SHA256 with an API
 * secret, lowercase hex — Binance and Bybit alike; or Ed25519 with a private key, base64 — Binance only)
 * and the verifiers a local exchange checks requests with. Each venue's folder builds the exact payload it
 * documents (`binance/signing.ts`, `bybit/signing.ts`); this module signs bytes and nothing else.
 * A secret lives only inside a node:crypto KeyObject: the signer's JSON and inspection print the kind and
 * nothing else, so a logged or thrown signer never carries key material.
 */
import { createHmac, createPrivateKey, createPublicKey, createSecretKey, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { GatewayError, type Credentials } from '../../live/gateway.js';

export type SignatureKind = 'hmac' | 'ed25519';

/** Signs payloads with one API key's secret. Holds the key as a KeyObject only. */
export class RequestSigner {
  private constructor(
    readonly kind: SignatureKind,
    private readonly key: KeyObject,
  ) {}

  /** The signer for a credential; an unusable key is a GatewayError('auth') that names no key material. */
  static fromCredentials(credentials: Credentials): RequestSigner {
    const secret = credentials.secret;
    if (secret.kind === 'hmac') {
      if (secret.key.length === 0) throw new GatewayError('auth', 'the API secret is empty');
      return new RequestSigner('hmac', createSecretKey(Buffer.from(secret.key, 'utf8')));
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(secret.privateKeyPem);
    } catch {
      // why: node's parse error can quote the PEM; say only what is wrong
      throw new GatewayError('auth', 'the Ed25519 private key is not a valid PEM private key');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new GatewayError('auth', `the private key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not Ed25519`);
    return new RequestSigner('ed25519', key);
  }

  /** HMAC-SHA256 as lowercase hex, or Ed25519 as base64, of the UTF-8 payload. */
  sign(payload: string): string {
    if (this.kind === 'hmac') return createHmac('sha256', this.key).update(payload, 'utf8').digest('hex');
    return cryptoSign(null, Buffer.from(payload, 'utf8'), this.key).toString('base64');
  }

  toJSON(): { kind: SignatureKind } {
    return { kind: this.kind };
  }

  [inspect.custom](): string {
    return `RequestSigner(${this.kind})`;
  }
}

/** What the local exchange checks a request's signature with. */
export interface SignatureVerifier {
  readonly kind: SignatureKind;
  verify(payload: string, signature: string): boolean;
}

export function hmacVerifier(secret: string): SignatureVerifier {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    kind: 'hmac',
    verify(payload, signature) {
      // why: Binance treats HMAC signatures case-insensitively (rest-api.md "Signature Case Sensitivity")
      if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
      const expected = createHmac('sha256', key).update(payload, 'utf8').digest();
      return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
    },
  };
}

/** A verifier from an Ed25519 public key (PEM, as uploaded to the venue). Throws on any other key. */
export function ed25519Verifier(publicKeyPem: string): SignatureVerifier {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the public key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not Ed25519`);
  return {
    kind: 'ed25519',
    verify(payload, signature) {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
      const bytes = Buffer.from(signature, 'base64');
      if (bytes.length !== 64) return false;
      return cryptoVerify(null, Buffer.from(payload, 'utf8'), key, bytes);
    },
  };
}
