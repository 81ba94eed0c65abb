/**
 * A desk's link to the fleet (`quotedesk serve --fleet URL --desk-name NAME`), on the host thread beside
 * the HTTP server, reaching the desk only through its `EngineLink`:
 *
 * - **Records**: the `Outbox` tails the desk's database into JetStream (see `outbox.ts`).
 * - **State**: a `DeskSummary` on `qd.desk.<name>.state` at most `rateHz` times a second (one timer,
 *   at most one message per tick whatever the desk does; sent when something changed, and at least once a
 *   second so a supervisor that starts later fills its row), built from the stream mirror's texts.
 * - **Heartbeat** on `qd.desk.<name>.hb` every 500 ms, with the publishing backlog.
 * - **Commands** by request/reply on `qd.desk.<name>.cmd`: `{command, payload}` validated here for its
 *   envelope and by the engine's `commands.ts` for its payload (the HTTP API's path: same answers,
 *   `{ok, error, field, tradingState}`).
 * - **Cut off from NATS**: the client reconnects for ever and the outbox publishes what was missed once
 *   back. `offline: 'keep-trading'` (default) leaves the desk under its own limits; `'halt'` kills it
 *   (latched until re-armed) when the outage outlasts `OFFLINE_GRACE_MS` — a cluster node going away,
 *   after which the client moves to another node in a fraction of a second, is no outage.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Msg } from '@nats-io/transport-node';
import { COMMAND_REQUEST_SCHEMA, describeIssue, subjects, type CommandReply, type Heartbeat } from '../../shared/fleet.js';
import type { EngineLink } from '../engine/engine-link.js';
import { buildSummary, newestFillMs } from './desk-summary.js';
import { FleetInputError, connectNats, watchStatus, type NatsTarget } from './nats-connection.js';
import { Outbox } from './outbox.js';
import { OutboxReader } from './outbox-reader.js';
import { defaultReplicas, ensureRecordsStream, withClusterPatience } from './streams.js';

export const HEARTBEAT_MS = 500;
export const OFFLINE_GRACE_MS = 2_000;
/** A summary goes out at least this often even when nothing changed. */
const SUMMARY_REFRESH_MS = 1_000;

export type OfflinePolicy = 'keep-trading' | 'halt';

export interface DeskAgentOptions {
  readonly name: string;
  readonly target: NatsTarget;
  /** The flag the target came from, for error lines. */
  readonly flag: string;
  readonly offline: OfflinePolicy;
  /** Summaries per second at most (0.1 to 10). */
  readonly rateHz: number;
  readonly log: (line: string) => void;
}

export class DeskAgent {
  private readonly instance = randomUUID();
  private stateText: string | null = null;
  private metricsText: string | null = null;
  private lastFillMs: number | null = null;
  private dirty = true;
  private lastSummaryMs = 0;
  private disconnectedSinceMs: number | null = null;
  private offlineTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  private constructor(
    private readonly options: DeskAgentOptions,
    private readonly link: EngineLink,
    private readonly nc: NatsConnection,
    private readonly outbox: Outbox,
    private readonly reader: OutboxReader,
  ) {}

  /**
   * Connects to NATS and makes sure the records stream exists — before the desk starts, so wrong
   * credentials or a server without JetStream are refused before anything is created — and returns
   * the step that attaches the running desk.
   */
  static async connect(options: DeskAgentOptions): Promise<{ attach(link: EngineLink, dbPath: string): DeskAgent; close(): Promise<void> }> {
    const nc = await connectNats(options.target, options.flag, { name: `quotedesk desk ${options.name}` });
    let jsm: JetStreamManager;
    try {
      try {
        // A busy cluster answers the account check late (a timeout): asked again before it counts as refused.
        jsm = await withClusterPatience('JetStream', () => jetstreamManager(nc), options.log);
      } catch (error) {
        throw new FleetInputError(`${options.flag}: JetStream is not available to this account (${(error as Error).message})`);
      }
      await ensureRecordsStream(jsm, defaultReplicas(nc), options.log);
    } catch (error) {
      await nc.close();
      throw error;
    }
    return {
      attach(link, dbPath) {
        const reader = new OutboxReader(dbPath);
        const outbox = new Outbox({ desk: options.name, reader, js: jetstream(nc), jsm, log: options.log });
        const agent = new DeskAgent(options, link, nc, outbox, reader);
        agent.begin();
        return agent;
      },
      close: () => nc.close(),
    };
  }

  private begin(): void {
    const { name, log } = this.options;
    const link = this.link;
    this.unsubscribe.push(
      // The fleet reads this desk's state at its own rate: the engine publishes at frame pace for it.
      link.watch(),
      link.onFrame((frame) => {
        this.stateText = frame.state;
        if (frame.kind === 'snapshot') {
          this.metricsText = frame.metrics;
          this.lastFillMs = newestFillMs(frame.fills, null);
        } else {
          if (frame.metrics !== null) this.metricsText = frame.metrics;
          if (frame.fills.length > 0) this.lastFillMs = newestFillMs(frame.fills, this.lastFillMs);
        }
        this.dirty = true;
        this.outbox.wake();
      }),
      link.onSession(() => {
        this.dirty = true;
      }),
    );
    this.outbox.start();
    watchStatus(this.nc, log, (connected) => this.onConnection(connected));
    this.nc.subscribe(subjects.command(name), { callback: (_error, msg) => void this.onCommand(msg) });
    this.timers.push(setInterval(() => this.publishSummary(), Math.max(100, Math.round(1000 / this.options.rateHz))));
    this.timers.push(setInterval(() => this.publishHeartbeat(), HEARTBEAT_MS));
    this.publishHeartbeat();
    this.publishSummary();
  }

  private linkAlerts(): string[] {
    const alerts: string[] = [];
    for (const [table, progress] of Object.entries(this.outbox.progress())) {
      if (progress.stopped !== null) alerts.push(`${table} not published: ${progress.stopped}`);
    }
    return alerts;
  }

  private publishSummary(): void {
    const nowMs = Date.now();
    if (!this.dirty && nowMs - this.lastSummaryMs < SUMMARY_REFRESH_MS) return;
    if (this.nc.isClosed()) return;
    this.dirty = false;
    this.lastSummaryMs = nowMs;
    const summary = buildSummary({
      name: this.options.name,
      instance: this.instance,
      sentMs: nowMs,
      session: this.link.session(),
      stateText: this.stateText,
      metricsText: this.metricsText,
      lastFillMs: this.lastFillMs,
      linkAlerts: this.linkAlerts(),
    });
    // why: core NATS buffers while reconnecting; a summary is live data, the next one replaces it.
    this.nc.publish(subjects.state(this.options.name), JSON.stringify(summary));
  }

  private publishHeartbeat(): void {
    if (this.nc.isClosed()) return;
    const progress = this.outbox.progress();
    const beat: Heartbeat = {
      v: 1,
      name: this.options.name,
      instance: this.instance,
      sentMs: Date.now(),
      backlog: { fills: progress.fills.backlog, orders: progress.orders.backlog, events: progress.events.backlog, audit: progress.audit.backlog },
    };
    this.nc.publish(subjects.heartbeat(this.options.name), JSON.stringify(beat));
  }

  private async onCommand(msg: Msg): Promise<void> {
    const reply = await this.answer(msg);
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  private async answer(msg: Msg): Promise<CommandReply> {
    let body: unknown;
    try {
      body = JSON.parse(msg.string());
    } catch (error) {
      return { ok: false, error: `malformed JSON command: ${(error as Error).message}`, field: '' };
    }
    const parsed = COMMAND_REQUEST_SCHEMA.safeParse(body);
    if (!parsed.success) return { ok: false, error: describeIssue(parsed.error), field: parsed.error.issues[0]?.path.map(String).join('.') ?? '' };
    const { command, payload } = parsed.data;
    // The HTTP API refuses a non-object parameters body before the engine does; so does this.
    if (command === 'setParams' && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
      return { ok: false, error: 'parameters must be a JSON object', field: 'payload' };
    }
    try {
      const result = await this.link.command(command, payload, 'nats');
      if (!result.ok) return { ok: false, error: result.error, field: result.field ?? '' };
      return result.tradingState === undefined ? { ok: true } : { ok: true, tradingState: result.tradingState };
    } catch (error) {
      return { ok: false, error: (error as Error).message, field: '' };
    }
  }

  private onConnection(connected: boolean): void {
    if (connected) {
      this.disconnectedSinceMs = null;
      if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
      this.offlineTimer = null;
      this.dirty = true;
      this.outbox.wake();
      return;
    }
    this.disconnectedSinceMs ??= Date.now();
    if (this.options.offline !== 'halt' || this.offlineTimer !== null || this.closed) return;
    this.offlineTimer = setTimeout(() => {
      this.offlineTimer = null;
      if (this.disconnectedSinceMs === null || this.closed) return;
      this.options.log(`fleet: cut off from NATS for ${OFFLINE_GRACE_MS} ms: halting the desk (--fleet-offline halt)`);
      void this.link.command('kill', { who: 'fleet', why: `cut off from NATS for ${OFFLINE_GRACE_MS} ms (--fleet-offline halt)` }, 'fleet').then(
        (result) => {
          if (!result.ok) this.options.log(`fleet: the halt was refused: ${result.error}`);
        },
        (error: Error) => this.options.log(`fleet: the halt failed: ${error.message}`),
      );
    }, OFFLINE_GRACE_MS);
  }

  /**
   * Stops the timers, publishes what the database holds by now (within `drainMs`: call it after the engine
   * closed, so the session's end is published too), closes the connection and the read connection.
   */
  async close(drainMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
    for (const off of this.unsubscribe) off();
    // why: cut off from NATS there is nothing to drain to; the rows go out at the next start.
    await this.outbox.close(this.nc.isClosed() || this.disconnectedSinceMs !== null ? 0 : drainMs);
    try {
      await this.nc.drain();
    } catch {
      // why: a connection that is already gone has nothing left to drain.
    }
    this.reader.close();
  }
}
