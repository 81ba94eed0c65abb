/**
 * A live venue's order gateway: the protocol client of one venue account trading one symbol (Binance
 * spot, Binance USD-M, Bybit v5 spot and linear). It owns the wire — signed requests, the server-time offset and
 * `recvWindow`, the user data stream and its keep-alive, request-weight and order-count accounting from
 * the venue's answers, the symbol's filters checked before sending, every documented reject mapped to a
 * `GatewayError` by name — and nothing else: it keeps no order book of ours and decides nothing. The
 * live execution venue (`live-venue.ts`, which the order manager talks to through `ExecutionVenue`) turns
 * its answers and events into the order lifecycle, resolves lost answers by `query`, and deduplicates
 * fills by the venue's trade id.
 *
 * Prices and quantities cross this interface as the venue's decimal texts on the symbol's grid (the live
 * venue converts with `DecimalGrid`); times are the venue's stamps in µs (`exchUs`) beside the local
 * receipt time (`localUs`). A secret never appears in anything this interface returns or throws.
 */
import type { Side } from '../../../shared/units.js';

export type BinanceVenue = 'binance-spot' | 'binance-usdm';
export type BybitVenue = 'bybit-spot' | 'bybit-linear';
export type GatewayVenue = BinanceVenue | BybitVenue;

/** Where live orders go by default: the venue's testnet, unless mainnet is asked for. */
export type GatewayNetwork = 'testnet' | 'mainnet';

/**
 * API key and secret (HMAC-SHA256) or an Ed25519 private key (PEM, from a file of mode 0600). Bybit signs
 * with HMAC-SHA256 (or RSA, which this contract does not carry): its gateways refuse an Ed25519 key.
 */
export interface Credentials {
  readonly apiKey: string;
  readonly secret: { readonly kind: 'hmac'; readonly key: string } | { readonly kind: 'ed25519'; readonly privateKeyPem: string };
}

/** Where the gateway connects: the venue's testnet by default, mainnet only when asked, or overrides. */
export interface GatewayEndpoints {
  /** REST base, e.g. `https://testnet.binance.vision` (spot) or `https://demo-fapi.binance.com` (USD-M testnet). */
  readonly restUrl: string;
  /** Market data streams base (the feed's; the gateway does not read market data). */
  readonly wsUrl: string;
  /**
   * Spot WebSocket API (`wss://ws-api.testnet.binance.vision/ws-api/v3`); USD-M user data streams base (the
   * gateway appends `/ws/<listenKey>`: `wss://fstream.binancefuture.com` testnet, `wss://fstream.binance.com/private`).
   */
  readonly wsApiUrl: string;
}

export interface GatewayOrder {
  readonly clientOrderId: string;
  readonly side: Side;
  /** Decimal texts on the symbol's grid. */
  readonly price: string;
  readonly quantity: string;
  /** GTC quotes are post-only (spot `LIMIT_MAKER`, USD-M `GTX`): a quote never takes. IOC is for flattening. */
  readonly kind: 'post-only' | 'ioc';
  /** USD-M only: the order may only reduce the position. */
  readonly reduceOnly?: boolean;
  /**
   * The price the venue's PERCENT_PRICE filter judges against (spot: the average trade price; USD-M: the
   * mark price), when the caller knows one (e.g. the mid): the gateway checks the filter before sending.
   * Without it that one filter is left to the venue (its refusal maps to 'filter').
   */
  readonly referencePrice?: string;
}

export type GatewayOrderStatus = 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'expired' | 'rejected';

/** The venue's view of one of our orders. */
export interface GatewayOrderState {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly price: string;
  readonly quantity: string;
  readonly executedQuantity: string;
  readonly status: GatewayOrderStatus;
  /** Why it ended, as the venue said it (expired post-only, self-trade prevention, ...), when it did. */
  readonly reason: string | null;
  /** The venue's stamp of this state (transaction or update time), µs since the epoch. */
  readonly exchUs: number;
}

/** One execution of one of our orders, as the venue reports it. */
export interface GatewayTrade {
  /** The venue's trade id: fills are deduplicated by it. */
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly price: string;
  readonly quantity: string;
  /** Fee as charged, in `commissionAsset` (may be the base, the quote, or another asset). */
  readonly commission: string;
  readonly commissionAsset: string;
  readonly maker: boolean;
  /** The venue's execution time, µs since the epoch. */
  readonly exchUs: number;
}

/** What the account holds that the desk's inventory must agree with. */
export type Holdings =
  | { readonly kind: 'balances'; readonly base: { readonly asset: string; readonly free: string; readonly locked: string }; readonly quote: { readonly asset: string; readonly free: string; readonly locked: string } }
  | { readonly kind: 'position'; readonly positionAmount: string; readonly entryPrice: string };

/** The venue's limits and how much of them our traffic used, from the venue's own answers. */
export interface RateLimitUsage {
  /** Request weight used in the current window and the venue's limit for it. */
  readonly weightUsed: number;
  readonly weightLimit: number;
  readonly weightWindowMs: number;
  /** Orders placed in the short window (10 s spot / 10 s USD-M) and the limit. */
  readonly ordersUsed: number;
  readonly ordersLimit: number;
  readonly ordersWindowMs: number;
  /** Set while the venue told us to back off (429) or banned us (418): until when, ms since the epoch. */
  readonly backOffUntilMs: number | null;
  readonly banned: boolean;
}

/** The symbol's trading rules from the venue (exchangeInfo), checked before any order is sent. */
export interface SymbolRules {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQuantity: string;
  readonly maxQuantity: string;
  /** Minimum price × quantity, in the quote asset ('0' when the venue sets none). */
  readonly minNotional: string;
  /** PERCENT_PRICE(_BY_SIDE): the price must lie within these multiples of the reference price. */
  readonly percentPrice: { readonly up: string; readonly down: string } | null;
  /** Whether the venue cancels our orders by itself when we go quiet (USD-M countdownCancelAll, Bybit DCP). */
  readonly deadMansSwitch: boolean;
}

export type GatewayEvent =
  /** An order changed state (new, partially filled, filled, cancelled, expired, rejected). */
  | { readonly type: 'order'; readonly state: GatewayOrderState; readonly localUs: number }
  /** One of our orders traded. */
  | { readonly type: 'trade'; readonly trade: GatewayTrade; readonly state: GatewayOrderState; readonly localUs: number }
  /** The user data stream went down or came back (reconcile after every `up`). */
  | { readonly type: 'stream'; readonly status: 'up' | 'down'; readonly detail: string; readonly localUs: number }
  /** The venue's limits or our usage of them changed. */
  | { readonly type: 'limits'; readonly usage: RateLimitUsage };

/** Every failure the gateway reports, by what the caller must do about it. */
export type GatewayErrorCode =
  /** The order breaks a symbol filter (checked before sending, or the venue's -1013 / -4xxx filter failure). */
  | 'filter'
  /** Post-only order would have taken liquidity (spot -2010 "would immediately match and take", USD-M -5022). */
  | 'would-take'
  | 'insufficient-balance'
  /** The venue does not know this order (-2011 / -2013 / -2011 "Unknown order sent"). */
  | 'unknown-order'
  /** Our clock is outside the venue's recvWindow (-1021): the gateway resynchronises and the caller may retry. */
  | 'timestamp'
  /** 429: back off until `retryAfterMs`. */
  | 'rate-limited'
  /** 418: the IP is banned until `retryAfterMs`. */
  | 'banned'
  /** Bad key, signature or permissions (-2014, -2015, -1022). */
  | 'auth'
  /** Any other documented reject, with the venue's code and message. */
  | 'rejected'
  /** The answer was lost (timeout, disconnect, 5xx, -1006/-1007): the request may or may not have taken effect. */
  | 'unknown-outcome'
  /**
   * Nothing happened: the request was not sent (venue unreachable, connection down, gateway not started) or
   * the venue says it failed without effect (-1001, -1008 throttled, HTTP 503 "Service Unavailable."). Retry later.
   */
  | 'unavailable';

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    /** The venue's own error code, when it answered with one. */
    readonly venueCode: number | null = null,
    /** For rate-limited and banned: when asking again is allowed, ms since the epoch. */
    readonly retryAtMs: number | null = null,
  ) {
    super(message);
  }
}

export interface VenueGateway {
  readonly venue: GatewayVenue;
  readonly symbol: string;
  /**
   * Synchronises the clock offset with the venue, reads the symbol's rules, opens and subscribes the user
   * data stream (and its keep-alive), then resolves with the rules. Events go to `listener` from then on.
   */
  start(listener: (event: GatewayEvent) => void): Promise<SymbolRules>;
  /** Closes the user data stream and every socket; pending requests fail with 'unknown-outcome'. */
  stop(): Promise<void>;
  /** Places an order; resolves with the venue's acknowledgement. Filters are checked first (GatewayError 'filter'). */
  place(order: GatewayOrder): Promise<GatewayOrderState>;
  cancel(clientOrderId: string): Promise<GatewayOrderState>;
  /**
   * Cancels every open order of ours on the symbol. Resolves with the orders the venue reports cancelled
   * (spot lists them), or null when the venue confirms the cancel-all without listing them (USD-M answers
   * only `{"code":200}`): each cancel then arrives as an 'order' event, and `openOrders()` confirms.
   */
  cancelAll(): Promise<GatewayOrderState[] | null>;
  /** The venue's state of one order, or null when the venue does not know it. */
  query(clientOrderId: string): Promise<GatewayOrderState | null>;
  openOrders(): Promise<GatewayOrderState[]>;
  /** Our trades on the symbol executed at or after `sinceExchUs`, oldest first. */
  trades(sinceExchUs: number): Promise<GatewayTrade[]>;
  holdings(): Promise<Holdings>;
  /**
   * The venue's dead-man's switch where it has one (USD-M `countdownCancelAll`; Bybit's DCP, which cancels
   * once our private connection has been gone for the window): arm it for `timeoutMs` (the desk re-arms it
   * well before it runs out) or disarm it with 0. Rejects where the venue has none.
   */
  armDeadMansSwitch(timeoutMs: number): Promise<void>;
  usage(): RateLimitUsage;
}
