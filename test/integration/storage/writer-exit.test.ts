/**
 * A process whose store has a batch in flight in the writer thread stays alive until the commit is
 * confirmed, then exits by itself, with every row on disk; a store with nothing in flight (even never
 * closed) never holds a process open. A regression here would hang every CLI run and test file.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeTempDir } from '../../unit/storage/helpers.js';

const CHILD = fileURLToPath(new URL('./exit-child.ts', import.meta.url));
const temp = makeTempDir();
afterAll(() => temp.cleanup());

function runChild(dbPath: string, fills: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, String(fills)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ code: exitCode, stdout, stderr }));
  });
}

describe('writer thread and process exit', () => {
  it('an idle store (nothing in flight, never closed) does not keep the process alive', async () => {
    const { code, stdout } = await runChild(join(temp.dir, 'idle.db'), 0);
    expect(code).toBe(0);
    expect(stdout).toBe('H\n');
  });

  it('a handed-off batch keeps the process alive until it is durable; then the process exits on its own', async () => {
    const dbPath = join(temp.dir, 'exit.db');
    const { code, stdout, stderr } = await runChild(dbPath, 5000);
    expect(stderr).not.toMatch(/fault|dropped|Error/);
    expect(code).toBe(0);
    // the hand-off returned first, the confirmation came later, before the exit
    expect(stdout).toBe('H\nC 5000\n');
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM fills').get()).toEqual({ n: 5000 });
    db.close();
  });
});
