/**
 * Output files that never destroy anything: the one check every writing command makes before it writes
 * (`checkOutput`), and the temporary file beside the target that is renamed into place only when complete
 * (`createTempBeside`, `publishTemp`, `discardTemp`). An output is refused when it is one of the command's
 * inputs or its database — the same file by device and inode, so a symbolic or hard link to an input is
 * caught as surely as the same path — when it is a folder or not a regular file (renaming over a device or a
 * pipe would replace it), and when its folder does not exist or cannot be written (found by creating the
 * temporary file, the only test that holds for root and read-only file systems alike). Each refusal is an
 * `OutputFileError` with one line naming the flag or role and the file. Knows nothing of formats: callers
 * write the temporary file themselves (sync or by stream) and publish it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, realpathSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
  constructor(
    /** The output as given. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A file a command reads or writes, and how a message names it (`--out`, `--messages`, `the database`). */
export interface NamedFile {
  readonly path: string;
  readonly name: string;
}

/** A temporary file created beside its target. */
export interface TempFile {
  readonly path: string;
  readonly fd: number;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    // why: a missing input (or one behind a missing folder) cannot be the output; its reader reports it.
    return null;
  }
}

/** Every file SQLite keeps for a database (`-wal`, `-shm`, `-journal` beside it), as inputs. */
export function databaseFiles(path: string, name: string): NamedFile[] {
  return [
    { path, name },
    { path: `${path}-wal`, name: `${name}'s write-ahead log` },
    { path: `${path}-shm`, name: `${name}'s shared-memory file` },
    { path: `${path}-journal`, name: `${name}'s journal` },
  ];
}

/**
 * Refuses `output` when it cannot be written safely (see the header); returns its absolute path. Inputs that
 * do not exist are ignored. Call it before any work, then write through `createTempBeside`.
 */
export function checkOutput(output: NamedFile, inputs: readonly NamedFile[]): string {
  const target = resolve(output.path);
  const dir = dirname(target);
  const what = `${output.name} ${output.path}`;
  const dirStat = statOrNull(dir);
  if (dirStat === null) throw new OutputFileError(output.path, `${what}: folder ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new OutputFileError(output.path, `${what}: ${dir} is not a folder`);
  for (const input of inputs) {
    // why: by name too, for inputs that do not exist yet: a CSV written as the database's absent -wal would
    // be taken for the database's log at its next open.
    if (resolve(input.path) === target) throw new OutputFileError(output.path, `${what} is ${input.name} ${input.path}: refusing to overwrite it`);
  }
  const existing = statOrNull(target);
  if (existing === null) return target;
  if (existing.isDirectory()) throw new OutputFileError(output.path, `${what} is a folder, not a file`);
  if (!existing.isFile()) throw new OutputFileError(output.path, `${what} is not a regular file (a device, pipe or socket): it is never replaced`);
  for (const input of inputs) {
    const stat = statOrNull(input.path);
    if (stat === null || stat.dev !== existing.dev || stat.ino !== existing.ino) continue;
    const link = realpathSync(target) !== realpathSync(input.path) ? ' (a hard link to it)' : resolve(input.path) !== target ? ' (through a link)' : '';
    throw new OutputFileError(output.path, `${what} is the same file as ${input.name} ${input.path}${link}: refusing to overwrite it`);
  }
  return target;
}

/**
 * Creates (exclusively) a hidden temporary file in `target`'s folder: `.NAME.tmp-PID-RANDOM`. A folder that
 * is missing or cannot be written is an `OutputFileError` naming `output`.
 */
export function createTempBeside(output: NamedFile, target: string): TempFile {
  const path = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    return { path, fd: openSync(path, 'wx') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const what = `${output.name} ${output.path}`;
    if (code === 'ENOENT') throw new OutputFileError(output.path, `${what}: folder ${dirname(target)} does not exist`);
    if (code === 'ENOTDIR') throw new OutputFileError(output.path, `${what}: ${dirname(target)} is not a folder`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new OutputFileError(output.path, `${what}: cannot write in folder ${dirname(target)} (${code})`);
    }
    throw new OutputFileError(output.path, `${what}: cannot create a file in ${dirname(target)} (${code})`);
  }
}

/** Renames the (closed) temporary file over the target: readers see the old file or the whole new one. */
export function publishTemp(temp: TempFile, target: string): void {
  renameSync(temp.path, target);
}

/** Closes (if still open) and deletes the temporary file; the target is untouched. Never throws. */
export function discardTemp(temp: TempFile, open: boolean): void {
  if (open) {
    try {
      closeSync(temp.fd);
    } catch {
      // why: the failure that led here is the one worth reporting.
    }
  }
  rmSync(temp.path, { force: true });
}
