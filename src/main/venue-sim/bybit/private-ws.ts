/**
 * The local exchange's Bybit v5 private stream at `/v5/private` (`websocket/wss-authentication.mdx`,
 * `websocket/private/order.mdx`, `execution.mdx`, `position.mdx`, `wallet.mdx`, `dcp.mdx`) and its
 * Disconnection Protection (`order/dcp.mdx`). A session must `auth` first (`[api_key, expires, signature]`,
 * HMAC of `GET/realtime{expires}`, expires later than the venue's now); then it may subscribe `order`,
 * `execution`, `position`, `wallet` (all-in-one or `.spot` / `.linear`) and `dcp.spot` / `dcp.future`, and
 * `ping` (answered `op: pong`). DCP, per product: once a window is set (`POST /v5/order/disconnected-cancel-all`)
 * and a session has subscribed the product's dcp topic, the venue watches those sessions; when every one of
 * them is gone — closed, or silent (no ping) for longer than the window or 30 s, whichever is longer — for the whole window, every open
 * order is cancelled (`cancelType` CancelByDCP). A session that comes back and subscribes again in time
 * resets the count; unsubscribing the last one stands DCP down. Never echoes a key or a signature.
 */
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { wsAuthText } from '../../execution/venues/bybit/signing.js';
import type { ApiKeyEntry } from '../binance/auth.js';

export type DcpProduct = 'SPOT' | 'DERIVATIVES';

interface Session {
  readonly socket: WebSocket;
  readonly connId: string;
  authed: boolean;
  readonly topics: Set<string>;
  lastHeardMs: number;
}

export interface PrivateHooks {
  serverMs(): number;
  /** DCP fired for a product: cancel every open order of ours there. */
  dcpFired(product: DcpProduct): void;
  /** A session's heartbeat arrived (tests wait on it). */
  heartbeat(): void;
}

interface DcpState {
  windowS: number;
  watching: boolean;
  deadSinceMs: number | null;
  fired: boolean;
}

const DCP_SWEEP_MS = 100;

export class BybitPrivateStreams {
  private readonly sessions = new Set<Session>();
  private readonly dcp = new Map<DcpProduct, DcpState>();
  private sweep: ReturnType<typeof setInterval> | null = null;
  /** Send every `execution` message twice (the duplicate test). */
  duplicateExecutions = 0;
  refuseNew = false;
  readonly stats = { dcpFired: 0, pings: 0 };

  constructor(
    private readonly category: 'spot' | 'linear',
    private readonly keys: readonly ApiKeyEntry[],
    private readonly hooks: PrivateHooks,
  ) {}

  start(): void {
    this.sweep = setInterval(() => this.checkDcp(), DCP_SWEEP_MS);
  }

  stop(): void {
    if (this.sweep !== null) clearInterval(this.sweep);
    this.sweep = null;
    this.dropAll();
  }

  dropAll(): number {
    const n = this.sessions.size;
    for (const s of this.sessions) s.socket.terminate();
    this.sessions.clear();
    return n;
  }

  /** Sets the DCP window of a product (seconds). */
  setDcpWindow(product: DcpProduct, seconds: number): void {
    const state = this.dcp.get(product) ?? { windowS: seconds, watching: false, deadSinceMs: null, fired: false };
    state.windowS = seconds;
    this.dcp.set(product, state);
  }

  dcpInfo(): Array<{ product: DcpProduct; dcpStatus: string; timeWindow: string }> {
    return [...this.dcp.entries()].map(([product, s]) => ({ product, dcpStatus: 'ON', timeWindow: String(s.windowS) }));
  }

  /** Whether DCP is watching a product's connections (armed at the venue). */
  dcpWatching(product: DcpProduct): boolean {
    return this.dcp.get(product)?.watching ?? false;
  }

  attach(socket: WebSocket): void {
    const session: Session = { socket, connId: randomUUID(), authed: false, topics: new Set(), lastHeardMs: this.hooks.serverMs() };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.onMessage(session, data.toString('utf8'));
    });
  }

  private reply(session: Session, body: Record<string, unknown>): void {
    session.socket.send(JSON.stringify({ ...body, conn_id: session.connId }));
  }

  private onMessage(session: Session, text: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      message = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return this.reply(session, { success: false, ret_msg: 'error:request not json', op: '' });
    }
    const reqId = typeof message['req_id'] === 'string' ? message['req_id'] : undefined;
    const withId = (body: Record<string, unknown>): Record<string, unknown> => (reqId === undefined ? body : { req_id: reqId, ...body });
    const op = message['op'];
    const args = Array.isArray(message['args']) ? (message['args'] as unknown[]) : [];
    const now = this.hooks.serverMs();
    switch (op) {
      case 'ping':
        session.lastHeardMs = now;
        this.stats.pings++;
        this.hooks.heartbeat();
        return this.reply(session, withId({ op: 'pong', args: [String(Math.floor(now))] }));
      case 'auth': {
        const issue = this.authIssue(args, now);
        session.authed = issue === null;
        session.lastHeardMs = now;
        return this.reply(session, withId({ success: issue === null, ret_msg: issue ?? '', op: 'auth' }));
      }
      case 'subscribe':
      case 'unsubscribe': {
        if (!session.authed) return this.reply(session, withId({ success: false, ret_msg: 'Request not authorized', op }));
        const topics = args.filter((a): a is string => typeof a === 'string');
        for (const topic of topics) if (!this.validTopic(topic)) return this.reply(session, withId({ success: false, ret_msg: `error:Invalid topic ${topic.slice(0, 40)}`, op }));
        session.lastHeardMs = now;
        for (const topic of topics) {
          if (op === 'subscribe') session.topics.add(topic);
          else session.topics.delete(topic);
        }
        if (op === 'subscribe') for (const topic of topics) this.dcpSubscribed(topic);
        else for (const topic of topics) this.dcpUnsubscribed(topic);
        return this.reply(session, withId({ success: true, ret_msg: '', op }));
      }
      default:
        return this.reply(session, withId({ success: false, ret_msg: `error:handler not found,op:${String(op).slice(0, 20)}`, op: String(op).slice(0, 20) }));
    }
  }

  private authIssue(args: unknown[], now: number): string | null {
    const [apiKey, expires, signature] = args;
    if (typeof apiKey !== 'string' || (typeof expires !== 'number' && typeof expires !== 'string') || typeof signature !== 'string') return 'Params Error';
    const entry = this.keys.find((k) => k.apiKey === apiKey);
    if (!entry) return 'Invalid apikey';
    const expiresMs = Number(expires);
    if (!Number.isFinite(expiresMs) || expiresMs <= now) return 'Params Error: expires must be later than the current time';
    if (!entry.verifier.verify(wsAuthText(expiresMs), signature)) return 'Invalid sign';
    return null;
  }

  private validTopic(topic: string): boolean {
    const c = this.category;
    return ['order', 'execution', 'position', 'wallet', `order.${c}`, `execution.${c}`, 'dcp.spot', 'dcp.future', 'dcp.option', ...(c === 'linear' ? ['position.linear'] : [])].includes(topic);
  }

  private static productOf(topic: string): DcpProduct | null {
    return topic === 'dcp.spot' ? 'SPOT' : topic === 'dcp.future' ? 'DERIVATIVES' : null;
  }

  private dcpSubscribed(topic: string): void {
    const product = BybitPrivateStreams.productOf(topic);
    const state = product ? this.dcp.get(product) : undefined;
    if (!state) return;
    state.watching = true;
    state.deadSinceMs = null;
    state.fired = false;
  }

  private dcpUnsubscribed(topic: string): void {
    const product = BybitPrivateStreams.productOf(topic);
    const state = product ? this.dcp.get(product) : undefined;
    if (!state) return;
    if (![...this.sessions].some((s) => s.topics.has(topic))) {
      state.watching = false;
      state.deadSinceMs = null;
    }
  }

  private checkDcp(): void {
    const now = this.hooks.serverMs();
    for (const [product, state] of this.dcp) {
      if (!state.watching || state.fired) continue;
      const topic = product === 'SPOT' ? 'dcp.spot' : 'dcp.future';
      const windowMs = state.windowS * 1_000;
      const alive = [...this.sessions].some((s) => s.topics.has(topic) && s.socket.readyState === 1 && now - s.lastHeardMs <= Math.max(windowMs, 30_000));
      if (alive) {
        state.deadSinceMs = null;
        continue;
      }
      state.deadSinceMs ??= now;
      if (now - state.deadSinceMs >= windowMs) {
        state.fired = true;
        this.stats.dcpFired++;
        this.hooks.dcpFired(product);
      }
    }
  }

  /** Sends `data` on `topic` (and its all-in-one form) to every session subscribed to either. */
  publish(kind: 'order' | 'execution' | 'position' | 'wallet', data: unknown[]): void {
    const categorised = `${kind}.${this.category}`;
    const now = Math.floor(this.hooks.serverMs());
    const copies = kind === 'execution' && this.duplicateExecutions > 0 ? 2 : 1;
    if (copies === 2) this.duplicateExecutions--;
    for (const session of this.sessions) {
      if (!session.authed) continue;
      const topic = session.topics.has(categorised) ? categorised : session.topics.has(kind) ? kind : null;
      if (topic === null) continue;
      const raw = JSON.stringify({ id: randomUUID(), topic, creationTime: now, data });
      for (let i = 0; i < copies; i++) session.socket.send(raw);
    }
  }
}
