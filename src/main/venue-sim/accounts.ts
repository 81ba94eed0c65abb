/**
 * The money side of the local exchange's one account, in exact decimals: a spot account (free and locked
 * balances of the base and quote asset; an order locks what it could spend — the quote for a buy at its
 * limit price, the base for a sell — and releases what it no longer needs; commission is charged in the
 * asset received, as the venue does without BNB) and a futures account (USDT wallet, one One-way
 * position with its cost, realised PnL on reducing fills, commission in USDT, an initial-margin check at
 * the account's leverage). Venue-neutral and pure: the exchange engine decides when to call it.
 */
import type { Side } from '../../shared/units.js';
import { addDec, compareDec, mulDec, parseDec, subDec, truncateDec, type Dec } from '../execution/venues/common/decimal.js';

/** Balances are kept to this many decimals (the venue's asset precision). */
export const ASSET_SCALE = 8;
const ZERO: Dec = { units: 0n, scale: ASSET_SCALE };

function dec(text: string, what: string): Dec {
  const value = parseDec(text);
  if (value === null) throw new RangeError(`${what} must be a plain non-negative decimal, got "${text}"`);
  return value;
}

/** Fee for `amount` at `bps` basis points, truncated to the asset scale. */
export function feeOf(amount: Dec, bps: number): Dec {
  if (!Number.isInteger(bps) || bps < 0) throw new RangeError(`fee must be a whole number of basis points ≥ 0, got ${bps}`);
  return truncateDec(mulDec(amount, { units: BigInt(bps), scale: 4 }), ASSET_SCALE);
}

export interface Balance {
  free: Dec;
  locked: Dec;
}

export class SpotAccount {
  readonly base: Balance;
  readonly quote: Balance;

  constructor(
    readonly baseAsset: string,
    readonly quoteAsset: string,
    initialBase: string,
    initialQuote: string,
  ) {
    this.base = { free: dec(initialBase, 'initial base balance'), locked: ZERO };
    this.quote = { free: dec(initialQuote, 'initial quote balance'), locked: ZERO };
  }

  /** Locks what the order could spend; false (nothing locked) when the free balance is short. */
  reserve(side: Side, price: Dec, qty: Dec): boolean {
    const balance = side === 'buy' ? this.quote : this.base;
    const amount = side === 'buy' ? mulDec(price, qty) : qty;
    if (compareDec(balance.free, amount) < 0) return false;
    balance.free = subDec(balance.free, amount);
    balance.locked = addDec(balance.locked, amount);
    return true;
  }

  /** Unlocks what an order's unfilled `qty` had locked (cancel, expiry). */
  release(side: Side, price: Dec, qty: Dec): void {
    const balance = side === 'buy' ? this.quote : this.base;
    const amount = side === 'buy' ? mulDec(price, qty) : qty;
    balance.locked = subDec(balance.locked, amount);
    balance.free = addDec(balance.free, amount);
  }

  /** Books one fill of a locked order; returns the commission and its asset. */
  fill(side: Side, limitPrice: Dec, fillPrice: Dec, qty: Dec, feeBps: number): { commission: Dec; asset: string } {
    if (side === 'buy') {
      this.quote.locked = subDec(this.quote.locked, mulDec(limitPrice, qty));
      // why: a buy that fills below its limit gets back the difference it had locked
      this.quote.free = addDec(this.quote.free, mulDec(subDec(limitPrice, fillPrice), qty));
      const commission = feeOf(qty, feeBps);
      this.base.free = addDec(this.base.free, subDec(qty, commission));
      return { commission, asset: this.baseAsset };
    }
    this.base.locked = subDec(this.base.locked, qty);
    const proceeds = mulDec(fillPrice, qty);
    const commission = feeOf(proceeds, feeBps);
    this.quote.free = addDec(this.quote.free, subDec(proceeds, commission));
    return { commission, asset: this.quoteAsset };
  }
}

/** Decimals kept for a position's cost, so an average entry price is exact to far below any tick. */
const COST_SCALE = 16;

export class FuturesAccount {
  wallet: Dec;
  /** Signed position in the contract's quantity units. */
  position: Dec = ZERO;
  /** Price × quantity paid for the open position (always ≥ 0). */
  private cost: Dec = { units: 0n, scale: COST_SCALE };

  constructor(
    readonly marginAsset: string,
    initialWallet: string,
    readonly leverage: number,
  ) {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) throw new RangeError(`leverage must be a whole number from 1 to 125, got ${leverage}`);
    this.wallet = dec(initialWallet, 'initial wallet balance');
  }

  /** Average entry price to the asset scale ("0" when flat). */
  entryPrice(): Dec {
    if (this.position.units === 0n) return ZERO;
    const qty = this.position.units < 0n ? { units: -this.position.units, scale: this.position.scale } : this.position;
    // cost / qty at ASSET_SCALE decimals
    const numerator = this.cost.units * 10n ** BigInt(ASSET_SCALE + qty.scale);
    const denominator = qty.units * 10n ** BigInt(this.cost.scale);
    return { units: numerator / denominator, scale: ASSET_SCALE };
  }

  /** Whether initial margin for the position, the open orders and this order fits the wallet. */
  marginFits(positionNotional: Dec, openOrdersNotional: Dec, orderNotional: Dec): boolean {
    const required = addDec(addDec(positionNotional, openOrdersNotional), orderNotional);
    return compareDec(required, mulDec(this.wallet, { units: BigInt(this.leverage), scale: 0 })) <= 0;
  }

  /** Books one fill; returns commission (in the margin asset) and the PnL it realised. */
  fill(side: Side, price: Dec, qty: Dec, feeBps: number): { commission: Dec; realizedPnl: Dec } {
    const sign = side === 'buy' ? 1n : -1n;
    const signedQty: Dec = { units: qty.units * sign, scale: qty.scale };
    let realized: Dec = ZERO;
    const long = this.position.units > 0n;
    const reducing = this.position.units !== 0n && long !== (side === 'buy');
    if (reducing) {
      const open = this.position.units < 0n ? { units: -this.position.units, scale: this.position.scale } : this.position;
      const closing = compareDec(qty, open) <= 0 ? qty : open;
      // cost share of the closed part: cost × closing / open
      const closedCost = divDec(mulDec(this.cost, closing), open, COST_SCALE);
      const proceeds = mulDec(price, closing);
      // long: sold for proceeds what cost closedCost; short: bought back for proceeds what was sold for closedCost
      realized = truncateDec(long ? subDec(proceeds, closedCost) : subDec(closedCost, proceeds), ASSET_SCALE);
      this.cost = subDec(this.cost, closedCost);
      const rest = subDec(qty, closing);
      if (rest.units > 0n) this.cost = truncateDec(mulDec(price, rest), COST_SCALE);
      if (compareDec(closing, open) === 0 && rest.units === 0n) this.cost = { units: 0n, scale: COST_SCALE };
    } else {
      this.cost = truncateDec(addDec(this.cost, mulDec(price, qty)), COST_SCALE);
    }
    this.position = addDec(this.position, signedQty);
    const commission = feeOf(mulDec(price, qty), feeBps);
    this.wallet = subDec(addDec(this.wallet, realized), commission);
    return { commission, realizedPnl: realized };
  }
}

/** a / b to `scale` decimals, truncated. */
function divDec(a: Dec, b: Dec, scale: number): Dec {
  const numerator = a.units * 10n ** BigInt(scale + b.scale);
  const denominator = b.units * 10n ** BigInt(a.scale);
  return { units: numerator / denominator, scale };
}
