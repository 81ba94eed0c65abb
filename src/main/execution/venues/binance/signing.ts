/**
 * Binance's signature payloads, both sides of the wire (the signer and verifiers are venue-neutral:
 * `../common/signer.ts`). It owns the exact payloads the venue documents and nothing else:
 * - REST (spot `rest-api.md` "SIGNED Endpoint Examples for POST /api/v3/order"; USD-M "General Info",
 *   "SIGNED Endpoint Security"): the payload is the query string as sent, concatenated without separator to
 *   the request body (`totalParams`), with non-ASCII percent-encoded; the `signature` parameter goes last.
 * - Spot WebSocket API (`web-socket-api.md` "SIGNED request example"): every request param except
 *   `signature`, sorted by name, as `name=value` joined by `&`, NOT percent-encoded, signed as UTF-8.
 * - HMAC output is hex (case-insensitive for the venue); Ed25519 output is base64 (case-sensitive), which a
 *   REST query must percent-encode. Pure.
 */

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
