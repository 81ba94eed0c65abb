/**
 * The overview's stream (`/api/desks/stream`): every desk's one-line summary, pushed to each client at
 * most `ratePerSec` times a second and only when a desk changed, serialised once per push for every
 * client. A client whose socket stays over the high-water mark for `slowClientMs` is dropped with a reason,
 * as on a desk's stream. The summaries come from the fleet (desk-fleet.ts), which reads the desks' stream
 * mirrors: nothing here reaches an engine.
 */
import type { DeskSummaryView, FirmView } from '../../shared/desks.js';
import { Outgoing } from '../engine/stream-mirror.js';
import type { StreamPeer } from './stream-hub.js';

export interface OverviewSource {
  summaries(): DeskSummaryView[];
  /** The firm-wide limits with their use, computed on these summaries. */
  firm(desks: readonly DeskSummaryView[]): FirmView;
  onChange(listener: () => void): () => void;
}

export interface OverviewHubOptions {
  readonly ratePerSec: number;
  readonly highWaterBytes: number;
  readonly slowClientMs: number;
}

interface Client {
  readonly peer: StreamPeer;
  blockedSinceMs: number | null;
  /** The push this client last got (a blocked client gets the newest when it drains). */
  sent: Outgoing | null;
}

export class OverviewHub {
  private readonly clients = new Set<Client>();
  private readonly unsubscribe: () => void;
  private timer: ReturnType<typeof setInterval> | null = null;
  private dirty = true;
  private current: Outgoing | null = null;

  constructor(
    private readonly source: OverviewSource,
    private readonly options: OverviewHubOptions = { ratePerSec: 4, highWaterBytes: 1024 * 1024, slowClientMs: 10_000 },
  ) {
    this.unsubscribe = source.onChange(() => {
      this.dirty = true;
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Adds a client and sends it the overview at once. */
  attach(peer: StreamPeer): { detach(): void } {
    const client: Client = { peer, blockedSinceMs: null, sent: null };
    this.clients.add(client);
    if (this.timer === null) this.timer = setInterval(() => this.push(), Math.max(50, Math.round(1000 / this.options.ratePerSec)));
    this.deliver(client, this.message());
    return {
      detach: () => {
        this.clients.delete(client);
        if (this.clients.size === 0 && this.timer !== null) {
          clearInterval(this.timer);
          this.timer = null;
        }
      },
    };
  }

  close(): void {
    this.unsubscribe();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const client of this.clients) client.peer.drop('the desk is shutting down');
    this.clients.clear();
  }

  private message(): Outgoing {
    if (this.dirty || this.current === null) {
      this.dirty = false;
      const desks = this.source.summaries();
      this.current = new Outgoing(JSON.stringify({ type: 'overview', desks, firm: this.source.firm(desks) }));
    }
    return this.current;
  }

  private push(): void {
    const message = this.message();
    const now = performance.now();
    for (const client of [...this.clients]) {
      if (client.sent === message) continue;
      if (client.peer.bufferedBytes() > this.options.highWaterBytes) {
        client.blockedSinceMs ??= now;
        if (now - client.blockedSinceMs >= this.options.slowClientMs) {
          this.clients.delete(client);
          client.peer.drop(`client too slow: overview updates unsent for ${((now - client.blockedSinceMs) / 1000).toFixed(0)} s`);
        }
        continue;
      }
      client.blockedSinceMs = null;
      this.deliver(client, message);
    }
  }

  private deliver(client: Client, message: Outgoing): void {
    client.sent = message;
    try {
      client.peer.send(message);
    } catch {
      // why: a socket that fails a write is going away; its close event detaches it.
    }
  }
}
