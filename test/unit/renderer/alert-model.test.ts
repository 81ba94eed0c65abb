/**
 * The monitor's alert detection (issue 16, "Alerts"): a kill, breaker trips (stale feed as its own kind),
 * feed and stream disconnects, loss-limit warnings with hysteresis; nothing for what a page sees on
 * connecting, nor again after a reconnect's snapshot; the desk's own words for the events that cause them.
 */
import { describe, expect, it } from 'vitest';
import type { DeskEventView, DeskState, LimitUsageView } from '../../../src/shared/contract.js';
import { AlertDetector } from '../../../src/renderer/alerts/alert-model.js';

const ev = (timeMs: number, kind: DeskEventView['kind'], text: string): DeskEventView => ({ timeMs, kind, text });

function withLosses(session: number, daily: number): DeskState {
  const limit = (name: string, fraction: number): LimitUsageView => ({ name, used: fraction * 1_000, limit: 1_000, fraction, unit: 'quote' });
  return { limits: [limit('sessionLoss', session), limit('dailyLoss', daily)], clockMs: 5, instrument: { quoteCurrency: 'USD' } } as unknown as DeskState;
}

describe('alert detection', () => {
  it('alerts on what happens while the page watches, not on the history it was sent', () => {
    const detector = new AlertDetector();
    const history = [ev(1, 'operator', 'KILL by operator:http: 2 open order(s) cancelled'), ev(2, 'breaker', 'breaker price-band tripped')];
    expect(detector.events(history)).toEqual([]);
    const next = [
      ...history,
      ev(3, 'breaker', 'breaker fill-burst tripped'),
      ev(4, 'breaker', 'breaker stale-feed tripped'),
      ev(5, 'breaker', 'breaker stale-feed cleared'),
      ev(6, 'feed', 'disconnected: socket closed (1006)'),
      ev(7, 'operator', 'KILL by operator:electron:menu: 0 open order(s) cancelled'),
      ev(8, 'state', 'active → paused: operator pause'),
    ];
    expect(detector.events(next).map((a) => [a.kind, a.title])).toEqual([
      ['breaker', 'Breaker tripped: fill-burst'],
      ['stale-feed', 'Stale feed: quotes pulled'],
      ['disconnect', 'Market feed disconnected'],
      ['kill', 'Kill switch: trading halted'],
    ]);
    // A reconnect's snapshot repeats them as new objects: nothing again.
    expect(detector.events(next.map((e) => ({ ...e })))).toEqual([]);
  });

  it('losing the stream alerts once per loss', () => {
    const detector = new AlertDetector();
    expect(detector.connectionChanged('connecting')).toEqual([]);
    expect(detector.connectionChanged('open')).toEqual([]);
    expect(detector.connectionChanged('disconnected').map((a) => a.kind)).toEqual(['disconnect']);
    expect(detector.connectionChanged('disconnected')).toEqual([]);
    expect(detector.connectionChanged('connecting')).toEqual([]);
    expect(detector.connectionChanged('open')).toEqual([]);
    expect(detector.connectionChanged('disconnected')).toHaveLength(1);
  });

  it('warns when a loss passes 75 % of its limit, once until it falls back under 50 %', () => {
    const detector = new AlertDetector();
    expect(detector.state(withLosses(0.5, 0.1))).toEqual([]);
    expect(detector.state(withLosses(0.8, 0.1)).map((a) => a.title)).toEqual(['Session loss at 80 % of its limit']);
    expect(detector.state(withLosses(0.9, 0.1))).toEqual([]);
    expect(detector.state(withLosses(0.6, 0.1))).toEqual([]);
    expect(detector.state(withLosses(0.76, 0.77)).map((a) => a.title)).toEqual(['Daily loss at 77 % of its limit']);
    expect(detector.state(withLosses(0.4, 0.2))).toEqual([]);
    expect(detector.state(withLosses(0.75, 0.2))).toHaveLength(1);
  });
});
