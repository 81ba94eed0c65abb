/**
 * The `quotedesk` command: `serve` (the headless desk behind HTTP + WebSocket and the monitor), the
 * tools `backtest`, `record`, `import-lobster`, `inspect`, `export-fills`, and `venue` (the local exchange,
 * venue-command.ts) (contracts.md). A thin host: it
 * parses flags, builds parts through the desk factory and library functions, prints results. Exit codes:
 * 0 success; 2 bad usage or bad input, with one line naming the offending flag, file or field; 1 anything
 * else. Bad input never leaves a half-written database or file behind (the libraries write temp files and
 * rename; the store refuses to create files in unwritable places), and no command writes over one of its
 * inputs or its database (`checkOutput`: the same file by device and inode).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VENUES, isVenueName, type LiveKeysView, type VenueName } from '../../shared/contract.js';
import { formatOrNa, isKnown } from '../../shared/metrics-text.js';
import { DEFAULT_PARAMS, applyParamsPatch, type DeskParams } from '../../shared/params.js';
import { NO_LIVE_KEYS } from '../bridge/desk-api.js';
import { startServer } from '../bridge/http-server.js';
import { createDesk } from '../desk/create-desk.js';
import { accessPolicy, isLoopbackBind } from '../bridge/request-policy.js';
import { classifyError } from '../desk/input-errors.js';
import type { LiveExecutionOptions } from '../desk/create-desk.js';
import { loadCredentials, redactingLogger, secretsOf } from '../execution/live/credentials.js';
import type { Credentials } from '../execution/live/gateway.js';
import { DeskFleet } from '../engine/desk-fleet.js';
import { desksFromFile, desksFromFlags, fleetSpecs, type ServeDesks } from './desk-specs.js';
import { inspectCapture } from '../market/inspect.js';
import { importLobster } from '../market/lobster/import.js';
import type { AdapterOptions } from '../market/adapters/base.js';
import { recordLive } from '../market/live/record.js';
import { checkInstrumentSpec, type InstrumentSource, type InstrumentSpec, type ReplaySpeed } from '../market/replay/index.js';
import { checkOutput, databaseFiles, type NamedFile } from '../files/output-file.js';
import { exportFillsCsv, openStore, StoreError, type StoredFill } from '../storage/index.js';
import { UsageError, bool, helpText, list, num, parseFlags, requireStr, str, type CommandSpec, type ParsedFlags } from './args.js';
import { VENUE_COMMAND, venueCommand } from './venue-command.js';
import { rendererDir } from './renderer-dir.js';
import { FLEET_COMMANDS, SERVE_FLEET_FLAGS, SERVE_FLEET_NOTE, archiveCommand, connectDeskAgent, deskFleetFlags, fleetCommand } from './fleet-commands.js';

const VERSION = '0.1.0';

const SPEC_NOTE =
  "SPEC: a recording's tick and lot come from --tick-size and --lot-size (checked against every recorded price and size); " +
  "else from the venue's answer `quotedesk record` stored in the recording; else from the built-in spec of a few known symbols; " +
  'else from the finest decimals the recording\'s own prices and sizes use, with a one-line notice.';
const OUT_NOTE =
  'OUTPUT: written to a hidden temporary file beside --out and renamed into place when complete; an --out that is one of ' +
  'the inputs or the database (same file, also through a link), a folder or a device, or in a missing or unwritable folder ' +
  'is refused (exit 2) and nothing is written.';

export const COMMANDS: Record<string, CommandSpec> = {
  serve: {
    summary: 'run the desk headless and serve the monitor and the API over HTTP + WebSocket',
    flags: {
      venue: { kind: 'string', help: `market: ${VENUES.join(', ')} (default sim)` },
      symbol: { kind: 'string', help: 'instrument symbol as the venue spells it' },
      recording: { kind: 'string', help: 'replay this capture (.jsonl or .jsonl.gz) instead of a live feed' },
      'tick-size': { kind: 'string', help: "replay: the instrument's price increment, e.g. 0.01 (with --lot-size; see SPEC below)" },
      'lot-size': { kind: 'string', help: "replay: the instrument's size increment, e.g. 0.0001 (with --tick-size)" },
      speed: { kind: 'string', help: 'replay speed 0.25..100 or max (default 1)' },
      host: { kind: 'string', help: 'address to bind (default 127.0.0.1)' },
      port: { kind: 'number', help: 'port (0 = any free port; default 8787)' },
      db: { kind: 'string', help: 'SQLite database file (default: the data folder)' },
      params: { kind: 'string', help: 'JSON file of parameters (merged over the defaults, validated as a whole)' },
      token: { kind: 'string', help: 'bearer token for control requests (default: $QUOTEDESK_TOKEN or a random one)' },
      'allowed-hosts': { kind: 'string', help: 'comma-separated host names the Host header may carry besides the bound address (for a non-loopback --host)' },
      'max-clients': { kind: 'number', help: 'stream clients (monitors, scripts) at once, all desks together; more are refused (default 256)' },
      execution: { kind: 'string', help: 'paper (default: simulated fills on the feed) or live (real orders at the venue: binance-spot, binance-usdm, bybit-spot, bybit-linear)' },
      mainnet: { kind: 'boolean', help: "live: trade on the venue's real market (default: its testnet)" },
      'ws-api-url': { kind: 'string', help: "live: override the venue's WebSocket API (Binance spot), user-data stream (USD-M) or private stream (Bybit) endpoint" },
      'ed25519-key': { kind: 'string', help: 'live: Ed25519 private key file (PEM, mode 0600) instead of QUOTEDESK_API_SECRET; the key id is QUOTEDESK_API_KEY' },
      desk: { kind: 'string', repeatable: true, help: 'run this desk too: VENUE[:SYMBOL[:PARAMS.json]] (repeat for several desks in one process)' },
      desks: { kind: 'string', help: 'JSON file of desks {"desks": [{name?, venue, symbol?, params?, recording?, db?}], "firmLimits"?} (see README)' },
      'ws-url': { kind: 'string', help: "override the venue's WebSocket endpoint" },
      'rest-url': { kind: 'string', help: "override the venue's REST endpoint" },
      seed: { kind: 'number', help: 'simulated market: random seed (default 1)' },
      'sim-flow': { kind: 'number', help: 'simulated market: order-flow multiplier (1 = calm; 300 ≈ 20,000 messages/s)' },
      'sequence-gaps': { kind: 'string', help: "resync (default, the venue's rule) or count: for captures whose other channels were filtered out" },
      recordings: { kind: 'string', help: 'folder of recordings the monitor can replay and the record toggle writes to (default: recordings/ beside the database)' },
      ...SERVE_FLEET_FLAGS,
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [SPEC_NOTE, SERVE_FLEET_NOTE],
  },
  backtest: {
    summary: 'replay a recording through the engine at full speed; print the statistics and store the session and its fills',
    flags: {
      recording: { kind: 'string', required: true, help: 'capture or imported recording (.jsonl or .jsonl.gz)' },
      params: { kind: 'string', help: 'JSON file of parameters (merged over the defaults, validated as a whole)' },
      db: { kind: 'string', help: 'SQLite database file (default: the data folder)' },
      venue: { kind: 'string', help: 'venue of the capture (default: detected)' },
      symbol: { kind: 'string', help: 'symbol (default: detected)' },
      'tick-size': { kind: 'string', help: "the instrument's price increment, e.g. 0.01 (with --lot-size; see SPEC below)" },
      'lot-size': { kind: 'string', help: "the instrument's size increment, e.g. 0.0001 (with --tick-size)" },
      'sequence-gaps': { kind: 'string', help: 'resync or count (see serve --help)' },
      json: { kind: 'boolean', help: 'print the report as JSON' },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [SPEC_NOTE],
  },
  record: {
    summary: 'record a live feed in the capture format',
    flags: {
      venue: { kind: 'string', required: true, help: `live venue: ${VENUES.filter((v) => v !== 'sim').join(', ')}` },
      symbol: { kind: 'string', required: true, help: 'symbol as the venue spells it' },
      out: { kind: 'string', required: true, help: 'file to write (.jsonl or .jsonl.gz)' },
      duration: { kind: 'number', help: 'seconds to record (default: until interrupted)' },
      'ws-url': { kind: 'string', help: "override the venue's WebSocket endpoint" },
      'rest-url': { kind: 'string', help: "override the venue's REST endpoint" },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [OUT_NOTE],
  },
  inspect: {
    summary: "replay a raw capture through the venue's live adapter; print the final book and the feed statistics",
    flags: {
      venue: { kind: 'string', required: true, help: 'venue of the capture' },
      recording: { kind: 'string', required: true, help: 'capture file (.jsonl or .jsonl.gz)' },
      symbol: { kind: 'string', help: 'symbol (default: the first the capture shows)' },
      'tick-size': { kind: 'string', help: "the instrument's price increment, e.g. 0.01 (with --lot-size; see SPEC below)" },
      'lot-size': { kind: 'string', help: "the instrument's size increment, e.g. 0.0001 (with --tick-size)" },
      levels: { kind: 'number', help: 'levels per side to print (default 10)' },
      json: { kind: 'boolean', help: 'print JSON' },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [SPEC_NOTE],
  },
  'import-lobster': {
    summary: 'convert a LOBSTER message/orderbook pair into a recording, validating every message against the book file',
    flags: {
      messages: { kind: 'string', required: true, help: 'LOBSTER message file (CSV)' },
      orderbook: { kind: 'string', required: true, help: 'LOBSTER orderbook file (CSV)' },
      out: { kind: 'string', required: true, help: 'recording to write (.jsonl or .jsonl.gz)' },
      symbol: { kind: 'string', help: 'ticker (default: from the file name)' },
      date: { kind: 'string', help: 'trading date YYYY-MM-DD (default: from the file name)' },
      json: { kind: 'boolean', help: 'print the report as JSON' },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [OUT_NOTE],
  },
  'export-fills': {
    summary: 'export fills as CSV',
    flags: {
      db: { kind: 'string', required: true, help: 'SQLite database file' },
      session: { kind: 'number', help: 'only this session (default: all)' },
      out: { kind: 'string', required: true, help: 'CSV file to write' },
      help: { kind: 'boolean', help: 'show this help' },
    },
    notes: [OUT_NOTE, "CSV: a text cell that starts with = + - or @ and is not a plain number gets a leading ' (a spreadsheet never runs it)."],
  },
  venue: VENUE_COMMAND,
  ...FLEET_COMMANDS,
};

/** Where Quotedesk keeps its database unless told otherwise. */
export function defaultDataDir(): string {
  const override = process.env['QUOTEDESK_HOME'];
  if (override) return override;
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.local', 'share'), 'quotedesk');
}

/** The built monitor: out/renderer beside out/main, found from this file or the project root. */
export function loadParams(file: string | undefined): DeskParams {
  if (!file) return DEFAULT_PARAMS;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--params ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--params ${file}: not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')})`);
  }
  const result = applyParamsPatch(DEFAULT_PARAMS, json);
  if (!result.ok) throw new UsageError(`--params ${file}: ${result.issue.field || '(root)'}: ${result.issue.message}`);
  return result.params;
}

function venueFlag(flags: ParsedFlags, fallback: VenueName | null): VenueName {
  const venue = str(flags, 'venue');
  if (venue === undefined) {
    if (fallback) return fallback;
    throw new UsageError('missing required flag --venue');
  }
  if (!isVenueName(venue)) throw new UsageError(`unknown venue "${venue}" (venues: ${VENUES.join(', ')})`);
  return venue;
}

/**
 * The database file: `--db` or the data folder's. It may not be one of the command's input files (same file
 * by device and inode, or by name for its -wal/-shm), a folder, or in a folder that does not exist.
 */
function dbPathFlag(flags: ParsedFlags, inputs: readonly NamedFile[]): string {
  const db = str(flags, 'db');
  if (db === undefined) {
    const dir = defaultDataDir();
    mkdirSync(dir, { recursive: true });
    return join(dir, 'quotedesk.db');
  }
  for (const file of databaseFiles(db, '--db')) checkOutput(file, inputs);
  return resolve(db);
}

function sequenceGapsFlag(flags: ParsedFlags): AdapterOptions | undefined {
  const value = str(flags, 'sequence-gaps');
  if (value === undefined) return undefined;
  if (value !== 'resync' && value !== 'count') throw new UsageError(`--sequence-gaps must be resync or count, got "${value}"`);
  return { sequenceGaps: value };
}

function speedFlag(flags: ParsedFlags): ReplaySpeed | undefined {
  const text = str(flags, 'speed');
  if (text === undefined) return undefined;
  if (text === 'max') return 'max';
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed < 0.25 || speed > 100) throw new UsageError(`--speed must be from 0.25 to 100 or max, got "${text}"`);
  return speed;
}

/** `--recording`: an existing, non-empty file (a folder or an empty file is one line, exit 2). */
function recordingFlag(flags: ParsedFlags): string | undefined {
  const file = str(flags, 'recording');
  if (file === undefined) return undefined;
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--recording ${file}: ${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : `cannot read it (${code ?? String(error)})`}`);
  }
  if (stat.isDirectory()) throw new UsageError(`--recording ${file} is a folder, not a capture file`);
  if (!stat.isFile()) throw new UsageError(`--recording ${file} is not a regular file`);
  if (stat.size === 0) throw new UsageError(`--recording ${file} is empty: no frames to replay`);
  return file;
}

/** `--tick-size` and `--lot-size`, both or neither; checked against the capture by `captureInstrument`. */
function instrumentFlags(flags: ParsedFlags): InstrumentSpec | undefined {
  const tickSize = str(flags, 'tick-size');
  const lotSize = str(flags, 'lot-size');
  if (tickSize === undefined && lotSize === undefined) return undefined;
  if (tickSize === undefined) throw new UsageError('--lot-size needs --tick-size too (the instrument spec is both)');
  if (lotSize === undefined) throw new UsageError('--tick-size needs --lot-size too (the instrument spec is both)');
  checkInstrumentSpec({ tickSize, lotSize });
  return { tickSize, lotSize };
}

/** The files a command reads, for `dbPathFlag`'s check. */
function inputFiles(flags: ParsedFlags, names: readonly string[]): NamedFile[] {
  const out: NamedFile[] = [];
  for (const name of names) {
    const path = str(flags, name);
    if (path !== undefined) out.push({ path, name: `--${name}` });
  }
  return out;
}

async function serve(flags: ParsedFlags): Promise<number> {
  const deskFlags = list(flags, 'desk');
  const desksFile = str(flags, 'desks');
  if (deskFlags.length > 0 && desksFile !== undefined) throw new UsageError('--desk and --desks are two ways to name the desks: give one of them');
  const several = deskFlags.length > 0 || desksFile !== undefined;
  if (several) {
    for (const single of ['venue', 'symbol', 'recording', 'speed', 'tick-size', 'lot-size']) {
      if (flags.has(single)) throw new UsageError(`--${single} names the one desk of a single-desk serve; with --desk or --desks, each desk says its own`);
    }
  }
  const recording = recordingFlag(flags);
  const spec = instrumentFlags(flags);
  if (spec && !recording) throw new UsageError('--tick-size and --lot-size apply to a replay (--recording FILE)');
  const venue = venueFlag(flags, 'sim');
  const symbol = str(flags, 'symbol');
  if (!several && !recording && venue !== 'sim' && !symbol) throw new UsageError(`missing --symbol for the live venue ${venue}`);
  if (recording && flags.has('sim-flow')) throw new UsageError('--sim-flow applies to the simulated market, not to a recording');
  const speed = speedFlag(flags);
  if (speed !== undefined && !recording) throw new UsageError('--speed applies to a replay (--recording FILE)');
  const port = num(flags, 'port') ?? 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${port}`);
  const host = str(flags, 'host') ?? '127.0.0.1';
  const params = loadParams(str(flags, 'params'));
  const given = str(flags, 'token') ?? process.env['QUOTEDESK_TOKEN'];
  if (given !== undefined && given.length < 8) throw new UsageError('--token must be at least 8 characters');
  const token = given ?? randomBytes(18).toString('base64url');
  const seed = num(flags, 'seed');
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
  const flow = num(flags, 'sim-flow');
  if (flow !== undefined && (flow <= 0 || flow > 10_000)) throw new UsageError(`--sim-flow must be in (0, 10000], got ${flow}`);
  const adapterOptions = sequenceGapsFlag(flags);
  const wsUrl = str(flags, 'ws-url');
  const restUrl = str(flags, 'rest-url');
  const execution = str(flags, 'execution') ?? 'paper';
  if (execution !== 'paper' && execution !== 'live') throw new UsageError(`--execution must be paper or live, got "${execution}"`);
  // Keys: required for `--execution live`; on paper, keys found in the environment are loaded too, so the
  // monitor can start a live session later (confirmed there by typing its venue and symbol).
  const keysGiven = (process.env['QUOTEDESK_API_KEY'] ?? '').trim() !== '' || flags.has('ed25519-key');
  if (execution === 'paper') {
    if (flags.has('mainnet')) throw new UsageError('--mainnet applies to --execution live (in the monitor, mainnet is a switch of the session dialog)');
    if (!keysGiven) for (const liveOnly of ['ws-api-url', 'ed25519-key']) if (flags.has(liveOnly)) throw new UsageError(`--${liveOnly} applies to live execution: give the keys (QUOTEDESK_API_KEY) or --execution live`);
  }
  let live: LiveExecutionOptions | undefined;
  if (execution === 'live' || keysGiven) {
    if (execution === 'live' && recording) throw new UsageError('--execution live trades on a live venue, not on a recording');
    let credentials: Credentials;
    try {
      credentials = loadCredentials({ env: process.env, ...(str(flags, 'ed25519-key') ? { ed25519KeyFile: str(flags, 'ed25519-key') } : {}) });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const wsApiUrl = str(flags, 'ws-api-url');
    live = { credentials, network: bool(flags, 'mainnet') ? 'mainnet' : 'testnet', ...(wsApiUrl ? { wsApiUrl } : {}) };
  }
  const liveKeys: LiveKeysView = live
    ? { configured: true, apiKeyHint: live.credentials.apiKey.slice(-4), kind: live.credentials.secret.kind, storable: false, source: 'the environment of quotedesk serve' }
    : NO_LIVE_KEYS;
  const tradesLive = execution === 'live' && live !== undefined;
  // why: a secret must never reach a log line; nothing should hand one to the logger, and this makes sure.
  const log = redactingLogger((line: string): void => void process.stderr.write(`${line}\n`), live ? secretsOf(live.credentials) : []);
  const allowedHosts = listFlag(flags, 'allowed-hosts');
  const maxClients = num(flags, 'max-clients');
  if (maxClients !== undefined && (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > 100_000)) throw new UsageError(`--max-clients must be an integer from 1 to 100000, got ${maxClients}`);
  const fleetConfig = deskFleetFlags(flags);
  const dbPath = dbPathFlag(flags, inputFiles(flags, ['recording', 'params', 'desks']));
  const recordingsDir = resolve(str(flags, 'recordings') ?? join(dirname(dbPath), 'recordings'));
  const chosen: ServeDesks = desksFile !== undefined
    ? desksFromFile(desksFile, params, dbPath)
    : deskFlags.length > 0
      ? desksFromFlags(deskFlags, params, dbPath)
      : { desks: [{ name: 'main', venue, ...(symbol ? { symbol } : {}), ...(recording ? { recording: resolve(recording) } : {}), ...(speed !== undefined ? { speed } : {}), params, dbPath }], firmLimits: null };
  for (const desk of chosen.desks) {
    for (const other of chosen.desks) {
      if (other !== desk && other.dbPath === desk.dbPath) throw new UsageError(`desks ${desk.name} and ${other.name} would share the database ${desk.dbPath}: give each its own`);
    }
  }
  // NATS first: bad fleet credentials are refused before any database is created. One agent per desk,
  // named `--desk-name` (one desk) or `--desk-name`-NAME (several).
  const agentLinks = fleetConfig === null ? [] : await Promise.all(chosen.desks.map((desk) => connectDeskAgent({ ...fleetConfig, name: chosen.desks.length === 1 ? fleetConfig.name : `${fleetConfig.name}-${desk.name}` }, log)));
  const base = {
    ...(wsUrl ? { wsUrl } : {}),
    ...(restUrl ? { restUrl } : {}),
    ...(adapterOptions ? { adapterOptions } : {}),
    ...(spec && recording ? { instrument: { recording: resolve(recording), ...spec } } : {}),
    sim: { ...(seed !== undefined ? { seed } : {}), ...(flow !== undefined ? { flowMultiplier: flow } : {}) },
    ...(live ? { live } : {}),
  };
  let fleet: DeskFleet;
  try {
    // The command line is the operator's confirmation of real orders.
    fleet = await DeskFleet.start(
      fleetSpecs(chosen, base, recordingsDir, tradesLive ? { mainnet: live?.network === 'mainnet' } : null),
      log,
    );
  } catch (error) {
    await Promise.all(agentLinks.map((agent) => agent.close()));
    if ((error as { badInput?: boolean }).badInput) throw new UsageError((error as Error).message);
    throw error;
  }
  if (chosen.firmLimits) fleet.setFirmLimits(chosen.firmLimits);
  const server = await startServer({
    fleet,
    host,
    port,
    token,
    staticDir: rendererDir(),
    live: liveKeys,
    ...(allowedHosts ? { allowedHosts } : {}),
    ...(maxClients !== undefined ? { stream: { maxClients } } : {}),
    logger: log,
  });
  const agents = chosen.desks.map((desk, i) => {
    const running = fleet.get(desk.name);
    const link = agentLinks[i];
    return link && running ? { name: chosen.desks.length === 1 ? (fleetConfig?.name ?? desk.name) : `${fleetConfig?.name ?? ''}-${desk.name}`, agent: link.attach(running.link, running.dbPath) } : null;
  }).filter((agent): agent is NonNullable<typeof agent> => agent !== null);
  // why: listening before the ready line is printed, so a SIGTERM sent as soon as it is read still shuts down cleanly.
  const stopRequested = new Promise<'signal' | 'engine'>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('signal'));
    process.once('SIGTERM', () => resolveStop('signal'));
    // One desk's engine failing halts that desk only; the server goes when none is left.
    for (const name of fleet.names) fleet.get(name)?.link.onFailure(() => fleet.allFailed() && resolveStop('engine'));
  });
  if (!isLoopbackBind(host)) {
    process.stdout.write(`WARNING: this desk is reachable from the network on ${server.url}: every read and write needs the token; Host names allowed: ${accessPolicy({ host, token, ...(allowedHosts ? { allowedHosts } : {}) }).hostNames.join(', ')}\n`);
  }
  if (live && !tradesLive) {
    process.stdout.write(`Live keys: loaded from the environment (API key …${liveKeys.apiKeyHint ?? ''}): the monitor can start a live session, confirmed by typing its venue and symbol\n`);
  }
  if (live && tradesLive) {
    process.stdout.write(`LIVE TRADING: real orders go to ${live.network === 'mainnet' ? 'the REAL MARKET (mainnet)' : "the venue's testnet"}${restUrl || wsUrl || live.wsApiUrl ? ' through the endpoints given' : ''}\n`);
  }
  if (given === undefined) process.stdout.write(`Token: ${token}\n`);
  process.stdout.write(`Monitor: ${server.url}/#token=${token}\n`);
  if (fleet.size === 1) {
    process.stdout.write(`Database: ${dbPath}\n`);
  } else {
    for (const desk of chosen.desks) process.stdout.write(`Desk ${desk.name}: ${desk.venue}${desk.symbol ? ` ${desk.symbol}` : ''}${desk.recording ? ` replaying ${desk.recording}` : ''}, database ${desk.dbPath}\n`);
  }
  if (fleetConfig !== null) process.stdout.write(`Fleet: ${agents.map((agent) => `desk ${agent.name}`).join(', ')} on NATS ${fleetConfig.shown}\n`);
  process.stdout.write(`Quotedesk listening on ${server.url}\n`);
  const stopped = await stopRequested;
  await server.close();
  await fleet.close();
  // why: after the engines closed, so the rows of the sessions' end are published too.
  await Promise.all(agents.map((agent) => agent.agent.close()));
  return stopped === 'engine' ? 1 : 0;
}

/** A comma-separated list flag, without empty entries. */
function listFlag(flags: ParsedFlags, name: string): string[] | undefined {
  const text = str(flags, name);
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`--${name} needs at least one name`);
  return items;
}

/** A digest of the fills (side, price, size, time, fee, liquidity, in order): two runs compare by it. */
export function fillsDigest(fills: readonly StoredFill[]): string {
  const hash = createHash('sha256');
  for (const fill of fills) hash.update(`${fill.side},${fill.price},${fill.size},${fill.localUs},${fill.fee.toFixed(10)},${fill.liquidity}\n`);
  return hash.digest('hex');
}

async function backtest(flags: ParsedFlags): Promise<number> {
  const recording = recordingFlag(flags);
  if (!recording) throw new UsageError('missing required flag --recording');
  const venueText = str(flags, 'venue');
  const venue = venueText === undefined ? 'sim' : venueFlag(flags, null);
  const symbol = str(flags, 'symbol');
  const adapterOptions = sequenceGapsFlag(flags);
  const spec = instrumentFlags(flags);
  const params = loadParams(str(flags, 'params'));
  const tty = process.stderr.isTTY === true;
  const running = await createDesk({
    venue,
    recording,
    backtest: true,
    dbPath: dbPathFlag(flags, inputFiles(flags, ['recording', 'params'])),
    params,
    ...(spec ? { instrument: { recording, ...spec } } : {}),
    ...(symbol ? { symbol } : {}),
    ...(adapterOptions ? { adapterOptions } : {}),
    ...(tty ? { onLoadProgress: (f: number) => void process.stderr.write(`\rloading  ${progressBar(f)}`) } : {}),
    logger: (line) => void process.stderr.write(`${line}\n`),
  });
  const replay = running.replay;
  if (!replay) throw new Error('backtest needs a replay feed');
  const started = process.hrtime.bigint();
  await running.start();
  if (tty) process.stderr.write('\n');
  let events = 0;
  while (!replay.view().finished) {
    events += replay.step(tty ? 20_000 : 1_000_000);
    if (tty) process.stderr.write(`\rreplaying ${progressBar(replay.view().progress)}`);
    if (events === 0) break;
  }
  if (tty) process.stderr.write('\n');
  const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
  const metrics = running.desk.metrics();
  const state = running.desk.state();
  const sessionId = running.desk.sessionId;
  await running.close();
  const store = openStore(running.store.path, { readonly: true });
  let digest: string;
  let fillCount: number;
  try {
    const fills = store.fills({ sessionId, limit: 10_000_000 }).reverse();
    digest = fillsDigest(fills);
    fillCount = fills.length;
  } finally {
    store.close();
  }
  const report = {
    ...metrics,
    sessionId,
    database: running.store.path,
    recording,
    venue: state.venue,
    symbol: state.symbol,
    model: params.strategy.model,
    fillModel: params.execution.fillModel,
    events: state.replay?.eventCount ?? events,
    elapsedSec: Math.round(elapsedSec * 1000) / 1000,
    eventsPerSec: Math.round((state.replay?.eventCount ?? events) / Math.max(elapsedSec, 1e-9)),
    finalInventory: state.inventory,
    storedFills: fillCount,
    fillsDigest: digest,
  };
  if (bool(flags, 'json')) {
    process.stdout.write(`${JSON.stringify(report, nanToNull, 2)}\n`);
  } else {
    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    const rows: Array<[string, string]> = [
      ['Daily PnL', metrics.dailyPnl.toFixed(2)],
      ['Sharpe Ratio', isKnown(metrics.sharpe) ? `${metrics.sharpe.toFixed(2)}  (${metrics.sharpeBasis})` : metrics.sharpeBasis],
      ['Win Rate', `${formatOrNa(metrics, 'winRate', pct)}  (${metrics.winRateDefinition})`],
      ['Avg Spread Captured', formatOrNa(metrics, 'avgSpreadCapturedBps', (x) => `${x.toFixed(2)} bps`)],
      ['Adverse Selection Rate', `${formatOrNa(metrics, 'adverseSelectionRate', pct)}  (markout at ${metrics.adverseHorizonSec} s from execution)`],
      ['Avg Inventory', metrics.avgInventory.toFixed(2)],
      ['Max Inventory', metrics.maxInventory.toFixed(2)],
      ['Inventory Turnover', formatOrNa(metrics, 'inventoryTurnover', (x) => `${x.toFixed(2)}x`)],
    ];
    process.stdout.write(
      [
        `${state.venue} ${state.symbol} — ${recording}`,
        `${report.events} events in ${report.elapsedSec} s (${report.eventsPerSec} events/s), ${metrics.numFills} fills, total PnL ${metrics.totalPnl.toFixed(2)}, fees ${metrics.fees.toFixed(2)}`,
        '',
        ...rows.map(([name, value]) => `${name.padEnd(26)}${value}`),
        '',
        `session ${sessionId} in ${running.store.path}`,
        `fills digest ${digest}`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}

function progressBar(fraction: number): string {
  const width = 30;
  const done = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(fraction * 100).toFixed(0).padStart(3)} %`;
}

function nanToNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

async function record(flags: ParsedFlags): Promise<number> {
  const venue = venueFlag(flags, null);
  if (venue === 'sim') throw new UsageError('--venue sim: record takes a live venue');
  const duration = num(flags, 'duration');
  const wsUrl = str(flags, 'ws-url');
  const restUrl = str(flags, 'rest-url');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const tty = process.stderr.isTTY === true;
  const result = await recordLive({
    venue,
    symbol: requireStr(flags, 'symbol'),
    out: requireStr(flags, 'out'),
    ...(duration !== undefined ? { durationSec: duration } : {}),
    ...(wsUrl ? { wsUrl } : {}),
    ...(restUrl ? { restUrl } : {}),
    signal: controller.signal,
    ...(tty ? { onProgress: (progress: { frames: number }) => void process.stderr.write(`\rrecorded ${progress.frames} frames`) } : {}),
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(`wrote ${result.frames} frames in ${result.elapsedSec.toFixed(1)} s to ${result.file}\n`);
  return 0;
}

const SOURCE_TEXT: Record<InstrumentSource, string> = {
  given: 'given by --tick-size and --lot-size',
  recording: "the venue's answer stored in the recording",
  known: 'the built-in spec',
  grid: "the finest decimals of the capture's prices and sizes",
};

async function inspect(flags: ParsedFlags): Promise<number> {
  const venue = venueFlag(flags, null);
  const file = recordingFlag(flags) ?? requireStr(flags, 'recording');
  const levels = num(flags, 'levels') ?? 10;
  const symbol = str(flags, 'symbol');
  const spec = instrumentFlags(flags);
  const result = await inspectCapture(venue, file, { levels, ...(symbol ? { symbol } : {}), ...(spec ? { spec } : {}) });
  if (result.notice) process.stderr.write(`${result.notice}\n`);
  const instrument = { tickSize: result.instrument.tickSize, lotSize: result.instrument.lotSize, source: result.instrumentSource };
  if (bool(flags, 'json')) {
    process.stdout.write(
      `${JSON.stringify({ venue: result.venue, symbol: result.instrument.symbol, instrument, trusted: result.trusted, frames: result.frames, counters: result.counters, checks: result.checks, finalBook: result.finalBook }, null, 2)}\n`,
    );
    return 0;
  }
  const c = result.counters;
  const lines = [
    `${result.venue} ${result.instrument.symbol} — ${file}`,
    `tick ${instrument.tickSize}, lot ${instrument.lotSize} (${SOURCE_TEXT[instrument.source]})`,
    `messages ${c.messages}, applied ${c.applied}, dropped ${c.dropped}, gaps ${c.gaps}, resyncs ${c.resyncs}, checksum failures ${c.checksumFailures}, crossed books ${c.crossedBooks}, malformed ${c.malformed}`,
    `book ${result.trusted ? 'trusted' : 'NOT trusted'} at the end`,
    ...result.checks.map((check) => `check ${check.name}: ${check.checked} checked, ${check.failed} failed${check.detail ? ` (${check.detail})` : ''}`),
    '',
    `${'bid size'.padStart(16)} ${'bid'.padStart(14)} | ${'ask'.padEnd(14)} ${'ask size'.padEnd(16)}`,
  ];
  const depth = Math.max(result.finalBook.bids.length, result.finalBook.asks.length);
  for (let i = 0; i < depth; i++) {
    const bid = result.finalBook.bids[i];
    const ask = result.finalBook.asks[i];
    lines.push(`${(bid ? String(bid[1]) : '').padStart(16)} ${(bid ? String(bid[0]) : '').padStart(14)} | ${(ask ? String(ask[0]) : '').padEnd(14)} ${ask ? String(ask[1]) : ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function importLobsterCommand(flags: ParsedFlags): Promise<number> {
  const symbol = str(flags, 'symbol');
  const date = str(flags, 'date');
  const tty = process.stderr.isTTY === true;
  const result = await importLobster({
    messages: requireStr(flags, 'messages'),
    orderbook: requireStr(flags, 'orderbook'),
    out: requireStr(flags, 'out'),
    ...(symbol ? { symbol } : {}),
    ...(date ? { date } : {}),
    ...(tty ? { onProgress: (fraction: number) => process.stderr.write(`\rimporting ${(fraction * 100).toFixed(0)} %`) } : {}),
  });
  if (tty) process.stderr.write('\n');
  if (bool(flags, 'json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(
      `${result.symbol} ${result.date}: ${result.rows} rows (${result.levels} levels), ${result.trades} trades, ${result.checked} messages checked against the book file, ${result.mismatches} mismatches → ${result.out}\n`,
    );
    for (const mismatch of result.firstMismatches) process.stdout.write(`  row ${mismatch.row}: ${mismatch.detail}\n`);
  }
  return 0;
}

async function exportFills(flags: ParsedFlags): Promise<number> {
  const db = requireStr(flags, 'db');
  if (!existsSync(db)) throw new UsageError(`--db ${db}: no such database file`);
  const session = num(flags, 'session');
  if (session !== undefined && (!Number.isInteger(session) || session < 1)) throw new UsageError(`--session must be a positive integer, got ${session}`);
  const out = requireStr(flags, 'out');
  // Checked before the database is opened (the export checks again, naming no flags).
  checkOutput({ path: out, name: '--out' }, databaseFiles(db, '--db'));
  const store = openStore(db, { readonly: true });
  try {
    const result = exportFillsCsv(store, session !== undefined ? { sessionId: session } : {}, out);
    process.stdout.write(`wrote ${result.rows} fills to ${result.path}\n`);
  } finally {
    store.close();
  }
  return 0;
}

const USAGE = `quotedesk ${VERSION} — a desktop monitor for a market-making strategy

usage: quotedesk <command> [flags]     (quotedesk <command> --help for its flags)

commands:
${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(16)} ${spec.summary}`)
  .join('\n')}
`;

export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const flags = parseFlags(command, spec, rest);
  if (bool(flags, 'help')) {
    process.stdout.write(`${helpText(command, spec)}\n`);
    return 0;
  }
  switch (command) {
    case 'serve':
      return serve(flags);
    case 'backtest':
      return backtest(flags);
    case 'record':
      return record(flags);
    case 'inspect':
      return inspect(flags);
    case 'import-lobster':
      return importLobsterCommand(flags);
    case 'export-fills':
      return exportFills(flags);
    case 'venue':
      return venueCommand(flags);
    case 'fleet':
      return fleetCommand(flags);
    case 'archive':
      return archiveCommand(flags);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Maps an error to the contract's exit code and prints one line (a stack trace only for our own faults). */
export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`quotedesk: ${error.message}\n`);
    return 2;
  }
  const verdict = classifyError(error);
  if (verdict.badInput) {
    process.stderr.write(`quotedesk: ${verdict.message}\n`);
    return 2;
  }
  process.stderr.write(`quotedesk: ${error instanceof StoreError ? verdict.message : ((error as Error).stack ?? String(error))}\n`);
  return 1;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly || process.env['QUOTEDESK_CLI_MAIN'] === '1') {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => process.exit(reportError(error)),
  );
}
