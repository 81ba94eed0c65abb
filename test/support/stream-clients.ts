/**
 * Stream clients for tests and benchmarks against a real `quotedesk serve`: a reading client (the `ws`
 * package, as scripts use it) that records every message and can wait for one that matches, and a
 * stalled client — a raw TCP socket that completes the WebSocket handshake and then never reads another
 * byte, the way a hung or hostile client behaves. Both wait on socket events, never on sleeps.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { StreamMessage } from '../../src/shared/contract.js';

export interface ReadingClient {
  readonly ws: WebSocket;
  /** Every message received, parsed, when opened with `record: true` (small tests); else empty. */
  readonly messages: StreamMessage[];
  /** Messages received so far. */
  received(): number;
  /**
   * Resolves with the first message that matches: among those recorded (or the newest one, when not
   * recording), or still to come. Messages are parsed only while someone waits, so hundreds of readers
   * cost the test process little between its checks.
   */
  waitFor(match: (message: StreamMessage) => boolean, what: string, timeoutMs?: number): Promise<StreamMessage>;
  close(): void;
}

export interface ClientOptions {
  /** The stream's path (default `/api/stream`, the main desk's). */
  readonly path?: string;
  readonly record?: boolean;
  /** Acknowledge every update at once, as a page that renders instantly would (no server-side pacing). */
  readonly ack?: boolean;
  readonly origin?: string;
  readonly protocols?: string[];
  readonly headers?: Record<string, string>;
}

/** Opens a reading client; rejects with the server's status and text if the upgrade is refused. */
export function openReader(baseUrl: string, options: ClientOptions = {}): Promise<ReadingClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}${options.path ?? '/api/stream'}`;
  const ws = new WebSocket(url, options.protocols ?? [], { ...(options.origin ? { origin: options.origin } : {}), ...(options.headers ? { headers: options.headers } : {}) });
  const messages: StreamMessage[] = [];
  const waiters = new Set<{ match: (message: StreamMessage) => boolean; resolve: (message: StreamMessage) => void; reject: (error: Error) => void }>();
  let count = 0;
  let newest: Buffer | null = null;
  const parse = (data: Buffer): StreamMessage => JSON.parse(data.toString('utf8')) as StreamMessage;
  ws.on('message', (data: Buffer) => {
    count++;
    if (options.ack) ws.send('{"type":"ack"}');
    if (!options.record && waiters.size === 0) {
      newest = data;
      return;
    }
    const message = parse(data);
    if (options.record) messages.push(message);
    else newest = data;
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  });
  // A failure says what the client last saw: a desk not quoting reads differently from a client cut off.
  const describeNewest = (): string => {
    const last = options.record ? messages[messages.length - 1] : newest !== null ? parse(newest) : undefined;
    if (last === undefined) return 'nothing received';
    if (last.type === 'session') return `last a session message: ${last.session.status}`;
    const s = last.state;
    return `last ${last.type}: ${s.tradingState}, ${s.openOrders.length} open orders, feed ${s.feed.state}, refusals ${JSON.stringify(s.refusals)}`;
  };
  ws.on('close', (code: number, reason: Buffer) => {
    for (const waiter of [...waiters]) {
      waiters.delete(waiter);
      waiter.reject(new Error(`the stream closed (${code} ${reason.toString('utf8')})`));
    }
  });
  const client: ReadingClient = {
    ws,
    messages,
    received: () => count,
    waitFor(match, what, timeoutMs = 60_000) {
      const found = options.record ? messages.find(match) : newest !== null ? [parse(newest)].find(match) : undefined;
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out waiting for ${what} after ${count} messages (${describeNewest()})`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (message: StreamMessage) => {
            clearTimeout(timer);
            resolve(message);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(new Error(`${error.message} while waiting for ${what}`));
          },
        };
        waiters.add(waiter);
      });
    },
    close: () => ws.terminate(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      if (options.ack) ws.send('{"type":"hello","ack":true}');
      resolve(client);
    });
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode} ${body}`), { status: response.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

/** A client that completes the handshake and then never reads: the server's writes pile up against it. */
export function openStalled(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET /api/stream HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      // From here on nothing is read: the kernel's buffers fill, then the server's.
      socket.pause();
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${head.slice(0, head.indexOf('\r\n'))}`));
        return;
      }
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}
