/**
 * ReplayFeed: a capture played back through the venue's live adapter, as a `MarketFeed` the desk cannot
 * tell from a live one except by `mode`. The desk clock is the capture's `recv_ts` (µs): `nowUs()` is the
 * time of the last event or tick reached, and `onTime` fires on a fixed grid of event time (every
 * `timeTickMs`) in the gaps between messages, so markouts and stale checks run on the event clock. The
 * callback sequence (onBook / onTrade / onFeedEvent / onTime) depends only on the capture and the
 * options, never on wall time, speed or how playback was chunked: replaying twice gives identical results.
 *
 * Transport: `play`, `pause`, `step(n)`, `seek(timeUs)`, `setSpeed(0.25…100 | 'max')`, `view()` (the
 * contract's ReplayView) and `runToEnd()` (synchronous, every remaining event at full speed without
 * timers, for backtests). Paced playback maps wall time to event time at the chosen speed; `max` runs
 * in chunks and yields to the event loop between them so sockets and timers stay alive.
 *
 * Seek semantics. Checkpoints are taken every `checkpointEvery` events as playback passes them: deep
 * copies of the adapter's state, and — when the listener takes part (`checkpointState`/`restoreState`,
 * the desk does) — of the listener's own state at the same event. With such a listener a seek is EXACT:
 * going back restores the nearest checkpoint at or before the target (book and listener), forgets the
 * listener's checkpoints after it (that stretch will be played again), and then every event and time
 * tick up to the target is played WITH callbacks at full speed, as is every event of a seek forward; so
 * after any sequence of seeks, plays and steps the listener is exactly where an uninterrupted replay to
 * the same point leaves it (tested on a real day). `seek` does it at once; the transport's seek command
 * (`command`) does it in chunks, yielding to the event loop between them (`seekingToMs` in the view), so
 * a kill or a reader is never held behind a long seek. Then `onSeek({fromUs, toUs, eventIndex})`.
 * Without a participating listener, the events up to the target are applied WITHOUT callbacks (no
 * trades, no book updates, no feed events for the skipped stretch), then `onSeek`, a feed event stating
 * the trust after the jump (`trusted`, or `untrusted` with cause `snapshot-pending`) and `onBook(toUs)`.
 * Either way the book is exactly what a straight replay to the same point gives. Time may go backwards
 * only at a seek.
 * The replay ignores adapter actions (fetch snapshot, resubscribe): the capture already holds what followed.
 */
import type { ReplayCommand, ReplayView, FeedHealthView } from '../../../shared/contract.js';
import { assertNever, type Instrument, type LocalUs } from '../../../shared/units.js';
import { createAdapter, type AdapterOptions } from '../adapters/index.js';
import type { AdapterSink, AdapterVenue, VenueAdapter } from '../adapters/types.js';
import { loadCapture } from '../capture/index.js';
import { FeedHealthTracker } from '../feed-health.js';
import { registerLobsterAdapter } from '../lobster/register.js';
import type { BookReader, Clock, FeedEvent, FeedListener, MarketFeed, MarketTrade } from '../types.js';
import { captureInstrument, marketFrames, type InstrumentSource, type InstrumentSpec } from './capture-instrument.js';
import { CaptureDetectionError, detectCapture, type CaptureIdentity, type ReplayFrame } from './detect.js';
import { captureState, restoreState, type StateSnapshot } from './state-snapshot.js';

export type ReplaySpeed = number | 'max';

export interface SeekInfo {
  readonly fromUs: LocalUs;
  readonly toUs: LocalUs;
  /** Index of the next event to be applied after the seek. */
  readonly eventIndex: number;
  /** The listener heard every event on the way (true), or missed the skipped stretch (false). */
  readonly exact: boolean;
}

/** A FeedListener that may also hear the replay's own events. */
export interface ReplayListener extends FeedListener {
  /** The replay jumped (see the header for what the listener heard on the way). */
  onSeek?(info: SeekInfo): void;
  /**
   * Takes part in the replay's checkpoints: the listener's state now (opaque to the replay), kept with the
   * checkpoint of this event. With `restoreState`, seeks are exact (see the header).
   */
  checkpointState?(): unknown;
  /** The replay went back to a checkpoint taken at `atUs`: restore what `checkpointState` gave then. */
  restoreState?(state: unknown, atUs: LocalUs): void;
  /** The last event was applied. */
  onEnd?(localUs: LocalUs): void;
  /** Play/pause/speed changed (for the monitor's transport). */
  onTransport?(view: ReplayView): void;
}

export interface ReplayFeedOptions {
  readonly venue?: AdapterVenue;
  readonly symbol?: string;
  /** The instrument, as is (tests). Hosts pass `instrumentSpec` instead. */
  readonly instrument?: Instrument;
  /** Tick and lot the user gave (`--tick-size`/`--lot-size`): checked against the capture, then used. */
  readonly instrumentSpec?: InstrumentSpec;
  /** Name shown in ReplayView and used for venue detection (Bybit spot/linear). */
  readonly file?: string;
  /** Initial speed (default 1). */
  readonly speed?: ReplaySpeed;
  /** `start()` begins playing (default true). Backtests pass false and call `runToEnd()`. */
  readonly autoplay?: boolean;
  /**
   * Keep a participating listener's state with the checkpoints, for exact seeks (default true). A backtest,
   * which never seeks, turns it off and saves the copies.
   */
  readonly exactSeeks?: boolean;
  /** Events between checkpoints (default max(4,096, events/128): at most ~128 copies of the adapter state, a seek applies at most that many events). */
  readonly checkpointEvery?: number;
  /** Grid of `onTime` calls in event time between messages, ms (default 100; 0 = none). */
  readonly timeTickMs?: number;
  /** Events applied per macrotask at `max` speed (default 8,192). */
  readonly chunkEvents?: number;
  readonly staleAfterMs?: number;
  readonly adapterOptions?: AdapterOptions;
  /** Builds the adapter (default: `createAdapter`, with the lobster adapter registered). */
  readonly adapterFactory?: (venue: AdapterVenue, instrument: Instrument, options: AdapterOptions) => VenueAdapter;
}

export interface OpenReplayOptions extends ReplayFeedOptions {
  /** Fraction of the file parsed (0..1), for the monitor's loading bar. */
  readonly onLoadProgress?: (fraction: number) => void;
}

interface Checkpoint {
  readonly index: number;
  readonly clockUs: number;
  readonly nextTickUs: number;
  readonly state: StateSnapshot;
  /** The participating listener's state at this event on the current timeline (undefined: not taken). */
  listener: { readonly state: unknown } | undefined;
}

/** A seek under way: where it goes, and what it started from. */
interface SeekRun {
  readonly fromUs: number;
  readonly toUs: number;
  readonly target: number;
  readonly resume: boolean;
}

const NULL_LISTENER: ReplayListener = {
  onBook: () => undefined,
  onTrade: () => undefined,
  onFeedEvent: () => undefined,
  onTime: () => undefined,
};
const DETACHED_SINK: AdapterSink = Object.freeze({ onTrade: () => undefined, onFeedEvent: () => undefined });

function validSpeed(speed: ReplaySpeed): ReplaySpeed {
  if (speed === 'max') return speed;
  if (!(typeof speed === 'number' && speed >= 0.25 && speed <= 100)) throw new RangeError(`speed must be 0.25…100 or 'max', got ${String(speed)}`);
  return speed;
}

export class ReplayFeed implements MarketFeed, Clock {
  readonly mode = 'replay' as const;
  readonly instrument: Instrument;
  readonly book: BookReader;
  readonly venue: AdapterVenue;
  readonly symbol: string;
  readonly identity: CaptureIdentity;
  /** Where the tick and lot came from, and the one-line notice a host prints when they were guessed. */
  readonly instrumentSource: InstrumentSource;
  readonly instrumentNotice: string | null;
  readonly adapter: VenueAdapter;
  readonly file: string;
  private readonly frames: readonly ReplayFrame[];
  private readonly tracker: FeedHealthTracker;
  private readonly checkpoints: Checkpoint[] = [];
  private readonly checkpointEvery: number;
  private readonly tickUs: number;
  private readonly chunkEvents: number;
  private readonly autoplay: boolean;
  private readonly exactSeeks: boolean;
  private readonly sink: AdapterSink;
  private listener: ReplayListener = NULL_LISTENER;
  /** Callbacks off while rebuilding state during a seek. */
  private silent = false;
  private index = 0;
  private clockUs: number;
  private nextTickUs: number;
  private speed: ReplaySpeed;
  private playing = false;
  private started = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private wallAnchorMs = 0;
  private eventAnchorUs = 0;
  private ended = false;
  /** The listener takes part in checkpoints (exact seeks). */
  private participant = false;
  /** The transport's seek being played in chunks, if any. */
  private seeking: SeekRun | null = null;
  /** The transport command under way (a seek played in chunks): the next one waits for it. */
  private busy: Promise<void> | null = null;

  /** Loads a capture file (`.jsonl` / `.jsonl.gz`), detects its venue and symbol, builds the feed. */
  static async open(file: string, options: OpenReplayOptions = {}): Promise<ReplayFeed> {
    const loaded = await loadCapture(file, options.onLoadProgress);
    return new ReplayFeed(loaded.frames, { ...options, file: options.file ?? file });
  }

  constructor(allFrames: readonly ReplayFrame[], options: ReplayFeedOptions = {}) {
    this.file = options.file ?? '(memory)';
    if (allFrames.length === 0) throw new CaptureDetectionError(`${this.file}: the capture holds no frames (an empty file?)`);
    for (let i = 1; i < allFrames.length; i++) {
      // why: a capture is in receive order; a clock going backwards would break seeking and the event clock.
      if (allFrames[i]!.localUs < allFrames[i - 1]!.localUs) {
        throw new CaptureDetectionError(`${this.file}: recv_ts goes backwards at frame ${i + 1}`);
      }
    }
    const detectOptions: { venue?: AdapterVenue; symbol?: string; fileName?: string } = { fileName: this.file };
    if (options.venue !== undefined) detectOptions.venue = options.venue;
    if (options.symbol !== undefined) detectOptions.symbol = options.symbol;
    this.identity = detectCapture(allFrames, detectOptions);
    this.venue = this.identity.venue;
    this.symbol = this.identity.symbol;
    const spec = options.instrument
      ? { instrument: options.instrument, source: 'given' as const, notice: null }
      : captureInstrument(this.venue, this.symbol, allFrames, options.instrumentSpec);
    this.instrument = spec.instrument;
    this.instrumentSource = spec.source;
    this.instrumentNotice = spec.notice;
    // The venue's instrument answer is not market data: live, the adapter never saw it.
    const frames = marketFrames(this.venue, this.symbol, allFrames);
    if (frames.length === 0) throw new CaptureDetectionError(`${this.file}: the capture holds no market data`);
    this.frames = frames;
    registerLobsterAdapter();
    const factory = options.adapterFactory ?? createAdapter;
    this.adapter = factory(this.venue, this.instrument, options.adapterOptions ?? {});
    this.book = this.adapter.book;
    // A replay's connection is the capture: a gap in it is a quiet market, never a silent link.
    this.tracker = new FeedHealthTracker({ connectionCanGoSilent: false, ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }) });
    this.tracker.bindCounters(this.adapter.counters);
    this.checkpointEvery = Math.max(1, Math.floor(options.checkpointEvery ?? Math.max(4_096, Math.ceil(frames.length / 128))));
    this.tickUs = Math.max(0, Math.round((options.timeTickMs ?? 100) * 1_000));
    this.chunkEvents = Math.max(1, options.chunkEvents ?? 8_192);
    this.speed = validSpeed(options.speed ?? 1);
    this.autoplay = options.autoplay ?? true;
    this.exactSeeks = options.exactSeeks ?? true;
    this.clockUs = frames[0]!.localUs;
    this.nextTickUs = this.firstTickAfter(this.clockUs);
    this.sink = {
      onTrade: (trade: MarketTrade) => {
        if (!this.silent) this.listener.onTrade(trade);
      },
      onFeedEvent: (event: FeedEvent) => {
        this.tracker.recordFeedEvent(event);
        if (!this.silent) this.listener.onFeedEvent(event);
      },
    };
    this.adapter.setSink(this.sink);
    this.takeCheckpoint();
  }

  // ---- MarketFeed ----------------------------------------------------------------------------------

  nowUs(): LocalUs {
    return this.clockUs;
  }

  trusted(): boolean {
    return this.adapter.trusted();
  }

  health(nowUs: LocalUs): FeedHealthView {
    return this.tracker.view(nowUs);
  }

  async start(listener: FeedListener | ReplayListener): Promise<void> {
    if (this.started) throw new Error('replay already started');
    this.started = true;
    this.listener = listener;
    const candidate = listener as ReplayListener;
    this.participant = this.exactSeeks && typeof candidate.checkpointState === 'function' && typeof candidate.restoreState === 'function';
    this.tracker.setConnection('connected', this.clockUs);
    this.listener.onFeedEvent({ type: 'connected', localUs: this.clockUs });
    if (this.autoplay) this.play();
  }

  async stop(): Promise<void> {
    this.pause();
    this.tracker.setConnection('closed', this.clockUs);
    this.listener = NULL_LISTENER;
  }

  // ---- transport -----------------------------------------------------------------------------------

  play(): void {
    if (this.playing || this.index >= this.frames.length) return;
    this.playing = true;
    this.anchor();
    this.notifyTransport();
    this.schedule(0);
  }

  pause(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (!this.playing) return;
    this.playing = false;
    this.notifyTransport();
  }

  setSpeed(speed: ReplaySpeed): void {
    this.speed = validSpeed(speed);
    this.anchor();
    this.notifyTransport();
    if (this.playing) this.schedule(0);
  }

  /** Applies the next `count` events (with the onTime ticks before them), paused. Returns how many. */
  step(count = 1): number {
    this.pause();
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`step count must be an integer ≥ 1, got ${count}`);
    const n = this.advanceEvents(count);
    this.finishIfDone();
    return n;
  }

  /**
   * Jumps to event time `timeUs` (clamped to the capture): every event with recv time ≤ it is applied, at
   * once (see the header; the transport's seek command plays it in chunks instead).
   */
  seek(timeUs: LocalUs): void {
    if (!this.participant) {
      this.silentSeek(timeUs);
      return;
    }
    const run = this.beginSeek(timeUs);
    this.advanceSeek(run, Number.POSITIVE_INFINITY);
    this.finishSeek(run);
  }

  /**
   * The transport's seek: played in chunks of `chunkEvents`, yielding to the event loop between them; one
   * that fits in a chunk is done at once (no promise).
   */
  private seekInChunks(timeUs: LocalUs): Promise<void> | void {
    if (!this.participant) {
      this.silentSeek(timeUs);
      return;
    }
    const run = this.beginSeek(timeUs);
    if (this.advanceSeek(run, this.chunkEvents)) {
      this.finishSeek(run);
      return;
    }
    this.seeking = run;
    this.notifyTransport();
    return (async () => {
      try {
        do {
          await new Promise<void>((resolve) => setImmediate(resolve));
          // The replay stopped meanwhile (the session closed): nothing left to seek for.
          if (this.listener === NULL_LISTENER) return;
        } while (!this.advanceSeek(run, this.chunkEvents));
      } finally {
        this.seeking = null;
      }
      this.finishSeek(run);
    })();
  }

  /**
   * Starts an exact seek: pauses, and when going back in time restores the nearest checkpoint at or before
   * the target that holds the listener's state (book and listener), forgetting the listener's later ones.
   */
  private beginSeek(timeUs: LocalUs): SeekRun {
    const to = this.seekTime(timeUs);
    const run: SeekRun = { fromUs: this.clockUs, toUs: to, target: this.upperBound(to), resume: this.playing };
    this.pause();
    if (run.target < this.index || to < this.clockUs) {
      let slot = -1;
      for (let i = this.checkpoints.length - 1; i >= 0; i--) {
        const cp = this.checkpoints[i]!;
        if (cp.index <= run.target && cp.clockUs <= to && cp.listener !== undefined) {
          slot = i;
          break;
        }
      }
      // The first checkpoint's listener state is taken before the first event, so it exists once anything
      // was played; going back further than that means nothing was played, and nothing needs undoing.
      if (slot >= 0) {
        const cp = this.checkpoints[slot]!;
        this.restoreCheckpoint(cp);
        this.tracker.setTrusted(this.adapter.trusted());
        (this.listener as Required<Pick<ReplayListener, 'restoreState'>>).restoreState(cp.listener!.state, cp.clockUs);
        for (let i = slot + 1; i < this.checkpoints.length; i++) this.checkpoints[i]!.listener = undefined;
        this.ended = false;
      }
    }
    return run;
  }

  /** Plays up to `budget` events of the seek with every callback; true once the target is reached. */
  private advanceSeek(run: SeekRun, budget: number): boolean {
    const end = Math.min(run.target, this.index + budget);
    while (this.index < end) this.applyEvent();
    if (this.index < run.target) return false;
    this.ticksUpTo(run.toUs);
    if (run.toUs > this.clockUs) this.clockUs = run.toUs;
    return true;
  }

  private finishSeek(run: SeekRun): void {
    this.ended = this.index >= this.frames.length;
    this.anchor();
    this.listener.onSeek?.({ fromUs: run.fromUs, toUs: this.clockUs, eventIndex: this.index, exact: true });
    if (this.ended) this.finishIfDone();
    else if (run.resume) this.play();
    else this.notifyTransport();
  }

  /** A seek's target time, clamped to the capture. */
  private seekTime(timeUs: LocalUs): LocalUs {
    if (!Number.isFinite(timeUs)) throw new RangeError(`seek time must be finite, got ${timeUs}`);
    return Math.min(Math.max(timeUs, this.frames[0]!.localUs), this.frames[this.frames.length - 1]!.localUs);
  }

  /** A seek without a participating listener: the book rebuilt without callbacks (see the header). */
  private silentSeek(timeUs: LocalUs): void {
    const to = this.seekTime(timeUs);
    const from = this.clockUs;
    const target = this.upperBound(to);
    this.silent = true;
    try {
      if (target < this.index || target - this.index > this.checkpointEvery) {
        let slot = -1;
        for (let i = this.checkpoints.length - 1; i >= 0 && slot < 0; i--) if (this.checkpoints[i]!.index <= target) slot = i;
        const cp = this.checkpoints[Math.max(0, slot)]!;
        if (cp.index > this.index || target < this.index) this.restoreCheckpoint(cp);
      }
      while (this.index < target) this.applyEvent();
    } finally {
      this.silent = false;
    }
    // The listener missed the stretch: its checkpoints no longer describe this timeline.
    for (const cp of this.checkpoints) cp.listener = undefined;
    this.clockUs = to;
    this.nextTickUs = this.firstTickAfter(to);
    this.ended = this.index >= this.frames.length;
    this.tracker.restartWindow();
    this.tracker.setTrusted(this.adapter.trusted());
    if (this.index > 0) this.tracker.recordMessage(this.frames[this.index - 1]!.localUs);
    this.anchor();
    this.listener.onSeek?.({ fromUs: from, toUs: to, eventIndex: this.index, exact: false });
    this.listener.onFeedEvent(
      this.adapter.trusted()
        ? { type: 'trusted', localUs: to }
        : { type: 'untrusted', localUs: to, cause: 'snapshot-pending', detail: 'replay seek: the book is not trusted at this point of the capture' },
    );
    this.listener.onBook(to);
    if (this.ended) this.finishIfDone();
  }

  /**
   * The contract's replay commands (`POST /api/replay`), already validated by REPLAY_COMMAND_SCHEMA. They
   * run one after another: a seek played in chunks finishes before the next command starts; the promise
   * settles when this command is done.
   */
  command(command: ReplayCommand): Promise<void> {
    let run: Promise<void>;
    if (this.busy === null) {
      // Nothing under way: the command runs now, in this turn (a seek's first chunk too).
      let outcome: Promise<void> | void;
      try {
        outcome = this.runCommand(command);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (outcome === undefined) return Promise.resolve();
      run = outcome;
    } else {
      // Behind a seek still being played: it waits for it.
      run = this.busy.then(() => this.runCommand(command));
    }
    const settled: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    this.busy = settled;
    void settled.then(() => {
      if (this.busy === settled) this.busy = null;
    });
    return run;
  }

  private runCommand(command: ReplayCommand): Promise<void> | void {
    switch (command.action) {
      case 'play':
        this.play();
        return;
      case 'pause':
        this.pause();
        return;
      case 'step':
        this.step(command.count ?? 1);
        return;
      case 'seek':
        return this.seekInChunks(command.timeMs * 1_000);
      case 'speed':
        this.setSpeed(command.speed);
        return;
      default:
        assertNever(command, 'replay command');
    }
  }

  /** Synchronously applies every remaining event (and tick) with callbacks; returns how many events. */
  runToEnd(): number {
    this.pause();
    const n = this.advanceEvents(Number.POSITIVE_INFINITY);
    this.finishIfDone();
    return n;
  }

  view(): ReplayView {
    const n = this.frames.length;
    return {
      file: this.file,
      positionMs: this.clockUs / 1_000,
      startMs: this.frames[0]!.localUs / 1_000,
      endMs: this.frames[n - 1]!.localUs / 1_000,
      eventIndex: this.index,
      eventCount: n,
      progress: n === 0 ? 1 : this.index / n,
      speed: this.speed,
      playing: this.playing,
      finished: this.index >= n,
      loading: null,
      seekingToMs: this.seeking === null ? null : this.seeking.toUs / 1_000,
    };
  }

  /** Receive time (µs) of event `index` of the capture. */
  frameTimeUs(index: number): LocalUs {
    const f = this.frames[index];
    if (f === undefined) throw new RangeError(`event index ${index} outside 0..${this.frames.length - 1}`);
    return f.localUs;
  }

  /** Number of checkpoints held (for tests and the monitor's diagnostics). */
  checkpointCount(): number {
    return this.checkpoints.length;
  }

  // ---- engine --------------------------------------------------------------------------------------

  private firstTickAfter(us: number): number {
    return this.tickUs > 0 ? (Math.floor(us / this.tickUs) + 1) * this.tickUs : Number.POSITIVE_INFINITY;
  }

  /** Emits the onTime grid points in (clock, upTo]. */
  private ticksUpTo(upTo: number, whilePlaying = false): void {
    while (this.nextTickUs <= upTo && (!whilePlaying || this.playing)) {
      this.clockUs = this.nextTickUs;
      this.nextTickUs += this.tickUs;
      this.listener.onTime(this.clockUs);
    }
  }

  /**
   * Applies the next event after the time ticks before it. `whilePlaying`: a tick's listener that pauses the
   * replay stops it before this event (false is returned and nothing is applied), as a pause anywhere else does.
   */
  private applyEvent(whilePlaying = false): boolean {
    // The first checkpoint's listener state is the listener as it was before the first event.
    if (this.index === 0 && !this.silent && this.participant) this.takeListenerState(this.checkpoints[0]!);
    const f = this.frames[this.index]!;
    if (!this.silent) {
      this.ticksUpTo(f.localUs, whilePlaying);
      if (whilePlaying && !this.playing) return false;
    }
    this.clockUs = f.localUs;
    this.tracker.recordMessage(f.localUs);
    const changed = this.adapter.onMessage(f.kind, f.msg, f.localUs);
    this.adapter.takeAction(); // a replay cannot act: the capture holds what followed
    this.index++;
    if (changed && !this.silent) this.listener.onBook(f.localUs);
    if (this.index % this.checkpointEvery === 0) {
      const slot = this.index / this.checkpointEvery;
      if (slot === this.checkpoints.length) this.takeCheckpoint();
      else if (!this.silent && this.participant) this.takeListenerState(this.checkpoints[slot]!);
    }
    return true;
  }

  /** Keeps the listener's state with a checkpoint of the current timeline, unless it already has it. */
  private takeListenerState(cp: Checkpoint): void {
    if (cp.listener !== undefined || cp.index !== this.index) return;
    const listener = this.listener as ReplayListener;
    if (typeof listener.checkpointState === 'function') cp.listener = { state: listener.checkpointState() };
  }

  /** `whilePlaying`: stop as soon as a callback pauses the replay (playback chunks). */
  private advanceEvents(count: number, whilePlaying = false): number {
    const end = Math.min(this.frames.length, this.index + count);
    const start = this.index;
    while (this.index < end && (!whilePlaying || this.playing)) {
      if (!this.applyEvent(whilePlaying)) break;
    }
    return this.index - start;
  }

  /** Applies events due at or before `targetUs` (at most `budget`), then ticks up to the target. */
  private advanceTo(targetUs: number, budget: number): number {
    const frames = this.frames;
    let n = 0;
    while (this.index < frames.length && frames[this.index]!.localUs <= targetUs && n < budget && this.playing) {
      if (!this.applyEvent(true)) break;
      n++;
    }
    if (n < budget && this.playing) {
      const limit = this.index < frames.length ? Math.min(targetUs, frames[this.index]!.localUs - 1) : targetUs;
      if (limit > this.clockUs) {
        this.ticksUpTo(limit, true);
        if (this.playing) this.clockUs = Math.max(this.clockUs, Math.min(limit, frames[frames.length - 1]!.localUs));
      }
    }
    return n;
  }

  private takeCheckpoint(): void {
    this.adapter.setSink(DETACHED_SINK);
    let cp: Checkpoint;
    try {
      cp = { index: this.index, clockUs: this.clockUs, nextTickUs: this.nextTickUs, state: captureState(this.adapter), listener: undefined };
    } finally {
      this.adapter.setSink(this.sink);
    }
    this.checkpoints.push(cp);
    // Index 0 is taken before the listener starts: its state is taken before the first event instead.
    if (this.index > 0 && !this.silent && this.participant) this.takeListenerState(cp);
  }

  private restoreCheckpoint(cp: Checkpoint): void {
    restoreState(this.adapter, cp.state);
    this.adapter.setSink(this.sink);
    this.index = cp.index;
    this.clockUs = cp.clockUs;
    this.nextTickUs = cp.nextTickUs;
  }

  /** First index whose time is > t. */
  private upperBound(t: number): number {
    let lo = 0;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.frames[mid]!.localUs <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private anchor(): void {
    this.wallAnchorMs = performance.now();
    this.eventAnchorUs = this.clockUs;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (delayMs <= 0) this.immediate = setImmediate(() => this.pump());
    else this.timer = setTimeout(() => this.pump(), delayMs);
  }

  private pump(): void {
    this.timer = null;
    this.immediate = null;
    if (!this.playing) return;
    if (this.speed === 'max') {
      this.advanceEvents(this.chunkEvents, true);
      if (this.finishIfDone() || !this.playing) return;
      this.anchor();
      this.schedule(0);
      return;
    }
    const speed = this.speed;
    const targetUs = this.eventAnchorUs + (performance.now() - this.wallAnchorMs) * 1_000 * speed;
    const n = this.advanceTo(targetUs, this.chunkEvents);
    if (this.finishIfDone() || !this.playing) return;
    if (n >= this.chunkEvents) {
      this.schedule(0); // behind schedule: keep going, but let the event loop breathe
      return;
    }
    const nextEventUs = this.frames[this.index]!.localUs;
    const nextUs = Math.min(nextEventUs, this.nextTickUs);
    const waitMs = (nextUs - targetUs) / 1_000 / speed;
    this.schedule(Math.min(250, Math.max(1, waitMs)));
  }

  private finishIfDone(): boolean {
    if (this.index < this.frames.length) return false;
    const wasPlaying = this.playing;
    this.playing = false;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (!this.ended) {
      this.ended = true;
      this.listener.onEnd?.(this.clockUs);
    }
    if (wasPlaying) this.notifyTransport();
    return true;
  }

  private notifyTransport(): void {
    this.listener.onTransport?.(this.view());
  }
}
