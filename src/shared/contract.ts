/**
 * The desk API contract: the queries, commands and stream messages every host speaks.
 *
 * The Electron preload bridge, the HTTP/WebSocket server of `quotedesk serve` and the renderer's desk
 * client are all typed from this one file, and every command payload is validated by the schemas below,
 * whichever transport carried it. Outside-facing figures are plain decimals in instrument units (prices,
 * sizes, quote-currency money) so scripts can read them; the engine itself works in ticks and lots.
 * Pure: no node, electron or DOM imports.
 */
import { z } from 'zod';
import type { DeskParams } from './params.js';
import { ALERT_KINDS, type Preferences } from './preferences.js';

export const VENUES = ['sim', 'binance-spot', 'binance-usdm', 'bybit-spot', 'bybit-linear', 'kraken', 'coinbase'] as const;
export type VenueName = (typeof VENUES)[number];

export function isVenueName(value: string): value is VenueName {
  return (VENUES as readonly string[]).includes(value);
}

export const TRADING_STATES = ['active', 'paused', 'reducing', 'halted'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

export type DeskMode = 'live' | 'replay';

/** Why one side is not quoting. The first reason in a side's list is the one that decided. */
export const NOT_QUOTING_REASONS = [
  'halted',
  'paused',
  'reducing',
  'reconciling',
  'stale-feed',
  'resyncing',
  'crossed-market',
  'no-market',
  'inventory-limit',
  'loss-limit',
  'rate-limit',
  'fill-burst',
  'price-band',
  'adverse-selection',
  'outside-schedule',
  'flattening',
  'zero-size',
  'storage-fault',
  'replay-paused',
  'venue-disconnected',
  'position-mismatch',
  'would-not-reduce',
  'venue-rejected',
] as const;
export type NotQuotingReason = (typeof NOT_QUOTING_REASONS)[number];

export function isNotQuotingReason(value: string): value is NotQuotingReason {
  return (NOT_QUOTING_REASONS as readonly string[]).includes(value);
}

/**
 * Each reason in the words a trader reads on the ladder and in the state banner (one place, so the
 * monitor, the tests and any script say the same thing).
 */
export const NOT_QUOTING_TEXT: Readonly<Record<NotQuotingReason, string>> = {
  halted: 'halted',
  paused: 'paused',
  reducing: 'reduce-only: this side would grow the position',
  reconciling: 'reconciling orders with the venue',
  'stale-feed': 'stale feed: the connection is silent',
  resyncing: 'book resyncing',
  'crossed-market': 'crossed market',
  'no-market': 'no two-sided market',
  'inventory-limit': 'at the hard inventory limit',
  'loss-limit': 'loss limit reached',
  'rate-limit': 'order-rate limit',
  'fill-burst': 'fill-burst breaker',
  'price-band': 'price-band breaker',
  'adverse-selection': 'adverse-selection breaker',
  'outside-schedule': 'outside the quoting schedule',
  flattening: 'flattening',
  'zero-size': 'quote size rounds to 0 lots',
  'storage-fault': 'storage fault',
  'replay-paused': 'replay paused',
  'would-not-reduce': 'refused: the order would not reduce the position',
  'venue-rejected': 'the venue rejected the order',
  'venue-disconnected': "the venue's user data stream is down",
  'position-mismatch': 'the venue position differs from the fills (accept it first)',
};

export interface PriceLevel {
  /** [price, size] in instrument units. */
  0: number;
  1: number;
}
export type BookSide = Array<[price: number, size: number]>;

export interface QuoteView {
  readonly price: number;
  readonly size: number;
}

export interface OpenOrderView {
  readonly clientOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly size: number;
  readonly filled: number;
  readonly status: 'pending-new' | 'working' | 'pending-cancel' | 'pending-replace';
  /** Estimated volume ahead of us in the queue at our price, when the venue model knows it. */
  readonly queueAhead: number | null;
  readonly placedAtMs: number;
  readonly purpose: 'quote' | 'flatten';
}

/**
 * A fill as the outside sees it. It has two times: when it was EXECUTED (the venue's stamp live; the match
 * instant on paper and in the simulator) and when its report reached the desk (local receipt; execution +
 * the ack latency on paper). Markouts and the mid at the fill are taken at execution; inventory and PnL
 * change when the report is received.
 */
export interface FillView {
  readonly fillId: string;
  readonly sessionId: number;
  readonly clientOrderId: string;
  /** Local receipt time of the fill report, milliseconds since the epoch (event clock in replay). */
  readonly timeMs: number;
  /** Execution time, milliseconds since the epoch (fractional: microsecond precision). */
  readonly execTimeMs: number;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly size: number;
  /** Fee paid in quote currency (negative: a rebate received). */
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  /** The mid prevailing just before execution (after every book message stamped before it); NaN/null when unknown. */
  readonly midAtFill: number;
  /** The strategy's fair value when the fill report was received; NaN/null when unknown. */
  readonly fairValueAtFill: number;
  readonly inventoryAfter: number;
}

export interface FeedHealthView {
  readonly connected: boolean;
  /**
   * `stale`: the connection is silent (no frame, no answer to our ping) past the threshold — the stale-feed
   * breaker trips; `quiet`: the connection answers but the market sent nothing past the threshold —
   * nothing trips.
   */
  readonly state: 'connecting' | 'connected' | 'quiet' | 'disconnected' | 'stale' | 'resyncing' | 'closed';
  readonly trusted: boolean;
  /** Since the last market message (the market's silence). */
  readonly lastMessageAgeMs: number | null;
  /** Since the connection last showed life (any frame, or the answer to our ping); null without a connection. */
  readonly silentMs: number | null;
  /** Connected and alive, but no market message for longer than the stale threshold. */
  readonly quiet: boolean;
  readonly messagesPerSec: number;
  /** Venue stamp to local receive time, where the venue stamps its messages. */
  readonly latencyMs: number | null;
  readonly messages: number;
  readonly applied: number;
  readonly dropped: number;
  readonly gaps: number;
  readonly resyncs: number;
  readonly checksumFailures: number;
  readonly crossedBooks: number;
  readonly reconnects: number;
  readonly lastError: string | null;
}

export interface LimitUsageView {
  /** Name of the limit, e.g. `inventory`, `sessionLoss`, `dailyLoss`, `orderRate`, `fillBurst`. */
  readonly name: string;
  readonly used: number;
  readonly limit: number;
  /** used / limit, 0..1 (or more when breached). */
  readonly fraction: number;
  readonly unit: string;
}

export interface ReplayView {
  readonly file: string;
  readonly positionMs: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly eventIndex: number;
  readonly eventCount: number;
  readonly progress: number;
  readonly speed: number | 'max';
  readonly playing: boolean;
  readonly finished: boolean;
  readonly loading: number | null;
  /** While a seek is being played to its target (ms): the desk is rebuilt event by event, exactly. */
  readonly seekingToMs: number | null;
}

export interface FlattenView {
  readonly style: 'aggressive' | 'passive' | 'twap';
  readonly startInventory: number;
  readonly remaining: number;
  readonly startedAtMs: number;
  readonly status: 'running' | 'done' | 'cancelled' | 'stopped';
  readonly detail: string;
}

export interface InstrumentView {
  readonly venue: string;
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  readonly quoteCurrency: string;
}

/** A live desk's link to its venue, as the monitor shows it. */
export interface LiveVenueView {
  readonly venue: string;
  /** Where orders go: `testnet`, `mainnet`, or an override's host. */
  readonly endpoint: string;
  readonly userStream: 'connecting' | 'up' | 'down';
  readonly detail: string;
  /** Whether the venue cancels our orders by itself if the desk goes quiet. */
  readonly deadMansSwitch: 'armed' | 'none at this venue' | 'failing' | 'off';
  /** Orders whose answer was lost and that the venue has not yet been able to tell us about. */
  readonly unresolvedOrders: number;
  readonly lastError: string | null;
  readonly weightUsed: number | null;
  readonly weightLimit: number | null;
  readonly ordersUsed: number | null;
  readonly ordersLimit: number | null;
  /** Until when the venue told us to back off (429/418), ms since the epoch. */
  readonly backOffUntilMs: number | null;
  /** The venue's holding (spot base balance or USD-M position), the holding the stored fills imply, and the baseline, in size units. */
  readonly holding: number | null;
  readonly expectedHolding: number | null;
  readonly baseline: number | null;
  readonly positionMismatch: boolean;
}

export interface DeskState {
  readonly sessionId: number;
  /** A live desk's venue link; null on paper. */
  readonly venueLink: LiveVenueView | null;
  readonly venue: string;
  readonly symbol: string;
  readonly mode: DeskMode;
  /** Where the orders go: `paper` (simulated fills against the market, no money) or `live` (a real account). */
  readonly execution: 'paper' | 'live';
  /** What the market is: the built-in simulation, a live venue's feed, or a replayed recording. */
  readonly market: 'sim' | 'live' | 'replay';
  readonly instrument: InstrumentView;
  /** Desk clock, milliseconds since the epoch. */
  readonly clockMs: number;
  readonly book: { readonly bids: BookSide; readonly asks: BookSide };
  readonly quotes: { readonly bid: QuoteView | null; readonly ask: QuoteView | null };
  readonly mid: number | null;
  readonly fairValue: number | null;
  /** Avellaneda–Stoikov / GLFT reservation price, or fair value + skew for the heuristic. */
  readonly reservationPrice: number | null;
  readonly inventory: number;
  readonly cash: number;
  readonly pnl: { readonly total: number; readonly realized: number; readonly unrealized: number; readonly fees: number };
  readonly tradingState: TradingState;
  /** Why each side is not quoting: empty lists when it quotes. */
  readonly reasons: { readonly bid: NotQuotingReason[]; readonly ask: NotQuotingReason[] };
  /**
   * The newest refusal of an order on each side, in words (the risk gate's or the venue's), while that
   * side has no working quote since; null otherwise. Its reason is in `reasons` too.
   */
  readonly refusals: { readonly bid: string | null; readonly ask: string | null };
  readonly openOrders: OpenOrderView[];
  readonly feed: FeedHealthView;
  readonly params: DeskParams;
  readonly limits: LimitUsageView[];
  readonly flatten: FlattenView | null;
  /** The market's trades per second over the last ten seconds (every trade, whatever the tape shows). */
  readonly tradesPerSec: number;
  readonly replay: ReplayView | null;
  readonly recording: { readonly file: string; readonly frames: number } | null;
  readonly reconciled: boolean;
}

export type MarkoutHorizon = 1 | 5 | 30 | 60;
export const MARKOUT_HORIZONS_SEC: readonly MarkoutHorizon[] = [1, 5, 30, 60];

export interface MarkoutStats {
  /** Number of fills whose markout at this horizon is known. */
  readonly count: number;
  /** Mean markout in bps of the mid at the fill, signed so that positive is in our favour; NaN (null) when count is 0. */
  readonly meanBps: number;
  /** Share of those fills whose markout is adverse (< 0); NaN (null) when count is 0. */
  readonly adverseRate: number;
}

export interface HourlyRow {
  readonly hourUtc: number;
  /** Fills EXECUTED in this UTC hour. */
  readonly fills: number;
  /** Adverse share of this hour's fills with a known markout at the adverse horizon; NaN (null) when none. */
  readonly adverseRate: number;
  /** Change of total PnL sampled in this hour. */
  readonly pnl: number;
  /** Mean spread captured of this hour's fills with a mid; NaN (null) when none. */
  readonly avgSpreadCapturedBps: number;
}

/** Every figure of `DeskMetrics` that has a definition (`DeskMetrics.definitions`). */
export const METRIC_NAMES = [
  'totalPnl',
  'dailyPnl',
  'sharpe',
  'winRate',
  'avgSpreadCapturedBps',
  'adverseSelectionRate',
  'avgAdverseMoveBps',
  'avgInventory',
  'maxInventory',
  'inventoryTurnover',
  'numFills',
  'fillRatio',
  'maxDrawdown',
  'fees',
  'volumeTraded',
  'markouts',
  'hourly',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * The statistics. A figure that means nothing yet (a rate with no fills, a Sharpe ratio below its minimum
 * number of intervals) is NaN inside the engine and null over JSON: a client shows "n/a" with its
 * condition, never 0. Every figure's definition, exactly as computed, is in `definitions`.
 */
export interface DeskMetrics {
  readonly totalPnl: number;
  readonly dailyPnl: number;
  /** Annualised Sharpe ratio on the instrument's calendar; NaN (null) below `sharpeMinIntervals` complete intervals. */
  readonly sharpe: number;
  /** How `sharpe` was computed (interval, calendar, intervals), or why it is n/a. */
  readonly sharpeBasis: string;
  /** Complete Sharpe intervals so far, and how many the ratio needs before it is shown. */
  readonly sharpeIntervals: number;
  readonly sharpeMinIntervals: number;
  /** The instrument's trading calendar the Sharpe ratio is annualised on, e.g. "252 days × 6.5 h (equities)". */
  readonly tradingCalendar: string;
  readonly winRate: number;
  readonly winRateDefinition: string;
  readonly avgSpreadCapturedBps: number;
  readonly adverseSelectionRate: number;
  readonly adverseHorizonSec: MarkoutHorizon;
  readonly avgAdverseMoveBps: number;
  readonly avgInventory: number;
  readonly maxInventory: number;
  readonly inventoryTurnover: number;
  readonly numFills: number;
  readonly fillRatio: number;
  readonly maxDrawdown: number;
  /** Highest total PnL of the session (sampled at every mark and fill): the current drawdown is measured from it. */
  readonly peakPnl: number;
  readonly fees: number;
  readonly volumeTraded: number;
  readonly markouts: Record<'buy' | 'sell' | 'all', Record<`${MarkoutHorizon}s`, MarkoutStats>>;
  readonly hourly: HourlyRow[];
  /** What each figure is, exactly as computed (the monitor's tooltips, the backtest report, `/api/metrics`). */
  readonly definitions: Readonly<Record<MetricName, string>>;
}

/** One point of the time series the charts draw; sampled at most once per stream batch. */
export interface SeriesPoint {
  readonly timeMs: number;
  readonly bestBid: number | null;
  readonly bestAsk: number | null;
  readonly mid: number | null;
  readonly fairValue: number | null;
  readonly reservationPrice: number | null;
  readonly ourBid: number | null;
  readonly ourAsk: number | null;
  /** (reservation − mid) in bps of mid: where the quotes are centred relative to the market. */
  readonly skewBps: number | null;
  readonly bidHalfSpreadBps: number | null;
  readonly askHalfSpreadBps: number | null;
  readonly inventory: number;
  readonly pnlTotal: number;
}

/** A public trade of the market, for the time-and-sales tape. */
export interface TradeView {
  /** Local receive time (event clock in replay), ms since the epoch. */
  readonly timeMs: number;
  readonly price: number;
  readonly size: number;
  /** `buy`: a buyer lifted the offer; `sell`: a seller hit the bid; null where the venue does not say. */
  readonly aggressor: 'buy' | 'sell' | null;
}

/**
 * Traded volume at one price this session, compact: [price, volume of aggressive buys, of aggressive
 * sells, total (with trades whose aggressor is unknown)]. A snapshot carries every price the desk keeps;
 * an update carries the prices that changed, with their new totals.
 */
export type VolumeAtPrice = readonly [price: number, buy: number, sell: number, total: number];

export type DeskEventKind = 'operator' | 'state' | 'breaker' | 'params' | 'feed' | 'info';

/**
 * Something a trader should see on the timeline (chart markers, the event log). Fills are not events: they
 * have their own stream and blotter, and under a busy market they would push the operator's actions out of
 * the bounded log.
 */
export interface DeskEventView {
  readonly timeMs: number;
  readonly kind: DeskEventKind;
  readonly text: string;
}

/** Messages on the stream (WebSocket `/api/stream` and the Electron IPC channel). */
export type StreamMessage =
  | {
      /** The session changed (starting, loading a recording, running, stopped, failed). */
      readonly type: 'session';
      readonly session: SessionView;
    }
  | {
      readonly type: 'snapshot';
      readonly state: DeskState;
      readonly metrics: DeskMetrics;
      readonly fills: FillView[];
      readonly series: SeriesPoint[];
      readonly events: DeskEventView[];
      /** The newest market trades, newest first. */
      readonly trades: TradeView[];
      /** The session's traded volume at every price kept. */
      readonly volume: VolumeAtPrice[];
    }
  | {
      readonly type: 'update';
      readonly seq: number;
      readonly state: DeskState;
      /** Present when the metrics changed since the last update. */
      readonly metrics: DeskMetrics | null;
      readonly fills: FillView[];
      readonly series: SeriesPoint[];
      readonly events: DeskEventView[];
      /** Market trades since the last update, oldest first (at most the newest TAPE_UPDATE_MAX of them). */
      readonly trades: TradeView[];
      /** The prices whose traded volume changed, with their new totals. */
      readonly volume: VolumeAtPrice[];
    };

/** Trades a snapshot carries (the tape's length). */
export const TAPE_SNAPSHOT_TRADES = 200;
/**
 * Trades one update carries at most (an update a frame: every trade up to ~470 a second). Faster than
 * that a tape is read as a rate, not line by line (the desk counts every trade: `DeskState.tradesPerSec`),
 * and the stream stays as cheap as it was.
 */
export const TAPE_UPDATE_MAX = 8;

/* ------------------------------------------------------------------------------------------------ */
/* Commands: one schema each, used by the HTTP server and the Electron IPC handlers alike.           */
/* ------------------------------------------------------------------------------------------------ */

export const FLATTEN_SCHEMA = z.strictObject({
  style: z.enum(['aggressive', 'passive', 'twap']),
  maxSlippageBps: z.number().finite().min(0).max(10_000).optional(),
  durationSec: z.number().finite().min(1).max(86_400).optional(),
});
export type FlattenRequest = z.infer<typeof FLATTEN_SCHEMA>;

export const REPLAY_COMMAND_SCHEMA = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('play') }),
  z.strictObject({ action: z.literal('pause') }),
  z.strictObject({ action: z.literal('step'), count: z.number().int().min(1).max(1_000_000).optional() }),
  z.strictObject({ action: z.literal('seek'), timeMs: z.number().finite().min(0) }),
  z.strictObject({
    action: z.literal('speed'),
    speed: z.union([z.number().finite().min(0.25).max(100), z.literal('max')]),
  }),
]);
export type ReplayCommand = z.infer<typeof REPLAY_COMMAND_SCHEMA>;

export const REARM_SCHEMA = z.strictObject({
  /** Re-arming is deliberate: the caller must say so. */
  confirm: z.literal(true),
});

export const OPERATOR_SCHEMA = z.strictObject({
  /** Who acted, for the audit trail (defaults to the transport's name). */
  who: z.string().min(1).max(64).optional(),
  why: z.string().max(500).optional(),
});
export type OperatorInfo = z.infer<typeof OPERATOR_SCHEMA>;

/** Cancels one of our working orders (the ladder's click): by its client order id. */
export const CANCEL_ORDER_SCHEMA = z.strictObject({
  clientOrderId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'clientOrderId may hold letters, digits and _ . : - only'),
  who: z.string().min(1).max(64).optional(),
});
export type CancelOrderRequest = z.infer<typeof CANCEL_ORDER_SCHEMA>;

/** A desktop notification the monitor asks its host to show (an alert: kill, breaker, disconnect...). */
export const ALERT_NOTICE_SCHEMA = z.strictObject({
  kind: z.enum(ALERT_KINDS),
  title: z.string().min(1).max(120),
  body: z.string().max(500),
});
export type AlertNotice = z.infer<typeof ALERT_NOTICE_SCHEMA>;

/** The commands of the desk API, by name: the preload exposes one function per entry. */
export type DeskCommand =
  | { readonly type: 'kill' }
  | { readonly type: 'rearm' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'flatten'; readonly request: FlattenRequest }
  | { readonly type: 'cancelFlatten' }
  | { readonly type: 'cancelOrder'; readonly request: CancelOrderRequest }
  | { readonly type: 'setParams'; readonly patch: unknown }
  | { readonly type: 'replay'; readonly command: ReplayCommand };

export const SESSION_SPEC_SCHEMA = z.strictObject({
  venue: z.enum(VENUES),
  symbol: z.string().min(1).max(40).regex(/^[A-Za-z0-9/_.:-]+$/, 'symbol may hold letters, digits and / _ . : - only').optional(),
  /** Path of a recording to replay, as listed by `getRecordings`. */
  recording: z.string().min(1).max(4096).optional(),
  speed: z.union([z.number().finite().min(0.25).max(100), z.literal('max')]).optional(),
  /** Paper (the default) or live: real orders at the venue, with the keys the host was given. */
  execution: z.enum(['paper', 'live']).optional(),
  /** Live only: trade on the venue's real market, not its testnet (the default). */
  mainnet: z.boolean().optional(),
  /** Live only: the venue and symbol typed by the operator, `VENUE SYMBOL`, to confirm real orders. */
  confirm: z.string().max(100).optional(),
});
export type SessionSpec = z.infer<typeof SESSION_SPEC_SCHEMA>;

export const RECORD_SCHEMA = z.strictObject({ on: z.boolean() });

export interface SessionView {
  readonly status: 'starting' | 'running' | 'stopped' | 'failed';
  readonly spec: SessionSpec | null;
  /** Fraction of a recording loaded (0..1) while it loads, else null. */
  readonly loading: number | null;
  readonly error: string | null;
  readonly sessionId: number | null;
}

export interface RecordingView {
  readonly path: string;
  readonly name: string;
  readonly bytes: number;
  readonly modifiedMs: number;
  readonly venue: string | null;
  readonly symbol: string | null;
}

/**
 * Whether the host holds keys for live execution — never the keys themselves: what the session dialog
 * needs to offer live execution (`GET /api/live`, the desktop app's key store).
 */
export interface LiveKeysView {
  readonly configured: boolean;
  /** The API key's last four characters, to tell two accounts apart; null without keys. */
  readonly apiKeyHint: string | null;
  readonly kind: 'hmac' | 'ed25519' | null;
  /** Whether the operator can store keys from the window (the desktop app, through the OS keychain). */
  readonly storable: boolean;
  /** Where the keys come from, or how to give them, in a few words. */
  readonly source: string;
}

export type CommandResult =
  | { readonly ok: true; readonly state?: DeskState }
  | { readonly ok: false; readonly error: string; readonly field?: string };

/** The one API surface every transport exposes (Electron preload, HTTP client). */
export interface DeskApi {
  getState(): Promise<DeskState>;
  getMetrics(): Promise<DeskMetrics>;
  getFills(limit: number): Promise<FillView[]>;
  kill(): Promise<CommandResult>;
  rearm(): Promise<CommandResult>;
  pause(): Promise<CommandResult>;
  resume(): Promise<CommandResult>;
  flatten(request: FlattenRequest): Promise<CommandResult>;
  cancelFlatten(): Promise<CommandResult>;
  setParams(patch: unknown): Promise<CommandResult>;
  replay(command: ReplayCommand): Promise<CommandResult>;
  /** Only orders that reduce |inventory| (state `reducing`). */
  reduce(): Promise<CommandResult>;
  /** Live: accept the venue's holding where it differs from the stored fills (moves the baseline; audited). */
  acceptPosition(): Promise<CommandResult>;
  /** Cancels one working order (audited); the strategy may quote that side again on its next cycle. */
  cancelOrder(clientOrderId: string): Promise<CommandResult>;
  /** Past sessions, newest first, with their summary figures. */
  getSessions(limit: number): Promise<SessionSummaryView[]>;
  /** Fills of one session (a past one too), newest first. */
  getSessionFills(sessionId: number, limit: number): Promise<FillView[]>;
  /**
   * Exports a session's fills, orders or audit trail as CSV: the Electron host shows a save dialog and
   * resolves to the saved path (null if cancelled); a browser downloads the file and resolves to null.
   */
  exportCsv(kind: ExportKind, sessionId: number): Promise<string | null>;
  /** The session the host runs (or is starting, or stopped). */
  getSession(): Promise<SessionView>;
  /** Stops the running session (quotes pulled, session ended) and starts another market. */
  startSession(spec: SessionSpec): Promise<CommandResult>;
  /** Stops the running session: every order cancelled, the session ended in the store. */
  stopSession(): Promise<CommandResult>;
  /** Recordings that can be replayed (the recordings folder and the database's index). */
  getRecordings(): Promise<RecordingView[]>;
  /** Starts or stops recording the live feed of the running session. */
  setRecording(on: boolean): Promise<CommandResult>;
  /** Whether the host holds keys for live execution (never the keys). */
  getLive(): Promise<LiveKeysView>;
  /** Subscribes to the stream; returns the unsubscribe function. */
  subscribe(listener: (message: StreamMessage) => void): () => void;
  /**
   * The monitor's layout and preferences as kept by this host (Electron: a JSON file in the user-data
   * folder; a browser: localStorage), validated; the defaults when there are none or they are invalid.
   */
  loadPreferences(): Promise<Preferences>;
  /** Keeps the preferences (validated by the host before anything is written). */
  savePreferences(preferences: Preferences): Promise<CommandResult>;
  /**
   * Shows a desktop notification (Electron's `Notification`; the browser's Notification API, once the
   * user allowed it). Resolves to whether it was shown.
   */
  notify(notice: AlertNotice): Promise<boolean>;
}

/** The IPC channel names live in a zod-free module so the sandboxed preload bundle stays small. */
export { IPC_CHANNELS } from './ipc-channels.js';
import { IPC_CHANNELS as CHANNELS } from './ipc-channels.js';
// Compile-time proof that every DeskApi entry (and the stream) has a channel.
const CHANNEL_CHECK: Record<keyof DeskApi | 'stream', string> = CHANNELS;
void CHANNEL_CHECK;

export type ExportKind = 'fills' | 'orders' | 'audit';
export const EXPORT_KIND_SCHEMA = z.enum(['fills', 'orders', 'audit']);
export const SESSION_ID_SCHEMA = z.number().int().min(1);

export interface SessionSummaryView {
  readonly id: number;
  readonly venue: string;
  readonly symbol: string;
  readonly mode: string;
  readonly startedMs: number;
  readonly endedMs: number | null;
  readonly fillCount: number;
  readonly realizedPnl: number | null;
  readonly totalPnl: number | null;
  readonly recording: string | null;
}

export const FILLS_LIMIT_SCHEMA = z.number().int().min(1).max(100_000);

/** Formats a zod error as the contract's `{error, field}` pair. */
export function describeSchemaError(error: z.ZodError): { error: string; field: string } {
  const first = error.issues[0];
  return {
    error: first ? first.message : 'invalid input',
    field: first ? first.path.map(String).join('.') : '',
  };
}
