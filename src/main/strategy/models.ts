/**
 * Closed forms of the two optimal market-making models, as pure arithmetic on numbers: Avellaneda–Stoikov
 * (2008) with a finite horizon or its stationary (infinite-horizon) form, and the Guéant–Lehalle–
 * Fernandez-Tapia (2013) closed-form approximation as given by Guéant (2017).
 *
 * Units (one convention for both models): prices and δ in ticks; time in seconds; σ in ticks per √second;
 * the order-arrival intensity λ(δ) = A·exp(−κδ) with A per second and κ per tick; inventory q in units of
 * the base quote size (q = inventoryLots / baseLots), so the inventory bound Q is the hard limit in those
 * units; γ per (unit of q × tick). Each function reads its inputs from, and writes the centre of the quotes
 * and the half-spread (ticks) into, one caller-owned `ModelQuote`: no fractional number crosses a call
 * boundary (V8 boxes doubles passed to or returned from a call it did not inline), so nothing is allocated.
 * They know nothing of books, sizes or rounding: the strategy applies those rules to every model alike.
 */

/** Inputs and output of a model: quotes at centre ± halfSpread (ticks), before widening and rounding. */
export interface ModelQuote {
  /** Mid price s (the fair value), ticks. */
  s: number;
  /** Inventory in units of the base size. */
  q: number;
  /** Risk aversion γ. */
  gamma: number;
  /** σ, ticks per √second (unused by the infinite-horizon Avellaneda–Stoikov form). */
  sigma: number;
  /** Time to the horizon T − t, seconds (finite-horizon Avellaneda–Stoikov only). */
  tauSec: number;
  /** Intensity A, per second (GLFT only), and κ, per tick. */
  intensityA: number;
  kappa: number;
  /** Inventory bound Q in units of the base size (infinite-horizon Avellaneda–Stoikov and GLFT). */
  boundQ: number;
  /** Output: centre of the two quotes (the reservation / indifference mid), in fractional ticks. */
  center: number;
  /** Output: half of the distance between the two quotes, in ticks. */
  halfSpread: number;
}

/** A model scratch with every field a double from the start (one stable shape for the JIT), then `inputs`. */
export function newModelQuote(inputs: Partial<ModelQuote> = {}): ModelQuote {
  const m: ModelQuote = {
    s: Number.NaN, q: Number.NaN, gamma: Number.NaN, sigma: Number.NaN, tauSec: Number.NaN, intensityA: Number.NaN,
    kappa: Number.NaN, boundQ: Number.NaN, center: Number.NaN, halfSpread: Number.NaN,
  };
  return Object.assign(m, inputs);
}

/** The spread term shared by both models: (1/γ)·ln(1 + γ/κ), in ticks (log1p keeps small γ/κ exact). */
export function intensitySpreadTerm(gamma: number, kappa: number): number {
  return Math.log1p(gamma / kappa) / gamma;
}

/**
 * Avellaneda–Stoikov, finite horizon (their eq. 2.12 and the optimal spread):
 *   reservation r = s − q·γ·σ²·(T − t)
 *   total spread δa + δb = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/κ), split evenly around r.
 */
export function avellanedaStoikovFinite(m: ModelQuote): void {
  const gamma = m.gamma;
  const inventoryTerm = gamma * m.sigma * m.sigma * m.tauSec;
  m.center = m.s - m.q * inventoryTerm;
  m.halfSpread = (inventoryTerm + (2 * Math.log1p(gamma / m.kappa)) / gamma) / 2;
}

/**
 * Avellaneda–Stoikov, infinite horizon (their §2.4, stationary form with a discount ω). Indifference prices
 *   r^a = s + (1/γ)·ln(1 + (1 − 2q)·γ²σ² / (2ω − γ²q²σ²))
 *   r^b = s + (1/γ)·ln(1 + (−1 − 2q)·γ²σ² / (2ω − γ²q²σ²))
 * with the paper's choice ω = ½·γ²σ²·(Q + 1)², Q the inventory bound; quotes
 *   ask = r^a + (1/γ)·ln(1 + γ/κ),   bid = r^b − (1/γ)·ln(1 + γ/κ).
 * Documented consequence of that ω: γ²σ² cancels, so the ratios are (±1 − 2q) / ((Q + 1)² − q²) and the
 * quotes do not depend on σ. q is clamped to [−Q, Q]; at q = Q the bid's log argument is 0 (no buying at
 * the bound), so it is floored at 1e-12 — that side has no room to the hard limit and is never quoted.
 */
export function avellanedaStoikovInfinite(m: ModelQuote): void {
  const { s, q, gamma, boundQ } = m;
  const qc = q > boundQ ? boundQ : q < -boundQ ? -boundQ : q;
  const denominator = (boundQ + 1) * (boundQ + 1) - qc * qc;
  const argAsk = Math.max(1e-12, 1 + (1 - 2 * qc) / denominator);
  const argBid = Math.max(1e-12, 1 + (-1 - 2 * qc) / denominator);
  const indifferenceAsk = s + Math.log(argAsk) / gamma;
  const indifferenceBid = s + Math.log(argBid) / gamma;
  const term = Math.log1p(gamma / m.kappa) / gamma;
  const ask = indifferenceAsk + term;
  const bid = indifferenceBid - term;
  m.center = (ask + bid) / 2;
  m.halfSpread = (ask - bid) / 2;
}

/**
 * Guéant–Lehalle–Fernandez-Tapia closed-form approximation (Guéant 2017, with ξ = γ and Δ = 1 unit):
 *   c1 = (1/γ)·ln(1 + γ/κ),  c2 = sqrt( σ²γ / (2Aκ) · (1 + γ/κ)^(1 + κ/γ) )
 *   δb(q) = c1 + (2q + 1)/2 · c2   (bid = s − δb)
 *   δa(q) = c1 − (2q − 1)/2 · c2   (ask = s + δa)
 * so the centre is s − q·c2 and the half-spread c1 + c2/2. q is clamped to the bounds [−Q, Q]; beyond
 * them the size rules stop the side that would cross the hard limit.
 */
export function glft(m: ModelQuote): void {
  const { q, gamma, sigma, kappa, boundQ } = m;
  const qc = q > boundQ ? boundQ : q < -boundQ ? -boundQ : q;
  const c1 = Math.log1p(gamma / kappa) / gamma;
  // (1 + γ/κ)^(1 + κ/γ) through exp/log1p: stays exact when γ/κ is tiny (it tends to e).
  const power = Math.exp((1 + kappa / gamma) * Math.log1p(gamma / kappa));
  const c2 = Math.sqrt(((sigma * sigma * gamma) / (2 * m.intensityA * kappa)) * power);
  m.center = m.s - qc * c2;
  m.halfSpread = c1 + c2 / 2;
}
