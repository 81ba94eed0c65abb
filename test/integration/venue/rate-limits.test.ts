/**
 * Request weight and bans against the local exchange's enforced limits (windows of a few seconds so a
 * test can see one end): the gateway holds back a request its own count says would break the limit
 * (nothing reaches the venue); when another client of the same IP used the weight, the venue's 429 is
 * honoured — over the spot WebSocket API (`retryAfter`) and over USD-M REST (`Retry-After`) — with every
 * request held locally until then and a 'limits' event when it ends; a 418 ban likewise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError, type GatewayEvent } from '../../../src/main/execution/live/gateway.js';
import type { BinanceLocalExchange } from '../../../src/main/venue-sim/index.js';
import { cleanups, connect, refusal, startVenue, touch } from '../../support/local-venue.js';

const cleanup = cleanups();
afterEach(() => cleanup.run());


/** Another client on the same IP spends weight until the venue answers `status`; returns the statuses seen. */
async function burn(venue: BinanceLocalExchange, until: 429 | 418): Promise<number[]> {
  const path = venue.dialect === 'binance-spot' ? '/api/v3/exchangeInfo' : `/fapi/v1/depth?symbol=${venue.spec.symbol}&limit=1000`;
  const seen: number[] = [];
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${venue.restUrl}${path}`);
    await res.text();
    seen.push(res.status);
    if (res.status === until) return seen;
  }
  throw new Error(`the venue never answered ${until}: ${seen.join(',')}`);
}

const limitsEnded = (e: GatewayEvent): boolean => e.type === 'limits' && e.usage.backOffUntilMs === null && !e.usage.banned;

describe('rate limits', () => {
  it('holds back a request its own count says would break the limit, without sending it', async () => {
    const venue = await startVenue('binance-usdm', { limits: { weight: { limit: 30, intervalSec: 3_600 } } });
    cleanup.add(() => venue.stop());
    const s = await connect(venue);
    cleanup.add(() => s.gateway.stop());
    let held: GatewayError | null = null;
    for (let i = 0; i < 40 && held === null; i++) {
      const before = venue.stats.requests;
      try {
        await s.gateway.openOrders();
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        held = error;
        expect(venue.stats.requests).toBe(before);
      }
    }
    expect(held).toMatchObject({ code: 'rate-limited', venueCode: null });
    expect(held?.message).toMatch(/REQUEST_WEIGHT \d+ \+ 1 would exceed the venue's limit of 30 per 1H/);
    expect(s.gateway.usage()).toMatchObject({ weightLimit: 30, weightWindowMs: 3_600_000 });
    expect(s.gateway.usage().weightUsed).toBe(30);
  });

  it('spot over the WebSocket API: honours a 429 with retryAfter, holding every request until then', async () => {
    const venue = await startVenue('binance-spot', { limits: { weight: { limit: 300, intervalSec: 3 }, banAfterViolations: 5 } });
    cleanup.add(() => venue.stop());
    const s = await connect(venue);
    cleanup.add(() => s.gateway.stop());
    venue.exchange.pause();
    const { px, bid } = touch(venue);
    await burn(venue, 429);
    const limited = await refusal(s.gateway.place({ clientOrderId: 'r1', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' }));
    expect(limited).toMatchObject({ code: 'rate-limited', venueCode: -1003 });
    expect(limited.retryAtMs).toBeGreaterThan(Date.now());
    expect(limited.retryAtMs! - Date.now()).toBeLessThanOrEqual(3_100);
    expect(s.gateway.usage().backOffUntilMs).toBe(limited.retryAtMs);
    const before = venue.stats.requests;
    expect(await refusal(s.gateway.openOrders())).toMatchObject({ code: 'rate-limited', retryAtMs: limited.retryAtMs });
    expect(venue.stats.requests).toBe(before);
    const from = s.rec.events.length;
    await s.rec.until(() => s.rec.events.slice(from).some(limitsEnded), 'the back-off to end', 5_000);
    expect(Date.now()).toBeGreaterThanOrEqual(limited.retryAtMs!);
    expect((await s.gateway.place({ clientOrderId: 'r2', side: 'buy', price: px(bid - 2), quantity: '0.10', kind: 'post-only' })).status).toBe('new');
  });

  it('USD-M over REST: honours Retry-After on a 429, then a 418 ban until it ends', async () => {
    const venue = await startVenue('binance-usdm', { limits: { weight: { limit: 120, intervalSec: 2 }, banAfterViolations: 2, banSeconds: 3 } });
    cleanup.add(() => venue.stop());
    const s = await connect(venue);
    cleanup.add(() => s.gateway.stop());
    await burn(venue, 429);
    const limited = await refusal(s.gateway.openOrders());
    expect(limited).toMatchObject({ code: 'rate-limited', venueCode: -1003 });
    expect(limited.message).toContain('HTTP 429');
    // the other client keeps going while told to back off: the IP is banned
    await burn(venue, 418);
    let from = s.rec.events.length;
    await s.rec.until(() => s.rec.events.slice(from).some(limitsEnded), 'the 429 back-off to end', 5_000);
    const banned = await refusal(s.gateway.openOrders());
    expect(banned).toMatchObject({ code: 'banned', venueCode: -1003 });
    expect(banned.message).toContain('IP banned until');
    expect(s.gateway.usage()).toMatchObject({ banned: true, backOffUntilMs: banned.retryAtMs });
    const before = venue.stats.requests;
    expect(await refusal(s.gateway.query('x'))).toMatchObject({ code: 'banned' });
    expect(venue.stats.requests).toBe(before);
    from = s.rec.events.length;
    await s.rec.until(() => s.rec.events.slice(from).some(limitsEnded), 'the ban to end', 6_000);
    expect(await s.gateway.openOrders()).toEqual([]);
  });
});
