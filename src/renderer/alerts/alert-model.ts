/**
 * What the monitor alerts on, found in what the desk streams: a kill (the operator's KILL event), a
 * breaker trip (its `breaker … tripped` event; the stale-feed breaker is its own kind), a disconnect (the
 * stream to the desk lost, or the market feed's `disconnected` event), and a loss-limit warning (session
 * or daily loss crossing WARN_FRACTION of its limit, again only after it fell back under
 * REARM_FRACTION). Events already seen — the snapshot a page gets on connecting, or again on reconnecting
 * — never alert: only what happens while the page watches. Pure: the caller feeds it and acts on the
 * alerts (history, notification, sound).
 */
import type { DeskEventView, DeskState } from '../../shared/contract.js';
import type { AlertKind } from '../../shared/preferences.js';
import type { ConnectionStatus } from '../desk-client/streaming-api.js';

export const WARN_FRACTION = 0.75;
export const REARM_FRACTION = 0.5;
/** Events remembered as seen (a snapshot holds at most 500). */
const SEEN_MAX = 2_000;

export interface Alert {
  readonly kind: AlertKind;
  readonly title: string;
  readonly body: string;
  /** Desk time of what it is about (ms), when it came from the desk. */
  readonly deskTimeMs: number | null;
}

const LOSS_LIMITS: ReadonlyArray<readonly [name: string, label: string]> = [
  ['sessionLoss', 'Session loss'],
  ['dailyLoss', 'Daily loss'],
];

export class AlertDetector {
  private readonly seen = new Set<string>();
  private primed = false;
  private connection: ConnectionStatus | null = null;
  private readonly warned = new Set<string>();

  /** The events as published (oldest first): alerts for those not seen before, except on the first call. */
  events(events: readonly DeskEventView[]): Alert[] {
    const out: Alert[] = [];
    for (const event of events) {
      const key = `${event.timeMs}|${event.kind}|${event.text}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      if (this.primed) {
        const alert = alertOf(event);
        if (alert) out.push(alert);
      }
    }
    if (this.seen.size > SEEN_MAX) {
      let drop = this.seen.size - SEEN_MAX;
      for (const key of this.seen) {
        if (drop-- <= 0) break;
        this.seen.delete(key);
      }
    }
    this.primed = true;
    return out;
  }

  /** The stream's connection changed: losing it alerts (once per loss). */
  connectionChanged(status: ConnectionStatus): Alert[] {
    const before = this.connection;
    this.connection = status;
    if (status === 'disconnected' && before === 'open') {
      return [{ kind: 'disconnect', title: 'Disconnected from the desk', body: 'The monitor lost its stream: the figures are frozen until it reconnects.', deskTimeMs: null }];
    }
    return [];
  }

  /** The desk's state at reading pace: loss limits crossing the warning level. */
  state(state: DeskState): Alert[] {
    const out: Alert[] = [];
    for (const [name, label] of LOSS_LIMITS) {
      const limit = state.limits.find((l) => l.name === name);
      if (!limit) continue;
      if (limit.fraction >= WARN_FRACTION && !this.warned.has(name)) {
        this.warned.add(name);
        if (limit.fraction < 1) {
          out.push({
            kind: 'loss-warning',
            title: `${label} at ${Math.round(limit.fraction * 100)} % of its limit`,
            body: `${label} ${limit.used.toFixed(2)} of ${limit.limit} ${state.instrument.quoteCurrency}: trading halts at the limit.`,
            deskTimeMs: state.clockMs,
          });
        }
      } else if (limit.fraction < REARM_FRACTION) {
        this.warned.delete(name);
      }
    }
    return out;
  }
}

function alertOf(event: DeskEventView): Alert | null {
  switch (event.kind) {
    case 'operator':
      if (event.text.startsWith('KILL')) return { kind: 'kill', title: 'Kill switch: trading halted', body: event.text, deskTimeMs: event.timeMs };
      return null;
    case 'breaker': {
      const trip = /^breaker (\S+) tripped/.exec(event.text);
      if (trip) {
        const name = trip[1] ?? '';
        if (name === 'stale-feed') return { kind: 'stale-feed', title: 'Stale feed: quotes pulled', body: 'The market connection went silent (no frame, no answer to our ping).', deskTimeMs: event.timeMs };
        return { kind: 'breaker', title: `Breaker tripped: ${name}`, body: event.text, deskTimeMs: event.timeMs };
      }
      if (event.text.startsWith('storage fault')) return { kind: 'breaker', title: 'Storage fault: trading halted', body: event.text, deskTimeMs: event.timeMs };
      return null;
    }
    case 'feed':
      if (event.text.startsWith('disconnected')) return { kind: 'disconnect', title: 'Market feed disconnected', body: event.text, deskTimeMs: event.timeMs };
      return null;
    case 'state':
    case 'params':
    case 'info':
      return null;
  }
}
