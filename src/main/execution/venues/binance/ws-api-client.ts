/**
 * One connection to the spot WebSocket API (`web-socket-api.md`): JSON requests `{id, method, params}` in
 * text frames, answers `{id, status, result | error, rateLimits}` matched by id, user data events
 * `{subscriptionId, event}` handed on, and the `serverShutdown` connection event answered by reconnecting.
 * Signed requests carry `apiKey`, `timestamp`, `recvWindow` and a `signature` over the sorted params.
 * Ping frames are answered by `ws` itself ("send a pong with a copy of ping's payload"). When the
 * connection drops, every pending request fails with 'unknown-outcome' (it may have reached the matching
 * engine), the owner hears 'down', and the connection comes back with capped, jittered back-off ('up').
 * A request while the connection is down is not sent: 'unavailable'. Never logs; errors name the method
 * and never a parameter, key or signature.
 */
import WebSocket from 'ws';
import { backoffDelayMs } from '../../../../shared/backoff.js';
import { GatewayError } from '../../live/gateway.js';
import { gatewayErrorFor, venueErrorBody } from './errors.js';
import { wsApiSignaturePayload, type ParamValue } from './signing.js';
import type { SignedTransport } from './transport.js';
import { isRecord } from '../common/wire-fields.js';
import { closeSocket, discardSocket } from '../common/ws-socket.js';

export interface WsApiClientOptions extends SignedTransport {
  /** `wss://ws-api.binance.com:443/ws-api/v3` or an override. */
  readonly url: string;
  /** What this connection is for, in messages ("trading", "user data"). */
  readonly name: string;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly onStatus: (status: 'up' | 'down', detail: string) => void;
  /** A user data event (`event` of `{subscriptionId, event}`). */
  readonly onEvent?: (event: unknown, subscriptionId: number | null) => void;
}

export interface WsApiRequest {
  readonly signed: boolean;
  readonly weight: number;
  readonly orders: number;
  readonly what: string;
}

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: GatewayError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly what: string;
}

export class WsApiClient {
  private socket: WebSocket | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private running = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private firstOpen: { resolve: () => void; reject: (error: GatewayError) => void } | null = null;

  constructor(private readonly options: WsApiClientOptions) {}

  /** Connects; resolves once open, rejects ('unavailable') when the first attempt fails. */
  start(): Promise<void> {
    this.running = true;
    return new Promise((resolve, reject) => {
      this.firstOpen = { resolve, reject };
      this.connect();
    });
  }

  isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes for good; pending requests fail with 'unknown-outcome'. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.failPending('the gateway stopped before the answer');
    if (socket) await closeSocket(socket);
  }

  /** Drops the connection as a network failure would (it reconnects by itself). */
  drop(reason: string): void {
    const socket = this.socket;
    if (socket) this.onClosed(socket, reason);
  }

  /** Sends one request; resolves with `result` of a status-200 answer. */
  request(method: string, params: Readonly<Record<string, ParamValue>>, request: WsApiRequest): Promise<unknown> {
    const o = this.options;
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new GatewayError('unavailable', `${request.what}: the ${o.name} WebSocket API connection is down: not sent`));
    }
    const held = o.limits.check(request.weight, request.orders, o.clock.serverMs(), o.wallMs());
    if (held) return Promise.reject(new GatewayError(held.code, `${request.what}: ${held.message}`, null, held.retryAtMs));
    let body: Record<string, ParamValue> = params as Record<string, ParamValue>;
    if (request.signed) {
      body = { ...params, apiKey: o.apiKey, timestamp: o.clock.timestamp(), recvWindow: o.recvWindowMs };
      body['signature'] = o.signer.sign(wsApiSignaturePayload(body));
    }
    const id = this.nextId++;
    const frame = JSON.stringify({ id, method, params: body });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayError('unknown-outcome', `${request.what}: no answer to ${method} within ${o.timeoutMs} ms: execution status unknown`));
      }, o.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, what: `${request.what} (${method})` });
      socket.send(frame);
      o.limits.sent(request.weight, request.orders, o.clock.serverMs());
    });
  }

  private connect(): void {
    if (!this.running) return;
    const o = this.options;
    const socket = new WebSocket(o.url, { handshakeTimeout: o.timeoutMs, perMessageDeflate: false });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      // why: connecting costs 2 request weight (web-socket-api.md "IP limits")
      o.limits.sent(2, 0, o.clock.serverMs());
      const first = this.firstOpen;
      this.firstOpen = null;
      first?.resolve();
      o.onStatus('up', `${o.name} WebSocket API connected`);
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.socket !== socket || isBinary) return;
      this.onFrame(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
    });
    socket.on('error', () => undefined);
    socket.on('close', (code: number) => {
      if (this.socket === socket) this.onClosed(socket, `closed by the venue (${code})`);
    });
    socket.on('unexpected-response', (_request, response) => {
      if (this.socket === socket) this.onClosed(socket, `handshake refused (HTTP ${response.statusCode ?? 0})`);
    });
  }

  private onClosed(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    discardSocket(socket);
    this.failPending(`the ${this.options.name} connection closed before the answer`);
    const first = this.firstOpen;
    if (first) {
      this.firstOpen = null;
      this.running = false;
      first.reject(new GatewayError('unavailable', `the ${this.options.name} WebSocket API could not be reached: ${reason}`));
      return;
    }
    this.options.onStatus('down', `${this.options.name} WebSocket API ${reason}`);
    if (!this.running) return;
    const o = this.options;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, backoffDelayMs(this.attempt++, { initialMs: o.reconnectInitialMs, maxMs: o.reconnectMaxMs }));
  }

  private failPending(why: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new GatewayError('unknown-outcome', `${pending.what}: ${why}: execution status unknown`));
    }
  }

  private onFrame(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      return this.drop('sent a frame that is not JSON');
    }
    if (!isRecord(message)) return;
    const o = this.options;
    if (isRecord(message['event']) && !('id' in message)) {
      const event = message['event'];
      if (event['e'] === 'serverShutdown') return this.drop('announced a server shutdown');
      const sub = message['subscriptionId'];
      o.onEvent?.(event, typeof sub === 'number' ? sub : null);
      return;
    }
    const id = message['id'];
    if (typeof id !== 'number') return;
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (o.limits.fromWsRateLimits(message['rateLimits'], o.clock.serverMs())) o.onLimits();
    const status = message['status'];
    if (status === 200) {
      if (!('result' in message)) return pending.reject(new GatewayError('unknown-outcome', `${pending.what}: an answer without a result: execution status unknown`));
      return pending.resolve(message['result']);
    }
    const error = isRecord(message['error']) ? message['error'] : null;
    const data = error && isRecord(error['data']) ? error['data'] : null;
    const retryAfter = data && typeof data['retryAfter'] === 'number' ? o.clock.toLocalMs(data['retryAfter']) : null;
    const httpStatus = typeof status === 'number' ? status : 0;
    if (httpStatus === 429) {
      o.limits.backOff(retryAfter ?? o.wallMs() + 60_000);
      o.onLimits();
    } else if (httpStatus === 418) {
      o.limits.ban(retryAfter ?? o.wallMs() + 120_000);
      o.onLimits();
    }
    pending.reject(gatewayErrorFor(o.venue, pending.what, httpStatus, venueErrorBody(error), retryAfter));
  }
}
