/**
 * The market's trades as the monitor shows them: the time-and-sales tape (the newest TAPE_SNAPSHOT_TRADES
 * trades with their aggressor) and the session's traded volume at each price (by aggressor side, and in
 * total). Recording a trade allocates nothing (a ring of typed arrays; a price's volume is a number in a
 * map, a new price adds one entry); views for the stream are built at publish time only: a snapshot
 * (the whole tape, every price) or what changed since the last publish (at most TAPE_UPDATE_MAX trades,
 * and the prices whose volume moved). Bounded: at most MAX_PRICES prices are kept; past that, the prices
 * farthest from the newest trade are forgotten. It also counts trades per second over the last RATE_WINDOW_US
 * (every trade, also those an update leaves out), for the tape's rate. Prices in ticks and sizes in lots
 * here; the views are in instrument units. No I/O, no clock: times come with the trades and the caller.
 */
import { TAPE_SNAPSHOT_TRADES, TAPE_UPDATE_MAX, type TradeView, type VolumeAtPrice } from '../../shared/contract.js';
import { SlidingRate } from '../../shared/sliding-rate.js';
import type { DecimalGrid } from '../../shared/units.js';
import type { MarketTrade } from '../market/types.js';

/** Prices whose volume is kept; beyond it the farthest from the newest trade go. */
export const MAX_PRICES = 4_096;

const AGGRESSOR_CODE = { buy: 1, sell: -1 } as const;
/** The trade rate's window, cut into RATE_BUCKETS. */
const RATE_WINDOW_US = 10_000_000;
const RATE_BUCKETS = 50;

export class MarketTape {
  private readonly timeUs = new Float64Array(TAPE_SNAPSHOT_TRADES);
  private readonly price = new Float64Array(TAPE_SNAPSHOT_TRADES);
  private readonly size = new Float64Array(TAPE_SNAPSHOT_TRADES);
  private readonly aggressor = new Int8Array(TAPE_SNAPSHOT_TRADES);
  /** Slot of the next trade; `count` trades are held (at most the ring). */
  private next = 0;
  private count = 0;
  /** Trades recorded since the last drain (capped at the ring). */
  private pending = 0;
  private readonly bought = new Map<number, number>();
  private readonly sold = new Map<number, number>();
  private readonly total = new Map<number, number>();
  private readonly changed = new Set<number>();
  private lastPrice = Number.NaN;
  private readonly rate = new SlidingRate(RATE_WINDOW_US, RATE_BUCKETS);

  record(trade: MarketTrade): void {
    this.rate.record(trade.localUs);
    const slot = this.next;
    this.timeUs[slot] = trade.localUs;
    this.price[slot] = trade.price;
    this.size[slot] = trade.size;
    this.aggressor[slot] = trade.aggressor === null ? 0 : AGGRESSOR_CODE[trade.aggressor];
    this.next = slot + 1 === TAPE_SNAPSHOT_TRADES ? 0 : slot + 1;
    if (this.count < TAPE_SNAPSHOT_TRADES) this.count++;
    if (this.pending < TAPE_SNAPSHOT_TRADES) this.pending++;
    const p = trade.price;
    this.total.set(p, (this.total.get(p) ?? 0) + trade.size);
    if (trade.aggressor === 'buy') this.bought.set(p, (this.bought.get(p) ?? 0) + trade.size);
    else if (trade.aggressor === 'sell') this.sold.set(p, (this.sold.get(p) ?? 0) + trade.size);
    this.changed.add(p);
    this.lastPrice = p;
    if (this.total.size > MAX_PRICES) this.forgetFarthest();
  }

  /** The whole tape (newest first) and every price kept; what was pending is now sent. */
  snapshot(tick: DecimalGrid, lot: DecimalGrid): { trades: TradeView[]; volume: VolumeAtPrice[] } {
    const trades = this.newest(this.count, tick, lot).reverse();
    const volume: VolumeAtPrice[] = [];
    for (const p of [...this.total.keys()].sort((a, b) => a - b)) volume.push(this.volumeAt(p, tick, lot));
    this.pending = 0;
    this.changed.clear();
    return { trades, volume };
  }

  /** The trades since the last drain (oldest first, the newest TAPE_UPDATE_MAX) and the prices that moved. */
  drain(tick: DecimalGrid, lot: DecimalGrid): { trades: TradeView[]; volume: VolumeAtPrice[] } {
    const trades = this.newest(Math.min(this.pending, TAPE_UPDATE_MAX), tick, lot);
    const volume: VolumeAtPrice[] = [];
    for (const p of this.changed) if (this.total.has(p)) volume.push(this.volumeAt(p, tick, lot));
    this.pending = 0;
    this.changed.clear();
    return { trades, volume };
  }

  /** Trades per second over the last ten seconds at `nowUs` (since the first trade, when that is nearer). */
  tradesPerSec(nowUs: number): number {
    return this.rate.perSec(nowUs);
  }

  /** Something to send since the last drain. */
  get dirty(): boolean {
    return this.pending > 0 || this.changed.size > 0;
  }

  /** Forgets what was pending (the next message is a snapshot). */
  clearPending(): void {
    this.pending = 0;
    this.changed.clear();
  }

  /** The newest `n` trades, oldest first. */
  private newest(n: number, tick: DecimalGrid, lot: DecimalGrid): TradeView[] {
    const out: TradeView[] = [];
    for (let k = n; k >= 1; k--) {
      const slot = (this.next - k + TAPE_SNAPSHOT_TRADES) % TAPE_SNAPSHOT_TRADES;
      const code = this.aggressor[slot] ?? 0;
      out.push({
        timeMs: Math.floor((this.timeUs[slot] ?? 0) / 1_000),
        price: tick.toNumber(this.price[slot] ?? 0),
        size: lot.toNumber(this.size[slot] ?? 0),
        aggressor: code === 1 ? 'buy' : code === -1 ? 'sell' : null,
      });
    }
    return out;
  }

  private volumeAt(p: number, tick: DecimalGrid, lot: DecimalGrid): VolumeAtPrice {
    return [tick.toNumber(p), lot.toNumber(this.bought.get(p) ?? 0), lot.toNumber(this.sold.get(p) ?? 0), lot.toNumber(this.total.get(p) ?? 0)];
  }

  /** Keeps the MAX_PRICES prices nearest the newest trade (a quarter more are dropped at once, rarely). */
  private forgetFarthest(): void {
    const keep = Math.floor(MAX_PRICES * 0.75);
    const byDistance = [...this.total.keys()].sort((a, b) => Math.abs(a - this.lastPrice) - Math.abs(b - this.lastPrice));
    for (const p of byDistance.slice(keep)) {
      this.total.delete(p);
      this.bought.delete(p);
      this.sold.delete(p);
      this.changed.delete(p);
    }
  }
}
