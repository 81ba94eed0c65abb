/**
 * Closed forms of the two optimal market-making models, as pure arithmetic on numbers: Avellaneda–Stoikov
 * (2008) with a finite horizon or its stationary (infinite-horizon) form, and the Guéant–Lehalle–
 * Fernandez-Tapia (2013) closed-form approximation as given by Guéant (2017).
 *
 * Units (one convention for both models): prices and δ in ticks; time in seconds; σ in ticks per √second;
 * the order-arrival intensity λ(δ) = A·exp(−κδ) with A per second and κ per tick; inventory q in units of
 * the base quote size (q = inventoryLots / baseLots), so the inventory bound Q is the hard limit in those
 * units; γ per (unit of q × tick). Each function writes the centre of the quotes and the half-spread (ticks)
 * into a caller-owned `ModelQuote` and allocates nothing. They know nothing of books, sizes or rounding: the
 * strategy applies those rules to every model alike.
 */

/** Output of a model: quotes at centre ± halfSpread (ticks), before widening and rounding. */
export interface ModelQuote {
  /** Centre of the two quotes (the reservation / indifference mid), in fractional ticks. */
  center: number;
  /** Half of the distance between the two quotes, in ticks. */
  halfSpread: number;
}

export function newModelQuote(): ModelQuote {
  return { center: Number.NaN, halfSpread: Number.NaN };
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
export function avellanedaStoikovFinite(
  s: number, q: number, gamma: number, sigma: number, tauSec: number, kappa: number, out: ModelQuote,
): void {
  const inventoryTerm = gamma * sigma * sigma * tauSec;
  out.center = s - q * inventoryTerm;
  out.halfSpread = (inventoryTerm + 2 * intensitySpreadTerm(gamma, kappa)) / 2;
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
export function avellanedaStoikovInfinite(
  s: number, q: number, gamma: number, boundQ: number, kappa: number, out: ModelQuote,
): void {
  const qc = q > boundQ ? boundQ : q < -boundQ ? -boundQ : q;
  const denominator = (boundQ + 1) * (boundQ + 1) - qc * qc;
  const argAsk = Math.max(1e-12, 1 + (1 - 2 * qc) / denominator);
  const argBid = Math.max(1e-12, 1 + (-1 - 2 * qc) / denominator);
  const indifferenceAsk = s + Math.log(argAsk) / gamma;
  const indifferenceBid = s + Math.log(argBid) / gamma;
  const term = intensitySpreadTerm(gamma, kappa);
  const ask = indifferenceAsk + term;
  const bid = indifferenceBid - term;
  out.center = (ask + bid) / 2;
  out.halfSpread = (ask - bid) / 2;
}

/**
 * Guéant–Lehalle–Fernandez-Tapia closed-form approximation (Guéant 2017, with ξ = γ and Δ = 1 unit):
 *   c1 = (1/γ)·ln(1 + γ/κ),  c2 = sqrt( σ²γ / (2Aκ) · (1 + γ/κ)^(1 + κ/γ) )
 *   δb(q) = c1 + (2q + 1)/2 · c2   (bid = s − δb)
 *   δa(q) = c1 − (2q − 1)/2 · c2   (ask = s + δa)
 * so the centre is s − q·c2 and the half-spread c1 + c2/2. q is clamped to the bounds [−Q, Q]; beyond
 * them the size rules stop the side that would cross the hard limit.
 */
export function glft(
  s: number, q: number, gamma: number, sigma: number, intensityA: number, kappa: number, boundQ: number, out: ModelQuote,
): void {
  const qc = q > boundQ ? boundQ : q < -boundQ ? -boundQ : q;
  const c1 = intensitySpreadTerm(gamma, kappa);
  // (1 + γ/κ)^(1 + κ/γ) through exp/log1p: stays exact when γ/κ is tiny (it tends to e).
  const power = Math.exp((1 + kappa / gamma) * Math.log1p(gamma / kappa));
  const c2 = Math.sqrt(((sigma * sigma * gamma) / (2 * intensityA * kappa)) * power);
  out.center = s - qc * c2;
  out.halfSpread = c1 + c2 / 2;
}
