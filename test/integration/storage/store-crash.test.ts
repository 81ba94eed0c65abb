/**
 * Crash safety of the store with a real child process killed by SIGKILL at seeded random moments:
 * after each kill, every fill the child had reported (only after the writer thread confirmed its commit)
 * is in the database exactly once, the recovered inventory equals the signed sum of the stored fills and the last fill's
 * inventoryAfter, and re-recorded fills never duplicate. The desk-level crash test (`quotedesk serve`)
 * builds on the same recovery query.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '../../../src/main/storage/index.js';
import { makeTempDir } from '../../unit/storage/helpers.js';
import { mulberry32 } from '../../support/prng.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const RUNS = 8;


/** Runs the child until it has reported `killAfter` committed fills, then SIGKILLs it. */
function runAndKill(dbPath: string, killAfter: number): Promise<{ reported: Map<string, number>; recoveredCount: number; writer: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported = new Map<string, number>();
    let recoveredCount = -1;
    let writer = '';
    let buffer = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [tag, a, b] = line.split(' ');
        if (tag === 'R') recoveredCount = Number(b);
        if (tag === 'W') writer = `${a ?? ''} ${b ?? ''}`;
        if (tag === 'C' && a !== undefined) reported.set(a, Number(b));
      }
      if (!killed && reported.size >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (${String(signal)}): ${stderr}`));
      else resolve({ reported, recoveredCount, writer, stderr });
    });
  });
}

const temp = makeTempDir();
afterAll(() => temp.cleanup());

describe('store crash safety (SIGKILL)', () => {
  it(`keeps every reported fill exactly once across ${RUNS} seeded kills`, async () => {
    const dbPath = join(temp.dir, 'crash.db');
    const random = mulberry32(20240301);
    const everReported = new Set<string>();
    let previousStored = 0;
    for (let run = 0; run < RUNS; run++) {
      const killAfter = 20 + Math.floor(random() * 400);
      const { reported, recoveredCount, writer, stderr } = await runAndKill(dbPath, killAfter);
      expect(stderr).not.toMatch(/fault|dropped/);
      // commits ran in the writer thread (thread id > 0), so the kill often lands with batches in flight
      expect(writer).toMatch(/^worker [1-9]\d*$/);
      if (run > 0) expect(recoveredCount).toBe(previousStored);
      for (const id of reported.keys()) everReported.add(id);

      const store = openStore(dbPath, { readonly: true, logger: () => {} });
      const recovered = store.unfinishedSession('sim', 'CRASH');
      expect(recovered).not.toBeNull();
      const fills = recovered?.fills ?? [];
      const ids = new Set(fills.map((f) => f.fillId));
      expect(ids.size).toBe(fills.length);
      for (const id of everReported) expect(ids.has(id), `reported fill ${id} lost (run ${run})`).toBe(true);
      let inventory = 0;
      for (const f of fills) {
        inventory += f.side === 'buy' ? f.size : -f.size;
        expect(f.inventoryAfter).toBe(inventory);
      }
      // every fill's order was journaled before it, in the same or an earlier commit
      const orderIds = new Set(store.orders({ sessionId: recovered?.session.id ?? 0 }).map((o) => o.clientOrderId));
      for (const f of fills) expect(orderIds.has(f.clientOrderId)).toBe(true);
      previousStored = fills.length;
      store.close();
    }
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n, count(DISTINCT fill_id) AS d FROM fills').get()).toEqual({ n: previousStored, d: previousStored });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
