/**
 * Several desks in one process: the one-line summary of a desk that the local overview shows (and the
 * firm-wide risk reads), the desks file `quotedesk serve --desks FILE` takes, and the firm-wide limits.
 * Every input here is validated by these schemas wherever it comes from (a file, HTTP, IPC). Desks across
 * machines speak `fleet.ts`. Pure: no node, electron or DOM imports.
 */
import { z } from 'zod';
import { TRADING_STATES, VENUES, type DeskMode, type TradingState } from './contract.js';
import { DESK_NAME_SCHEMA } from './fleet.js';

export type DeskStatus = 'starting' | 'running' | 'stopped' | 'failed';

/** One row of the overview: what a trader supervising many desks reads first. */
export interface DeskSummaryView {
  readonly name: string;
  readonly venue: string;
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteCurrency: string;
  readonly execution: 'paper' | 'live';
  readonly mode: DeskMode | null;
  readonly status: DeskStatus;
  /** Why the desk failed or stopped, when it did. */
  readonly error: string | null;
  readonly tradingState: TradingState | null;
  /** Whether each side has a working quote, and the first reason when it does not. */
  readonly bid: { readonly quoting: boolean; readonly reason: string | null };
  readonly ask: { readonly quoting: boolean; readonly reason: string | null };
  readonly inventory: number;
  /** The hard inventory limit, in size units. */
  readonly inventoryLimit: number;
  readonly mid: number | null;
  /** |inventory| × mid, in the quote currency. */
  readonly grossNotional: number;
  readonly pnl: number;
  /** Share of fills with an adverse markout at the desk's horizon; null until it means something. */
  readonly adverseRate: number | null;
  readonly feed: { readonly state: string; readonly connected: boolean; readonly lastMessageAgeMs: number | null };
  /** Desk-clock milliseconds since the newest fill, null before the first. */
  readonly lastFillAgeMs: number | null;
  /** Breakers and conditions holding now (stale feed, loss limit, venue down, ...). */
  readonly alerts: readonly string[];
  /** The desk clock of this summary, ms since the epoch. */
  readonly clockMs: number | null;
}

/** Firm-wide limits across desks: each halts every desk it covers when breached. */
export const FIRM_LIMITS_SCHEMA = z.strictObject({
  /** Total loss of the desks quoting in a currency, by that currency: `{"USDT": 5000}`. */
  maxLoss: z.record(z.string().min(1).max(16), z.number().finite().positive()).optional(),
  /** Gross notional (Σ |inventory| × mid) of the desks quoting in a currency, by currency. */
  maxGrossNotional: z.record(z.string().min(1).max(16), z.number().finite().positive()).optional(),
  /** Net exposure (Σ inventory) in an asset across the desks trading it, by asset: `{"BTC": 2}`. */
  maxNetExposure: z.record(z.string().min(1).max(16), z.number().finite().positive()).optional(),
});
export type FirmLimits = z.infer<typeof FIRM_LIMITS_SCHEMA>;

/** One firm-wide limit and its use now, as the overview shows it (`GET /api/firm`, the overview stream). */
export interface FirmLimitUse {
  readonly kind: 'maxLoss' | 'maxGrossNotional' | 'maxNetExposure';
  /** The currency (loss, gross notional) or the asset (net exposure) the limit is in. */
  readonly unit: string;
  readonly limit: number;
  /** The loss (positive when losing), the gross notional, or the net exposure (signed) of the desks covered. */
  readonly used: number;
  /** |used| as a share of the limit (1 = at the limit; a profit counts as no loss). */
  readonly fraction: number;
  readonly breached: boolean;
  /** The desks this limit covers (running desks of that currency or asset). */
  readonly desks: readonly string[];
  /** The limit and its use in words (the breach's audit text). */
  readonly text: string;
}

/** The firm-wide limits with their use, and the breach that halted desks while it holds. */
export interface FirmView {
  readonly limits: readonly FirmLimitUse[];
  readonly breach: string | null;
}

/** The overview stream's message (`/api/desks/stream`, the desktop app's overview): every desk and the firm limits. */
export interface OverviewMessage {
  readonly type: 'overview';
  readonly desks: DeskSummaryView[];
  readonly firm: FirmView;
}

/** One desk of a desks file. */
export const DESK_CONFIG_SCHEMA = z.strictObject({
  name: DESK_NAME_SCHEMA.optional(),
  venue: z.enum(VENUES),
  symbol: z.string().min(1).max(40).optional(),
  /** A parameters patch, inline or as a JSON file (relative to the desks file). */
  params: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  recording: z.string().min(1).optional(),
  speed: z.union([z.number().finite().min(0.25).max(100), z.literal('max')]).optional(),
  /** The desk's database (default: beside `--db`, named after the desk). */
  db: z.string().min(1).optional(),
});
export type DeskConfig = z.infer<typeof DESK_CONFIG_SCHEMA>;

export const DESKS_FILE_SCHEMA = z.strictObject({
  desks: z.array(DESK_CONFIG_SCHEMA).min(1).max(200),
  firmLimits: FIRM_LIMITS_SCHEMA.optional(),
});
export type DesksFile = z.infer<typeof DESKS_FILE_SCHEMA>;

/** What a kill-all reports for each desk of the process. */
export interface DeskKillResult {
  readonly name: string;
  readonly ok: boolean;
  readonly tradingState: TradingState | null;
  readonly error: string | null;
}

export function isTradingState(value: string): value is TradingState {
  return (TRADING_STATES as readonly string[]).includes(value);
}
