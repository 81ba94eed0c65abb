/**
 * Reads of the database for the transports — fills, sessions, a past session's fills, CSV exports —
 * served on the host's thread from read-only connections, never by the engine. Each read borrows one
 * connection from a small pool (its size is the cap on concurrent reads: a request beyond it is refused
 * with a reason, not queued without bound), and streams its rows in slices of a few milliseconds, waiting
 * for the client to drain between slices, so a 30,000-row export never holds the host's event loop for
 * longer than a slice and a client that stops reading holds nothing but its connection. Reads see
 * committed data only; callers ask the engine to commit what it queued first (`EngineLink.committed`).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { FillView, SessionSummaryView } from '../../shared/contract.js';
import { gridCache } from '../../shared/units.js';
import { fillView, sessionSummaryView } from '../desk/views.js';
import { csvLines, openStore, type CsvKind, type SqliteStore } from '../storage/index.js';

/** How long one slice of a streamed read may hold the event loop. */
const SLICE_MS = 4;
const SLICE_BYTES = 64 * 1024;

export class ReadBusyError extends Error {}

export class ReadPool {
  private readonly idle: SqliteStore[] = [];
  private borrowed = 0;
  private closed = false;

  constructor(
    private readonly dbPath: string,
    private readonly size: number,
    private readonly nativeBinding?: string,
  ) {}

  /** Runs `use` with a read-only connection; refuses (ReadBusyError) when every connection is busy. */
  async with<T>(use: (store: SqliteStore) => Promise<T> | T): Promise<T> {
    if (this.closed) throw new ReadBusyError('the desk is shutting down');
    if (this.idle.length === 0 && this.borrowed >= this.size) {
      throw new ReadBusyError(`too many reads in progress (${this.borrowed} of at most ${this.size}): retry when one has finished`);
    }
    // why: no integrity check per borrow: the engine checked the file when it opened it.
    const store = this.idle.pop() ?? openStore(this.dbPath, { readonly: true, checkIntegrity: false, ...(this.nativeBinding ? { nativeBinding: this.nativeBinding } : {}) });
    this.borrowed++;
    try {
      return await use(store);
    } finally {
      this.borrowed--;
      if (this.closed) store.close();
      else this.idle.push(store);
    }
  }

  close(): void {
    this.closed = true;
    for (const store of this.idle.splice(0)) store.close();
  }
}

/**
 * `items` in slices of at most SLICE_MS and SLICE_BYTES of text (or 1,000 items), yielding to the event
 * loop between slices; the source's read is released when the consumer stops early.
 */
export async function* slices<T>(items: Iterator<T>, size: (item: T) => number = () => 0): AsyncGenerator<T[]> {
  try {
    for (;;) {
      const started = performance.now();
      const slice: T[] = [];
      let bytes = 0;
      let done = false;
      while (bytes < SLICE_BYTES && slice.length < 1_000) {
        const next = items.next();
        if (next.done === true) {
          done = true;
          break;
        }
        slice.push(next.value);
        bytes += size(next.value);
        if ((slice.length & 63) === 0 && performance.now() - started > SLICE_MS) break;
      }
      if (slice.length > 0) yield slice;
      if (done) return;
      await yieldToLoop();
    }
  } finally {
    items.return?.(undefined);
  }
}

/** An HTTP response (or any writable) that asks its writer to wait for 'drain'. */
export interface ChunkSink {
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/** Writes `lines` to `sink` slice by slice, waiting for it to drain; stops if it goes away. */
export async function streamLines(sink: ChunkSink, lines: Iterator<string>): Promise<void> {
  for await (const slice of slices(lines, (line) => line.length)) {
    if (sink.destroyed) return;
    if (!sink.write(slice.join(''))) await drained(sink);
  }
}

/** Collects `items` slice by slice (an IPC answer), never holding the event loop longer than a slice. */
export async function collect<T>(items: Iterator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const slice of slices(items)) for (const item of slice) out.push(item);
  return out;
}

/**
 * Writes `lines` into `target` through a temporary file beside it, synced and renamed over it: a reader
 * never sees half a file and a failed export leaves nothing behind.
 */
export async function writeLinesToFile(target: string, lines: Iterator<string>): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    for await (const slice of slices(lines, (line) => line.length)) await handle.write(slice.join(''));
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
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

/** The CSV export's lines. */
export function csvExport(kind: CsvKind, store: SqliteStore, sessionId: number): Iterator<string> {
  return csvLines(kind, store, { sessionId });
}

/** Fills as the API shows them (newest first), each on its own session's instrument grid. */
export function* fillViews(store: SqliteStore, query: { sessionId?: number; limit: number }): Generator<FillView> {
  const gridOf = gridCache();
  for (const fill of store.iterateNewestFills(query)) yield fillView(fill, gridOf(fill.tickSize), gridOf(fill.lotSize));
}

/** The same fills as the text of a JSON array, one element per item. */
export function* fillsJson(store: SqliteStore, query: { sessionId?: number; limit: number }): Generator<string> {
  let first = true;
  yield '[';
  for (const view of fillViews(store, query)) {
    yield (first ? '' : ',') + JSON.stringify(view);
    first = false;
  }
  yield ']';
}

export function sessionViews(store: SqliteStore, limit: number): SessionSummaryView[] {
  return store.sessions(limit).map(sessionSummaryView);
}

export function sessionsJson(store: SqliteStore, limit: number): string {
  return JSON.stringify(sessionViews(store, limit));
}
