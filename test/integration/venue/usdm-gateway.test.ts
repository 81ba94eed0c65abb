/**
 * The Binance USD-M gateway against the local exchange over real sockets on 127.0.0.1: HMAC and Ed25519
 * keys, GTX post-only refused by -5022, IOC, filters before sending and the venue's own (-4016/-4024),
 * reduce-only and margin refusals by name, cancel-all confirmed by the stream and openOrders, the
 * dead-man's switch cancelling by itself when not re-armed (and not while disarmed), the listenKey kept
 * alive, expired and dropped (reported down, then up), a lost answer found by query, and the position
 * agreeing with the fills.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { addDec, compareDec, mulDec, parseSignedDec, subDec, type Dec } from '../../../src/main/execution/venues/common/decimal.js';
import { cleanups, connect, ED_CREDENTIALS, isOrder, isStream, isTrade, refusal, type Session, startVenue, touch } from '../../support/local-venue.js';

const cleanup = cleanups();
afterEach(() => cleanup.run());

async function session(gatewayOptions: Parameters<typeof connect>[2] = {}, credentials?: Parameters<typeof connect>[1]): Promise<Session> {
  const venue = await startVenue('binance-usdm');
  cleanup.add(() => venue.stop());
  const s = await connect(venue, credentials, gatewayOptions);
  cleanup.add(() => s.gateway.stop());
  venue.exchange.pause();
  return s;
}


function dec(text: string): Dec {
  const value = parseSignedDec(text);
  if (!value) throw new Error(`not a decimal: ${text}`);
  return value;
}

describe('USD-M gateway: order entry', () => {
  it('places GTX quotes with either key; refuses one that would take with -5022; IOC takes', async () => {
    const { venue, gateway, rec } = await session({}, ED_CREDENTIALS);
    const { px, bid, ask } = touch(venue);
    expect(await gateway.place({ clientOrderId: 'g1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).toMatchObject({ status: 'new', price: px(bid - 2), quantity: '0.10' });
    await rec.next(isOrder('g1', 'new'), 'g1 on the stream');
    expect(await refusal(gateway.place({ clientOrderId: 'g2', side: 'sell', price: px(bid), quantity: '0.10', kind: 'post-only' }))).toMatchObject({ code: 'would-take', venueCode: -5022 });
    const ioc = await gateway.place({ clientOrderId: 'g3', side: 'buy', price: px(ask), quantity: '0.05', kind: 'ioc' });
    expect(ioc.executedQuantity).toBe('0.05');
    const trade = await rec.next(isTrade('g3'), 'the IOC fill');
    expect(trade.trade).toMatchObject({ maker: false, commissionAsset: 'USDT', price: px(ask) });
  });

  it('refuses filter breaks before sending; maps the venue\'s PERCENT_PRICE, reduce-only and margin refusals by name', async () => {
    const { venue, gateway } = await session();
    const { px, bid } = touch(venue);
    const before = venue.stats.requests;
    expect((await refusal(gateway.place({ clientOrderId: 'n1', side: 'buy', price: px(bid - 2), quantity: '0.04', kind: 'post-only' }))).message).toContain('MIN_NOTIONAL');
    expect((await refusal(gateway.place({ clientOrderId: 'n2', side: 'buy', price: px(bid - 2), quantity: '0.123', kind: 'post-only' }))).message).toContain('LOT_SIZE');
    expect(venue.stats.requests).toBe(before);
    const high = await refusal(gateway.place({ clientOrderId: 'n3', side: 'sell', price: px(Math.ceil(bid * 1.3)), quantity: '0.10', kind: 'post-only' }));
    expect(high).toMatchObject({ code: 'filter', venueCode: -4016 });
    expect(await refusal(gateway.place({ clientOrderId: 'n4', side: 'sell', price: px(bid + 5), quantity: '0.10', kind: 'post-only', reduceOnly: true }))).toMatchObject({ code: 'rejected', venueCode: -2022 });
    const huge = await refusal(gateway.place({ clientOrderId: 'n5', side: 'buy', price: px(bid - 2), quantity: '30000', kind: 'post-only' }));
    expect(huge).toMatchObject({ code: 'insufficient-balance', venueCode: -2019 });
    expect(huge.message).toContain('-2019 MARGIN_NOT_SUFFICIEN: Margin is insufficient.');
  });

  it('cancel-all is confirmed by the stream and by openOrders; unknown orders by name', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid } = touch(venue);
    for (const id of ['c1', 'c2']) await gateway.place({ clientOrderId: id, side: 'buy', price: px(bid - 4), quantity: '0.10', kind: 'post-only' });
    expect(await gateway.cancelAll()).toBeNull();
    await rec.next(isOrder('c1', 'cancelled'), 'c1 cancelled');
    await rec.next(isOrder('c2', 'cancelled'), 'c2 cancelled');
    expect(await gateway.openOrders()).toEqual([]);
    expect(await refusal(gateway.cancel('c1'))).toMatchObject({ code: 'unknown-order', venueCode: -2011 });
    expect(await gateway.query('never')).toBeNull();
  });

  it('a lost answer is unknown-outcome and the order is found by query', async () => {
    const { venue, gateway } = await session({ requestTimeoutMs: 400 });
    const { px, bid } = touch(venue);
    venue.loseNextAnswers(1);
    expect(await refusal(gateway.place({ clientOrderId: 'l1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }))).toMatchObject({ code: 'unknown-outcome' });
    expect(await gateway.query('l1')).toMatchObject({ status: 'new' });
  });
});

describe("USD-M gateway: the dead-man's switch", () => {
  it('cancels our orders by itself when it is not re-armed, and not while disarmed', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid } = touch(venue);
    await gateway.place({ clientOrderId: 'd1', side: 'buy', price: px(bid - 3), quantity: '0.10', kind: 'post-only' });
    await gateway.armDeadMansSwitch(150);
    await gateway.armDeadMansSwitch(0); // disarmed before it runs out
    const armedAt = Date.now();
    await gateway.armDeadMansSwitch(400);
    const cancelled = await rec.next(isOrder('d1', 'cancelled'), 'the countdown cancelling d1');
    // why: it fired from the 400 ms arming, not the disarmed 150 ms one
    expect(cancelled.localUs / 1_000 - armedAt).toBeGreaterThanOrEqual(390);
    expect(await gateway.openOrders()).toEqual([]);
    expect(venue.exchange.countdownArmed()).toBe(false);
  });
});

describe('USD-M gateway: the listenKey stream', () => {
  it('keeps the key alive with PUT on its schedule', async () => {
    const venue = await startVenue('binance-usdm');
    cleanup.add(() => venue.stop());
    const s = await connect(venue, undefined, { listenKeyKeepAliveMs: 50 });
    cleanup.add(() => s.gateway.stop());
    await once(venue.observed, 'listenKeyKeepAlive');
    await once(venue.observed, 'listenKeyKeepAlive');
    expect(venue.stats.listenKeyKeepAlives).toBeGreaterThanOrEqual(2);
  });

  it('reports an expired key and a dropped connection, and comes back with a key that works', async () => {
    const { venue, gateway, rec } = await session();
    let from = rec.events.length;
    venue.expireListenKey();
    await rec.next(isStream('down'), 'down after listenKeyExpired', from);
    await rec.next(isStream('up'), 'up with a new key', from);
    from = rec.events.length;
    venue.dropUserStreams();
    await rec.next(isStream('down'), 'down after the drop', from);
    await rec.next(isStream('up'), 'up after the drop', from);
    const { px, bid } = touch(venue);
    await gateway.place({ clientOrderId: 'k1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' });
    await rec.next(isOrder('k1', 'new'), 'events on the new stream', from);
  });
});

describe('USD-M gateway: position', () => {
  it('the position is the signed sum of the fills, at their average price', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid, ask } = touch(venue);
    await gateway.place({ clientOrderId: 'p1', side: 'buy', price: px(ask + 1), quantity: '0.30', kind: 'ioc' });
    const inside = bid + 1 < ask ? bid + 1 : bid;
    await gateway.place({ clientOrderId: 'p2', side: 'buy', price: px(inside), quantity: '0.20', kind: 'post-only' });
    venue.fillOrder('p2', '0.20');
    await rec.next(isTrade('p2'), 'p2 filled');
    // a reduce-only order may be below the minimum notional
    await gateway.place({ clientOrderId: 'p3', side: 'sell', price: px(bid - 1), quantity: '0.01', kind: 'ioc', reduceOnly: true });
    const trades = (await gateway.trades(Date.now() * 1_000 - 60_000_000)).filter((t) => ['p1', 'p2', 'p3'].includes(t.clientOrderId));
    let position: Dec = { units: 0n, scale: 0 };
    let boughtCost: Dec = { units: 0n, scale: 0 };
    let bought: Dec = { units: 0n, scale: 0 };
    for (const t of trades) {
      const q = dec(t.quantity);
      position = t.side === 'buy' ? addDec(position, q) : subDec(position, q);
      if (t.side === 'buy') {
        boughtCost = addDec(boughtCost, mulDec(dec(t.price), q));
        bought = addDec(bought, q);
      }
    }
    const holdings = await gateway.holdings();
    if (holdings.kind !== 'position') throw new Error('USD-M holds a position');
    expect(compareDec(dec(holdings.positionAmount), position)).toBe(0);
    // entry = cost / qty of the buys (a reducing sell leaves the average unchanged), to 8 decimals
    const entry = dec(holdings.entryPrice);
    const scale = 8;
    const expected = (boughtCost.units * 10n ** BigInt(scale + bought.scale)) / (bought.units * 10n ** BigInt(boughtCost.scale));
    expect(entry.units * 10n ** BigInt(scale - entry.scale)).toBe(expected);
  });
});
