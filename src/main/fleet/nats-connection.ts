/**
 * How every fleet program (a desk's agent, the supervisor, the archiver) reaches NATS: the server list
 * from a flag (`nats://host:port[,nats://host:port...]`), credentials from the URL's user info, the
 * environment or a `.creds` file, and a connection that keeps reconnecting for ever (a desk cut off keeps
 * trying and publishes what it missed when back). A refused login or an unreachable server at start is a
 * `FleetInputError` with one line naming the flag; nothing here decides what a program does while
 * disconnected.
 *
 * Credentials never need to appear on a command line: `QUOTEDESK_NATS_USER` + `QUOTEDESK_NATS_PASSWORD`,
 * or `QUOTEDESK_NATS_TOKEN`, or `--nats-creds FILE` (a JWT + nkey seed file); user info in the URL
 * (`nats://user:password@host:port`, `nats://token@host:port`) works too and is stripped before the URL is
 * printed.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

/** Bad input for a fleet program (exit code 2 for the CLI): a flag, file or credential that is wrong. */
export class FleetInputError extends Error {
  override readonly name = 'FleetInputError';
}

export interface NatsTarget {
  /** `host:port` of each server, without credentials (safe to print). */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly credsFile?: string;
}

/**
 * The servers and credentials of `--NAME URL[,URL...]`. Every URL must be `nats://host:port`; credentials
 * in more than one URL must agree. The environment fills what the URL does not say.
 */
export function parseNatsTarget(text: string, flag: string, env: NodeJS.ProcessEnv = process.env, credsFile?: string): NatsTarget {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    let url: URL;
    try {
      url = new URL(part.includes('://') ? part : `nats://${part}`);
    } catch {
      throw new FleetInputError(`${flag}: "${redact(part)}" is not a URL (expected nats://host:port)`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new FleetInputError(`${flag}: "${redact(part)}" must start with nats:// (got ${url.protocol}//)`);
    if (url.hostname === '') throw new FleetInputError(`${flag}: "${redact(part)}" names no host`);
    if (url.pathname !== '' && url.pathname !== '/') throw new FleetInputError(`${flag}: "${redact(part)}" has a path; a NATS URL is nats://host:port`);
    const port = url.port === '' ? 4222 : Number(url.port);
    servers.push(`${url.hostname}:${port}`);
    const u = url.username === '' ? undefined : decodeURIComponent(url.username);
    const p = url.password === '' ? undefined : decodeURIComponent(url.password);
    if (u !== undefined) {
      if ((user !== undefined && user !== u) || (pass !== undefined && pass !== p)) throw new FleetInputError(`${flag}: the URLs carry different credentials`);
      user = u;
      pass = p;
    }
  }
  if (servers.length === 0) throw new FleetInputError(`${flag} needs at least one nats://host:port`);
  if (credsFile !== undefined) {
    if (user !== undefined) throw new FleetInputError(`${flag}: give credentials in the URL or --nats-creds, not both`);
    return { servers, credsFile };
  }
  if (user !== undefined && pass === undefined) return { servers, token: user };
  if (user !== undefined) return { servers, user, ...(pass !== undefined ? { pass } : {}) };
  const envUser = env['QUOTEDESK_NATS_USER'];
  const envPass = env['QUOTEDESK_NATS_PASSWORD'];
  const envToken = env['QUOTEDESK_NATS_TOKEN'];
  if (envUser !== undefined && envUser !== '') return { servers, user: envUser, ...(envPass !== undefined ? { pass: envPass } : {}) };
  if (envToken !== undefined && envToken !== '') return { servers, token: envToken };
  return { servers };
}

/** The URL text with any user info replaced, for error lines. */
function redact(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}

export interface ConnectOptions {
  /** Shown to the server (`connz`) and in its logs. */
  readonly name: string;
  /** How long the first connection may take before start fails. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Connects, or throws a `FleetInputError` naming `flag` (refused credentials, no server reachable).
 * After the first connection the client reconnects for ever, to any server of the cluster it learns of.
 */
export async function connectNats(target: NatsTarget, flag: string, options: ConnectOptions): Promise<NatsConnection> {
  const auth: Partial<NodeConnectionOptions> = {};
  if (target.credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(target.credsFile);
    } catch (error) {
      throw new FleetInputError(`--nats-creds ${target.credsFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    auth.authenticator = credsAuthenticator(creds);
  } else if (target.token !== undefined) {
    auth.token = target.token;
  } else if (target.user !== undefined) {
    auth.user = target.user;
    if (target.pass !== undefined) auth.pass = target.pass;
  }
  try {
    return await connect({
      servers: [...target.servers],
      name: options.name,
      timeout: options.timeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // why: a cut-off is noticed within a few seconds even when the socket stays half-open.
      pingInterval: 2_000,
      maxPingOut: 2,
      ...auth,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/authori[sz]ation|authentication|user/i.test(message)) {
      throw new FleetInputError(`${flag}: NATS refused the credentials (${message}); give them in the URL, QUOTEDESK_NATS_USER/PASSWORD, QUOTEDESK_NATS_TOKEN or --nats-creds`);
    }
    throw new FleetInputError(`${flag}: cannot reach NATS at ${target.servers.join(', ')} (${message})`);
  }
}

/** Connection-level problems (reconnecting, auth expiry) in one line each, for a program's log. */
export function watchStatus(nc: NatsConnection, log: (line: string) => void, onChange?: (connected: boolean) => void): void {
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          log(`NATS: disconnected from ${status.server}`);
          onChange?.(false);
          break;
        case 'reconnect':
          log(`NATS: reconnected to ${status.server}`);
          onChange?.(true);
          break;
        case 'error':
          log(`NATS: ${status.error.message}`);
          break;
        default:
          break;
      }
    }
  })();
}
