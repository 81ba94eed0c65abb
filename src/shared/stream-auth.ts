/**
 * How a browser page proves the token on the stream: browsers cannot set headers on a WebSocket, so the
 * page offers the subprotocols `quotedesk` and `quotedesk-token.<hex of the token's UTF-8 bytes>` (hex,
 * because a subprotocol may hold only token characters, and a token may hold anything). The server
 * selects `quotedesk`. Shared by the server's check and the monitor's client; pure.
 */
export const STREAM_PROTOCOL = 'quotedesk';
export const TOKEN_PROTOCOL_PREFIX = 'quotedesk-token.';

export function tokenProtocol(token: string): string {
  let hex = '';
  for (const byte of new TextEncoder().encode(token)) hex += byte.toString(16).padStart(2, '0');
  return `${TOKEN_PROTOCOL_PREFIX}${hex}`;
}

/** The subprotocols a client offers (with the token when it has one). */
export function streamProtocols(token: string | null): string[] {
  return token === null ? [STREAM_PROTOCOL] : [STREAM_PROTOCOL, tokenProtocol(token)];
}
