/**
 * The overview's rows, one per desk, in one shape whichever server feeds them: the desks of one
 * `quotedesk serve` (`DeskSummaryView`, `/api/desks/stream`) or the fleet's desks as the supervisor sees
 * them (`FleetDeskView`, `/api/fleet/stream`: full views and rows that changed, merged here). It shows
 * what the server sent and computes nothing the desk should: the only derived figure is inventory as a
 * share of its limit, and a fleet row takes that share from the desk's own limit usage. Also the kill-all
 * answers of either server in one shape. Pure: no DOM, no clock.
 */
import type { TradingState } from '../../shared/contract.js';
import type { DeskKillResult, DeskSummaryView } from '../../shared/desks.js';
import type { FleetDeskView, FleetView, KillAllResult } from '../../shared/fleet.js';

/** `lost`: the supervisor heard no heartbeat for its limit; the others are the desk's session. */
export type RowStatus = 'running' | 'starting' | 'stopped' | 'failed' | 'lost';

export interface SideQuoting {
  readonly quoting: boolean;
  /** The first reason the side is not quoting (the desk's words or code), when it is not. */
  readonly reason: string | null;
}

export interface OverviewRow {
  readonly name: string;
  readonly venue: string | null;
  readonly symbol: string | null;
  readonly execution: 'paper' | 'live' | null;
  /** `replay` when the desk replays a recording; `live` for a market feed (the simulator's too). */
  readonly mode: 'live' | 'replay' | null;
  readonly status: RowStatus;
  /** Why the desk failed, stopped or is lost, in the server's words. */
  readonly statusDetail: string | null;
  readonly tradingState: TradingState | null;
  readonly bid: SideQuoting | null;
  readonly ask: SideQuoting | null;
  readonly inventory: number | null;
  /** The hard inventory limit in size units, where the server says it. */
  readonly inventoryLimit: number | null;
  /** |inventory| as a share of the hard limit (1 = at the limit). */
  readonly inventoryFraction: number | null;
  readonly pnl: number | null;
  readonly quoteCurrency: string | null;
  readonly adverseRate: number | null;
  readonly feed: { readonly state: string; readonly connected: boolean; readonly lastMessageAgeMs: number | null } | null;
  /** Desk-clock ms since the newest fill; null before the first. */
  readonly lastFillAgeMs: number | null;
  readonly alerts: readonly string[];
  /** Fleet only: since the newest heartbeat, on the supervisor's clock. */
  readonly heartbeatAgeMs: number | null;
  /** Fleet only: the supervisor's whole row (limits, backlog, the summary's age) for the drill-in. */
  readonly fleet: FleetDeskView | null;
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A row of a several-desk serve. */
export function rowFromDesk(desk: DeskSummaryView): OverviewRow {
  const running = desk.status === 'running';
  const limit = running && desk.inventoryLimit > 0 ? desk.inventoryLimit : null;
  return {
    name: desk.name,
    venue: desk.venue || null,
    symbol: desk.symbol || null,
    execution: running ? desk.execution : null,
    mode: desk.mode,
    status: desk.status,
    statusDetail: desk.error,
    tradingState: desk.tradingState,
    bid: running ? desk.bid : null,
    ask: running ? desk.ask : null,
    inventory: running ? desk.inventory : null,
    inventoryLimit: limit,
    inventoryFraction: limit === null ? null : Math.abs(desk.inventory) / limit,
    pnl: running ? finiteOrNull(desk.pnl) : null,
    quoteCurrency: desk.quoteCurrency || null,
    adverseRate: finiteOrNull(desk.adverseRate),
    feed: running ? desk.feed : null,
    lastFillAgeMs: finiteOrNull(desk.lastFillAgeMs),
    alerts: desk.alerts,
    heartbeatAgeMs: null,
    fleet: null,
  };
}

/** A row of the fleet (a desk on any machine, as its newest summary and heartbeats say). */
export function rowFromFleet(desk: FleetDeskView): OverviewRow {
  const s = desk.summary;
  const lost = desk.status === 'lost';
  const status: RowStatus = lost ? 'lost' : (s?.session ?? 'starting');
  const inventoryLimit = s?.limits.find((limit) => limit.name === 'inventory') ?? null;
  return {
    name: desk.name,
    venue: desk.venue,
    symbol: desk.symbol,
    execution: desk.execution,
    mode: s?.mode ?? null,
    status,
    statusDetail: lost ? desk.lostReason : s?.session === 'failed' ? (s.alerts.find((a) => a.startsWith('session failed')) ?? 'session failed') : null,
    tradingState: desk.tradingState,
    bid: s?.quoting ? { quoting: s.quoting.bid, reason: s.quoting.bidReason } : null,
    ask: s?.quoting ? { quoting: s.quoting.ask, reason: s.quoting.askReason } : null,
    inventory: desk.inventory,
    inventoryLimit: null,
    inventoryFraction: inventoryLimit === null ? null : finiteOrNull(inventoryLimit.fraction),
    pnl: desk.pnl,
    quoteCurrency: null,
    adverseRate: finiteOrNull(s?.adverseRate),
    feed: s?.feed ? { state: s.feed.state, connected: s.feed.connected, lastMessageAgeMs: s.feed.lastMessageAgeMs } : null,
    lastFillAgeMs: finiteOrNull(s?.lastFillAgoMs),
    alerts: s?.alerts ?? [],
    heartbeatAgeMs: desk.heartbeatAgeMs,
    fleet: desk,
  };
}

/** A message of the fleet stream: a full view, or the rows that changed. */
export type FleetStreamMessage = ({ readonly type: 'fleet' } & FleetView) | { readonly type: 'desks'; readonly timeMs: number; readonly desks: readonly FleetDeskView[] };

/**
 * The fleet's desks after `message`: a full view replaces them all; changed rows replace theirs (a desk
 * heard of for the first time joins, in name order as the supervisor lists them).
 */
export function mergeFleet(current: readonly FleetDeskView[], message: FleetStreamMessage): readonly FleetDeskView[] {
  if (message.type === 'fleet') return message.desks;
  if (message.desks.length === 0) return current;
  const byName = new Map(current.map((desk) => [desk.name, desk]));
  for (const desk of message.desks) byName.set(desk.name, desk);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether two rows would show the same (the table re-renders a row only when it changed). */
export function sameRow(a: OverviewRow, b: OverviewRow): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether `next` holds a change the trader must see at once (a trading state, a desk's status, its
 * alerts, the set of desks) rather than at reading pace.
 */
export function urgentChange(previous: readonly OverviewRow[], next: readonly OverviewRow[]): boolean {
  if (previous.length !== next.length) return true;
  for (let i = 0; i < next.length; i++) {
    const a = previous[i];
    const b = next[i];
    if (!a || !b || a.name !== b.name || a.status !== b.status || a.tradingState !== b.tradingState || a.execution !== b.execution || a.alerts.join('\n') !== b.alerts.join('\n')) return true;
  }
  return false;
}

/** One desk's answer to a kill-all, from either server. */
export interface KillAnswer {
  readonly name: string;
  readonly ok: boolean;
  readonly tradingState: TradingState | null;
  readonly error: string | null;
  /** The supervisor could not ask it: no heartbeat (its own limits and offline policy apply). */
  readonly lost: boolean;
}

export interface KillAllOutcome {
  /** Every desk that could be asked confirmed a halt. */
  readonly ok: boolean;
  readonly desks: readonly KillAnswer[];
  /** Why there is no per-desk answer at all (unreachable server, refused token). */
  readonly error: string | null;
}

/** The kill-all answer of `quotedesk serve` (`{ok, desks: DeskKillResult[]}`) or of the supervisor (`KillAllResult`). */
export function killOutcome(body: unknown, error: string | null): KillAllOutcome {
  const answer = body as { ok?: unknown; desks?: ReadonlyArray<DeskKillResult | KillAllResult['desks'][number]> } | null;
  if (!answer || !Array.isArray(answer.desks)) return { ok: false, desks: [], error: error ?? 'the server gave no answer per desk' };
  const desks = answer.desks.map((desk): KillAnswer => ({
    name: desk.name,
    ok: desk.ok,
    tradingState: desk.tradingState ?? null,
    error: desk.error,
    lost: 'lost' in desk ? desk.lost : false,
  }));
  return { ok: desks.every((desk) => desk.ok && desk.tradingState === 'halted'), desks, error: null };
}
