/**
 * Database reads for the transports — fills, sessions, a past session's fills, CSV exports — served by a
 * small pool of read workers (`read-worker.ts`), each with its own read-only connection, never by the
 * engine and never on the host's thread beyond passing chunks along. The pool's size is the cap on reads
 * at once: one more is refused with a reason (ReadBusyError), not queued without bound. A read is an
 * async sequence of text chunks pulled one at a time, so an HTTP client that reads slowly holds back its
 * query, and one that goes away ends it. Reads see committed data only; callers ask the engine to commit
 * what it queued first (`EngineLink.committed`).
 */
import { closeSync, fsyncSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { checkOutput, createTempBeside, databaseFiles, discardTemp, publishTemp } from '../files/output-file.js';
import { workerEntry } from '../engine/worker-entry.js';
import type { ReadRequest } from './read-queries.js';
import type { FromReadWorker, ReadWorkerSetup, ToReadWorker } from './read-worker.js';

export type { ReadRequest } from './read-queries.js';

export class ReadBusyError extends Error {}

/** A read the worker refused (no such session, no database yet), with the HTTP status that says why. */
export class ReadFailedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class ReadSlot {
  busy = false;
  private waiting: ((message: FromReadWorker) => void) | null = null;
  private readonly early: FromReadWorker[] = [];
  gone: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.unref();
    worker.on('message', (message: FromReadWorker) => this.deliver(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the read worker exited with code ${code}`)));
  }

  post(message: ToReadWorker): void {
    this.worker.postMessage(message);
  }

  /** The worker's next message for read `id` (earlier reads' leftovers are skipped). */
  async next(id: number): Promise<FromReadWorker> {
    for (;;) {
      const message = this.early.shift() ?? (await this.wait());
      if (message.id === id) return message;
    }
  }

  private wait(): Promise<FromReadWorker> {
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  private deliver(message: FromReadWorker): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting(message);
    else this.early.push(message);
  }

  private fail(error: Error): void {
    if (this.gone) return;
    this.gone = error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ type: 'error', id: -1, status: 500, message: error.message });
  }
}

export class ReadService {
  private readonly slots: ReadSlot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly dbPath: string,
    private readonly size: number,
    private readonly nativeBinding?: string,
  ) {}

  /** The read's text, chunk by chunk (about 64 KiB each); stopping early cancels the query. */
  async *chunks(request: ReadRequest): AsyncGenerator<string> {
    const slot = this.acquire();
    const id = this.nextId++;
    let finished = false;
    try {
      slot.post({ type: 'read', id, request });
      for (;;) {
        const message = await slot.next(id);
        if (message.type === 'end') {
          finished = true;
          return;
        }
        if (message.type === 'error') {
          finished = true;
          throw message.id === -1 ? new Error(message.message) : new ReadFailedError(message.status, message.message);
        }
        yield message.text;
        slot.post({ type: 'more', id });
      }
    } finally {
      if (!finished && !slot.gone) slot.post({ type: 'cancel', id });
      this.release(slot);
    }
  }

  /** The whole read as one text (small reads: a session list, an IPC answer). */
  async text(request: ReadRequest): Promise<string> {
    let out = '';
    for await (const chunk of this.chunks(request)) out += chunk;
    return out;
  }

  /**
   * Writes the read into `target` through a temporary file beside it, synced and renamed over it: a
   * reader never sees half a file, a failed export leaves nothing behind, and the database itself (or its
   * -wal/-shm) is never the target (`checkOutput`).
   */
  async toFile(request: ReadRequest, target: string): Promise<void> {
    const output = { path: target, name: 'the export' };
    const path = checkOutput(output, databaseFiles(this.dbPath, 'the database'));
    const temp = createTempBeside(output, path);
    let open = true;
    try {
      for await (const chunk of this.chunks(request)) writeSync(temp.fd, chunk);
      fsyncSync(temp.fd);
      open = false;
      closeSync(temp.fd);
      publishTemp(temp, path);
    } catch (error) {
      discardTemp(temp, open);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private acquire(): ReadSlot {
    if (this.closed) throw new ReadBusyError('the desk is shutting down');
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const slot = this.slots[i] as ReadSlot;
      if (slot.gone) this.slots.splice(i, 1);
    }
    let slot = this.slots.find((candidate) => !candidate.busy);
    if (slot === undefined) {
      if (this.slots.length >= this.size) throw new ReadBusyError(`too many reads in progress (${this.size} of at most ${this.size}): retry when one has finished`);
      const setup: ReadWorkerSetup = { dbPath: this.dbPath, nativeBinding: this.nativeBinding ?? null };
      slot = new ReadSlot(new Worker(workerEntry(import.meta.url, 'read-worker'), { workerData: setup }));
      this.slots.push(slot);
    }
    slot.busy = true;
    return slot;
  }

  private release(slot: ReadSlot): void {
    slot.busy = false;
  }
}

/** An HTTP response (or any writable) that asks its writer to wait for 'drain'. */
export interface ChunkSink {
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/** Pipes the read into `sink`, waiting for it to drain; a sink that goes away cancels the read. */
export async function pipeRead(chunks: AsyncIterable<string>, sink: ChunkSink): Promise<void> {
  for await (const chunk of chunks) {
    if (sink.destroyed) return;
    if (!sink.write(chunk)) await drained(sink);
  }
}

function drained(sink: ChunkSink): Promise<void> {
  if (sink.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      resolve();
    };
    sink.once('drain', settle);
    sink.once('close', settle);
  });
}
