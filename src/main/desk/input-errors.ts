/**
 * Which failures are the operator's input (a file, flag or field that is wrong: exit code 2 for the CLI,
 * a 400-style refusal for a transport) and which are Quotedesk's own (exit code 1), with the one line to
 * print. One place, because a desk may fail to start in a worker thread, where an error's class does not
 * survive `postMessage`: the engine classifies it there and sends the verdict along with the message.
 */
import { OutputFileError } from '../files/output-file.js';
import { CaptureFormatError } from '../market/capture/capture.js';
import { RecordInputError } from '../market/live/record.js';
import { LobsterInputError } from '../market/lobster/import.js';
import { CaptureDetectionError } from '../market/replay/index.js';
import { InstrumentSpecError } from '../market/replay/capture-instrument.js';
import { StoreError } from '../storage/index.js';

const BAD_INPUT_STORE_CODES = new Set(['corrupt', 'newer-version', 'read-only', 'cannot-create', 'not-a-database']);
const BAD_INPUT_ERRNO = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM']);

export interface ClassifiedError {
  /** True when the operator's input caused it. */
  readonly badInput: boolean;
  /** One line naming what is wrong (no stack trace for bad input). */
  readonly message: string;
}

export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof StoreError) return { badInput: BAD_INPUT_STORE_CODES.has(error.code), message: `database ${error.message}` };
  if (
    error instanceof RecordInputError ||
    error instanceof LobsterInputError ||
    error instanceof CaptureFormatError ||
    error instanceof CaptureDetectionError ||
    error instanceof OutputFileError ||
    error instanceof InstrumentSpecError
  ) {
    return { badInput: true, message: error.message };
  }
  if (error instanceof RangeError && /symbol|venue|speed|capture/i.test(error.message)) return { badInput: true, message: error.message };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && BAD_INPUT_ERRNO.has(code)) return { badInput: true, message: (error as Error).message };
  return { badInput: false, message: error instanceof Error ? error.message : String(error) };
}
