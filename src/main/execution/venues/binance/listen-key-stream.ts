/**
 * The USD-M user data stream (`User Data Streams`: "A User Data Stream listenKey is valid for 60 minutes
 * after creation"; "Doing a PUT on a listenKey will extend its validity for 60 minutes, if response -1125
 * ... use POST /fapi/v1/listenKey to recreate"; connect to `<base>/ws/<listenKey>`; `listenKeyExpired`
 * means "No more user data event will be updated after this event"). It owns the key's lifecycle and the
 * socket: POST a key, connect, PUT it every `keepAliveMs`, and on -1125, `listenKeyExpired`, a dropped
 * socket or a failed connect get a key again and reconnect with capped, jittered back-off. Every loss and
 * return is reported ('down' / 'up'). Events are handed on parsed; a frame that is not JSON drops the
 * connection (it might have carried a fill). The key never appears in a message.
 */
import WebSocket from 'ws';
import { backoffDelayMs } from '../../../../shared/backoff.js';
import { GatewayError } from '../../live/gateway.js';
import { isRecord } from '../common/wire-fields.js';
import { closeSocket, discardSocket } from '../common/ws-socket.js';

export interface ListenKeyStreamOptions {
  /** `wss://fstream.binance.com/private` or an override; the stream is `<base>/ws/<listenKey>`. */
  readonly baseUrl: string;
  readonly keepAliveMs: number;
  readonly handshakeTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  /** POST /fapi/v1/listenKey: a new key, or the active one extended. */
  readonly createKey: () => Promise<string>;
  /** PUT /fapi/v1/listenKey. */
  readonly keepAlive: () => Promise<void>;
  readonly onStatus: (status: 'up' | 'down', detail: string) => void;
  readonly onEvent: (event: Record<string, unknown>) => void;
}

export class ListenKeyStream {
  private socket: WebSocket | null = null;
  private running = false;
  private up = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private keepAliveTimer: ReturnType<typeof setInterval> | null = null;
  private generation = 0;

  constructor(private readonly options: ListenKeyStreamOptions) {}

  /** Gets a key and connects; resolves once the stream is open (rejects when the first attempt fails). */
  async start(): Promise<void> {
    this.running = true;
    await this.open(true);
    this.keepAliveTimer = setInterval(() => void this.extend(), this.options.keepAliveMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    this.reconnectTimer = null;
    this.keepAliveTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) await closeSocket(socket);
  }

  isUp(): boolean {
    return this.up;
  }

  /** Drops the connection as a network failure would (it comes back by itself). */
  drop(reason: string): void {
    if (this.socket) this.lost(this.socket, reason);
  }

  private async extend(): Promise<void> {
    if (!this.running) return;
    try {
      await this.options.keepAlive();
    } catch (error) {
      if (error instanceof GatewayError && error.venueCode === -1125) {
        // why: "This listenKey does not exist": the stream is dead; get a key and reconnect
        if (this.socket) this.lost(this.socket, 'the listenKey expired (-1125 on keep-alive)');
      }
      // other failures (timeouts, limits): the key lives 60 min, the next keep-alive tries again
    }
  }

  private async open(first: boolean): Promise<void> {
    const generation = ++this.generation;
    const key = await this.options.createKey();
    if (generation !== this.generation || !this.running) return;
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/ws/${key}`;
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: this.options.handshakeTimeoutMs, perMessageDeflate: false });
      this.socket = socket;
      let opened = false;
      socket.on('open', () => {
        if (this.socket !== socket) return;
        opened = true;
        this.attempt = 0;
        this.up = true;
        this.options.onStatus('up', 'user data stream connected');
        resolve();
      });
      socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        if (this.socket !== socket || isBinary) return;
        this.onFrame(socket, Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
      });
      socket.on('error', () => undefined);
      const failed = (reason: string): void => {
        if (this.socket !== socket) return;
        if (!opened) {
          this.socket = null;
          discardSocket(socket);
          if (first) reject(new GatewayError('unavailable', `the USD-M user data stream could not be opened: ${reason}`));
          else {
            this.scheduleReconnect();
            resolve();
          }
          return;
        }
        this.lost(socket, reason);
      };
      socket.on('close', (code: number) => failed(`closed by the venue (${code})`));
      socket.on('unexpected-response', (_request, response) => failed(`handshake refused (HTTP ${response.statusCode ?? 0})`));
    });
  }

  private lost(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    discardSocket(socket);
    if (this.up) this.options.onStatus('down', `user data stream ${reason}`);
    this.up = false;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer !== null) return;
    const o = this.options;
    const delay = backoffDelayMs(this.attempt++, { initialMs: o.reconnectInitialMs, maxMs: o.reconnectMaxMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open(false).catch(() => this.scheduleReconnect());
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
    if (message['e'] === 'listenKeyExpired') return this.lost(socket, 'listenKey expired (listenKeyExpired)');
    this.options.onEvent(message);
  }
}
