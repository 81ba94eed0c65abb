/**
 * The supervisor's NATS side (`quotedesk fleet`): it listens to every desk's summaries and heartbeats
 * (`qd.desk.*.state`, `qd.desk.*.hb`), validates each against the schemas of `shared/fleet.ts` (and the
 * subject's desk against the message's), keeps the `FleetTable`, re-evaluates liveness every 100 ms, and
 * sends commands by request/reply. A command to a lost desk is not sent: it fails with the reason (no
 * heartbeat for N ms). The kill-all sends kill to every live desk at once and reports each desk's own
 * confirmation (its trading state after the kill) and which desks are lost. Refused messages are
 * counted and the newest reason kept, never applied. No HTTP here (`supervisor-http.ts`).
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  COMMAND_REPLY_SCHEMA,
  DESK_SUMMARY_SCHEMA,
  HEARTBEAT_SCHEMA,
  describeIssue,
  subjects,
  type CommandReply,
  type FleetCommandName,
  type FleetView,
  type KillAllResult,
} from '../../shared/fleet.js';
import { DEFAULT_LOST_AFTER_MS, FleetTable } from './fleet-table.js';
import { connectNats, watchStatus, type NatsTarget } from './nats-connection.js';

export const COMMAND_TIMEOUT_MS = 5_000;
const TICK_MS = 100;

export interface SupervisorOptions {
  readonly target: NatsTarget;
  readonly flag: string;
  readonly lostAfterMs?: number;
  readonly log: (line: string) => void;
  /** Wall clock (tests and benchmarks may pass their own). */
  readonly nowMs?: () => number;
}

/** How a command to one desk ended. */
export interface CommandOutcome {
  /** `sent`: the desk answered (its answer may still refuse); `lost`/`unreachable`: it was not answered. */
  readonly outcome: 'sent' | 'lost' | 'unreachable';
  readonly reply: CommandReply;
}

export class Supervisor {
  readonly table: FleetTable;
  private readonly listeners = new Set<(changed: readonly string[]) => void>();
  private readonly subscriptions: Subscription[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private refusedCount = 0;
  private refusedLast: string | null = null;
  private readonly now: () => number;

  private constructor(
    private readonly options: SupervisorOptions,
    private readonly nc: NatsConnection,
  ) {
    this.table = new FleetTable(options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS);
    this.now = options.nowMs ?? Date.now;
  }

  static async start(options: SupervisorOptions): Promise<Supervisor> {
    const nc = await connectNats(options.target, options.flag, { name: 'quotedesk fleet supervisor' });
    const supervisor = new Supervisor(options, nc);
    supervisor.begin();
    await nc.flush();
    return supervisor;
  }

  private begin(): void {
    watchStatus(this.nc, this.options.log);
    this.subscriptions.push(
      this.nc.subscribe(subjects.allStates, { callback: (_error, msg) => this.onMessage('state', msg.subject, msg.string()) }),
      this.nc.subscribe(subjects.allHeartbeats, { callback: (_error, msg) => this.onMessage('heartbeat', msg.subject, msg.string()) }),
    );
    this.timer = setInterval(() => {
      this.table.tick(this.now());
      this.emit();
    }, TICK_MS);
  }

  /** Hears about desks whose row changed (a summary, live ↔ lost); at most once per message or tick. */
  onChange(listener: (changed: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const changed = this.table.takeChanged();
    if (changed.length === 0) return;
    for (const listener of this.listeners) listener(changed);
  }

  private refuse(subject: string, reason: string): void {
    this.refusedCount++;
    const line = `${subject}: ${reason}`;
    if (this.refusedLast !== line) this.options.log(`fleet: refused a message on ${line}`);
    this.refusedLast = line;
  }

  private onMessage(kind: 'state' | 'heartbeat', subject: string, text: string): void {
    const desk = subject.split('.')[2] ?? '';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return this.refuse(subject, `malformed JSON: ${(error as Error).message}`);
    }
    const nowMs = this.now();
    if (kind === 'state') {
      const parsed = DESK_SUMMARY_SCHEMA.safeParse(json);
      if (!parsed.success) return this.refuse(subject, describeIssue(parsed.error));
      if (parsed.data.name !== desk) return this.refuse(subject, `the subject names desk "${desk}" but the message says "${parsed.data.name}"`);
      this.table.summary(parsed.data, nowMs);
    } else {
      const parsed = HEARTBEAT_SCHEMA.safeParse(json);
      if (!parsed.success) return this.refuse(subject, describeIssue(parsed.error));
      if (parsed.data.name !== desk) return this.refuse(subject, `the subject names desk "${desk}" but the message says "${parsed.data.name}"`);
      this.table.heartbeat(parsed.data, nowMs);
    }
    this.emit();
  }

  view(): FleetView {
    const nowMs = this.now();
    this.table.tick(nowMs);
    return { desks: this.table.views(nowMs), timeMs: nowMs, lostAfterMs: this.table.lostAfterMs, refused: { count: this.refusedCount, last: this.refusedLast } };
  }

  /** Sends `command` to `desk` unless it is lost; the desk's answer, or why there is none. */
  async command(desk: string, command: FleetCommandName, payload: unknown, timeoutMs = COMMAND_TIMEOUT_MS): Promise<CommandOutcome> {
    const lost = this.table.lostReason(desk, this.now());
    if (lost !== null) return { outcome: 'lost', reply: { ok: false, error: lost } };
    let text: string;
    try {
      const answer = await this.nc.request(subjects.command(desk), JSON.stringify(payload === undefined ? { command } : { command, payload }), { timeout: timeoutMs });
      text = answer.string();
    } catch (error) {
      const lostNow = this.table.lostReason(desk, this.now());
      if (lostNow !== null) return { outcome: 'lost', reply: { ok: false, error: lostNow } };
      const message = (error as Error).message;
      const why = /no responders|503/i.test(message) ? 'no desk process answers on its command subject' : /timeout/i.test(message) ? `no answer within ${timeoutMs} ms` : message;
      return { outcome: 'unreachable', reply: { ok: false, error: `desk "${desk}": ${why}` } };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { outcome: 'unreachable', reply: { ok: false, error: `desk "${desk}" answered with malformed JSON` } };
    }
    const parsed = COMMAND_REPLY_SCHEMA.safeParse(json);
    if (!parsed.success) return { outcome: 'unreachable', reply: { ok: false, error: `desk "${desk}" answered with a malformed reply: ${describeIssue(parsed.error)}` } };
    return { outcome: 'sent', reply: parsed.data };
  }

  /** Kill to every desk at once; each desk's confirmation, or why it has none. */
  async killAll(who: string, why: string): Promise<KillAllResult> {
    const names = this.table.names();
    const answers = await Promise.all(
      names.map(async (name) => {
        const result = await this.command(name, 'kill', { who, why });
        return {
          name,
          ok: result.reply.ok,
          tradingState: result.reply.tradingState ?? null,
          error: result.reply.ok ? null : (result.reply.error ?? 'refused'),
          lost: result.outcome === 'lost',
        };
      }),
    );
    return { ok: answers.every((answer) => answer.ok || answer.lost), desks: answers };
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.nc.drain().catch(() => undefined);
  }
}
