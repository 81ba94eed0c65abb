/**
 * The monitor's store at its two paces, fed by a real desk on the simulated market (real stream messages,
 * a real SQLite file) and driven by a hand-cranked frame clock: the market view is published every frame;
 * figures and lists at most every READING_INTERVAL_MS, at once when a desk event arrives or the trading
 * state changes, and a quiet market still gets its last figures through the catch-up timer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type RunningDesk } from '../../../src/main/desk/create-desk.js';
import { DEFAULT_PARAMS, applyParamsPatch } from '../../../src/shared/params.js';
import { DeskStore, MAX_FILLS, READING_INTERVAL_MS, type Slice, type StoreScheduling } from '../../../src/renderer/desk-client/store.js';
import { removeDir } from '../../support/serve-process.js';

const START_US = 1_750_000_000_000_000;
const FRAME_MS = 16;

const FILL_OFTEN = {
  strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 20 } },
  risk: { maxInventoryLots: 300, softInventoryLots: 200, fillBurstCount: 100_000, maxLossSession: 1e9, maxLossDaily: 1e9, priceBandBps: 10_000 },
};

/** Frames and timers run only when the test says so; the clock moves only when the test moves it. */
class HandClock implements StoreScheduling {
  nowMsValue = 0;
  private frames: (() => void)[] = [];
  private timers: { atMs: number; callback: () => void }[] = [];
  readonly frame = (callback: () => void): void => void this.frames.push(callback);
  readonly nowMs = (): number => this.nowMsValue;
  readonly timer = (callback: () => void, delayMs: number): void => void this.timers.push({ atMs: this.nowMsValue + delayMs, callback });
  get pendingFrames(): number {
    return this.frames.length;
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
  /** Advances the clock by one frame and runs the timers then due and the frame callbacks. */
  frameTick(): void {
    this.nowMsValue += FRAME_MS;
    const due = this.timers.filter((t) => t.atMs <= this.nowMsValue);
    this.timers = this.timers.filter((t) => t.atMs > this.nowMsValue);
    for (const t of due) t.callback();
    const frames = this.frames;
    this.frames = [];
    for (const f of frames) f();
  }
}

const open: { run: RunningDesk; dir: string }[] = [];

afterEach(async () => {
  for (const { run, dir } of open.splice(0)) {
    await run.close();
    removeDir(dir);
  }
});

async function deskFeedingStore(): Promise<{ run: RunningDesk; store: DeskStore; clock: HandClock; published: Record<Slice, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-store-'));
  const patched = applyParamsPatch(DEFAULT_PARAMS, FILL_OFTEN);
  if (!patched.ok) throw new Error(patched.issue.message);
  // A busy market (3× the calm order flow): fills must come faster than the readings for the pacing to be tested.
  const run = await createDesk({ venue: 'sim', dbPath: join(dir, 'desk.db'), params: patched.params, startUs: START_US, sim: { seed: 5, flowMultiplier: 3 } });
  open.push({ run, dir });
  await run.start();
  const clock = new HandClock();
  const store = new DeskStore(clock);
  const published: Record<Slice, number> = { state: 0, pacedState: 0, metrics: 0, fills: 0, events: 0, trades: 0, connection: 0, session: 0 };
  for (const slice of Object.keys(published) as Slice[]) store.subscribe(slice, () => published[slice]++);
  run.desk.subscribe((message) => store.apply(message));
  return { run, store, clock, published };
}

/** One frame of market: 16 ms of simulated time, the desk's publish, then the page's animation frame. */
function marketFrame(run: RunningDesk, clock: HandClock): void {
  const sim = run.sim!;
  sim.advanceTo(sim.now() + FRAME_MS * 1_000);
  run.desk.publish();
  clock.frameTick();
}

describe('the monitor store', () => {
  it('publishes the market view every frame and the figures at reading pace', async () => {
    const { run, store, clock, published } = await deskFeedingStore();
    clock.frameTick();
    // The snapshot is published whole in the first frame.
    expect(store.current.state).not.toBeNull();
    expect(store.current.pacedState).toBe(store.current.state);
    expect(store.current.metrics).not.toBeNull();
    const start = { ...published };
    const frames = 300;
    let framesWithNews = 0;
    for (let i = 0; i < frames; i++) {
      const before = store.stats.messages;
      marketFrame(run, clock);
      if (store.stats.messages > before) framesWithNews++;
    }
    const elapsedMs = frames * FRAME_MS;
    expect(run.desk.stats.fills).toBeGreaterThan(20);
    // The market view moved in every frame the desk sent something in.
    expect(framesWithNews).toBeGreaterThan(frames / 2);
    expect(published.state - start.state).toBe(framesWithNews);
    // The figures: no more often than the reading pace (+1 for the first), and not starved either.
    const readings = published.pacedState - start.pacedState;
    expect(readings).toBeLessThanOrEqual(Math.floor(elapsedMs / READING_INTERVAL_MS) + 1);
    expect(readings).toBeGreaterThanOrEqual(Math.floor(elapsedMs / (READING_INTERVAL_MS + FRAME_MS)) - 1);
    expect(published.fills - start.fills).toBeLessThanOrEqual(readings);
    expect(published.metrics - start.metrics).toBeLessThanOrEqual(readings);
    // Newest first, every fill the desk streamed, none twice.
    const fills = store.current.fills;
    expect(fills.length).toBeLessThanOrEqual(MAX_FILLS);
    for (let i = 1; i < fills.length; i++) expect(fills[i - 1]!.timeMs).toBeGreaterThanOrEqual(fills[i]!.timeMs);
    expect(new Set(fills.map((f) => f.fillId)).size).toBe(fills.length);
    // The tape: newest first, at reading pace; the volume at price is what a fresh snapshot says now.
    const trades = store.current.trades;
    expect(trades.length).toBeGreaterThan(10);
    for (let i = 1; i < trades.length; i++) expect(trades[i - 1]!.timeMs).toBeGreaterThanOrEqual(trades[i]!.timeMs);
    expect(published.trades - start.trades).toBeLessThanOrEqual(readings);
    const snapshots: unknown[] = [];
    run.desk.subscribe((m) => snapshots.push(m))();
    const fresh = snapshots[0] as { volume: Array<readonly [number, number, number, number]> };
    expect([...store.volume.values()].sort((a, b) => a[0] - b[0])).toEqual(fresh.volume);
  });

  it('publishes a kill in the very next frame, figures and events included, however recent the last reading', async () => {
    const { run, store, clock } = await deskFeedingStore();
    clock.frameTick();
    for (let i = 0; i < 40; i++) marketFrame(run, clock);
    // Make sure a reading was just published, so the pace alone would hold the next one back.
    const readingsBefore = store.stats.readingFrames;
    while (store.stats.readingFrames === readingsBefore) marketFrame(run, clock);
    expect(run.desk.kill('test').ok).toBe(true);
    run.desk.publish();
    clock.frameTick();
    expect(store.current.state?.tradingState).toBe('halted');
    expect(store.current.pacedState?.tradingState).toBe('halted');
    expect(store.current.events.some((e) => e.kind === 'operator' && e.text.startsWith('KILL by test'))).toBe(true);
  });

  it('catches the figures up on a quiet market: a timer asks for the frame no message would', async () => {
    const { run, store, clock } = await deskFeedingStore();
    clock.frameTick();
    const readingsBefore = store.stats.readingFrames;
    while (store.stats.readingFrames === readingsBefore) marketFrame(run, clock);
    // One more market frame: its figures are held back by the pace; then the market goes quiet.
    let held = false;
    for (let i = 0; i < 10 && !held; i++) {
      marketFrame(run, clock);
      held = store.current.pacedState !== store.current.state;
    }
    expect(held).toBe(true);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.pendingFrames).toBe(0);
    const newest = store.current.state;
    const catchUpsBefore = store.stats.catchUpFrames;
    for (let i = 0; i < Math.ceil(READING_INTERVAL_MS / FRAME_MS) + 1; i++) clock.frameTick();
    expect(store.current.pacedState).toBe(newest);
    expect(clock.pendingTimers).toBe(0);
    expect(store.stats.catchUpFrames - catchUpsBefore).toBe(1);
  });
});
