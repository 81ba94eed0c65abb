/**
 * The Bybit v5 gateways (spot and linear) against the local exchange speaking Bybit, over real sockets on
 * 127.0.0.1: post-only quotes rest, a crossing post-only quote is rejected by its name
 * (EC_PostOnlyWillTakeLiquidity), filters refused before sending and the venue's own refusals by retCode,
 * partial fills with execId / execTime and the trade history agreeing, a lost answer resolved by asking for
 * the orderLinkId, a duplicated execution booked once (execId), a cancel racing a fill ending in the venue's
 * truth, the kill (cancel-all, then no open order at the venue), DCP armed — the monitor says so — and the
 * venue cancelling our orders by itself once the desk is cut off past the window (not before), retCode
 * 10006 backed off until the venue's reset time with nothing sent meanwhile, 10002 answered by measuring
 * the venue's clock again, and the private stream's loss and return reported.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveVenue } from '../../../src/main/execution/live/live-venue.js';
import type { Fill, VenueListener } from '../../../src/main/execution/types.js';
import type { BybitVenue } from '../../../src/main/execution/live/gateway.js';
import { DecimalGrid } from '../../../src/shared/units.js';
import { connectBybit, signedRequest, startBybitVenue, bybitGatewayFor, type BybitSession } from '../../support/bybit-venue.js';
import { cleanups, isOrder, isStream, isTrade, recorder, refusal } from '../../support/local-venue.js';
import type { BybitLocalExchange } from '../../../src/main/venue-sim/index.js';

const cleanup = cleanups();
afterEach(() => cleanup.run());

async function session(dialect: BybitVenue, options: Parameters<typeof connectBybit>[1] = {}): Promise<BybitSession> {
  const venue = await startBybitVenue(dialect);
  cleanup.add(() => venue.stop());
  const s = await connectBybit(venue, options);
  cleanup.add(() => s.gateway.stop());
  venue.exchange.pause();
  return s;
}

function touch(venue: BybitLocalExchange): { bid: number; ask: number; px(ticks: number): string } {
  const grid = new DecimalGrid(venue.spec.tickSize);
  return { bid: venue.exchange.book.bestBid(), ask: venue.exchange.book.bestAsk(), px: (t) => grid.format(t) };
}

/** A live venue on the gateway with a listener that records what the order manager would hear. */
async function liveVenue(venue: BybitLocalExchange, options: { deadMansSwitchMs?: number; requestTimeoutMs?: number } = {}) {
  const gateway = bybitGatewayFor(venue, undefined, { requestTimeoutMs: options.requestTimeoutMs ?? 2_000 });
  const live = new LiveVenue({ gateway, tickSize: venue.spec.tickSize, lotSize: venue.spec.stepSize, nowUs: () => Date.now() * 1_000, log: () => undefined, resolveRetryMs: 50, ...(options.deadMansSwitchMs !== undefined ? { deadMansSwitchMs: options.deadMansSwitchMs } : {}) });
  const heard = recorder();
  const fills: Fill[] = [];
  const log: string[] = [];
  // every change the test waits on is announced to the recorder, so waits re-check on it (no polling)
  const note = (text: string | null): void => {
    if (text !== null) log.push(text);
    heard.listener({ type: 'limits', usage: gateway.usage() });
  };
  const arm = gateway.armDeadMansSwitch.bind(gateway);
  // why: the live venue sets its switch status after this promise settles: announce it on the next turn
  gateway.armDeadMansSwitch = (ms) => arm(ms).finally(() => setImmediate(() => note(null)));
  const listener: VenueListener = {
    onAck: (id) => note(`ack ${id}`),
    onReject: (id, reason) => note(`reject ${id}: ${reason}`),
    onFill: (fill) => (fills.push(fill), note(null)),
    onDone: (id, remaining, why) => note(`done ${id} ${why} ${remaining}`),
  };
  live.setListener(listener);
  live.setHooks({ resync: (why) => note(`resync ${why}`), streamDown: (why) => note(`down ${why}`), problem: (text) => note(`problem ${text}`) });
  await live.start();
  cleanup.add(() => live.stop());
  venue.exchange.pause();
  const until = (cond: () => boolean, what: string, ms?: number): Promise<void> => heard.until(cond, what, ms);
  return { live, gateway, fills, log, until };
}

describe.each(['bybit-linear', 'bybit-spot'] as const)('%s gateway: order entry', (dialect) => {
  it('quotes rest post-only; a crossing post-only quote is rejected by name; IOC takes', async () => {
    const { venue, gateway, rec } = await session(dialect);
    const { px, bid, ask } = touch(venue);
    expect(await gateway.place({ clientOrderId: 'q1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).toMatchObject({ status: 'new', price: px(bid - 2), quantity: '0.10', executedQuantity: '0.00' });
    await rec.next(isOrder('q1', 'new'), 'q1 on the private stream');
    expect(venue.exchange.openOrders().map((o) => [o.clientOrderId, o.timeInForce])).toEqual([['q1', 'GTX']]);
    // Bybit accepts a crossing PostOnly order and cancels it at once: the gateway names it either way
    let named: string;
    try {
      await gateway.place({ clientOrderId: 'q2', side: 'sell', price: px(bid), quantity: '0.10', kind: 'post-only' });
      const rejected = await rec.next(isOrder('q2', 'rejected'), 'q2 cancelled as a taker');
      named = rejected.state.reason ?? '';
    } catch (error) {
      named = (error as Error).message;
      expect(error).toMatchObject({ code: 'would-take' });
    }
    expect(named).toContain('EC_PostOnlyWillTakeLiquidity');
    expect(await gateway.query('q2')).toMatchObject({ status: 'rejected' });
    expect(venue.exchange.openOrders().map((o) => o.clientOrderId)).toEqual(['q1']);
    await gateway.place({ clientOrderId: 'q3', side: 'buy', price: px(ask), quantity: '0.05', kind: 'ioc' });
    const trade = await rec.next(isTrade('q3'), 'the IOC fill');
    expect(trade.trade).toMatchObject({ maker: false, price: px(ask), side: 'buy' });
    expect(trade.trade.tradeId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('partial fills carry execId and execTime; the trade history and the holdings agree', async () => {
    const { venue, gateway, rec } = await session(dialect);
    const { px, bid } = touch(venue);
    const before = await gateway.holdings();
    await gateway.place({ clientOrderId: 'p1', side: 'buy', price: px(bid - 1), quantity: '0.40', kind: 'post-only' });
    venue.fillOrder('p1', '0.10');
    const first = await rec.next(isTrade('p1'), 'first partial fill');
    expect(first.state).toMatchObject({ status: 'partially-filled', executedQuantity: '0.10' });
    expect(first.trade).toMatchObject({ quantity: '0.10', maker: true });
    venue.fillOrder('p1', '0.30');
    await rec.next(isOrder('p1', 'filled'), 'p1 filled');
    const streamed = rec.events.filter(isTrade('p1')).map((e) => e.trade);
    const history = (await gateway.trades(Date.now() * 1_000 - 60_000_000)).filter((t) => t.clientOrderId === 'p1');
    expect(history).toEqual(streamed);
    const total = history.reduce((sum, t) => sum + Math.round(Number(t.quantity) * 100), 0);
    expect(total).toBe(40);
    for (const t of history) expect(Math.abs(t.exchUs / 1_000 - Date.now())).toBeLessThan(60_000);
    const after = await gateway.holdings();
    if (after.kind === 'position') {
      expect(after.positionAmount).toBe('0.40');
      expect(before).toMatchObject({ positionAmount: '0' });
    } else if (before.kind === 'balances') {
      // spot: the buy's fee is paid in the base asset (Bybit's spot fee currency rule)
      const fees = history.reduce((sum, t) => sum + Number(t.commission), 0);
      expect(history.every((t) => t.commissionAsset === 'SIM')).toBe(true);
      expect(Number(after.base.free) - Number(before.base.free)).toBeCloseTo(0.4 - fees, 8);
    }
  });

  it('refuses filter breaks before sending; maps the venue\'s refusals by retCode', async () => {
    const { venue, gateway } = await session(dialect);
    const { px, bid } = touch(venue);
    const before = venue.stats.requests;
    expect((await refusal(gateway.place({ clientOrderId: 'f1', side: 'buy', price: `${px(bid - 2)}5`, quantity: '0.10', kind: 'post-only' }))).message).toContain('tickSize');
    expect((await refusal(gateway.place({ clientOrderId: 'f2', side: 'buy', price: px(bid - 2), quantity: '0.105', kind: 'post-only' }))).message).toMatch(/qtyStep|basePrecision/);
    expect((await refusal(gateway.place({ clientOrderId: 'f3', side: 'buy', price: px(bid - 2), quantity: '0.01', kind: 'post-only' }))).message).toMatch(/minNotionalValue|minOrderAmt/);
    expect((await refusal(gateway.place({ clientOrderId: 'bad.id', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }))).message).toContain('orderLinkId');
    expect(venue.stats.requests).toBe(before);
    const huge = await refusal(gateway.place({ clientOrderId: 'f4', side: 'buy', price: px(bid - 2), quantity: '90000', kind: 'post-only' }));
    expect(huge).toMatchObject({ code: 'insufficient-balance', venueCode: dialect === 'bybit-spot' ? 170131 : 110007 });
    venue.rejectNextOrder(10001);
    expect(await refusal(gateway.place({ clientOrderId: 'f5', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }))).toMatchObject({ code: 'rejected', venueCode: 10001 });
    expect(await refusal(gateway.cancel('never-placed'))).toMatchObject({ code: 'unknown-order', venueCode: dialect === 'bybit-spot' ? 170213 : 110001 });
    expect(await gateway.query('never-placed')).toBeNull();
  });
});

describe('Bybit gateway through the live venue: the order lifecycle', () => {
  it('a lost answer is resolved by asking the venue for the orderLinkId', async () => {
    const venue = await startBybitVenue('bybit-linear');
    cleanup.add(() => venue.stop());
    const v = await liveVenue(venue, { requestTimeoutMs: 300 });
    const { bid } = touch(venue);
    venue.loseNextAnswers(1);
    v.live.submit({ clientOrderId: 'lost1', side: 'buy', price: bid - 2, size: 10, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, Date.now() * 1_000);
    await v.until(() => v.log.includes('ack lost1'), 'lost1 acknowledged');
    expect(venue.stats.lostAnswers).toBe(1);
    expect(v.live.openOrders().map((o) => o.clientOrderId)).toEqual(['lost1']);
    expect(v.log.filter((l) => l.startsWith('reject'))).toEqual([]);
  });

  it('an execution sent twice is booked once (execId)', async () => {
    const venue = await startBybitVenue('bybit-linear');
    cleanup.add(() => venue.stop());
    const v = await liveVenue(venue);
    const { bid } = touch(venue);
    v.live.submit({ clientOrderId: 'dup1', side: 'buy', price: bid - 1, size: 20, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, Date.now() * 1_000);
    await v.until(() => v.log.includes('ack dup1'), 'dup1 acknowledged');
    venue.duplicateNextExecutions(1);
    let sent = 0;
    venue.observed.on('request', () => sent++);
    venue.fillOrder('dup1', '0.05');
    venue.fillOrder('dup1', '0.05');
    await v.until(() => v.fills.length >= 2, 'two fills');
    const trades = await v.gateway.trades(Date.now() * 1_000 - 60_000_000);
    expect(trades).toHaveLength(2);
    expect(v.fills.map((f) => f.fillId).sort()).toEqual(trades.map((t) => `bybit-linear:${t.tradeId}`).sort());
    expect(sent).toBe(1); // the trades() call above: the duplicate cost no request
  });

  it('a cancel racing a fill ends in the venue\'s truth: filled, the fill booked once, no cancel', async () => {
    const venue = await startBybitVenue('bybit-linear');
    cleanup.add(() => venue.stop());
    const v = await liveVenue(venue);
    const { bid } = touch(venue);
    v.live.submit({ clientOrderId: 'race1', side: 'buy', price: bid - 1, size: 10, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, Date.now() * 1_000);
    await v.until(() => v.log.includes('ack race1'), 'race1 acknowledged');
    venue.exchange.faults.raceNextCancel = 'fill';
    v.live.cancel('race1', Date.now() * 1_000);
    await v.until(() => v.fills.length === 1, 'race1 filled at the venue');
    await v.live.refreshOpenOrders();
    expect(v.live.openOrders()).toEqual([]);
    expect(v.fills[0]).toMatchObject({ clientOrderId: 'race1', size: 10, liquidity: 'maker' });
    expect(await v.gateway.query('race1')).toMatchObject({ status: 'filled', executedQuantity: '0.10' });
    expect(v.log.some((l) => l.startsWith('done race1'))).toBe(false);
    expect(venue.exchange.openOrders()).toEqual([]);
  });

  it('kill: cancel-all, then the venue confirms no open order', async () => {
    const venue = await startBybitVenue('bybit-spot');
    cleanup.add(() => venue.stop());
    const v = await liveVenue(venue);
    const { bid, ask } = touch(venue);
    for (const [i, side] of (['buy', 'sell', 'buy'] as const).entries()) {
      v.live.submit({ clientOrderId: `k${i}`, side, price: side === 'buy' ? bid - 2 - i : ask + 2 + i, size: 10, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, Date.now() * 1_000);
    }
    await v.until(() => v.live.openOrders().length === 3, 'three quotes open');
    await v.live.cancelAllAtVenue();
    const mark = v.live.openOrdersMark();
    await v.live.refreshOpenOrders();
    expect(v.live.answeredAfter(mark)).toBe(true);
    expect(v.live.openOrders()).toEqual([]);
    expect(venue.exchange.openOrders()).toEqual([]);
    await v.until(() => v.log.filter((l) => l.startsWith('done')).length === 3, 'three cancels heard');
  });
});

describe("Bybit gateway: Disconnection Protection (the dead-man's switch)", () => {
  it('is armed and said to be; the venue cancels our orders by itself once we are cut off past the window', async () => {
    const venue = await startBybitVenue('bybit-linear');
    cleanup.add(() => venue.stop());
    const v = await liveVenue(venue, { deadMansSwitchMs: 3_000 });
    expect(v.live.status().deadMansSwitch).toBe('armed');
    expect(v.live.symbolRules()?.deadMansSwitch).toBe(true);
    expect(venue.dcpArmed()).toBe(true);
    expect(venue.privateStreams.dcpInfo()).toEqual([{ product: 'DERIVATIVES', dcpStatus: 'ON', timeWindow: '3' }]);
    const { bid } = touch(venue);
    v.live.submit({ clientOrderId: 'dcp1', side: 'buy', price: bid - 3, size: 10, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, Date.now() * 1_000);
    await v.until(() => v.log.includes('ack dcp1'), 'dcp1 acknowledged');
    const cutAt = Date.now();
    venue.cutPrivateStreams(true);
    await once(venue.observed, 'dcp');
    const firedAfter = Date.now() - cutAt;
    expect(firedAfter).toBeGreaterThanOrEqual(2_900);
    expect(venue.exchange.openOrders()).toEqual([]);
    expect(venue.exchange.find({ clientOrderId: 'dcp1' })?.endReason).toBe('DCP');
    // cut off, the switch cannot be armed on a live connection: the monitor must not say armed
    await v.until(() => v.live.status().deadMansSwitch === 'failing', 'the monitor saying the switch is failing', 5_000);
    venue.cutPrivateStreams(false);
    await v.until(() => v.log.some((l) => l.startsWith('resync')), 'the stream back');
    await v.until(() => v.live.status().deadMansSwitch === 'armed', 'armed again', 5_000);
    const state = await v.gateway.query('dcp1');
    expect(state).toMatchObject({ status: 'cancelled', reason: 'CancelByDCP' });
  });

  it('does not fire while the private connection lives, and stands down when disarmed', async () => {
    const { venue, gateway } = await session('bybit-spot');
    const { px, bid } = touch(venue);
    await gateway.armDeadMansSwitch(3_000);
    expect(gateway.dcpCarried()).toBe(true);
    await gateway.place({ clientOrderId: 'alive1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' });
    const from = Date.now();
    // the heartbeat follows the 3 s window (a ping a second, not the default 20 s): four of them span more
    // than the window, with the connection alive throughout
    for (let i = 0; i < 4; i++) await once(venue.observed, 'ping');
    expect(Date.now() - from).toBeGreaterThan(3_000);
    expect(Date.now() - from).toBeLessThan(15_000);
    expect(venue.privateStreams.stats.dcpFired).toBe(0);
    expect(venue.exchange.openOrders().map((o) => o.clientOrderId)).toEqual(['alive1']);
    await gateway.armDeadMansSwitch(0);
    expect(venue.dcpArmed()).toBe(false);
    expect(await refusal(gateway.armDeadMansSwitch(1_000))).toMatchObject({ code: 'rejected' });
    expect(await refusal(gateway.armDeadMansSwitch(301_000))).toMatchObject({ code: 'rejected' });
  });
});

describe('Bybit gateway: rate limits', () => {
  it('retCode 10006 backs off until the reset time, sends nothing meanwhile, then trades again', async () => {
    const { venue, gateway, rec } = await session('bybit-linear');
    venue.setLimit('/v5/order/create', 3);
    const { px, bid } = touch(venue);
    // another client of the same account (UID) uses the second's budget
    for (let i = 0; i < 3; i++) {
      const answer = await signedRequest(venue, 'POST', '/v5/order/create', { category: 'linear', symbol: venue.spec.symbol, side: 'Buy', orderType: 'Limit', qty: '0.10', price: px(bid - 5 - i), timeInForce: 'PostOnly', orderLinkId: `other${i}` });
      expect(answer.body['retCode']).toBe(0);
    }
    const limited = await refusal(gateway.place({ clientOrderId: 'r1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }));
    expect(limited).toMatchObject({ code: 'rate-limited', venueCode: 10006 });
    expect(limited.retryAtMs).not.toBeNull();
    const backOff = await rec.next((e): e is Extract<typeof e, { type: 'limits' }> => e.type === 'limits' && e.usage.backOffUntilMs !== null, 'the back-off in the limits');
    const afterBackOff = rec.events.indexOf(backOff) + 1;
    const sent = venue.stats.requests;
    const held = await refusal(gateway.place({ clientOrderId: 'r2', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }));
    expect(held.code).toBe('rate-limited');
    expect(held.message).toContain('held back');
    expect(venue.stats.requests).toBe(sent);
    await rec.next((e): e is Extract<typeof e, { type: 'limits' }> => e.type === 'limits' && e.usage.backOffUntilMs === null, 'the back-off over', afterBackOff, 5_000);
    expect(Date.now()).toBeGreaterThanOrEqual(limited.retryAtMs ?? 0);
    expect((await gateway.place({ clientOrderId: 'r3', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).status).toBe('new');
    expect(gateway.usage()).toMatchObject({ ordersLimit: 3, ordersWindowMs: 1_000 });
  });

  it('retCode 10002 (outside the receive window) resynchronises the venue clock, and the retry is accepted', async () => {
    const { venue, gateway } = await session('bybit-linear');
    const { px, bid } = touch(venue);
    venue.exchange.clockSkewMs = -3_000; // the venue's clock now runs 3 s behind the offset the gateway measured
    const refused = await refusal(gateway.place({ clientOrderId: 't1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }));
    expect(refused).toMatchObject({ code: 'timestamp', venueCode: 10002 });
    expect((await gateway.place({ clientOrderId: 't1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).status).toBe('new');
  });

  it('reports the private stream going down and coming back', async () => {
    const { venue, rec } = await session('bybit-linear');
    const from = rec.events.length;
    venue.dropPrivateStreams();
    await rec.next(isStream('down'), 'down', from);
    await rec.next(isStream('up'), 'up', from);
  });
});
