/**
 * The quote chart's markers as data: which fills and events become markers, at which chart time, with which
 * label, and the summary the chart publishes for screen readers and the end-to-end tests.
 */
import { describe, expect, it } from 'vitest';
import type { DeskEventView, FillView } from '../../../src/shared/contract.js';
import { MAX_FILL_MARKERS, buildQuoteMarkers, eventLabel, summariseMarkers, GROUP_PX, groupLabels } from '../../../src/renderer/skew-chart/quote-markers.js';

const times = [{ timeMs: 1_000 }, { timeMs: 1_500 }, { timeMs: 2_000 }, { timeMs: 2_500 }];

function fill(fillId: string, timeMs: number, side: 'buy' | 'sell' = 'buy', price = 100): FillView {
  return {
    fillId,
    sessionId: 1,
    clientOrderId: `c-${fillId}`,
    timeMs,
    execTimeMs: timeMs,
    side,
    price,
    size: 1,
    fee: 0,
    liquidity: 'maker',
    midAtFill: price,
    fairValueAtFill: price,
    inventoryAfter: 0,
  };
}

describe('buildQuoteMarkers', () => {
  it('snaps fills and events to the chart time at or before them, in time order', () => {
    const fills = [fill('b', 2_499, 'sell', 101), fill('a', 1_200, 'buy', 99)]; // newest first, as the store holds them
    const events: DeskEventView[] = [{ timeMs: 1_999, kind: 'operator', text: 'pause: from the monitor' }];
    expect(buildQuoteMarkers(times, fills, events)).toEqual([
      { kind: 'fill', timeMs: 1_000, side: 'buy', price: 99, fillId: 'a' },
      { kind: 'event', timeMs: 1_500, event: 'operator', label: 'pause' },
      { kind: 'fill', timeMs: 2_000, side: 'sell', price: 101, fillId: 'b' },
    ]);
  });

  it('leaves out what happened before the chart’s first point, info events, and fills past the newest MAX_FILL_MARKERS', () => {
    const many = Array.from({ length: MAX_FILL_MARKERS + 20 }, (_, i) => fill(`f${i}`, 2_600 - i)); // newest first
    const events: DeskEventView[] = [
      { timeMs: 999, kind: 'breaker', text: 'breaker adverse-selection tripped' },
      { timeMs: 2_000, kind: 'info', text: 'recording saved' },
    ];
    const markers = buildQuoteMarkers(times, many, events);
    expect(markers.map((m) => (m.kind === 'fill' ? m.fillId : m.kind)).sort()).toEqual(many.slice(0, MAX_FILL_MARKERS).map((f) => f.fillId).sort());
    // A fill from before the chart's first point is dropped, not moved onto it.
    expect(buildQuoteMarkers(times, [fill('late', 1_700), fill('early', 999)], [])).toEqual([{ kind: 'fill', timeMs: 1_500, side: 'buy', price: 100, fillId: 'late' }]);
    expect(buildQuoteMarkers([], many, [])).toEqual([]);
  });
});

describe('eventLabel', () => {
  it('names the new state, the breaker, a parameter change and an action by its first words', () => {
    expect(eventLabel({ timeMs: 0, kind: 'state', text: 'quoting → paused (operator)' })).toBe('paused');
    expect(eventLabel({ timeMs: 0, kind: 'breaker', text: 'breaker fill-burst tripped' })).toBe('fill-burst tripped');
    expect(eventLabel({ timeMs: 0, kind: 'breaker', text: 'storage fault: SQLITE_FULL: database or disk is full' })).toBe('storage fault');
    expect(eventLabel({ timeMs: 0, kind: 'params', text: 'gamma 0.1 → 0.2' })).toBe('params');
    expect(eventLabel({ timeMs: 0, kind: 'operator', text: 'kill switch (from the monitor)' })).toBe('kill switch');
    expect(eventLabel({ timeMs: 0, kind: 'feed', text: 'resync: sequence gap of 3 updates' })).toBe('resync');
    // Long ones are cut at a word.
    expect(eventLabel({ timeMs: 0, kind: 'operator', text: 'kill confirmed by the venue: no open order left (3.1 ms)' })).toBe('kill confirmed by…');
    expect(eventLabel({ timeMs: 0, kind: 'operator', text: 'recording the feed to /home/trader/quotedesk/recordings/x.qdrec' })).toBe('recording the feed…');
  });
});

describe('summariseMarkers', () => {
  it('counts markers by kind, in order of first appearance', () => {
    const markers = buildQuoteMarkers(times, [fill('a', 1_000), fill('b', 2_000)], [
      { timeMs: 1_500, kind: 'operator', text: 'pause' },
      { timeMs: 2_500, kind: 'breaker', text: 'breaker adverse' },
    ]);
    expect(summariseMarkers(markers)).toBe('fill 2, operator 1, breaker 1');
    expect(summariseMarkers([])).toBe('');
  });
});

describe('event labels that would pile up', () => {
  it('share one label per group of flags within GROUP_PX: the newest, with how many more', () => {
    const flags = [
      { x: 500, event: 'state' as const, label: 'paused' },
      { x: 495, event: 'operator' as const, label: 'KILL by operator' },
      { x: 470, event: 'state' as const, label: 'active' },
      { x: 300, event: 'breaker' as const, label: 'price-band tripped' },
      { x: 100, event: 'params' as const, label: 'params' },
      { x: 100 - GROUP_PX, event: 'params' as const, label: 'params' },
    ];
    expect(groupLabels(flags)).toEqual([
      { x: 500, event: 'state', text: 'paused +2', count: 3 },
      { x: 300, event: 'breaker', text: 'price-band tripped', count: 1 },
      { x: 100, event: 'params', text: 'params', count: 1 },
      { x: 100 - GROUP_PX, event: 'params', text: 'params', count: 1 },
    ]);
    expect(groupLabels([])).toEqual([]);
  });
});
