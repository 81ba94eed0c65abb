/**
 * Queue-position arithmetic of the paper venue, after hftbacktest's `ProbQueueModel`: how much of a
 * level-size decrease that trades do not explain (a cancel) was AHEAD of our order.
 *
 * With `ahead` = volume ahead of us and `behind` = (previous level size − ahead), the share of a cancel
 * taken from ahead of us is f(ahead) / (f(ahead) + f(behind)), with f(x) = xⁿ ('power', n = queuePower)
 * or f(x) = ln(1 + x) ('log'). If the share attributed to behind us exceeds what is behind, the excess
 * comes from ahead too. The estimate never exceeds the new level size and never goes below zero (a cancel
 * never fills us). Pure arithmetic: no state, no allocation.
 */
import { assertNever } from '../../../shared/units.js';

export type QueueProbability = 'power' | 'log';

function f(model: QueueProbability, power: number, x: number): number {
  switch (model) {
    case 'power':
      return x ** power;
    case 'log':
      return Math.log1p(x);
    default:
      return assertNever(model, 'queue model');
  }
}

/** Share (0..1) of a cancel that is ahead of our order. */
export function cancelShareAhead(model: QueueProbability, power: number, ahead: number, behind: number): number {
  const fa = f(model, power, Math.max(0, ahead));
  const fb = f(model, power, Math.max(0, behind));
  const sum = fa + fb;
  if (!Number.isFinite(sum)) {
    // Overflow of xⁿ on huge levels: fall back to the linear share, which the power family tends to order.
    if (!Number.isFinite(fa) && !Number.isFinite(fb)) return ahead / (ahead + behind);
    return Number.isFinite(fa) ? 0 : 1;
  }
  return sum > 0 ? fa / sum : 0;
}

/**
 * New volume ahead of our order after the level went from `prevSize` to `newSize`, of which `traded`
 * lots were explained by trades at this price already applied to `ahead`.
 */
export function advanceOnDepth(
  model: QueueProbability,
  power: number,
  ahead: number,
  prevSize: number,
  newSize: number,
  traded: number,
): number {
  const cancelled = prevSize - newSize - traded;
  let est = ahead;
  if (cancelled > 0) {
    const front = Math.max(0, ahead);
    const back = Math.max(0, prevSize - traded - front);
    const shareAhead = cancelShareAhead(model, power, front, back);
    est = front - shareAhead * cancelled + Math.min(back - (1 - shareAhead) * cancelled, 0);
  }
  return Math.max(0, Math.min(est, newSize));
}
