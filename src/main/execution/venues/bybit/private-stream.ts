/**
 * Bybit v5's private WebSocket (`websocket/wss-authentication.mdx`, the "Connect" page: `wss://stream.bybit.com/
 * v5/private`, testnet `wss://stream-testnet.bybit.com/v5/private`): connect, `{"op":"auth","args":[key,
 * expires, signature]}`, `{"op":"subscribe","args":[topics]}`, and `{"op":"ping"}` every 20 s ("we recommend
 * that you send the ping heartbeat packet every 20 seconds"). It owns the socket and its topics: the ones
 * given at start and the ones added later (the DCP topic, `websocket/private/dcp.mdx`: DCP counts only
 * connections subscribed to `dcp.*`, and the heartbeat is what keeps it from firing). A pong missing for a
 * whole interval, a close, or a frame that is not JSON drops the connection (it might have carried a fill);
 * it comes back with capped, jittered back-off, authenticates and subscribes everything again, and every
 * loss and return is reported. Answers to ops are matched to requests in order per op. The key and the
 * signature never appear in a message.
 */
import WebSocket from 'ws';
import { backoffDelayMs } from '../../../../shared/backoff.js';
import { GatewayError } from '../../live/gateway.js';
import { isRecord } from '../common/wire-fields.js';
import { closeSocket, discardSocket } from '../common/ws-socket.js';

export interface PrivateStreamOptions {
  readonly url: string;
  readonly handshakeTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  /** Heartbeat interval (default 20 s, the documented recommendation). */
  readonly pingIntervalMs?: number;
  /** The `auth` op's args, made at each connect (expires is a fresh venue time). */
  readonly authArgs: () => [string, number, string];
  /** Takes our key out of a venue message before it goes into an error. */
  readonly scrub: (text: string) => string;
  readonly topics: readonly string[];
  readonly onStatus: (status: 'up' | 'down', detail: string) => void;
  readonly onTopic: (topic: string, data: unknown) => void;
}

type OpName = 'auth' | 'subscribe' | 'unsubscribe';

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: GatewayError) => void;
}

export class BybitPrivateStream {
  private socket: WebSocket | null = null;
  private running = false;
  private up = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private awaitingPong = false;
  private readonly extra = new Set<string>();
  private pingMs: number;
  private readonly pending = new Map<OpName, Pending[]>();
  private reqSeq = 0;

  constructor(private readonly options: PrivateStreamOptions) {
    this.pingMs = options.pingIntervalMs ?? 20_000;
  }

  /** Heartbeats this often from now on (DCP's window may be shorter than the 20 s default). */
  setPingInterval(ms: number): void {
    if (ms === this.pingMs) return;
    this.pingMs = ms;
    if (this.up && this.socket) this.startPing(this.socket);
  }

  /** Connects, authenticates and subscribes; rejects when the first attempt fails. */
  async start(): Promise<void> {
    this.running = true;
    await this.open(true);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopPing();
    const socket = this.socket;
    this.socket = null;
    this.up = false;
    this.failPending(new GatewayError('unavailable', 'the private stream is stopped'));
    if (socket) await closeSocket(socket);
  }

  isUp(): boolean {
    return this.up;
  }

  /** Drops the connection as a network failure would (it comes back by itself). */
  drop(reason: string): void {
    if (this.socket) this.lost(this.socket, reason);
  }

  /** Subscribes `topic` now (and after every reconnect); rejects 'unavailable' while the stream is down. */
  async addTopic(topic: string): Promise<void> {
    this.extra.add(topic);
    await this.op('subscribe', [topic]);
  }

  /** Unsubscribes `topic` and stops subscribing it after reconnects. */
  async removeTopic(topic: string): Promise<void> {
    if (!this.extra.delete(topic)) return;
    if (this.up) await this.op('unsubscribe', [topic]);
  }

  hasTopic(topic: string): boolean {
    return this.extra.has(topic);
  }

  private op(name: OpName, args: unknown[], socket: WebSocket | null = this.up ? this.socket : null): Promise<void> {
    if (socket === null || socket.readyState !== WebSocket.OPEN) return Promise.reject(new GatewayError('unavailable', `${name}: the private stream is down`));
    return new Promise<void>((resolve, reject) => {
      const queue = this.pending.get(name) ?? [];
      queue.push({ resolve, reject });
      this.pending.set(name, queue);
      socket.send(JSON.stringify({ req_id: String(++this.reqSeq), op: name, args }));
    });
  }

  private failPending(error: GatewayError): void {
    for (const queue of this.pending.values()) for (const p of queue.splice(0)) p.reject(error);
  }

  private async open(first: boolean): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(this.options.url, { handshakeTimeout: this.options.handshakeTimeoutMs, perMessageDeflate: false });
      this.socket = socket;
      let settled = false;
      const settle = (error: GatewayError | null): void => {
        if (settled) return;
        settled = true;
        if (error === null) return resolve();
        if (this.socket === socket) {
          this.socket = null;
          discardSocket(socket);
        }
        this.failPending(error);
        if (first) reject(error);
        else {
          this.scheduleReconnect();
          resolve();
        }
      };
      socket.on('open', () => {
        if (this.socket !== socket) return;
        this.op('auth', this.options.authArgs(), socket)
          .then(() => this.op('subscribe', [...this.options.topics, ...this.extra], socket))
          .then(() => {
            if (this.socket !== socket) return;
            this.attempt = 0;
            this.up = true;
            this.startPing(socket);
            settle(null);
            this.options.onStatus('up', 'private stream authenticated and subscribed');
          })
          .catch((error: unknown) => settle(error instanceof GatewayError ? error : new GatewayError('unavailable', String(error))));
      });
      socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        if (this.socket !== socket || isBinary) return;
        this.onFrame(socket, Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
      });
      socket.on('error', () => undefined);
      socket.on('close', (code: number) => {
        if (!settled) settle(new GatewayError('unavailable', `the private stream could not be opened: closed by the venue (${code})`));
        else this.lost(socket, `closed by the venue (${code})`);
      });
      socket.on('unexpected-response', (_request, response) => settle(new GatewayError('unavailable', `the private stream could not be opened: handshake refused (HTTP ${response.statusCode ?? 0})`)));
    });
  }

  private startPing(socket: WebSocket): void {
    this.stopPing();
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.socket !== socket) return;
      if (this.awaitingPong) return this.lost(socket, 'missed a pong for a whole heartbeat interval');
      this.awaitingPong = true;
      socket.send(JSON.stringify({ req_id: String(++this.reqSeq), op: 'ping' }));
    }, this.pingMs);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private lost(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopPing();
    discardSocket(socket);
    this.failPending(new GatewayError('unavailable', `the private stream ${reason}`));
    if (this.up) this.options.onStatus('down', `private stream ${reason}`);
    this.up = false;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer !== null) return;
    const delay = backoffDelayMs(this.attempt++, { initialMs: this.options.reconnectInitialMs, maxMs: this.options.reconnectMaxMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.running) void this.open(false);
    }, delay);
  }

  private onFrame(socket: WebSocket, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      return this.lost(socket, 'sent a frame that is not JSON');
    }
    if (!isRecord(message)) return;
    const topic = message['topic'];
    if (typeof topic === 'string') {
      this.options.onTopic(topic, message['data']);
      return;
    }
    const op = message['op'];
    if (op === 'pong' || op === 'ping') {
      this.awaitingPong = false;
      return;
    }
    if (op === 'auth' || op === 'subscribe' || op === 'unsubscribe') {
      const waiting = this.pending.get(op)?.shift();
      if (!waiting) return;
      if (message['success'] === true) waiting.resolve();
      else {
        const why = typeof message['ret_msg'] === 'string' ? this.options.scrub(message['ret_msg']).slice(0, 200) : 'refused';
        waiting.reject(new GatewayError(op === 'auth' ? 'auth' : 'rejected', `private stream ${op}: ${why}`));
      }
    }
  }
}
