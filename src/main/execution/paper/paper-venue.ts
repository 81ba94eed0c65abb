/**
 * The paper venue: our orders against a market we only observe (live data or a replay), with latency,
 * a queue-position model, partial fills and fees. It owns the fill conditions below and nothing else:
 * it never changes the market's book (our orders and our taking are invisible to it — assumption: our
 * orders are too small to move the market, as hftbacktest assumes) and it never reads the wall clock.
 *
 * Time. Every input carries the desk's event-clock time. A request sent at t reaches the venue at
 * t + entryLatencyMs; everything the venue says back (ack, reject, fill, done) reaches the desk
 * ackLatencyMs after the venue decided it. A fill carries both times: `exchUs`, the match instant (the
 * event at which the venue decided it), and `localUs`, the arrival of its report (exchUs + ackLatencyMs).
 * Before a market event at t is applied, every venue event due at or before t is run, in (time,
 * submission) order; an order that arrives before a book message joins the book as it was BEFORE that
 * message. A cancel takes effect when it reaches the venue: fills in between are real and are delivered
 * (the order manager books them). A cancel for an order that is done, or unknown, is ignored.
 *
 * Arrival. Invalid size/price or a duplicate id → reject. A post-only order that would cross (buy ≥ best
 * ask, sell ≤ best bid) → reject. Otherwise ack, then a crossing order takes liquidity: it walks the
 * displayed opposite levels best first up to its limit, each level a taker fill of min(remaining, level
 * size) at the level's price; the rest of an IOC is done ('ioc-remainder'); the rest of a GTC order rests.
 * A passive IOC is done at once ('ioc-remainder'). A resting order joins the queue with ahead = the
 * displayed size at its price at that moment (0 if it improves the price).
 *
 * Resting fills, fillModel 'queue' (the default: fills no larger than what traded, all maker fills at
 * our price):
 *   1. A public trade at or through our price (buy: at or below our bid; sell: at or above our ask) whose
 *      aggressor is the other side (or unknown) first consumes the volume ahead of us at our price, then
 *      fills us with what is left of it, capped by our remaining size and by what our earlier orders took
 *      of the same trade; the rest of our order keeps working. Trades at our price also explain level
 *      decreases (rule 3).
 *   2. Cross: after a book message the opposite side reaches our price (buy: best ask ≤ our bid). Whoever
 *      posted it would have traded with us: we fill up to the displayed opposite volume at prices that
 *      reach ours, less what this crossing already gave us (our fills are invisible to the replayed book,
 *      so the same displayed volume must not fill us twice); new volume there fills us again, and once the
 *      opposite side is back beyond our price the crossing is forgotten. A GTC order that took liquidity
 *      at arrival counts what it took as already given.
 *   3. A level-size decrease at our price that the trades since the last book message do not explain is a
 *      cancel; the share ahead of us is f(ahead)/(f(ahead)+f(behind)), f(x)=xⁿ (power) or ln(1+x) (log)
 *      (see `queue-model.ts`). Cancels never fill us. Increases join behind us.
 *   4. Depth-only sources (no public trade seen since the venue started): when the level at our price
 *      disappears and the best on our side is now worse than our price, the market went through it: our
 *      whole remaining size fills (an emptied side proves nothing and fills nothing). With trades present,
 *      a vanished level is treated as cancels (rule 3).
 *   Trades at a price better than ours (buy: above our bid), and trades whose aggressor is on our own
 *   side, never touch us.
 * Resting fills, fillModel 'touch' (the article's optimistic model, FOR COMPARISON ONLY): our whole
 * remaining size fills at our price when a trade from the other side (or unknown) prints at or through
 * it, or when the opposite side newly reaches it (rule 2's crossing, uncapped) — no queue, no size cap.
 * Nothing else fills it: a level that merely vanishes never does.
 *
 * A replay seek (`onDiscontinuity`) delivers what was already decided, then expires every order.
 *
 * Fees: notional = price × tick × size × lot; fee = notional × makerFeeBps (or takerFeeBps) / 10⁴,
 * negative = rebate. Fill ids are `<prefix>-<n>`, n counting from 1. No randomness: the queue model uses
 * expected values, so the same events always give the same fills. Hot path (`onBook`, `onTrade`,
 * `onTime` with no order activity): no allocation.
 */
import type { ExecutionParams } from '../../../shared/params.js';
import { DecimalGrid, US_PER_MS, type LocalUs, type Lots, type Ticks } from '../../../shared/units.js';
import type { BookReader, BookSideName, MarketTrade } from '../../market/types.js';
import { FillHistory } from '../fill-history.js';
import type { ExecutionVenue, Fill, OrderRequest, VenueListener, VenueOpenOrder } from '../types.js';
import { advanceOnDepth } from './queue-model.js';

export type PaperExecutionParams = Pick<
  ExecutionParams,
  'fillModel' | 'queueModel' | 'queuePower' | 'entryLatencyMs' | 'ackLatencyMs' | 'makerFeeBps' | 'takerFeeBps'
>;

export interface PaperVenueOptions {
  /** The instrument's tick and lot as decimal strings (fees are computed on their notional). */
  readonly tickSize: string;
  readonly lotSize: string;
  readonly execution: PaperExecutionParams;
  /** The market book the venue observes (may also arrive with the first `onBook`). */
  readonly book?: BookReader;
  /** Prefix of fill ids; include the session so ids stay unique across restarts (default "paper"). */
  readonly fillIdPrefix?: string;
  /** Levels per side remembered from the last book message, for orders that arrive before the next. */
  readonly snapshotDepth?: number;
  readonly name?: string;
}

type OrderState = 'in-flight' | 'live' | 'done';

interface PaperOrder {
  readonly request: OrderRequest;
  readonly own: BookSideName;
  state: OrderState;
  filled: Lots;
  cancelOnArrival: boolean;
  /** Expected volume ahead of us at our price, lots (fractional). */
  ahead: number;
  /** Level size at our price at the last observation. */
  levelSeen: Lots;
  /** Volume traded at our price since the last book message. */
  tradedSinceBook: Lots;
  reportedAhead: number;
  /**
   * Displayed opposite volume at prices reaching ours that already filled us (rule 2), or that the order
   * took at arrival: the replayed book still shows it, and it must not fill us again. 0 when not crossed.
   */
  crossTaken: Lots;
}

type Outbound =
  | { readonly kind: 'ack'; readonly id: string }
  | { readonly kind: 'reject'; readonly id: string; readonly reason: string }
  | { readonly kind: 'fill'; readonly fill: Fill }
  | { readonly kind: 'done'; readonly id: string; readonly remaining: Lots; readonly why: 'cancelled' | 'expired' | 'ioc-remainder' };

type VenueEvent =
  | { readonly kind: 'arrive'; readonly timeUs: LocalUs; readonly seq: number; readonly order: PaperOrder }
  | { readonly kind: 'cancel'; readonly timeUs: LocalUs; readonly seq: number; readonly id: string }
  | { readonly kind: 'deliver'; readonly timeUs: LocalUs; readonly seq: number; readonly message: Outbound };

const NO_LISTENER: VenueListener = {
  onAck: () => undefined,
  onReject: () => undefined,
  onFill: () => undefined,
  onDone: () => undefined,
};

export class PaperVenue implements ExecutionVenue {
  readonly name: string;
  private listener: VenueListener = NO_LISTENER;
  private params: PaperExecutionParams;
  private readonly moneyPerTickLot: number;
  private readonly prefix: string;
  private book: BookReader | null;

  private readonly orders = new Map<string, PaperOrder>();
  /** Live orders in joining order. */
  private readonly live: PaperOrder[] = [];
  private readonly events: VenueEvent[] = [];
  private eventSeq = 0;
  private inFlightArrivals = 0;
  /** The newest fills, for `fillsSince` (bounded: a long session at a fast flow made an unbounded log grow). */
  private readonly fills = new FillHistory();
  private fillCount = 0;
  private nowUs: LocalUs = Number.NEGATIVE_INFINITY;
  private tradesSeen = false;
  private processing = false;

  // The book as of the last book message, for arrivals that precede the next one.
  private readonly snapDepth: number;
  private readonly snapBidPx: Float64Array;
  private readonly snapBidSz: Float64Array;
  private readonly snapAskPx: Float64Array;
  private readonly snapAskSz: Float64Array;
  /** Scratch for the opposite levels of a crossing (rule 2). */
  private readonly crossPx: Float64Array;
  private readonly crossSz: Float64Array;
  private snapBidN = 0;
  private snapAskN = 0;
  private snapFresh = false;

  constructor(options: PaperVenueOptions) {
    this.name = options.name ?? 'paper';
    this.params = options.execution;
    this.setParams(options.execution);
    this.moneyPerTickLot = new DecimalGrid(options.tickSize).toNumber(1) * new DecimalGrid(options.lotSize).toNumber(1);
    this.prefix = options.fillIdPrefix ?? 'paper';
    this.book = options.book ?? null;
    this.snapDepth = options.snapshotDepth ?? 32;
    if (!Number.isInteger(this.snapDepth) || this.snapDepth < 1) throw new RangeError('snapshotDepth must be a positive integer');
    this.snapBidPx = new Float64Array(this.snapDepth);
    this.snapBidSz = new Float64Array(this.snapDepth);
    this.snapAskPx = new Float64Array(this.snapDepth);
    this.snapAskSz = new Float64Array(this.snapDepth);
    this.crossPx = new Float64Array(this.snapDepth);
    this.crossSz = new Float64Array(this.snapDepth);
  }

  /* ------------------------------------------------------------------ ExecutionVenue */

  setListener(listener: VenueListener): void {
    this.listener = listener;
  }

  /** Applies new execution parameters (latencies, fill and queue model, fees) to events from now on. */
  setParams(execution: PaperExecutionParams): void {
    this.params = {
      fillModel: execution.fillModel,
      queueModel: execution.queueModel,
      queuePower: execution.queuePower,
      entryLatencyMs: execution.entryLatencyMs,
      ackLatencyMs: execution.ackLatencyMs,
      makerFeeBps: execution.makerFeeBps,
      takerFeeBps: execution.takerFeeBps,
    };
  }

  /** The desk's `ConfigurableVenue` hook: the whole execution parameter set after a validated change. */
  configure(execution: ExecutionParams): void {
    this.setParams(execution);
  }

  submit(request: OrderRequest, localUs: LocalUs): void {
    this.observeTime(localUs);
    if (!this.snapFresh) this.takeSnapshot();
    const order: PaperOrder = {
      request,
      own: request.side === 'buy' ? 'bid' : 'ask',
      state: 'in-flight',
      filled: 0,
      cancelOnArrival: false,
      ahead: 0,
      levelSeen: 0,
      tradedSinceBook: 0,
      reportedAhead: Number.NaN,
      crossTaken: 0,
    };
    this.inFlightArrivals++;
    this.schedule({ kind: 'arrive', timeUs: localUs + this.params.entryLatencyMs * US_PER_MS, seq: this.eventSeq++, order });
  }

  cancel(clientOrderId: string, localUs: LocalUs): void {
    this.observeTime(localUs);
    this.schedule({ kind: 'cancel', timeUs: localUs + this.params.entryLatencyMs * US_PER_MS, seq: this.eventSeq++, id: clientOrderId });
  }

  openOrders(): VenueOpenOrder[] {
    return this.live.map((o) => ({
      clientOrderId: o.request.clientOrderId,
      side: o.request.side,
      price: o.request.price,
      size: o.request.size,
      filled: o.filled,
    }));
  }

  fillsSince(sinceUs: LocalUs): Fill[] {
    return this.fills.since(sinceUs);
  }

  /* ------------------------------------------------------------------ market observation */

  /** The book changed (called once per whole message, after it was applied). */
  onBook(book: BookReader, localUs: LocalUs): void {
    this.book = book;
    this.runDue(localUs);
    this.snapFresh = false;
    const live = this.live;
    for (let i = 0; i < live.length; ) {
      const o = live[i];
      if (o !== undefined && this.applyBook(o, book, localUs)) i++;
      else if (o === undefined) i++;
    }
    // Anything pending may make the desk submit before the next message: keep this book for its arrival.
    if (this.inFlightArrivals > 0 || this.events.length > 0) this.takeSnapshot();
    this.runDue(localUs);
    this.reportQueues();
  }

  /** A public trade printed. */
  onTrade(trade: MarketTrade): void {
    this.tradesSeen = true;
    this.runDue(trade.localUs);
    const t = trade.localUs;
    let left = trade.size;
    const live = this.live;
    for (let i = 0; i < live.length; ) {
      const o = live[i];
      if (o === undefined) {
        i++;
        continue;
      }
      left = this.applyTrade(o, trade, left, t);
      if (live[i] === o) i++;
    }
    this.runDue(t);
    this.reportQueues();
  }

  /** Time passed without market data. */
  onTime(localUs: LocalUs): void {
    this.runDue(localUs);
    this.reportQueues();
  }

  /**
   * Time jumped (a replay seek): queue positions and in-flight requests mean nothing across the jump.
   * Everything the venue already decided is delivered now (acks, fills, dones, in order); then every
   * order live or in flight is done as 'expired' with its remaining size, and pending cancels are dropped.
   */
  onDiscontinuity(localUs: LocalUs): void {
    const pending = this.events.splice(0, this.events.length);
    const expire: PaperOrder[] = [];
    for (const e of pending) {
      if (e.kind === 'deliver') this.deliver(e.message, e.timeUs);
      else if (e.kind === 'arrive') expire.push(e.order);
    }
    this.inFlightArrivals = 0;
    for (const o of this.live) expire.push(o);
    this.live.length = 0;
    this.orders.clear();
    this.nowUs = localUs;
    this.snapFresh = false;
    for (const o of expire) {
      o.state = 'done';
      this.listener.onDone(o.request.clientOrderId, o.request.size - o.filled, 'expired', localUs);
    }
  }

  /** Expected volume ahead of a live order (lots), or null when the order is not resting at the venue. */
  queueAhead(clientOrderId: string): number | null {
    const o = this.orders.get(clientOrderId);
    return o !== undefined && o.state === 'live' ? o.ahead : null;
  }

  /* ------------------------------------------------------------------ rules */

  /** Applies a book message to one live order; returns false when the order left the live list. */
  private applyBook(o: PaperOrder, book: BookReader, t: LocalUs): boolean {
    const req = o.request;
    const buy = req.side === 'buy';
    const crossing = this.crossingVolume(book, buy, req.price);
    if (crossing < o.crossTaken) o.crossTaken = crossing;
    const fresh = crossing - o.crossTaken;
    switch (this.params.fillModel) {
      case 'touch':
        if (fresh > 0) {
          this.fillResting(o, req.size - o.filled, t);
          if (o.state === 'done') return false;
        }
        return true;
      case 'queue':
        break;
    }
    if (fresh > 0) {
      const qty = Math.min(req.size - o.filled, fresh);
      o.crossTaken += qty;
      this.fillResting(o, qty, t);
      if (o.state === 'done') return false;
    }
    const cur = book.sizeAt(o.own, req.price);
    const prev = o.levelSeen;
    o.ahead = advanceOnDepth(this.params.queueModel, this.params.queuePower, o.ahead, prev, cur, o.tradedSinceBook);
    o.tradedSinceBook = 0;
    o.levelSeen = cur;
    if (!this.tradesSeen && prev > 0 && cur === 0 && this.movedThrough(book, buy, req.price)) {
      this.fillResting(o, req.size - o.filled, t);
      return false;
    }
    return true;
  }

  /** Displayed opposite volume at prices that reach ours (buy: asks ≤ our bid), lots; 0 when none does. */
  private crossingVolume(book: BookReader, buy: boolean, price: Ticks): Lots {
    const opposite = buy ? book.bestAsk() : book.bestBid();
    if (!(buy ? opposite <= price : opposite >= price)) return 0; // NaN compares false
    const n = book.top(buy ? 'ask' : 'bid', this.snapDepth, this.crossPx, this.crossSz);
    let volume = 0;
    for (let i = 0; i < n; i++) {
      const px = this.crossPx[i] ?? Number.NaN;
      if (!(buy ? px <= price : px >= price)) break;
      volume += this.crossSz[i] ?? 0;
    }
    return volume;
  }

  /** The best on our side is now worse than our price. An emptied side (NaN) proves nothing. */
  private movedThrough(book: BookReader, buy: boolean, price: Ticks): boolean {
    const ownBest = buy ? book.bestBid() : book.bestAsk();
    return buy ? ownBest < price : ownBest > price; // NaN compares false
  }

  /** Applies a public trade to one live order; returns the trade volume our later orders may still take. */
  private applyTrade(o: PaperOrder, trade: MarketTrade, left: Lots, t: LocalUs): Lots {
    const req = o.request;
    const buy = req.side === 'buy';
    // An aggressor on our own side trades with the other side's orders, never with ours.
    if (trade.aggressor === req.side) return left;
    const atPrice = trade.price === req.price;
    if (!atPrice && !(buy ? trade.price < req.price : trade.price > req.price)) return left;
    switch (this.params.fillModel) {
      case 'touch':
        this.fillResting(o, req.size - o.filled, t);
        return left;
      case 'queue':
        break;
    }
    if (atPrice) o.tradedSinceBook += trade.size;
    // The aggressor meets the volume ahead of us first; what is left of it reaches us.
    const beyond = trade.size - o.ahead;
    o.ahead = Math.max(0, o.ahead - trade.size);
    if (beyond > 0 && left > 0) {
      const qty = Math.floor(Math.min(req.size - o.filled, beyond, left));
      if (qty > 0) {
        this.fillResting(o, qty, t);
        return left - qty;
      }
    }
    return left;
  }

  private arrive(o: PaperOrder, t: LocalUs): void {
    this.inFlightArrivals--;
    const req = o.request;
    const id = req.clientOrderId;
    if (o.cancelOnArrival) {
      o.state = 'done';
      this.send(t, { kind: 'done', id, remaining: req.size, why: 'cancelled' });
      return;
    }
    const invalid = this.validate(req);
    if (invalid !== null) {
      o.state = 'done';
      this.send(t, { kind: 'reject', id, reason: invalid });
      return;
    }
    this.orders.set(id, o);
    const buy = req.side === 'buy';
    const opposite = buy ? this.snapBest('ask') : this.snapBest('bid');
    const crosses = buy ? opposite <= req.price : opposite >= req.price;
    if (crosses && req.postOnly) {
      this.markDone(o);
      this.send(t, { kind: 'reject', id, reason: 'post-only order would cross the market' });
      return;
    }
    this.send(t, { kind: 'ack', id });
    if (crosses) this.take(o, t);
    const taken = o.filled;
    const remaining = req.size - o.filled;
    if (remaining <= 0) {
      this.markDone(o);
      return;
    }
    if (req.timeInForce === 'ioc') {
      this.markDone(o);
      this.send(t, { kind: 'done', id, remaining, why: 'ioc-remainder' });
      return;
    }
    o.state = 'live';
    o.ahead = this.snapSize(o.own, req.price);
    o.levelSeen = o.ahead;
    o.tradedSinceBook = 0;
    // The displayed levels it took are still in the replayed book: they must not fill its remainder (rule 2).
    o.crossTaken = taken;
    this.live.push(o);
  }

  private validate(req: OrderRequest): string | null {
    const existing = this.orders.get(req.clientOrderId);
    if (existing !== undefined) return `duplicate client order id ${req.clientOrderId}`;
    if (!Number.isInteger(req.size) || req.size <= 0) return `size must be a positive whole number of lots, got ${req.size}`;
    if (!Number.isInteger(req.price)) return `price must be a whole number of ticks, got ${req.price}`;
    return null;
  }

  /** Walks the displayed opposite levels up to the order's limit (taker fills). */
  private take(o: PaperOrder, t: LocalUs): void {
    const req = o.request;
    const buy = req.side === 'buy';
    const px = buy ? this.snapAskPx : this.snapBidPx;
    const sz = buy ? this.snapAskSz : this.snapBidSz;
    const n = buy ? this.snapAskN : this.snapBidN;
    for (let i = 0; i < n; i++) {
      const remaining = req.size - o.filled;
      if (remaining <= 0) return;
      const price = px[i] ?? Number.NaN;
      if (buy ? price > req.price : price < req.price) return;
      const qty = Math.min(remaining, sz[i] ?? 0);
      if (qty > 0) this.makeFill(o, price, qty, 'taker', t);
    }
  }

  private fillResting(o: PaperOrder, qty: Lots, t: LocalUs): void {
    if (qty <= 0) return;
    this.makeFill(o, o.request.price, qty, 'maker', t);
    if (o.filled >= o.request.size) this.markDone(o);
  }

  private makeFill(o: PaperOrder, price: Ticks, qty: Lots, liquidity: 'maker' | 'taker', t: LocalUs): void {
    const req = o.request;
    o.filled += qty;
    const bps = liquidity === 'maker' ? this.params.makerFeeBps : this.params.takerFeeBps;
    const fill: Fill = {
      fillId: `${this.prefix}-${++this.fillCount}`,
      clientOrderId: req.clientOrderId,
      side: req.side,
      price,
      size: qty,
      fee: (price * qty * this.moneyPerTickLot * bps) / 10_000,
      liquidity,
      exchUs: t,
      localUs: t + this.params.ackLatencyMs * US_PER_MS,
    };
    this.fills.add(fill);
    this.send(t, { kind: 'fill', fill });
  }

  private cancelArrives(id: string, t: LocalUs): void {
    const o = this.orders.get(id);
    if (o === undefined) {
      // Not arrived yet (latency changed in between) or unknown: cancel it on arrival if it comes.
      for (const e of this.events) if (e.kind === 'arrive' && e.order.request.clientOrderId === id) e.order.cancelOnArrival = true;
      return;
    }
    if (o.state !== 'live') return;
    this.markDone(o);
    this.send(t, { kind: 'done', id, remaining: o.request.size - o.filled, why: 'cancelled' });
  }

  /** The order leaves the venue: out of the live list and out of the id map (done orders are not kept). */
  private markDone(o: PaperOrder): void {
    o.state = 'done';
    const i = this.live.indexOf(o);
    if (i >= 0) this.live.splice(i, 1);
    if (this.orders.get(o.request.clientOrderId) === o) this.orders.delete(o.request.clientOrderId);
  }

  /* ------------------------------------------------------------------ event queue */

  private observeTime(t: LocalUs): void {
    if (t > this.nowUs) this.nowUs = t;
  }

  private send(t: LocalUs, message: Outbound): void {
    this.schedule({ kind: 'deliver', timeUs: t + this.params.ackLatencyMs * US_PER_MS, seq: this.eventSeq++, message });
  }

  private schedule(e: VenueEvent): void {
    const events = this.events;
    let i = events.length;
    while (i > 0) {
      const prev = events[i - 1];
      if (prev === undefined || prev.timeUs < e.timeUs || (prev.timeUs === e.timeUs && prev.seq < e.seq)) break;
      i--;
    }
    if (i === events.length) events.push(e);
    else events.splice(i, 0, e);
  }

  /** Runs every venue event due at or before `t`, in (time, seq) order; re-entrant calls only advance time. */
  private runDue(t: LocalUs): void {
    this.observeTime(t);
    if (this.processing) return;
    this.processing = true;
    try {
      const events = this.events;
      while (events.length > 0) {
        const e = events[0];
        if (e === undefined || e.timeUs > t) break;
        events.shift();
        switch (e.kind) {
          case 'arrive':
            this.arrive(e.order, e.timeUs);
            break;
          case 'cancel':
            this.cancelArrives(e.id, e.timeUs);
            break;
          case 'deliver':
            this.deliver(e.message, e.timeUs);
            break;
        }
      }
    } finally {
      this.processing = false;
    }
  }

  private deliver(m: Outbound, t: LocalUs): void {
    const l = this.listener;
    switch (m.kind) {
      case 'ack':
        l.onAck(m.id, t);
        return;
      case 'reject':
        l.onReject(m.id, m.reason, t);
        return;
      case 'fill':
        l.onFill(m.fill);
        return;
      case 'done':
        l.onDone(m.id, m.remaining, m.why, t);
        return;
    }
  }

  private reportQueues(): void {
    const onQueue = this.listener.onQueue;
    if (onQueue === undefined) return;
    for (const o of this.live) {
      const ahead = Math.max(0, Math.ceil(o.ahead - 1e-9));
      if (ahead !== o.reportedAhead) {
        o.reportedAhead = ahead;
        onQueue.call(this.listener, o.request.clientOrderId, ahead);
      }
    }
  }

  /* ------------------------------------------------------------------ book snapshot */

  private takeSnapshot(): void {
    const book = this.book;
    if (book === null) {
      this.snapBidN = 0;
      this.snapAskN = 0;
    } else {
      this.snapBidN = book.top('bid', this.snapDepth, this.snapBidPx, this.snapBidSz);
      this.snapAskN = book.top('ask', this.snapDepth, this.snapAskPx, this.snapAskSz);
    }
    this.snapFresh = true;
  }

  private snapBest(side: BookSideName): Ticks {
    if (side === 'bid') return this.snapBidN > 0 ? (this.snapBidPx[0] ?? Number.NaN) : Number.NaN;
    return this.snapAskN > 0 ? (this.snapAskPx[0] ?? Number.NaN) : Number.NaN;
  }

  private snapSize(side: BookSideName, price: Ticks): Lots {
    const px = side === 'bid' ? this.snapBidPx : this.snapAskPx;
    const sz = side === 'bid' ? this.snapBidSz : this.snapAskSz;
    const n = side === 'bid' ? this.snapBidN : this.snapAskN;
    for (let i = 0; i < n; i++) if (px[i] === price) return sz[i] ?? 0;
    // Deeper than the snapshot: the current book is the best we have.
    if (n === this.snapDepth && this.book !== null) {
      const last = px[n - 1] ?? Number.NaN;
      if (side === 'bid' ? price < last : price > last) return this.book.sizeAt(side, price);
    }
    return 0;
  }
}

export function createPaperVenue(options: PaperVenueOptions): PaperVenue {
  return new PaperVenue(options);
}
