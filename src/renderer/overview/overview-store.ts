/**
 * The overview's store: takes each message's rows as they arrive and publishes them at most once per
 * animation frame — at once (the next frame) when the trader must see it (a desk's trading state, status
 * or alerts changed, a desk came or went), otherwise at reading pace (at most four times a second), as the
 * desk monitor's figures are (`desk-client/store.ts`). So the overview never renders faster than its
 * stream, and a fleet stream's twenty small updates a second cost four renders. Holds what the server
 * sent; computes nothing.
 */
import type { FirmView } from '../../shared/desks.js';
import type { ConnectionInfo } from '../desk-client/streaming-api.js';
import { browserScheduling, READING_INTERVAL_MS, type StoreScheduling } from '../desk-client/store.js';
import { urgentChange, type OverviewRow } from './overview-model.js';

export interface OverviewStats {
  messages: number;
  /** Frames that published rows. */
  published: number;
  /** performance.now() of the newest message, and of the newest publish. */
  lastMessageAt: number;
  lastPublishedAt: number;
}


export class OverviewStore {
  private rows: readonly OverviewRow[] | null = null;
  private pending: readonly OverviewRow[] | null = null;
  private firmShown: FirmView | null = null;
  private firmPending: FirmView | null = null;
  private connection: ConnectionInfo = { status: 'connecting', attempts: 0, retryAtMs: null };
  private urgent = false;
  private frameScheduled = false;
  private timerSet = false;
  private lastPublishMs = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<() => void>();
  readonly stats: OverviewStats = { messages: 0, published: 0, lastMessageAt: 0, lastPublishedAt: 0 };

  constructor(private readonly scheduling: StoreScheduling = browserScheduling) {}

  /** The rows on screen (null until the first message). */
  get current(): readonly OverviewRow[] | null {
    return this.rows;
  }

  /** The firm-wide limits on screen with the rows (null where the server has none). */
  get firm(): FirmView | null {
    return this.firmShown;
  }

  get connectionInfo(): ConnectionInfo {
    return this.connection;
  }

  apply(rows: readonly OverviewRow[], firm: FirmView | null = null): void {
    this.stats.messages++;
    this.stats.lastMessageAt = this.scheduling.nowMs();
    const shown = this.pending ?? this.rows;
    // why: a firm limit breached (or cleared) halts desks: the trader sees it the next frame.
    if (shown === null || urgentChange(shown, rows) || (firm?.breach ?? null) !== ((this.pending !== null ? this.firmPending : this.firmShown)?.breach ?? null)) this.urgent = true;
    this.pending = rows;
    this.firmPending = firm;
    this.schedule();
  }

  setConnection(info: ConnectionInfo): void {
    this.connection = info;
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private schedule(): void {
    if (this.frameScheduled || this.pending === null) return;
    const waitMs = this.urgent ? 0 : this.lastPublishMs + READING_INTERVAL_MS - this.scheduling.nowMs();
    if (waitMs <= 0) {
      this.frameScheduled = true;
      this.scheduling.frame(() => this.flush());
    } else if (!this.timerSet) {
      this.timerSet = true;
      this.scheduling.timer(() => {
        this.timerSet = false;
        this.schedule();
      }, waitMs);
    }
  }

  /** Publishes the newest rows. Public for tests. */
  flush(): void {
    this.frameScheduled = false;
    if (this.pending === null) return;
    this.rows = this.pending;
    this.firmShown = this.firmPending;
    this.pending = null;
    this.urgent = false;
    const now = this.scheduling.nowMs();
    this.lastPublishMs = now;
    this.stats.published++;
    this.stats.lastPublishedAt = now;
    for (const listener of this.listeners) listener();
  }
}
