/**
 * The crowd of the stream-load benchmark, in its own process so that the benchmark's clock (the kill sent and
 * answered, the watcher that sees it confirmed) is not held by the crowd's own sockets: a trader's kill comes
 * from a different program than a flood of stream readers. Driven over the fork IPC channel: `open` connects
 * the resident readers and never-reading sockets; `churn` connects N more at once and answers when all are in;
 * `close-churn` drops them; `received` counts the readers' messages; `close` ends everything.
 *
 *   forked by stream-load.bench.ts with `--import tsx`; not a command of its own
 */
import type { Socket } from 'node:net';
import { openReader, openStalled, type ReadingClient } from '../support/stream-clients.js';

type Request =
  | { readonly id: number; readonly op: 'open'; readonly baseUrl: string; readonly readers: number; readonly stalled: number }
  | { readonly id: number; readonly op: 'churn'; readonly baseUrl: string; readonly count: number }
  | { readonly id: number; readonly op: 'close-churn' }
  | { readonly id: number; readonly op: 'received' }
  | { readonly id: number; readonly op: 'close' };

const readers: ReadingClient[] = [];
const stalled: Socket[] = [];
let churn: ReadingClient[] = [];

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'open':
      for (let i = 0; i < request.readers; i++) readers.push(await openReader(request.baseUrl));
      for (let i = 0; i < request.stalled; i++) stalled.push(await openStalled(request.baseUrl));
      return readers.length + stalled.length;
    case 'churn':
      churn = await Promise.all(Array.from({ length: request.count }, () => openReader(request.baseUrl)));
      return churn.length;
    case 'close-churn':
      for (const client of churn.splice(0)) client.close();
      return 0;
    case 'received':
      return readers.reduce((sum, reader) => sum + reader.received(), 0);
    case 'close':
      for (const client of [...readers.splice(0), ...churn.splice(0)]) client.close();
      for (const socket of stalled.splice(0)) socket.destroy();
      setImmediate(() => process.exit(0));
      return 0;
  }
}

process.on('message', (request: Request) => {
  handle(request).then(
    (value) => process.send?.({ id: request.id, ok: true, value }),
    (error: unknown) => process.send?.({ id: request.id, ok: false, error: String((error as Error).message ?? error) }),
  );
});
