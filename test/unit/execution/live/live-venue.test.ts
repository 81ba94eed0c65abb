/**
 * The live venue's order lifecycle under the answers a real venue gives, in the orders that make live
 * trading go wrong: an acknowledgement lost and the order found (or not) by asking the venue; a cancel
 * racing a fill, ending in the venue's truth with every fill booked once; a cancel asked for while the
 * placement is unanswered; the same trade reported by the stream and by REST; the user stream dropping;
 * rejects in words a trader reads; fees converted to the quote currency; a fill off the grid booked, not
 * lost. The real order manager runs on top, so inventory and open orders are what the desk would hold.
 */
import { describe, expect, it } from 'vitest';
import { LiveVenue, type LiveVenueHooks } from '../../../../src/main/execution/live/live-venue.js';
import { OrderManager, type OrderManagerHooks } from '../../../../src/main/execution/order-manager.js';
import type { Fill } from '../../../../src/main/execution/types.js';
import { GatewayError, ScriptedGateway, state, trade } from './scripted-gateway.js';

const NOW = 1_700_000_000_000_000;

/** Lets every settled promise's callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function rig() {
  const gateway = new ScriptedGateway();
  const venue = new LiveVenue({ gateway, tickSize: '0.01', lotSize: '0.001', nowUs: () => NOW, log: () => undefined, resolveRetryMs: 1 });
  const fills: Fill[] = [];
  const events: Array<{ id: string; type: string; detail?: Record<string, unknown> }> = [];
  const closed: string[] = [];
  const hooks: OrderManagerHooks = {
    journal: () => undefined,
    event: (id, type, _us, detail) => events.push({ id, type, ...(detail ? { detail } : {}) }),
    fill: (fill) => fills.push(fill),
    orderClosed: (order, why) => closed.push(`${order.clientOrderId}:${why}`),
  };
  const orders = new OrderManager(venue, () => null, hooks, 'q', 1_000);
  const problems: string[] = [];
  const desk = { resyncs: [] as string[], downs: [] as string[] };
  const venueHooks: LiveVenueHooks = { resync: (why) => desk.resyncs.push(why), streamDown: (why) => desk.downs.push(why), problem: (text) => problems.push(text) };
  venue.setHooks(venueHooks);
  return { gateway, venue, orders, fills, events, closed, problems, desk };
}

async function started() {
  const r = rig();
  await r.venue.start();
  return r;
}

/** Places a 0.5 buy at 2500.00 as a post-only quote through the order manager. */
function quote(r: ReturnType<typeof rig>): string {
  const order = r.orders.sendOrder('buy', 250_000, 500, 'gtc', true, 'quote', NOW);
  if (!order) throw new Error('refused');
  return order.clientOrderId;
}

describe('live venue', () => {
  it('sends a quote post-only on the symbol grid and acks it when the venue does; lists it as the venue holds it', async () => {
    const r = await started();
    const id = quote(r);
    const placed = r.gateway.pending('place').args[0];
    expect(placed).toEqual({ clientOrderId: id, side: 'buy', price: '2500.00', quantity: '0.500', kind: 'post-only' });
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    expect(r.orders.liveOrders()[0]?.status).toBe('working');
    expect(r.venue.openOrders()).toEqual([{ clientOrderId: id, side: 'buy', price: 250_000, size: 500, filled: 0 }]);
  });

  it('rejects in words a trader reads: post-only would take, a filter, a rate limit (also a problem to show)', async () => {
    const r = await started();
    const a = quote(r);
    r.gateway.fail('place', new GatewayError('would-take', 'Order would immediately match and take.', -2010));
    const b = quote(r);
    r.gateway.fail('place', new GatewayError('filter', 'MIN_NOTIONAL: 1.25 < 5', -1013));
    const c = quote(r);
    r.gateway.fail('place', new GatewayError('rate-limited', '429', null, Date.UTC(2026, 0, 1)));
    await settle();
    const reasons = r.events.filter((e) => e.type === 'reject').map((e) => [e.id, e.detail?.['reason']]);
    expect(reasons).toEqual([
      [a, 'post-only quote would have taken liquidity (the market moved through it)'],
      [b, "refused by the symbol's filters: MIN_NOTIONAL: 1.25 < 5"],
      [c, 'rate limited by the venue until 2026-01-01T00:00:00.000Z'],
    ]);
    expect(r.problems).toEqual(['rate limited by the venue until 2026-01-01T00:00:00.000Z']);
    expect(r.orders.liveCount()).toBe(0);
  });

  it('resolves a lost acknowledgement by asking the venue, retrying until it answers, and never assumes', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.fail('place', new GatewayError('unknown-outcome', 'timed out after 5000 ms'));
    await settle();
    expect(r.orders.liveOrders()[0]?.status).toBe('pending-new');
    r.gateway.fail('query', new GatewayError('unknown-outcome', 'socket closed'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(r.gateway.count('query')).toBe(2);
    expect(r.orders.liveOrders()[0]?.status).toBe('pending-new');
    r.gateway.answer('query', state(id, 'new'));
    await settle();
    expect(r.orders.liveOrders()[0]?.status).toBe('working');
  });

  it('rejects a request the venue never received (its answer lost, the venue does not know it)', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.fail('place', new GatewayError('unknown-outcome', 'timed out'));
    await settle();
    r.gateway.answer('query', null);
    await settle();
    expect(r.events.find((e) => e.type === 'reject')).toEqual({ id, type: 'reject', detail: { reason: 'the venue never received it (its answer was lost and the venue does not know the order)' } });
    expect(r.orders.liveCount()).toBe(0);
  });

  it('books the fills of an order found filled after a lost acknowledgement, once, from REST', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.fail('place', new GatewayError('unknown-outcome', 'timed out'));
    await settle();
    r.gateway.answer('query', state(id, 'filled', '0.500'));
    await settle();
    expect(r.gateway.pending('trades').args[0]).toBe(NOW - 1_000_000);
    r.gateway.answer('trades', [trade('t1', id, '0.200'), trade('t2', id, '0.300'), trade('t9', 'someone-else', '1.000')]);
    await settle();
    expect(r.fills.map((f) => [f.fillId, f.size])).toEqual([
      ['binance-spot:t1', 200],
      ['binance-spot:t2', 300],
    ]);
    expect(r.orders.inventoryLots()).toBe(500);
    expect(r.closed).toEqual([`${id}:filled`]);
    // The stream reporting the same trades later books nothing more.
    r.gateway.emit({ type: 'trade', trade: trade('t2', id, '0.300'), state: state(id, 'filled', '0.500'), localUs: NOW });
    expect(r.fills).toHaveLength(2);
  });

  it('ends a cancel racing a fill in the venue truth when the stream tells first: the fill once, no guess', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    r.orders.cancelAll(NOW);
    expect(r.gateway.pending('cancel').args[0]).toBe(id);
    // The venue filled it before the cancel arrived: the stream says so, then the cancel is refused.
    r.gateway.emit({ type: 'trade', trade: trade('t7', id, '0.500'), state: state(id, 'filled', '0.500'), localUs: NOW });
    r.gateway.fail('cancel', new GatewayError('unknown-order', 'Unknown order sent.', -2011));
    await settle();
    expect(r.gateway.count('query')).toBe(0);
    expect(r.fills.map((f) => f.fillId)).toEqual(['binance-spot:t7']);
    expect(r.closed).toEqual([`${id}:filled`]);
    expect(r.orders.inventoryLots()).toBe(500);
    expect(r.venue.openOrders()).toEqual([]);
  });

  it('ends a cancel racing a fill in the venue truth when the refusal comes first: asks, books the fill once', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    r.orders.cancelAll(NOW);
    r.gateway.fail('cancel', new GatewayError('unknown-order', 'Unknown order sent.', -2011));
    await settle();
    r.gateway.answer('query', state(id, 'filled', '0.500'));
    await settle();
    r.gateway.answer('trades', [trade('t7', id, '0.500')]);
    await settle();
    // The stream's report of the same trade, arriving late, books nothing more.
    r.gateway.emit({ type: 'trade', trade: trade('t7', id, '0.500'), state: state(id, 'filled', '0.500'), localUs: NOW });
    expect(r.fills.map((f) => f.fillId)).toEqual(['binance-spot:t7']);
    expect(r.closed).toEqual([`${id}:filled`]);
    expect(r.orders.inventoryLots()).toBe(500);
    expect(r.venue.openOrders()).toEqual([]);
  });

  it('cancels an order whose placement is unanswered as soon as the venue acknowledges it', async () => {
    const r = await started();
    const id = quote(r);
    r.orders.cancelAll(NOW);
    expect(r.gateway.count('cancel')).toBe(0);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    expect(r.gateway.pending('cancel').args[0]).toBe(id);
    r.gateway.answer('cancel', state(id, 'cancelled'));
    await settle();
    expect(r.events.filter((e) => e.id === id).map((e) => e.type)).toEqual(['sent', 'cancel-requested', 'ack', 'cancelled']);
    expect(r.orders.liveCount()).toBe(0);
  });

  it('closes a partly filled, then cancelled order with what was left, and books the fill with both times', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    r.gateway.emit({ type: 'trade', trade: trade('t3', id, '0.100', { exchUs: NOW - 2_000 }), state: state(id, 'partially-filled', '0.100'), localUs: NOW });
    r.gateway.emit({ type: 'order', state: state(id, 'cancelled', '0.100'), localUs: NOW });
    expect(r.fills[0]).toMatchObject({ fillId: 'binance-spot:t3', size: 100, price: 250_000, exchUs: NOW - 2_000, localUs: NOW, liquidity: 'maker', fee: 0.01 });
    expect(r.events.find((e) => e.type === 'cancelled')?.detail).toEqual({ remaining: 400 });
  });

  it('converts a fee charged in the base asset at the trade price, and reports a fee in a third asset', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    r.gateway.emit({ type: 'trade', trade: trade('t4', id, '0.100', { commission: '0.0001', commissionAsset: 'ETH' }), state: state(id, 'partially-filled', '0.100'), localUs: NOW });
    r.gateway.emit({ type: 'trade', trade: trade('t5', id, '0.100', { commission: '0.002', commissionAsset: 'BNB' }), state: state(id, 'partially-filled', '0.200'), localUs: NOW });
    expect(r.fills.map((f) => f.fee)).toEqual([0.25, 0]);
    expect(r.problems).toEqual(['fee of trade t5 paid in BNB (0.002): not in the PnL; pay fees in USDT or ETH']);
  });

  it('books a fill off the grid at the nearest step and raises it as a problem, never dropping it', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    r.gateway.emit({ type: 'trade', trade: trade('t6', id, '0.1005'), state: state(id, 'partially-filled', '0.1005'), localUs: NOW });
    expect(r.fills.map((f) => f.size)).toEqual([101]);
    expect(r.problems[0]).toMatch(/trade t6 quantity 0\.1005 is off the symbol's grid 0\.001/);
  });

  it('tells the desk when the user stream drops and when it is back (to reconcile), once each', async () => {
    const r = await started();
    r.gateway.emit({ type: 'stream', status: 'down', detail: 'socket closed (1006)', localUs: NOW });
    r.gateway.emit({ type: 'stream', status: 'down', detail: 'reconnect failed', localUs: NOW });
    r.gateway.emit({ type: 'stream', status: 'up', detail: 'subscribed', localUs: NOW });
    expect(r.desk.downs).toEqual(['socket closed (1006)']);
    expect(r.desk.resyncs).toEqual(['user data stream back: subscribed']);
    expect(r.venue.status().userStream).toBe('up');
  });

  it('prepares a reconciliation from the venue answers, and settles an order it no longer lists by asking', async () => {
    const r = await started();
    const id = quote(r);
    r.gateway.answer('place', state(id, 'new'));
    await settle();
    const preparing = r.venue.prepare(NOW - 60_000_000);
    r.gateway.answer('openOrders', []);
    r.gateway.answer('trades', [trade('t8', id, '0.500')]);
    r.gateway.answer('holdings', { kind: 'balances', base: { asset: 'ETH', free: '1.5', locked: '0' }, quote: { asset: 'USDT', free: '100', locked: '0' } });
    await preparing;
    expect(r.venue.fillsSince(NOW - 60_000_000).map((f) => f.fillId)).toEqual(['binance-spot:t8']);
    expect(r.venue.holdings()).toMatchObject({ kind: 'balances', base: { free: '1.5' } });
    expect(r.gateway.pending('query').args[0]).toBe(id);
  });

  it('refuses an order kind a live venue does not take (GTC that may take), asynchronously', async () => {
    const r = await started();
    const order = r.orders.sendOrder('buy', 250_000, 500, 'gtc', false, 'flatten', NOW);
    expect(order?.status).toBe('pending-new');
    await settle();
    expect(r.events.find((e) => e.type === 'reject')?.detail).toEqual({ reason: 'a live venue takes post-only GTC quotes and IOC orders only' });
    expect(r.gateway.count('place')).toBe(0);
  });
});
