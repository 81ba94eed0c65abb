/**
 * The price ladder: one row per price bucket (1, 2, 5 or 10 ticks), centred on the mid when auto-centre is
 * on (the wheel scrolls it and switches auto-centre off). Bid and ask sizes with depth bars scaled to the
 * largest visible level; our working orders at their prices with the estimated volume ahead of them in
 * the queue; fair value (FV), reservation price (R) and mid marked on their rows; fills flashing on their
 * level for a moment. Beside it, the reasons each side is not quoting. Prices are converted to integer
 * ticks once (`Math.round(price / tick)`) so rows never disagree by a float.
 */
import { memo, useCallback, useEffect, useRef, useState, type WheelEvent } from 'react';
import type { DeskState, FillView, NotQuotingReason } from '../../shared/contract.js';
import { fmtPrice, fmtSize } from '../desk-client/format.js';
import { useDesk, useDeskState, useFills } from '../desk-client/hooks.js';

/** Ticks per row; `auto` picks the smallest of AUTO_GROUPS that keeps the spread within half the ladder. */
export const LADDER_GROUPS = ['auto', 1, 2, 5, 10] as const;
export type LadderGroup = (typeof LADDER_GROUPS)[number];
const AUTO_GROUPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

export function autoGroup(spreadTicks: number, rows: number): number {
  if (!Number.isFinite(spreadTicks) || spreadTicks <= 0) return 1;
  for (const g of AUTO_GROUPS) if (spreadTicks / g <= rows / 2) return g;
  return AUTO_GROUPS[AUTO_GROUPS.length - 1] ?? 1;
}

export interface LadderOptions {
  readonly autoCentre: boolean;
  readonly group: LadderGroup;
}

const ROW_HEIGHT = 18;
const FLASH_MS = 1_500;

export const REASON_TEXT: Record<NotQuotingReason, string> = {
  halted: 'halted',
  paused: 'paused',
  reducing: 'reduce-only',
  reconciling: 'reconciling orders',
  'stale-feed': 'stale feed',
  resyncing: 'book resyncing',
  'crossed-market': 'crossed market',
  'no-market': 'no market',
  'inventory-limit': 'inventory limit',
  'loss-limit': 'loss limit',
  'rate-limit': 'order-rate limit',
  'fill-burst': 'fill burst',
  'price-band': 'price band',
  'adverse-selection': 'adverse-selection breaker',
  'outside-schedule': 'outside schedule',
  flattening: 'flattening',
  'zero-size': 'zero size',
  'storage-fault': 'storage fault',
  'replay-paused': 'replay paused',
};

interface OurOrder {
  size: number;
  queueAhead: number | null;
  count: number;
}

interface Row {
  bucket: number;
  bid: number;
  ask: number;
  ourBid: OurOrder | null;
  ourAsk: OurOrder | null;
  marks: string[];
  flash: FillView | null;
}

function bucketDown(ticks: number, group: number): number {
  return Math.floor(ticks / group) * group;
}
function bucketUp(ticks: number, group: number): number {
  return Math.ceil(ticks / group) * group;
}

/** Builds the visible rows (descending price). Exported for tests of the bucketing. */
export function buildRows(state: DeskState, fills: readonly FillView[], arrivedAt: (id: string) => number, centre: number, count: number, group: number, nowMs: number): Row[] {
  const tick = Number(state.instrument.tickSize);
  const toTicks = (price: number): number => Math.round(price / tick);
  const half = Math.floor(count / 2);
  const top = centre + half * group;
  const rows: Row[] = [];
  const index = new Map<number, Row>();
  for (let i = 0; i < count; i++) {
    const bucket = top - i * group;
    const row: Row = { bucket, bid: 0, ask: 0, ourBid: null, ourAsk: null, marks: [], flash: null };
    rows.push(row);
    index.set(bucket, row);
  }
  for (const [price, size] of state.book.bids) {
    const row = index.get(bucketDown(toTicks(price), group));
    if (row) row.bid += size;
  }
  for (const [price, size] of state.book.asks) {
    const row = index.get(bucketUp(toTicks(price), group));
    if (row) row.ask += size;
  }
  for (const order of state.openOrders) {
    const buy = order.side === 'buy';
    const row = index.get(buy ? bucketDown(toTicks(order.price), group) : bucketUp(toTicks(order.price), group));
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
  const mark = (value: number | null, label: string): void => {
    if (value === null || !Number.isFinite(value)) return;
    const row = index.get(Math.round(value / tick / group) * group);
    if (row) row.marks.push(label);
  };
  mark(state.fairValue, 'FV');
  mark(state.reservationPrice, 'R');
  mark(state.mid, 'mid');
  for (const fill of fills) {
    const at = arrivedAt(fill.fillId);
    if (at === 0 || nowMs - at > FLASH_MS) break;
    const ticks = toTicks(fill.price);
    const row = index.get(fill.side === 'buy' ? bucketDown(ticks, group) : bucketUp(ticks, group));
    if (row && !row.flash) row.flash = fill;
  }
  return rows;
}

export function Ladder({ options, onOptions }: { options: LadderOptions; onOptions: (o: LadderOptions) => void }) {
  const state = useDeskState();
  const fills = useFills();
  const { store } = useDesk();
  const [rowCount, setRowCount] = useState(40);
  const [manualCentre, setManualCentre] = useState<number | null>(null);
  const lastCentre = useRef<number>(0);

  // Measured through a callback ref: the body only exists once the first state arrived.
  const observerRef = useRef<ResizeObserver | null>(null);
  const bodyRef = useCallback((element: HTMLDivElement | null) => {
    observerRef.current?.disconnect();
    observerRef.current = null;
    if (!element) return;
    const measure = (): void => setRowCount(Math.max(6, Math.floor(element.clientHeight / ROW_HEIGHT)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    observerRef.current = observer;
  }, []);

  useEffect(() => {
    if (options.autoCentre) setManualCentre(null);
  }, [options.autoCentre]);

  if (!state) return <div className="panel-empty">Waiting for the desk…</div>;
  const { priceDecimals, sizeDecimals } = state.instrument;
  const tick = Number(state.instrument.tickSize);
  const bestBid = state.book.bids[0]?.[0];
  const bestAsk = state.book.asks[0]?.[0];
  const spreadTicks = bestBid !== undefined && bestAsk !== undefined ? Math.round((bestAsk - bestBid) / tick) : Number.NaN;
  const group = options.group === 'auto' ? autoGroup(spreadTicks, rowCount) : options.group;
  const best = state.mid ?? state.book.bids[0]?.[0] ?? state.book.asks[0]?.[0] ?? null;
  const autoCentre = best === null ? lastCentre.current : Math.round(best / tick / group) * group;
  const centre = options.autoCentre || manualCentre === null ? autoCentre : manualCentre;
  lastCentre.current = centre;
  const rows = buildRows(state, fills, (id) => store.fillArrivedAt(id), centre, rowCount, group, Date.now());
  let maxSize = 0;
  for (const row of rows) maxSize = Math.max(maxSize, row.bid, row.ask);

  const onWheel = (event: WheelEvent<HTMLDivElement>): void => {
    const steps = Math.sign(event.deltaY) * (event.shiftKey ? 10 : 2);
    if (steps === 0) return;
    onOptions({ ...options, autoCentre: false });
    setManualCentre((c) => (c ?? centre) - steps * group);
  };

  return (
    <div className="ladder" data-testid="ladder" data-group={group} data-group-mode={String(options.group)} data-auto-centre={options.autoCentre ? 'true' : 'false'}>
      <div className="panel-head">
        <h3>Ladder</h3>
        <div className="head-tools">
          <div className="seg" role="group" aria-label="Tick grouping">
            {LADDER_GROUPS.map((g) => (
              <button key={g} className={g === options.group ? 'on' : ''} data-testid={`ladder-group-${g}`} onClick={() => onOptions({ ...options, group: g })} title={g === 'auto' ? `Automatic: ${group} tick${group > 1 ? 's' : ''} per row now, so the spread fits (G)` : `Group ${g} tick${g > 1 ? 's' : ''} per row (G)`}>
                {g === 'auto' ? (options.group === 'auto' ? `A·${group}` : 'A') : g}
              </button>
            ))}
          </div>
          <label className="toggle" title="Keep the spread in the middle (C)">
            <input type="checkbox" data-testid="ladder-autocentre" checked={options.autoCentre} onChange={(e) => onOptions({ ...options, autoCentre: e.target.checked })} />
            centre
          </label>
        </div>
      </div>
      <Reasons bid={state.reasons.bid} ask={state.reasons.ask} />
      <div className="ladder-cols">
        <span>ours</span>
        <span>bid</span>
        <span>price</span>
        <span>ask</span>
        <span>ours</span>
      </div>
      <div className="ladder-body" ref={bodyRef} onWheel={onWheel}>
        {rows.map((row) => (
          <LadderRow key={row.bucket} row={row} price={row.bucket * tick} maxSize={maxSize} priceDecimals={priceDecimals} sizeDecimals={sizeDecimals} />
        ))}
      </div>
    </div>
  );
}

function ourText(order: OurOrder, sizeDecimals: number): string {
  return order.queueAhead === null ? fmtSize(order.size, sizeDecimals) : `${fmtSize(order.size, sizeDecimals)}·${fmtSize(order.queueAhead, sizeDecimals)}`;
}

function ourTitle(order: OurOrder, side: string, sizeDecimals: number): string {
  const ahead = order.queueAhead === null ? 'queue position unknown' : `about ${fmtSize(order.queueAhead, sizeDecimals)} ahead of us in the queue`;
  return `our ${side}: ${fmtSize(order.size, sizeDecimals)} open${order.count > 1 ? ` in ${order.count} orders` : ''}, ${ahead}`;
}

const LadderRow = memo(function LadderRow({ row, price, maxSize, priceDecimals, sizeDecimals }: { row: Row; price: number; maxSize: number; priceDecimals: number; sizeDecimals: number }) {
  const bidPct = maxSize > 0 ? (row.bid / maxSize) * 100 : 0;
  const askPct = maxSize > 0 ? (row.ask / maxSize) * 100 : 0;
  const fv = row.marks.includes('FV');
  const res = row.marks.includes('R');
  const mid = row.marks.includes('mid');
  const priceText = fmtPrice(price, priceDecimals);
  return (
    <div
      className={`ladder-row${row.bid > 0 ? ' has-bid' : ''}${row.ask > 0 ? ' has-ask' : ''}${mid ? ' is-mid' : ''}`}
      data-testid="ladder-row"
      data-price={priceText}
      data-bid={row.bid || undefined}
      data-ask={row.ask || undefined}
    >
      <span className="cell ours ours-bid">
        {row.ourBid && (
          <span className="our-order buy" data-testid="our-bid" data-size={row.ourBid.size} data-queue-ahead={row.ourBid.queueAhead ?? ''} title={ourTitle(row.ourBid, 'bid', sizeDecimals)}>
            {ourText(row.ourBid, sizeDecimals)}
          </span>
        )}
      </span>
      <span className="cell size bid">
        {row.bid > 0 && <span className="depth depth-bid" style={{ width: `${bidPct}%` }} />}
        <span className="num">{row.bid > 0 ? fmtSize(row.bid, sizeDecimals) : ''}</span>
      </span>
      <span className="cell price">
        {row.flash && <span key={row.flash.fillId} className={`flash flash-${row.flash.side}`} data-testid="fill-flash" />}
        {fv && <span className="mark mark-fv" data-testid="mark-fv" title="fair value">FV</span>}
        <span className="num">{priceText}</span>
        {res && <span className="mark mark-res" data-testid="mark-reservation" title="reservation price">R</span>}
      </span>
      <span className="cell size ask">
        {row.ask > 0 && <span className="depth depth-ask" style={{ width: `${askPct}%` }} />}
        <span className="num">{row.ask > 0 ? fmtSize(row.ask, sizeDecimals) : ''}</span>
      </span>
      <span className="cell ours ours-ask">
        {row.ourAsk && (
          <span className="our-order sell" data-testid="our-ask" data-size={row.ourAsk.size} data-queue-ahead={row.ourAsk.queueAhead ?? ''} title={ourTitle(row.ourAsk, 'ask', sizeDecimals)}>
            {ourText(row.ourAsk, sizeDecimals)}
          </span>
        )}
      </span>
    </div>
  );
}, rowEqual);

function sameOrder(a: OurOrder | null, b: OurOrder | null): boolean {
  return a === b || (a !== null && b !== null && a.size === b.size && a.queueAhead === b.queueAhead && a.count === b.count);
}

function rowEqual(a: { row: Row; price: number; maxSize: number; priceDecimals: number; sizeDecimals: number }, b: typeof a): boolean {
  return (
    a.price === b.price &&
    a.maxSize === b.maxSize &&
    a.priceDecimals === b.priceDecimals &&
    a.sizeDecimals === b.sizeDecimals &&
    a.row.bid === b.row.bid &&
    a.row.ask === b.row.ask &&
    a.row.flash === b.row.flash &&
    a.row.marks.join() === b.row.marks.join() &&
    sameOrder(a.row.ourBid, b.row.ourBid) &&
    sameOrder(a.row.ourAsk, b.row.ourAsk)
  );
}

function Reasons({ bid, ask }: { bid: readonly NotQuotingReason[]; ask: readonly NotQuotingReason[] }) {
  const side = (label: string, reasons: readonly NotQuotingReason[], testid: string) => (
    <div className={`reason ${reasons.length === 0 ? 'quoting' : 'not-quoting'}`} data-testid={testid} data-reasons={reasons.join(',')}>
      <b>{label}</b> {reasons.length === 0 ? 'quoting' : `not quoting: ${reasons.map((r) => REASON_TEXT[r]).join(' · ')}`}
    </div>
  );
  return (
    <div className="reasons" data-testid="reasons">
      {side('BID', bid, 'reasons-bid')}
      {side('ASK', ask, 'reasons-ask')}
    </div>
  );
}
