/**
 * The stream hub and its mirror: what each client is sent and when. Paced clients get at most one update
 * per frame and acknowledging clients one per acknowledgement, each carrying everything since their last
 * (no fill lost); a new client gets a snapshot (bounded, newest fills first) then the session; every client
 * at the same point is sent the very same serialised message; a client whose socket stays full is dropped
 * with a reason, one that drains catches up; the cap refuses with words. Frames are built as the engine
 * sends them (each piece already JSON text).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADMIT_PER_TURN, StreamHub, type StreamHubOptions, type StreamPeer, type StreamSource } from '../../../src/main/bridge/stream-hub.js';
import { SNAPSHOT_FILLS, StreamMirror, type Outgoing } from '../../../src/main/engine/stream-mirror.js';
import type { StreamFrame } from '../../../src/main/engine/protocol.js';
import type { SessionView, StreamMessage } from '../../../src/shared/contract.js';

type Update = Extract<StreamMessage, { type: 'update' }>;
type Snapshot = Extract<StreamMessage, { type: 'snapshot' }>;

/** Stands in for the engine link: applies frames and sessions to its mirror, then tells the listeners. */
class Source implements StreamSource {
  readonly stream = new StreamMirror();
  private readonly frames = new Set<(frame: StreamFrame) => void>();
  private readonly sessions = new Set<(session: SessionView) => void>();
  view: SessionView = { status: 'running', spec: { venue: 'sim' }, loading: null, error: null, sessionId: 1 };
  constructor() {
    this.stream.setSession(this.view);
  }
  onFrame(listener: (frame: StreamFrame) => void): () => void {
    this.frames.add(listener);
    return () => this.frames.delete(listener);
  }
  onSession(listener: (session: SessionView) => void): () => void {
    this.sessions.add(listener);
    return () => this.sessions.delete(listener);
  }
  frame(frame: StreamFrame): void {
    this.stream.apply(frame);
    for (const listener of this.frames) listener(frame);
  }
  setSession(view: SessionView): void {
    this.view = view;
    this.stream.setSession(view);
    for (const listener of this.sessions) listener(view);
  }
}

const json = (value: unknown): string => JSON.stringify(value);

function snapshotFrame(fills: string[] = [], seriesTimes: number[] = [], clockMs = 0): StreamFrame {
  return {
    kind: 'snapshot',
    state: json({ clockMs }),
    metrics: json({ numFills: fills.length }),
    fills: fills.map((fillId) => json({ fillId })),
    series: seriesTimes.map((timeMs) => ({ timeMs, json: json({ timeMs }) })),
    events: [json({ text: 'started' })],
    trades: [],
    volume: [],
  };
}

function updateFrame(seq: number, fills: string[] = [], metrics: number | null = null): StreamFrame {
  return {
    kind: 'update',
    seq,
    state: json({ clockMs: seq }),
    metrics: metrics === null ? null : json({ numFills: metrics }),
    fills: fills.map((fillId) => json({ fillId })),
    series: [{ timeMs: seq * 1_000, json: json({ timeMs: seq * 1_000 }) }],
    events: [],
    // One trade per update, and the volume of one of three prices.
    trades: [json({ price: seq })],
    volume: [{ price: seq % 3, json: json([seq % 3, seq, 0, seq]) }],
  };
}

/** One turn of the event loop (the hub admits its next batch of newcomers in a setImmediate). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class Peer implements StreamPeer {
  readonly sent: Outgoing[] = [];
  buffered = 0;
  dropped: string | null = null;
  send(message: Outgoing): void {
    this.sent.push(message);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  drop(reason: string): void {
    this.dropped = reason;
  }
  messages(): StreamMessage[] {
    return this.sent.map((message) => JSON.parse(message.text) as StreamMessage);
  }
  last(): StreamMessage {
    const all = this.messages();
    return all[all.length - 1] as StreamMessage;
  }
}

let clock = 0;
const hubs: StreamHub[] = [];
function makeHub(source: Source, options: Partial<StreamHubOptions> = {}): StreamHub {
  const hub = new StreamHub(source, { frameMs: 17, nowMs: () => clock, ...options });
  hubs.push(hub);
  return hub;
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
  vi.useRealTimers();
  clock = 0;
});

describe('stream hub', () => {
  it('sends a new client the snapshot first, then the session, then updates', () => {
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame(['f2', 'f1'], [100, 600]));
    const peer = new Peer();
    hub.attach(peer);
    const [first, second] = peer.messages();
    expect(first?.type).toBe('snapshot');
    expect((first as Snapshot).fills.map((f) => f.fillId)).toEqual(['f2', 'f1']);
    expect((first as Snapshot).series.map((p) => p.timeMs)).toEqual([100, 600]);
    expect(second).toEqual({ type: 'session', session: source.view });
    source.frame(updateFrame(1, ['f3']));
    expect(peer.last()).toMatchObject({ type: 'update', seq: 1 });
    expect((peer.last() as Update).fills).toEqual([{ fillId: 'f3' }]);
  });

  it('gives clients of a transport started after the desk the snapshot the link kept, and later updates', () => {
    const source = new Source();
    source.frame(snapshotFrame(['early']));
    source.frame(updateFrame(1, ['before-the-hub']));
    const hub = makeHub(source);
    const peer = new Peer();
    hub.attach(peer);
    const snapshot = peer.messages()[0] as Snapshot;
    expect(snapshot.type).toBe('snapshot');
    expect(snapshot.fills.map((f) => f.fillId)).toEqual(['before-the-hub', 'early']);
    source.frame(updateFrame(2, ['after']));
    expect((peer.last() as Update).fills).toEqual([{ fillId: 'after' }]);
  });

  it('paces a client that does not acknowledge to one update per frame, merged in between', () => {
    vi.useFakeTimers();
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame());
    const peer = new Peer();
    hub.attach(peer);
    const before = peer.sent.length;
    source.frame(updateFrame(1, ['a']));
    source.frame(updateFrame(2, ['b'], 7));
    source.frame(updateFrame(3, ['c']));
    expect(peer.sent.length).toBe(before + 1);
    clock += 17;
    vi.advanceTimersByTime(17);
    expect(peer.sent.length).toBe(before + 2);
    const merged = peer.last() as Update;
    expect(merged.seq).toBe(3);
    expect(merged.state).toEqual({ clockMs: 3 });
    expect(merged.metrics).toEqual({ numFills: 7 });
    expect(merged.fills).toEqual([{ fillId: 'b' }, { fillId: 'c' }]);
    expect(merged.series.map((p) => p.timeMs)).toEqual([2_000, 3_000]);
  });

  it('holds updates for an acknowledging client until its ack, and sends them merged, losing no fill', () => {
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame());
    const peer = new Peer();
    const client = hub.attach(peer);
    client.control('{"type":"hello","ack":true}');
    source.frame(updateFrame(1, ['a']));
    const sentAfterFirst = peer.sent.length;
    for (let seq = 2; seq <= 40; seq++) source.frame(updateFrame(seq, [`f${seq}`]));
    expect(peer.sent.length).toBe(sentAfterFirst);
    client.control('{"type":"ack"}');
    const merged = peer.last() as Update;
    expect(merged.seq).toBe(40);
    expect(merged.fills.map((f) => f.fillId)).toEqual(Array.from({ length: 39 }, (_, i) => `f${i + 2}`));
    expect(merged.metrics).toBeNull();
    // An ack with nothing new sends nothing.
    const count = peer.sent.length;
    client.control('{"type":"ack"}');
    expect(peer.sent.length).toBe(count);
  });

  it('serialises once: every client at the same point is sent the same message object', async () => {
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame(['x']));
    const peers = Array.from({ length: 50 }, () => new Peer());
    for (const peer of peers) hub.attach(peer);
    while (peers.some((peer) => peer.sent.length === 0)) await nextTurn();
    expect(new Set(peers.map((peer) => peer.sent[0])).size).toBe(1);
    source.frame(updateFrame(1, ['y']));
    expect(new Set(peers.map((peer) => peer.sent[peer.sent.length - 1])).size).toBe(1);
  });

  it('lets a crowd in a few per event-loop turn, each with its snapshot then the session, so the loop reads its sockets between batches', async () => {
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame(['x']));
    const peers = Array.from({ length: 3 * ADMIT_PER_TURN + 2 }, () => new Peer());
    for (const peer of peers) hub.attach(peer);
    const served = (): number => peers.filter((peer) => peer.sent.length > 0).length;
    expect(served()).toBe(ADMIT_PER_TURN);
    await nextTurn();
    expect(served()).toBe(2 * ADMIT_PER_TURN);
    // A client that leaves while waiting is never sent anything.
    const leaving = new Peer();
    hub.remove(hub.attach(leaving));
    while (served() < peers.length) await nextTurn();
    await nextTurn();
    expect(leaving.sent).toEqual([]);
    for (const peer of peers) expect(peer.messages().map((message) => message.type)).toEqual(['snapshot', 'session']);
    expect(hub.clientCount).toBe(peers.length);
  });

  it('bounds the snapshot to the newest fills, newest first, and the series to its window', () => {
    const source = new Source();
    const hub = makeHub(source);
    const fills = Array.from({ length: 2_000 }, (_, i) => `f${1999 - i}`);
    // 20 minutes of points every 100 ms: the snapshot keeps the newest per half second over five minutes.
    const times = Array.from({ length: 12_000 }, (_, i) => i * 100);
    source.frame(snapshotFrame(fills, times));
    const peer = new Peer();
    hub.attach(peer);
    const snapshot = peer.messages()[0] as Snapshot;
    expect(snapshot.fills).toHaveLength(SNAPSHOT_FILLS);
    expect(snapshot.fills[0]).toEqual({ fillId: 'f1999' });
    expect(snapshot.fills[SNAPSHOT_FILLS - 1]).toEqual({ fillId: `f${2000 - SNAPSHOT_FILLS}` });
    const seriesTimes = snapshot.series.map((p) => p.timeMs);
    expect(seriesTimes[seriesTimes.length - 1]).toBe(1_199_900);
    expect(seriesTimes[0]).toBeGreaterThanOrEqual(1_199_900 - 300_000);
    expect(seriesTimes).toHaveLength(601);
    for (let i = 1; i < seriesTimes.length; i++) {
      // One point per half-second bucket, each the newest of its bucket.
      expect(Math.floor((seriesTimes[i] as number) / 500)).toBe(Math.floor((seriesTimes[i - 1] as number) / 500) + 1);
      expect((seriesTimes[i] as number) % 500).toBe(400);
    }
  });

  it('keeps the tape (newest first in a snapshot, in order in a merged update) and the newest volume of each price', () => {
    const mirror = new StreamMirror();
    mirror.apply(snapshotFrame());
    for (let seq = 1; seq <= 5; seq++) mirror.apply(updateFrame(seq));
    const snapshot = JSON.parse(mirror.snapshot().text) as { trades: Array<{ price: number }>; volume: number[][] };
    expect(snapshot.trades.map((t) => t.price)).toEqual([5, 4, 3, 2, 1]);
    // Prices 0, 1, 2 with their newest totals (updates 3, 4, 5), least recently updated first.
    expect(snapshot.volume).toEqual([[0, 3, 0, 3], [1, 4, 0, 4], [2, 5, 0, 5]]);
    const merged = JSON.parse(mirror.updatesSince(2)!.text) as { trades: Array<{ price: number }>; volume: number[][] };
    expect(merged.trades.map((t) => t.price)).toEqual([3, 4, 5]);
    expect(merged.volume).toEqual([[0, 3, 0, 3], [1, 4, 0, 4], [2, 5, 0, 5]]);
  });

  it('sends a fresh snapshot to a client further behind than the history kept', () => {
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame());
    const peer = new Peer();
    const client = hub.attach(peer);
    client.control('{"type":"hello","ack":true}');
    source.frame(updateFrame(1));
    for (let seq = 2; seq <= 1_100; seq++) source.frame(updateFrame(seq, [`f${seq}`]));
    client.control('{"type":"ack"}');
    const caughtUp = peer.last();
    expect(caughtUp.type).toBe('snapshot');
    expect((caughtUp as Snapshot).state).toEqual({ clockMs: 1_100 });
    expect((caughtUp as Snapshot).fills[0]).toEqual({ fillId: 'f1100' });
  });

  it('queues nothing for a client whose socket is full, drops it after the timeout, and lets a drained one catch up', () => {
    vi.useFakeTimers();
    const source = new Source();
    const hub = makeHub(source, { highWaterBytes: 1_000, slowClientMs: 4_000 });
    source.frame(snapshotFrame());
    const stuck = new Peer();
    const slow = new Peer();
    hub.attach(stuck);
    hub.attach(slow);
    stuck.buffered = 5_000;
    slow.buffered = 5_000;
    const sent = stuck.sent.length;
    for (let seq = 1; seq <= 10; seq++) {
      source.frame(updateFrame(seq, [`f${seq}`]));
      clock += 17;
      vi.advanceTimersByTime(17);
    }
    expect(stuck.sent.length).toBe(sent);
    clock += 2_000;
    vi.advanceTimersByTime(2_000);
    slow.buffered = 0;
    clock += 2_500;
    vi.advanceTimersByTime(2_500);
    expect(stuck.dropped).toMatch(/^client too slow: 0\.0 MiB unsent for [45] s$/);
    expect(hub.clientCount).toBe(1);
    const caughtUp = slow.last() as Update;
    expect(caughtUp.seq).toBe(10);
    expect(caughtUp.fills.map((f) => f.fillId)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10']);
    expect(hub.dropped).toBe(1);
  });

  it('refuses clients beyond the cap, in words', () => {
    const source = new Source();
    const hub = makeHub(source, { maxClients: 2 });
    hub.attach(new Peer());
    expect(hub.refusal()).toBeNull();
    const second = hub.attach(new Peer());
    expect(hub.refusal()).toMatch(/too many stream clients \(2 of at most 2\)/);
    second.detach();
    expect(hub.refusal()).toBeNull();
  });

  it('sends every client a new snapshot when the desk changes, and only the session while none runs', () => {
    const source = new Source();
    const hub = makeHub(source);
    source.frame(snapshotFrame(['old']));
    const peer = new Peer();
    hub.attach(peer);
    source.setSession({ status: 'starting', spec: { venue: 'sim' }, loading: null, error: null, sessionId: null });
    expect(peer.last()).toMatchObject({ type: 'session', session: { status: 'starting' } });
    const late = new Peer();
    hub.attach(late);
    expect(late.messages().map((m) => m.type)).toEqual(['session']);
    source.frame(snapshotFrame(['new']));
    expect(peer.last()).toMatchObject({ type: 'snapshot', fills: [{ fillId: 'new' }] });
    expect(late.last()).toMatchObject({ type: 'snapshot', fills: [{ fillId: 'new' }] });
  });
});
