/**
 * Who may talk to a desk over HTTP and WebSocket, decided per request before anything else runs:
 *
 * - **Host**: the `Host` header must name this desk (`name:port`): on a loopback bind 127.0.0.1,
 *   localhost or [::1]; on any other bind the bound address (every local interface address for a
 *   wildcard bind), this machine's host name, and the names given with `--allowed-hosts`. A DNS-rebinding
 *   page, whose requests carry its own host name, is refused.
 * - **Origin**: a request that carries `Origin` (a browser page) must come from the desk's own origin;
 *   requests without one (curl, scripts, the Electron main process) pass. A foreign page can neither read
 *   the stream nor any figure, nor send a write.
 * - **Token**: every write needs `Authorization: Bearer <token>`; on a non-loopback bind every read does
 *   too. Browsers cannot set headers on a WebSocket, so the stream also accepts the token as a
 *   subprotocol (`shared/stream-auth.ts`). Compared in constant time.
 * Pure decisions on headers; no I/O.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/stream-auth.js';

const LOOPBACK_BINDS = new Set(['127.0.0.1', 'localhost', '::1']);
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '']);

export interface AccessPolicy {
  /** Bound to a loopback address: reads need no token. */
  readonly loopback: boolean;
  /** Host names (lower case, IPv6 in brackets) the `Host` header may carry, before `:port`. */
  readonly hostNames: readonly string[];
  /** Whether `request` names this desk, given the bound port. */
  hostAllowed(request: IncomingMessage, port: number): boolean;
  /** Whether `request` comes from no page or from the desk's own origin. */
  originAllowed(request: IncomingMessage): boolean;
  /** Whether `request` carries the token (header, or a stream subprotocol). */
  authorized(request: IncomingMessage): boolean;
  /** Whether a read needs the token on this bind. */
  readonly readsNeedToken: boolean;
}

function bracket(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/** The names a non-loopback bind answers to: the address (or every interface's), this host, and extras. */
function boundNames(host: string, extra: readonly string[]): string[] {
  const names = new Set<string>();
  if (WILDCARD_BINDS.has(host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(bracket(address.address.toLowerCase()));
    }
  } else {
    names.add(bracket(host.toLowerCase()));
  }
  names.add(hostname().toLowerCase());
  for (const name of extra) names.add(bracket(name.toLowerCase()));
  return [...names];
}

export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_BINDS.has(host);
}

export function accessPolicy(options: { readonly host: string; readonly token: string; readonly allowedHosts?: readonly string[] }): AccessPolicy {
  const loopback = isLoopbackBind(options.host);
  const hostNames = loopback ? ['127.0.0.1', 'localhost', '[::1]', ...(options.allowedHosts ?? []).map((name) => bracket(name.toLowerCase()))] : boundNames(options.host, options.allowedHosts ?? []);
  const tokenBytes = Buffer.from(options.token, 'utf8');
  const matches = (given: Buffer): boolean => given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  return {
    loopback,
    hostNames,
    readsNeedToken: !loopback,
    hostAllowed(request, port) {
      const header = request.headers.host?.toLowerCase();
      if (!header) return false;
      return hostNames.some((name) => header === `${name}:${port}`);
    },
    originAllowed(request) {
      const origin = request.headers.origin;
      if (origin === undefined) return true;
      const host = request.headers.host?.toLowerCase();
      return host !== undefined && origin.toLowerCase() === `http://${host}`;
    },
    authorized(request) {
      const header = request.headers.authorization;
      if (header !== undefined) {
        const match = /^Bearer (.+)$/.exec(header);
        return match?.[1] !== undefined && matches(Buffer.from(match[1], 'utf8'));
      }
      const offered = request.headers['sec-websocket-protocol'];
      if (offered === undefined) return false;
      for (const protocol of offered.split(',')) {
        const name = protocol.trim();
        if (!name.startsWith(TOKEN_PROTOCOL_PREFIX)) continue;
        const hex = name.slice(TOKEN_PROTOCOL_PREFIX.length);
        if (/^(?:[0-9a-f]{2})+$/i.test(hex) && matches(Buffer.from(hex, 'hex'))) return true;
      }
      return false;
    },
  };
}
