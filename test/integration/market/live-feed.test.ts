import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LiveFeed, resolveInstrument, backoffDelayMs } from '../../../src/main/market/live/live-feed.js';
import { ReplayFeed } from '../../../src/main/market/replay/index.js';
import type { BookReader, FeedEvent, FeedListener } from '../../../src/main/market/types.js';
import { describeWithSharedData, sharedDataPath } from '../../support/shared-data.js';
import { VenueServer } from '../../support/venue-server.js';

const px = new Float64Array(1000);
const sz = new Float64Array(1000);
function depth(book: BookReader, n = 1000): string {
  const parts: string[] = [];
  for (const side of ['bid', 'ask'] as const) {
    const k = book.top(side, n, px, sz);
    for (let i = 0; i < k; i++) parts.push(`${side}${px[i]}:${sz[i]}`);
  }
  return parts.join(' ');
}

/** A listener that re-checks a condition on every callback (no sleeps: it waits on the feed's own events). */
function watcher(): { listener: FeedListener; events: FeedEvent[]; until: (cond: () => boolean, what: string, ms?: number) => Promise<void> } {
  const events: FeedEvent[] = [];
  const waits: Array<{ cond: () => boolean; resolve: () => void }> = [];
  const check = (): void => {
    for (let i = waits.length - 1; i >= 0; i--) {
      if (waits[i]!.cond()) {
        waits[i]!.resolve();
        waits.splice(i, 1);
      }
    }
  };
  return {
    events,
    listener: { onBook: check, onTrade: check, onTime: check, onFeedEvent: (e) => { events.push(e); check(); } },
    until: (cond, what, ms = 20_000) =>
      new Promise<void>((resolve, reject) => {
        if (cond()) return resolve();
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
        waits.push({ cond, resolve: () => { clearTimeout(timer); resolve(); } });
      }),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'qd-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('backoff', () => {
  it('grows exponentially, is capped, and is jittered downwards only', () => {
    const o = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
    expect(backoffDelayMs(0, o, () => 0)).toBe(100);
    expect(backoffDelayMs(3, o, () => 0)).toBe(800);
    expect(backoffDelayMs(10, o, () => 0)).toBe(1_000);
    expect(backoffDelayMs(10, o, () => 1)).toBe(500);
    expect(backoffDelayMs(2, o, () => 0.5)).toBe(300);
  });
});

describeWithSharedData('LiveFeed against a local venue serving a real capture', () => {
  it('binance-spot: connects, survives a forced disconnect and a gap (REST snapshot after each), ends with the replayed book', async () => {
    const capture = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
    const server = await VenueServer.start({ capture, venue: 'binance-spot', disconnectAfter: 40, lostOnReconnect: 5, dropFrame: 120 });
    cleanup.push(() => server.close());
    const { instrument, source } = await resolveInstrument('binance-spot', 'NKNUSDT', { restUrl: server.restUrl });
    expect(source).toBe('venue');
    const out = join(dir, 'recorded.jsonl');
    const w = watcher();
    const feed = new LiveFeed({
      venue: 'binance-spot', symbol: 'NKNUSDT', instrument, wsUrl: server.wsUrl, restUrl: server.restUrl,
      backoff: { initialMs: 10, maxMs: 100 }, timeTickMs: 20,
    });
    cleanup.push(() => feed.stop());
    await feed.startRecording(out, { resync: false });
    await feed.start(w.listener);
    await w.until(() => server.finished && feed.framesReceived() === server.sent && feed.trusted(), 'the whole capture to be served and applied');
    await feed.stopRecording();

    // The venue's book (the capture replayed to its end) is the client's book.
    const replay = await ReplayFeed.open(capture, { autoplay: false });
    await replay.start({ onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined });
    replay.runToEnd();
    expect(depth(feed.book)).toBe(depth(replay.book));
    expect(depth(feed.book)).toBe(depth(server.reference.book));

    // It went through what the server did to it.
    expect(server.connections).toBe(2);
    expect(server.lost).toBe(5);
    expect(server.dropped).toBe(1);
    const depthRequests = server.restRequests.filter((r) => r.startsWith('/api/v3/depth'));
    expect(depthRequests.length).toBeGreaterThanOrEqual(3); // first sync, after the reconnect, after the gap
    const types = w.events.map((e) => (e.type === 'untrusted' ? `untrusted:${e.cause}` : e.type));
    expect(types.filter((t) => t === 'connected')).toHaveLength(2);
    expect(types).toContain('disconnected');
    expect(types).toContain('untrusted:gap');
    expect(types.at(-1)).toBe('trusted');
    const h = feed.health(feed.nowUs());
    expect(h).toMatchObject({ connected: true, state: 'connected', trusted: true, reconnects: 1 });
    expect(h.gaps).toBeGreaterThanOrEqual(1);

    // The recording replays to the same book: live and replay share the adapter.
    const recorded = await ReplayFeed.open(out, { autoplay: false });
    expect(recorded.venue).toBe('binance-spot');
    await recorded.start({ onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined });
    recorded.runToEnd();
    expect(depth(recorded.book)).toBe(depth(feed.book));
  });

  it('bybit-linear: snapshot on subscribe, and a gap repaired by a fresh subscription', async () => {
    const capture = sharedDataPath('exchanges', 'bybit_v5', 'linear_orderbook.200.BTCUSDT.jsonl');
    const server = await VenueServer.start({ capture, venue: 'bybit-linear', dropFrame: 100 });
    cleanup.push(() => server.close());
    const w = watcher();
    const { instrument } = await resolveInstrument('bybit-linear', 'BTCUSDT', { offline: true });
    const feed = new LiveFeed({
      venue: 'bybit-linear', symbol: 'BTCUSDT', instrument, wsUrl: `${server.wsUrl}/v5/public/linear`, depth: 200,
      backoff: { initialMs: 10, maxMs: 100 }, timeTickMs: 20,
    });
    cleanup.push(() => feed.stop());
    await feed.start(w.listener);
    // why not "frames received ≥ frames sent": the subscription's own answers (ack, snapshot) are frames the
    // server does not count, so that held a few frames early on a loaded machine; the book itself is the test.
    await w.until(() => server.finished && feed.trusted() && depth(feed.book) === depth(server.reference.book), 'the whole capture to be served and applied');
    expect(feed.framesReceived()).toBeGreaterThanOrEqual(server.sent);
    expect(server.connections).toBe(2); // the gap was repaired by a new subscription
    expect(w.events.some((e) => e.type === 'untrusted' && e.cause === 'gap')).toBe(true);
  });

  it('resolveInstrument falls back to the documented spec and says why', async () => {
    const r = await resolveInstrument('kraken', 'XBT/CHF', { restUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    expect(r).toMatchObject({ source: 'known', instrument: { tickSize: '0.1' } });
    expect(r.error).toBeTruthy();
    await expect(resolveInstrument('kraken', 'NOPE/XYZ', { offline: true })).rejects.toThrow(/no tick\/lot for kraken NOPE\/XYZ/);
  });
});

describeWithSharedData('LiveFeed faults and the recorder', () => {
  it('a dead but open connection (no frame, no answer to our ping) is reported stale, then replaced; the book ends right', async () => {
    const capture = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
    const server = await VenueServer.start({ capture, venue: 'binance-spot', silenceAfter: 30 });
    cleanup.push(() => server.close());
    const { instrument } = await resolveInstrument('binance-spot', 'NKNUSDT', { offline: true });
    const w = watcher();
    const feed = new LiveFeed({
      venue: 'binance-spot', symbol: 'NKNUSDT', instrument, wsUrl: server.wsUrl, restUrl: server.restUrl,
      staleAfterMs: 100, reconnectAfterSilentMs: 400, timeTickMs: 20, backoff: { initialMs: 10, maxMs: 50 },
    });
    cleanup.push(() => feed.stop());
    let sawStale = false;
    await feed.start({
      ...w.listener,
      onTime: (t) => {
        const h = feed.health(t);
        if (h.state === 'stale' && h.connected) sawStale = true;
        w.listener.onTime(t);
      },
    });
    await w.until(() => sawStale, 'the feed to be judged stale while connected');
    await w.until(() => server.connections >= 2 && server.finished && feed.framesReceived() === server.sent && feed.trusted(), 'recovery');
    expect(depth(feed.book)).toBe(depth(server.reference.book));
    expect(w.events.some((e) => e.type === 'disconnected' && /connection silent/.test(e.reason))).toBe(true);
  });

  it('a quiet market on a connection that answers our pings is quiet, never stale, and the connection is kept', async () => {
    const capture = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
    const server = await VenueServer.start({ capture, venue: 'binance-spot', quietAfter: 30 });
    cleanup.push(() => server.close());
    const { instrument } = await resolveInstrument('binance-spot', 'NKNUSDT', { offline: true });
    const w = watcher();
    // A limit a loaded machine's event loop cannot miss by itself (pings every 60 ms, five chances).
    const feed = new LiveFeed({
      venue: 'binance-spot', symbol: 'NKNUSDT', instrument, wsUrl: server.wsUrl, restUrl: server.restUrl,
      staleAfterMs: 300, reconnectAfterSilentMs: 900, timeTickMs: 20, backoff: { initialMs: 10, maxMs: 50 },
    });
    cleanup.push(() => feed.stop());
    let sawStale = false;
    let quietFor = 0;
    await feed.start({
      ...w.listener,
      onTime: (t) => {
        const h = feed.health(t);
        if (h.state === 'stale') sawStale = true;
        if (h.state === 'quiet') quietFor = h.lastMessageAgeMs ?? 0;
        w.listener.onTime(t);
      },
    });
    // Past twice the reconnect threshold of a silent connection, the quiet one is still the first.
    await w.until(() => quietFor > 1_900, 'a quiet spell of 1,900 ms');
    expect(sawStale).toBe(false);
    expect(server.connections).toBe(1);
    expect(feed.health(feed.nowUs())).toMatchObject({ connected: true, quiet: true });
  });

  it('a frame that is not JSON resets the book and resyncs on a new connection', async () => {
    const capture = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
    const server = await VenueServer.start({ capture, venue: 'binance-spot', garbleFrame: 50 });
    cleanup.push(() => server.close());
    const { instrument } = await resolveInstrument('binance-spot', 'NKNUSDT', { offline: true });
    const w = watcher();
    const feed = new LiveFeed({ venue: 'binance-spot', symbol: 'NKNUSDT', instrument, wsUrl: server.wsUrl, restUrl: server.restUrl, timeTickMs: 20, backoff: { initialMs: 10 } });
    cleanup.push(() => feed.stop());
    await feed.start(w.listener);
    // Recovery is the venue's book, trusted, after the whole capture was served. (Counting frames sent against
    // frames received is fragile: on a loaded machine the silent-connection guard may replace a connection
    // and drop the frames in flight on it, which is the guard working, not a failure.)
    const venueBook = (): string => depth(server.reference.book);
    await w.until(() => server.connections >= 2 && server.finished && feed.trusted() && depth(feed.book) === venueBook(), 'recovery');
    expect(server.garbled).toBe(1);
    expect(depth(feed.book)).toBe(depth(server.reference.book));
    expect(feed.health(feed.nowUs()).lastError).toMatch(/not JSON|malformed/);
  });

  it('recordLive writes a capture that replays to the venue book; bad input fails before writing', async () => {
    const { recordLive, RecordInputError } = await import('../../../src/main/market/live/record.js');
    const capture = sharedDataPath('exchanges', 'binance_spot', 'NKNUSDT_session.jsonl');
    const server = await VenueServer.start({ capture, venue: 'binance-spot' });
    cleanup.push(() => server.close());
    const out = join(dir, 'rec.jsonl.gz');
    const stop = new AbortController();
    void server.done.then(() => setTimeout(() => stop.abort(), 50));
    const r = await recordLive({ venue: 'binance-spot', symbol: 'NKNUSDT', out, wsUrl: server.wsUrl, restUrl: server.restUrl, signal: stop.signal });
    expect(r.frames).toBeGreaterThan(server.sent - 1);
    const replay = await ReplayFeed.open(out, { autoplay: false });
    await replay.start({ onBook: () => undefined, onTrade: () => undefined, onFeedEvent: () => undefined, onTime: () => undefined });
    replay.runToEnd();
    expect(replay.trusted()).toBe(true);
    expect(depth(replay.book)).toBe(depth(server.reference.book));

    await expect(recordLive({ venue: 'sim', symbol: 'X', out: join(dir, 'a.jsonl') })).rejects.toBeInstanceOf(RecordInputError);
    await expect(recordLive({ venue: 'kraken', symbol: 'XBT/CHF', out: join(dir, 'a.csv') })).rejects.toThrow(/--out must end in \.jsonl/);
    await expect(recordLive({ venue: 'kraken', symbol: 'XBT/CHF', out: join(dir, 'nope', 'a.jsonl') })).rejects.toThrow(/does not exist/);
    await expect(recordLive({ venue: 'kraken', symbol: 'XBT/CHF', out: join(dir, 'a.jsonl'), durationSec: -1 })).rejects.toThrow(/--duration/);
  });
});
