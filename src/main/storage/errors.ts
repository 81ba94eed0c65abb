/**
 * The store's one error type: every failure of the database file (opening, migrating, writing, reading)
 * surfaces as a `StoreError` whose `code` says what kind of problem it is and whose message names the
 * file and the problem in words an operator can act on.
 *
 * This module only classifies errors; it never retries, repairs or deletes anything.
 */

export type StoreErrorCode =
  | 'corrupt'
  | 'newer-version'
  | 'read-only'
  | 'disk-full'
  | 'not-a-database'
  | 'cannot-create'
  | 'io';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    /** Absolute path of the database file concerned. */
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** The SQLite (`SQLITE_FULL`, ...) or errno (`ENOSPC`, ...) code of an error, or '' when it has none. */
export function errorCodeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps a better-sqlite3 or file-system error to a `StoreError`; `doing` says what the store was doing
 * ("opening", "writing 12 rows", ...). A `StoreError` passes through unchanged.
 */
export function toStoreError(error: unknown, file: string, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = errorCodeOf(error);
  const detail = messageOf(error);
  const options = { cause: error };
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new StoreError('disk-full', file, `disk full while ${doing} (${detail}); queued rows are kept in memory`, options);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError('corrupt', file, `database file is corrupt (${detail}) while ${doing}; the file was left untouched`, options);
  }
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('not-a-database', file, `not an SQLite database (${detail}); the file was left untouched`, options);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new StoreError('read-only', file, `cannot write: read-only file, directory or file system (${detail}) while ${doing}`, options);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'ENOENT' || code === 'ENOTDIR') {
    return new StoreError('cannot-create', file, `cannot open or create the database (${detail}) while ${doing}`, options);
  }
  return new StoreError('io', file, `${detail} while ${doing}${code ? ` [${code}]` : ''}`, options);
}

/**
 * Errors that concern one row rather than the database (a constraint, a value that cannot be bound): the
 * writer drops and logs that row and commits the rest, so one bad row never blocks the queue forever.
 */
export function isRowLevelError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = errorCodeOf(error);
  return ROW_LEVEL_CODE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/**
 * The SQLite code prefixes of row-level errors. Shared with the writer thread (which cannot import this
 * module), so both writers drop exactly the same rows.
 */
export const ROW_LEVEL_CODE_PREFIXES: readonly string[] = ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG'];
