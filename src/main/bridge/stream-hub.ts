/**
 * Every stream client of a transport (WebSocket monitors and scripts, the Electron window) fed from the
 * engine link's `StreamMirror`: what each client is sent, when, and when it is refused or dropped. Nothing a client
 * does reaches the engine, and nothing here costs more than joining texts the engine already serialised.
 *
 * - **Order**: on connect a snapshot (when a desk runs), then the session; then updates. A session change
 *   goes to every client at once; a new desk (a new mirror epoch) sends each client a fresh snapshot.
 * - **Pacing**: one update in flight per client. A client that says `{"type":"hello","ack":true}` gets the
 *   next update only after it acknowledges (`{"type":"ack"}`) the last (the monitor does on receipt, and
 *   publishes once per display frame whatever arrives); others are paced at `frameMs`. An update sent after a wait carries
 *   everything since the client's last one (merged by the mirror), so a slow page never loses a fill.
 * - **Back-pressure**: nothing more is queued for a client while more than `highWaterBytes` wait in its
 *   socket. A client stuck that way for `slowClientMs` is dropped with a close reason; one that drains
 *   catches up from the mirror's history or, when too far behind, with a fresh snapshot.
 * - **Admission**: a crowd connecting at once is let in `ADMIT_PER_TURN` clients per event-loop turn (each
 *   turn sends those clients their snapshot); the rest wait for the next turn. Between turns the loop reads
 *   its sockets, so a kill sent in the middle of a connection storm is read and handed to the engine after
 *   a few small batches rather than after every newcomer's snapshot.
 * - **Cap**: at most `maxClients` at once; the transport refuses the next with `refusal()`'s words.
 */
import type { SessionView } from '../../shared/contract.js';
import type { StreamFrame } from '../engine/protocol.js';
import type { Outgoing, StreamMirror } from '../engine/stream-mirror.js';
import { TurnBatches } from './turn-batches.js';

/** What a transport provides for one client. */
export interface StreamPeer {
  send(message: Outgoing): void;
  /** Bytes queued for the client and not yet written to it. */
  bufferedBytes(): number;
  /** Ends the connection, telling the client why where the transport can. */
  drop(reason: string): void;
}

export interface StreamHubOptions {
  readonly maxClients: number;
  readonly highWaterBytes: number;
  readonly slowClientMs: number;
  readonly frameMs: number;
  /** Wall clock for pacing and the slow-client timeout (tests may pass their own). */
  readonly nowMs?: () => number;
}

export const DEFAULT_STREAM_OPTIONS: StreamHubOptions = {
  maxClients: 256,
  highWaterBytes: 1024 * 1024,
  slowClientMs: 10_000,
  // A little longer than a 60 Hz frame (16.7 ms), so timer jitter never puts two updates into one frame.
  frameMs: 17,
};

/** What the hub reads from the engine link: its mirror, and when it changed. */
export interface StreamSource {
  readonly stream: StreamMirror;
  /** Marks the stream watched until the release is called (the engine publishes at frame pace meanwhile). */
  watch?(): () => void;
  onFrame(listener: (frame: StreamFrame) => void): () => void;
  onSession(listener: (session: SessionView) => void): () => void;
}

export interface StreamClient {
  /** A control message from the client (`hello`, `ack`); anything else is ignored. */
  control(text: string): void;
  /** The client went away. */
  detach(): void;
}

/** Newcomers sent their snapshot per event-loop turn (a monitor's snapshot is tens to hundreds of KB). */
export const ADMIT_PER_TURN = 8;

class Client implements StreamClient {
  /** Ends this client's watch of the desk's stream. */
  unwatch: (() => void) | null = null;
  /** False while the client waits for admission: nothing is sent to it yet. */
  admitted = false;
  ackMode = false;
  awaiting = false;
  sentAtMs = Number.NEGATIVE_INFINITY;
  epoch = -1;
  position = 0;
  blockedSinceMs: number | null = null;
  closed = false;

  constructor(
    readonly peer: StreamPeer,
    private readonly hub: StreamHub,
  ) {}

  control(text: string): void {
    if (text.length > 256) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const type = (parsed as { type?: unknown }).type;
    if (type === 'hello') {
      this.ackMode = (parsed as { ack?: unknown }).ack === true;
    } else if (type === 'ack' && this.ackMode) {
      this.awaiting = false;
      this.hub.pump(this);
    }
  }

  detach(): void {
    this.hub.remove(this);
  }
}

export class StreamHub {
  private readonly mirror: StreamMirror;
  private readonly source: StreamSource;
  private readonly clients = new Set<Client>();
  private readonly options: StreamHubOptions;
  private readonly nowMs: () => number;
  private readonly unsubscribe: Array<() => void>;
  private pacer: ReturnType<typeof setInterval> | null = null;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  /** Newcomers let in `ADMIT_PER_TURN` per event-loop turn. */
  private readonly admission = new TurnBatches(ADMIT_PER_TURN);
  /** Clients dropped for being too slow, for diagnostics and tests. */
  dropped = 0;

  constructor(source: StreamSource, options: Partial<StreamHubOptions> = {}) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...options };
    this.nowMs = this.options.nowMs ?? (() => performance.now());
    this.mirror = source.stream;
    this.source = source;
    this.unsubscribe = [
      // The link has applied the frame or session to the mirror before it tells its listeners.
      source.onFrame(() => {
        for (const client of this.clients) this.pump(client);
      }),
      source.onSession(() => {
        const message = this.mirror.session();
        for (const client of this.clients) if (client.admitted) this.deliver(client, message);
      }),
    ];
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Why a new client would be refused now, or null when there is room. */
  refusal(): string | null {
    if (this.clients.size < this.options.maxClients) return null;
    return `too many stream clients (${this.clients.size} of at most ${this.options.maxClients}): close another monitor, or start serve with a higher --max-clients`;
  }

  /** Adds a client (the transport checked `refusal()` first) and sends it its snapshot and the session. */
  attach(peer: StreamPeer): StreamClient {
    const client = new Client(peer, this);
    client.unwatch = this.source.watch?.() ?? null;
    this.clients.add(client);
    if (this.pacer === null) {
      this.pacer = setInterval(() => this.onFrameTick(), this.options.frameMs);
      this.sweeper = setInterval(() => this.sweep(), Math.min(1_000, this.options.slowClientMs / 4));
    }
    this.admission.add(() => {
      if (!client.closed) this.admit(client);
    });
    return client;
  }

  private admit(client: Client): void {
    client.admitted = true;
    this.pump(client);
    this.deliver(client, this.mirror.session());
  }

  remove(client: StreamClient): void {
    if (!(client instanceof Client)) return;
    client.closed = true;
    this.clients.delete(client);
    client.unwatch?.();
    client.unwatch = null;
    if (this.clients.size === 0) this.stopTimers();
  }

  /** Drops every client and stops listening (host shutdown). */
  close(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const client of [...this.clients]) {
      client.peer.drop('the desk is shutting down');
      this.remove(client);
    }
    this.stopTimers();
  }

  /** Sends a client what it lacks, if it may receive now. */
  pump(client: Client): void {
    if (client.closed || !client.admitted || !this.mirror.hasDesk) return;
    if (!this.writable(client)) return;
    const mirror = this.mirror;
    if (client.epoch !== mirror.epoch) {
      // A new desk (or a new client): a snapshot, which needs no acknowledgement.
      client.epoch = mirror.epoch;
      client.position = mirror.position;
      client.awaiting = false;
      this.deliver(client, mirror.snapshot());
      return;
    }
    if (client.position >= mirror.position || client.awaiting) return;
    const message = mirror.updatesSince(client.position) ?? mirror.snapshot();
    client.position = mirror.position;
    client.awaiting = true;
    client.sentAtMs = this.nowMs();
    this.deliver(client, message);
  }

  private writable(client: Client): boolean {
    if (client.peer.bufferedBytes() > this.options.highWaterBytes) {
      client.blockedSinceMs ??= this.nowMs();
      return false;
    }
    client.blockedSinceMs = null;
    return true;
  }

  private deliver(client: Client, message: Outgoing): void {
    if (client.closed) return;
    try {
      client.peer.send(message);
    } catch {
      // why: a socket that fails a write is going away; its close event removes the client.
    }
  }

  /** Paced clients may take their next update one frame after the last. */
  private onFrameTick(): void {
    const due = this.nowMs() - this.options.frameMs + 1;
    for (const client of this.clients) {
      if (!client.ackMode && client.awaiting && client.sentAtMs <= due) {
        client.awaiting = false;
        this.pump(client);
      }
    }
  }

  /** Drops clients stuck over the high-water mark too long; lets drained ones catch up when the desk is quiet. */
  private sweep(): void {
    const now = this.nowMs();
    for (const client of [...this.clients]) {
      if (client.blockedSinceMs === null) continue;
      if (client.peer.bufferedBytes() <= this.options.highWaterBytes) {
        this.pump(client);
        continue;
      }
      const stuckMs = now - client.blockedSinceMs;
      if (stuckMs >= this.options.slowClientMs) {
        this.dropped++;
        const unsent = client.peer.bufferedBytes();
        this.remove(client);
        client.peer.drop(`client too slow: ${(unsent / 1024 / 1024).toFixed(1)} MiB unsent for ${(stuckMs / 1000).toFixed(0)} s`);
      }
    }
  }

  private stopTimers(): void {
    this.admission.clear();
    if (this.pacer !== null) clearInterval(this.pacer);
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.pacer = null;
    this.sweeper = null;
  }
}
