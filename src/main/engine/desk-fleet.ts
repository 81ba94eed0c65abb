/**
 * Several desks in one process: each desk is its own engine thread (`EngineLink`) with its own database,
 * so one desk's failure — an error that kills its thread, a fault of its database — halts only that desk,
 * while the others trade on. The fleet composes them for the host: each desk by name, the overview's
 * one-line summary of every desk (read from the links' stream mirrors, never by asking the engines), the
 * kill-all, and the firm-wide limits across desks, which halt every desk a breached limit covers.
 */
import type { DeskMetrics, DeskState, FillView, SessionSpec, SessionView } from '../../shared/contract.js';
import type { DeskKillResult, DeskSummaryView, FirmLimitUse, FirmLimits, FirmView } from '../../shared/desks.js';
import { EngineLink } from './engine-link.js';
import type { EngineOptions } from './protocol.js';

export interface FleetDeskSpec {
  readonly name: string;
  readonly engine: EngineOptions;
  readonly session: SessionSpec;
}

export interface FleetDesk {
  readonly name: string;
  readonly link: EngineLink;
  readonly dbPath: string;
  readonly spec: SessionSpec;
}

/** Breakers and conditions a summary lists as alerts (the routine "paused" or "flattening" are not). */
const ALERT_REASONS = new Set(['stale-feed', 'resyncing', 'loss-limit', 'fill-burst', 'price-band', 'adverse-selection', 'storage-fault', 'venue-disconnected', 'position-mismatch', 'crossed-market']);
/** How often the firm-wide limits are checked against the desks' summaries. */
const FIRM_CHECK_MS = 250;

export class DeskFleet {
  private readonly byName = new Map<string, FleetDesk>();
  private readonly cache = new Map<string, { readonly key: string; readonly summary: DeskSummaryView }>();
  private firmLimits: FirmLimits | null = null;
  private firmTimer: ReturnType<typeof setInterval> | null = null;
  private firmBreach: string | null = null;
  private readonly changeListeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void> = [];

  private constructor(
    desks: readonly FleetDesk[],
    private readonly log: (line: string) => void,
  ) {
    for (const desk of desks) {
      this.byName.set(desk.name, desk);
      const changed = (): void => {
        for (const listener of this.changeListeners) listener();
      };
      this.unsubscribe.push(desk.link.onFrame(changed), desk.link.onSession(changed));
      desk.link.onFailure((reason) => this.log(`desk ${desk.name}: ${reason}`));
    }
  }

  /**
   * Starts every desk's engine thread, then its session. A desk that cannot start fails the whole start
   * with its name (a bad desks file is the operator's to fix), and the desks already started are closed.
   */
  static async start(specs: readonly FleetDeskSpec[], log: (line: string) => void): Promise<DeskFleet> {
    const started: FleetDesk[] = [];
    try {
      for (const spec of specs) {
        const link = await EngineLink.start(spec.engine, (line) => log(specs.length > 1 ? `desk ${spec.name}: ${line}` : line));
        started.push({ name: spec.name, link, dbPath: spec.engine.dbPath, spec: spec.session });
      }
      const answers = await Promise.all(started.map((desk) => desk.link.startSession(desk.spec)));
      answers.forEach((answer, i) => {
        if (!answer.ok) {
          const name = started[i]?.name ?? '?';
          throw Object.assign(new Error(specs.length > 1 ? `desk ${name}: ${answer.error}` : answer.error), { badInput: answer.badInput === true });
        }
      });
    } catch (error) {
      await Promise.all(started.map((desk) => desk.link.close()));
      throw error;
    }
    return new DeskFleet(started, log);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): FleetDesk | undefined {
    return this.byName.get(name);
  }

  /** The desk the unprefixed API addresses (the first). */
  get main(): FleetDesk {
    const first = this.byName.values().next().value;
    if (first === undefined) throw new Error('a fleet has at least one desk');
    return first;
  }

  get size(): number {
    return this.byName.size;
  }

  /** Called whenever any desk's stream or session changed (callers pace their own work). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Every desk's one-line summary, in the fleet's order; rebuilt only for desks whose stream moved. */
  summaries(): DeskSummaryView[] {
    const out: DeskSummaryView[] = [];
    for (const desk of this.byName.values()) out.push(this.summaryOf(desk));
    return out;
  }

  /**
   * Halts every desk (each through its own validated kill, audited in its own database as `actor`) and
   * reports each one's answer.
   */
  async killAll(actor: string, why: string): Promise<DeskKillResult[]> {
    const desks = [...this.byName.values()];
    const answers = await Promise.all(
      desks.map((desk) =>
        desk.link.command('kill', { who: 'kill-all', why }, actor).then(
          (result): DeskKillResult => ({ name: desk.name, ok: result.ok, tradingState: result.ok ? (result.tradingState ?? null) : null, error: result.ok ? null : result.error }),
          (error: unknown): DeskKillResult => ({ name: desk.name, ok: false, tradingState: null, error: (error as Error).message }),
        ),
      ),
    );
    return answers;
  }

  /** Sets the firm-wide limits (checked every FIRM_CHECK_MS); null removes them. */
  setFirmLimits(limits: FirmLimits | null): void {
    this.firmLimits = limits;
    if (this.firmTimer) clearInterval(this.firmTimer);
    this.firmTimer = limits ? setInterval(() => void this.checkFirmLimits(), FIRM_CHECK_MS) : null;
  }

  /** The firm-wide limits with their use now (none without a desks file's limits). */
  firm(desks: readonly DeskSummaryView[] = this.summaries()): FirmView {
    return { limits: this.firmLimits ? firmUsage(this.firmLimits, desks) : [], breach: this.firmBreach };
  }

  /** The breach that halted desks, while it holds. */
  get firmLimitBreach(): string | null {
    return this.firmBreach;
  }

  async close(): Promise<void> {
    if (this.firmTimer) clearInterval(this.firmTimer);
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    await Promise.all([...this.byName.values()].map((desk) => desk.link.close()));
  }

  /** Whether every desk's engine thread is gone (the host has nothing left to serve). */
  allFailed(): boolean {
    for (const desk of this.byName.values()) if (desk.link.failed === null) return false;
    return true;
  }

  /* ---------------------------------------------------------------- firm-wide risk */

  /** Checks the limits on the summaries; a breach halts every desk it covers, once per breach. */
  async checkFirmLimits(): Promise<DeskKillResult[] | null> {
    const limits = this.firmLimits;
    if (!limits) return null;
    const breach = firmBreach(limits, this.summaries());
    if (breach === null) {
      this.firmBreach = null;
      return null;
    }
    if (this.firmBreach === breach.text) return null;
    this.firmBreach = breach.text;
    this.log(`firm limit breached: ${breach.text}: halting ${breach.desks.join(', ')}`);
    const desks = breach.desks.map((name) => this.byName.get(name)).filter((desk): desk is FleetDesk => desk !== undefined);
    return Promise.all(
      desks.map((desk) =>
        desk.link.command('kill', { why: `firm limit: ${breach.text}` }, 'risk:firm').then(
          (result): DeskKillResult => ({ name: desk.name, ok: result.ok, tradingState: result.ok ? (result.tradingState ?? null) : null, error: result.ok ? null : result.error }),
          (error: unknown): DeskKillResult => ({ name: desk.name, ok: false, tradingState: null, error: (error as Error).message }),
        ),
      ),
    );
  }

  /* ---------------------------------------------------------------- summaries */

  private summaryOf(desk: FleetDesk): DeskSummaryView {
    const session = desk.link.session();
    const latest = desk.link.stream.latest();
    const key = `${session.status}|${session.error ?? ''}|${desk.link.failed ?? ''}|${desk.link.stream.epoch}|${desk.link.stream.position}`;
    const cached = this.cache.get(desk.name);
    if (cached?.key === key) return cached.summary;
    const summary = latest && session.status === 'running' && desk.link.failed === null ? running(desk.name, latest, session) : notRunning(desk, session);
    this.cache.set(desk.name, { key, summary });
    return summary;
  }
}

function running(name: string, latest: { state: string; metrics: string; newestFill: string | null }, session: SessionView): DeskSummaryView {
  const state = JSON.parse(latest.state) as DeskState;
  const metrics = JSON.parse(latest.metrics) as DeskMetrics;
  const fill = latest.newestFill === null ? null : (JSON.parse(latest.newestFill) as FillView);
  const lot = Number(state.instrument.lotSize);
  const mid = state.mid;
  const side = (quote: DeskState['quotes']['bid'], reasons: readonly string[]): DeskSummaryView['bid'] => ({ quoting: quote !== null, reason: quote !== null ? null : (reasons[0] ?? null) });
  const alerts = new Set<string>();
  for (const reason of [...state.reasons.bid, ...state.reasons.ask]) if (ALERT_REASONS.has(reason)) alerts.add(reason);
  if (state.tradingState === 'halted') alerts.add('halted');
  return {
    name,
    venue: state.venue,
    symbol: state.symbol,
    baseAsset: baseAssetOf(state.symbol, state.instrument.quoteCurrency),
    quoteCurrency: state.instrument.quoteCurrency,
    execution: state.execution,
    mode: state.mode,
    status: session.status,
    error: null,
    tradingState: state.tradingState,
    bid: side(state.quotes.bid, state.reasons.bid),
    ask: side(state.quotes.ask, state.reasons.ask),
    inventory: state.inventory,
    inventoryLimit: state.params.risk.maxInventoryLots * lot,
    mid,
    grossNotional: mid === null ? 0 : Math.abs(state.inventory) * mid,
    pnl: state.pnl.total,
    adverseRate: typeof metrics.adverseSelectionRate === 'number' && Number.isFinite(metrics.adverseSelectionRate) ? metrics.adverseSelectionRate : null,
    feed: { state: state.feed.state, connected: state.feed.connected, lastMessageAgeMs: state.feed.lastMessageAgeMs },
    lastFillAgeMs: fill === null ? null : Math.max(0, state.clockMs - fill.timeMs),
    alerts: [...alerts],
    clockMs: state.clockMs,
  };
}

function notRunning(desk: FleetDesk, session: SessionView): DeskSummaryView {
  const failed = desk.link.failed;
  return {
    name: desk.name,
    venue: session.spec?.venue ?? desk.spec.venue,
    symbol: session.spec?.symbol ?? desk.spec.symbol ?? '',
    baseAsset: '',
    quoteCurrency: '',
    execution: 'paper',
    mode: null,
    status: failed !== null ? 'failed' : session.status,
    error: failed ?? session.error,
    tradingState: null,
    bid: { quoting: false, reason: null },
    ask: { quoting: false, reason: null },
    inventory: 0,
    inventoryLimit: 0,
    mid: null,
    grossNotional: 0,
    pnl: 0,
    adverseRate: null,
    feed: { state: 'closed', connected: false, lastMessageAgeMs: null },
    lastFillAgeMs: null,
    alerts: failed !== null ? ['engine-failed'] : [],
    clockMs: null,
  };
}

/** The base asset of a symbol quoted in `quote` (`BTCUSDT`/`USDT` → BTC, `SIM-USD`/`USD` → SIM, `XBT/CHF` → XBT). */
export function baseAssetOf(symbol: string, quote: string): string {
  const upper = symbol.toUpperCase();
  const q = quote.toUpperCase();
  const trimmed = upper.endsWith(q) ? upper.slice(0, upper.length - q.length) : upper;
  return trimmed.replace(/[-/_:.]+$/, '') || upper;
}

/** Every firm-wide limit with its use by the running desks it covers (pure). */
export function firmUsage(limits: FirmLimits, desks: readonly DeskSummaryView[]): FirmLimitUse[] {
  const live = desks.filter((desk) => desk.status === 'running');
  const out: FirmLimitUse[] = [];
  for (const [currency, limit] of Object.entries(limits.maxLoss ?? {})) {
    const covered = live.filter((desk) => desk.quoteCurrency === currency);
    const loss = -covered.reduce((sum, desk) => sum + desk.pnl, 0);
    out.push({ kind: 'maxLoss', unit: currency, limit, used: loss, fraction: Math.max(0, loss) / limit, breached: loss >= limit, desks: covered.map((desk) => desk.name), text: `total loss ${loss.toFixed(2)} ${currency} ≥ ${limit}` });
  }
  for (const [currency, limit] of Object.entries(limits.maxGrossNotional ?? {})) {
    const covered = live.filter((desk) => desk.quoteCurrency === currency);
    const gross = covered.reduce((sum, desk) => sum + desk.grossNotional, 0);
    out.push({ kind: 'maxGrossNotional', unit: currency, limit, used: gross, fraction: gross / limit, breached: gross > limit, desks: covered.map((desk) => desk.name), text: `gross notional ${gross.toFixed(2)} ${currency} > ${limit}` });
  }
  for (const [asset, limit] of Object.entries(limits.maxNetExposure ?? {})) {
    const covered = live.filter((desk) => desk.baseAsset === asset);
    const net = covered.reduce((sum, desk) => sum + desk.inventory, 0);
    out.push({ kind: 'maxNetExposure', unit: asset, limit, used: net, fraction: Math.abs(net) / limit, breached: Math.abs(net) > limit, desks: covered.map((desk) => desk.name), text: `net exposure ${net} ${asset} beyond ±${limit}` });
  }
  return out;
}

/** The first firm-wide limit the summaries breach, and the desks it covers; null when none is. */
export function firmBreach(limits: FirmLimits, desks: readonly DeskSummaryView[]): { readonly text: string; readonly desks: string[] } | null {
  const breached = firmUsage(limits, desks).find((use) => use.breached);
  return breached ? { text: breached.text, desks: [...breached.desks] } : null;
}
