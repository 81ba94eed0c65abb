/**
 * The host's side of the engine thread: starts the worker (`engine-worker.ts`), sends it requests and
 * matches their answers, and hands the host the engine's session changes and stream frames. Every method
 * is asynchronous and cheap on this thread; nothing here waits on the engine's work.
 *
 * Reads are coalesced: while a read of a kind is on its way, every further request for it waits for the
 * NEXT read, which leaves once the current one is answered — so each reader gets an answer at least as
 * new as its request, and a flood of readers costs the engine at most one read of each kind at a time.
 * Commands are never coalesced or queued behind reads: each is posted at once, in arrival order.
 *
 * If the engine thread dies (an uncaught error, out of memory), every pending request fails with that
 * reason, the session reads `failed`, and the failure listeners hear it once: a host must not show a
 * frozen desk as if it were running.
 */
import { Worker } from 'node:worker_threads';
import type { CommandResult, RecordingView, SessionSpec, SessionView } from '../../shared/contract.js';
import type { LiveExecutionOptions } from '../desk/create-desk.js';
import type { CommandName } from './commands.js';
import type { CommandAnswer, EngineAnswers, EngineEvent, EngineOptions, EngineRead, EngineRequest, ReadAnswer, StartAnswer, StreamFrame } from './protocol.js';
import { StreamMirror } from './stream-mirror.js';
import { workerEntry } from './worker-entry.js';

type Pending = { readonly resolve: (value: unknown) => void; readonly reject: (error: Error) => void };

interface Coalesced<T> {
  inflight: boolean;
  waiters: Array<{ readonly resolve: (value: T) => void; readonly reject: (error: Error) => void }>;
}

export class EngineLink {
  /** The desk's stream as of the newest frame: transports build their clients' messages from it. */
  readonly stream = new StreamMirror();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private sessionView: SessionView = { status: 'starting', spec: null, loading: null, error: null, sessionId: null };
  private watchers = 0;
  private readonly frameListeners = new Set<(frame: StreamFrame) => void>();
  private readonly sessionListeners = new Set<(session: SessionView) => void>();
  private readonly failureListeners = new Set<(reason: string) => void>();
  private readonly reads = new Map<EngineRead, Coalesced<ReadAnswer>>();
  private readonly commits: Coalesced<null> = { inflight: false, waiters: [] };
  private failure: string | null = null;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: (line: string) => void,
  ) {
    worker.on('message', (event: EngineEvent) => this.onEvent(event));
    worker.on('error', (error) => this.fail(`the engine thread failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(`the engine thread exited with code ${code}`);
    });
  }

  /** Starts the engine thread and resolves once it is ready for requests (no session runs yet). */
  static start(options: EngineOptions, logger: (line: string) => void = () => undefined): Promise<EngineLink> {
    const worker = new Worker(workerEntry(import.meta.url, 'engine-worker'), { workerData: options });
    const link = new EngineLink(worker, logger);
    return new Promise((resolve, reject) => {
      const onReady = (event: EngineEvent): void => {
        if (event.type !== 'ready') return;
        worker.off('message', onReady);
        worker.off('exit', onExit);
        resolve(link);
      };
      const onExit = (code: number): void => reject(new Error(link.failure ?? `the engine thread exited with code ${code} before it was ready`));
      worker.on('message', onReady);
      worker.once('exit', onExit);
    });
  }

  /** The session as the engine last reported it. */
  session(): SessionView {
    return this.sessionView;
  }

  /** Why the engine thread is gone, or null while it runs. */
  get failed(): string | null {
    return this.failure;
  }

  /**
   * Marks the desk's stream as watched until the returned release is called (stream clients, the fleet
   * agent): the engine publishes at frame pace while anyone watches, and more slowly while nobody does.
   */
  watch(): () => void {
    if (this.watchers++ === 0) this.sendWatched(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.watchers === 0) this.sendWatched(false);
    };
  }

  private sendWatched(watched: boolean): void {
    // why: pacing is advisory: a failed engine has no pace to set, and its failure is reported elsewhere.
    this.call({ kind: 'watch', watched }).catch(() => undefined);
  }

  onFrame(listener: (frame: StreamFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onSession(listener: (session: SessionView) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  onFailure(listener: (reason: string) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** A control command, posted at once (never behind a read). */
  command(name: CommandName, payload: unknown, actor: string): Promise<CommandAnswer> {
    return this.call({ kind: 'command', name, payload, actor });
  }

  /** A read of the running desk, coalesced with concurrent reads of the same kind (see the header). */
  read(what: EngineRead): Promise<ReadAnswer> {
    let slot = this.reads.get(what);
    if (slot === undefined) {
      slot = { inflight: false, waiters: [] };
      this.reads.set(what, slot);
    }
    return this.coalesce(slot, () => this.call({ kind: 'read', what }));
  }

  /** Resolves once every write the engine queued before this call is committed (coalesced). */
  committed(): Promise<null> {
    return this.coalesce(this.commits, () => this.call({ kind: 'commit' }));
  }

  startSession(spec: SessionSpec): Promise<StartAnswer> {
    return this.call({ kind: 'start', spec });
  }

  stopSession(): Promise<CommandResult> {
    return this.call({ kind: 'stop' });
  }

  setRecording(on: boolean): Promise<CommandResult> {
    return this.call({ kind: 'record', on });
  }

  recordings(): Promise<RecordingView[]> {
    return this.call({ kind: 'recordings' });
  }

  /** The keys and network live sessions use from now on (or none). */
  configureLive(live: LiveExecutionOptions | null): Promise<null> {
    return this.call({ kind: 'configure-live', live });
  }

  /** Ends the session properly (quotes pulled, session ended in the store), then the engine thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    if (this.failure === null) {
      try {
        await this.call({ kind: 'close' });
      } catch (error) {
        this.logger(`the engine did not close cleanly: ${(error as Error).message}`);
      }
    }
    this.closing = true;
    await this.worker.terminate();
  }

  private coalesce<T>(slot: Coalesced<T>, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      slot.waiters.push({ resolve, reject });
      if (!slot.inflight) this.launch(slot, run);
    });
  }

  /** Sends one request for everyone waiting now; whoever arrives meanwhile waits for the next one. */
  private launch<T>(slot: Coalesced<T>, run: () => Promise<T>): void {
    const batch = slot.waiters;
    slot.waiters = [];
    slot.inflight = true;
    run()
      .then(
        (value) => {
          for (const waiter of batch) waiter.resolve(value);
        },
        (error: Error) => {
          for (const waiter of batch) waiter.reject(error);
        },
      )
      .finally(() => {
        slot.inflight = false;
        if (slot.waiters.length > 0) this.launch(slot, run);
      });
  }

  private call<K extends EngineRequest['kind']>(request: Extract<EngineRequest, { kind: K }>): Promise<EngineAnswers[K]> {
    if (this.failure !== null) return Promise.reject(new Error(this.failure));
    const id = this.nextId++;
    return new Promise<EngineAnswers[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, request });
    });
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'ready':
        return;
      case 'reply':
      case 'reply-error': {
        const pending = this.pending.get(event.id);
        if (pending === undefined) return;
        this.pending.delete(event.id);
        if (event.type === 'reply') pending.resolve(event.value);
        else pending.reject(new Error(event.error));
        return;
      }
      case 'session':
        this.sessionView = event.session;
        this.stream.setSession(event.session);
        for (const listener of this.sessionListeners) listener(event.session);
        return;
      case 'frame':
        this.stream.apply(event.frame);
        for (const listener of this.frameListeners) listener(event.frame);
        return;
      case 'log':
        this.logger(event.line);
        return;
    }
  }

  private fail(reason: string): void {
    if (this.failure !== null) return;
    this.failure = reason;
    this.logger(reason);
    for (const pending of this.pending.values()) pending.reject(new Error(reason));
    this.pending.clear();
    this.sessionView = { ...this.sessionView, status: 'failed', error: reason };
    this.stream.setSession(this.sessionView);
    for (const listener of this.sessionListeners) listener(this.sessionView);
    for (const listener of this.failureListeners) listener(reason);
  }
}
