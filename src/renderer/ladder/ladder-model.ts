/**
 * The ladder's rows, computed from the desk state: one row per price bucket (1, 2, 5 … ticks), centred where
 * the caller says, with the bid and ask size in the bucket, our working orders there (open size, orders,
 * the least volume ahead of one of them), the marks (fair value, reservation price, mid) and the flash of a
 * recent fill. Pure: no DOM, no clock of its own; the painter (`ladder-painter.ts`) draws these rows and the
 * ladder's text mirror lists them. Prices are converted to integer ticks once (`Math.round(price / tick)`)
 * so rows never disagree by a float.
 */
import type { DeskState } from '../../shared/contract.js';
import type { RecentFill } from '../desk-client/store.js';

/** Ticks per row; `auto` picks the smallest of AUTO_GROUPS that keeps the spread within half the ladder. */
export const LADDER_GROUPS = ['auto', 1, 2, 5, 10] as const;
export type LadderGroup = (typeof LADDER_GROUPS)[number];
const AUTO_GROUPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

export function autoGroup(spreadTicks: number, rows: number): number {
  if (!Number.isFinite(spreadTicks) || spreadTicks <= 0) return 1;
  for (const g of AUTO_GROUPS) if (spreadTicks / g <= rows / 2) return g;
  return AUTO_GROUPS[AUTO_GROUPS.length - 1] ?? 1;
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
}

function bucketDown(ticks: number, group: number): number {
  return Math.floor(ticks / group) * group;
}
function bucketUp(ticks: number, group: number): number {
  return Math.ceil(ticks / group) * group;
}

/** The visible rows, highest price first: `count` rows of `group` ticks around `centre` (ticks). */
export function buildRows(state: DeskState, recent: readonly RecentFill[], centre: number, count: number, group: number, nowMs: number): Row[] {
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
  for (let i = 0; i < count; i++) rows.push({ bucket: top - i * group, bid: 0, ask: 0, ourBid: null, ourAsk: null, marks: [], flash: null });
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
      if (order.queueAhead !== null) existing.queueAhead = existing.queueAhead === null ? order.queueAhead : Math.min(existing.queueAhead, order.queueAhead);
    } else {
      row[key] = { size: open, queueAhead: order.queueAhead, count: 1 };
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

/** The largest size on the visible rows (the depth bars' full length). */
export function maxVisibleSize(rows: readonly Row[]): number {
  let max = 0;
  for (const row of rows) max = Math.max(max, row.bid, row.ask);
  return max;
}
