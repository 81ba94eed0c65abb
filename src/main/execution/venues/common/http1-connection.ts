/**
 * One HTTP/1.1 keep-alive connection of a venue gateway's pool (`http-transport.ts`), over TCP or TLS,
 * carrying one request at a time. A request handed to a connected, idle connection is written to the
 * socket at once, inside the call; one handed to a connection still connecting goes out when it connects.
 * Each exchange ends in exactly one outcome: the parsed answer, or a failure that says whether any byte of
 * the request was written (never sent: the venue cannot have acted; sent: the outcome is unknown). Bytes
 * from the venue while no request is pending, a malformed answer, or an answer that closes the connection
 * end the connection; it is never reused after anything it cannot vouch for. It never logs.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ParseError, ResponseParser, type ParsedResponse } from './http1-response.js';

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** Extra trusted certificate authorities (PEM), for a venue behind a private CA; the system's otherwise. */
  readonly ca?: string;
}

export type ExchangeOutcome =
  | { readonly ok: true; readonly response: ParsedResponse }
  /** `code`: the socket's error code, or what was wrong with the answer. */
  | { readonly ok: false; readonly sent: boolean; readonly code: string };

interface Pending {
  readonly text: string;
  readonly done: (outcome: ExchangeOutcome) => void;
  written: boolean;
}

export interface ConnectionEvents {
  /** The connection may take another request. */
  idle(connection: Http1Connection): void;
  /** The connection is closed for good. */
  gone(connection: Http1Connection): void;
}

export class Http1Connection {
  private readonly socket: Socket;
  private connected = false;
  private ended = false;
  private pending: Pending | null = null;
  private readonly parser = new ResponseParser();
  private errorCode: string | null = null;
  /** Held for a request that is about to be handed to it (see `reserve`). */
  private reserved = false;
  /**
   * A turn of the event loop has passed since its last answer with nothing from the venue: a close the venue
   * sent right behind that answer would have been read by now. Only then is a request written at once.
   */
  private settledIdle = false;
  /** Wall clock (ms) of the last answer or of the connection's opening. */
  lastUsedMs: number;

  constructor(
    target: ConnectionTarget,
    private readonly events: ConnectionEvents,
    private readonly nowMs: () => number,
  ) {
    this.lastUsedMs = nowMs();
    this.socket = target.secure
      ? tlsConnect({ host: target.host, port: target.port, servername: isIP(target.host) === 0 ? target.host : undefined, ALPNProtocols: ['http/1.1'], ca: target.ca })
      : netConnect({ host: target.host, port: target.port });
    this.socket.setNoDelay(true);
    this.socket.once(target.secure ? 'secureConnect' : 'connect', () => this.onConnect());
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => {
      // The venue closed its side: no new request may go on this connection.
      this.ended = true;
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.errorCode ??= error.code ?? 'socket error';
    });
    this.socket.on('close', () => this.onClose());
  }

  /** Whether it can take a request now or once connected. */
  get usable(): boolean {
    return !this.ended && !this.socket.destroyed && this.pending === null && !this.reserved;
  }

  /** Whether a request may be written to it at once (idle, and idle for a turn of the loop). */
  get ready(): boolean {
    return this.settledIdle && this.usable;
  }

  /** Whether the pending request's bytes were handed to the socket. */
  get wrote(): boolean {
    return this.pending?.written ?? false;
  }

  /** Keeps it from any other request while one waits a turn to be handed to it. */
  reserve(): void {
    this.reserved = true;
  }

  release(): void {
    this.reserved = false;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Sends one request (its whole text): written at once when connected, else when the connection opens. */
  exchange(text: string, done: (outcome: ExchangeOutcome) => void): void {
    if (!this.usable) {
      done({ ok: false, sent: false, code: 'connection not usable' });
      return;
    }
    this.pending = { text, done, written: false };
    this.settledIdle = false;
    this.socket.ref();
    if (this.connected) this.write(this.pending);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private write(pending: Pending): void {
    pending.written = true;
    this.socket.write(pending.text, 'latin1');
  }

  private onConnect(): void {
    this.connected = true;
    this.lastUsedMs = this.nowMs();
    if (this.pending) this.write(this.pending);
    else {
      this.settleIdleAfterATurn();
      this.events.idle(this);
    }
  }

  private onData(chunk: Buffer): void {
    const pending = this.pending;
    if (pending === null) {
      // why: an answer nobody asked for could be taken for the next request's: never trust this connection again
      this.socket.destroy();
      return;
    }
    let response: ParsedResponse | null;
    try {
      response = this.parser.push(chunk);
    } catch (error) {
      this.settle({ ok: false, sent: true, code: error instanceof ParseError ? error.message : 'unreadable answer' });
      this.socket.destroy();
      return;
    }
    if (response === null) return;
    this.lastUsedMs = this.nowMs();
    const reusable = response.keepAlive && this.parser.leftover === 0 && !this.ended;
    this.settle({ ok: true, response });
    if (!reusable) {
      this.socket.destroy();
      return;
    }
    this.socket.unref();
    this.settleIdleAfterATurn();
    this.events.idle(this);
  }

  private settleIdleAfterATurn(): void {
    setImmediate(() => {
      if (this.pending === null) this.settledIdle = true;
    });
  }

  private onClose(): void {
    const pending = this.pending;
    if (pending !== null) {
      let response: ParsedResponse | null = null;
      let code = this.errorCode ?? 'connection closed';
      try {
        response = this.parser.end();
      } catch (error) {
        if (error instanceof ParseError && this.errorCode === null) code = error.message;
      }
      this.settle(response ? { ok: true, response } : { ok: false, sent: pending.written, code });
    }
    this.events.gone(this);
  }

  private settle(outcome: ExchangeOutcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.done(outcome);
  }
}
