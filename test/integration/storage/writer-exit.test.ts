/**
 * A process whose store has a batch in flight in the writer thread stays alive until the commit is
 * confirmed, then exits by itself (the idle writer thread holds nothing), with every row on disk.
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

describe('writer thread and process exit', () => {
  it('a handed-off batch keeps the process alive until it is durable; then the process exits on its own', async () => {
    const dbPath = join(temp.dir, 'exit.db');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, '5000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve({ code: exitCode, stdout, stderr }));
    });
    expect(stderr).not.toMatch(/fault|dropped|Error/);
    expect(code).toBe(0);
    // the hand-off returned first, the confirmation came later, before the exit
    expect(stdout).toBe('H\nC 5000\n');
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM fills').get()).toEqual({ n: 5000 });
    db.close();
  });
});
