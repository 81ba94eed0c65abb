/**
 * The desk's parameters: strategy, execution and risk, with their ranges and units, as one schema.
 *
 * Every parameter set that enters the desk (a `--params` file, `PUT /api/params`, the Electron IPC call,
 * the monitor's editor) is validated here as a WHOLE: a patch is merged into the current set and the
 * result must pass, or nothing changes. Names carry their unit (`Bps`, `Lots`, `Ms`, `Sec`, `Annual`).
 * Pure: no node, electron or DOM imports.
 */
import { z } from 'zod';

const bps = (max: number) => z.number().finite().min(0).max(max);
const lots = () => z.number().int().min(0).max(1e12);

export const FAIR_VALUE_SCHEMA = z.strictObject({
  /** Article `calculate_fair_value`: mid + imbalance × tick × factor, imbalance from top-of-book sizes. */
  topOfBookNudge: z.strictObject({
    enabled: z.boolean(),
    /** Ticks of nudge per unit of top-of-book imbalance (the article uses 0.5). */
    ticksPerImbalance: z.number().finite().min(0).max(100),
  }),
  /** Article `OrderBookImbalanceModel`: depth-weighted imbalance (weight 1/(i+1)) × sensitivity, in bps. */
  depthImbalance: z.strictObject({
    enabled: z.boolean(),
    levels: z.number().int().min(1).max(50),
    sensitivityBps: bps(100),
  }),
});

export const SPREAD_SCHEMA = z.strictObject({
  /** Full quoted spread in basis points of fair value before adjustments. */
  baseBps: z.number().finite().min(0.01).max(10_000),
  /** ONE volatility term: spread × (σ_observed / σ_normal), σ annualised from the observed mids. */
  volatility: z.strictObject({
    enabled: z.boolean(),
    normalVolAnnual: z.number().finite().min(0.001).max(20),
    /** Number of mid samples in the rolling window. */
    windowSamples: z.number().int().min(2).max(100_000),
    /** Minimum time between two mid samples. */
    sampleIntervalMs: z.number().int().min(1).max(3_600_000),
    /** Bounds of the volatility multiplier, so a calm or wild start cannot collapse or explode the spread. */
    minMultiplier: z.number().finite().min(0).max(100),
    maxMultiplier: z.number().finite().min(1).max(1_000),
  }),
  /** Never quote tighter than this fraction of the market spread (the article uses 0.5). */
  marketFloorFraction: z.number().finite().min(0).max(10),
});

export const SKEW_SCHEMA = z.strictObject({
  enabled: z.boolean(),
  /** Skew of both quotes, in bps of fair value, when inventory − target equals the hard limit. */
  bpsAtMaxInventory: bps(10_000),
});

export const SIZE_SCHEMA = z.strictObject({
  /** Quote size at zero inventory (the article hard-codes 1000). */
  baseLots: z.number().int().min(1).max(1e12),
  /** Size shrinks linearly with |inventory| / hard limit. */
  shrinkWithInventory: z.boolean(),
  /** Fraction of the size kept on the side that would grow the position (the article uses 0.5). */
  growingSideFactor: z.number().finite().min(0).max(1),
});

export const ADVERSE_SELECTION_SCHEMA = z.strictObject({
  enabled: z.boolean(),
  /** Markout horizon whose sign decides whether a fill was adverse. */
  horizonSec: z.union([z.literal(1), z.literal(5), z.literal(30), z.literal(60)]),
  /** Number of most recent fills (with a completed markout) in the rate. */
  windowFills: z.number().int().min(1).max(100_000),
  /** Widen the spread by (1 + rate) when the rate exceeds this threshold (the article uses 0.6). */
  threshold: z.number().finite().min(0).max(1),
});

export const SCHEDULE_ENTRY_SCHEMA = z.strictObject({
  /** Minutes after midnight UTC at which the entry starts (inclusive). */
  fromMinuteUtc: z.number().int().min(0).max(1439),
  /** Minutes after midnight UTC at which the entry ends (exclusive); may wrap past midnight. */
  toMinuteUtc: z.number().int().min(1).max(1440),
  spreadMultiplier: z.number().finite().min(0.1).max(100),
  /** false: do not quote at all in this window. */
  quote: z.boolean(),
});

export const AVELLANEDA_STOIKOV_SCHEMA = z.strictObject({
  /** Risk aversion γ, per unit of inventory × price². */
  gamma: z.number().finite().min(1e-9).max(1e6),
  /** `infinite`: stationary form; `session`: T − t counts down over `horizonSec`. */
  horizon: z.enum(['infinite', 'session']),
  horizonSec: z.number().finite().min(1).max(7 * 86_400),
  /** Order-arrival intensity λ(δ) = A·exp(−κ·δ), δ in ticks; calibrated from trades unless fixed. */
  intensity: z.enum(['calibrated', 'fixed']),
  fixedA: z.number().finite().min(1e-9).max(1e9),
  fixedKappa: z.number().finite().min(1e-9).max(1e6),
});

export const GLFT_SCHEMA = z.strictObject({
  gamma: z.number().finite().min(1e-9).max(1e6),
  intensity: z.enum(['calibrated', 'fixed']),
  fixedA: z.number().finite().min(1e-9).max(1e9),
  fixedKappa: z.number().finite().min(1e-9).max(1e6),
});

export const STRATEGY_SCHEMA = z.strictObject({
  model: z.enum(['heuristic', 'avellaneda-stoikov', 'glft']),
  fairValue: FAIR_VALUE_SCHEMA,
  spread: SPREAD_SCHEMA,
  skew: SKEW_SCHEMA,
  size: SIZE_SCHEMA,
  adverseSelection: ADVERSE_SELECTION_SCHEMA,
  schedule: z.array(SCHEDULE_ENTRY_SCHEMA).max(48),
  /** Allow a quote to cross the market (take liquidity). Off: quotes are kept passive. */
  allowTaking: z.boolean(),
  avellanedaStoikov: AVELLANEDA_STOIKOV_SCHEMA,
  glft: GLFT_SCHEMA,
});

export const EXECUTION_SCHEMA = z.strictObject({
  /** Keep a working order unless the desired price moved at least this many ticks (0: any change). */
  requoteThresholdTicks: z.number().int().min(0).max(1_000_000),
  /** Keep a working order unless its size differs by more than this fraction from the desired size. */
  requoteSizeFraction: z.number().finite().min(0).max(1),
  /** Paper fill model on live data and replays: queue-aware, or the article's optimistic touch fill. */
  fillModel: z.enum(['queue', 'touch']),
  /** Probability model for queue advance on cancels (hftbacktest's power / logarithmic families). */
  queueModel: z.enum(['power', 'log']),
  queuePower: z.number().finite().min(0.1).max(10),
  /** One-way order-entry latency and acknowledgement latency of the paper venue. */
  entryLatencyMs: z.number().finite().min(0).max(10_000),
  ackLatencyMs: z.number().finite().min(0).max(10_000),
  /** Fees in bps of notional; negative means a rebate. */
  makerFeeBps: z.number().finite().min(-100).max(100),
  takerFeeBps: z.number().finite().min(-100).max(100),
});

export const RISK_SCHEMA = z.strictObject({
  /** Hard inventory limit (both sides): no order may take |inventory| beyond it. */
  maxInventoryLots: z.number().int().min(1).max(1e12),
  /** Soft warning level, at or below the hard limit. */
  softInventoryLots: lots(),
  /** Inventory the skew steers toward. */
  targetInventoryLots: z.number().int().min(-1e12).max(1e12),
  /** Mark-to-market loss (fees included) that halts trading, per session and per UTC day, in quote currency. */
  maxLossSession: z.number().finite().min(0).max(1e12),
  maxLossDaily: z.number().finite().min(0).max(1e12),
  /** Orders (new + cancels) per second sent to the venue. */
  maxOrdersPerSec: z.number().finite().min(0.1).max(10_000),
  /** N fills within T seconds → pause. */
  fillBurstCount: z.number().int().min(1).max(1_000_000),
  fillBurstWindowSec: z.number().finite().min(0.01).max(86_400),
  /** A working quote older than this is re-sent (0: no limit). */
  maxQuoteAgeSec: z.number().finite().min(0).max(86_400),
  /** Fair value moving more than X bps within T seconds → pause. */
  priceBandBps: z.number().finite().min(0.1).max(100_000),
  priceBandWindowSec: z.number().finite().min(0.01).max(86_400),
  /** Adverse-selection breaker over the recent fills at the strategy's horizon. */
  adverseBreakerRate: z.number().finite().min(0).max(1),
  adverseBreakerMinFills: z.number().int().min(1).max(100_000),
  adverseBreakerAction: z.enum(['widen', 'pause']),
  /** No market message for this long → pull quotes at once. */
  staleFeedMs: z.number().int().min(10).max(3_600_000),
  /** Quote again by itself once the feed is healthy again after a stale or untrusted spell. */
  autoResumeWhenHealthy: z.boolean(),
});

export const PARAMS_SCHEMA = z.strictObject({
  strategy: STRATEGY_SCHEMA,
  execution: EXECUTION_SCHEMA,
  risk: RISK_SCHEMA,
});

export type FairValueParams = z.infer<typeof FAIR_VALUE_SCHEMA>;
export type SpreadParams = z.infer<typeof SPREAD_SCHEMA>;
export type SkewParams = z.infer<typeof SKEW_SCHEMA>;
export type SizeParams = z.infer<typeof SIZE_SCHEMA>;
export type AdverseSelectionParams = z.infer<typeof ADVERSE_SELECTION_SCHEMA>;
export type ScheduleEntry = z.infer<typeof SCHEDULE_ENTRY_SCHEMA>;
export type AvellanedaStoikovParams = z.infer<typeof AVELLANEDA_STOIKOV_SCHEMA>;
export type GlftParams = z.infer<typeof GLFT_SCHEMA>;
export type StrategyParams = z.infer<typeof STRATEGY_SCHEMA>;
export type ExecutionParams = z.infer<typeof EXECUTION_SCHEMA>;
export type RiskParams = z.infer<typeof RISK_SCHEMA>;
export type DeskParams = z.infer<typeof PARAMS_SCHEMA>;
export type QuotingModel = StrategyParams['model'];

/** A parameter patch: any subset of the tree; arrays replace whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export const DEFAULT_PARAMS: DeskParams = {
  strategy: {
    model: 'heuristic',
    fairValue: {
      topOfBookNudge: { enabled: true, ticksPerImbalance: 0.5 },
      depthImbalance: { enabled: true, levels: 5, sensitivityBps: 2 },
    },
    spread: {
      baseBps: 4,
      volatility: {
        enabled: true,
        normalVolAnnual: 0.2,
        // Five-second samples over ten minutes: at one-second sampling the bid-ask bounce of the mid
        // dominates the estimate on a one-tick-wide market and the spread balloons for no real risk.
        windowSamples: 120,
        sampleIntervalMs: 5_000,
        minMultiplier: 0.5,
        maxMultiplier: 5,
      },
      marketFloorFraction: 0.5,
    },
    skew: { enabled: true, bpsAtMaxInventory: 4 },
    size: { baseLots: 100, shrinkWithInventory: true, growingSideFactor: 0.5 },
    adverseSelection: { enabled: true, horizonSec: 5, windowFills: 100, threshold: 0.6 },
    schedule: [],
    allowTaking: false,
    avellanedaStoikov: {
      gamma: 0.1,
      horizon: 'infinite',
      horizonSec: 23_400,
      intensity: 'calibrated',
      fixedA: 1,
      fixedKappa: 1.5,
    },
    glft: { gamma: 0.1, intensity: 'calibrated', fixedA: 1, fixedKappa: 1.5 },
  },
  execution: {
    requoteThresholdTicks: 2,
    requoteSizeFraction: 0.5,
    fillModel: 'queue',
    queueModel: 'power',
    queuePower: 2,
    entryLatencyMs: 5,
    ackLatencyMs: 5,
    makerFeeBps: -0.2,
    takerFeeBps: 3,
  },
  risk: {
    maxInventoryLots: 1_000,
    softInventoryLots: 750,
    targetInventoryLots: 0,
    maxLossSession: 5_000,
    maxLossDaily: 10_000,
    maxOrdersPerSec: 50,
    fillBurstCount: 50,
    fillBurstWindowSec: 1,
    maxQuoteAgeSec: 0,
    priceBandBps: 200,
    priceBandWindowSec: 5,
    adverseBreakerRate: 0.9,
    adverseBreakerMinFills: 20,
    adverseBreakerAction: 'widen',
    staleFeedMs: 5_000,
    autoResumeWhenHealthy: true,
  },
};

export interface ParamIssue {
  /** Dotted path of the offending field, e.g. `risk.maxInventoryLots`. */
  readonly field: string;
  readonly message: string;
}

export type ParamsResult = { ok: true; params: DeskParams } | { ok: false; issue: ParamIssue };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges a patch into a base; arrays and scalars in the patch replace; unknown keys are kept for validation to reject. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = mergePatch(base[key], value);
  return out;
}

/** Validates a whole parameter set; the first problem is named by its dotted path. */
export function validateParams(candidate: unknown): ParamsResult {
  const parsed = PARAMS_SCHEMA.safeParse(candidate);
  if (parsed.success) {
    const cross = crossFieldIssue(parsed.data);
    return cross ? { ok: false, issue: cross } : { ok: true, params: parsed.data };
  }
  const first = parsed.error.issues[0];
  const field = first ? first.path.map(String).join('.') : '';
  return { ok: false, issue: { field, message: first ? first.message : 'invalid parameters' } };
}

/** Applies a patch to the current parameters and validates the result as a whole. */
export function applyParamsPatch(current: DeskParams, patch: unknown): ParamsResult {
  if (!isPlainObject(patch)) return { ok: false, issue: { field: '', message: 'parameters must be a JSON object' } };
  return validateParams(mergePatch(current, patch));
}

function crossFieldIssue(params: DeskParams): ParamIssue | null {
  const { risk, strategy } = params;
  if (risk.softInventoryLots > risk.maxInventoryLots) {
    return { field: 'risk.softInventoryLots', message: 'soft inventory level must not exceed maxInventoryLots' };
  }
  if (Math.abs(risk.targetInventoryLots) >= risk.maxInventoryLots) {
    return { field: 'risk.targetInventoryLots', message: 'target inventory must lie strictly inside the hard limit' };
  }
  const vol = strategy.spread.volatility;
  if (vol.minMultiplier > vol.maxMultiplier) {
    return { field: 'strategy.spread.volatility.minMultiplier', message: 'minMultiplier must not exceed maxMultiplier' };
  }
  for (let i = 0; i < strategy.schedule.length; i++) {
    const entry = strategy.schedule[i];
    if (entry && entry.fromMinuteUtc === entry.toMinuteUtc) {
      return { field: `strategy.schedule.${i}.toMinuteUtc`, message: 'a schedule window must not be empty' };
    }
  }
  return null;
}

/** Lists the leaf paths whose values differ between two parameter sets (for the editor's diff and the audit). */
export function diffParams(before: unknown, after: unknown, prefix = ''): Array<{ field: string; before: unknown; after: unknown }> {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    const out: Array<{ field: string; before: unknown; after: unknown }> = [];
    for (const key of keys) out.push(...diffParams(before[key], after[key], prefix ? `${prefix}.${key}` : key));
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ field: prefix, before, after }];
}
