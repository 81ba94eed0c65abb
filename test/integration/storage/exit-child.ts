/**
 * Child of the writer-exit test: opens the store, records fills, hands them off with `flush()` and
 * returns from the module WITHOUT closing the store. The process must stay alive until the writer thread
 * confirmed the batch (it prints `C <n>` then) and then exit by itself: an in-flight batch holds the
 * process, an idle writer does not.
 * Usage: node --import tsx exit-child.ts <db path> <fills>
 */
import { openStore } from '../../../src/main/storage/index.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';

const path = process.argv[2];
const count = Number(process.argv[3] ?? 100);
if (path === undefined) throw new Error('usage: exit-child.ts <db path> <fills>');
const store = openStore(path, { scheduleFlush: () => {}, logger: (line) => process.stderr.write(`${line}\n`) });
store.onCommitted((fills) => process.stdout.write(`C ${fills.length}\n`));
const sessionId = store.openSession({ venue: 'sim', symbol: 'EXIT', mode: 'live', tickSize: '0.01', lotSize: '1', params: DEFAULT_PARAMS, recording: null, startedUs: 1 });
for (let n = 0; n < count; n++) {
  store.recordFill({
    sessionId, fillId: `F${n}`, clientOrderId: `O${n}`, side: 'buy', price: 10_000, size: 1, fee: 0, liquidity: 'maker', localUs: n, exchUs: n,
    midAtFill: 10_000, fairValueAtFill: 10_000, inventoryAfter: n + 1,
  });
}
store.flush();
process.stdout.write('H\n');
