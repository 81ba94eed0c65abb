/**
 * The live execution venue: the order manager's `ExecutionVenue` on a real venue account, built on that
 * venue's `VenueGateway`. It owns the order lifecycle as the venue tells it, and never guesses:
 *
 * - **Placing.** A request leaves as a post-only GTC quote or an IOC flatten order (anything else is
 *   refused here). The venue's acknowledgement acks it; a reject by name (filter, would take, balance,
 *   rate limit, ...) rejects it with words a trader reads.
 * - **Lost answers.** A request whose answer is lost (timeout, disconnect: `unknown-outcome`) is resolved by
 *   asking the venue for that client order id, again until it answers: known → its state is applied (and
 *   its trades fetched); unknown → the request never reached it and is rejected as such. Until then the
 *   order stays pending: it counts as exposure, nothing is assumed.
 * - **Fills** come from the user data stream and from REST (reconciliation, resolution), and are booked
 *   once each: keyed by the venue's trade id. A fill carries the venue's execution time and our receipt.
 * - **Cancels racing fills** end in the venue's truth: a cancel the venue no longer knows the order for is
 *   resolved by query; whatever filled before is booked from its trades; the order closes once.
 * - **The venue's view** of our open orders (`openOrders()`) is what the venue last said — from the stream
 *   and from `refreshOpenOrders()` — so the desk's kill confirmation and reconciliation read the venue's
 *   answer, not our intentions. `prepare()` fetches open orders, trades and holdings before the desk
 *   reconciles; the stream going down pulls every order and the desk reconciles again once it is back.
 * - **The dead-man's switch**, where the venue has one, is armed at start and re-armed well before it runs
 *   out, so orders of a crashed or cut-off desk die at the venue by themselves.
 * Prices and sizes convert exactly on the symbol's grid (`DecimalGrid`); an off-grid answer is an error.
 */
import type { LocalUs, Lots, Ticks } from '../../../shared/units.js';
import { DecimalGrid } from '../../../shared/units.js';
import type { ExecutionVenue, Fill, OrderRequest, VenueListener, VenueOpenOrder } from '../types.js';
import { GatewayError, type GatewayEvent, type GatewayOrder, type GatewayOrderState, type GatewayTrade, type Holdings, type RateLimitUsage, type SymbolRules, type VenueGateway } from './gateway.js';

export interface LiveVenueOptions {
  readonly gateway: VenueGateway;
  readonly tickSize: string;
  readonly lotSize: string;
  /** The desk's clock (wall time live), µs. */
  readonly nowUs: () => LocalUs;
  readonly log: (line: string) => void;
  /** How long after an unresolved answer the venue is asked again (ms). Default 500. */
  readonly resolveRetryMs?: number;
  /** The dead-man's switch countdown where the venue has one (ms). Default 60,000; re-armed every third of it. */
  readonly deadMansSwitchMs?: number;
}

/** What the monitor shows of the venue connection. */
export interface LiveVenueStatus {
  readonly venue: string;
  readonly userStream: 'connecting' | 'up' | 'down';
  readonly detail: string;
  readonly usage: RateLimitUsage | null;
  readonly deadMansSwitch: 'armed' | 'none at this venue' | 'failing' | 'off';
  readonly unresolvedOrders: number;
  readonly lastError: string | null;
}

/** Something the desk must act on: reconcile again after the stream came back, or show a venue problem. */
export interface LiveVenueHooks {
  /** The user stream came back after being down: the desk reconciles (prepare, then compare) before quoting. */
  resync(reason: string): void;
  /** The user stream went down: the desk stops quoting until it is back and reconciled. */
  streamDown(reason: string): void;
  /** A problem a trader must see (a reject by name, a back-off, a switch that failed to arm). */
  problem(text: string): void;
}

type TrackedState = 'sending' | 'open' | 'unresolved' | 'done';

interface Tracked {
  readonly request: OrderRequest;
  /** When the request left (desk clock): its trades are fetched from then on. */
  readonly sentUs: LocalUs;
  state: TrackedState;
  /** Cumulative executed lots as the venue last reported them. */
  executedLots: Lots;
  cancelRequested: boolean;
}

const TRADE_ID_MEMORY = 65_536;

export class LiveVenue implements ExecutionVenue {
  readonly name: string;
  private listener: VenueListener | null = null;
  private hooks: LiveVenueHooks | null = null;
  private readonly tick: DecimalGrid;
  private readonly lot: DecimalGrid;
  private readonly orders = new Map<string, Tracked>();
  /** The venue's answer on our open orders: from the stream, refreshed by REST. */
  private venueOpen = new Map<string, VenueOpenOrder>();
  private readonly seenTrades = new Set<string>();
  private readonly tradeRing: string[] = [];
  private fetched: Fill[] = [];
  private holdingsValue: Holdings | null = null;
  private rules: SymbolRules | null = null;
  private usageValue: RateLimitUsage | null = null;
  private stream: LiveVenueStatus['userStream'] = 'connecting';
  private streamDetail = '';
  private dms: LiveVenueStatus['deadMansSwitch'] = 'off';
  private dmsTimer: ReturnType<typeof setInterval> | null = null;
  private lastError: string | null = null;
  /** Requests for our open orders made, and the newest of them the venue answered (by their order). */
  private openOrdersAsked = 0;
  private openOrdersAnswered = 0;
  private stopped = false;
  private readonly retryMs: number;
  private readonly dmsMs: number;

  constructor(private readonly options: LiveVenueOptions) {
    this.name = options.gateway.venue;
    this.tick = new DecimalGrid(options.tickSize);
    this.lot = new DecimalGrid(options.lotSize);
    this.retryMs = options.resolveRetryMs ?? 500;
    this.dmsMs = options.deadMansSwitchMs ?? 60_000;
  }

  setListener(listener: VenueListener): void {
    this.listener = listener;
  }

  setHooks(hooks: LiveVenueHooks): void {
    this.hooks = hooks;
  }

  /** Connects the gateway (clock, rules, user stream) and arms the dead-man's switch where there is one. */
  async start(): Promise<SymbolRules> {
    const rules = await this.options.gateway.start((event) => this.onEvent(event));
    this.rules = rules;
    this.stream = 'up';
    if (rules.deadMansSwitch) {
      await this.armSwitch();
      this.dmsTimer = setInterval(() => void this.armSwitch(), Math.max(1_000, Math.floor(this.dmsMs / 3)));
    } else {
      this.dms = 'none at this venue';
    }
    return rules;
  }

  /** Disarms the dead-man's switch (the desk cancelled its orders first) and closes the gateway. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.dmsTimer) clearInterval(this.dmsTimer);
    this.dmsTimer = null;
    if (this.dms === 'armed') {
      await this.options.gateway.armDeadMansSwitch(0).catch((error: unknown) => this.noteError(`disarming the dead-man's switch: ${describe(error)}`));
      this.dms = 'off';
    }
    await this.options.gateway.stop();
  }

  /* ------------------------------------------------------------------ ExecutionVenue */

  submit(request: OrderRequest, localUs: LocalUs): void {
    const tracked: Tracked = { request, sentUs: localUs, state: 'sending', executedLots: 0, cancelRequested: false };
    this.orders.set(request.clientOrderId, tracked);
    let order: GatewayOrder;
    if (request.postOnly && request.timeInForce === 'gtc') {
      order = this.gatewayOrder(request, 'post-only');
    } else if (request.timeInForce === 'ioc' && !request.postOnly) {
      order = this.gatewayOrder(request, 'ioc');
    } else {
      // Asynchronous like every answer, so the order manager has finished sending before it hears.
      queueMicrotask(() => this.reject(tracked, 'a live venue takes post-only GTC quotes and IOC orders only'));
      return;
    }
    this.options.gateway.place(order).then(
      (state) => this.onPlaced(tracked, state),
      (error: unknown) => this.onPlaceFailed(tracked, error),
    );
  }

  cancel(clientOrderId: string, _localUs: LocalUs): void {
    const tracked = this.orders.get(clientOrderId);
    if (tracked === undefined) {
      // An order of ours the venue holds that this venue object never placed (cancel-on-connect).
      if (this.venueOpen.has(clientOrderId)) {
        this.options.gateway.cancel(clientOrderId).then(
          (state) => this.applyState(state),
          (error: unknown) => this.noteError(`cancel ${clientOrderId}: ${describe(error)}`),
        );
      }
      return;
    }
    if (tracked.state === 'done') return;
    tracked.cancelRequested = true;
    // A cancel for an order whose placement is still unanswered waits for its answer (then goes out).
    if (tracked.state === 'sending' || tracked.state === 'unresolved') return;
    this.sendCancel(tracked);
  }

  openOrders(): VenueOpenOrder[] {
    return [...this.venueOpen.values()];
  }

  /**
   * Takes over an order the journal and the venue both hold (a restart): from now on it is tracked like one
   * this venue placed, so its cancel, fills and end reach the order manager.
   */
  adopt(order: VenueOpenOrder, purpose: OrderRequest['purpose']): void {
    if (this.orders.has(order.clientOrderId)) return;
    const request: OrderRequest = { clientOrderId: order.clientOrderId, side: order.side, price: order.price, size: order.size, timeInForce: 'gtc', postOnly: true, purpose };
    this.orders.set(order.clientOrderId, { request, sentUs: this.options.nowUs(), state: 'open', executedLots: order.filled, cancelRequested: false });
  }

  /** How many times the venue has been asked for our open orders so far (a mark to compare answers with). */
  openOrdersMark(): number {
    return this.openOrdersAsked;
  }

  /** Whether the venue has answered a request for our open orders made after `mark` (a kill's confirmation). */
  answeredAfter(mark: number): boolean {
    return this.openOrdersAnswered > mark;
  }

  /** The trades `prepare()` fetched (reconciliation after a start or a reconnect). */
  fillsSince(sinceUs: LocalUs): Fill[] {
    return this.fetched.filter((fill) => fill.localUs >= sinceUs || fill.exchUs >= sinceUs);
  }

  /* ------------------------------------------------------------------ what the desk asks */

  /**
   * Before the desk reconciles (start, and after the stream came back): the venue's open orders, our trades
   * since `sinceUs` (the execution time of the last stored fill, or the session's start), and holdings.
   */
  async prepare(sinceUs: LocalUs): Promise<void> {
    const gateway = this.options.gateway;
    const asked = ++this.openOrdersAsked;
    const [open, trades, holdings] = await Promise.all([gateway.openOrders(), gateway.trades(sinceUs), gateway.holdings()]);
    this.openOrdersAnswered = Math.max(this.openOrdersAnswered, asked);
    this.venueOpen = new Map();
    for (const state of open) this.noteVenueState(state);
    this.fetched = trades.map((trade) => this.toFill(trade, this.options.nowUs()));
    // The desk books these through `fillsSince`; the same trades arriving on the stream are not booked again.
    for (const trade of trades) if (!this.seenTrades.has(trade.tradeId)) this.rememberTrade(trade.tradeId);
    this.holdingsValue = holdings;
    // Orders we track that the venue no longer lists are settled from its own answers, one by one.
    for (const [id, tracked] of this.orders) {
      if (tracked.state === 'open' && !this.venueOpen.has(id)) this.resolve(tracked);
    }
  }

  /** Asks the venue for our open orders now (the kill's confirmation reads the answer in `openOrders()`). */
  refreshOpenOrders(): Promise<void> {
    const asked = ++this.openOrdersAsked;
    return this.options.gateway.openOrders().then(
      (open) => {
        this.openOrdersAnswered = Math.max(this.openOrdersAnswered, asked);
        this.venueOpen = new Map();
        for (const state of open) this.noteVenueState(state);
      },
      (error: unknown) => this.noteError(`open orders: ${describe(error)}`),
    );
  }

  /** The kill's first step at the venue: cancel every open order of ours on the symbol at once. */
  cancelAllAtVenue(): Promise<void> {
    for (const tracked of this.orders.values()) if (tracked.state !== 'done') tracked.cancelRequested = true;
    return this.options.gateway.cancelAll().then(
      (cancelled) => {
        // USD-M answers a cancel-all without the orders (null): the stream reports them, openOrders confirms.
        for (const state of cancelled ?? []) this.applyState(state);
      },
      (error: unknown) => this.noteError(`cancel all: ${describe(error)}`),
    );
  }

  holdings(): Holdings | null {
    return this.holdingsValue;
  }

  symbolRules(): SymbolRules | null {
    return this.rules;
  }

  status(): LiveVenueStatus {
    let unresolved = 0;
    for (const tracked of this.orders.values()) if (tracked.state === 'unresolved') unresolved++;
    return { venue: this.name, userStream: this.stream, detail: this.streamDetail, usage: this.usageValue, deadMansSwitch: this.dms, unresolvedOrders: unresolved, lastError: this.lastError };
  }

  /* ------------------------------------------------------------------ answers */

  private onPlaced(tracked: Tracked, state: GatewayOrderState): void {
    if (tracked.state === 'done') return;
    this.applyState(state);
  }

  private onPlaceFailed(tracked: Tracked, error: unknown): void {
    if (tracked.state === 'done') return;
    if (error instanceof GatewayError && error.code === 'unknown-outcome') {
      tracked.state = 'unresolved';
      this.resolve(tracked);
      return;
    }
    const reason = rejectReason(error);
    if (error instanceof GatewayError && (error.code === 'rate-limited' || error.code === 'banned' || error.code === 'auth')) this.hooks?.problem(reason);
    this.reject(tracked, reason);
  }

  /** Asks the venue for the order until it answers, then applies the answer (see the header). */
  private resolve(tracked: Tracked): void {
    const id = tracked.request.clientOrderId;
    this.options.gateway.query(id).then(
      (state) => {
        if (tracked.state === 'done') return;
        if (state === null) {
          this.reject(tracked, 'the venue never received it (its answer was lost and the venue does not know the order)');
          return;
        }
        this.applyState(state);
        if (Number(state.executedQuantity) > 0) this.fetchTradesOf(tracked);
      },
      (error: unknown) => {
        this.noteError(`resolving ${id}: ${describe(error)}`);
        if (!this.stopped) setTimeout(() => this.resolve(tracked), this.retryMs);
      },
    );
  }

  /** Books the trades of one order the venue reported as (partly) executed, from REST (deduplicated). */
  private fetchTradesOf(tracked: Tracked): void {
    const id = tracked.request.clientOrderId;
    // why: from a second before it left: the venue's clock and ours differ by at most the receive window.
    this.options.gateway.trades(tracked.sentUs - 1_000_000).then(
      (trades) => {
        for (const trade of trades) if (trade.clientOrderId === id) this.onTrade(trade, this.options.nowUs());
      },
      (error: unknown) => this.noteError(`trades of ${id}: ${describe(error)}`),
    );
  }

  private sendCancel(tracked: Tracked): void {
    const id = tracked.request.clientOrderId;
    this.options.gateway.cancel(id).then(
      (state) => this.applyState(state),
      (error: unknown) => {
        if (tracked.state === 'done') return;
        // Unknown to the venue: it filled or expired meanwhile, or never arrived; ask, never assume.
        if (error instanceof GatewayError && (error.code === 'unknown-order' || error.code === 'unknown-outcome')) {
          this.resolve(tracked);
          return;
        }
        this.noteError(`cancel ${id}: ${describe(error)}`);
        if (!this.stopped) setTimeout(() => tracked.state !== 'done' && this.sendCancel(tracked), this.retryMs);
      },
    );
  }

  /* ------------------------------------------------------------------ the user stream */

  private onEvent(event: GatewayEvent): void {
    switch (event.type) {
      case 'order':
        this.applyState(event.state);
        return;
      case 'trade':
        this.onTrade(event.trade, event.localUs);
        this.applyState(event.state);
        return;
      case 'stream':
        this.streamDetail = event.detail;
        if (event.status === 'down') {
          if (this.stream !== 'down') {
            this.stream = 'down';
            this.hooks?.streamDown(event.detail);
          }
        } else if (this.stream !== 'up') {
          this.stream = 'up';
          this.hooks?.resync(`user data stream back: ${event.detail}`);
        }
        return;
      case 'limits':
        this.usageValue = event.usage;
        return;
    }
  }

  private onTrade(trade: GatewayTrade, localUs: LocalUs): void {
    if (this.seenTrades.has(trade.tradeId)) return;
    this.rememberTrade(trade.tradeId);
    this.listener?.onFill(this.toFill(trade, localUs));
  }

  /** Applies the venue's state of an order: ack, done (cancelled, expired, filled) or reject, once each. */
  private applyState(state: GatewayOrderState): void {
    this.noteVenueState(state);
    const tracked = this.orders.get(state.clientOrderId);
    if (tracked === undefined || tracked.state === 'done') return;
    const now = this.options.nowUs();
    const executed = this.lots(state.executedQuantity, `executed quantity of ${state.clientOrderId}`);
    if (executed !== null) tracked.executedLots = Math.max(tracked.executedLots, executed);
    switch (state.status) {
      case 'new':
      case 'partially-filled': {
        const first = tracked.state !== 'open';
        tracked.state = 'open';
        if (first) {
          this.listener?.onAck(state.clientOrderId, now);
          if (tracked.cancelRequested) this.sendCancel(tracked);
        }
        return;
      }
      case 'filled':
        // The fills themselves arrive as trades (stream or REST); the order manager closes it on the last.
        if (tracked.state !== 'open') this.listener?.onAck(state.clientOrderId, now);
        tracked.state = 'done';
        this.orders.delete(state.clientOrderId);
        return;
      case 'cancelled':
      case 'expired': {
        if (tracked.state !== 'open') this.listener?.onAck(state.clientOrderId, now);
        tracked.state = 'done';
        this.orders.delete(state.clientOrderId);
        const remaining = Math.max(0, tracked.request.size - tracked.executedLots);
        const why = state.status === 'expired' ? (tracked.request.timeInForce === 'ioc' ? 'ioc-remainder' : 'expired') : 'cancelled';
        this.listener?.onDone(state.clientOrderId, remaining, why, now);
        return;
      }
      case 'rejected':
        this.reject(tracked, state.reason ?? 'rejected by the venue');
        return;
    }
  }

  /** Keeps the venue's view of our open orders as its answers say. */
  private noteVenueState(state: GatewayOrderState): void {
    if (state.status === 'new' || state.status === 'partially-filled') {
      const price = this.ticks(state.price, `price of ${state.clientOrderId}`);
      const size = this.lots(state.quantity, `quantity of ${state.clientOrderId}`);
      const filled = this.lots(state.executedQuantity, `executed quantity of ${state.clientOrderId}`);
      if (price === null || size === null || filled === null) return;
      this.venueOpen.set(state.clientOrderId, { clientOrderId: state.clientOrderId, side: state.side, price, size, filled });
    } else {
      this.venueOpen.delete(state.clientOrderId);
    }
  }

  private reject(tracked: Tracked, reason: string): void {
    if (tracked.state === 'done') return;
    tracked.state = 'done';
    this.orders.delete(tracked.request.clientOrderId);
    this.venueOpen.delete(tracked.request.clientOrderId);
    this.listener?.onReject(tracked.request.clientOrderId, reason, this.options.nowUs());
  }

  /* ------------------------------------------------------------------ conversions */

  private gatewayOrder(request: OrderRequest, kind: GatewayOrder['kind']): GatewayOrder {
    return { clientOrderId: request.clientOrderId, side: request.side, price: this.tick.format(request.price), quantity: this.lot.format(request.size), kind };
  }

  /**
   * A trade as a fill. A fill is never dropped: a price or size off the symbol's grid (the venue changed its
   * filters under us) is booked at the nearest step and reported as a problem that halts quoting.
   */
  private toFill(trade: GatewayTrade, localUs: LocalUs): Fill {
    const price = this.ticks(trade.price, `trade ${trade.tradeId} price`) ?? this.nearest(this.tick, trade.price, `trade ${trade.tradeId} price`);
    const size = this.lots(trade.quantity, `trade ${trade.tradeId} quantity`) ?? this.nearest(this.lot, trade.quantity, `trade ${trade.tradeId} quantity`);
    return {
      fillId: `${this.name}:${trade.tradeId}`,
      clientOrderId: trade.clientOrderId,
      side: trade.side,
      price,
      size,
      fee: this.feeInQuote(trade),
      liquidity: trade.maker ? 'maker' : 'taker',
      exchUs: trade.exchUs,
      localUs,
    };
  }

  /** The fee in the quote currency: as charged in the quote asset, or a base-asset fee at the trade's price. */
  private feeInQuote(trade: GatewayTrade): number {
    const commission = Number(trade.commission);
    const rules = this.rules;
    if (rules === null || trade.commissionAsset === rules.quoteAsset) return commission;
    if (trade.commissionAsset === rules.baseAsset) return commission * Number(trade.price);
    // why: a fee in a third asset (BNB) has no price here: it is reported, and the figures leave it out.
    this.hooks?.problem(`fee of trade ${trade.tradeId} paid in ${trade.commissionAsset} (${trade.commission}): not in the PnL; pay fees in ${rules.quoteAsset} or ${rules.baseAsset}`);
    return 0;
  }

  private nearest(grid: DecimalGrid, text: string, what: string): number {
    this.hooks?.problem(`${what} ${text} is off the symbol's grid ${grid.increment}: booked at the nearest step; check the venue's filters`);
    return grid.fromNumber(Number(text));
  }

  private ticks(text: string, what: string): Ticks | null {
    const steps = this.tick.toSteps(text);
    if (Number.isNaN(steps)) {
      this.noteError(`${what} ${text} is not on the tick grid ${this.tick.increment}`);
      return null;
    }
    return steps;
  }

  private lots(text: string, what: string): Lots | null {
    const steps = this.lot.toSteps(text);
    if (Number.isNaN(steps)) {
      this.noteError(`${what} ${text} is not on the lot grid ${this.lot.increment}`);
      return null;
    }
    return steps;
  }

  private rememberTrade(tradeId: string): void {
    this.seenTrades.add(tradeId);
    this.tradeRing.push(tradeId);
    if (this.tradeRing.length > TRADE_ID_MEMORY) this.seenTrades.delete(this.tradeRing.shift() ?? '');
  }

  private async armSwitch(): Promise<void> {
    try {
      await this.options.gateway.armDeadMansSwitch(this.dmsMs);
      this.dms = 'armed';
    } catch (error) {
      if (this.dms !== 'failing') this.hooks?.problem(`the venue's dead-man's switch could not be armed: ${describe(error)}`);
      this.dms = 'failing';
    }
  }

  private noteError(text: string): void {
    this.lastError = text;
    this.options.log(`live venue ${this.name}: ${text}`);
  }
}

/** A reject in words a trader reads. */
function rejectReason(error: unknown): string {
  if (!(error instanceof GatewayError)) return `rejected: ${describe(error)}`;
  switch (error.code) {
    case 'filter':
      return `refused by the symbol's filters: ${error.message}`;
    case 'would-take':
      return 'post-only quote would have taken liquidity (the market moved through it)';
    case 'insufficient-balance':
      return `insufficient balance: ${error.message}`;
    case 'unknown-order':
      return `the venue does not know the order: ${error.message}`;
    case 'timestamp':
      return `our clock is outside the venue's receive window: ${error.message}`;
    case 'rate-limited':
      return `rate limited by the venue${error.retryAtMs ? ` until ${new Date(error.retryAtMs).toISOString()}` : ''}`;
    case 'banned':
      return `banned by the venue for too many requests${error.retryAtMs ? ` until ${new Date(error.retryAtMs).toISOString()}` : ''}`;
    case 'auth':
      return `the venue refused our key: ${error.message}`;
    case 'rejected':
      return `rejected by the venue: ${error.message}`;
    case 'unknown-outcome':
      return `no answer from the venue: ${error.message}`;
    case 'unavailable':
      return `not sent: the venue is unavailable (${error.message})`;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isLiveVenue(venue: ExecutionVenue): venue is LiveVenue {
  return venue instanceof LiveVenue;
}
