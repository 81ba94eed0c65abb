/**
 * The local exchange's engine, venue-neutral: the simulated market (sim-market.ts, price-time matching
 * driven by the wall clock) with one remote account trading in it — its orders (venue order ids, status,
 * executed quantity, the reason an order ended), its trades (ids, commission, maker/taker), its spot
 * balances or futures position (accounts.ts), a dead-man's switch (a countdown that cancels every open
 * order when it runs out), the public trades, and the faults tests inject: cancels the venue ignores, a
 * fill that races the next cancel, an outside market order, a clock that runs early or late.
 * Requests are processed synchronously at the market's current instant (the market itself advances on
 * its own timer), so an answer always reflects the request. It speaks no venue's wire format: the
 * dialects (`binance/`) render what it says. Never reads Math.random (the market is seeded).
 */
import { oppositeSide, type Lots, type Side, type Ticks } from '../../shared/units.js';
import type { Fill, VenueListener } from '../execution/types.js';
import { addDec, decToSteps, formatDec, parseDec, stepsToDec, type Dec } from '../execution/venues/common/decimal.js';
import { SimMarket, type SimConfig } from '../market/sim/sim-market.js';
import type { FeedListener, MarketTrade } from '../market/types.js';
import { FuturesAccount, SpotAccount } from './accounts.js';
import { RecordingBook } from './recording-book.js';

export type ExchangeKind = 'spot' | 'futures';

export interface SimExchangeConfig {
  readonly kind: ExchangeKind;
  readonly sim: SimConfig;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Commission in whole basis points. */
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  /** Spot: opening balances. */
  readonly initialBase: string;
  readonly initialQuote: string;
  /** Futures: opening wallet (in the quote asset) and leverage. */
  readonly initialWallet: string;
  readonly leverage: number;
}

export type OrderType = 'LIMIT' | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'GTX';
export type ExchangeStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';
export type ExchangeExec = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'TRADE_PREVENTION';
/** Why an order ended other than a fill or a cancel we were asked for. */
export type EndReason = 'IOC_REMAINDER' | 'STP' | 'COUNTDOWN' | 'DCP';

/** What an order asks for. */
export interface PlaceRequest {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly priceTicks: Ticks;
  readonly qtyLots: Lots;
  readonly reduceOnly: boolean;
}

export interface ExchangeOrder extends PlaceRequest {
  readonly orderId: number;
  readonly createdMs: number;
  executedLots: Lots;
  /** Σ price × quantity of its fills. */
  cumQuote: Dec;
  status: ExchangeStatus;
  updatedMs: number;
  endReason: EndReason | null;
  preventedLots: Lots;
}

export interface ExchangeTrade {
  readonly id: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly lots: Lots;
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly maker: boolean;
  readonly timeMs: number;
  readonly realizedPnl: Dec;
}

export interface PublicTrade {
  readonly id: number;
  readonly priceTicks: Ticks;
  readonly lots: Lots;
  readonly buyerIsMaker: boolean;
  readonly timeMs: number;
}

export interface ExchangeEvents {
  onExecution(order: ExchangeOrder, exec: ExchangeExec, trade: ExchangeTrade | null): void;
  onPublicTrade(trade: PublicTrade): void;
}

export type PlaceRefusal = 'would-take' | 'insufficient-balance' | 'insufficient-margin' | 'reduce-only' | 'duplicate-client-id';
export type PlaceResult = { readonly ok: true; readonly order: ExchangeOrder } | { readonly ok: false; readonly refusal: PlaceRefusal };
export type CancelResult = { readonly ok: true; readonly order: ExchangeOrder } | { readonly ok: false; readonly refusal: 'unknown-order' | 'ignored' };
export interface OrderRef {
  readonly orderId?: number;
  readonly clientOrderId?: string;
}

/** Faults the tests switch on (each documented where it acts). */
export interface EngineFaults {
  /** Cancels and cancel-alls are accepted but nothing is cancelled (the dialect answers "status unknown"). */
  ignoreCancels: boolean;
  /** The next cancel finds its order traded by an outside order first: all of it, or half. */
  raceNextCancel: 'fill' | 'partial' | null;
}

const HISTORY = 100_000;
const OPEN_STATUSES: ReadonlySet<ExchangeStatus> = new Set(['NEW', 'PARTIALLY_FILLED']);

export class SimExchange implements VenueListener, FeedListener {
  readonly book = new RecordingBook();
  readonly sim: SimMarket;
  readonly spot: SpotAccount | null;
  readonly futures: FuturesAccount | null;
  readonly tick: Dec;
  readonly lot: Dec;
  readonly faults: EngineFaults = { ignoreCancels: false, raceNextCancel: null };
  /** How far the venue's clock runs ahead of the wall clock (ms; negative: behind). */
  clockSkewMs = 0;
  private events: ExchangeEvents | null = null;
  private readonly orders = new Map<number, ExchangeOrder>();
  private readonly byClientId = new Map<string, number>();
  private readonly open = new Map<number, ExchangeOrder>();
  private readonly ahead = new Map<number, Lots>();
  private readonly trades: ExchangeTrade[] = [];
  private orderSeq = 0;
  private tradeSeq = 0;
  private publicTradeSeq = 0;
  private placing: ExchangeOrder | null = null;
  private placingRejected = false;
  private cancelling: ExchangeOrder | null = null;
  private cancelReason: EndReason | null = null;
  private countdownTimer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(
    readonly config: SimExchangeConfig,
    private readonly wallMs: () => number = Date.now,
  ) {
    if (config.sim.exchangeLatencyMs !== 0) throw new RangeError('the local exchange answers at once: sim.exchangeLatencyMs must be 0');
    const tick = parseDec(config.sim.tickSize);
    const lot = parseDec(config.sim.lotSize);
    if (!tick || !lot) throw new RangeError('tick and lot sizes must be plain decimals');
    this.tick = tick;
    this.lot = lot;
    this.sim = new SimMarket(this.book, config.sim, wallMs() * 1_000);
    this.sim.setListener(this);
    this.spot = config.kind === 'spot' ? new SpotAccount(config.baseAsset, config.quoteAsset, config.initialBase, config.initialQuote) : null;
    this.futures = config.kind === 'futures' ? new FuturesAccount(config.quoteAsset, config.initialWallet, config.leverage) : null;
  }

  setEvents(events: ExchangeEvents): void {
    this.events = events;
  }

  /** Starts the market on the wall clock. */
  async start(): Promise<void> {
    await this.sim.start(this);
    this.running = true;
    this.resume();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.countdownTimer !== null) clearTimeout(this.countdownTimer);
    this.countdownTimer = null;
    await this.sim.stop();
  }

  /** Freezes the market's own flow (our requests still execute): tests compare books at rest. */
  pause(): void {
    this.sim.stopRealtime();
  }

  resume(): void {
    if (this.running) this.sim.startRealtime(() => this.wallMs() * 1_000);
  }

  /** The venue's clock (ms), skew included. */
  serverMs(): number {
    return this.wallMs() + this.clockSkewMs;
  }

  private stampMs(): number {
    return Math.floor(this.sim.now() / 1_000) + this.clockSkewMs;
  }

  price(ticks: Ticks): Dec {
    return stepsToDec(ticks, this.tick);
  }

  qty(lots: Lots): Dec {
    return stepsToDec(lots, this.lot);
  }

  /* ------------------------------------------------------------------ requests */

  place(request: PlaceRequest): PlaceResult {
    const existing = this.byClientId.get(request.clientOrderId);
    if (existing !== undefined && this.open.has(existing)) return { ok: false, refusal: 'duplicate-client-id' };
    const price = this.price(request.priceTicks);
    const qty = this.qty(request.qtyLots);
    if (this.spot && !this.spot.reserve(request.side, price, qty)) return { ok: false, refusal: 'insufficient-balance' };
    if (this.futures) {
      const refusal = this.futuresRefusal(request, price, qty);
      if (refusal) return { ok: false, refusal };
    }
    const now = this.stampMs();
    const order: ExchangeOrder = {
      ...request,
      orderId: ++this.orderSeq,
      createdMs: now,
      executedLots: 0,
      cumQuote: { units: 0n, scale: 0 },
      status: 'NEW',
      updatedMs: now,
      endReason: null,
      preventedLots: 0,
    };
    this.orders.set(order.orderId, order);
    this.open.set(order.orderId, order);
    this.placing = order;
    this.placingRejected = false;
    const postOnly = request.type === 'LIMIT_MAKER' || request.timeInForce === 'GTX';
    this.sim.submit({ clientOrderId: simId(order.orderId), side: request.side, price: request.priceTicks, size: request.qtyLots, timeInForce: request.timeInForce === 'IOC' ? 'ioc' : 'gtc', postOnly, purpose: 'quote' }, this.sim.now());
    this.sim.advanceTo(this.sim.now());
    this.placing = null;
    if (this.placingRejected) {
      // why: a post-only order that would take is refused whole; the venue keeps no trace of it
      this.orders.delete(order.orderId);
      this.open.delete(order.orderId);
      this.spot?.release(order.side, price, qty);
      return { ok: false, refusal: 'would-take' };
    }
    this.byClientId.set(order.clientOrderId, order.orderId);
    this.trim();
    return { ok: true, order };
  }

  private futuresRefusal(request: PlaceRequest, price: Dec, qty: Dec): PlaceRefusal | null {
    const account = this.futures;
    if (!account) return null;
    const position = account.position;
    if (request.reduceOnly) {
      const long = position.units > 0n;
      if (position.units === 0n || long === (request.side === 'buy')) return 'reduce-only';
      const open = position.units < 0n ? -position.units : position.units;
      if (qty.units * 10n ** BigInt(position.scale) > open * 10n ** BigInt(qty.scale)) return 'reduce-only';
      return null;
    }
    let openNotional: Dec = { units: 0n, scale: 0 };
    for (const order of this.open.values()) {
      if (!order.reduceOnly) openNotional = addDec(openNotional, mulPriceQty(this.price(order.priceTicks), this.qty(order.qtyLots - order.executedLots)));
    }
    const entry = account.entryPrice();
    const absPosition = position.units < 0n ? { units: -position.units, scale: position.scale } : position;
    const positionNotional = mulPriceQty(entry, absPosition);
    return account.marginFits(positionNotional, openNotional, mulPriceQty(price, qty)) ? null : 'insufficient-margin';
  }

  cancel(ref: OrderRef): CancelResult {
    const order = this.find(ref);
    if (!order || !this.open.has(order.orderId)) return { ok: false, refusal: 'unknown-order' };
    if (this.faults.ignoreCancels) return { ok: false, refusal: 'ignored' };
    const race = this.faults.raceNextCancel;
    if (race !== null) {
      this.faults.raceNextCancel = null;
      const remaining = order.qtyLots - order.executedLots;
      this.fillOrder(order.orderId, race === 'fill' ? remaining : Math.max(1, Math.floor(remaining / 2)));
      if (!this.open.has(order.orderId)) return { ok: false, refusal: 'unknown-order' };
    }
    this.cancelOpen(order, null);
    return { ok: true, order };
  }

  /** Cancels every open order (oldest first); null when the venue is ignoring cancels. */
  cancelAll(): ExchangeOrder[] | null {
    if (this.faults.ignoreCancels) return null;
    const cancelled: ExchangeOrder[] = [];
    for (const order of [...this.open.values()]) {
      this.cancelOpen(order, null);
      cancelled.push(order);
    }
    return cancelled;
  }

  private cancelOpen(order: ExchangeOrder, reason: EndReason | null): void {
    this.cancelling = order;
    this.cancelReason = reason;
    this.sim.cancel(simId(order.orderId), this.sim.now());
    this.sim.advanceTo(this.sim.now());
    this.cancelling = null;
    this.cancelReason = null;
  }

  find(ref: OrderRef): ExchangeOrder | null {
    if (ref.orderId !== undefined) {
      const order = this.orders.get(ref.orderId) ?? null;
      if (order && ref.clientOrderId !== undefined && order.clientOrderId !== ref.clientOrderId) return null;
      return order;
    }
    if (ref.clientOrderId === undefined) return null;
    const id = this.byClientId.get(ref.clientOrderId);
    return id === undefined ? null : (this.orders.get(id) ?? null);
  }

  openOrders(): ExchangeOrder[] {
    return [...this.open.values()];
  }

  isOpen(order: ExchangeOrder): boolean {
    return OPEN_STATUSES.has(order.status);
  }

  /** Our trades, oldest first, by the documented filters (orderId, fromId, time window), at most `limit`. */
  accountTrades(filter: { orderId?: number; fromId?: number; startMs?: number; endMs?: number; limit: number }): ExchangeTrade[] {
    const out: ExchangeTrade[] = [];
    for (const trade of this.trades) {
      if (filter.orderId !== undefined && trade.orderId !== filter.orderId) continue;
      if (filter.fromId !== undefined && trade.id < filter.fromId) continue;
      if (filter.startMs !== undefined && trade.timeMs < filter.startMs) continue;
      if (filter.endMs !== undefined && trade.timeMs > filter.endMs) continue;
      out.push(trade);
      if (out.length >= filter.limit) break;
    }
    return out;
  }

  /** Arms (ms > 0) or disarms (0) the dead-man's switch: when it runs out, every open order is cancelled. */
  armCountdown(ms: number): void {
    if (this.countdownTimer !== null) clearTimeout(this.countdownTimer);
    this.countdownTimer = null;
    if (ms <= 0) return;
    this.countdownTimer = setTimeout(() => {
      this.countdownTimer = null;
      for (const order of [...this.open.values()]) this.cancelOpen(order, 'COUNTDOWN');
    }, ms);
  }

  /** Cancels every open order for a reason of the venue's own (Bybit's disconnection protection). */
  cancelEvery(reason: EndReason): number {
    const open = [...this.open.values()];
    for (const order of open) this.cancelOpen(order, reason);
    return open.length;
  }

  countdownArmed(): boolean {
    return this.countdownTimer !== null;
  }

  /* --------------------------------------------------------------- injections */

  /** An outside market order of `lots` on `side`, matched now (trades through our orders in priority). */
  injectMarketOrder(side: Side, lots: Lots): void {
    this.sim.takeLiquidity(side, lots);
  }

  /** An outside market order of a decimal `quantity` on the lot grid (the dialects' fault). */
  marketOrderOf(side: Side, quantity: string): void {
    const qty = parseDec(quantity);
    const lots = qty ? decToSteps(qty, this.lot) : null;
    if (lots === null || lots <= 0) throw new RangeError(`quantity "${quantity}" is not on the ${formatDec(this.lot)} grid`);
    this.injectMarketOrder(side, lots);
  }

  /** Trades a decimal `quantity` of our open order `clientOrderId` now (the dialects' fault). */
  fillOrderOf(clientOrderId: string, quantity: string): void {
    const order = this.find({ clientOrderId });
    const qty = parseDec(quantity);
    const lots = qty ? decToSteps(qty, this.lot) : null;
    if (!order || lots === null) throw new RangeError(`no open order ${clientOrderId} or quantity "${quantity}" off the grid`);
    this.fillOrder(order.orderId, lots);
  }

  /** Trades `lots` of our open order now: an outside order sweeps whatever is ahead of it, then it. */
  fillOrder(orderId: number, lots: Lots): void {
    const order = this.open.get(orderId);
    if (!order) return;
    const side: 'bid' | 'ask' = order.side === 'buy' ? 'bid' : 'ask';
    const prices = new Float64Array(512);
    const sizes = new Float64Array(512);
    const n = this.book.top(side, 512, prices, sizes);
    let better = 0;
    for (let i = 0; i < n; i++) {
      const p = prices[i] ?? Number.NaN;
      if (order.side === 'buy' ? p > order.priceTicks : p < order.priceTicks) better += sizes[i] ?? 0;
    }
    const take = Math.min(lots, order.qtyLots - order.executedLots);
    this.sim.takeLiquidity(oppositeSide(order.side), better + (this.ahead.get(orderId) ?? 0) + take);
  }

  /* ------------------------------------------------- the market's venue events */

  onAck(id: string): void {
    const order = this.byOrderSim(id);
    if (order) this.emit(order, 'NEW', null);
  }

  onReject(id: string): void {
    if (this.placing && simId(this.placing.orderId) === id) this.placingRejected = true;
  }

  onFill(fill: Fill): void {
    const order = this.byOrderSim(fill.clientOrderId);
    if (!order) return;
    const price = this.price(fill.price);
    const qty = this.qty(fill.size);
    const maker = fill.liquidity === 'maker';
    const feeBps = maker ? this.config.makerFeeBps : this.config.takerFeeBps;
    let commission: Dec;
    let commissionAsset: string;
    let realizedPnl: Dec = { units: 0n, scale: 0 };
    if (this.spot) {
      ({ commission, asset: commissionAsset } = this.spot.fill(order.side, this.price(order.priceTicks), price, qty, feeBps));
    } else if (this.futures) {
      ({ commission, realizedPnl } = this.futures.fill(order.side, price, qty, feeBps));
      commissionAsset = this.futures.marginAsset;
    } else {
      return;
    }
    const now = this.stampMs();
    order.executedLots += fill.size;
    order.cumQuote = addDec(order.cumQuote, mulPriceQty(price, qty));
    order.status = order.executedLots >= order.qtyLots ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updatedMs = now;
    if (order.status === 'FILLED') {
      this.open.delete(order.orderId);
      this.ahead.delete(order.orderId);
    }
    const trade: ExchangeTrade = {
      id: ++this.tradeSeq,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      priceTicks: fill.price,
      lots: fill.size,
      commission,
      commissionAsset,
      maker,
      timeMs: now,
      realizedPnl,
    };
    this.trades.push(trade);
    if (this.trades.length > HISTORY) this.trades.splice(0, this.trades.length - HISTORY);
    this.emit(order, 'TRADE', trade);
  }

  onDone(id: string, remaining: Lots, why: 'cancelled' | 'expired' | 'ioc-remainder'): void {
    const order = this.byOrderSim(id);
    if (!order || !this.open.has(order.orderId)) return;
    this.open.delete(order.orderId);
    this.ahead.delete(order.orderId);
    order.updatedMs = this.stampMs();
    this.spot?.release(order.side, this.price(order.priceTicks), this.qty(remaining));
    if (why === 'ioc-remainder') {
      order.status = 'EXPIRED';
      order.endReason = 'IOC_REMAINDER';
      return this.emit(order, 'EXPIRED', null);
    }
    if (why === 'cancelled' && this.cancelling === order) {
      order.status = 'CANCELED';
      order.endReason = this.cancelReason;
      return this.emit(order, 'CANCELED', null);
    }
    if (why === 'cancelled' && this.placing !== null && this.placing !== order) {
      // why: the market cancels our resting order when our own aggressive order meets it: EXPIRE_MAKER
      order.status = 'EXPIRED_IN_MATCH';
      order.endReason = 'STP';
      order.preventedLots = remaining;
      return this.emit(order, 'TRADE_PREVENTION', null);
    }
    order.status = 'EXPIRED';
    return this.emit(order, 'EXPIRED', null);
  }

  onQueue(id: string, aheadLots: Lots): void {
    const order = this.byOrderSim(id);
    if (order) this.ahead.set(order.orderId, aheadLots);
  }

  /* ------------------------------------------------------- the market's feed */

  onBook(): void {}

  onTime(): void {}

  onFeedEvent(): void {}

  onTrade(trade: MarketTrade): void {
    this.events?.onPublicTrade({
      id: ++this.publicTradeSeq,
      priceTicks: trade.price,
      lots: trade.size,
      buyerIsMaker: trade.aggressor === 'sell',
      timeMs: Math.floor(trade.localUs / 1_000) + this.clockSkewMs,
    });
  }

  /* ---------------------------------------------------------------- internals */

  private byOrderSim(id: string): ExchangeOrder | null {
    const orderId = Number(id.slice(1));
    return this.orders.get(orderId) ?? null;
  }

  private emit(order: ExchangeOrder, exec: ExchangeExec, trade: ExchangeTrade | null): void {
    this.events?.onExecution(order, exec, trade);
  }

  /** Forgets the oldest finished orders beyond the history bound. */
  private trim(): void {
    if (this.orders.size <= HISTORY) return;
    for (const [id, order] of this.orders) {
      if (this.orders.size <= HISTORY) break;
      if (this.open.has(id)) continue;
      this.orders.delete(id);
      if (this.byClientId.get(order.clientOrderId) === id) this.byClientId.delete(order.clientOrderId);
    }
  }
}

function simId(orderId: number): string {
  return `o${orderId}`;
}

function mulPriceQty(price: Dec, qty: Dec): Dec {
  return { units: price.units * qty.units, scale: price.scale + qty.scale };
}

