/**
 * Bybit v5 request signatures, both sides of the wire (the gateway signs, the local exchange verifies):
 * REST (`guide.mdx` "Authentication" / "Create A Request": the signed text is `timestamp + api_key +
 * recv_window + queryString` for GET and `... + jsonBodyString` for POST, HMAC-SHA256 as lowercase hex,
 * sent as X-BAPI-SIGN beside X-BAPI-API-KEY, X-BAPI-TIMESTAMP and X-BAPI-RECV-WINDOW) and the private
 * WebSocket's `op: auth` (`websocket/wss-authentication.mdx`: HMAC of `GET/realtime{expires}`, `expires`
 * a ms timestamp later than now). It builds the exact texts; the signer (`../common/signer.ts`) holds the
 * secret and signs bytes. The query string is sent exactly as signed. Pure.
 */

export type BybitParam = string | number | boolean;

/** The documented header names. */
export const BYBIT_HEADERS = {
  apiKey: 'X-BAPI-API-KEY',
  sign: 'X-BAPI-SIGN',
  timestamp: 'X-BAPI-TIMESTAMP',
  recvWindow: 'X-BAPI-RECV-WINDOW',
} as const;

/** `a=1&b=x` in the given order, values percent-encoded (the text sent is the text signed). */
export function bybitQuery(params: ReadonlyArray<readonly [string, BybitParam]>): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
}

/** The text a REST request signs: timestamp, key, receive window, then the query string or the JSON body. */
export function restSignText(timestampMs: number, apiKey: string, recvWindowMs: number, queryOrBody: string): string {
  return `${timestampMs}${apiKey}${recvWindowMs}${queryOrBody}`;
}

/** The text the private WebSocket's `auth` op signs. */
export function wsAuthText(expiresMs: number): string {
  return `GET/realtime${expiresMs}`;
}
