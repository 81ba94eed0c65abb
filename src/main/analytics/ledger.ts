/**
 * The position ledger: inventory, cash, fees and realised PnL by average cost, for one instrument.
 *
 * Owns the accounting identity every PnL figure of the desk rests on. Money is kept internally in
 * "tick·lot" units (price in ticks × size in lots): cash from trading is then an exact integer sum, and
 * converts to quote currency by one multiplication (tick value × lot value, from `DecimalGrid`).
 * Definitions (used by `pnl()` and the statistics alike):
 *   - cash            = Σ −side × price × size (trading only) − Σ fees   (quote currency, fees included)
 *   - realised        = gains of the closed part of each reduction, (price − average cost) × closed size ×
 *                       sign of the position being reduced; fees NOT included
 *   - unrealised      = inventory × (mark − average cost); fees NOT included
 *   - fees            = Σ fee of every fill (positive paid, negative rebate received)
 *   - total           = realised + unrealised − fees  ≡  cash + inventory × mark
 * A fill that flips the position through zero first closes the old position at its average cost, then
 * opens the remainder at the fill price. It must not do I/O or know about time: the analytics core around
 * it owns the clock.
 */
import { sideSign, type Lots, type Side, type Ticks } from '../../shared/units.js';

export class Ledger {
  /** Signed inventory in lots. */
  inventoryLots: Lots = 0;
  /** Cash from trading only (fees excluded), tick·lot units; an exact integer. */
  tradingCashTL = 0;
  /** Average cost of the open position in (fractional) ticks; NaN when flat. */
  avgPriceTicks = Number.NaN;
  /** Realised PnL in tick·lot units (fees excluded). */
  realizedTL = 0;
  /** Fees in quote currency (positive paid, negative rebate). */
  fees = 0;
  /** Σ |size| traded, lots. */
  volumeLots: Lots = 0;
  /** Σ price × size traded, tick·lot units. */
  notionalTL = 0;

  /** @param moneyPerTickLot quote currency of one tick on one lot (tick value × lot value). */
  constructor(readonly moneyPerTickLot: number) {}

  book(side: Side, price: Ticks, size: Lots, fee: number): void {
    const sign = sideSign(side);
    const before = this.inventoryLots;
    const after = before + sign * size;
    this.tradingCashTL -= sign * price * size;
    this.fees += fee;
    this.volumeLots += size;
    this.notionalTL += price * size;
    if (before === 0 || Math.sign(before) === sign) {
      // Opening or increasing: the average cost moves toward the fill price.
      this.avgPriceTicks = before === 0 ? price : (this.avgPriceTicks * before + price * sign * size) / after;
    } else {
      // Reducing, closing, or flipping through zero.
      const closed = Math.min(size, Math.abs(before));
      this.realizedTL += (price - this.avgPriceTicks) * closed * Math.sign(before);
      if (after === 0) this.avgPriceTicks = Number.NaN;
      else if (Math.sign(after) !== Math.sign(before)) this.avgPriceTicks = price;
    }
    this.inventoryLots = after;
  }

  /** Cash in quote currency, fees included. */
  cash(): number {
    return this.tradingCashTL * this.moneyPerTickLot - this.fees;
  }

  realized(): number {
    return this.realizedTL * this.moneyPerTickLot;
  }

  /** Unrealised PnL at a mark in (fractional) ticks; 0 when flat. */
  unrealized(markTicks: number): number {
    if (this.inventoryLots === 0) return 0;
    return this.inventoryLots * (markTicks - this.avgPriceTicks) * this.moneyPerTickLot;
  }

  /** realised + unrealised − fees. */
  total(markTicks: number): number {
    return this.realized() + this.unrealized(markTicks) - this.fees;
  }

  reset(): void {
    this.inventoryLots = 0;
    this.tradingCashTL = 0;
    this.avgPriceTicks = Number.NaN;
    this.realizedTL = 0;
    this.fees = 0;
    this.volumeLots = 0;
    this.notionalTL = 0;
  }
}
