/**
 * `checkOutput` and the temporary file beside the target, on real files in a temp folder: an output that is
 * an input by path, symbolic link, hard link or a linked folder is refused; so are folders, pipes, missing
 * folders, a file used as a folder, and (as the unprivileged user) a folder that cannot be written. A
 * refusal changes nothing on disk; a published temp file replaces the target whole.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputFileError, checkOutput, createTempBeside, databaseFiles, discardTemp, publishTemp } from '../../../src/main/files/output-file.js';
import { asUnprivileged } from '../storage/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'qd-output-'));
chmodSync(dir, 0o755); // why: the unprivileged step must reach the folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const input = join(dir, 'input.csv');
writeFileSync(input, 'input data');
const inputs = [{ path: input, name: '--messages' }];

function refused(out: string, message: RegExp, given = inputs): void {
  const before = readdirSync(dir).sort();
  expect(() => checkOutput({ path: out, name: '--out' }, given), out).toThrow(OutputFileError);
  expect(() => checkOutput({ path: out, name: '--out' }, given), out).toThrow(message);
  expect(readdirSync(dir).sort()).toEqual(before);
  expect(readFileSync(input, 'utf8')).toBe('input data');
}

describe('checkOutput', () => {
  it('accepts a new file and an unrelated existing file, returning the absolute path', () => {
    expect(checkOutput({ path: join(dir, 'new.jsonl'), name: '--out' }, inputs)).toBe(join(dir, 'new.jsonl'));
    writeFileSync(join(dir, 'old.jsonl'), 'old');
    expect(checkOutput({ path: join(dir, 'old.jsonl'), name: '--out' }, inputs)).toBe(join(dir, 'old.jsonl'));
  });

  it('refuses an input by path, by symbolic link, by hard link and through a linked folder', () => {
    refused(input, /--out .*input\.csv is --messages/);
    symlinkSync(input, join(dir, 'sym.csv'));
    refused(join(dir, 'sym.csv'), /same file as --messages .*through a link/);
    linkSync(input, join(dir, 'hard.csv'));
    refused(join(dir, 'hard.csv'), /same file as --messages .*a hard link/);
    symlinkSync(dir, join(dir, 'again'));
    refused(join(dir, 'again', 'input.csv'), /same file as --messages/);
  });

  it("refuses a database's -wal, -shm and -journal even when they do not exist yet", () => {
    const db = join(dir, 'desk.db');
    writeFileSync(db, 'not really sqlite');
    const files = databaseFiles(db, '--db');
    refused(db, /is --db/, files);
    refused(`${db}-wal`, /write-ahead log/, files);
    refused(`${db}-shm`, /shared-memory/, files);
    refused(`${db}-journal`, /journal/, files);
  });

  it('refuses a folder, a pipe, a missing folder and a file used as a folder', () => {
    mkdirSync(join(dir, 'folder.csv'));
    refused(join(dir, 'folder.csv'), /is a folder, not a file/);
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    refused(join(dir, 'pipe.csv'), /not a regular file/);
    refused(join(dir, 'missing', 'x.csv'), /folder .*missing does not exist/);
    refused(join(input, 'x.csv'), /input\.csv is not a folder/);
  });
});

describe('the temporary file beside the target', () => {
  it('is hidden, in the same folder, and replaces the target whole when published', () => {
    const target = join(dir, 'out.csv');
    writeFileSync(target, 'old');
    const temp = createTempBeside({ path: target, name: '--out' }, target);
    expect(temp.path.startsWith(join(dir, '.out.csv.tmp-'))).toBe(true);
    writeSync(temp.fd, 'new');
    closeSync(temp.fd);
    expect(readFileSync(target, 'utf8')).toBe('old');
    publishTemp(temp, target);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(existsSync(temp.path)).toBe(false);
  });

  it('is removed by discardTemp, leaving the target untouched', () => {
    const target = join(dir, 'kept.csv');
    writeFileSync(target, 'kept');
    const temp = createTempBeside({ path: target, name: '--out' }, target);
    writeSync(temp.fd, 'half');
    discardTemp(temp, true);
    expect(existsSync(temp.path)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('kept');
  });

  it('cannot be made in a folder the user cannot write: one line naming the output and the folder', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    const target = join(locked, 'x.csv');
    // why: root ignores permissions; the step runs as nobody (the folder stays root's, 0755).
    expect(() => asUnprivileged(() => createTempBeside({ path: target, name: '--out' }, target))).toThrow(/^--out .*x\.csv: cannot write in folder .*locked \(EACCES\)$/);
    expect(readdirSync(locked)).toEqual([]);
  });
});
