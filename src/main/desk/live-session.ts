/**
 * What a desk trading for real adds to the desk: the live venue's start and stop, the reconciliation
 * with the venue's holding, the user stream going down and coming back, the kill at the venue and its
 * confirmation by the venue's own answer, and what the monitor shows of the venue link. The desk composes
 * one when its venue is a `LiveVenue`; paper desks never see it.
 *
 * Inventory against the venue: a session counts its inventory from a baseline, the venue's holding when
 * it started (spot: the base asset's balance, free and locked; USD-M: the position). After every
 * reconciliation the venue's holding must equal the baseline plus the stored fills (for spot, less the
 * commissions a buyer pays in the base asset, which Binance charges by default: the fee booked in quote at
 * the fill's price, converted back). A difference that the venue's own trades do not explain (they are
 * booked first, as untracked fills) is outside activity — a deposit, a withdrawal, a manual trade: it is
 * audited, shown, and halts quoting until the operator accepts it, which moves the baseline, not the
 * session's inventory.
 */
import type { CommandResult, DeskEventKind, LiveVenueView } from '../../shared/contract.js';
import type { DecimalGrid, LocalUs, Lots } from '../../shared/units.js';
import type { LiveVenue } from '../execution/live/live-venue.js';
import type { Holdings } from '../execution/live/gateway.js';
import type { RiskGate } from '../risk/risk-gate.js';
import type { Fill, VenueOpenOrder } from '../execution/types.js';
import type { Store } from '../storage/types.js';

/** What the live session needs of its desk. */
export interface LiveDeskContext {
  readonly venue: LiveVenue;
  readonly risk: RiskGate;
  readonly store: Store;
  readonly lot: DecimalGrid;
  readonly tick: DecimalGrid;
  /** The venue's name for where orders go: `testnet`, `mainnet`, or an override's host. */
  readonly endpoint: string;
  nowUs(): LocalUs;
  sessionId(): number;
  inventoryLots(): Lots;
  /** The execution time of the newest booked fill, or the session's start when there is none. */
  newestFillExchUs(): LocalUs;
  audit(who: string, action: string, detail: Record<string, unknown>): void;
  event(kind: DeskEventKind, text: string): void;
  /** The desk's reconciliation of fills and orders with the venue's answers (after `prepare`). */
  reconcile(): void;
  /** Pulls every quote (the stream is down: fills cannot be seen as they happen). */
  pullQuotes(): void;
  requote(): void;
}

/** How far back the trades of a reconciliation reach before the newest stored fill (clock differences). */
const TRADES_OVERLAP_US = 5_000_000;
/** After a failed reconciliation (the venue did not answer), try again after this long. */
const RESYNC_RETRY_MS = 2_000;

export class LiveSession {
  private baseline: Lots | null;
  private holdingLots: number | null = null;
  private expectedLots: number | null = null;
  private resyncing: Promise<void> | null = null;
  /** Spot: commissions buyers paid in the base asset, in lots, over the session's fills. */
  private baseCommission = 0;
  private stopped = false;

  constructor(
    private readonly ctx: LiveDeskContext,
    /** The resumed session's baseline, or null for a new session (set at the first reconciliation). */
    baseline: Lots | null,
  ) {
    this.baseline = baseline;
    ctx.venue.setHooks({
      resync: (why) => void this.resync(why),
      streamDown: (why) => this.streamDown(why),
      problem: (text) => {
        ctx.audit('venue', 'problem', { text });
        ctx.event('breaker', text);
      },
    });
  }

  /** A resumed session's baseline, as stored (null: it never reconciled; set at the next reconciliation). */
  resumeBaseline(baseline: Lots | null): void {
    this.baseline = baseline;
  }

  /** Takes over an order the journal and the venue both hold (a restart). */
  adopt(order: VenueOpenOrder): void {
    this.ctx.venue.adopt(order, 'quote');
  }

  /** Connects the venue (clock, rules, user stream, dead-man's switch) and checks its rules against the feed's. */
  async connect(): Promise<void> {
    const rules = await this.ctx.venue.start();
    const tickMismatch = rules.tickSize !== undefined && Number(rules.tickSize) !== Number(this.ctx.tick.increment);
    const lotMismatch = rules.stepSize !== undefined && Number(rules.stepSize) !== Number(this.ctx.lot.increment);
    if (tickMismatch || lotMismatch) {
      throw new RangeError(
        `the venue's ${rules.symbol} filters (tick ${rules.tickSize}, step ${rules.stepSize}) differ from the instrument the desk uses (tick ${this.ctx.tick.increment}, lot ${this.ctx.lot.increment})`,
      );
    }
  }

  /** The venue's open orders, our trades since the newest stored fill, and its holding, before reconciling. */
  prepare(): Promise<void> {
    return this.ctx.venue.prepare(this.ctx.newestFillExchUs() - TRADES_OVERLAP_US);
  }

  /** After the desk reconciled fills and orders: the holding check (see the header). */
  checkHoldings(): void {
    const holding = this.holdingOf(this.ctx.venue.holdings());
    const now = this.ctx.nowUs();
    if (holding === null) {
      this.ctx.risk.venueCondition('position-mismatch', true, { detail: 'the venue did not report a holding' }, now);
      return;
    }
    this.holdingLots = holding;
    const inventory = this.ctx.inventoryLots();
    if (this.baseline === null) {
      this.baseline = Math.round(holding - inventory);
      this.ctx.store.setBaseline(this.ctx.sessionId(), this.baseline);
      this.ctx.audit('desk', 'live-baseline', { holdingLots: holding, inventoryLots: inventory, baselineLots: this.baseline });
    }
    const expected = this.baseline + inventory - this.baseCommission;
    this.expectedLots = expected;
    // why: half a lot: the venue's balance may carry decimals beyond the lot grid (commissions).
    const differs = Math.abs(holding - expected) > 0.5;
    if (differs && !this.ctx.risk.isTripped('position-mismatch')) {
      const detail = { venueLots: holding, expectedLots: expected, baselineLots: this.baseline, inventoryLots: inventory };
      this.ctx.audit('desk', 'position-mismatch', detail);
      this.ctx.event(
        'breaker',
        `the venue holds ${this.ctx.lot.format(Math.round(holding))}, the stored fills say ${this.ctx.lot.format(Math.round(expected))}: quoting halted until the difference is accepted`,
      );
    }
    this.ctx.risk.venueCondition('position-mismatch', differs, { venueLots: holding, expectedLots: expected }, now);
  }

  /** The operator accepts the venue's holding: the baseline moves by the difference (outside activity). */
  acceptPosition(who: string): CommandResult {
    if (!this.ctx.risk.isTripped('position-mismatch')) return { ok: false, error: 'the venue position agrees with the stored fills: nothing to accept' };
    if (this.holdingLots === null || this.expectedLots === null || this.baseline === null) return { ok: false, error: 'no venue holding is known yet' };
    const difference = Math.round(this.holdingLots - this.expectedLots);
    const from = this.baseline;
    this.baseline = from + difference;
    this.ctx.store.setBaseline(this.ctx.sessionId(), this.baseline);
    this.ctx.audit(who, 'accept-position', { venueLots: this.holdingLots, expectedLots: this.expectedLots, baselineFrom: from, baselineTo: this.baseline });
    this.ctx.event('operator', `venue position accepted by ${who}: baseline ${this.ctx.lot.format(from)} → ${this.ctx.lot.format(this.baseline)}`);
    this.expectedLots = this.holdingLots;
    this.ctx.risk.venueCondition('position-mismatch', false, {}, this.ctx.nowUs());
    this.ctx.requote();
    return { ok: true };
  }

  /** The kill's first step at the venue: cancel all on the symbol there too, then ask for what remains. */
  killAtVenue(): void {
    const venue = this.ctx.venue;
    void venue.cancelAllAtVenue().then(() => venue.refreshOpenOrders());
  }

  /** Asks the venue again for our open orders (the kill's confirmation waits for an answer after the kill). */
  askForOpenOrders(): void {
    void this.ctx.venue.refreshOpenOrders();
  }

  /** A mark taken at the kill: the confirmation needs an answer to a request made after it. */
  openOrdersMark(): number {
    return this.ctx.venue.openOrdersMark();
  }

  answeredAfter(mark: number): boolean {
    return this.ctx.venue.answeredAfter(mark);
  }

  view(): LiveVenueView {
    const status = this.ctx.venue.status();
    const lots = (value: number | null): number | null => (value === null ? null : this.ctx.lot.toNumber(value));
    return {
      venue: status.venue,
      endpoint: this.ctx.endpoint,
      userStream: status.userStream,
      detail: status.detail,
      deadMansSwitch: status.deadMansSwitch,
      unresolvedOrders: status.unresolvedOrders,
      lastError: status.lastError,
      weightUsed: status.usage?.weightUsed ?? null,
      weightLimit: status.usage?.weightLimit ?? null,
      ordersUsed: status.usage?.ordersUsed ?? null,
      ordersLimit: status.usage?.ordersLimit ?? null,
      backOffUntilMs: status.usage?.backOffUntilMs ?? null,
      holding: lots(this.holdingLots),
      expectedHolding: lots(this.expectedLots),
      baseline: lots(this.baseline),
      positionMismatch: this.ctx.risk.isTripped('position-mismatch'),
    };
  }

  /** Cancels everything of ours at the venue and closes the gateway (the desk stops). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.ctx.venue.cancelAllAtVenue();
    await this.ctx.venue.stop();
  }

  /* ---------------------------------------------------------------- the user stream */

  private streamDown(why: string): void {
    const now = this.ctx.nowUs();
    this.ctx.audit('venue', 'user-stream-down', { why });
    this.ctx.event('breaker', `the venue's user data stream is down (${why}): quotes pulled until it is back and reconciled`);
    this.ctx.risk.venueCondition('venue-disconnected', true, { why }, now);
    this.ctx.pullQuotes();
  }

  /** The stream is back: reconcile (prepare, fills and orders, holdings) before quoting again. */
  private resync(why: string): Promise<void> {
    if (this.resyncing) return this.resyncing;
    const run = async (): Promise<void> => {
      this.ctx.risk.setReconciling(true);
      this.ctx.event('feed', `${why}: reconciling with the venue`);
      try {
        await this.prepare();
        // The desk's reconciliation checks the holding too.
        this.ctx.reconcile();
        this.ctx.risk.venueCondition('venue-disconnected', false, {}, this.ctx.nowUs());
        this.ctx.audit('venue', 'resynced', { why });
      } catch (error) {
        this.ctx.event('breaker', `reconciling with the venue failed: ${(error as Error).message}; trying again`);
        if (!this.stopped) setTimeout(() => void this.resync(why), RESYNC_RETRY_MS);
      } finally {
        this.ctx.risk.setReconciling(false);
        this.ctx.requote();
      }
    };
    this.resyncing = run().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  /* ---------------------------------------------------------------- holdings */

  /** The venue's holding in lots (not rounded: a balance may hold decimals beyond the lot grid). */
  private holdingOf(holdings: Holdings | null): number | null {
    if (holdings === null) return null;
    const lot = Number(this.ctx.lot.increment);
    switch (holdings.kind) {
      case 'balances':
        return (Number(holdings.base.free) + Number(holdings.base.locked)) / lot;
      case 'position':
        return Number(holdings.positionAmount) / lot;
    }
  }

  /**
   * Every fill of the session, as the desk books it (and the stored ones on a resume): on a spot account a
   * buyer's commission is charged in the base asset, so the balance grows by less than the fill's size; the
   * fee booked in quote, back at the fill's price, is that commission.
   */
  noteFill(fill: Fill): void {
    if (this.ctx.venue.name !== 'binance-spot' || fill.side !== 'buy' || fill.fee <= 0) return;
    this.baseCommission += fill.fee / this.ctx.tick.toNumber(fill.price) / Number(this.ctx.lot.increment);
  }
}
