import { describe, expect, it } from 'vitest';
import { FeedHealthTracker } from '../../../../src/main/market/feed-health.js';
import type { AdapterCounters } from '../../../../src/main/market/adapters/types.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;

describe('FeedHealthTracker', () => {
  it('reports messages/s over the sliding window and forgets old messages', () => {
    const h = new FeedHealthTracker({ rateWindowMs: 10_000, rateBuckets: 10 });
    h.setConnection('connected', T0);
    for (let i = 0; i < 200; i++) h.recordMessage(T0 + i * 50_000); // 20/s for 10 s
    const end = T0 + 199 * 50_000;
    expect(h.messagesPerSec(end)).toBeGreaterThan(18);
    expect(h.messagesPerSec(end)).toBeLessThan(22);
    expect(h.messagesPerSec(end + 30 * S)).toBe(0);
  });

  it('stale is a silent CONNECTION: no frame and no answer to our ping, while the socket still looks connected', () => {
    const h = new FeedHealthTracker({ staleAfterMs: 2_000 });
    h.setConnection('connected', T0);
    h.setTrusted(true);
    h.recordMessage(T0 + S);
    expect(h.view(T0 + 2 * S).state).toBe('connected');
    const v = h.view(T0 + 3.5 * S);
    expect(v.state).toBe('stale');
    expect(v.connected).toBe(true);
    expect(v.lastMessageAgeMs).toBe(2_500);
    expect(v.silentMs).toBe(2_500);
    expect(v.quiet).toBe(false);
    h.recordMessage(T0 + 4 * S);
    expect(h.view(T0 + 4 * S).state).toBe('connected');
  });

  it('quiet is a silent MARKET on a connection that answers our pings: nothing stale', () => {
    const h = new FeedHealthTracker({ staleAfterMs: 2_000 });
    h.setConnection('connected', T0);
    h.setTrusted(true);
    h.recordMessage(T0 + S);
    for (let t = T0 + S; t <= T0 + 30 * S; t += S / 2) h.recordAlive(t); // pongs every 500 ms
    const v = h.view(T0 + 30 * S);
    expect(v).toMatchObject({ state: 'quiet', quiet: true, connected: true, lastMessageAgeMs: 29_000, silentMs: 0 });
    expect(h.isStale(T0 + 30 * S)).toBe(false);
    // The pongs stop: the connection goes stale (and is no longer called quiet).
    expect(h.view(T0 + 32.5 * S)).toMatchObject({ state: 'stale', quiet: false, silentMs: 2_500 });
  });

  it('a replay\'s connection is the capture: a gap is quiet, never stale', () => {
    const h = new FeedHealthTracker({ staleAfterMs: 5_000, connectionCanGoSilent: false });
    h.setConnection('connected', T0);
    h.setTrusted(true);
    h.recordMessage(T0);
    const v = h.view(T0 + 600 * S);
    expect(v).toMatchObject({ state: 'quiet', quiet: true, silentMs: 0, lastMessageAgeMs: 600_000 });
    expect(h.isStale(T0 + 600 * S)).toBe(false);
    h.setConnection('closed', T0 + 600 * S);
    expect(h.view(T0 + 600 * S).silentMs).toBeNull();
  });

  it('a connection that never delivered a message goes stale too', () => {
    const h = new FeedHealthTracker({ staleAfterMs: 1_000 });
    h.setConnection('connected', T0);
    expect(h.isStale(T0 + 500_000)).toBe(false);
    expect(h.isStale(T0 + 1_500_000)).toBe(true);
    expect(h.view(T0).lastMessageAgeMs).toBeNull();
  });

  it('derives state, trust and counts from feed events when no adapter counters are bound', () => {
    const h = new FeedHealthTracker();
    expect(h.view(T0).state).toBe('connecting');
    h.recordFeedEvent({ type: 'connected', localUs: T0 });
    h.recordMessage(T0);
    expect(h.view(T0).state).toBe('resyncing');
    h.recordFeedEvent({ type: 'trusted', localUs: T0 });
    expect(h.view(T0).state).toBe('connected');
    h.recordFeedEvent({ type: 'untrusted', localUs: T0, cause: 'gap', detail: 'U 5 after 3' });
    h.recordFeedEvent({ type: 'trusted', localUs: T0 });
    h.recordFeedEvent({ type: 'untrusted', localUs: T0, cause: 'checksum', detail: 'c' });
    h.recordFeedEvent({ type: 'untrusted', localUs: T0, cause: 'crossed', detail: 'x' });
    h.recordFeedEvent({ type: 'disconnected', localUs: T0, reason: 'socket closed 1006' });
    h.recordReconnect();
    const v = h.view(T0);
    expect(v).toMatchObject({
      state: 'disconnected', connected: false, trusted: false, gaps: 1, resyncs: 1, checksumFailures: 1,
      crossedBooks: 1, reconnects: 1, lastError: 'socket closed 1006', messages: 1,
    });
    h.setConnection('closed', T0);
    expect(h.view(T0).state).toBe('closed');
  });

  it('reads bound adapter counters live and reports venue latency', () => {
    const counters: AdapterCounters = {
      messages: 0, applied: 0, dropped: 0, gaps: 0, resyncs: 0, checksumFailures: 0, crossedBooks: 0, malformed: 0,
      lastExchUs: Number.NaN, lastLatencyUs: Number.NaN,
    };
    const h = new FeedHealthTracker();
    h.bindCounters(counters);
    h.setConnection('connected', T0);
    expect(h.view(T0).latencyMs).toBeNull();
    counters.messages = 7; counters.applied = 5; counters.dropped = 2; counters.gaps = 3;
    h.recordMessage(T0 + 10_000, T0 + 2_500);
    const v = h.view(T0 + 10_000);
    expect(v).toMatchObject({ messages: 7, applied: 5, dropped: 2, gaps: 3 });
    expect(v.latencyMs).toBe(7.5);
  });

  it('restarts the window when time goes backwards (replay seek)', () => {
    const h = new FeedHealthTracker();
    h.setConnection('connected', T0);
    h.recordMessage(T0 + 100 * S);
    h.recordMessage(T0 + 1 * S);
    expect(h.lastMessageAgeUs(T0 + 2 * S)).toBe(S);
    expect(h.messagesPerSec(T0 + 1 * S)).toBeGreaterThan(0);
  });

  it('rejects nonsense options', () => {
    expect(() => new FeedHealthTracker({ staleAfterMs: 0 })).toThrow(/staleAfterMs/);
    expect(() => new FeedHealthTracker({ rateBuckets: 0 })).toThrow(/rateBuckets/);
  });
});
