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
 */
import type { FlattenRequest, FlattenView } from '../../shared/contract.js';
import type { LocalUs, Lots, Side, Ticks } from '../../shared/units.js';
import type { ManagedOrder, OrderManager } from '../execution/order-manager.js';
import type { Fill } from '../execution/types.js';
import type { BookReader } from '../market/types.js';

export interface FlattenHooks {
  progress(text: string): void;
  finished(status: 'done' | 'cancelled' | 'stopped', detail: string): void;
}

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
      detail: `${side === 'sell' ? 'selling' : 'buying'} ${Math.abs(inventoryLots)} lots, limit ${limitPrice} ticks (${capBps} bps from mid)`,
    };
    return null;
  }

  /** Drives the flatten: places, chases or slices orders as its style says. */
  onTime(nowUs: LocalUs, book: BookReader): void {
    const run = this.run;
    if (!run || run.status !== 'running') return;
    const inventory = this.orders.inventoryLots();
    if (inventory === 0 || Math.sign(inventory) !== Math.sign(run.startInventory)) {
      this.finish('done', 'flat');
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

  onFill(_fill: Fill, order: ManagedOrder | null): void {
    const run = this.run;
    if (!run || run.status !== 'running' || !order || order.purpose !== 'flatten') return;
    const inventory = this.orders.inventoryLots();
    run.detail = `${Math.abs(inventory)} lots left of ${Math.abs(run.startInventory)}`;
    if (inventory === 0) this.finish('done', 'flat');
  }

  orderClosed(order: ManagedOrder, why: string): void {
    const run = this.run;
    if (!run || order.purpose !== 'flatten' || run.status !== 'running') return;
    if (why.startsWith('rejected')) run.detail = `order ${why}; retrying`;
    if (why === 'ioc-remainder' && this.orders.inventoryLots() !== 0) run.detail = `waiting for liquidity within the slippage cap (${Math.abs(this.orders.inventoryLots())} lots left)`;
  }

  cancel(reason: string, nowUs: LocalUs): void {
    const run = this.run;
    if (!run || run.status !== 'running') return;
    this.orders.cancelAll(nowUs, (order) => order.purpose === 'flatten');
    this.finish(reason.startsWith('halted') || reason === 'kill switch' ? 'stopped' : 'cancelled', reason);
  }

  view(lotToSize: (lots: Lots) => number): FlattenView | null {
    const run = this.run ?? this.lastFinished;
    if (!run) return null;
    return {
      style: run.style,
      startInventory: lotToSize(run.startInventory),
      remaining: lotToSize(run.status === 'running' ? this.orders.inventoryLots() : run.status === 'done' ? 0 : this.orders.inventoryLots()),
      startedAtMs: Math.floor(run.startedUs / 1000),
      status: run.status,
      detail: run.detail,
    };
  }

  private finish(status: 'done' | 'cancelled' | 'stopped', detail: string): void {
    const run = this.run;
    if (!run) return;
    run.status = status;
    run.detail = detail;
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
    if (order) this.hooks.progress(`flatten: IOC ${run.side} ${size} lots, limit ${run.limitPrice} ticks`);
    else run.detail = 'the risk gate refused a flatten order';
  }
}
