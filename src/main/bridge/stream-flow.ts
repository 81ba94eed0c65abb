/**
 * Flow control of the stream for one client: at most one update in flight until the client acknowledges
 * the frame that rendered it. Updates produced meanwhile are merged into one (latest state and metrics,
 * every fill, series point and event in order), so a slow page never falls behind and never loses a fill.
 * Clients opt in by sending `{"type":"hello","ack":true}`; without it (scripts, curl, the Electron IPC
 * channel) the flow acknowledges itself one display frame (`pacedMs`) after each update, so no client
 * gets more than one update per frame however often the desk publishes. Snapshots and session messages
 * pass at once: a snapshot supersedes anything held.
 */
import type { StreamMessage } from '../../shared/contract.js';

type Update = Extract<StreamMessage, { type: 'update' }>;

export function mergeUpdates(older: Update, newer: Update): Update {
  return {
    type: 'update',
    seq: newer.seq,
    state: newer.state,
    metrics: newer.metrics ?? older.metrics,
    fills: older.fills.concat(newer.fills),
    series: older.series.concat(newer.series),
    events: older.events.concat(newer.events),
  };
}

/**
 * Pacing of a client that does not acknowledge: a little longer than a 60 Hz frame (16.7 ms), so timer
 * jitter never puts two updates into one display frame.
 */
export const FRAME_MS = 17;

export class StreamFlow {
  private ackMode = false;
  private awaitingAck = false;
  private held: Update | null = null;
  private pacer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (message: StreamMessage) => void,
    private readonly pacedMs: number = FRAME_MS,
  ) {}

  /** Stops the pacing timer (the client went away). */
  close(): void {
    if (this.pacer) clearTimeout(this.pacer);
    this.pacer = null;
  }

  /** A message from the desk host. */
  offer(message: StreamMessage): void {
    if (message.type === 'snapshot') this.held = null;
    if (message.type !== 'update') {
      this.send(message);
      return;
    }
    if (this.awaitingAck) {
      this.held = this.held ? mergeUpdates(this.held, message) : message;
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: Update): void {
    this.awaitingAck = true;
    this.send(message);
    if (!this.ackMode) this.pacer = setTimeout(() => this.acknowledged(), this.pacedMs);
  }

  private acknowledged(): void {
    this.pacer = null;
    this.awaitingAck = false;
    this.release();
  }

  /** A control message from the client (`hello` to opt in, `ack` after each rendered update). */
  control(text: string): void {
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
      this.acknowledged();
    }
  }

  private release(): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    this.dispatch(held);
  }
}
