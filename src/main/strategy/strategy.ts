/**
 * The quoting strategy the desk runs: one object that owns the online estimators (mid volatility and the
 * order-arrival intensity) and turns each `QuoteInputs` into a `QuoteDecision` with the selected model —
 * the article's heuristic chain, Avellaneda–Stoikov or GLFT — switched live by `params.strategy.model`.
 *
 * Every model goes through the same final rules: time-of-day schedule (multiplier, or no quoting with
 * 'outside-schedule'), adverse-selection widening × (1 + rate) BEFORE rounding, sizes with the hard inventory
 * limit, bid rounded down / ask rounded up after every adjustment, bid < ask by ≥ 1 tick, passive unless
 * taking is allowed. Pure (no I/O, no clock: time comes in the inputs), deterministic, and allocation-free
 * per event; `configure` is the only place that may allocate (a changed volatility window). It must not
 * place orders or look at risk state beyond what `QuoteInputs` carries.
 *
 * Choices worth knowing: the optimal models take the fair value (with its switchable imbalance terms) as
 * their mid s and put their own inventory term in place of the heuristic skew (`strategy.skew` and the
 * base spread, volatility multiplier and market floor are the heuristic's only); q = inventory / baseLots
 * and the bound Q = maxInventoryLots / baseLots. The schedule multiplier applies before the market floor in
 * the heuristic (the floor still protects a narrowed window), the adverse-selection factor after it (so it
 * always widens). The finite-horizon Avellaneda–Stoikov session starts at the first quote after the model
 * or its horizon was configured and restarts every `horizonSec`.
 */
import type { DeskParams } from '../../shared/params.js';
import { assertNever, type LocalUs } from '../../shared/units.js';
import type { MarketTrade } from '../market/types.js';
import {
  adverseMultiplier,
  applySizes,
  FairValue,
  finishQuote,
  inventorySkewBps,
  scheduleEntryAt,
  volatilityMultiplier,
} from './components.js';
import { IntensityCalibrator, type IntensityOptions } from './intensity.js';
import { avellanedaStoikovFinite, avellanedaStoikovInfinite, glft, newModelQuote } from './models.js';
import type { QuoteDecision, QuoteInputs, QuotingStrategy } from './types.js';
import { MidVolatility, SECONDS_PER_YEAR_365 } from './volatility.js';

export interface StrategyOptions {
  /** Year length used to annualise volatility; default 365 × 86 400 s (24/7 crypto). */
  secondsPerYear?: number;
  /** Options of the order-arrival intensity calibration (window, buckets, minimum trades). */
  intensity?: IntensityOptions;
}

/** Live view of the intensity used by the optimal models, for the monitor and tests. */
export interface IntensityView {
  /** A in trades per second at δ = 0. */
  a: number;
  /** κ per tick. */
  kappa: number;
  /** True when (A, κ) come from the calibration, false when they are the fixed fallback. */
  calibrated: boolean;
  tradesInWindow: number;
}

const US_PER_SEC = 1_000_000;

export class Strategy implements QuotingStrategy {
  private params: DeskParams;
  readonly volatility: MidVolatility;
  readonly intensity: IntensityCalibrator;
  private readonly model = newModelQuote();
  private readonly fairValue = new FairValue();
  /** Start of the current Avellaneda–Stoikov session (finite horizon), µs; NaN until the first quote. */
  private sessionStartUs = Number.NaN;
  private lastA = Number.NaN;
  private lastKappa = Number.NaN;
  private lastCalibrated = false;

  constructor(params: DeskParams, options: StrategyOptions = {}) {
    this.params = params;
    const vol = params.strategy.spread.volatility;
    this.volatility = new MidVolatility(vol.windowSamples, vol.sampleIntervalMs, options.secondsPerYear ?? SECONDS_PER_YEAR_365);
    this.intensity = new IntensityCalibrator(options.intensity);
  }

  configure(params: DeskParams): void {
    const before = this.params.strategy;
    const after = params.strategy;
    this.volatility.reconfigure(after.spread.volatility.windowSamples, after.spread.volatility.sampleIntervalMs);
    // A new model, or a changed horizon, starts a new Avellaneda–Stoikov session at the next quote.
    if (
      before.model !== after.model ||
      before.avellanedaStoikov.horizon !== after.avellanedaStoikov.horizon ||
      before.avellanedaStoikov.horizonSec !== after.avellanedaStoikov.horizonSec
    ) {
      this.sessionStartUs = Number.NaN;
    }
    this.params = params;
  }

  observeMid(nowUs: LocalUs, midTicks: number): void {
    this.volatility.observe(nowUs, midTicks);
  }

  observeTrade(trade: MarketTrade, midTicksBefore: number): void {
    if (!Number.isFinite(midTicksBefore)) return;
    this.intensity.observe(trade.localUs, Math.abs(trade.price - midTicksBefore));
  }

  /** The (A, κ) used by the last optimal-model quote (NaN before one). */
  intensityView(): IntensityView {
    return { a: this.lastA, kappa: this.lastKappa, calibrated: this.lastCalibrated, tradesInWindow: this.intensity.tradeCount() };
  }

  quote(inputs: QuoteInputs, out: QuoteDecision): void {
    const strategy = this.params.strategy;
    const risk = this.params.risk;
    const bestBid = inputs.bestBid;
    const bestAsk = inputs.bestAsk;
    const inventory = inputs.inventoryLots;
    this.fairValue.compute(inputs.book, bestBid, bestAsk, strategy.fairValue);
    const fair = this.fairValue.value;
    const entry = scheduleEntryAt(strategy.schedule, inputs.nowUs);
    const scheduleMult = entry === null ? 1 : entry.spreadMultiplier;
    const adverseMult = adverseMultiplier(strategy.adverseSelection, inputs.adverseRate, inputs.adverseBreakerWiden);
    const volAnnual = this.volatility.volAnnual();
    let volMult = 1;
    let center: number;
    let halfSpread: number;

    const model = strategy.model;
    switch (model) {
      case 'heuristic': {
        volMult = volatilityMultiplier(volAnnual, strategy.spread.volatility);
        // Full spread in ticks: bps of fair value (defect 1), ONE volatility term (defect 2), the schedule.
        let spreadTicks = (fair * strategy.spread.baseBps * volMult * scheduleMult) / 10_000;
        const floorTicks = strategy.spread.marketFloorFraction * (bestAsk - bestBid);
        if (spreadTicks < floorTicks) spreadTicks = floorTicks;
        // Adverse-selection widening after the floor (it must always widen) and before rounding (defect 4).
        halfSpread = (spreadTicks * adverseMult) / 2;
        const skewBps = strategy.skew.enabled
          ? inventorySkewBps(inventory, risk.targetInventoryLots, risk.maxInventoryLots, strategy.skew.bpsAtMaxInventory)
          : 0;
        center = fair + (fair * skewBps) / 10_000;
        break;
      }
      case 'avellaneda-stoikov': {
        const as = strategy.avellanedaStoikov;
        const m = this.model;
        this.resolveIntensity(inputs.nowUs, as);
        m.s = fair;
        m.q = inventory / strategy.size.baseLots;
        m.gamma = as.gamma;
        m.intensityA = this.lastA;
        m.kappa = this.lastKappa;
        m.boundQ = risk.maxInventoryLots / strategy.size.baseLots;
        if (as.horizon === 'infinite') {
          avellanedaStoikovInfinite(m);
        } else {
          if (Number.isNaN(this.sessionStartUs)) this.sessionStartUs = inputs.nowUs;
          const horizonUs = as.horizonSec * US_PER_SEC;
          const elapsedUs = (((inputs.nowUs - this.sessionStartUs) % horizonUs) + horizonUs) % horizonUs;
          m.tauSec = (horizonUs - elapsedUs) / US_PER_SEC;
          this.setSigma();
          avellanedaStoikovFinite(m);
        }
        center = m.center;
        halfSpread = m.halfSpread * scheduleMult * adverseMult;
        break;
      }
      case 'glft': {
        const g = strategy.glft;
        const m = this.model;
        this.resolveIntensity(inputs.nowUs, g);
        m.s = fair;
        m.q = inventory / strategy.size.baseLots;
        m.gamma = g.gamma;
        m.intensityA = this.lastA;
        m.kappa = this.lastKappa;
        m.boundQ = risk.maxInventoryLots / strategy.size.baseLots;
        this.setSigma();
        glft(m);
        center = m.center;
        halfSpread = m.halfSpread * scheduleMult * adverseMult;
        break;
      }
      default:
        assertNever(model, 'quoting model');
    }

    const bidRaw = center - halfSpread;
    const askRaw = center + halfSpread;
    out.fairValue = fair;
    out.reservation = center;
    out.bidHalfSpreadBps = ((fair - bidRaw) / fair) * 10_000;
    out.askHalfSpreadBps = ((askRaw - fair) / fair) * 10_000;
    out.skewBps = ((center - fair) / fair) * 10_000;
    out.volAnnual = volAnnual;
    out.volMultiplier = volMult;
    out.adverseMultiplier = adverseMult;
    out.scheduleMultiplier = scheduleMult;

    applySizes(inventory, risk.maxInventoryLots, strategy.size, out);
    if (entry !== null && !entry.quote) {
      out.bidSize = 0;
      out.askSize = 0;
      out.bidReason = 'outside-schedule';
      out.askReason = 'outside-schedule';
    }
    finishQuote(bidRaw, askRaw, bestBid, bestAsk, strategy.allowTaking, out);
  }

  /**
   * Sets σ of the optimal models, in ticks per √second. While the estimator has too few samples it falls back to
   * the configured normal volatility (spread.volatility.normalVolAnnual) at this price: a prior, never 0.
   */
  private setSigma(): void {
    const fair = this.model.s;
    const sigma = this.volatility.sigmaTicksPerSqrtSec(fair);
    this.model.sigma = Number.isFinite(sigma)
      ? sigma
      : (this.params.strategy.spread.volatility.normalVolAnnual * fair) / Math.sqrt(this.volatility.secondsPerYear);
  }

  /** (A, κ) for this quote: the calibration when asked for and trusted, else the model's fixed values. */
  private resolveIntensity(nowUs: number, source: { intensity: 'calibrated' | 'fixed'; fixedA: number; fixedKappa: number }): void {
    if (source.intensity === 'calibrated' && this.intensity.calibrate(nowUs)) {
      this.lastA = this.intensity.intensityA();
      this.lastKappa = this.intensity.kappa();
      this.lastCalibrated = true;
    } else {
      this.lastA = source.fixedA;
      this.lastKappa = source.fixedKappa;
      this.lastCalibrated = false;
    }
  }
}

/** Creates the desk's quoting strategy for a validated parameter set. */
export function createStrategy(params: DeskParams, options: StrategyOptions = {}): Strategy {
  return new Strategy(params, options);
}
