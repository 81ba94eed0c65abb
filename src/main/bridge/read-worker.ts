/**
 * A read worker: a `worker_threads` worker that serves one database read at a time from its own read-only
 * connection, sending the lines on in chunks of about 64 KiB, the next only when the host asks for it
 * (`more`), so a client that reads slowly holds back the query, not memory, and a client that goes away
 * (`cancel`) ends it. Database reads and exports run here so that formatting 30,000 rows never occupies
 * the host's thread, which takes the operator's commands, nor the engine's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type SqliteStore } from '../storage/index.js';
import { ReadRefusal, readLines, type ReadRequest } from './read-queries.js';

export interface ReadWorkerSetup {
  readonly dbPath: string;
  readonly nativeBinding: string | null;
}

export type ToReadWorker =
  | { readonly type: 'read'; readonly id: number; readonly request: ReadRequest }
  | { readonly type: 'more'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number };

export type FromReadWorker =
  | { readonly type: 'chunk'; readonly id: number; readonly text: string }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly status: number; readonly message: string };

const CHUNK_CHARS = 64 * 1024;

if (!parentPort) throw new Error('the read worker runs in a worker thread: start it through ReadService');
const port = parentPort;
const setup = workerData as ReadWorkerSetup;
let store: SqliteStore | null = null;
let active: { readonly id: number; readonly lines: Iterator<string> } | null = null;

function post(message: FromReadWorker): void {
  port.postMessage(message);
}

function next(id: number): void {
  const current = active;
  if (current === null || current.id !== id) return;
  let text = '';
  try {
    while (text.length < CHUNK_CHARS) {
      const line = current.lines.next();
      if (line.done === true) {
        if (text !== '') post({ type: 'chunk', id, text });
        active = null;
        post({ type: 'end', id });
        return;
      }
      text += line.value;
    }
    post({ type: 'chunk', id, text });
  } catch (error) {
    active = null;
    post({ type: 'error', id, status: 500, message: (error as Error).message });
  }
}

port.on('message', (message: ToReadWorker) => {
  switch (message.type) {
    case 'read':
      try {
        // why: no integrity check: the engine checked the file when it opened it.
        store ??= openStore(setup.dbPath, { readonly: true, checkIntegrity: false, ...(setup.nativeBinding ? { nativeBinding: setup.nativeBinding } : {}) });
        active = { id: message.id, lines: readLines(store, message.request) };
      } catch (error) {
        post({ type: 'error', id: message.id, status: error instanceof ReadRefusal ? error.status : 503, message: (error as Error).message });
        return;
      }
      next(message.id);
      return;
    case 'more':
      next(message.id);
      return;
    case 'cancel':
      if (active?.id === message.id) {
        active.lines.return?.(undefined);
        active = null;
      }
      return;
  }
});
