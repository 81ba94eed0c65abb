import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLobster } from '../../../../src/main/market/lobster/index.js';
import { ReplayFeed, type ReplayListener } from '../../../../src/main/market/replay/index.js';
import type { BookReader } from '../../../../src/main/market/types.js';
import { describeWithSharedData, sharedDataPath } from '../../../support/shared-data.js';

/** The Coinbase capture was recorded with other channels filtered out: its sequence jumps are counted, not resynced. */
const OPTIONS: Record<string, { adapterOptions: { sequenceGaps: 'count' } }> = {
  coinbase: { adapterOptions: { sequenceGaps: 'count' } },
};

const CAPTURES: Array<[string, string, string]> = [
  ['binance_spot/NKNUSDT_session.jsonl', 'binance-spot', 'NKNUSDT'],
  ['binance_usdm/SUSHIUSDT_session.jsonl', 'binance-usdm', 'SUSHIUSDT'],
  ['bybit_v5/linear_orderbook.200.BTCUSDT.jsonl', 'bybit-linear', 'BTCUSDT'],
  ['bybit_v5/spot_orderbook.200.BTCUSDT.jsonl', 'bybit-spot', 'BTCUSDT'],
  ['kraken_v1/book-1000_ADA-XBT.jsonl', 'kraken', 'ADA/XBT'],
  ['kraken_v1/book-1000_SC-EUR.jsonl', 'kraken', 'SC/EUR'],
  ['kraken_v1/book-1000_XBT-CHF.jsonl', 'kraken', 'XBT/CHF'],
  ['coinbase_advanced/level2_ticker_BTC-USD_ETH-USD.jsonl', 'coinbase', 'BTC-USD'],
];

/** A listener that writes every callback into a log. */
function logger(book: () => BookReader): { log: string[]; listener: ReplayListener; ended: Promise<void> } {
  const log: string[] = [];
  let done: () => void = () => undefined;
  const ended = new Promise<void>((r) => (done = r));
  return {
    log,
    ended,
    listener: {
      onBook: (t) => log.push(`B ${t} ${book().bestBid()} ${book().bestAsk()} ${book().levels('bid')} ${book().levels('ask')}`),
      onTrade: (tr) => log.push(`T ${tr.localUs} ${tr.price} ${tr.size} ${tr.aggressor}`),
      onFeedEvent: (e) => log.push(`F ${e.type} ${e.localUs}`),
      onTime: (t) => log.push(`t ${t}`),
      onSeek: (s) => log.push(`S ${s.fromUs} ${s.toUs} ${s.eventIndex}`),
      onEnd: (t) => {
        log.push(`E ${t}`);
        done();
      },
    },
  };
}

const px = new Float64Array(50);
const sz = new Float64Array(50);
function depth(book: BookReader, n = 50): string {
  const parts: string[] = [];
  for (const side of ['bid', 'ask'] as const) {
    const k = book.top(side, n, px, sz);
    for (let i = 0; i < k; i++) parts.push(`${side}${px[i]}:${sz[i]}`);
  }
  return parts.join(' ');
}

describeWithSharedData('ReplayFeed over the real captures', () => {
  for (const [file, venue, symbol] of CAPTURES) {
    it(`${file}: detects ${venue} ${symbol}, replays deterministically, seek equals a straight replay`, async () => {
      const path = sharedDataPath('exchanges', file);
      const progress: number[] = [];
      const opts = OPTIONS[venue] ?? {};
      const a = await ReplayFeed.open(path, { ...opts, autoplay: false, checkpointEvery: 40, onLoadProgress: (f) => progress.push(f) });
      expect(progress.at(-1)).toBe(1);
      expect(a.venue).toBe(venue);
      expect(a.symbol).toBe(symbol);
      const la = logger(() => a.book);
      await a.start(la.listener);
      const n = a.runToEnd();
      expect(n).toBe(a.view().eventCount);
      expect(a.view()).toMatchObject({ finished: true, progress: 1, playing: false });
      expect(a.trusted()).toBe(true);
      const h = a.health(a.nowUs());
      expect(h.messages).toBe(n);
      expect(h.checksumFailures).toBe(0);

      const b = await ReplayFeed.open(path, { ...opts, autoplay: false, checkpointEvery: 40 });
      const lb = logger(() => b.book);
      await b.start(lb.listener);
      b.runToEnd();
      expect(lb.log).toEqual(la.log);
      expect(depth(b.book)).toBe(depth(a.book));

      // Seek (backwards, forwards, to the same checkpoint twice) equals a fresh straight replay.
      const { startMs, endMs } = a.view();
      for (const frac of [0.5, 0.1, 0.9, 0.3, 0.31, 1, 0]) {
        const t = Math.round((startMs + (endMs - startMs) * frac) * 1000);
        a.seek(t);
        const fresh = await ReplayFeed.open(path, { ...opts, autoplay: false });
        await fresh.start(logger(() => fresh.book).listener);
        while (fresh.view().eventIndex < fresh.view().eventCount && fresh.frameTimeUs(fresh.view().eventIndex) <= t) fresh.step(1);
        expect(a.view().eventIndex).toBe(fresh.view().eventIndex);
        expect(depth(a.book)).toBe(depth(fresh.book));
        expect(a.trusted()).toBe(fresh.trusted());
        expect(a.health(t)).toMatchObject({ applied: fresh.health(t).applied, gaps: fresh.health(t).gaps, resyncs: fresh.health(t).resyncs });
        expect(a.nowUs()).toBe(t);
      }
      expect(la.log.filter((l) => l.startsWith('S '))).toHaveLength(7);
    });
  }
});

describeWithSharedData('ReplayFeed transport on a LOBSTER recording', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qd-replay-'));
  const out = join(dir, 'goog-l10.jsonl');
  beforeAll(async () => {
    const base = sharedDataPath('lobster', 'GOOG_2012-06-21_L10_first2000rows');
    await importLobster({
      messages: join(base, 'GOOG_2012-06-21_34200000_57600000_message_10.first2000.csv'),
      orderbook: join(base, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.first2000.csv'),
      out,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('detects the lobster venue and replays its trades', async () => {
    const feed = await ReplayFeed.open(out, { autoplay: false });
    expect(feed.venue).toBe('lobster');
    expect(feed.instrument).toMatchObject({ tickSize: '0.01', lotSize: '1' });
    const l = logger(() => feed.book);
    await feed.start(l.listener);
    feed.runToEnd();
    expect(l.log.filter((x) => x.startsWith('T '))).toHaveLength(300);
    expect(l.log.filter((x) => x.startsWith('B '))).toHaveLength(2000);
    expect(l.log.at(-1)?.startsWith('E ')).toBe(true);
  });

  it('step applies exactly N events, with the onTime ticks of the gaps before them', async () => {
    const feed = await ReplayFeed.open(out, { autoplay: false, timeTickMs: 100 });
    const l = logger(() => feed.book);
    await feed.start(l.listener);
    expect(feed.step()).toBe(1);
    expect(feed.view().eventIndex).toBe(1);
    expect(feed.step(9)).toBe(9);
    expect(feed.view().eventIndex).toBe(10);
    const ticks = l.log.filter((x) => x.startsWith('t ')).map((x) => Number(x.split(' ')[1]));
    for (const t of ticks) expect(t % 100_000).toBe(0);
    // Time never goes backwards between callbacks, and every tick lies before the event after it.
    const times = l.log.filter((x) => /^[BTt] /.test(x)).map((x) => Number(x.split(' ')[1]));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(() => feed.step(0)).toThrow(/step count/);
  });

  it('plays at max speed in chunks to the same result as runToEnd, and pauses when told', async () => {
    const ref = await ReplayFeed.open(out, { autoplay: false });
    const lr = logger(() => ref.book);
    await ref.start(lr.listener);
    ref.runToEnd();

    const feed = await ReplayFeed.open(out, { speed: 'max', chunkEvents: 64 });
    const l = logger(() => feed.book);
    let pausedAt = -1;
    let onPaused: () => void = () => undefined;
    const paused = new Promise<void>((r) => (onPaused = r));
    const listener: ReplayListener = {
      ...l.listener,
      onBook: (t) => {
        l.listener.onBook(t);
        if (pausedAt < 0 && feed.view().eventIndex === 500) {
          feed.pause();
          pausedAt = feed.view().eventIndex;
          onPaused();
        }
      },
    };
    await feed.start(listener);
    await paused;
    // Let several event-loop turns pass: a paused replay applies nothing.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(pausedAt).toBe(500);
    expect(feed.view()).toMatchObject({ eventIndex: 500, playing: false, finished: false });
    feed.play();
    await l.ended;
    expect(l.log).toEqual(lr.log);
  });

  it('paced playback follows the event clock at the chosen speed and gives the same sequence', async () => {
    const ref = await ReplayFeed.open(out, { autoplay: false });
    const lr = logger(() => ref.book);
    await ref.start(lr.listener);
    const end = ref.frameTimeUs(0) + 1_000_000; // the first second of trading
    ref.seek(end);

    const feed = await ReplayFeed.open(out, { autoplay: false, speed: 100 });
    const l = logger(() => feed.book);
    let resolve: () => void = () => undefined;
    const reached = new Promise<void>((r) => (resolve = r));
    const wallStart = performance.now();
    await feed.start({
      ...l.listener,
      onTime: (t) => {
        l.listener.onTime(t);
        if (t >= end) {
          feed.pause();
          resolve();
        }
      },
    });
    feed.setSpeed(100);
    feed.play();
    await reached;
    const wallMs = performance.now() - wallStart;
    // 1 s of event time at 100× takes at least ~10 ms of wall time (a lower bound only: never a timed upper bound).
    expect(wallMs).toBeGreaterThanOrEqual(9);
    expect(feed.view().eventIndex).toBe(ref.view().eventIndex);
    expect(depth(feed.book)).toBe(depth(ref.book));
    expect(() => feed.setSpeed(0.1)).toThrow(/speed/);
    expect(() => feed.setSpeed(101)).toThrow(/speed/);
  });

  it('a pause from a time tick stops before the next event, at any speed (as fast as it goes here)', async () => {
    const ref = await ReplayFeed.open(out, { autoplay: false });
    await ref.start(logger(() => ref.book).listener);
    const end = ref.frameTimeUs(0) + 1_000_000;
    ref.seek(end);

    const feed = await ReplayFeed.open(out, { autoplay: false, speed: 'max' });
    const l = logger(() => feed.book);
    let resolve: () => void = () => undefined;
    const reached = new Promise<void>((r) => (resolve = r));
    await feed.start({
      ...l.listener,
      onTime: (t) => {
        l.listener.onTime(t);
        if (t >= end && feed.view().playing) {
          feed.pause();
          resolve();
        }
      },
    });
    feed.play();
    await reached;
    // Whole chunks of events are applied per turn at 'max': the pause still lands between two events.
    expect(feed.view()).toMatchObject({ playing: false, eventIndex: ref.view().eventIndex });
    expect(depth(feed.book)).toBe(depth(ref.book));
  });

  it('accepts the contract replay commands', async () => {
    const feed = await ReplayFeed.open(out, { autoplay: false, checkpointEvery: 100 });
    const l = logger(() => feed.book);
    await feed.start(l.listener);
    feed.command({ action: 'step', count: 3 });
    expect(feed.view().eventIndex).toBe(3);
    feed.command({ action: 'speed', speed: 'max' });
    expect(feed.view().speed).toBe('max');
    const mid = feed.view().startMs + 60_000;
    feed.command({ action: 'seek', timeMs: mid });
    expect(feed.view().positionMs).toBe(mid);
    expect(l.log.some((x) => x.startsWith('S '))).toBe(true);
    expect(feed.checkpointCount()).toBeGreaterThan(1);
    feed.command({ action: 'seek', timeMs: 0 });
    expect(feed.view()).toMatchObject({ eventIndex: 1, positionMs: feed.view().startMs });
  });
});

describe('ReplayFeed input checks', () => {
  it('rejects an empty capture, time going backwards and an unknown venue', () => {
    expect(() => new ReplayFeed([], {})).toThrow(/no frames/);
    const f = (us: number, msg: unknown, conn = 'NOPE.ws.1') => ({ localUs: us, kind: 'ws' as const, conn, msg });
    expect(() => new ReplayFeed([f(2, {}), f(1, {})])).toThrow(/backwards at frame 2/);
    expect(() => new ReplayFeed([f(1, { hello: 1 })], { file: 'x.jsonl' })).toThrow(/cannot tell the venue of x\.jsonl/);
  });
});
