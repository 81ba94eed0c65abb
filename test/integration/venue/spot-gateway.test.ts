/**
 * The Binance spot gateway against the local exchange over real sockets on 127.0.0.1 (never a real
 * venue): signed requests with HMAC and Ed25519 keys, wrong keys and signatures refused by name, the clock
 * offset measured and a -1021 answered by a resync, filters refused before sending and the venue's own
 * filter refusal mapped, post-only that would take refused by name, IOC, self-trade prevention, cancel-all,
 * unknown orders, the user stream's new / partial / fill / cancel / expire events, a dropped stream
 * reported and resumed, a lost answer reported as 'unknown-outcome' with the order then found by query, a
 * cancel that loses the race to a fill, a venue that ignores cancels, trades with their client ids and
 * balances that add up to the fills.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../../src/main/execution/live/gateway.js';
import { addDec, formatDec, mulDec, parseDec, subDec, type Dec } from '../../../src/main/execution/venues/common/decimal.js';
import { API_KEY, cleanups, connect, ED_CREDENTIALS, gatewayFor, isOrder, isStream, isTrade, recorder, refusal, type Session, startVenue, touch } from '../../support/local-venue.js';

const cleanup = cleanups();
afterEach(() => cleanup.run());

async function session(options: Parameters<typeof startVenue>[1] = {}, credentials = undefined as Parameters<typeof connect>[1] | undefined, gatewayOptions: Parameters<typeof connect>[2] = {}): Promise<Session> {
  const venue = await startVenue('binance-spot', options);
  cleanup.add(() => venue.stop());
  const s = await connect(venue, credentials, gatewayOptions);
  cleanup.add(() => s.gateway.stop());
  // why: a frozen market makes prices and fills depend only on the test's own actions
  venue.exchange.pause();
  return s;
}


function dec(text: string): Dec {
  const value = parseDec(text);
  if (!value) throw new Error(`not a decimal: ${text}`);
  return value;
}

describe('spot gateway: keys, signatures and the clock', () => {
  it('starts and trades with an HMAC key and with an Ed25519 key', async () => {
    const hmac = await session();
    const { px, bid } = touch(hmac.venue);
    const placed = await hmac.gateway.place({ clientOrderId: 'hm1', side: 'buy', price: px(bid - 3), quantity: '0.10', kind: 'post-only' });
    expect(placed).toMatchObject({ clientOrderId: 'hm1', status: 'new', price: px(bid - 3) + '000000', executedQuantity: '0.00000000' });
    const ed = await connect(hmac.venue, ED_CREDENTIALS);
    cleanup.add(() => ed.gateway.stop());
    const viaEd = await ed.gateway.place({ clientOrderId: 'ed1', side: 'buy', price: px(bid - 4), quantity: '0.10', kind: 'post-only' });
    expect(viaEd.status).toBe('new');
    // one account: both keys see both orders
    expect((await ed.gateway.openOrders()).map((o) => o.clientOrderId).sort()).toEqual(['ed1', 'hm1']);
    await ed.rec.next(isOrder('ed1', 'new'), 'the Ed25519 user stream reporting ed1');
  });

  it('refuses a wrong secret (-1022) and an unknown key (-2015) by name, sending no order', async () => {
    const venue = await startVenue('binance-spot');
    cleanup.add(() => venue.stop());
    const wrongSecret = gatewayFor(venue, { apiKey: API_KEY, secret: { kind: 'hmac', key: 'not-the-secret' } });
    cleanup.add(() => wrongSecret.stop());
    const bad = await refusal(wrongSecret.start(recorder().listener));
    expect(bad).toMatchObject({ code: 'auth', venueCode: -1022 });
    expect(bad.message).toContain('-1022 INVALID_SIGNATURE');
    const wrongKey = gatewayFor(venue, { apiKey: 'nobody', secret: { kind: 'hmac', key: 'x' } });
    cleanup.add(() => wrongKey.stop());
    expect(await refusal(wrongKey.start(recorder().listener))).toMatchObject({ code: 'auth', venueCode: -2015 });
    expect(venue.exchange.openOrders()).toHaveLength(0);
  });

  it('measures the venue clock offset, and resynchronises after -1021 so the retry goes through', async () => {
    const venue = await startVenue('binance-spot');
    cleanup.add(() => venue.stop());
    venue.exchange.clockSkewMs = 42_000; // the venue's clock runs 42 s ahead of ours
    const s = await connect(venue);
    cleanup.add(() => s.gateway.stop());
    venue.exchange.pause();
    const { px, bid } = touch(venue);
    expect((await s.gateway.place({ clientOrderId: 'ck1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).status).toBe('new');
    venue.exchange.clockSkewMs = 49_500; // jumps 7.5 s: our offset is stale beyond the 5 s recvWindow
    const stale = await refusal(s.gateway.place({ clientOrderId: 'ck2', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }));
    expect(stale).toMatchObject({ code: 'timestamp', venueCode: -1021 });
    expect(venue.exchange.find({ clientOrderId: 'ck2' })).toBeNull();
    const retried = await s.gateway.place({ clientOrderId: 'ck2', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' });
    expect(retried.status).toBe('new');
  });
});

describe('spot gateway: the clock kept in sync', () => {
  it('measures the offset again on its schedule, so a drifted venue clock costs no refusal', async () => {
    const venue = await startVenue('binance-spot');
    cleanup.add(() => venue.stop());
    const s = await connect(venue, undefined, { clockResyncMs: 100 });
    cleanup.add(() => s.gateway.stop());
    venue.exchange.pause();
    venue.exchange.clockSkewMs = 20_000; // far beyond the 5 s recvWindow
    // why: a resync is three time requests; the first of the next one proves the previous one finished
    let seen = 0;
    await new Promise<void>((resolve) => {
      const count = (name: string): void => {
        if (name === 'time' && ++seen === 4) {
          venue.observed.off('request', count);
          resolve();
        }
      };
      venue.observed.on('request', count);
    });
    const { px, bid } = touch(venue);
    expect((await s.gateway.place({ clientOrderId: 'synced', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).status).toBe('new');
  });
});

describe('spot gateway: order entry', () => {
  it('refuses orders that break a filter before sending them, and maps the venue\'s own filter refusal', async () => {
    const { venue, gateway } = await session();
    const { px, bid } = touch(venue);
    const before = venue.stats.requests;
    const cases: Array<[string, string, string]> = [
      [`${px(bid - 2)}5`, '0.10', 'PRICE_FILTER'],
      [px(bid - 2), '0.105', 'LOT_SIZE'],
      [px(bid - 2), '0.01', 'NOTIONAL'],
    ];
    for (const [price, quantity, filter] of cases) {
      const error = await refusal(gateway.place({ clientOrderId: `f${filter}`, side: 'buy', price, quantity, kind: 'post-only' }));
      expect(error.code).toBe('filter');
      expect(error.message).toContain(filter);
      expect(error.venueCode).toBeNull();
    }
    const percent = await refusal(gateway.place({ clientOrderId: 'fp', side: 'buy', price: px(bid - 3), quantity: '0.10', kind: 'post-only', referencePrice: px(Math.ceil((bid - 3) / 1.3)) }));
    expect(percent.message).toContain('PERCENT_PRICE_BY_SIDE');
    expect(venue.stats.requests).toBe(before); // nothing reached the venue
    // without a reference price the venue judges PERCENT_PRICE_BY_SIDE itself (-1013)
    const far = await refusal(gateway.place({ clientOrderId: 'far', side: 'buy', price: px(Math.floor(bid * 0.7)), quantity: '0.10', kind: 'post-only' }));
    expect(far).toMatchObject({ code: 'filter', venueCode: -1013 });
    expect(far.message).toContain('Filter failure: PERCENT_PRICE_BY_SIDE');
  });

  it('refuses a post-only quote that would take (-2010 "would immediately match and take"); IOC takes and expires its rest', async () => {
    const { venue, gateway, rec } = await session();
    const { px, ask } = touch(venue);
    const taking = await refusal(gateway.place({ clientOrderId: 'pt', side: 'buy', price: px(ask), quantity: '0.10', kind: 'post-only' }));
    expect(taking).toMatchObject({ code: 'would-take', venueCode: -2010 });
    expect(await gateway.query('pt')).toBeNull(); // the venue keeps no trace of it
    const atAsk = venue.exchange.book.sizeAt('ask', ask);
    const want = (atAsk + 5) / 100; // more than the best level holds, limited to it
    const ioc = await gateway.place({ clientOrderId: 'io', side: 'buy', price: px(ask), quantity: want.toFixed(2), kind: 'ioc' });
    expect(ioc.status).toBe('expired');
    expect(ioc.reason).toBe('UNFILLED_IOC_QUANTITY_EXPIRED');
    expect(ioc.executedQuantity).toBe((atAsk / 100).toFixed(8));
    await rec.next(isOrder('io', 'expired'), 'the IOC expiry on the stream');
    const trades = rec.events.filter(isTrade('io'));
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.every((e) => !e.trade.maker && e.trade.price === px(ask) + '000000')).toBe(true);
  });

  it('self-trade prevention EXPIRE_MAKER: a flatten meeting our own quote expires the quote and keeps going', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid, ask } = touch(venue);
    const inside = Math.floor((bid + ask) / 2);
    await gateway.place({ clientOrderId: 'mq', side: 'sell', price: px(inside === bid ? bid + 1 : inside), quantity: '0.10', kind: 'post-only' });
    const flatten = await gateway.place({ clientOrderId: 'fl', side: 'buy', price: px(ask + 2), quantity: '0.20', kind: 'ioc' });
    expect(Number(flatten.executedQuantity)).toBeGreaterThan(0);
    const expired = await rec.next(isOrder('mq', 'expired'), 'our quote expired by STP');
    expect(expired.state.reason).toContain('self-trade prevention');
    expect(rec.events.some(isTrade('mq'))).toBe(false);
  });

  it('refuses a sale beyond the balance by name; an injected reject (handle or control API) is mapped the same way', async () => {
    const { venue, gateway } = await session();
    const { px, ask } = touch(venue);
    const broke = await refusal(gateway.place({ clientOrderId: 'sb', side: 'sell', price: px(ask + 3), quantity: '1000.01', kind: 'post-only' }));
    expect(broke).toMatchObject({ code: 'insufficient-balance', venueCode: -2010 });
    expect(broke.message).toContain('Account has insufficient balance for requested action.');
    venue.rejectNextOrder(-1013, 'Filter failure: MAX_NUM_ORDERS');
    expect(await refusal(gateway.place({ clientOrderId: 'j1', side: 'sell', price: px(ask + 3), quantity: '0.10', kind: 'post-only' }))).toMatchObject({ code: 'filter', venueCode: -1013 });
    const control = await fetch(`${venue.restUrl}/__local/faults`, { method: 'POST', body: JSON.stringify({ rejectNextOrder: { code: -2010 } }) });
    expect(await control.json()).toEqual({ applied: ['rejectNextOrder'] });
    expect(await refusal(gateway.place({ clientOrderId: 'j2', side: 'sell', price: px(ask + 3), quantity: '0.10', kind: 'post-only' }))).toMatchObject({ code: 'insufficient-balance', venueCode: -2010 });
    expect((await gateway.place({ clientOrderId: 'j3', side: 'sell', price: px(ask + 3), quantity: '0.10', kind: 'post-only' })).status).toBe('new');
    const fromPage = await fetch(`${venue.restUrl}/__local/faults`, { method: 'POST', headers: { origin: 'http://evil.example' }, body: '{"ignoreCancels": true}' });
    expect(fromPage.status).toBe(403);
    expect(venue.exchange.faults.ignoreCancels).toBe(false);
  });

  it('cancel, cancel-all, and unknown orders', async () => {
    const { venue, gateway } = await session();
    const { px, bid } = touch(venue);
    for (const id of ['a1', 'a2', 'a3']) await gateway.place({ clientOrderId: id, side: 'buy', price: px(bid - 5), quantity: '0.10', kind: 'post-only' });
    const one = await gateway.cancel('a1');
    expect(one).toMatchObject({ clientOrderId: 'a1', status: 'cancelled' });
    const all = await gateway.cancelAll();
    expect(all?.map((o) => [o.clientOrderId, o.status])).toEqual([['a2', 'cancelled'], ['a3', 'cancelled']]);
    expect(await gateway.cancelAll()).toEqual([]);
    expect(await gateway.openOrders()).toEqual([]);
    expect(await refusal(gateway.cancel('a1'))).toMatchObject({ code: 'unknown-order', venueCode: -2011 });
    expect(await gateway.query('never-sent')).toBeNull();
    expect((await gateway.query('a2'))?.status).toBe('cancelled');
    expect(await refusal(gateway.armDeadMansSwitch(10_000))).toMatchObject({ code: 'rejected' });
  });
});

describe('spot gateway: the user data stream', () => {
  it('reports new, partial fill, fill, cancel and expire, with trades the venue can list again', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid, ask } = touch(venue);
    const price = px(bid + 1 < ask ? bid + 1 : bid);
    await gateway.place({ clientOrderId: 'u1', side: 'buy', price, quantity: '0.30', kind: 'post-only' });
    await rec.next(isOrder('u1', 'new'), 'u1 new');
    venue.fillOrder('u1', '0.10');
    const partial = await rec.next(isTrade('u1'), 'u1 partial fill');
    expect(partial.state).toMatchObject({ status: 'partially-filled', executedQuantity: '0.10000000' });
    expect(partial.trade).toMatchObject({ quantity: '0.10000000', price: price + '000000', maker: true, commissionAsset: 'SIM' });
    const from = rec.events.length;
    venue.fillOrder('u1', '0.20');
    const fill = await rec.next(isTrade('u1'), 'u1 filled', from);
    expect(fill.state).toMatchObject({ status: 'filled', executedQuantity: '0.30000000' });
    await gateway.place({ clientOrderId: 'u2', side: 'buy', price: px(bid - 6), quantity: '0.10', kind: 'post-only' });
    await gateway.cancel('u2');
    await rec.next(isOrder('u2', 'cancelled'), 'u2 cancelled on the stream');
    const listed = await gateway.trades(fill.trade.exchUs - 1_000_000);
    const ids = rec.events.filter(isTrade('u1')).map((e) => e.trade.tradeId);
    expect(listed.filter((t) => t.clientOrderId === 'u1').map((t) => t.tradeId)).toEqual(ids);
    // a gateway that never saw u1 finds its client id by asking the venue
    const fresh = await connect(venue);
    cleanup.add(() => fresh.gateway.stop());
    const again = await fresh.gateway.trades(fill.trade.exchUs - 1_000_000);
    expect(again.filter((t) => t.tradeId === fill.trade.tradeId)[0]?.clientOrderId).toBe('u1');
  });

  it('reports a dropped stream, then resubscribes and says so', async () => {
    const { venue, gateway, rec } = await session();
    const from = rec.events.length;
    expect(venue.dropUserStreams()).toBe(1);
    await rec.next(isStream('down'), 'stream down', from);
    await rec.next(isStream('up'), 'stream up again', from);
    const { px, bid } = touch(venue);
    await gateway.place({ clientOrderId: 'after', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' });
    await rec.next(isOrder('after', 'new'), 'events flow after the resubscription', from);
  });
});

describe('spot gateway: a WebSocket API outage', () => {
  it('trades over the REST twin while the WebSocket API is down, says the stream is down, and recovers', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid } = touch(venue);
    const from = rec.events.length;
    venue.faults.refuseWsApi = true;
    expect(venue.dropWsApiSessions()).toBe(2); // trading and user data
    await rec.next(isStream('down'), 'the user stream down', from);
    const rest = venue.served.rest;
    const ws = venue.served.wsApi;
    const placed = await gateway.place({ clientOrderId: 'viaRest', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' });
    expect(placed).toMatchObject({ clientOrderId: 'viaRest', status: 'new' });
    expect(await gateway.cancel('viaRest')).toMatchObject({ status: 'cancelled' });
    expect(venue.served.rest - rest).toBe(2);
    expect(venue.served.wsApi).toBe(ws);
    venue.faults.refuseWsApi = false;
    await rec.next(isStream('up'), 'the user stream back', from);
  });
});

describe('spot gateway: lost answers, races and a venue that ignores cancels', () => {
  it('a lost answer is unknown-outcome, and the order is there when queried', async () => {
    const { venue, gateway } = await session({}, undefined, { requestTimeoutMs: 400 });
    const { px, bid } = touch(venue);
    venue.loseNextAnswers(1);
    const lost = await refusal(gateway.place({ clientOrderId: 'lost1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }));
    expect(lost.code).toBe('unknown-outcome');
    expect(lost.message).toContain('execution status unknown');
    expect(await gateway.query('lost1')).toMatchObject({ clientOrderId: 'lost1', status: 'new' });
  });

  it('a cancel that loses the race to a fill is unknown-order, and the fill arrives', async () => {
    const { venue, gateway, rec } = await session();
    const { px, bid, ask } = touch(venue);
    await gateway.place({ clientOrderId: 'race', side: 'buy', price: px(bid + 1 < ask ? bid + 1 : bid), quantity: '0.10', kind: 'post-only' });
    venue.exchange.faults.raceNextCancel = 'fill';
    expect(await refusal(gateway.cancel('race'))).toMatchObject({ code: 'unknown-order' });
    const fill = await rec.next(isTrade('race'), 'the fill that won the race');
    expect(fill.state.status).toBe('filled');
    expect((await gateway.query('race'))?.status).toBe('filled');
  });

  it('a venue that ignores cancels answers "status unknown" and the orders stay open', async () => {
    const { venue, gateway } = await session();
    const { px, bid } = touch(venue);
    await gateway.place({ clientOrderId: 'stay', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' });
    venue.exchange.faults.ignoreCancels = true;
    expect(await refusal(gateway.cancelAll())).toMatchObject({ code: 'unknown-outcome', venueCode: -1007 });
    expect(await refusal(gateway.cancel('stay'))).toMatchObject({ code: 'unknown-outcome', venueCode: -1007 });
    expect((await gateway.openOrders()).map((o) => o.clientOrderId)).toEqual(['stay']);
  });
});

describe('spot gateway: holdings', () => {
  it('balances move by exactly the fills and commissions the venue reported', async () => {
    const { venue, gateway, rec } = await session();
    const start = await gateway.holdings();
    if (start.kind !== 'balances') throw new Error('spot holds balances');
    const { px, ask } = touch(venue);
    const done = await gateway.place({ clientOrderId: 'hb', side: 'buy', price: px(ask + 1), quantity: '0.50', kind: 'ioc' });
    expect(['filled', 'expired']).toContain(done.status);
    const trades = (await gateway.trades(Date.now() * 1_000 - 60_000_000)).filter((t) => t.clientOrderId === 'hb');
    let base = dec(start.base.free);
    let quote = dec(start.quote.free);
    for (const t of trades) {
      base = addDec(base, subDec(dec(t.quantity), dec(t.commission)));
      quote = subDec(quote, mulDec(dec(t.price), dec(t.quantity)));
    }
    const end = await gateway.holdings();
    if (end.kind !== 'balances') throw new Error('spot holds balances');
    expect(end.base.free).toBe(formatDec(base, 8));
    expect(end.quote.free).toBe(formatDec(quote, 8));
    expect(end.quote.locked).toBe('0.00000000');
    expect(rec.events.filter((e: GatewayEvent) => e.type === 'limits').length).toBeGreaterThan(0);
  });
});
