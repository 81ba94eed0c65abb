/**
 * A WebSocket to the page's server that comes back when it drops: exponential backoff from 250 ms
 * doubling to 5 s, the token offered as a subprotocol (`shared/stream-auth.ts`), and a connection status
 * for the "disconnected" banners — `open` only once data flows (a socket that opens and closes without a
 * message is still down). Every reconnect is a fresh subscription: the servers send a full snapshot or
 * view on connect, so the page never shows a gap. Transport only: it parses nothing.
 */
import { streamProtocols } from '../../shared/stream-auth.js';
import type { ConnectionInfo } from './streaming-api.js';

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

export interface SocketHandlers {
  /** The socket opened (the desk stream says hello here). */
  readonly opened?: (send: (text: string) => void) => void;
  readonly message: (text: string) => void;
  readonly status: (info: ConnectionInfo) => void;
}

export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private info: ConnectionInfo = { status: 'connecting', attempts: 0, retryAtMs: null };

  constructor(
    private readonly baseUrl: string,
    private readonly path: string,
    private readonly token: string | null,
    private readonly handlers: SocketHandlers,
  ) {}

  get connection(): ConnectionInfo {
    return this.info;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  /** Sends on the open socket; false when there is none. */
  send(text: string): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(text);
    return true;
  }

  private setStatus(info: ConnectionInfo): void {
    this.info = info;
    this.handlers.status(info);
  }

  private connect(): void {
    this.retryTimer = null;
    const url = new URL(this.path, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url.toString(), streamProtocols(this.token));
    this.socket = socket;
    socket.onopen = () => this.handlers.opened?.((text) => socket.send(text));
    this.setStatus({ status: 'connecting', attempts: this.info.attempts, retryAtMs: null });
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      if (this.info.status !== 'open') this.setStatus({ status: 'open', attempts: 0, retryAtMs: null });
      this.handlers.message(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    socket.onerror = () => socket.close();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    const attempts = this.info.attempts + 1;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (attempts - 1));
    this.setStatus({ status: 'disconnected', attempts, retryAtMs: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
