/**
 * Shared helpers of the strategy tests: parameter sets derived from DEFAULT_PARAMS (validated, so a test
 * can never run on a set the desk would reject), and QuoteInputs around a test book.
 */
import { expect } from 'vitest';
import { DEFAULT_PARAMS, validateParams, type DeskParams } from '../../../src/shared/params.js';
import type { QuoteInputs } from '../../../src/main/strategy/types.js';
import type { BookReader } from '../../../src/main/market/types.js';

type Mutator = (p: DeskParams) => void;

/** DEFAULT_PARAMS with every optional adjustment off, then `mutate`, validated as the desk would. */
export function plainParams(mutate: Mutator = () => {}): DeskParams {
  const p = structuredClone(DEFAULT_PARAMS);
  p.strategy.fairValue.topOfBookNudge.enabled = false;
  p.strategy.fairValue.depthImbalance.enabled = false;
  p.strategy.spread.volatility.enabled = false;
  p.strategy.spread.marketFloorFraction = 0;
  p.strategy.skew.enabled = false;
  p.strategy.adverseSelection.enabled = false;
  p.strategy.size.shrinkWithInventory = false;
  mutate(p);
  return validated(p);
}

export function validated(p: DeskParams): DeskParams {
  const result = validateParams(p);
  if (!result.ok) throw new Error(`invalid test params: ${result.issue.field}: ${result.issue.message}`);
  return result.params;
}

export function inputs(book: BookReader, over: Partial<QuoteInputs> = {}): QuoteInputs {
  return {
    nowUs: 1_700_000_000_000_000,
    book,
    bestBid: book.bestBid(),
    bestAsk: book.bestAsk(),
    inventoryLots: 0,
    adverseRate: Number.NaN,
    adverseBreakerWiden: false,
    ...over,
  };
}

export function expectClose(actual: number, expected: number, digits = 9): void {
  expect(actual).toBeCloseTo(expected, digits);
}
