/**
 * The child process of the store crash test: opens the store, recovers the unfinished session (or starts
 * one), re-records the last few recovered fills as a venue would re-report them, then trades forever on a
 * 1 ms timer: journals an order before "sending" it, records its fills and events through the queue.
 * Every fill is printed as `C <fillId> <inventoryAfter>` only once the store says it is committed
 * (`onCommitted`, after the writer thread confirmed the commit), exactly like the desk's API must report
 * fills; the first line says where commits run (`W <writerMode> <threadId>`). The parent kills it with
 * SIGKILL at a random moment, typically with batches in flight in the writer thread.
 * Usage: node --import tsx crash-child.ts <db path>
 */
import { openStore } from '../../../src/main/storage/index.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-child.ts <db path>');
const store = openStore(path, { logger: (line) => process.stderr.write(`${line}\n`) });
store.onCommitted((fills) => {
  let out = '';
  for (const f of fills) out += `C ${f.fillId} ${f.inventoryAfter}\n`;
  process.stdout.write(out);
});
store.onFault((error) => {
  process.stderr.write(`fault ${error.code}\n`);
  process.exit(3);
});

process.stdout.write(`W ${store.writerMode} ${store.writerThreadId}\n`);
const recovered = store.unfinishedSession('sim', 'CRASH');
const sessionId =
  recovered?.session.id ??
  store.openSession({ venue: 'sim', symbol: 'CRASH', mode: 'live', tickSize: '0.01', lotSize: '1', params: DEFAULT_PARAMS, recording: null, startedUs: Date.now() * 1000 });
const fills = recovered?.fills ?? [];
let inventory = fills.reduce((sum, f) => sum + (f.side === 'buy' ? f.size : -f.size), 0);
let next = fills.reduce((max, f) => Math.max(max, Number(f.fillId.slice(1)) + 1), 0);
// a venue re-reporting fills the store already has: must not duplicate
for (const f of fills.slice(-5)) store.recordFill(f);
process.stdout.write(`R ${sessionId} ${fills.length} ${inventory}\n`);

function turn(): void {
  for (let k = 0; k < 3; k++) {
    const n = next++;
    const side = n % 3 === 0 ? 'sell' : 'buy';
    const size = 1 + (n % 5);
    const clientOrderId = `O${n}`;
    const localUs = Date.now() * 1000;
    store.journalOrder(sessionId, { clientOrderId, side, price: 10_000 + (n % 11), size, timeInForce: 'gtc', postOnly: true, purpose: 'quote' }, localUs);
    store.recordOrderEvent(sessionId, clientOrderId, 'ack', localUs);
    inventory += side === 'buy' ? size : -size;
    store.recordFill({
      sessionId, fillId: `F${n}`, clientOrderId, side, price: 10_000 + (n % 11), size, fee: -0.001, liquidity: 'maker', localUs, exchUs: localUs,
      midAtFill: 10_005, fairValueAtFill: 10_005, inventoryAfter: inventory,
    });
  }
  setTimeout(turn, 1);
}
setTimeout(turn, 1);
