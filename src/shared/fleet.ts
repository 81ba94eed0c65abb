/**
 * The fleet's wire contract: every message a desk, the supervisor (`quotedesk fleet`) and the archiver
 * (`quotedesk archive`) exchange over NATS, and the supervisor's HTTP/WebSocket payloads. Every message
 * received from NATS is parsed with these schemas before anything reads it (a desk's name, figures and
 * rows come from another process, maybe another machine); a message that does not parse is refused with
 * the field that is wrong. Subjects and stream names live here too, so the three programs cannot disagree.
 * Pure: no I/O.
 */
import { z } from 'zod';
import { TRADING_STATES } from './contract.js';

/** A desk's name is one NATS subject token: no dots, no wildcards, no spaces. */
export const DESK_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const DESK_NAME_SCHEMA = z.string().regex(DESK_NAME_PATTERN, 'a desk name is 1 to 64 letters, digits, "-" or "_"');

/** The tables a desk publishes from its SQLite database, each on a subject of its own. */
export const RECORD_TABLES = ['fills', 'orders', 'events', 'audit'] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];

/** The JetStream stream holding every desk's records (durable, replicated; see `fleet/streams.ts`). */
export const RECORDS_STREAM = 'QD_RECORDS';
/** The archiver's durable pull consumer on `RECORDS_STREAM`. */
export const ARCHIVE_CONSUMER = 'qd-archive';

export const subjects = {
  records: (desk: string, table: RecordTable): string => `qd.desk.${desk}.${table}`,
  state: (desk: string): string => `qd.desk.${desk}.state`,
  heartbeat: (desk: string): string => `qd.desk.${desk}.hb`,
  command: (desk: string): string => `qd.desk.${desk}.cmd`,
  /** What the records stream captures: every desk's four record subjects. */
  allRecords: RECORD_TABLES.map((table) => `qd.desk.*.${table}`),
  allStates: 'qd.desk.*.state',
  allHeartbeats: 'qd.desk.*.hb',
} as const;

/** The desk name and the record table of a records subject, or null for any other subject. */
export function parseRecordSubject(subject: string): { desk: string; table: RecordTable } | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'qd' || parts[1] !== 'desk') return null;
  const desk = parts[2] ?? '';
  const table = parts[3] as RecordTable;
  if (!DESK_NAME_PATTERN.test(desk) || !(RECORD_TABLES as readonly string[]).includes(table)) return null;
  return { desk, table };
}

const int = z.number().int();
const seq = int.positive();
const finiteOrNull = z.number().finite().nullable();
const decimalText = z.string().regex(/^-?\d+(\.\d+)?(e-?\d+)?$/i, 'a decimal number as text');

/** One fill row as the desk's database holds it, with its session's instrument (for the archive). */
export const FILL_ROW_SCHEMA = z.strictObject({
  seq,
  sessionId: seq,
  venue: z.string().min(1),
  symbol: z.string().min(1),
  execution: z.enum(['paper', 'live']),
  fillId: z.string().min(1),
  clientOrderId: z.string(),
  side: z.enum(['buy', 'sell']),
  priceTicks: int,
  price: decimalText,
  sizeLots: int.positive(),
  size: decimalText,
  tickSize: decimalText,
  lotSize: decimalText,
  fee: z.number().finite(),
  liquidity: z.enum(['maker', 'taker']),
  midAtFill: finiteOrNull,
  fairValueAtFill: finiteOrNull,
  inventoryAfterLots: int,
  localUs: int,
  exchUs: int.nullable(),
});
export type FillRow = z.infer<typeof FILL_ROW_SCHEMA>;

/** An order as journaled when its intent was recorded (before it left): the parts that never change. */
export const ORDER_ROW_SCHEMA = z.strictObject({
  seq,
  sessionId: seq,
  clientOrderId: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  priceTicks: int,
  price: decimalText,
  sizeLots: int.positive(),
  size: decimalText,
  timeInForce: z.enum(['gtc', 'ioc']),
  postOnly: z.boolean(),
  purpose: z.enum(['quote', 'flatten']),
  createdUs: int,
});
export type OrderRow = z.infer<typeof ORDER_ROW_SCHEMA>;

export const EVENT_ROW_SCHEMA = z.strictObject({
  seq,
  sessionId: seq,
  clientOrderId: z.string(),
  type: z.string().min(1),
  localUs: int,
  /** The event's detail as the desk stored it (JSON text). */
  detail: z.string(),
});
export type EventRow = z.infer<typeof EVENT_ROW_SCHEMA>;

export const AUDIT_ROW_SCHEMA = z.strictObject({
  seq,
  sessionId: seq.nullable(),
  localUs: int,
  who: z.string(),
  action: z.string(),
  detail: z.string(),
});
export type AuditRow = z.infer<typeof AUDIT_ROW_SCHEMA>;

export interface RecordRows {
  readonly fills: FillRow;
  readonly orders: OrderRow;
  readonly events: EventRow;
  readonly audit: AuditRow;
}

const ROW_SCHEMAS = { fills: FILL_ROW_SCHEMA, orders: ORDER_ROW_SCHEMA, events: EVENT_ROW_SCHEMA, audit: AUDIT_ROW_SCHEMA } as const;

/**
 * One message of the records stream: consecutive rows of one table of one desk, `first`..`last` by the
 * desk database's sequence. A desk publishes one batch at a time per table, so the stream holds each
 * row once, in order, with no hole (see `fleet/outbox.ts`).
 */
export function recordBatchSchema<T extends RecordTable>(table: T): z.ZodType<RecordBatch<T>> {
  return z
    .strictObject({
      v: z.literal(1),
      desk: DESK_NAME_SCHEMA,
      table: z.literal(table),
      first: seq,
      last: seq,
      rows: z.array(ROW_SCHEMAS[table] as unknown as z.ZodType<RecordRows[T]>).min(1),
    })
    .refine((batch) => batch.rows.every((row, i, all) => i === 0 || row.seq > (all[i - 1]?.seq ?? Number.POSITIVE_INFINITY)), {
      message: 'rows must be in increasing seq order',
      path: ['rows'],
    })
    .refine((batch) => batch.rows[0]?.seq === batch.first && batch.rows[batch.rows.length - 1]?.seq === batch.last, {
      message: 'first and last must be the seq of the first and last row',
      path: ['first'],
    });
}
export interface RecordBatch<T extends RecordTable = RecordTable> {
  readonly v: 1;
  readonly desk: string;
  readonly table: T;
  readonly first: number;
  readonly last: number;
  readonly rows: ReadonlyArray<RecordRows[T]>;
}

const TRADING_STATE_SCHEMA = z.enum(TRADING_STATES);

/** What a desk tells the fleet about itself at a bounded rate: the overview's row, complete. */
export const DESK_SUMMARY_SCHEMA = z.strictObject({
  v: z.literal(1),
  name: DESK_NAME_SCHEMA,
  /** The desk process's start (ms since epoch): a new value means the desk restarted. */
  instance: z.string().min(1),
  /** Wall clock of the desk's host when it sent this (ms since epoch). */
  sentMs: z.number().finite(),
  sessionId: seq.nullable(),
  session: z.enum(['starting', 'running', 'stopped', 'failed']),
  venue: z.string().nullable(),
  symbol: z.string().nullable(),
  execution: z.enum(['paper', 'live']).nullable(),
  mode: z.enum(['live', 'replay']).nullable(),
  tradingState: TRADING_STATE_SCHEMA.nullable(),
  inventory: finiteOrNull,
  pnl: z.strictObject({ total: z.number(), realized: z.number(), unrealized: z.number(), fees: z.number() }).nullable(),
  mid: finiteOrNull,
  feed: z.strictObject({ connected: z.boolean(), state: z.string(), trusted: z.boolean(), lastMessageAgeMs: finiteOrNull }).nullable(),
  /** Whether each side has a quote resting, and the first reason when it does not. */
  quoting: z.strictObject({ bid: z.boolean(), ask: z.boolean(), bidReason: z.string().nullable(), askReason: z.string().nullable() }).nullable(),
  adverseRate: finiteOrNull,
  numFills: int.nonnegative().nullable(),
  /** Desk clock since the newest fill, or null before the first. */
  lastFillAgoMs: finiteOrNull,
  /** The limits closest to breach, as fractions of the limit. */
  limits: z.array(z.strictObject({ name: z.string(), fraction: z.number().finite() })).max(16),
  /** Short texts saying what needs a look (feed down, limit near, not reconciled, NATS outage...). */
  alerts: z.array(z.string().max(200)).max(16),
});
export type DeskSummary = z.infer<typeof DESK_SUMMARY_SCHEMA>;

export const HEARTBEAT_SCHEMA = z.strictObject({
  v: z.literal(1),
  name: DESK_NAME_SCHEMA,
  instance: z.string().min(1),
  sentMs: z.number().finite(),
  /** Records the desk's database holds that the stream does not yet (per table): its publishing backlog. */
  backlog: z.strictObject({ fills: int.nonnegative(), orders: int.nonnegative(), events: int.nonnegative(), audit: int.nonnegative() }),
});
export type Heartbeat = z.infer<typeof HEARTBEAT_SCHEMA>;

/** The commands a desk takes over NATS: the names of `engine/commands.ts`, validated there. */
export const FLEET_COMMAND_NAMES = ['kill', 'rearm', 'pause', 'resume', 'reduce', 'flatten', 'cancelFlatten', 'setParams', 'acceptPosition'] as const;
export type FleetCommandName = (typeof FLEET_COMMAND_NAMES)[number];

export const COMMAND_REQUEST_SCHEMA = z.strictObject({
  command: z.enum(FLEET_COMMAND_NAMES),
  /** The command's body, exactly as `POST /api/control/...` takes it; validated by the desk's engine. */
  payload: z.unknown().optional(),
});
export type CommandRequest = z.infer<typeof COMMAND_REQUEST_SCHEMA>;

/** A desk's answer to a command: the shape of the HTTP API's answers. */
export const COMMAND_REPLY_SCHEMA = z.strictObject({
  ok: z.boolean(),
  error: z.string().optional(),
  field: z.string().optional(),
  tradingState: TRADING_STATE_SCHEMA.optional(),
});
export type CommandReply = z.infer<typeof COMMAND_REPLY_SCHEMA>;

/** One desk in the supervisor's overview (`GET /api/fleet`). */
export interface FleetDeskView {
  readonly name: string;
  readonly venue: string | null;
  readonly symbol: string | null;
  readonly execution: 'paper' | 'live' | null;
  readonly tradingState: DeskSummary['tradingState'];
  readonly inventory: number | null;
  /** Total PnL (realized + unrealized − fees). */
  readonly pnl: number | null;
  readonly status: 'live' | 'lost';
  /** Since the newest heartbeat, on the supervisor's clock; null if none was ever heard (state only). */
  readonly heartbeatAgeMs: number | null;
  /** Desk send time to supervisor receipt of the newest summary (clocks of two hosts: same host only). */
  readonly summaryAgeMs: number | null;
  readonly lostReason: string | null;
  readonly backlog: Heartbeat['backlog'] | null;
  /** The desk's whole newest summary (feed, quoting, adverse rate, limits, alerts), or null before one. */
  readonly summary: DeskSummary | null;
}

export interface FleetView {
  readonly desks: readonly FleetDeskView[];
  /** Supervisor wall clock of this view. */
  readonly timeMs: number;
  readonly lostAfterMs: number;
  /** Messages from NATS refused by the schemas since the supervisor started, and the newest reason. */
  readonly refused: { readonly count: number; readonly last: string | null };
}

/** `POST /api/fleet/kill`: each desk's answer, or why it could not be asked. */
export interface KillAllResult {
  readonly ok: boolean;
  readonly desks: ReadonlyArray<{ readonly name: string; readonly ok: boolean; readonly tradingState: DeskSummary['tradingState'] | null; readonly error: string | null; readonly lost: boolean }>;
}

/** One row of the PnL by desk and day (`GET /api/fleet/pnl`, `quotedesk archive --pnl`). */
export interface DailyPnlRow {
  readonly desk: string;
  /** UTC day of the fills' receipt, YYYY-MM-DD. */
  readonly day: string;
  readonly fills: number;
  readonly volume: number;
  readonly fees: number;
  /** Change of marked equity over the day (see `fleet/archive-schema.ts`), null when no mark was known. */
  readonly pnl: number | null;
}

/** The first issue of a schema error as one line: `field: message`. */
export function describeIssue(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'invalid message';
  const field = first.path.map(String).join('.');
  return field === '' ? first.message : `${field}: ${first.message}`;
}
