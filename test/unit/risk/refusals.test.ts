/**
 * Every refused order becomes a reason of its side, in words (issue 16, "Controls do what they say"): the
 * risk gate's refusals one by one (halted, paused, reduce-only on the growing side and past zero, storage
 * fault, the hard inventory limit), what the order manager makes of them, and on a running desk: reduce-only
 * works a position larger than the strategy's size down instead of being refused every cycle; a venue that
 * rejects quotes shows `venue-rejected` with the venue's words until it accepts again; a hard limit lowered
 * below the position leaves the reducing side quoting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NOT_QUOTING_TEXT } from '../../../src/shared/contract.js';
import { OrderManager, type Exposure, type ManagedOrder } from '../../../src/main/execution/order-manager.js';
import type { ExecutionVenue, Fill, OrderRequest, VenueListener, VenueOpenOrder } from '../../../src/main/execution/types.js';
import { RiskGate } from '../../../src/main/risk/risk-gate.js';
import { FILL_OFTEN, advance, advanceUntil, harness, merge, params, wrappedSimDesk } from './sim-support.js';

const { open, closeAll } = harness();
afterEach(closeAll);

const NO_HOOKS = { transitioned: () => undefined, breakerTripped: () => undefined, breakerCleared: () => undefined };

function gate(): RiskGate {
  return new RiskGate(params(FILL_OFTEN).risk, NO_HOOKS);
}

function order(side: 'buy' | 'sell', size: number, purpose: 'quote' | 'flatten' = 'quote'): OrderRequest {
  return { clientOrderId: 'x1', side, price: 10_000, size, timeInForce: 'gtc', postOnly: true, purpose };
}

function exposure(inventoryLots: number, openBuyLots = 0, openSellLots = 0): Exposure {
  return { inventoryLots, openBuyLots, openSellLots };
}

describe('the risk gate names every refusal', () => {
  it('halted: nothing but reduce-only flatten orders', () => {
    const risk = gate();
    risk.kill('test', 0);
    expect(risk.allows(order('buy', 5), exposure(0))).toEqual({ reason: 'halted', detail: 'halted: no new orders until re-armed' });
    expect(risk.allows(order('sell', 5, 'flatten'), exposure(10))).toBeNull();
  });

  it('paused: quotes pulled', () => {
    const risk = gate();
    risk.pause('test', 0);
    expect(risk.allows(order('sell', 5), exposure(10))).toEqual({ reason: 'paused', detail: 'paused: quotes pulled' });
  });

  it('reduce-only: an order on the growing side, and one that would take the position past zero', () => {
    const risk = gate();
    risk.reduce('test', 0);
    const growing = risk.allows(order('buy', 5), exposure(28));
    expect(growing?.reason).toBe('would-not-reduce');
    expect(growing?.detail).toBe('reduce-only: a buy order would grow the position (inventory 28 lots)');
    const tooLarge = risk.allows(order('sell', 100), exposure(28, 0, 0));
    expect(tooLarge?.reason).toBe('would-not-reduce');
    expect(tooLarge?.detail).toBe('reduce-only: 100 lots with 0 lots working would take inventory 28 lots past zero');
    expect(risk.allows(order('sell', 28), exposure(28))).toBeNull();
    expect(risk.allows(order('sell', 20), exposure(28, 0, 8))).toBeNull();
  });

  it('storage fault', () => {
    const risk = gate();
    risk.storageFailed('disk full', 0);
    // A storage fault halts, so the halt is what refuses; re-armed with the fault persisting it is refused too.
    expect(risk.allows(order('buy', 5), exposure(0))?.reason).toBe('halted');
    expect(risk.rearm('test', 1)).toMatch(/storage fault persists/);
  });

  it('the hard inventory limit, unless the order reduces', () => {
    const risk = gate();
    const refusal = risk.allows(order('buy', 20), exposure(290));
    expect(refusal).toEqual({ reason: 'inventory-limit', detail: 'would breach the hard inventory limit: 310 lots if filled, limit 300 lots' });
    expect(risk.allows(order('sell', 20), exposure(310))).toBeNull();
  });

  it('every reason has words a trader reads', () => {
    for (const [reason, text] of Object.entries(NOT_QUOTING_TEXT)) {
      expect(text.length, reason).toBeGreaterThan(4);
      expect(text, reason).not.toMatch(/^[a-z]+-[a-z]+$/); // not the code itself
    }
  });
});

/** A venue that accepts everything and remembers it (the order manager's own unit under test). */
class AcceptingVenue implements ExecutionVenue {
  readonly name = 'accepting';
  readonly submitted: OrderRequest[] = [];
  setListener(_listener: VenueListener): void {}
  submit(request: OrderRequest): void {
    this.submitted.push(request);
  }
  cancel(): void {}
  openOrders(): VenueOpenOrder[] {
    return [];
  }
  fillsSince(): Fill[] {
    return [];
  }
}

describe('the order manager keeps the refusal and sizes reduce-only orders', () => {
  const hooks = { journal: () => undefined, event: () => undefined, fill: (_f: Fill, _o: ManagedOrder | null) => undefined, orderClosed: () => undefined };

  it('reduce-only: without the flag a quote larger than the position is refused with the gate\'s words; with it, it is sized to the position', () => {
    const risk = gate();
    risk.reduce('test', 0);
    const venue = new AcceptingVenue();
    const orders = new OrderManager(venue, (request, exp) => risk.allows(request, exp), hooks, 'q', 1_000);
    orders.setInventory(-28);
    expect(orders.reconcileQuote('buy', { price: 9_999, size: 100 }, 0, 1, 0, 300)).toBe('refused');
    expect(orders.lastRefusal?.reason).toBe('would-not-reduce');
    expect(venue.submitted).toEqual([]);
    expect(orders.reconcileQuote('buy', { price: 9_999, size: 100 }, 0, 1, 0, 300, true)).toBe('placed');
    expect(venue.submitted.map((r) => [r.side, r.size])).toEqual([['buy', 28]]);
  });
});

describe('on a running desk', () => {
  it('reduce-only with the strategy size above |inventory|: the reducing side quotes at most |inventory| and works the position down', async () => {
    const run = await wrappedSimDesk(open, merge(FILL_OFTEN, { strategy: { size: { baseLots: 20, shrinkWithInventory: false } } }));
    expect(advanceUntil(run.sim, () => Math.abs(run.desk.orders.inventoryLots()) >= 30, 120)).toBe(true);
    expect(run.desk.setParams({ strategy: { size: { baseLots: 500 } } }, 'test').ok).toBe(true);
    const refusedBefore = run.desk.orders.refusedCount;
    expect(run.desk.reduceOnly('test').ok).toBe(true);
    const start = run.desk.orders.inventoryLots();
    const reducing = start > 0 ? 'ask' : 'bid';
    const growing = start > 0 ? 'bid' : 'ask';
    let sawQuote = false;
    let maxAbs = Math.abs(start);
    advance(run.sim, 60, 50_000, () => {
      const state = run.desk.state();
      const inventory = run.desk.orders.inventoryLots();
      maxAbs = Math.max(maxAbs, Math.abs(inventory));
      expect(state.reasons[growing]).toContain('reducing');
      expect(state.reasons[reducing]).not.toContain('would-not-reduce');
      const quote = state.quotes[reducing];
      if (quote !== null) {
        sawQuote = true;
        // Sizes are in instrument units; the sim's lot is 1.
        expect(quote.size).toBeLessThanOrEqual(Math.abs(inventory) + 1e-9);
      }
    });
    expect(sawQuote).toBe(true);
    expect(run.desk.orders.refusedCount).toBe(refusedBefore);
    expect(maxAbs).toBe(Math.abs(start));
    expect(Math.abs(run.desk.orders.inventoryLots())).toBeLessThan(Math.abs(start));
  });

  it('a venue that rejects quotes: venue-rejected with the venue\'s words, gone once it accepts again', async () => {
    const run = await wrappedSimDesk(open);
    advance(run.sim, 2);
    run.venue.rejectSubmits = 'post-only order would take liquidity';
    run.desk.pause('test');
    run.desk.resume('test');
    advance(run.sim, 1);
    const state = run.desk.state();
    expect(state.quotes).toEqual({ bid: null, ask: null });
    expect(state.reasons.bid).toContain('venue-rejected');
    expect(state.reasons.ask).toContain('venue-rejected');
    expect(state.refusals.bid).toBe('the venue rejected the order: post-only order would take liquidity');
    run.venue.rejectSubmits = null;
    expect(advanceUntil(run.sim, () => run.desk.state().quotes.bid !== null && run.desk.state().quotes.ask !== null, 10)).toBe(true);
    advance(run.sim, 1);
    const after = run.desk.state();
    expect(after.reasons.bid).not.toContain('venue-rejected');
    expect(after.refusals).toEqual({ bid: null, ask: null });
  });

  it('a hard limit lowered below the position: the growing side is at the limit, the reducing side quotes', async () => {
    const run = await wrappedSimDesk(open, merge(FILL_OFTEN, { strategy: { size: { baseLots: 20, shrinkWithInventory: true } } }));
    expect(advanceUntil(run.sim, () => Math.abs(run.desk.orders.inventoryLots()) >= 30, 120)).toBe(true);
    const inventory = Math.abs(run.desk.orders.inventoryLots());
    expect(run.desk.setParams({ risk: { maxInventoryLots: 20, softInventoryLots: 10 } }, 'test').ok).toBe(true);
    const long = run.desk.orders.inventoryLots() > 0;
    // The change requotes at once: read the reasons before any fill of the reducing side can move the position.
    const atChange = run.desk.state();
    expect(atChange.tradingState).toBe('active');
    expect(atChange.reasons[long ? 'bid' : 'ask']).toEqual(['inventory-limit']);
    expect(atChange.reasons[long ? 'ask' : 'bid']).toEqual([]);
    advance(run.sim, 0.5);
    const state = run.desk.state();
    if (Math.abs(run.desk.orders.inventoryLots()) >= 20) {
      expect(state.reasons[long ? 'bid' : 'ask']).toEqual(['inventory-limit']);
      expect(state.reasons[long ? 'ask' : 'bid']).toEqual([]);
      expect(state.quotes[long ? 'ask' : 'bid']).not.toBeNull();
    }
    expect(Math.abs(run.desk.orders.inventoryLots())).toBeLessThanOrEqual(inventory);
  });
});
