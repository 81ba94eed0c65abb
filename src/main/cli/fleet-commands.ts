/**
 * The fleet's part of the `quotedesk` command: the `--fleet` flags of `serve` (a desk joining the fleet)
 * and the commands `fleet` (the supervisor) and `archive` (JetStream → PostgreSQL). Thin: flags are
 * checked here (one line and exit code 2 for a bad one, through `UsageError`), the work is done by
 * `src/main/fleet/*`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DESK_NAME_PATTERN } from '../../shared/fleet.js';
import { pnlByDeskAndDay, migrateArchive } from '../fleet/archive-schema.js';
import { Archiver } from '../fleet/archiver.js';
import { DeskAgent, type OfflinePolicy } from '../fleet/desk-agent.js';
import { DEFAULT_LOST_AFTER_MS } from '../fleet/fleet-table.js';
import { FleetInputError, parseNatsTarget, type NatsTarget } from '../fleet/nats-connection.js';
import { Supervisor } from '../fleet/supervisor.js';
import { startSupervisorServer } from '../fleet/supervisor-http.js';
import { rendererDir } from './renderer-dir.js';
import { UsageError, bool, num, requireStr, str, type CommandSpec, type FlagSpec, type ParsedFlags } from './args.js';

const CREDENTIALS_NOTE =
  'NATS CREDENTIALS: in the URL (nats://user:password@host:port, nats://token@host:port), or QUOTEDESK_NATS_USER + ' +
  'QUOTEDESK_NATS_PASSWORD, or QUOTEDESK_NATS_TOKEN, or --nats-creds FILE (JWT + nkey seed). Several servers of a cluster: ' +
  'nats://a:4222,nats://b:4222.';

/** The flags `serve` takes to join a fleet. */
export const SERVE_FLEET_FLAGS: Readonly<Record<string, FlagSpec>> = {
  fleet: { kind: 'string', help: 'join the fleet over NATS JetStream at this URL (nats://host:port[,...]; see NATS CREDENTIALS)' },
  'desk-name': { kind: 'string', help: "this desk's name in the fleet (letters, digits, - and _; with --fleet)" },
  'fleet-offline': { kind: 'string', help: 'cut off from NATS for 2 s: keep-trading (default, under its own limits) or halt' },
  'fleet-rate': { kind: 'number', help: 'state summaries per second to the fleet, at most (0.1 to 10, default 10)' },
  'nats-creds': { kind: 'string', help: 'NATS credentials file (JWT + nkey seed)' },
};
export const SERVE_FLEET_NOTE = CREDENTIALS_NOTE;

/** What `serve --fleet ...` asked for, checked before anything starts. */
export interface DeskFleetConfig {
  readonly name: string;
  readonly target: NatsTarget;
  readonly offline: OfflinePolicy;
  readonly rateHz: number;
  /** The URL(s) without credentials, for the startup line. */
  readonly shown: string;
}

/** Checks the fleet flags of `serve` (exit code 2 for a bad one); null without `--fleet`. */
export function deskFleetFlags(flags: ParsedFlags): DeskFleetConfig | null {
  const url = str(flags, 'fleet');
  for (const other of ['desk-name', 'fleet-offline', 'fleet-rate', 'nats-creds']) {
    if (url === undefined && flags.has(other)) throw new UsageError(`--${other} needs --fleet URL`);
  }
  if (url === undefined) return null;
  const name = str(flags, 'desk-name');
  if (name === undefined) throw new UsageError("--fleet needs --desk-name NAME (the desk's name in the fleet)");
  if (!DESK_NAME_PATTERN.test(name)) throw new UsageError(`--desk-name "${name}": a desk name is 1 to 64 letters, digits, "-" or "_"`);
  const offline = str(flags, 'fleet-offline') ?? 'keep-trading';
  if (offline !== 'keep-trading' && offline !== 'halt') throw new UsageError(`--fleet-offline must be keep-trading or halt, got "${offline}"`);
  const rateHz = num(flags, 'fleet-rate') ?? 10;
  if (!(rateHz >= 0.1 && rateHz <= 10)) throw new UsageError(`--fleet-rate must be from 0.1 to 10 summaries per second, got ${rateHz}`);
  const target = natsFlag(flags, 'fleet');
  return { name, target, offline, rateHz, shown: target.servers.map((server) => `nats://${server}`).join(',') };
}

/** `serve --fleet`: connects before the desk starts; `attach` it once the desk runs. */
export async function connectDeskAgent(config: DeskFleetConfig, log: (line: string) => void): ReturnType<typeof DeskAgent.connect> {
  try {
    return await DeskAgent.connect({ name: config.name, target: config.target, flag: '--fleet', offline: config.offline, rateHz: config.rateHz, log });
  } catch (error) {
    if (error instanceof FleetInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** A NATS URL flag with the credentials of the URL, the environment or `--nats-creds`. */
function natsFlag(flags: ParsedFlags, name: string): NatsTarget {
  try {
    return parseNatsTarget(requireStr(flags, name), `--${name}`, process.env, str(flags, 'nats-creds'));
  } catch (error) {
    if (error instanceof FleetInputError) throw new UsageError(error.message);
    throw error;
  }
}

export const FLEET_COMMANDS: Record<string, CommandSpec> = {
  fleet: {
    summary: 'supervise a fleet of desks over NATS: overview, kill-all and per-desk commands over HTTP + WebSocket on 127.0.0.1',
    flags: {
      nats: { kind: 'string', required: true, help: 'NATS URL(s) of the fleet (see NATS CREDENTIALS)' },
      port: { kind: 'number', help: 'port on 127.0.0.1 (0 = any free port; default 8790)' },
      token: { kind: 'string', help: 'bearer token for the kill-all and commands (default: $QUOTEDESK_TOKEN or a random one)' },
      pg: { kind: 'string', help: 'PostgreSQL URL of the archive, for GET /api/fleet/pnl' },
      'lost-after-ms': { kind: 'number', help: `a desk without a heartbeat this long is lost (300 to 60000, default ${DEFAULT_LOST_AFTER_MS})` },
      'nats-creds': { kind: 'string', help: 'NATS credentials file (JWT + nkey seed)' },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [CREDENTIALS_NOTE],
  },
  archive: {
    summary: "archive every desk's fills, orders, order events and audit from JetStream into PostgreSQL, exactly once",
    flags: {
      nats: { kind: 'string', help: 'NATS URL(s) of the fleet (see NATS CREDENTIALS); required unless --pnl' },
      pg: { kind: 'string', required: true, help: 'PostgreSQL URL (postgres://user@host:port/database; password in the URL or $PGPASSWORD)' },
      pnl: { kind: 'boolean', help: 'print the PnL by desk and day from the archive and exit (no NATS needed)' },
      desk: { kind: 'string', help: 'with --pnl: only this desk' },
      json: { kind: 'boolean', help: 'with --pnl: print JSON' },
      'nats-creds': { kind: 'string', help: 'NATS credentials file (JWT + nkey seed)' },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [CREDENTIALS_NOTE, 'PNL: per desk and UTC day of receipt, the change of marked equity: cash of the fills less fees, plus inventory marked at the mid just before the day\'s last fill.'],
  },
};

function pgUrlFlag(flags: ParsedFlags): string {
  const url = requireStr(flags, 'pg');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`--pg must be a postgres://user@host:port/database URL`);
  return url;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export async function fleetCommand(flags: ParsedFlags): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const port = num(flags, 'port') ?? 8790;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${port}`);
  const lostAfterMs = num(flags, 'lost-after-ms') ?? DEFAULT_LOST_AFTER_MS;
  if (!(lostAfterMs >= 300 && lostAfterMs <= 60_000)) throw new UsageError(`--lost-after-ms must be from 300 to 60000, got ${lostAfterMs}`);
  const given = str(flags, 'token') ?? process.env['QUOTEDESK_TOKEN'];
  if (given !== undefined && given.length < 8) throw new UsageError('--token must be at least 8 characters');
  const token = given ?? randomBytes(18).toString('base64url');
  const pgUrl = flags.has('pg') ? pgUrlFlag(flags) : null;
  const target = natsFlag(flags, 'nats');
  let pool: pg.Pool | null = null;
  if (pgUrl !== null) {
    pool = new pg.Pool({ connectionString: pgUrl, max: 2, application_name: 'quotedesk fleet' });
    pool.on('error', (error) => log(`fleet: PostgreSQL: ${error.message}`));
  }
  let supervisor: Supervisor;
  try {
    supervisor = await Supervisor.start({ target, flag: '--nats', lostAfterMs, log });
  } catch (error) {
    await pool?.end();
    if (error instanceof FleetInputError) throw new UsageError(error.message);
    throw error;
  }
  const activePool = pool;
  const server = await startSupervisorServer({
    supervisor,
    port,
    token,
    log,
    staticDir: rendererDir(),
    pnl:
      activePool === null
        ? null
        : async (desk) => {
            const client = await activePool.connect();
            try {
              return await pnlByDeskAndDay(client, desk);
            } finally {
              client.release();
            }
          },
  });
  // why: listening before the ready line, so a signal sent as soon as it is read still shuts down cleanly.
  const signal = waitForSignal();
  if (given === undefined) process.stdout.write(`Token: ${token}\n`);
  process.stdout.write(`Monitor: ${server.url}/#token=${token}\n`);
  process.stdout.write(`Quotedesk fleet supervisor listening on ${server.url}\n`);
  await signal;
  await server.close();
  await supervisor.close();
  await pool?.end();
  return 0;
}

export async function archiveCommand(flags: ParsedFlags): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const pgUrl = pgUrlFlag(flags);
  if (bool(flags, 'pnl')) {
    const desk = str(flags, 'desk');
    if (desk !== undefined && !DESK_NAME_PATTERN.test(desk)) throw new UsageError(`--desk "${desk}": a desk name is 1 to 64 letters, digits, "-" or "_"`);
    return printPnl(pgUrl, desk, bool(flags, 'json'));
  }
  if (flags.has('desk') || flags.has('json')) throw new UsageError('--desk and --json go with --pnl');
  if (!flags.has('nats')) throw new UsageError('missing required flag --nats for `quotedesk archive` (only --pnl works without it)');
  const target = natsFlag(flags, 'nats');
  let archiver: Archiver;
  try {
    archiver = await Archiver.start({ target, natsFlag: '--nats', pgUrl, log });
  } catch (error) {
    if (error instanceof FleetInputError) throw new UsageError(error.message);
    throw error;
  }
  const signal = waitForSignal();
  process.stdout.write('Quotedesk archive running\n');
  const outcome = await Promise.race([archiver.run().then(() => 'done' as const), signal.then(() => 'signal' as const)]).catch((error: Error) => error);
  await archiver.close();
  const stats = archiver.stats();
  process.stdout.write(`archived ${stats.rowsInserted} rows from ${stats.messages} messages (${stats.rowsAlreadyThere} already there, ${stats.rejected} refused)\n`);
  if (outcome instanceof Error) throw outcome;
  return 0;
}

async function printPnl(pgUrl: string, desk: string | undefined, json: boolean): Promise<number> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'quotedesk archive --pnl' });
  try {
    await client.connect();
  } catch (error) {
    throw new UsageError(`--pg: cannot connect to PostgreSQL (${(error as Error).message})`);
  }
  try {
    try {
      await migrateArchive(client);
    } catch (error) {
      if (error instanceof FleetInputError) throw new UsageError(error.message);
      throw error;
    }
    const rows = await pnlByDeskAndDay(client, desk);
    if (json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const lines = [`${'desk'.padEnd(20)} ${'day'.padEnd(10)} ${'fills'.padStart(8)} ${'volume'.padStart(14)} ${'fees'.padStart(12)} ${'pnl'.padStart(14)}`];
    for (const row of rows) {
      lines.push(
        `${row.desk.padEnd(20)} ${row.day.padEnd(10)} ${String(row.fills).padStart(8)} ${row.volume.toFixed(4).padStart(14)} ${row.fees.toFixed(4).padStart(12)} ${(row.pnl === null ? 'n/a' : row.pnl.toFixed(4)).padStart(14)}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await client.end();
  }
}
