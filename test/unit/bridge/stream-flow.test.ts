/**
 * Stream flow control: with acknowledgements on, one update is in flight at a time and everything produced
 * meanwhile arrives merged — latest state, every fill, series point and event in order; without them the
 * stream passes straight through, as scripts expect.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StreamFlow, mergeUpdates } from '../../../src/main/bridge/stream-flow.js';
import type { DeskState, FillView, StreamMessage } from '../../../src/shared/contract.js';

type Update = Extract<StreamMessage, { type: 'update' }>;

function update(seq: number, fills: string[] = [], withMetrics = false): Update {
  return {
    type: 'update',
    seq,
    state: { sessionId: seq } as unknown as DeskState,
    metrics: withMetrics ? ({ numFills: seq } as unknown as Update['metrics']) : null,
    fills: fills.map((fillId) => ({ fillId }) as FillView),
    series: [{ timeMs: seq } as Update['series'][number]],
    events: [],
  };
}

describe('stream flow control', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('paces a client that does not acknowledge to one update per display frame, merged in between', () => {
    vi.useFakeTimers();
    const sent: StreamMessage[] = [];
    const flow = new StreamFlow((m) => sent.push(m), 16);
    flow.offer(update(1, ['a']));
    flow.offer(update(2, ['b']));
    flow.offer(update(3, ['c']));
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toHaveLength(2);
    expect((sent[1] as Update).fills.map((f) => f.fillId)).toEqual(['b', 'c']);
    vi.advanceTimersByTime(16);
    flow.offer(update(4));
    expect(sent).toHaveLength(3);
    flow.close();
  });

  it('holds updates until the ack and sends them merged, losing no fill', () => {
    const sent: StreamMessage[] = [];
    const flow = new StreamFlow((m) => sent.push(m));
    flow.control('{"type":"hello","ack":true}');
    flow.offer(update(1, ['a']));
    flow.offer(update(2, ['b'], true));
    flow.offer(update(3, ['c']));
    expect(sent).toHaveLength(1);
    flow.control('{"type":"ack"}');
    expect(sent).toHaveLength(2);
    const merged = sent[1] as Update;
    expect(merged.seq).toBe(3);
    expect(merged.state).toEqual({ sessionId: 3 });
    expect(merged.metrics).toEqual({ numFills: 2 });
    expect(merged.fills.map((f) => f.fillId)).toEqual(['b', 'c']);
    expect(merged.series.map((p) => p.timeMs)).toEqual([2, 3]);
    // Nothing held: the next update goes at once after the ack, then waits again.
    flow.control('{"type":"ack"}');
    flow.offer(update(4));
    flow.offer(update(5));
    expect(sent).toHaveLength(3);
  });

  it('lets snapshots and session messages through at once; a snapshot drops what was held', () => {
    const sent: StreamMessage[] = [];
    const flow = new StreamFlow((m) => sent.push(m));
    flow.control('{"type":"hello","ack":true}');
    flow.offer(update(1));
    flow.offer(update(2, ['x']));
    flow.offer({ type: 'snapshot', state: {} as DeskState, metrics: {} as never, fills: [], series: [], events: [] });
    flow.offer({ type: 'session', session: { status: 'running', spec: null, loading: null, error: null, sessionId: 1 } });
    flow.control('{"type":"ack"}');
    expect(sent.map((m) => m.type)).toEqual(['update', 'snapshot', 'session']);
  });

  it('ignores malformed control messages and acks from a client that did not opt in', () => {
    vi.useFakeTimers();
    const sent: StreamMessage[] = [];
    const flow = new StreamFlow((m) => sent.push(m), 16);
    flow.control('not json');
    flow.control('42');
    flow.offer(update(1));
    flow.offer(update(2));
    flow.control('{"type":"ack"}');
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toHaveLength(2);
    flow.close();
  });

  it('merges in order', () => {
    const merged = mergeUpdates(update(1, ['a']), update(2, ['b']));
    expect(merged.fills.map((f) => f.fillId)).toEqual(['a', 'b']);
  });
});
