/**
 * An HTTP/1.1 response parser for the venue gateways' own connections (`http1-connection.ts`), fed the
 * socket's bytes as they come, in pieces of any size: the status line and headers (names lower-case; a
 * repeated header's values joined with ", ", as Node joins them, except `set-cookie`, kept as a list), then
 * the body by what the headers say — `Transfer-Encoding: chunked`, `Content-Length`, none (204, 304, 1xx) or
 * everything until the venue closes the connection. Interim 1xx answers are skipped. It refuses what it
 * cannot trust (a malformed status line or header, a head over 64 KiB, a body over 16 MiB, a bad chunk size)
 * with a `ParseError`: the connection is then unusable and the request's outcome unknown. Pure: no I/O.
 */

export type HeaderValue = string | string[];

export interface ParsedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly body: Buffer;
  /** Whether the connection may carry another request after this answer. */
  readonly keepAlive: boolean;
}

export class ParseError extends Error {}

const MAX_HEAD = 64 * 1024;
export const MAX_BODY = 16 * 1024 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type BodyMode =
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked'; phase: 'size' | 'data' | 'data-end' | 'trailers'; remaining: number }
  | { readonly kind: 'until-close' };

interface Head {
  readonly status: number;
  readonly headers: Record<string, HeaderValue>;
  readonly keepAlive: boolean;
}

export class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private head: Head | null = null;
  private mode: BodyMode | null = null;
  private body: Buffer[] = [];
  private bodyBytes = 0;

  /** Whether a response has begun and not ended (bytes after an answer mean the venue sent more). */
  get midResponse(): boolean {
    return this.head !== null || this.buffer.length > 0;
  }

  /** Takes the next bytes; returns the response once it is complete (any bytes after it are kept). */
  push(chunk: Buffer): ParsedResponse | null {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return this.advance();
  }

  /** The connection closed: completes a body that runs until the close, or says what was cut. */
  end(): ParsedResponse | null {
    if (this.head && this.mode?.kind === 'until-close') return this.finish();
    if (this.midResponse) throw new ParseError('the connection closed in the middle of the answer');
    return null;
  }

  /** Bytes received past the last complete response. */
  get leftover(): number {
    return this.buffer.length;
  }

  private advance(): ParsedResponse | null {
    for (;;) {
      if (this.head === null) {
        const at = this.buffer.indexOf(HEAD_END);
        if (at < 0) {
          if (this.buffer.length > MAX_HEAD) throw new ParseError(`the answer's headers are over ${MAX_HEAD} bytes`);
          return null;
        }
        const head = parseHead(this.buffer.subarray(0, at).toString('latin1'));
        this.buffer = this.buffer.subarray(at + HEAD_END.length);
        // An interim answer (100 Continue, 103 Early Hints): the real one follows.
        if (head.status >= 100 && head.status < 200) continue;
        this.head = head;
        this.mode = bodyMode(head);
        this.body = [];
        this.bodyBytes = 0;
      }
      const mode = this.mode;
      if (mode === null) return this.finish();
      switch (mode.kind) {
        case 'length':
          mode.remaining = this.take(mode.remaining);
          return mode.remaining > 0 ? null : this.finish();
        case 'until-close':
          this.keep(this.buffer);
          this.buffer = Buffer.alloc(0);
          return null;
        case 'chunked': {
          const done = this.chunked(mode);
          if (!done) return null;
          return this.finish();
        }
        default: {
          const unreachable: never = mode;
          throw new ParseError(`unknown body mode ${String(unreachable)}`);
        }
      }
    }
  }

  /** Consumes chunked data; true once the last chunk and the trailers are in. */
  private chunked(mode: Extract<BodyMode, { kind: 'chunked' }>): boolean {
    for (;;) {
      switch (mode.phase) {
        case 'size': {
          const at = this.buffer.indexOf(CRLF);
          if (at < 0) {
            if (this.buffer.length > 1024) throw new ParseError('a chunk size line is over 1024 bytes');
            return false;
          }
          const line = this.buffer.subarray(0, at).toString('latin1');
          this.buffer = this.buffer.subarray(at + 2);
          const hex = (line.split(';')[0] ?? '').trim();
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new ParseError(`a chunk size is not hexadecimal: "${hex.slice(0, 20)}"`);
          mode.remaining = Number.parseInt(hex, 16);
          mode.phase = mode.remaining === 0 ? 'trailers' : 'data';
          break;
        }
        case 'data':
          mode.remaining = this.take(mode.remaining);
          if (mode.remaining > 0) return false;
          mode.phase = 'data-end';
          break;
        case 'data-end': {
          if (this.buffer.length < 2) return false;
          if (this.buffer[0] !== 13 || this.buffer[1] !== 10) throw new ParseError('a chunk does not end with CRLF');
          this.buffer = this.buffer.subarray(2);
          mode.phase = 'size';
          break;
        }
        case 'trailers': {
          const at = this.buffer.indexOf(CRLF);
          if (at < 0) return false;
          this.buffer = this.buffer.subarray(at + 2);
          // An empty line ends the trailers (and the body); trailer fields themselves are ignored.
          if (at === 0) return true;
          break;
        }
        default: {
          const unreachable: never = mode.phase;
          throw new ParseError(`unknown chunk phase ${String(unreachable)}`);
        }
      }
    }
  }

  /** Moves up to `remaining` body bytes out of the buffer; how many are still to come. */
  private take(remaining: number): number {
    const count = Math.min(remaining, this.buffer.length);
    this.keep(this.buffer.subarray(0, count));
    this.buffer = this.buffer.subarray(count);
    return remaining - count;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > MAX_BODY) throw new ParseError(`the answer is larger than ${MAX_BODY} bytes`);
    // Node hands each socket read its own buffer: a view of it may outlive the read.
    this.body.push(bytes);
  }

  private finish(): ParsedResponse {
    const head = this.head;
    if (head === null) throw new ParseError('no answer to finish');
    const response: ParsedResponse = {
      status: head.status,
      headers: head.headers,
      body: this.body.length === 1 ? (this.body[0] as Buffer) : Buffer.concat(this.body),
      keepAlive: head.keepAlive && this.mode?.kind !== 'until-close',
    };
    this.head = null;
    this.mode = null;
    this.body = [];
    this.bodyBytes = 0;
    return response;
  }
}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const match = STATUS_LINE.exec(statusLine);
  if (!match) throw new ParseError(`not an HTTP/1.x status line: "${statusLine.slice(0, 40)}"`);
  const minor = match[1];
  const status = Number(match[2]);
  const headers: Record<string, HeaderValue> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!HEADER_NAME.test(name)) throw new ParseError(`a malformed header line: "${line.slice(0, 40)}"`);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = headers[key];
    if (existing === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[key] = `${existing}, ${value}`;
  }
  const connection = String(headers.connection ?? '').toLowerCase();
  const keepAlive = minor === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
  return { status, headers, keepAlive };
}

function bodyMode(head: Head): BodyMode | null {
  if (head.status === 204 || head.status === 304) return null;
  const transfer = String(head.headers['transfer-encoding'] ?? '').toLowerCase();
  if (transfer !== '') {
    if (!/\bchunked\s*$/.test(transfer)) return { kind: 'until-close' };
    return { kind: 'chunked', phase: 'size', remaining: 0 };
  }
  const length = head.headers['content-length'];
  if (length !== undefined) {
    const text = Array.isArray(length) ? length.join(',') : length;
    const values = new Set(text.split(',').map((v) => v.trim()));
    const only = [...values][0] ?? '';
    if (values.size !== 1 || !/^\d{1,10}$/.test(only)) throw new ParseError(`a malformed Content-Length: "${text.slice(0, 40)}"`);
    const bytes = Number(only);
    if (bytes > MAX_BODY) throw new ParseError(`the answer is larger than ${MAX_BODY} bytes`);
    return bytes === 0 ? null : { kind: 'length', remaining: bytes };
  }
  return { kind: 'until-close' };
}
