/**
 * The host thread's copy of the desk's stream, kept by the `EngineLink` from the engine's frames, from
 * which every transport builds every client's message: the latest
 * state and metrics, the newest fills and events, the charts' series window (`SeriesWindow`), and the
 * recent updates. It holds the pieces as the engine serialised them (protocol.ts) and builds messages by
 * joining texts, so one snapshot serves every client that connects before the next update, however many
 * connect at once, and one merged update serves every client that fell behind from the same point.
 *
 * Bounded by construction: the snapshot is what the monitor shows (500 fills, 500 events, five minutes
 * of half-second chart points, the tape's newest trades, the traded volume of at most MAX_PRICES prices —
 * those updated least recently are forgotten first), the history of updates a slow client can catch up from is the last 1,024
 * or 8 MiB, whichever is less; a client further behind gets a fresh snapshot (its fills beyond the newest
 * 500 are in the database: the blotter's history and the exports read them there). Messages keep the
 * contract's shape (`StreamMessage`). No I/O and no timers here.
 */
import { TAPE_SNAPSHOT_TRADES, type SessionView } from '../../shared/contract.js';
import { SeriesWindow } from '../../shared/series-window.js';
import { MAX_PRICES } from '../desk/market-tape.js';
import type { SeriesItem, StreamFrame, VolumeItem } from './protocol.js';

/** As many fills and events as the desk keeps for a snapshot. */
export const SNAPSHOT_FILLS = 500;
export const SNAPSHOT_EVENTS = 500;
const HISTORY_UPDATES = 1_024;
const HISTORY_BYTES = 8 * 1024 * 1024;

/** One outgoing message: its text, and its UTF-8 bytes made once for every socket that sends it. */
export class Outgoing {
  private bytes: Buffer | null = null;
  constructor(readonly text: string) {}
  get buffer(): Buffer {
    this.bytes ??= Buffer.from(this.text, 'utf8');
    return this.bytes;
  }
}

interface HeldUpdate {
  /** The mirror's own count of updates in this epoch. */
  readonly position: number;
  readonly seq: number;
  readonly state: string;
  readonly metrics: string | null;
  readonly fills: string;
  readonly series: string;
  readonly events: string;
  readonly trades: string;
  readonly volume: string;
  readonly bytes: number;
}

/** Keeps the newest `cap` items of a chronological list, trimming in steps so a push stays O(1). */
function pushCapped(list: string[], items: readonly string[], cap: number): void {
  for (const item of items) list.push(item);
  if (list.length > cap + cap / 4) list.splice(0, list.length - cap);
}

function joinTail(list: readonly string[], cap: number, newestFirst: boolean): string {
  const from = Math.max(0, list.length - cap);
  let out = '';
  if (newestFirst) {
    for (let i = list.length - 1; i >= from; i--) out += (out === '' ? '' : ',') + list[i];
  } else {
    for (let i = from; i < list.length; i++) out += (out === '' ? '' : ',') + list[i];
  }
  return out;
}

function joinAll(parts: readonly string[]): string {
  let out = '';
  for (const part of parts) if (part !== '') out += (out === '' ? '' : ',') + part;
  return out;
}

export class StreamMirror {
  /** Changes with every snapshot (a new desk): a client of another epoch needs a snapshot. */
  private epochValue = 0;
  private positionValue = 0;
  private running = false;
  private state = '';
  private metrics = 'null';
  private readonly fills: string[] = [];
  private readonly events: string[] = [];
  /** Oldest first. */
  private readonly trades: string[] = [];
  /** By price, least recently updated first. */
  private readonly volume = new Map<number, string>();
  private readonly series = new SeriesWindow<SeriesItem>((item) => item.timeMs);
  private history: HeldUpdate[] = [];
  private historyBytes = 0;
  private sessionMessage = new Outgoing(JSON.stringify({ type: 'session', session: { status: 'starting', spec: null, loading: null, error: null, sessionId: null } }));
  private snapshotCache: { readonly position: number; readonly message: Outgoing } | null = null;
  private readonly mergedCache = new Map<number, Outgoing>();

  get epoch(): number {
    return this.epochValue;
  }

  /** How many updates this epoch has seen: a client that has sent up to here is current. */
  get position(): number {
    return this.positionValue;
  }

  /** Whether a desk runs (clients get snapshots and updates) or not (only session messages). */
  get hasDesk(): boolean {
    return this.running;
  }

  apply(frame: StreamFrame): void {
    this.mergedCache.clear();
    this.snapshotCache = null;
    if (frame.kind === 'snapshot') {
      this.epochValue++;
      this.positionValue = 0;
      this.running = true;
      this.state = frame.state;
      this.metrics = frame.metrics;
      this.fills.length = 0;
      // The desk's snapshot lists fills newest first; the mirror keeps them oldest first.
      pushCapped(this.fills, [...frame.fills].reverse(), SNAPSHOT_FILLS);
      this.events.length = 0;
      pushCapped(this.events, frame.events, SNAPSHOT_EVENTS);
      this.trades.length = 0;
      pushCapped(this.trades, [...frame.trades].reverse(), TAPE_SNAPSHOT_TRADES);
      this.volume.clear();
      this.applyVolume(frame.volume);
      this.series.clear();
      for (const item of frame.series) this.series.push(item);
      this.history = [];
      this.historyBytes = 0;
      return;
    }
    this.positionValue++;
    this.state = frame.state;
    if (frame.metrics !== null) this.metrics = frame.metrics;
    pushCapped(this.fills, frame.fills, SNAPSHOT_FILLS);
    pushCapped(this.events, frame.events, SNAPSHOT_EVENTS);
    pushCapped(this.trades, frame.trades, TAPE_SNAPSHOT_TRADES);
    this.applyVolume(frame.volume);
    for (const item of frame.series) this.series.push(item);
    const held: HeldUpdate = {
      position: this.positionValue,
      seq: frame.seq,
      state: frame.state,
      metrics: frame.metrics,
      fills: frame.fills.join(','),
      series: frame.series.map((item) => item.json).join(','),
      events: frame.events.join(','),
      trades: frame.trades.join(','),
      volume: frame.volume.map((item) => item.json).join(','),
      bytes: 0,
    };
    const bytes = held.state.length + (held.metrics?.length ?? 0) + held.fills.length + held.series.length + held.events.length + held.trades.length + held.volume.length;
    this.history.push({ ...held, bytes });
    this.historyBytes += bytes;
    let drop = 0;
    while (this.history.length - drop > HISTORY_UPDATES || (this.historyBytes > HISTORY_BYTES && this.history.length - drop > 1)) {
      this.historyBytes -= this.history[drop]?.bytes ?? 0;
      drop++;
    }
    if (drop > 0) this.history = this.history.slice(drop);
  }

  /** Newest totals per price; the least recently updated prices go past MAX_PRICES. */
  private applyVolume(items: readonly VolumeItem[]): void {
    for (const item of items) {
      this.volume.delete(item.price);
      this.volume.set(item.price, item.json);
    }
    if (this.volume.size > MAX_PRICES) {
      let drop = this.volume.size - MAX_PRICES;
      for (const price of this.volume.keys()) {
        if (drop-- <= 0) break;
        this.volume.delete(price);
      }
    }
  }

  setSession(session: SessionView): void {
    this.sessionMessage = new Outgoing(JSON.stringify({ type: 'session', session }));
    if (session.status !== 'running') this.running = false;
  }

  /** The newest state and metrics as the engine serialised them, and the newest fill (null before any). */
  latest(): { readonly state: string; readonly metrics: string; readonly newestFill: string | null } | null {
    if (!this.running) return null;
    return { state: this.state, metrics: this.metrics, newestFill: this.fills[this.fills.length - 1] ?? null };
  }

  /** The session message for every client. */
  session(): Outgoing {
    return this.sessionMessage;
  }

  /** The snapshot as of the newest update, built once per update however many clients ask. */
  snapshot(): Outgoing {
    if (this.snapshotCache?.position === this.positionValue) return this.snapshotCache.message;
    const series = this.series.toArray();
    let seriesText = '';
    for (const item of series) seriesText += (seriesText === '' ? '' : ',') + item.json;
    const text =
      `{"type":"snapshot","state":${this.state},"metrics":${this.metrics},` +
      `"fills":[${joinTail(this.fills, SNAPSHOT_FILLS, true)}],"series":[${seriesText}],"events":[${joinTail(this.events, SNAPSHOT_EVENTS, false)}],` +
      `"trades":[${joinTail(this.trades, TAPE_SNAPSHOT_TRADES, true)}],"volume":[${joinAll([...this.volume.values()])}]}`;
    const message = new Outgoing(text);
    this.snapshotCache = { position: this.positionValue, message };
    return message;
  }

  /**
   * One update carrying everything after `position` (the newest state and metrics, every fill, series
   * point and event in order), or null when that is older than the history kept (send a snapshot).
   */
  updatesSince(position: number): Outgoing | null {
    if (position >= this.positionValue) return null;
    const cached = this.mergedCache.get(position);
    if (cached !== undefined) return cached;
    const first = this.history[0];
    if (first === undefined || first.position > position + 1) return null;
    const from = position + 1 - first.position;
    const held = this.history.slice(from);
    const newest = held[held.length - 1];
    if (newest === undefined) return null;
    let metrics = 'null';
    for (let i = held.length - 1; i >= 0; i--) {
      const m = held[i]?.metrics;
      if (m !== null && m !== undefined) {
        metrics = m;
        break;
      }
    }
    const text =
      `{"type":"update","seq":${newest.seq},"state":${newest.state},"metrics":${metrics},` +
      `"fills":[${joinAll(held.map((h) => h.fills))}],"series":[${joinAll(held.map((h) => h.series))}],"events":[${joinAll(held.map((h) => h.events))}],` +
      `"trades":[${joinAll(held.map((h) => h.trades))}],"volume":[${joinAll(held.map((h) => h.volume))}]}`;
    const message = new Outgoing(text);
    this.mergedCache.set(position, message);
    return message;
  }
}
