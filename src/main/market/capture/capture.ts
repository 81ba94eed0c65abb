/**
 * The capture format of contracts.md (raw feed recordings): JSON Lines, optionally gzip (`.jsonl.gz`), one
 * frame per line `{"recv_ts": <s>, "kind": "ws"|"rest", "url"?: "...", "conn": "...", "msg": <payload>}`.
 *
 * Owns reading (streaming line by line, or `loadCapture` all at once for replay) and writing
 * (`CaptureWriter`: appends frames in the exact format, gzip by extension, writes to a temporary file that
 * is renamed on close, so a crash never leaves a half recording under the final name). A malformed line
 * is an error naming the file and the line number: `strict` throws it, `tolerant` reports it and goes on.
 * Knows nothing of venues or books.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { Gzip } from 'node:zlib';
import { checkOutput, createTempBeside, discardTemp, publishTemp, type TempFile } from '../../files/output-file.js';

export type CaptureKind = 'ws' | 'rest';

export interface CaptureFrame {
  /** Local receive time, seconds since the epoch (float), as recorded. */
  readonly recvTs: number;
  /** The same instant in µs (rounded): the replay clock. */
  readonly localUs: number;
  readonly kind: CaptureKind;
  readonly url?: string;
  readonly conn: string;
  readonly msg: unknown;
}

export class CaptureFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'CaptureFormatError';
  }
}

export interface ReadCaptureOptions {
  /** `strict` (default) throws on the first malformed line; `tolerant` reports it and skips it. */
  mode?: 'strict' | 'tolerant';
  /** Called for each skipped line in tolerant mode. */
  onError?: (error: CaptureFormatError) => void;
}

export function isGzipPath(file: string): boolean {
  return file.endsWith('.gz');
}

/** Parses one line into a frame; throws CaptureFormatError naming the field at fault. */
export function parseCaptureLine(text: string, file: string, line: number): CaptureFrame {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new CaptureFormatError(file, line, `invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CaptureFormatError(file, line, 'a frame must be a JSON object');
  const rec = obj as Record<string, unknown>;
  const recvTs = rec['recv_ts'];
  if (typeof recvTs !== 'number' || !Number.isFinite(recvTs)) throw new CaptureFormatError(file, line, 'field "recv_ts" must be a number (seconds)');
  const kind = rec['kind'];
  if (kind !== 'ws' && kind !== 'rest') throw new CaptureFormatError(file, line, 'field "kind" must be "ws" or "rest"');
  const conn = rec['conn'];
  if (typeof conn !== 'string') throw new CaptureFormatError(file, line, 'field "conn" must be a string');
  if (!('msg' in rec)) throw new CaptureFormatError(file, line, 'field "msg" is missing');
  const url = rec['url'];
  if (url !== undefined && typeof url !== 'string') throw new CaptureFormatError(file, line, 'field "url" must be a string');
  const frame: CaptureFrame = { recvTs, localUs: Math.round(recvTs * 1_000_000), kind, conn, msg: rec['msg'] };
  return url === undefined ? frame : { ...frame, url };
}

/** Streams the frames of a capture file in order (`.jsonl` or `.jsonl.gz`). Blank lines are skipped. */
export async function* readCapture(file: string, options: ReadCaptureOptions = {}): AsyncGenerator<CaptureFrame> {
  if (!existsSync(file)) throw new Error(`capture file not found: ${file}`);
  const strict = (options.mode ?? 'strict') === 'strict';
  const raw = createReadStream(file);
  const input = isGzipPath(file) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo++;
      if (text.trim().length === 0) continue;
      try {
        yield parseCaptureLine(text, file, lineNo);
      } catch (err) {
        if (!(err instanceof CaptureFormatError) || strict) throw err;
        options.onError?.(err);
      }
    }
  } finally {
    lines.close();
    raw.destroy();
  }
}

export interface LoadedCapture {
  readonly file: string;
  readonly frames: CaptureFrame[];
  /** Lines skipped in tolerant mode. */
  readonly errors: CaptureFormatError[];
}

/**
 * Reads a whole capture into memory (for replay: random access, seeking, checkpoints). `onProgress`
 * receives the fraction of lines parsed (0..1), at most ~100 times.
 */
export async function loadCapture(
  file: string,
  onProgress?: (fraction: number) => void,
  options: ReadCaptureOptions = {},
): Promise<LoadedCapture> {
  if (!existsSync(file)) throw new Error(`capture file not found: ${file}`);
  const strict = (options.mode ?? 'strict') === 'strict';
  let buffer = await readFile(file);
  if (isGzipPath(file)) {
    try {
      buffer = gunzipSync(buffer);
    } catch (err) {
      throw new CaptureFormatError(file, 0, `not a gzip file (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const text = buffer.toString('utf8');
  const frames: CaptureFrame[] = [];
  const errors: CaptureFormatError[] = [];
  const total = text.length;
  const step = Math.max(1, Math.floor(total / 100));
  let nextReport = step;
  let start = 0;
  let lineNo = 0;
  while (start < total) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = total;
    lineNo++;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = end + 1;
    if (line.trim().length === 0) continue;
    try {
      frames.push(parseCaptureLine(line, file, lineNo));
    } catch (err) {
      if (!(err instanceof CaptureFormatError) || strict) throw err;
      errors.push(err);
      options.onError?.(err);
    }
    if (onProgress !== undefined && start >= nextReport) {
      onProgress(Math.min(1, start / total));
      nextReport = start + step;
    }
  }
  onProgress?.(1);
  return { file, frames, errors };
}

/** One frame to write: `msg` is re-serialized, unless `rawMsg` (the text exactly as received) is given. */
export interface CaptureFrameInput {
  readonly recvTs: number;
  readonly kind: CaptureKind;
  readonly url?: string;
  readonly conn: string;
  readonly msg?: unknown;
  readonly rawMsg?: string;
}

/** Formats one frame exactly as the captures in ../shared/data are written (no trailing newline). */
export function formatCaptureLine(frame: CaptureFrameInput): string {
  const msg = frame.rawMsg ?? JSON.stringify(frame.msg === undefined ? null : frame.msg);
  const url = frame.url === undefined ? '' : `, "url": ${JSON.stringify(frame.url)}`;
  return `{"recv_ts": ${formatSeconds(frame.recvTs)}, "kind": "${frame.kind}"${url}, "conn": ${JSON.stringify(frame.conn)}, "msg": ${msg}}`;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new Error(`recv_ts must be finite, got ${seconds}`);
  const text = String(seconds);
  return Number.isInteger(seconds) ? `${text}.0` : text;
}

export interface CaptureWriterOptions {
  /** How errors name the output (`--out` for the CLI). Default "recording". */
  name?: string;
  /** Flush buffered lines at least this often (ms). Default 1000. */
  flushIntervalMs?: number;
  /** Flush when this many characters are buffered. Default 64 KiB. */
  flushChars?: number;
}

/**
 * Appends frames to a capture. The data goes to a hidden temporary file beside `file` (`createTempBeside`)
 * and is renamed to `file` by `close()`; `abort()` deletes it. Gzip when `file` ends in `.gz`.
 */
export class CaptureWriter {
  readonly tempFile: string;
  private readonly out: WriteStream;
  private readonly gzip: Gzip | null;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly flushChars: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  private failure: Error | null = null;
  private framesWritten = 0;

  private constructor(
    readonly file: string,
    private readonly temp: TempFile,
    options: CaptureWriterOptions,
  ) {
    this.tempFile = temp.path;
    this.out = createWriteStream('', { fd: temp.fd });
    this.out.on('error', (err) => {
      this.failure ??= err;
    });
    if (isGzipPath(file)) {
      this.gzip = createGzip();
      this.gzip.on('error', (err) => {
        this.failure ??= err;
      });
      this.gzip.pipe(this.out);
    } else {
      this.gzip = null;
    }
    this.flushChars = options.flushChars ?? 65_536;
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  /**
   * Opens a writer: its temporary file exists when this returns. A `file` that is a folder or a device, or
   * in a folder that is missing or unwritable, is an `OutputFileError` naming `name` (default "recording").
   */
  static async open(file: string, options: CaptureWriterOptions = {}): Promise<CaptureWriter> {
    const output = { path: file, name: options.name ?? 'recording' };
    const target = checkOutput(output, []);
    return new CaptureWriter(target, createTempBeside(output, target), options);
  }

  get frames(): number {
    return this.framesWritten;
  }

  write(frame: CaptureFrameInput): void {
    if (this.closed) throw new Error(`capture ${this.file} is closed`);
    if (this.failure !== null) throw new Error(`capture ${this.file}: ${this.failure.message}`);
    const line = `${formatCaptureLine(frame)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    this.framesWritten++;
    if (this.pendingChars >= this.flushChars) this.flush();
  }

  /** Hands buffered lines to the file (and, for gzip, flushes the compressor so the data is on disk). */
  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (this.gzip !== null) {
      this.gzip.write(chunk);
      this.gzip.flush(zlibConstants.Z_SYNC_FLUSH);
    } else {
      this.out.write(chunk);
    }
  }

  /** Writes everything, closes, and renames the temporary file to its final name. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    await new Promise<void>((resolve, reject) => {
      this.out.once('finish', () => resolve());
      this.out.once('error', reject);
      if (this.gzip !== null) this.gzip.end();
      else this.out.end();
    });
    await new Promise<void>((resolve) => {
      if (this.out.closed) resolve();
      else this.out.once('close', () => resolve());
    });
    if (this.failure !== null) {
      discardTemp(this.temp, false);
      throw new Error(`capture ${this.file}: ${this.failure.message}`);
    }
    publishTemp(this.temp, this.file);
  }

  /** Stops without publishing: the temporary file is deleted. */
  async abort(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.pending = [];
    await new Promise<void>((resolve) => {
      if (this.out.closed) resolve();
      else this.out.once('close', () => resolve());
      if (this.gzip !== null) this.gzip.destroy();
      this.out.destroy();
    });
    discardTemp(this.temp, false);
  }
}
