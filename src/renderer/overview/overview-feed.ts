/**
 * The overview's transports: every desk's row from `quotedesk serve` (`/api/desks/stream`, pushed at most
 * four times a second), from the fleet supervisor (`/api/fleet/stream`: a full view every second and the
 * rows that changed in between, merged by `mergeFleet`), or from the desktop app's bridge; the kill-all of
 * each (`POST /api/desks/kill`, `POST /api/fleet/kill`, the bridge's) and one desk's operator commands from
 * the overview (a desk's own `/api/desks/NAME/control/...`, or the supervisor's `POST /api/fleet/command`).
 * Refusals come back in the server's words, never as thrown errors. Transport only: rows are shaped by
 * `overview-model.ts`, paced by `overview-store.ts`.
 */
import type { CommandResult, TradingState } from '../../shared/contract.js';
import type { DesktopBridge } from '../../shared/desktop-bridge.js';
import type { FirmView, OverviewMessage } from '../../shared/desks.js';
import type { FleetDeskView } from '../../shared/fleet.js';
import { sendJson } from '../desk-client/http-client.js';
import { ReconnectingSocket } from '../desk-client/reconnecting-socket.js';
import type { ConnectionInfo } from '../desk-client/streaming-api.js';
import { killOutcome, mergeFleet, rowFromDesk, rowFromFleet, type FleetStreamMessage, type KillAllOutcome, type OverviewRow } from './overview-model.js';

/** The commands the overview offers per desk (every server takes them). */
export const ROW_COMMANDS = ['pause', 'resume', 'reduce', 'kill', 'rearm'] as const;
export type RowCommand = (typeof ROW_COMMANDS)[number];

export type RowCommandResult = CommandResult & { readonly tradingState?: TradingState };

export interface OverviewFeed {
  readonly kind: 'desks' | 'fleet';
  /** Every message's rows and firm limits (the listener gets the newest at once when there are some). */
  subscribe(listener: OverviewListener): () => void;
  onConnection(listener: (info: ConnectionInfo) => void): () => void;
  /** Halts every desk; each desk's answer. */
  killAll(why: string): Promise<KillAllOutcome>;
  /** One desk's command, answered by that desk (its trading state after it). */
  command(desk: string, command: RowCommand): Promise<RowCommandResult>;
}

/** Rows, and the firm-wide limits' use (null where the server has none: the fleet supervisor). */
export type OverviewListener = (rows: readonly OverviewRow[], firm: FirmView | null) => void;

const CONTROL_PATH: Record<RowCommand, string> = { pause: 'pause', resume: 'resume', reduce: 'reduce', kill: 'kill', rearm: 'rearm' };

abstract class FeedBase {
  protected rows: readonly OverviewRow[] | null = null;
  protected firm: FirmView | null = null;
  protected readonly listeners = new Set<OverviewListener>();

  protected publish(rows: readonly OverviewRow[], firm: FirmView | null): void {
    this.rows = rows;
    this.firm = firm;
    for (const listener of this.listeners) listener(rows, firm);
  }

  protected add(listener: OverviewListener): boolean {
    this.listeners.add(listener);
    if (this.rows !== null) listener(this.rows, this.firm);
    return this.listeners.size === 1;
  }
}

/** `quotedesk serve` (several desks) or `quotedesk fleet`, over HTTP + WebSocket. */
export class HttpOverviewFeed extends FeedBase implements OverviewFeed {
  private readonly socket: ReconnectingSocket;
  private readonly connectionListeners = new Set<(info: ConnectionInfo) => void>();
  private fleet: readonly FleetDeskView[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly token: string | null,
    readonly kind: 'desks' | 'fleet',
  ) {
    super();
    this.socket = new ReconnectingSocket(baseUrl, kind === 'fleet' ? '/api/fleet/stream' : '/api/desks/stream', token, {
      message: (text) => this.onText(text),
      status: (info) => {
        for (const listener of this.connectionListeners) listener(info);
      },
    });
  }

  subscribe(listener: OverviewListener): () => void {
    if (this.add(listener)) this.socket.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.socket.stop();
    };
  }

  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.socket.connection);
    return () => this.connectionListeners.delete(listener);
  }

  async killAll(why: string): Promise<KillAllOutcome> {
    const sent = await sendJson(this.baseUrl, this.token, 'POST', this.kind === 'fleet' ? '/api/fleet/kill' : '/api/desks/kill', { why });
    return killOutcome(sent.body, sent.result.ok ? null : sent.result.error);
  }

  async command(desk: string, command: RowCommand): Promise<RowCommandResult> {
    const payload = command === 'rearm' ? { confirm: true } : {};
    const sent =
      this.kind === 'fleet'
        ? await sendJson(this.baseUrl, this.token, 'POST', '/api/fleet/command', { desk, command, payload })
        : await sendJson(this.baseUrl, this.token, 'POST', `/api/desks/${encodeURIComponent(desk)}/control/${CONTROL_PATH[command]}`, payload);
    const state = (sent.body as { tradingState?: TradingState } | null)?.tradingState;
    return sent.result.ok ? { ok: true, ...(state ? { tradingState: state } : {}) } : sent.result;
  }

  private onText(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (this.kind === 'desks') {
      const overview = message as Partial<OverviewMessage>;
      if (overview.type === 'overview' && Array.isArray(overview.desks)) this.publish(overview.desks.map(rowFromDesk), overview.firm ?? null);
      return;
    }
    const type = (message as { type?: string }).type;
    if (type !== 'fleet' && type !== 'desks') return;
    this.fleet = mergeFleet(this.fleet, message as FleetStreamMessage);
    this.publish(this.fleet.map(rowFromFleet), null);
  }
}

/** The desktop app's desks, through its bridge (no connection to lose). */
export class BridgeOverviewFeed extends FeedBase implements OverviewFeed {
  readonly kind = 'desks' as const;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly bridge: DesktopBridge) {
    super();
  }

  subscribe(listener: OverviewListener): () => void {
    if (this.add(listener)) this.unsubscribe = this.bridge.subscribeOverview((overview) => this.publish(overview.desks.map(rowFromDesk), overview.firm));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = null;
      }
    };
  }

  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    listener({ status: 'open', attempts: 0, retryAtMs: null });
    return () => undefined;
  }

  async killAll(why: string): Promise<KillAllOutcome> {
    try {
      return killOutcome(await this.bridge.killAll({ why }), null);
    } catch (error) {
      return killOutcome(null, (error as Error).message);
    }
  }

  async command(desk: string, command: RowCommand): Promise<RowCommandResult> {
    const api = this.bridge.desk(desk);
    try {
      return await api[command]();
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }
}
