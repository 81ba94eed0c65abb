/**
 * The session host: owns the one running desk of a host process and lets the operator switch markets at
 * runtime — the simulated market, a live venue and symbol, or a recording to replay — and start and stop
 * sessions. Switching ends the current session properly (quotes pulled, session ended in the store)
 * before the next one starts. Transports (HTTP/WebSocket, Electron IPC) talk to the host, which routes to
 * the current desk and re-subscribes their streams when the desk changes (a fresh snapshot follows).
 * It also owns the recordings folder (what can be replayed) and the record toggle of a live session.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CommandResult, RecordingView, SessionSpec, SessionView, StreamMessage } from '../../shared/contract.js';
import type { DeskParams } from '../../shared/params.js';
import { createDesk, type DeskOptions, type LiveExecutionOptions, type RunningDesk } from './create-desk.js';
import type { Desk } from './desk.js';

export interface DeskHostOptions {
  readonly dbPath: string;
  readonly params: DeskParams;
  /** Folder of recordings that can be replayed, and where the record toggle writes. */
  readonly recordingsDir: string;
  /** Options passed through to every desk (sim config, endpoints, native binding, logger...). */
  readonly base?: Partial<Omit<DeskOptions, 'venue' | 'symbol' | 'recording' | 'speed' | 'dbPath' | 'params'>>;
  readonly logger?: (line: string) => void;
}

type Listener = (message: StreamMessage) => void;

export class DeskHost {
  private running: RunningDesk | null = null;
  private view: SessionView = { status: 'stopped', spec: null, loading: null, error: null, sessionId: null };
  private readonly listeners = new Map<Listener, (() => void) | null>();
  private switching: Promise<void> = Promise.resolve();
  private params: DeskParams;
  /** The error that made the last start fail (for hosts that map errors to exit codes). */
  lastError: Error | null = null;

  /** The keys and network live sessions use (from the host's start, or set later by the desktop app). */
  private live: LiveExecutionOptions | null;

  constructor(private readonly options: DeskHostOptions) {
    this.params = options.params;
    this.live = options.base?.live ?? null;
  }

  /** Sets (or, with null, forgets) the keys live sessions use; a running session keeps the ones it has. */
  setLive(live: LiveExecutionOptions | null): void {
    this.live = live;
  }

  /** The running desk, or null while none runs. */
  get desk(): Desk | null {
    return this.running?.desk ?? null;
  }

  get current(): RunningDesk | null {
    return this.running;
  }

  session(): SessionView {
    return this.view;
  }

  /** Stops the current session (if any) and starts `spec`. Resolves when it runs or failed. */
  start(spec: SessionSpec): Promise<CommandResult> {
    const check = this.checkSpec(spec);
    if (check) return Promise.resolve(check);
    const run = this.switching.then(() => this.switchTo(spec));
    this.switching = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  stop(): Promise<CommandResult> {
    const run = this.switching.then(async (): Promise<CommandResult> => {
      if (!this.running) return { ok: false, error: 'no session is running' };
      await this.closeCurrent();
      this.setView({ status: 'stopped', spec: this.view.spec, loading: null, error: null, sessionId: null });
      return { ok: true };
    });
    this.switching = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Ends everything (host shutdown). */
  async close(): Promise<void> {
    await this.switching;
    await this.closeCurrent();
    for (const unsubscribe of this.listeners.values()) unsubscribe?.();
    this.listeners.clear();
  }

  /** Streams the current desk's messages and the session changes; survives desk switches. */
  subscribe(listener: Listener): () => void {
    // The contract's order: a snapshot first (when a desk runs), then the session, then updates.
    this.listeners.set(listener, this.running ? this.running.desk.subscribe(listener) : null);
    listener({ type: 'session', session: this.view });
    return () => {
      this.listeners.get(listener)?.();
      this.listeners.delete(listener);
    };
  }

  private readonly trusted = new Set<string>();

  /** Allows a recording outside the recordings folder (one the operator named on the command line). */
  trustRecording(path: string): void {
    this.trusted.add(resolve(path));
  }

  /** Recordings in the recordings folder (and any trusted one), newest first. */
  recordings(): RecordingView[] {
    const dir = this.options.recordingsDir;
    const paths = new Set<string>(this.trusted);
    if (existsSync(dir)) {
      for (const name of readdirSync(dir)) if (/\.jsonl(\.gz)?$/.test(name) && !name.startsWith('.')) paths.add(join(dir, name));
    }
    const out: RecordingView[] = [];
    for (const path of paths) {
      const name = basename(path);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      const match = /^([a-z-]+)_([A-Za-z0-9._-]+?)_/.exec(name);
      out.push({ path, name, bytes: stat.size, modifiedMs: Math.floor(stat.mtimeMs), venue: match?.[1] ?? null, symbol: match?.[2] ?? null });
    }
    return out.sort((a, b) => b.modifiedMs - a.modifiedMs);
  }

  /** Starts or stops recording the running live session's feed into the recordings folder. */
  async setRecording(on: boolean): Promise<CommandResult> {
    const running = this.running;
    if (!running?.live) return { ok: false, error: 'recording needs a live venue session', field: 'on' };
    const live = running.live;
    const desk = running.desk;
    if (on) {
      if (live.recording()) return { ok: false, error: 'already recording', field: 'on' };
      mkdirSync(this.options.recordingsDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const symbol = desk.feed.instrument.symbol.replace(/[^A-Za-z0-9._-]/g, '-');
      const file = join(this.options.recordingsDir, `${desk.feed.instrument.venue}_${symbol}_${stamp}.jsonl.gz`);
      await live.startRecording(file);
      desk.noteRecording(file, true);
      return { ok: true };
    }
    const current = live.recording();
    if (!current) return { ok: false, error: 'not recording', field: 'on' };
    await live.stopRecording();
    desk.noteRecording(current.file, false);
    return { ok: true };
  }

  private checkSpec(spec: SessionSpec): CommandResult | null {
    if (spec.recording !== undefined) {
      const wanted = resolve(spec.recording);
      const listed = this.recordings().some((recording) => resolve(recording.path) === wanted);
      if (!listed) {
        return { ok: false, error: `not a recording in ${this.options.recordingsDir}: ${basename(spec.recording)}`, field: 'recording' };
      }
      return null;
    }
    if (spec.venue !== 'sim' && !spec.symbol) return { ok: false, error: `a symbol is needed for the live venue ${spec.venue}`, field: 'symbol' };
    if (spec.speed !== undefined) return { ok: false, error: 'speed applies to a recording', field: 'speed' };
    if (spec.execution === 'live') {
      if (!this.live) return { ok: false, error: 'live execution needs the account keys: start the desk with them (QUOTEDESK_API_KEY and QUOTEDESK_API_SECRET)', field: 'execution' };
      const expected = `${spec.venue} ${spec.symbol ?? ''}`;
      if (spec.confirm !== expected) return { ok: false, error: `to trade for real, type "${expected}" to confirm`, field: 'confirm' };
    } else if (spec.mainnet !== undefined || spec.confirm !== undefined) {
      return { ok: false, error: 'mainnet and confirm apply to live execution', field: spec.mainnet !== undefined ? 'mainnet' : 'confirm' };
    }
    return null;
  }

  private async switchTo(spec: SessionSpec): Promise<CommandResult> {
    if (this.running) this.params = this.running.desk.state().params;
    await this.closeCurrent();
    this.setView({ status: 'starting', spec, loading: spec.recording ? 0 : null, error: null, sessionId: null });
    let lastReported = 0;
    try {
      const running = await createDesk({
        ...this.options.base,
        venue: spec.venue,
        dbPath: this.options.dbPath,
        params: this.params,
        ...(spec.symbol ? { symbol: spec.symbol } : {}),
        ...(spec.recording ? { recording: spec.recording } : {}),
        ...(spec.speed !== undefined ? { speed: spec.speed } : {}),
        // why: the network is the session's own choice (the operator's mainnet switch, or `--mainnet`), never
        // a default left over from the host: a session started without it goes to the testnet.
        ...(spec.execution === 'live' && this.live ? { execution: 'live' as const, live: { ...this.live, network: spec.mainnet === true ? ('mainnet' as const) : ('testnet' as const) } } : {}),
        ...(this.options.logger ? { logger: this.options.logger } : {}),
        onLoadProgress: (fraction) => {
          if (fraction - lastReported < 0.02 && fraction < 1) return;
          lastReported = fraction;
          this.setView({ ...this.view, loading: fraction });
        },
      });
      await running.start();
      this.lastError = null;
      this.running = running;
      for (const listener of this.listeners.keys()) this.listeners.set(listener, running.desk.subscribe(listener));
      this.setView({ status: 'running', spec, loading: null, error: null, sessionId: running.desk.sessionId });
      return { ok: true };
    } catch (error) {
      this.lastError = error as Error;
      const message = (error as Error).message;
      // why: not logged here: the caller reports it once (the CLI's one error line, the monitor's dialog).
      this.setView({ status: 'failed', spec, loading: null, error: message, sessionId: null });
      return { ok: false, error: message };
    }
  }

  private async closeCurrent(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    for (const [listener, unsubscribe] of this.listeners) {
      unsubscribe?.();
      this.listeners.set(listener, null);
    }
    if (running.live?.recording()) await running.live.stopRecording();
    await running.close();
  }

  private setView(view: SessionView): void {
    this.view = view;
    const message: StreamMessage = { type: 'session', session: view };
    for (const listener of this.listeners.keys()) listener(message);
  }
}
