/**
 * Flatten: brings inventory to exactly zero with a chosen execution style, on the desk's clock.
 *
 *   aggressive — immediate-or-cancel orders that walk the book, never beyond the slippage cap measured
 *                from the mid when the flatten began (what the cap leaves unfilled is retried as the book
 *                refills);
 *   passive    — a post-only order joining the best price on the reducing side, cancelled and re-placed
 *                when that price moves (chasing it);
 *   twap       — equal slices over `durationSec`, each an IOC within the slippage cap; what a slice does
 *                not fill rolls into the next.
 * Every order is reduce-only by construction: its size is at most |inventory| minus the lots already
 * working on the reducing side, so a flatten stops exactly at zero and never overshoots. It may run
 * while halted (the risk gate lets reduce-only flatten orders through) and can be cancelled at any time.
 * Its words (progress events, the detail on the monitor) give prices and sizes in the instrument's units.
 * A finished flatten stays in view with its outcome, and the position it left, for FINISHED_SHOWN_US of
 * desk time, then is gone: the monitor's progress ends with its flatten.
 */
import type { FlattenRequest, FlattenView } from '../../shared/contract.js';
import type { LocalUs, Lots, Side, Ticks } from '../../shared/units.js';
import type { ManagedOrder, OrderManager } from '../execution/order-manager.js';
import type { Fill } from '../execution/types.js';
import type { BookReader } from '../market/types.js';

export interface FlattenHooks {
  progress(text: string): void;
  finished(status: 'done' | 'cancelled' | 'stopped', detail: string): void;
  /** A price in ticks and a size in lots as the trader reads them. */
  price(ticks: Ticks): string;
  size(lots: Lots): string;
}

/** How long a finished flatten stays in view (desk time). */
export const FINISHED_SHOWN_US = 10_000_000;

const DEFAULT_SLIPPAGE_BPS = 50;
const DEFAULT_TWAP_SEC = 60;
const RETRY_EVERY_US = 250_000;

interface Run {
  readonly style: FlattenRequest['style'];
  readonly startInventory: Lots;
  readonly startedUs: LocalUs;
  readonly side: Side;
  readonly limitPrice: Ticks;
  readonly durationUs: number;
  readonly slices: number;
  slicesSent: number;
  lastActionUs: LocalUs;
  status: FlattenView['status'];
  detail: string;
  /** The position when it finished (what the monitor shows then), and when. */
  finishedInventory: Lots;
  finishedUs: LocalUs;
}

export class Flattener {
  private run: Run | null = null;
  private lastFinished: Run | null = null;

  constructor(
    private readonly orders: OrderManager,
    private readonly hooks: FlattenHooks,
  ) {}

  active(): boolean {
    return this.run !== null && this.run.status === 'running';
  }

  /** Starts a flatten of `inventoryLots`; returns an error text when it cannot start. */
  begin(request: FlattenRequest, inventoryLots: Lots, nowUs: LocalUs, book: BookReader): string | null {
    if (this.active()) return 'a flatten is already running: cancel it first';
    if (inventoryLots === 0) return 'inventory is already flat';
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (Number.isNaN(bid) || Number.isNaN(ask)) return 'cannot flatten: no two-sided market';
    const side: Side = inventoryLots > 0 ? 'sell' : 'buy';
    const mid = (bid + ask) / 2;
    const capBps = request.maxSlippageBps ?? DEFAULT_SLIPPAGE_BPS;
    const limitPrice = side === 'sell' ? Math.floor(mid * (1 - capBps / 10_000)) : Math.ceil(mid * (1 + capBps / 10_000));
    const durationUs = (request.durationSec ?? DEFAULT_TWAP_SEC) * 1_000_000;
    this.run = {
      style: request.style,
      startInventory: inventoryLots,
      startedUs: nowUs,
      side,
      limitPrice,
      durationUs,
      slices: Math.max(1, Math.min(120, Math.round(durationUs / 1_000_000 / 2))),
      slicesSent: 0,
      lastActionUs: Number.NEGATIVE_INFINITY,
      status: 'running',
      detail: `${side === 'sell' ? 'selling' : 'buying'} ${this.hooks.size(Math.abs(inventoryLots))} at ${this.hooks.price(limitPrice)} or better (${capBps} bps from mid)`,
      finishedInventory: inventoryLots,
      finishedUs: Number.NaN,
    };
    return null;
  }

  /** Drives the flatten: places, chases or slices orders as its style says. */
  onTime(nowUs: LocalUs, book: BookReader): void {
    const run = this.run;
    if (!run || run.status !== 'running') return;
    const inventory = this.orders.inventoryLots();
    if (inventory === 0 || Math.sign(inventory) !== Math.sign(run.startInventory)) {
      this.finish('done', 'flat', nowUs);
      return;
    }
    const working = this.workingFlattenOrders();
    switch (run.style) {
      case 'aggressive': {
        if (working.length > 0 || nowUs - run.lastActionUs < RETRY_EVERY_US) return;
        this.sendIoc(run, this.room(run), nowUs);
        return;
      }
      case 'passive': {
        const best = run.side === 'sell' ? book.bestAsk() : book.bestBid();
        if (Number.isNaN(best)) return;
        const target = run.side === 'sell' ? Math.max(best, run.limitPrice) : Math.min(best, run.limitPrice);
        const current = working[0];
        if (current && current.status !== 'pending-cancel' && current.price !== target) {
          this.orders.cancelAll(nowUs, (order) => order === current);
          return;
        }
        if (working.length > 0) return;
        const size = this.room(run);
        if (size > 0) {
          run.lastActionUs = nowUs;
          this.orders.sendOrder(run.side, target, size, 'gtc', true, 'flatten', nowUs);
        }
        return;
      }
      case 'twap': {
        const elapsed = nowUs - run.startedUs;
        const due = Math.min(run.slices, Math.floor((elapsed / run.durationUs) * run.slices) + 1);
        if (working.length > 0 || run.slicesSent >= due) {
          if (elapsed > run.durationUs + 5_000_000 && working.length === 0 && run.slicesSent >= run.slices) {
            // The schedule is over and the cap left something: keep working it like an aggressive flatten.
            if (nowUs - run.lastActionUs >= RETRY_EVERY_US) this.sendIoc(run, this.room(run), nowUs);
          }
          return;
        }
        const slicesLeft = run.slices - run.slicesSent;
        const room = this.room(run);
        const size = slicesLeft <= 1 ? room : Math.min(room, Math.ceil(room / slicesLeft));
        run.slicesSent = due;
        this.sendIoc(run, size, nowUs);
        return;
      }
    }
  }

  onFill(fill: Fill, order: ManagedOrder | null): void {
    const run = this.run;
    if (!run || run.status !== 'running' || !order || order.purpose !== 'flatten') return;
    const inventory = this.orders.inventoryLots();
    run.detail = `${this.hooks.size(Math.abs(inventory))} left of ${this.hooks.size(Math.abs(run.startInventory))}`;
    if (inventory === 0) this.finish('done', 'flat', fill.localUs);
  }

  orderClosed(order: ManagedOrder, why: string): void {
    const run = this.run;
    if (!run || order.purpose !== 'flatten' || run.status !== 'running') return;
    if (why.startsWith('rejected')) run.detail = `order ${why}; retrying`;
    if (why === 'ioc-remainder' && this.orders.inventoryLots() !== 0) run.detail = `waiting for liquidity within the slippage cap (${this.hooks.size(Math.abs(this.orders.inventoryLots()))} left)`;
  }

  cancel(reason: string, nowUs: LocalUs): void {
    const run = this.run;
    if (!run || run.status !== 'running') return;
    this.orders.cancelAll(nowUs, (order) => order.purpose === 'flatten');
    this.finish(reason.startsWith('halted') || reason === 'kill switch' ? 'stopped' : 'cancelled', reason, nowUs);
  }

  /**
   * The flatten as the monitor shows it: while it runs, the position left to flatten; once finished, its
   * outcome and the position it left then (never the position as it moves on afterwards), for
   * FINISHED_SHOWN_US; after that, null.
   */
  view(lotToSize: (lots: Lots) => number, nowUs: LocalUs): FlattenView | null {
    const run = this.run ?? this.lastFinished;
    if (!run) return null;
    if (run.status !== 'running' && !(nowUs - run.finishedUs < FINISHED_SHOWN_US)) return null;
    return {
      style: run.style,
      startInventory: lotToSize(run.startInventory),
      remaining: lotToSize(run.status === 'running' ? this.orders.inventoryLots() : run.finishedInventory),
      startedAtMs: Math.floor(run.startedUs / 1000),
      status: run.status,
      detail: run.detail,
    };
  }

  private finish(status: 'done' | 'cancelled' | 'stopped', detail: string, nowUs: LocalUs): void {
    const run = this.run;
    if (!run) return;
    run.status = status;
    run.detail = detail;
    run.finishedInventory = this.orders.inventoryLots();
    run.finishedUs = nowUs;
    this.lastFinished = run;
    this.run = null;
    this.hooks.finished(status, detail);
  }

  private workingFlattenOrders(): ManagedOrder[] {
    return this.orders.liveOrders().filter((order) => order.purpose === 'flatten');
  }

  /** Lots that may still be sent without any chance of passing zero. */
  private room(run: Run): Lots {
    const exposure = this.orders.exposure();
    return run.side === 'sell' ? Math.max(0, exposure.inventoryLots - exposure.openSellLots) : Math.max(0, -exposure.inventoryLots - exposure.openBuyLots);
  }

  private sendIoc(run: Run, size: Lots, nowUs: LocalUs): void {
    if (size <= 0) return;
    run.lastActionUs = nowUs;
    const order = this.orders.sendOrder(run.side, run.limitPrice, size, 'ioc', false, 'flatten', nowUs);
    if (order) this.hooks.progress(`flatten: IOC ${run.side} ${this.hooks.size(size)} at ${this.hooks.price(run.limitPrice)} or better`);
    else run.detail = `the risk gate refused a flatten order: ${this.orders.lastRefusal?.detail ?? 'no reason given'}`;
  }
}
