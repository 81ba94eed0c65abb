/**
 * The compact summary a desk publishes to the fleet, built from what its engine already serialised for
 * the stream (the state and metrics texts of the newest frame) and the session view: the overview's
 * row (venue, symbol, execution, trading state, inventory, PnL) plus feed health, sides quoting, adverse
 * rate, time since the last fill, the limits nearest to breach and alerts. Pure: no I/O, no clock (the
 * send time is passed in). It reads the texts, never asks the engine for anything.
 */
import type { DeskMetrics, DeskState, FillView, SessionView } from '../../shared/contract.js';
import type { DeskSummary } from '../../shared/fleet.js';

/** Limits at or beyond this share of their value are named in the alerts. */
export const LIMIT_ALERT_FRACTION = 0.8;

export interface SummaryInput {
  readonly name: string;
  readonly instance: string;
  readonly sentMs: number;
  readonly session: SessionView;
  /** The newest state text of the stream, or null before the first frame of this session. */
  readonly stateText: string | null;
  readonly metricsText: string | null;
  /** Receipt time (desk clock, ms) of the newest fill seen on the stream, or null. */
  readonly lastFillMs: number | null;
  /** Alerts of the fleet link itself (a NATS outage, a stopped outbox table). */
  readonly linkAlerts: readonly string[];
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function buildSummary(input: SummaryInput): DeskSummary {
  const running = input.session.status === 'running' && input.stateText !== null;
  const state = running && input.stateText !== null ? (JSON.parse(input.stateText) as DeskState) : null;
  const metrics = running && input.metricsText !== null && input.metricsText !== 'null' ? (JSON.parse(input.metricsText) as DeskMetrics) : null;
  const alerts: string[] = [];
  if (input.session.status === 'failed') alerts.push(`session failed: ${input.session.error ?? 'unknown error'}`.slice(0, 200));
  const limits = state === null ? [] : [...state.limits].sort((a, b) => b.fraction - a.fraction).slice(0, 16).map((limit) => ({ name: limit.name, fraction: finiteOrNull(limit.fraction) ?? 0 }));
  if (state !== null) {
    if (state.tradingState === 'halted') alerts.push('halted');
    if (!state.feed.connected) alerts.push(`feed ${state.feed.state}`);
    else if (!state.feed.trusted) alerts.push('feed not trusted');
    if (!state.reconciled) alerts.push('not reconciled with the venue');
    for (const limit of limits) if (limit.fraction >= LIMIT_ALERT_FRACTION) alerts.push(`${limit.name} at ${Math.round(limit.fraction * 100)} % of its limit`);
  }
  for (const alert of input.linkAlerts) alerts.push(alert.slice(0, 200));
  const reason = (list: readonly string[] | undefined): string | null => list?.[0] ?? null;
  return {
    v: 1,
    name: input.name,
    instance: input.instance,
    sentMs: input.sentMs,
    sessionId: state?.sessionId ?? input.session.sessionId,
    session: input.session.status,
    venue: state?.venue ?? input.session.spec?.venue ?? null,
    symbol: state?.symbol ?? input.session.spec?.symbol ?? null,
    execution: state?.execution ?? null,
    mode: state?.mode ?? null,
    tradingState: state?.tradingState ?? null,
    inventory: finiteOrNull(state?.inventory),
    pnl:
      state === null
        ? null
        : { total: finiteOrNull(state.pnl.total) ?? 0, realized: finiteOrNull(state.pnl.realized) ?? 0, unrealized: finiteOrNull(state.pnl.unrealized) ?? 0, fees: finiteOrNull(state.pnl.fees) ?? 0 },
    mid: finiteOrNull(state?.mid),
    feed: state === null ? null : { connected: state.feed.connected, state: state.feed.state, trusted: state.feed.trusted, lastMessageAgeMs: finiteOrNull(state.feed.lastMessageAgeMs) },
    quoting:
      state === null
        ? null
        : { bid: state.quotes.bid !== null, ask: state.quotes.ask !== null, bidReason: reason(state.reasons.bid), askReason: reason(state.reasons.ask) },
    adverseRate: finiteOrNull(metrics?.adverseSelectionRate),
    numFills: metrics === null ? null : metrics.numFills,
    lastFillAgoMs: state === null || input.lastFillMs === null ? null : Math.max(0, state.clockMs - input.lastFillMs),
    limits,
    alerts: alerts.slice(0, 16),
  };
}

/** The newest receipt time among fills texts of a frame (newest first in a snapshot, oldest first in an update). */
export function newestFillMs(fillTexts: readonly string[], current: number | null): number | null {
  let newest = current;
  for (const text of fillTexts) {
    const time = (JSON.parse(text) as FillView).timeMs;
    if (Number.isFinite(time) && (newest === null || time > newest)) newest = time;
  }
  return newest;
}
