/**
 * Which desks `quotedesk serve` runs: one from `--venue/--symbol/--recording` (the single-desk default),
 * several from repeated `--desk VENUE[:SYMBOL[:PARAMS.json]]`, or a desks file (`--desks FILE`, validated
 * by `DESKS_FILE_SCHEMA`, with its firm-wide limits). Each desk gets a unique name (given, or made from
 * its venue and symbol), its parameters (the `--params` base with the desk's own patch over it, validated
 * as a whole) and its own database (given, or beside `--db` named after the desk). Every mistake is a
 * `UsageError` naming the flag, file or field.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isVenueName, type VenueName } from '../../shared/contract.js';
import { DESKS_FILE_SCHEMA, type DesksFile, type FirmLimits } from '../../shared/desks.js';
import { DESK_NAME_SCHEMA } from '../../shared/fleet.js';
import { applyParamsPatch, type DeskParams } from '../../shared/params.js';
import type { FleetDeskSpec } from '../engine/desk-fleet.js';
import type { EngineBaseOptions } from '../engine/protocol.js';
import type { ReplaySpeed } from '../market/replay/index.js';
import { UsageError } from './args.js';

/** Names the fleet's own routes use under /api/desks/. */
const RESERVED_NAMES = new Set(['stream', 'kill']);

export interface ServeDesk {
  readonly name: string;
  readonly venue: VenueName;
  readonly symbol?: string;
  readonly recording?: string;
  readonly speed?: ReplaySpeed;
  readonly params: DeskParams;
  readonly dbPath: string;
}

export interface ServeDesks {
  readonly desks: readonly ServeDesk[];
  readonly firmLimits: FirmLimits | null;
}

/** `VENUE[:SYMBOL[:PARAMS.json]]` of one `--desk`. */
export function parseDeskFlag(text: string): { readonly venue: VenueName; readonly symbol?: string; readonly paramsFile?: string } {
  const [venue, symbol, ...rest] = text.split(':');
  if (venue === undefined || !isVenueName(venue)) throw new UsageError(`--desk ${text}: the venue "${venue ?? ''}" is not one of the venues (VENUE[:SYMBOL[:PARAMS.json]])`);
  const paramsFile = rest.length > 0 ? rest.join(':') : undefined;
  if (venue !== 'sim' && !symbol) throw new UsageError(`--desk ${text}: a symbol is needed for the live venue ${venue}`);
  return { venue, ...(symbol ? { symbol } : {}), ...(paramsFile ? { paramsFile } : {}) };
}

/** A name for a desk without one: its venue and symbol, made unique among `taken`. */
export function deskName(venue: string, symbol: string | undefined, taken: ReadonlySet<string>): string {
  const stem = `${venue}-${symbol ?? 'default'}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 36) || 'desk';
  let name = stem;
  for (let n = 2; taken.has(name) || RESERVED_NAMES.has(name); n++) name = `${stem}-${n}`;
  return name;
}

/** A desk's database beside the main one: `quotedesk.db` → `quotedesk.NAME.db`. */
export function deskDbPath(mainDb: string, name: string): string {
  const ext = extname(mainDb);
  return join(dirname(mainDb), `${basename(mainDb, ext)}.${name}${ext || '.db'}`);
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} ${path}: not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')})`);
  }
}

function patched(base: DeskParams, patch: unknown, what: string): DeskParams {
  const result = applyParamsPatch(base, patch);
  if (!result.ok) throw new UsageError(`${what}: ${result.issue.field || '(root)'}: ${result.issue.message}`);
  return result.params;
}

/** The desks of a desks file, named, parameterised and placed (see the header). */
export function desksFromFile(path: string, base: DeskParams, mainDb: string): ServeDesks {
  const parsed = DESKS_FILE_SCHEMA.safeParse(readJson(path, '--desks'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--desks ${path}: ${issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  const file: DesksFile = parsed.data;
  const dir = dirname(resolve(path));
  const taken = new Set<string>();
  const desks = file.desks.map((desk, i): ServeDesk => {
    const name = desk.name ?? deskName(desk.venue, desk.symbol, taken);
    if (taken.has(name) || RESERVED_NAMES.has(name)) throw new UsageError(`--desks ${path}: desks.${i}.name: "${name}" is ${RESERVED_NAMES.has(name) ? 'reserved' : 'given to two desks'}`);
    taken.add(name);
    if (desk.venue !== 'sim' && !desk.symbol && !desk.recording) throw new UsageError(`--desks ${path}: desks.${i}.symbol: a symbol is needed for the live venue ${desk.venue}`);
    const patch = typeof desk.params === 'string' ? readJson(resolve(dir, desk.params), `--desks ${path}: desks.${i}.params`) : (desk.params ?? {});
    return {
      name,
      venue: desk.venue,
      ...(desk.symbol ? { symbol: desk.symbol } : {}),
      ...(desk.recording ? { recording: resolve(dir, desk.recording) } : {}),
      ...(desk.speed !== undefined ? { speed: desk.speed } : {}),
      params: patched(base, patch, `--desks ${path}: desks.${i}.params`),
      dbPath: desk.db ? resolve(dir, desk.db) : deskDbPath(mainDb, name),
    };
  });
  return { desks, firmLimits: file.firmLimits ?? null };
}

/** The desks of repeated `--desk` flags. */
export function desksFromFlags(flags: readonly string[], base: DeskParams, mainDb: string): ServeDesks {
  const taken = new Set<string>();
  const desks = flags.map((text): ServeDesk => {
    const desk = parseDeskFlag(text);
    const name = deskName(desk.venue, desk.symbol, taken);
    taken.add(name);
    const params = desk.paramsFile ? patched(base, readJson(desk.paramsFile, `--desk ${text}: params`), `--desk ${text}: params ${desk.paramsFile}`) : base;
    return { name, venue: desk.venue, ...(desk.symbol ? { symbol: desk.symbol } : {}), params, dbPath: deskDbPath(mainDb, name) };
  });
  return { desks, firmLimits: null };
}

export function checkDeskName(name: string): void {
  const parsed = DESK_NAME_SCHEMA.safeParse(name);
  if (!parsed.success) throw new UsageError(`desk name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
}

/**
 * The engine and first session of each desk, as `serve` and the desktop app start them: the engine options
 * shared by every desk (`base`: endpoints, simulator, keys), each desk's own database and parameters. With
 * `liveSession`, every desk trades live from the start (the command line is the operator's confirmation).
 */
export function fleetSpecs(chosen: ServeDesks, base: EngineBaseOptions, recordingsDir: string, liveSession: { readonly mainnet: boolean } | null): FleetDeskSpec[] {
  return chosen.desks.map((desk) => ({
    name: desk.name,
    engine: { dbPath: desk.dbPath, params: desk.params, recordingsDir, base, trustedRecordings: desk.recording ? [desk.recording] : [] },
    session: {
      venue: desk.venue,
      ...(desk.symbol ? { symbol: desk.symbol } : {}),
      ...(desk.recording ? { recording: desk.recording } : {}),
      ...(desk.speed !== undefined ? { speed: desk.speed } : {}),
      ...(liveSession ? { execution: 'live' as const, confirm: `${desk.venue} ${desk.symbol ?? ''}`, ...(liveSession.mainnet ? { mainnet: true } : {}) } : {}),
    },
  }));
}
