/**
 * The local exchange's user data streams. Spot: subscriptions made on a WebSocket API session with
 * `userDataStream.subscribe.signature` (`{"subscriptionId": n}`); events go out as `{"subscriptionId",
 * "event"}` (`web-socket-api.md`, `user-data-stream.md`); unsubscribing sends `eventStreamTerminated`.
 * USD-M: a listenKey (`POST /fapi/v1/listenKey` returns the active key or a new one and extends it 60
 * minutes; `PUT` extends it or answers -1125 "This listenKey does not exist."; `DELETE` closes it) and
 * sockets at `/ws/<listenKey>` (also `/private/ws/<listenKey>`, `/private/ws?listenKey=`) receiving raw
 * `ORDER_TRADE_UPDATE` / `ACCOUNT_UPDATE` events; an expired key sends `listenKeyExpired` and stops. Faults:
 * drop every user stream connection; expire the key now.
 */
import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import type { ExchangeExec, ExchangeOrder, ExchangeTrade } from '../sim-exchange.js';
import * as render from './render.js';

const LISTEN_KEY_LIFE_MS = 60 * 60_000;

/** A spot WebSocket API session, as far as user data is concerned. */
export interface UserDataSession {
  readonly socket: WebSocket;
  readonly subscriptions: Set<number>;
  nextSubscriptionId: number;
}

export class UserDataStreams {
  private readonly sessions = new Set<UserDataSession>();
  private listenKey: string | null = null;
  private listenKeyExpiresMs = 0;
  private readonly listenSockets = new Set<WebSocket>();

  constructor(
    private readonly ctx: render.RenderContext,
    private readonly cancelIds: ReadonlyMap<number, string>,
  ) {}

  /* ---------------------------------------------------------------- spot */

  subscribe(session: UserDataSession): number {
    const id = session.nextSubscriptionId++;
    session.subscriptions.add(id);
    this.sessions.add(session);
    return id;
  }

  /** Ends one subscription (or all of the session's) and tells the session so. */
  unsubscribe(session: UserDataSession, id: number | null): void {
    const ids = id === null ? [...session.subscriptions] : session.subscriptions.has(id) ? [id] : [];
    const now = Math.floor(this.ctx.exchange.serverMs());
    for (const sub of ids) {
      session.subscriptions.delete(sub);
      session.socket.send(JSON.stringify({ subscriptionId: sub, event: { e: 'eventStreamTerminated', E: now } }));
    }
    if (session.subscriptions.size === 0) this.sessions.delete(session);
  }

  closed(session: UserDataSession): void {
    this.sessions.delete(session);
  }

  /* --------------------------------------------------------------- USD-M */

  /** POST: the active key extended, or a new one. */
  createKey(nowMs: number): string {
    if (this.listenKey === null || nowMs >= this.listenKeyExpiresMs) {
      if (this.listenKey !== null) this.expire('the listenKey lived 60 minutes without a keep-alive');
      this.listenKey = randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 64).padEnd(64, '0');
    }
    this.listenKeyExpiresMs = nowMs + LISTEN_KEY_LIFE_MS;
    return this.listenKey;
  }

  /** PUT: false (-1125) when there is no live key. */
  keepAlive(nowMs: number): boolean {
    if (this.listenKey === null || nowMs >= this.listenKeyExpiresMs) return false;
    this.listenKeyExpiresMs = nowMs + LISTEN_KEY_LIFE_MS;
    return true;
  }

  closeKey(): void {
    this.listenKey = null;
    for (const socket of this.listenSockets) socket.close(1000);
    this.listenSockets.clear();
  }

  isLiveKey(key: string, nowMs: number): boolean {
    return this.listenKey !== null && key === this.listenKey && nowMs < this.listenKeyExpiresMs;
  }

  attachListenSocket(socket: WebSocket): void {
    this.listenSockets.add(socket);
    socket.on('close', () => this.listenSockets.delete(socket));
  }

  /** The key expires now: `listenKeyExpired` on every stream, then nothing more is sent on them. */
  expire(_why = 'expired'): void {
    const key = this.listenKey;
    if (key === null) return;
    const now = Math.floor(this.ctx.exchange.serverMs());
    const text = JSON.stringify({ e: 'listenKeyExpired', E: now, listenKey: key });
    for (const socket of this.listenSockets) socket.send(text);
    this.listenSockets.clear();
    this.listenKey = null;
  }

  /* ------------------------------------------------------------- events */

  onExecution(order: ExchangeOrder, exec: ExchangeExec, trade: ExchangeTrade | null): void {
    const now = Math.floor(this.ctx.exchange.serverMs());
    const spot = this.ctx.exchange.spot;
    if (spot) {
      if (this.sessions.size === 0) return;
      const report = JSON.stringify(render.executionReport(this.ctx, order, exec, trade, now, this.cancelIds.get(order.orderId) ?? null));
      // why: every execution of ours locks, spends or frees a balance, and the venue then sends the balances
      const balances = JSON.stringify(render.outboundAccountPosition(spot, now));
      for (const session of this.sessions) {
        for (const sub of session.subscriptions) {
          session.socket.send(`{"subscriptionId":${sub},"event":${report}}`);
          session.socket.send(`{"subscriptionId":${sub},"event":${balances}}`);
        }
      }
      return;
    }
    const futures = this.ctx.exchange.futures;
    if (!futures || this.listenSockets.size === 0) return;
    const update = JSON.stringify(render.orderTradeUpdate(this.ctx, order, exec, trade, now));
    const account = trade ? JSON.stringify(render.accountUpdate(this.ctx, futures, now)) : null;
    for (const socket of this.listenSockets) {
      socket.send(update);
      if (account) socket.send(account);
    }
  }

  /** Fault: every user data connection drops (spot sessions with a subscription, USD-M key streams). */
  dropAll(): number {
    let dropped = 0;
    for (const session of this.sessions) {
      session.socket.terminate();
      dropped++;
    }
    this.sessions.clear();
    for (const socket of this.listenSockets) {
      socket.terminate();
      dropped++;
    }
    this.listenSockets.clear();
    return dropped;
  }
}
