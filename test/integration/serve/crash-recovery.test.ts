/**
 * Crash recovery of a real `quotedesk serve` child process on the simulated market, killed with SIGKILL at
 * seeded random moments (20 runs on one database). After every restart: each fill the API had reported
 * before the kill is in the database exactly once, the inventory equals the signed sum of the stored
 * fills, and the desk reconciled before it sent its first order.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeskState, FillView } from '../../../src/shared/contract.js';
import { SeededRandom } from '../../../src/main/market/sim/random.js';
import { removeDir, startServe } from '../../support/serve-process.js';

const RUNS = 20;
const dir = mkdtempSync(join(tmpdir(), 'quotedesk-crash-'));
const dbPath = join(dir, 'desk.db');
const paramsFile = join(dir, 'params.json');
writeFileSync(
  paramsFile,
  JSON.stringify({
    strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 10 } },
    risk: { maxInventoryLots: 500, softInventoryLots: 400, fillBurstCount: 100_000, maxLossSession: 1e9, maxLossDaily: 1e9, priceBandBps: 10_000 },
  }),
);

interface DbFacts {
  readonly countsById: Map<string, number>;
  readonly signedSum: number;
  readonly reconciledBeforeQuoting: boolean;
}

function readDb(): DbFacts {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT fill_id AS id, side, size_lots AS size FROM fills').all() as Array<{ id: string; side: string; size: number }>;
    const countsById = new Map<string, number>();
    let signedSum = 0;
    for (const row of rows) {
      countsById.set(row.id, (countsById.get(row.id) ?? 0) + 1);
      signedSum += row.side === 'buy' ? row.size : -row.size;
    }
    // Every start (new or resumed) is followed by `reconciled` before any order of that run was journaled.
    const audits = db.prepare("SELECT action, local_us AS us FROM audit WHERE action IN ('session-start', 'session-resumed', 'reconciled') ORDER BY seq").all() as Array<{ action: string; us: number }>;
    const orderTimes = (db.prepare('SELECT created_us AS us FROM orders ORDER BY created_us').all() as Array<{ us: number }>).map((r) => r.us);
    let reconciledBeforeQuoting = true;
    for (let i = 0; i < audits.length; i++) {
      const start = audits[i]!;
      if (start.action === 'reconciled') continue;
      const reconciled = audits[i + 1];
      if (!reconciled || reconciled.action !== 'reconciled') {
        reconciledBeforeQuoting = false;
        continue;
      }
      const firstOrder = orderTimes.find((us) => us >= start.us);
      if (firstOrder !== undefined && firstOrder < reconciled.us) reconciledBeforeQuoting = false;
    }
    return { countsById, signedSum, reconciledBeforeQuoting };
  } finally {
    db.close();
  }
}

/** Inventory the last resumed session started from (written by the desk before it reconciled). */
function resumedInventory(): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT detail_json AS detail FROM audit WHERE action = 'session-resumed' ORDER BY seq DESC LIMIT 1").get() as { detail: string } | undefined;
    if (!row) throw new Error('no session-resumed audit row');
    return (JSON.parse(row.detail) as { inventoryLots: number }).inventoryLots;
  } finally {
    db.close();
  }
}

afterAll(() => removeDir(dir));

describe('crash recovery of quotedesk serve under SIGKILL', () => {
  it(`keeps every reported fill exactly once and the inventory consistent over ${RUNS} kills`, async () => {
    const random = new SeededRandom(20_261_121);
    const reported = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const before = run === 0 ? null : readDb();
      const serve = await startServe({ dir, dbPath, args: ['--params', paramsFile, '--sim-flow', '4', '--seed', String(run + 1)] });
      const state = await serve.get<DeskState>('/api/state');
      expect(state.reconciled).toBe(true);
      if (before) {
        // The restarted desk rebuilt its inventory from exactly the stored fills.
        expect(resumedInventory(), `run ${run}: inventory after restart`).toBe(before.signedSum);
      }

      const killAfterMs = 300 + random.int(1_200);
      const deadline = Date.now() + killAfterMs;
      while (Date.now() < deadline) {
        for (const fill of await serve.get<FillView[]>('/api/fills?limit=1000')) reported.add(fill.fillId);
      }
      await serve.stop('SIGKILL');

      const after = readDb();
      for (const id of reported) expect(after.countsById.get(id), `run ${run}: fill ${id}`).toBe(1);
      for (const [id, count] of after.countsById) expect(count, `fill ${id} stored more than once`).toBe(1);
      expect(after.reconciledBeforeQuoting, `run ${run}: quoted before reconciliation`).toBe(true);
    }
    expect(reported.size).toBeGreaterThan(RUNS);

    // A last start agrees with everything stored, once quoting is paused and no order is left to fill.
    const final = await startServe({ dir, dbPath, args: ['--params', paramsFile] });
    expect((await final.send('POST', '/api/control/pause')).status).toBe(200);
    for (let i = 0; i < 200 && (await final.get<DeskState>('/api/state')).openOrders.length > 0; i++) await final.get('/api/health');
    await final.get('/api/fills?limit=1');
    expect((await final.get<DeskState>('/api/state')).inventory).toBe(readDb().signedSum);
    await final.stop();
  }, 240_000);
});
