/**
 * The ladder's rows, computed from the desk state: one row per price bucket (1, 2, 5 … ticks), centred where
 * the caller says, with the bid and ask size in the bucket, our working orders there (open size, orders and
 * their ids, the least volume ahead of one of them), the session's traded volume in the bucket, the marks
 * (fair value, reservation price, mid) and the flash of a recent fill; and our orders that fall outside
 * the rows (`offscreenOrders`), with their distance in ticks, for the edge markers. Automatic grouping
 * keeps the spread and our orders in view when it can. Pure: no DOM, no clock of its own; the painter
 * (`ladder-painter.ts`) draws these rows and the ladder's text mirror lists them. Prices are converted to
 * integer ticks once (`Math.round(price / tick)`) so rows never disagree by a float.
 */
import type { DeskState, VolumeAtPrice } from '../../shared/contract.js';
import type { RecentFill } from '../desk-client/store.js';

/**
 * Ticks per row; `auto` picks the smallest of AUTO_GROUPS that keeps the spread within half the ladder and
 * every order of ours on a row (`ourReachTicks`: the farthest of them from the centre).
 */
export const LADDER_GROUPS = ['auto', 1, 2, 5, 10] as const;
export type LadderGroup = (typeof LADDER_GROUPS)[number];
const AUTO_GROUPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

export function autoGroup(spreadTicks: number, rows: number, ourReachTicks = 0): number {
  const spread = Number.isFinite(spreadTicks) && spreadTicks > 0 ? spreadTicks : 0;
  // A row of margin at each edge: an order on the very last row reads as cut off.
  const reach = Number.isFinite(ourReachTicks) ? ourReachTicks : 0;
  const half = Math.floor(rows / 2) - 1;
  for (const g of AUTO_GROUPS) if (spread / g <= rows / 2 && Math.ceil(reach / g) <= half) return g;
  return AUTO_GROUPS[AUTO_GROUPS.length - 1] ?? 1;
}

/** How far (ticks) our farthest working order is from `centreTicks`. */
export function ourReach(state: DeskState, centreTicks: number): number {
  const tick = Number(state.instrument.tickSize);
  let reach = 0;
  for (const order of state.openOrders) reach = Math.max(reach, Math.abs(Math.round(order.price / tick) - centreTicks));
  return reach;
}


/**
 * A fill lights its level for FLASH_MS, fading in three steps (strong until FLASH_STEPS_MS[0], medium until
 * FLASH_STEPS_MS[1], then faint): a step is a redraw of one row, where a fade would redraw every frame.
 */
const FLASH_STEPS_MS = [300, 800] as const;
export const FLASH_MS = 1_500;

/** 3 (just filled) down to 1 (fading); 0 once the flash is over. */
export function flashLevel(ageMs: number): 0 | 1 | 2 | 3 {
  if (ageMs < 0 || ageMs >= FLASH_MS) return 0;
  return ageMs < FLASH_STEPS_MS[0] ? 3 : ageMs < FLASH_STEPS_MS[1] ? 2 : 1;
}

export interface OurOrder {
  size: number;
  queueAhead: number | null;
  count: number;
  /** The client ids of the orders on the row (the ladder's click cancels them). */
  ids: string[];
}

/** Traded volume in a bucket this session: by aggressive buyers, sellers, and in total. */
export interface RowVolume {
  buy: number;
  sell: number;
  total: number;
}

export interface Flash {
  readonly side: 'buy' | 'sell';
  readonly level: 1 | 2 | 3;
}

export type Mark = 'FV' | 'R' | 'mid';

export interface Row {
  /** Price of the row in ticks (a multiple of the group). */
  bucket: number;
  bid: number;
  ask: number;
  ourBid: OurOrder | null;
  ourAsk: OurOrder | null;
  marks: Mark[];
  flash: Flash | null;
  volume: RowVolume | null;
}

/** One of our orders outside the rows: which side, how far (ticks) beyond the edge row and from the mid. */
export interface Offscreen {
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly size: number;
  readonly count: number;
  /** Ticks from the nearest visible row's bucket edge to the order. */
  readonly ticksBeyond: number;
  readonly edge: 'top' | 'bottom';
}

function bucketDown(ticks: number, group: number): number {
  return Math.floor(ticks / group) * group;
}
function bucketUp(ticks: number, group: number): number {
  return Math.ceil(ticks / group) * group;
}

/** The visible rows, highest price first: `count` rows of `group` ticks around `centre` (ticks). */
export function buildRows(
  state: DeskState,
  recent: readonly RecentFill[],
  centre: number,
  count: number,
  group: number,
  nowMs: number,
  volume: ReadonlyMap<number, VolumeAtPrice> | null = null,
): Row[] {
  const tick = Number(state.instrument.tickSize);
  const toTicks = (price: number): number => Math.round(price / tick);
  const half = Math.floor(count / 2);
  const top = centre + half * group;
  const rows: Row[] = [];
  // Rows are `group` ticks apart from `top` down: a bucket's row index is arithmetic, no map needed.
  const rowAt = (bucket: number): Row | undefined => {
    const index = (top - bucket) / group;
    return Number.isInteger(index) ? rows[index] : undefined;
  };
  for (let i = 0; i < count; i++) rows.push({ bucket: top - i * group, bid: 0, ask: 0, ourBid: null, ourAsk: null, marks: [], flash: null, volume: null });
  for (const [price, size] of state.book.bids) {
    const row = rowAt(bucketDown(toTicks(price), group));
    if (row) row.bid += size;
  }
  for (const [price, size] of state.book.asks) {
    const row = rowAt(bucketUp(toTicks(price), group));
    if (row) row.ask += size;
  }
  for (const order of state.openOrders) {
    const buy = order.side === 'buy';
    const row = rowAt(buy ? bucketDown(toTicks(order.price), group) : bucketUp(toTicks(order.price), group));
    if (!row) continue;
    const key = buy ? 'ourBid' : 'ourAsk';
    const existing = row[key];
    const open = order.size - order.filled;
    if (existing) {
      existing.size += open;
      existing.count++;
      existing.ids.push(order.clientOrderId);
      if (order.queueAhead !== null) existing.queueAhead = existing.queueAhead === null ? order.queueAhead : Math.min(existing.queueAhead, order.queueAhead);
    } else {
      row[key] = { size: open, queueAhead: order.queueAhead, count: 1, ids: [order.clientOrderId] };
    }
  }
  if (volume !== null) {
    const bottom = top - (count - 1) * group;
    for (const [price, buy, sell, total] of volume.values()) {
      const ticks = toTicks(price);
      if (ticks < bottom || ticks >= top + group) continue;
      const row = rowAt(bucketDown(ticks, group));
      if (!row) continue;
      const v = (row.volume ??= { buy: 0, sell: 0, total: 0 });
      v.buy += buy;
      v.sell += sell;
      v.total += total;
    }
  }
  const mark = (value: number | null, label: Mark): void => {
    if (value === null || !Number.isFinite(value)) return;
    const row = rowAt(Math.round(value / tick / group) * group);
    if (row) row.marks.push(label);
  };
  mark(state.fairValue, 'FV');
  mark(state.reservationPrice, 'R');
  mark(state.mid, 'mid');
  for (let i = recent.length - 1; i >= 0; i--) {
    const { fill, arrivedAtMs } = recent[i] as RecentFill;
    const level = flashLevel(nowMs - arrivedAtMs);
    if (level === 0) break;
    const ticks = toTicks(fill.price);
    const row = rowAt(fill.side === 'buy' ? bucketDown(ticks, group) : bucketUp(ticks, group));
    if (row && !row.flash) row.flash = { side: fill.side, level };
  }
  return rows;
}

/**
 * Our working orders above the top row or below the bottom one (a manual grouping or centre that leaves
 * them out): per side, the nearest such order's distance in ticks beyond the edge, with what rests there.
 */
export function offscreenOrders(state: DeskState, rows: readonly Row[], group: number): Offscreen[] {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return [];
  const tick = Number(state.instrument.tickSize);
  const topEdge = first.bucket + group - 1;
  const bottomEdge = last.bucket;
  const out = new Map<string, { side: 'buy' | 'sell'; price: number; size: number; count: number; ticksBeyond: number; edge: 'top' | 'bottom' }>();
  for (const order of state.openOrders) {
    const ticks = Math.round(order.price / tick);
    const edge = ticks > topEdge ? 'top' : ticks < bottomEdge ? 'bottom' : null;
    if (edge === null) continue;
    const beyond = edge === 'top' ? ticks - topEdge : bottomEdge - ticks;
    const key = `${order.side}|${edge}`;
    const open = order.size - order.filled;
    const known = out.get(key);
    if (!known || beyond < known.ticksBeyond) out.set(key, { side: order.side, price: order.price, size: open, count: 1, ticksBeyond: beyond, edge });
    else if (beyond === known.ticksBeyond) {
      known.size += open;
      known.count++;
    }
  }
  return [...out.values()];
}

/** The largest traded volume on the visible rows (the volume bars' full length). */
export function maxVisibleVolume(rows: readonly Row[]): number {
  let max = 0;
  for (const row of rows) if (row.volume && row.volume.total > max) max = row.volume.total;
  return max;
}

/** The largest size on the visible rows (the depth bars' full length). */
export function maxVisibleSize(rows: readonly Row[]): number {
  let max = 0;
  for (const row of rows) max = Math.max(max, row.bid, row.ask);
  return max;
}
