/**
 * The local exchange's request security, as the docs define it: the API key (`X-MBX-APIKEY` header on
 * REST, `apiKey` param on the WebSocket API; unknown → -2015 "Invalid API-key, IP, or permissions for
 * action.", HTTP 401), the signature over the exact payload (REST: query string then body without the
 * `signature` parameter; WebSocket API: sorted params — signing.ts holds both rules; wrong → -1022), and
 * timing ("if (timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)", else -1021;
 * recvWindow defaults to 5000 and may not exceed 60000; `timestamp` may be in ms or µs). Never echoes a
 * key, a signature or a secret in an answer.
 */
import type { SignatureVerifier } from '../../execution/venues/common/signer.js';
import { restSignaturePayload, wsApiSignaturePayload } from '../../execution/venues/binance/signing.js';

export interface ApiKeyEntry {
  readonly apiKey: string;
  readonly verifier: SignatureVerifier;
}

export interface VenueRefusal {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

export function refusal(status: number, code: number, msg: string): VenueRefusal {
  return { status, code, msg };
}

export const BAD_KEY = refusal(401, -2015, 'Invalid API-key, IP, or permissions for action.');
export const BAD_KEY_FORMAT = refusal(401, -2014, 'API-key format invalid.');
export const BAD_SIGNATURE = refusal(400, -1022, 'Signature for this request is not valid.');

export function mandatory(name: string): VenueRefusal {
  return refusal(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** Removes the `signature=...` part of a raw query or body; returns the rest and the decoded signature. */
function withoutSignature(raw: string): { rest: string; signature: string | null } {
  if (raw.length === 0) return { rest: raw, signature: null };
  const parts = raw.split('&');
  let signature: string | null = null;
  const kept: string[] = [];
  for (const part of parts) {
    if (part.startsWith('signature=')) {
      try {
        signature = decodeURIComponent(part.slice('signature='.length));
      } catch {
        signature = '';
      }
    } else {
      kept.push(part);
    }
  }
  return { rest: kept.join('&'), signature };
}

export class Auth {
  private readonly keys = new Map<string, SignatureVerifier>();

  constructor(keys: readonly ApiKeyEntry[]) {
    for (const key of keys) this.keys.set(key.apiKey, key.verifier);
  }

  /** An API key the account owns (USER_STREAM endpoints need nothing more). */
  checkKey(apiKey: string | undefined): VenueRefusal | null {
    if (apiKey === undefined || apiKey.length === 0) return BAD_KEY_FORMAT;
    return this.keys.has(apiKey) ? null : BAD_KEY;
  }

  /** A SIGNED REST request: key, signature over query + body, timestamp within recvWindow. */
  verifyRest(apiKey: string | undefined, rawQuery: string, rawBody: string, params: ReadonlyMap<string, string>, serverMs: number): VenueRefusal | null {
    const keyIssue = this.checkKey(apiKey);
    if (keyIssue) return keyIssue;
    const query = withoutSignature(rawQuery);
    const body = withoutSignature(rawBody);
    // why: "If a parameter sent in both the query string and request body, the query string parameter will be used"
    const signature = query.signature ?? body.signature;
    if (signature === null || signature.length === 0) return mandatory('signature');
    const verifier = this.keys.get(apiKey ?? '');
    if (!verifier || !verifier.verify(restSignaturePayload(query.rest, body.rest), signature)) return BAD_SIGNATURE;
    return timing(params.get('timestamp'), params.get('recvWindow'), serverMs);
  }

  /** A SIGNED WebSocket API request: `apiKey`, `signature` over the sorted params, timing. */
  verifyWs(params: Readonly<Record<string, unknown>>, serverMs: number): VenueRefusal | null {
    const apiKey = typeof params['apiKey'] === 'string' ? params['apiKey'] : undefined;
    const keyIssue = this.checkKey(apiKey);
    if (keyIssue) return keyIssue;
    const signature = params['signature'];
    if (typeof signature !== 'string' || signature.length === 0) return mandatory('signature');
    const verifier = this.keys.get(apiKey ?? '');
    if (!verifier || !verifier.verify(wsApiSignaturePayload(params), signature)) return BAD_SIGNATURE;
    const text = (value: unknown): string | undefined => (typeof value === 'number' || typeof value === 'string' ? String(value) : undefined);
    return timing(text(params['timestamp']), text(params['recvWindow']), serverMs);
  }
}

/** The documented timing rule; `timestamp` in ms or µs, `recvWindow` in ms with up to 3 decimals. */
function timing(timestampText: string | undefined, recvWindowText: string | undefined, serverMs: number): VenueRefusal | null {
  if (timestampText === undefined || !/^\d{1,17}$/.test(timestampText)) return mandatory('timestamp');
  let timestamp = Number(timestampText);
  if (timestamp > 1e14) timestamp /= 1_000; // microseconds
  let recvWindow = 5_000;
  if (recvWindowText !== undefined) {
    if (!/^\d+(\.\d{1,3})?$/.test(recvWindowText)) return mandatory('recvWindow');
    recvWindow = Number(recvWindowText);
    if (recvWindow > 60_000) return refusal(400, -1102, "'recvWindow' contains unexpected value. Cannot be greater than 60000.");
  }
  if (timestamp >= serverMs + 1_000) return refusal(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (serverMs - timestamp > recvWindow) return refusal(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  return null;
}
