/**
 * The supervisor's picture of the fleet: every desk heard of, its newest summary and heartbeat, and
 * whether it is `live` or `lost` — lost when its newest heartbeat is older than `lostAfterMs` on the
 * supervisor's own clock (a desk heartbeats every 500 ms; the default 1,500 ms marks a silent desk lost
 * within 2 s). Receipt times are the supervisor's, so two hosts' clocks never decide liveness. Pure: the
 * clock is passed in; messages arrive already validated (`shared/fleet.ts`).
 */
import type { DeskSummary, FleetDeskView, Heartbeat } from '../../shared/fleet.js';

export const DEFAULT_LOST_AFTER_MS = 1_500;

interface Entry {
  summary: DeskSummary | null;
  summaryAtMs: number | null;
  heartbeat: Heartbeat | null;
  heartbeatAtMs: number | null;
}

export class FleetTable {
  private readonly desks = new Map<string, Entry>();
  /** Desks whose status changed at the last `tick` or whose figures changed since the last `takeChanged`. */
  private readonly changed = new Set<string>();
  private readonly lostNow = new Set<string>();

  constructor(readonly lostAfterMs: number = DEFAULT_LOST_AFTER_MS) {}

  private entry(name: string): Entry {
    let entry = this.desks.get(name);
    if (entry === undefined) {
      entry = { summary: null, summaryAtMs: null, heartbeat: null, heartbeatAtMs: null };
      this.desks.set(name, entry);
    }
    return entry;
  }

  heartbeat(beat: Heartbeat, nowMs: number): void {
    const entry = this.entry(beat.name);
    entry.heartbeat = beat;
    entry.heartbeatAtMs = nowMs;
    if (this.lostNow.delete(beat.name)) this.changed.add(beat.name);
  }

  summary(summary: DeskSummary, nowMs: number): void {
    const entry = this.entry(summary.name);
    entry.summary = summary;
    entry.summaryAtMs = nowMs;
    this.changed.add(summary.name);
  }

  /** Re-evaluates liveness at `nowMs`; desks that became lost join the changed set. */
  tick(nowMs: number): void {
    for (const [name, entry] of this.desks) {
      const lost = this.isLost(entry, nowMs);
      if (lost && !this.lostNow.has(name)) {
        this.lostNow.add(name);
        this.changed.add(name);
      }
    }
  }

  private isLost(entry: Entry, nowMs: number): boolean {
    return entry.heartbeatAtMs === null || nowMs - entry.heartbeatAtMs > this.lostAfterMs;
  }

  /** Why a command to `name` cannot be sent, or null when the desk is live. */
  lostReason(name: string, nowMs: number): string | null {
    const entry = this.desks.get(name);
    if (entry === undefined) return `desk "${name}" is not in the fleet (never heard of)`;
    if (entry.heartbeatAtMs === null) return `desk "${name}" is lost: no heartbeat heard yet`;
    const age = nowMs - entry.heartbeatAtMs;
    return age > this.lostAfterMs ? `desk "${name}" is lost: no heartbeat for ${Math.round(age)} ms` : null;
  }

  names(): string[] {
    return [...this.desks.keys()].sort();
  }

  view(name: string, nowMs: number): FleetDeskView | null {
    const entry = this.desks.get(name);
    if (entry === undefined) return null;
    const s = entry.summary;
    return {
      name,
      venue: s?.venue ?? null,
      symbol: s?.symbol ?? null,
      execution: s?.execution ?? null,
      tradingState: s?.tradingState ?? null,
      inventory: s?.inventory ?? null,
      pnl: s?.pnl?.total ?? null,
      status: this.isLost(entry, nowMs) ? 'lost' : 'live',
      heartbeatAgeMs: entry.heartbeatAtMs === null ? null : Math.max(0, nowMs - entry.heartbeatAtMs),
      summaryAgeMs: s === null || entry.summaryAtMs === null ? null : Math.max(0, entry.summaryAtMs - s.sentMs),
      lostReason: this.lostReason(name, nowMs),
      backlog: entry.heartbeat?.backlog ?? null,
      summary: s,
    };
  }

  views(nowMs: number): FleetDeskView[] {
    const out: FleetDeskView[] = [];
    for (const name of this.names()) {
      const view = this.view(name, nowMs);
      if (view !== null) out.push(view);
    }
    return out;
  }

  /** The desks changed since the last call (and clears the set). */
  takeChanged(): string[] {
    const names = [...this.changed];
    this.changed.clear();
    return names;
  }
}
