/**
 * Request signing for Binance, both sides of the wire: the client's signer (HMAC-SHA256 with the API
 * secret, or Ed25519 with a private key) and the verifier the local exchange checks requests with. It owns
 * the exact signature payloads the venue documents and nothing else:
 * - REST (spot `rest-api.md` "SIGNED Endpoint Examples for POST /api/v3/order"; USD-M "General Info",
 *   "SIGNED Endpoint Security"): the payload is the query string as sent, concatenated without separator to
 *   the request body (`totalParams`), with non-ASCII percent-encoded; the `signature` parameter goes last.
 * - Spot WebSocket API (`web-socket-api.md` "SIGNED request example"): every request param except
 *   `signature`, sorted by name, as `name=value` joined by `&`, NOT percent-encoded, signed as UTF-8.
 * - HMAC output is hex (case-insensitive for the venue); Ed25519 output is base64 (case-sensitive), which a
 *   REST query must percent-encode.
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
      // why: the venue treats HMAC signatures case-insensitively (rest-api.md "Signature Case Sensitivity")
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

/** Percent-encodes a parameter name or value the way the docs' examples do (non-ASCII as UTF-8 %XX). */
export function percentEncode(text: string): string {
  return encodeURIComponent(text);
}

export type ParamValue = string | number | boolean;

/** `name=value&...` in the given order, each part percent-encoded: the REST query string to send and sign. */
export function encodeQuery(params: ReadonlyArray<readonly [string, ParamValue]>): string {
  let out = '';
  for (const [name, value] of params) {
    if (out.length > 0) out += '&';
    out += `${percentEncode(name)}=${percentEncode(String(value))}`;
  }
  return out;
}

/** REST `totalParams`: the query string as sent, then the body, without separator (USD-M "Example 3"). */
export function restSignaturePayload(query: string, body: string): string {
  return query + body;
}

/** The spot WebSocket API payload: params except `signature`, sorted by name, `name=value` joined by `&`. */
export function wsApiSignaturePayload(params: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(params)
    .filter((name) => name !== 'signature')
    .sort();
  let out = '';
  for (const name of names) {
    const value = params[name];
    if (out.length > 0) out += '&';
    out += `${name}=${typeof value === 'string' ? value : String(value)}`;
  }
  return out;
}
