/**
 * The order manager: turns the desired quote on each side into orders on the venue, and keeps the one
 * true record of our working orders with their state machine.
 *
 * States: pending-new → working → (pending-cancel) → done, with fills possible in every live state; a
 * fill that arrives for a pending-cancel order is booked like any other (never lost, never counted
 * twice: fills are keyed by their venue fill id). A working quote is kept while its price is within the
 * requote threshold and its size close enough (a queue position is worth keeping); otherwise it is
 * cancelled and replaced. New orders are sized so that even if every live order on a side filled,
 * |inventory| could not pass the hard limit. Every request passes the `OrderGate` synchronously before it
 * leaves, so a halt takes effect in the same event-loop turn; cancels always pass. Quoting traffic stays
 * within an order-rate budget over a sliding second; risk cancels do not wait for it. The order intent is journaled
 * through `journal` BEFORE the request is handed to the venue. Fill ids already booked are remembered in a
 * bounded window of the most recent FILL_ID_MEMORY ids (see there), so the memory does not grow with the
 * session's fill count.
 */
import type { NotQuotingReason, OpenOrderView } from '../../shared/contract.js';
import type { LocalUs, Lots, Side, Ticks } from '../../shared/units.js';
import type { ExecutionVenue, Fill, OrderPurpose, OrderRequest, TimeInForce, VenueListener } from './types.js';

/**
 * How many of the most recent fill ids the order manager remembers to ignore a fill reported twice
 * (`onFill` for a live re-report or the desk's reconciliation replay, `rememberFill` for the fills the
 * store already booked when a session is resumed). Older ids are forgotten, one per new id, so the memory
 * is bounded at any fill rate (an unbounded Set grew by ~180 ids/s under the stress simulation).
 *
 * Why a window is enough: fills reach the order manager once each through the venue listener; the only
 * replay is `fillsSince` in the desk's reconciliation after a restart, and it is bounded by the venue:
 * the simulated exchange answers from its newest VENUE_FILL_HISTORY (10,000) fills; a PaperVenue is new
 * with each desk start (fill ids prefixed with that start), so it replays nothing booked before. Recovery
 * remembers the stored fills oldest first, so the window then holds the session's newest FILL_ID_MEMORY stored
 * fills, which cover any venue's newest 10,000 (the fills the store may lack are newer still). If a venue
 * ever re-reported a fill older than the window, the store would still ignore the duplicate row
 * (`INSERT ... ON CONFLICT (session_id, fill_id) DO NOTHING`), but the in-memory inventory, the order's
 * filled size and the analytics would count it twice: this must stay above every venue's replay horizon.
 */
export const FILL_ID_MEMORY = 32_768;

export type OrderStatus = 'pending-new' | 'working' | 'pending-cancel';

export interface ManagedOrder {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly price: Ticks;
  readonly size: Lots;
  filled: Lots;
  status: OrderStatus;
  readonly purpose: OrderPurpose;
  readonly placedUs: LocalUs;
  queueAhead: Lots | null;
}

/** Why a new order was refused: the side's reason code and the gate's words. */
export interface OrderRefusal {
  readonly reason: NotQuotingReason;
  readonly detail: string;
}

/** Decides synchronously whether a new order may leave now; returns null to allow, or the refusal. */
export type OrderGate = (request: OrderRequest, exposure: Exposure) => OrderRefusal | null;

export interface Exposure {
  readonly inventoryLots: Lots;
  /** Unfilled lots of our live buy / sell orders (any state). */
  readonly openBuyLots: Lots;
  readonly openSellLots: Lots;
}

export interface OrderManagerHooks {
  /** Persist the intent before the request leaves. */
  journal(request: OrderRequest, localUs: LocalUs): void;
  /** An order event, for the journal. */
  event(clientOrderId: string, type: 'sent' | 'ack' | 'reject' | 'cancel-requested' | 'cancelled' | 'expired' | 'ioc-remainder' | 'filled', localUs: LocalUs, detail?: Record<string, unknown>): void;
  /** A fill that belongs to one of our orders (or to an order we no longer track: `known` false). */
  fill(fill: Fill, order: ManagedOrder | null): void;
  /** An order left the book (done, cancelled, rejected, filled). */
  orderClosed(order: ManagedOrder, why: string): void;
}

export interface QuoteTarget {
  readonly price: Ticks;
  readonly size: Lots;
}

export type ReconcileOutcome = 'kept' | 'placed' | 'replaced' | 'pulled' | 'idle' | 'rate-limited' | 'refused' | 'waiting';

export class OrderManager implements VenueListener {
  private readonly orders = new Map<string, ManagedOrder>();
  /** The remembered fill ids: exactly the ids in `fillIdRing` (each once). */
  private readonly seenFillIds = new Set<string>();
  /** The same ids in insertion order, preallocated; `fillIdNext` is the slot of the oldest once it is full. */
  private readonly fillIdRing: string[] = new Array<string>(FILL_ID_MEMORY).fill('');
  private fillIdNext = 0;
  private readonly quoteSlot: Record<Side, string | null> = { buy: null, sell: null };
  private nextId = 1;
  private sentTimes: LocalUs[] = [];
  private inventory: Lots = 0;
  /** Requests refused by the gate since start (for tests and diagnostics). */
  refusedCount = 0;
  /** The gate's newest refusal (what `reconcileQuote` answering 'refused' or `sendOrder` answering null meant). */
  lastRefusal: OrderRefusal | null = null;
  sentCount = 0;

  constructor(
    private readonly venue: ExecutionVenue,
    private readonly gate: OrderGate,
    private readonly hooks: OrderManagerHooks,
    private readonly idPrefix: string,
    private maxOrdersPerSec: number,
  ) {
    venue.setListener(this);
  }

  setRateLimit(maxOrdersPerSec: number): void {
    this.maxOrdersPerSec = maxOrdersPerSec;
  }

  /** Sets the inventory the exposure checks start from (after recovery). */
  setInventory(lots: Lots): void {
    this.inventory = lots;
  }

  inventoryLots(): Lots {
    return this.inventory;
  }

  /** Continue client order ids after the ones already used in this session (recovery). */
  continueIdsAfter(sequence: number): void {
    this.nextId = Math.max(this.nextId, sequence + 1);
  }

  /** Current exposure. The object is reused by the next call: read it, do not keep it. */
  exposure(): Exposure {
    let openBuyLots = 0;
    let openSellLots = 0;
    for (const order of this.orders.values()) {
      const left = order.size - order.filled;
      if (order.side === 'buy') openBuyLots += left;
      else openSellLots += left;
    }
    const out = this.exposureScratch;
    out.inventoryLots = this.inventory;
    out.openBuyLots = openBuyLots;
    out.openSellLots = openSellLots;
    return out;
  }

  private readonly exposureScratch = { inventoryLots: 0, openBuyLots: 0, openSellLots: 0 };

  liveOrders(): ManagedOrder[] {
    return [...this.orders.values()];
  }

  liveCount(): number {
    return this.orders.size;
  }

  quoteOrder(side: Side): ManagedOrder | null {
    const id = this.quoteSlot[side];
    return id ? (this.orders.get(id) ?? null) : null;
  }

  /** Orders sent to the venue (new + cancel) within the last second, for the rate-limit usage bar. */
  ordersLastSecond(nowUs: LocalUs): number {
    const from = nowUs - 1_000_000;
    let start = 0;
    while (start < this.sentTimes.length && (this.sentTimes[start] ?? 0) < from) start++;
    if (start > 0) this.sentTimes = this.sentTimes.slice(start);
    return this.sentTimes.length;
  }

  /**
   * Brings one side's quote to the target (or pulls it when the target is null or size 0).
   * `thresholdTicks`/`sizeFraction` decide whether a working order is close enough to keep. With
   * `reduceOnly` a new order is sized to what reduces the position (|inventory| less the lots already
   * working on that side), so reduce-only works the position down instead of being refused as too large.
   */
  reconcileQuote(side: Side, target: QuoteTarget | null, nowUs: LocalUs, thresholdTicks: number, sizeFraction: number, maxInventoryLots: Lots, reduceOnly = false): ReconcileOutcome {
    const current = this.quoteOrder(side);
    if (!target || target.size <= 0) {
      if (!current) return 'idle';
      if (current.status !== 'pending-cancel') this.cancelOrder(current, nowUs, false);
      return 'pulled';
    }
    if (current) {
      if (current.status === 'pending-cancel') return 'waiting';
      const left = current.size - current.filled;
      // Threshold 0 or 1: any price change requotes; N > 1 keeps the order while it is within N − 1 ticks.
      const priceClose = Math.abs(current.price - target.price) < Math.max(1, thresholdTicks);
      const sizeClose = Math.abs(left - target.size) <= sizeFraction * target.size;
      if (priceClose && sizeClose) return 'kept';
      // A replace is two messages (cancel + new) within the budget, or nothing at all.
      if (!this.withinBudget(nowUs, 2)) return 'rate-limited';
      this.cancelOrder(current, nowUs, true);
    }
    const size = reduceOnly ? this.reduceRoomFor(side, target.size) : this.roomFor(side, target.size, maxInventoryLots);
    if (size <= 0) return current ? 'replaced' : 'waiting';
    if (!current && !this.withinBudget(nowUs, 1)) return 'rate-limited';
    const placed = this.send(side, target.price, size, 'gtc', true, 'quote', nowUs);
    if (!placed) return 'refused';
    this.quoteSlot[side] = placed.clientOrderId;
    return current ? 'replaced' : 'placed';
  }

  /** Lots that may be added on a side so that all live orders filling could not breach the hard limit. */
  roomFor(side: Side, wanted: Lots, maxInventoryLots: Lots): Lots {
    const exposure = this.exposure();
    const room =
      side === 'buy'
        ? maxInventoryLots - exposure.inventoryLots - exposure.openBuyLots
        : maxInventoryLots + exposure.inventoryLots - exposure.openSellLots;
    return Math.max(0, Math.min(wanted, room));
  }

  /** Lots that may be added on a side so that all live orders filling could at most bring inventory to zero. */
  reduceRoomFor(side: Side, wanted: Lots): Lots {
    const exposure = this.exposure();
    const room = side === 'sell' ? exposure.inventoryLots - exposure.openSellLots : -exposure.inventoryLots - exposure.openBuyLots;
    return Math.max(0, Math.min(wanted, room));
  }

  /** Sends an order outside the quote slots (flatten). Returns the order or null when refused. */
  sendOrder(side: Side, price: Ticks, size: Lots, timeInForce: TimeInForce, postOnly: boolean, purpose: OrderPurpose, nowUs: LocalUs): ManagedOrder | null {
    return this.send(side, price, size, timeInForce, postOnly, purpose, nowUs);
  }

  /** Cancels every live order (kill switch, pull): bypasses the rate budget. Returns how many cancels were sent. */
  cancelAll(nowUs: LocalUs, filter?: (order: ManagedOrder) => boolean): number {
    let sent = 0;
    for (const order of this.orders.values()) {
      if (order.status === 'pending-cancel') continue;
      if (filter && !filter(order)) continue;
      this.cancelOrder(order, nowUs, false);
      sent++;
    }
    return sent;
  }

  /** Re-sends cancels for orders still pending cancel (a survivor after a kill). */
  retryCancels(nowUs: LocalUs): number {
    let sent = 0;
    for (const order of this.orders.values()) {
      if (order.status !== 'pending-cancel') continue;
      this.venue.cancel(order.clientOrderId, nowUs);
      this.sentTimes.push(nowUs);
      sent++;
    }
    return sent;
  }

  views(tick: (ticks: Ticks) => number, lot: (lots: Lots) => number): OpenOrderView[] {
    const out: OpenOrderView[] = [];
    for (const order of this.orders.values()) {
      out.push({
        clientOrderId: order.clientOrderId,
        side: order.side,
        price: tick(order.price),
        size: lot(order.size),
        filled: lot(order.filled),
        status: order.status,
        queueAhead: order.queueAhead === null ? null : lot(order.queueAhead),
        placedAtMs: Math.floor(order.placedUs / 1000),
        purpose: order.purpose,
      });
    }
    return out;
  }

  /** Restores an order known from the journal that the venue still holds (recovery). */
  adopt(order: ManagedOrder): void {
    this.orders.set(order.clientOrderId, order);
    if (order.purpose === 'quote' && this.quoteSlot[order.side] === null) this.quoteSlot[order.side] = order.clientOrderId;
  }

  /** Marks fill ids already booked (recovery), so a venue replaying them is not double counted. */
  rememberFill(fillId: string): void {
    if (!this.seenFillIds.has(fillId)) this.addFillId(fillId);
  }

  /** How many fill ids are remembered (at most FILL_ID_MEMORY), for tests and diagnostics. */
  get rememberedFillIds(): number {
    return this.seenFillIds.size;
  }

  /* ---------------------------------------------------------------- VenueListener */

  onAck(clientOrderId: string, localUs: LocalUs): void {
    const order = this.orders.get(clientOrderId);
    if (!order) return;
    if (order.status === 'pending-new') order.status = 'working';
    this.hooks.event(clientOrderId, 'ack', localUs);
  }

  onReject(clientOrderId: string, reason: string, localUs: LocalUs): void {
    const order = this.orders.get(clientOrderId);
    this.hooks.event(clientOrderId, 'reject', localUs, { reason });
    if (order) this.close(order, `rejected: ${reason}`);
  }

  onFill(fill: Fill): void {
    if (this.seenFillIds.has(fill.fillId)) return;
    this.addFillId(fill.fillId);
    this.inventory += fill.side === 'buy' ? fill.size : -fill.size;
    const order = this.orders.get(fill.clientOrderId) ?? null;
    if (order) order.filled += fill.size;
    this.hooks.fill(fill, order);
    if (order && order.filled >= order.size) {
      this.hooks.event(order.clientOrderId, 'filled', fill.localUs);
      this.close(order, 'filled');
    }
  }

  onDone(clientOrderId: string, remaining: Lots, why: 'cancelled' | 'expired' | 'ioc-remainder', localUs: LocalUs): void {
    const order = this.orders.get(clientOrderId);
    this.hooks.event(clientOrderId, why, localUs, { remaining });
    if (order) this.close(order, why);
  }

  onQueue(clientOrderId: string, aheadLots: Lots): void {
    const order = this.orders.get(clientOrderId);
    if (order) order.queueAhead = aheadLots;
  }

  /* ------------------------------------------------------------------- internals */

  /** Remembers an id not yet remembered; when the window is full the oldest id is forgotten. */
  private addFillId(fillId: string): void {
    const slot = this.fillIdNext;
    if (this.seenFillIds.size >= FILL_ID_MEMORY) this.seenFillIds.delete(this.fillIdRing[slot] ?? '');
    this.fillIdRing[slot] = fillId;
    this.seenFillIds.add(fillId);
    this.fillIdNext = slot + 1 === FILL_ID_MEMORY ? 0 : slot + 1;
  }

  private close(order: ManagedOrder, why: string): void {
    this.orders.delete(order.clientOrderId);
    if (this.quoteSlot[order.side] === order.clientOrderId) this.quoteSlot[order.side] = null;
    this.hooks.orderClosed(order, why);
  }

  /**
   * The order-rate budget: the messages sent in the last second (new orders and cancels alike) plus
   * `cost` must stay within `maxOrdersPerSec`, over a sliding window — never twice the budget in a
   * second, as a bucket that starts full would allow. Cancels for risk (pulls, kill) are not held back.
   */
  private withinBudget(nowUs: LocalUs, cost: number): boolean {
    return this.ordersLastSecond(nowUs) + cost <= this.maxOrdersPerSec;
  }

  private cancelOrder(order: ManagedOrder, nowUs: LocalUs, replacing: boolean): void {
    order.status = 'pending-cancel';
    if (this.quoteSlot[order.side] === order.clientOrderId) this.quoteSlot[order.side] = null;
    this.hooks.event(order.clientOrderId, 'cancel-requested', nowUs, replacing ? { replacing: true } : undefined);
    this.venue.cancel(order.clientOrderId, nowUs);
    this.sentTimes.push(nowUs);
  }

  private send(side: Side, price: Ticks, size: Lots, timeInForce: TimeInForce, postOnly: boolean, purpose: OrderPurpose, nowUs: LocalUs): ManagedOrder | null {
    const request: OrderRequest = {
      clientOrderId: `${this.idPrefix}${this.nextId++}`,
      side,
      price,
      size,
      timeInForce,
      postOnly,
      purpose,
    };
    const refusal = this.gate(request, this.exposure());
    if (refusal !== null) {
      this.refusedCount++;
      this.lastRefusal = refusal;
      return null;
    }
    const order: ManagedOrder = {
      clientOrderId: request.clientOrderId,
      side,
      price,
      size,
      filled: 0,
      status: 'pending-new',
      purpose,
      placedUs: nowUs,
      queueAhead: null,
    };
    this.orders.set(order.clientOrderId, order);
    this.hooks.journal(request, nowUs);
    this.hooks.event(order.clientOrderId, 'sent', nowUs);
    this.sentCount++;
    this.sentTimes.push(nowUs);
    this.venue.submit(request, nowUs);
    return order;
  }
}
