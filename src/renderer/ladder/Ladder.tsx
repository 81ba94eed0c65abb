/**
 * The price ladder panel: one row per price bucket (1, 2, 5 or 10 ticks, or automatic — which keeps the
 * spread and our orders in view), centred on the mid when auto-centre is on (the wheel scrolls it and
 * switches auto-centre off). Bid and ask sizes with depth bars scaled to the largest visible level; our
 * working orders at their prices with their open size and the estimated volume ahead of them (`q`), and
 * a marker on the edge, with the distance in ticks, for one outside the rows; the session's traded volume
 * at each price (optional column); fair value (FV), reservation price (R) and mid marked; fills flashing
 * on their level. Clicking our order cancels it through the desk's validated command (after a question,
 * if the trader asked for one). Above it, the reasons each side is not quoting, and the newest refusal.
 *
 * The rows are drawn on a canvas every frame (`ladder-painter.ts`): under a fast market most rows change
 * every frame, and a canvas redraw costs a fraction of laying out and painting a row of elements per price.
 * The same rows are listed as text in a visually hidden table (the mirror) for screen readers, tests and
 * copy, refreshed at reading pace (READING_INTERVAL_MS) and at once when the grouping or row count changes;
 * hovering a row shows its figures as a tooltip.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState, type MouseEvent, type WheelEvent } from 'react';
import { NOT_QUOTING_TEXT, type DeskState, type NotQuotingReason } from '../../shared/contract.js';
import type { Preferences } from '../../shared/preferences.js';
import { assertNever } from '../../shared/units.js';
import type { RunCommand } from '../app/App.js';
import { fmtPrice, fmtSize } from '../desk-client/format.js';
import { useDesk, useDeskState } from '../desk-client/hooks.js';
import { READING_INTERVAL_MS } from '../desk-client/store.js';
import { LADDER_GROUPS, autoGroup, buildRows, flashLevel, maxVisibleSize, maxVisibleVolume, offscreenOrders, ourReach, type LadderGroup, type Offscreen, type OurOrder, type Row } from './ladder-model.js';
import { LADDER_ROW_HEIGHT, OURS_WIDTH, PRICE_WIDTH, VOLUME_WIDTH, columnAt, ladderColumns, offscreenText, ourOrderText, ourOrderTitle, paintLadder, type LadderFonts, type LadderPaint } from './ladder-painter.js';

export { LADDER_GROUPS, type LadderGroup };

export type LadderOptions = Preferences['ladder'];

/** Our order(s) a click on the ladder would cancel, waiting for the trader's yes. */
interface PendingCancel {
  readonly side: 'bid' | 'ask';
  readonly ids: readonly string[];
  readonly text: string;
  readonly top: number;
}

/** While a flash is fading the ladder redraws at least this often, even on a quiet market. */
const FLASH_REDRAW_MS = 100;

interface Mirror {
  readonly rows: readonly Row[];
  readonly offscreen: readonly Offscreen[];
  readonly atMs: number;
  readonly layout: string;
}

function cssFonts(): LadderFonts {
  const style = getComputedStyle(document.documentElement);
  return { mono: style.getPropertyValue('--mono').trim() || 'monospace', sans: style.getPropertyValue('--sans').trim() || 'sans-serif' };
}

export function Ladder({ options, onOptions, run }: { options: LadderOptions; onOptions: (o: LadderOptions) => void; run: RunCommand }) {
  const state = useDeskState();
  const { store, api, canWrite } = useDesk();
  const [pendingCancel, setPendingCancel] = useState<PendingCancel | null>(null);
  const [body, setBody] = useState({ width: 320, height: 720 });
  const [manualCentre, setManualCentre] = useState<number | null>(null);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const lastCentre = useRef<number>(0);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const fontsRef = useRef<LadderFonts | null>(null);
  const paintRef = useRef<LadderPaint | null>(null);
  const mirrorRef = useRef<Mirror>({ rows: [], offscreen: [], atMs: Number.NEGATIVE_INFINITY, layout: '' });
  const redrawInRef = useRef<number | null>(null);

  // Measured through a callback ref: the body only exists once the first state arrived.
  const observerRef = useRef<ResizeObserver | null>(null);
  const bodyRef = useCallback((element: HTMLDivElement | null) => {
    observerRef.current?.disconnect();
    observerRef.current = null;
    if (!element) return;
    const measure = (): void => setBody({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    observerRef.current = observer;
  }, []);

  // Centring on: follow the mid; off: the rows stay where they are (the wheel moves them).
  useEffect(() => {
    setManualCentre(options.autoCentre ? null : lastCentre.current);
  }, [options.autoCentre]);

  // Draw after every render: the canvas is outside React's DOM diff.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const paint = paintRef.current;
    if (!canvas || !paint) return;
    const width = Math.round(paint.widthCss * paint.pixelRatio);
    const height = Math.round(paint.heightCss * paint.pixelRatio);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const context = canvas.getContext('2d');
    if (context) paintLadder(context, paint);
  });

  // A fading flash or a mirror behind the canvas asks for one more render even if no message comes.
  useEffect(() => {
    const waitMs = redrawInRef.current;
    if (waitMs === null) return;
    const timer = setTimeout(redraw, waitMs);
    return () => clearTimeout(timer);
  });

  if (!state) return <div className="panel-empty">Waiting for the desk…</div>;
  const { priceDecimals, sizeDecimals } = state.instrument;
  const tick = Number(state.instrument.tickSize);
  const rowCount = Math.max(6, Math.floor(body.height / LADDER_ROW_HEIGHT));
  const bestBid = state.book.bids[0]?.[0];
  const bestAsk = state.book.asks[0]?.[0];
  const spreadTicks = bestBid !== undefined && bestAsk !== undefined ? Math.round((bestAsk - bestBid) / tick) : Number.NaN;
  const best = state.mid ?? bestBid ?? bestAsk ?? null;
  const group = options.group === 'auto' ? autoGroup(spreadTicks, rowCount, best === null ? 0 : ourReach(state, Math.round(best / tick))) : options.group;
  const autoCentre = best === null ? lastCentre.current : Math.round(best / tick / group) * group;
  const centre = options.autoCentre || manualCentre === null ? autoCentre : manualCentre;
  lastCentre.current = centre;
  const nowMs = store.nowMs();
  const rows = buildRows(state, store.recentFills, centre, rowCount, group, nowMs, options.volumeColumn ? store.volume : null);
  const offscreen = offscreenOrders(state, rows, group);
  fontsRef.current ??= cssFonts();
  paintRef.current = {
    rows,
    tick,
    priceDecimals,
    sizeDecimals,
    maxSize: maxVisibleSize(rows),
    volumeColumn: options.volumeColumn,
    maxVolume: maxVisibleVolume(rows),
    offscreen,
    widthCss: body.width,
    heightCss: body.height,
    pixelRatio: window.devicePixelRatio || 1,
    fonts: fontsRef.current,
  };
  // A ladder the trader holds still is listed with its rows at once (a click finds what the list says);
  // a centred one at reading pace, or its list would follow every tick of the mid.
  const layout = `${group}|${rowCount}|${tick}|${options.volumeColumn ? 'v' : ''}|${options.autoCentre ? 'auto' : centre}`;
  if (layout !== mirrorRef.current.layout || nowMs - mirrorRef.current.atMs >= READING_INTERVAL_MS) mirrorRef.current = { rows, offscreen, atMs: nowMs, layout };
  const newestFill = store.recentFills[store.recentFills.length - 1];
  const flashing = newestFill !== undefined && flashLevel(nowMs - newestFill.arrivedAtMs) > 0;
  const mirrorBehind = mirrorRef.current.rows !== rows;
  redrawInRef.current = flashing ? FLASH_REDRAW_MS : mirrorBehind ? Math.max(1, READING_INTERVAL_MS - (nowMs - mirrorRef.current.atMs)) : null;

  const onWheel = (event: WheelEvent<HTMLDivElement>): void => {
    const steps = Math.sign(event.deltaY) * (event.shiftKey ? 10 : 2);
    if (steps === 0) return;
    onOptions({ ...options, autoCentre: false });
    setManualCentre((c) => (c ?? centre) - steps * group);
  };

  /** The row and column under the pointer. */
  const under = (event: MouseEvent<HTMLCanvasElement>): { row: Row | undefined; rowIndex: number; column: ReturnType<typeof columnAt> } | null => {
    const paint = paintRef.current;
    if (!paint) return null;
    const bounds = event.currentTarget.getBoundingClientRect();
    const rowIndex = Math.floor((event.clientY - bounds.top) / LADDER_ROW_HEIGHT);
    return { row: paint.rows[rowIndex], rowIndex, column: columnAt(ladderColumns(paint.widthCss, paint.volumeColumn), event.clientX - bounds.left) };
  };

  const onHover = (event: MouseEvent<HTMLCanvasElement>): void => {
    const paint = paintRef.current;
    const canvas = event.currentTarget;
    const at = under(event);
    if (!paint || !at) return;
    const title = at.row ? rowTitle(at.row, at.column, paint) : '';
    if (canvas.title !== title) canvas.title = title;
    const cancellable = (at.column === 'ourBid' && at.row?.ourBid) || (at.column === 'ourAsk' && at.row?.ourAsk);
    const cursor = cancellable && canWrite ? 'pointer' : '';
    if (canvas.style.cursor !== cursor) canvas.style.cursor = cursor;
  };

  const cancel = (ids: readonly string[]): void => {
    setPendingCancel(null);
    for (const id of ids) void run(`Cancel ${id}`, () => api.cancelOrder(id));
  };

  const onClick = (event: MouseEvent<HTMLCanvasElement>): void => {
    const at = under(event);
    if (!at?.row || !canWrite) return;
    const side = at.column === 'ourBid' ? 'bid' : at.column === 'ourAsk' ? 'ask' : null;
    const order = side === 'bid' ? at.row.ourBid : side === 'ask' ? at.row.ourAsk : null;
    if (side === null || order === null) return;
    if (!options.confirmCancel) {
      cancel(order.ids);
      return;
    }
    const price = fmtPrice(at.row.bucket * tick, priceDecimals);
    setPendingCancel({
      side,
      ids: order.ids,
      text: `Cancel our ${side} ${fmtSize(order.size, sizeDecimals)} @ ${price}${order.count > 1 ? ` (${order.count} orders)` : ''}? The strategy quotes this side again on its next cycle unless it is paused.`,
      top: Math.min(body.height - 70, at.rowIndex * LADDER_ROW_HEIGHT + LADDER_ROW_HEIGHT),
    });
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
      <Reasons state={state} />
      <div
        className="ladder-cols"
        aria-hidden="true"
        style={{ gridTemplateColumns: `${OURS_WIDTH}px 1fr ${PRICE_WIDTH}px 1fr ${OURS_WIDTH}px${options.volumeColumn ? ` ${VOLUME_WIDTH}px` : ''}` }}
      >
        <span title="Our bid: open size, then q and the volume ahead of us">our bid</span>
        <span>bid</span>
        <span>price</span>
        <span>ask</span>
        <span title="Our ask: open size, then q and the volume ahead of us">our ask</span>
        {options.volumeColumn && <span title="Traded this session at the price: buyers green, sellers red">vol</span>}
      </div>
      <div className="ladder-body" ref={bodyRef} onWheel={onWheel}>
        <canvas
          ref={canvasRef}
          className="ladder-canvas"
          data-testid="ladder-canvas"
          data-volume-column={options.volumeColumn ? 'true' : 'false'}
          style={{ width: body.width, height: body.height }}
          onMouseMove={onHover}
          onClick={onClick}
          aria-hidden="true"
        />
        <LadderMirror rows={mirrorRef.current.rows} offscreen={mirrorRef.current.offscreen} tick={tick} priceDecimals={priceDecimals} sizeDecimals={sizeDecimals} />
        {pendingCancel && (
          <div className="ladder-confirm" data-testid="cancel-confirm" role="dialog" aria-label="Cancel our order" style={{ top: pendingCancel.top }}>
            <div>{pendingCancel.text}</div>
            <div className="modal-actions">
              <button className="btn" data-testid="cancel-keep" onClick={() => setPendingCancel(null)}>
                Keep it
              </button>
              <button className="btn btn-danger" data-testid="cancel-confirm-yes" onClick={() => cancel(pendingCancel.ids)}>
                Cancel order
              </button>
            </div>
          </div>
        )}
      </div>
      <div className="ladder-foot">
        <label className="toggle" title="The session's traded volume at each price">
          <input type="checkbox" data-testid="ladder-volume" checked={options.volumeColumn} onChange={(e) => onOptions({ ...options, volumeColumn: e.target.checked })} />
          volume
        </label>
        <label className="toggle" title="Clicking our order on the ladder cancels it; ask first?">
          <input type="checkbox" data-testid="ladder-confirm-cancel" checked={options.confirmCancel} onChange={(e) => onOptions({ ...options, confirmCancel: e.target.checked })} />
          confirm
        </label>
        <span className="muted">click our order: cancel</span>
      </div>
    </div>
  );
}

function rowTitle(row: Row, column: ReturnType<typeof columnAt>, paint: LadderPaint): string {
  const price = fmtPrice(row.bucket * paint.tick, paint.priceDecimals);
  switch (column) {
    case 'ourBid':
      return row.ourBid ? ourOrderTitle(row.ourBid, 'bid', paint.sizeDecimals) : '';
    case 'ourAsk':
      return row.ourAsk ? ourOrderTitle(row.ourAsk, 'ask', paint.sizeDecimals) : '';
    case 'bid':
      return row.bid > 0 ? `bid ${fmtSize(row.bid, paint.sizeDecimals)} at ${price}` : '';
    case 'ask':
      return row.ask > 0 ? `ask ${fmtSize(row.ask, paint.sizeDecimals)} at ${price}` : '';
    case 'price': {
      const marks = row.marks.map((m) => (m === 'FV' ? 'fair value' : m === 'R' ? 'reservation price' : 'mid'));
      return marks.length > 0 ? `${price}: ${marks.join(', ')}` : price;
    }
    case 'volume':
      return row.volume ? `traded at ${price} this session: ${fmtSize(row.volume.total, paint.sizeDecimals)} (buyers ${fmtSize(row.volume.buy, paint.sizeDecimals)}, sellers ${fmtSize(row.volume.sell, paint.sizeDecimals)})` : '';
    default:
      return assertNever(column);
  }
}

/**
 * The rows as text, visually hidden: what the canvas shows, for screen readers, tests and copy. Rendered at
 * reading pace (its `rows` prop changes at most every READING_INTERVAL_MS).
 */
const LadderMirror = memo(function LadderMirror({ rows, offscreen, tick, priceDecimals, sizeDecimals }: { rows: readonly Row[]; offscreen: readonly Offscreen[]; tick: number; priceDecimals: number; sizeDecimals: number }) {
  return (
    <div className="ladder-mirror" role="table" aria-label="Ladder: our bid, bid size, price, ask size, our ask, traded volume">
      {offscreen.map((o) => (
        <div key={`${o.side}${o.edge}`} role="row" data-testid="ladder-offscreen" data-side={o.side} data-edge={o.edge} data-ticks={o.ticksBeyond} data-price={o.price}>
          {offscreenText(o, priceDecimals, sizeDecimals)}
        </div>
      ))}
      {rows.map((row) => {
        const priceText = fmtPrice(row.bucket * tick, priceDecimals);
        return (
          <div key={row.bucket} role="row" data-testid="ladder-row" data-price={priceText} data-bid={row.bid || undefined} data-ask={row.ask || undefined}>
            <span role="cell">{row.ourBid && <MirrorOrder order={row.ourBid} side="bid" sizeDecimals={sizeDecimals} />}</span>
            <span role="cell">{row.bid > 0 ? fmtSize(row.bid, sizeDecimals) : ''}</span>
            <span role="cell">
              {row.flash && <span data-testid="fill-flash" data-side={row.flash.side} />}
              {row.marks.includes('FV') && <span data-testid="mark-fv">FV </span>}
              {priceText}
              {row.marks.includes('R') && <span data-testid="mark-reservation"> R</span>}
            </span>
            <span role="cell">{row.ask > 0 ? fmtSize(row.ask, sizeDecimals) : ''}</span>
            <span role="cell">{row.ourAsk && <MirrorOrder order={row.ourAsk} side="ask" sizeDecimals={sizeDecimals} />}</span>
            <span role="cell" data-testid={row.volume ? 'ladder-volume-cell' : undefined} data-total={row.volume?.total} data-buy={row.volume?.buy} data-sell={row.volume?.sell}>
              {row.volume ? fmtSize(row.volume.total, sizeDecimals) : ''}
            </span>
          </div>
        );
      })}
    </div>
  );
});

function MirrorOrder({ order, side, sizeDecimals }: { order: OurOrder; side: 'bid' | 'ask'; sizeDecimals: number }) {
  return (
    <span data-testid={`our-${side}`} data-size={order.size} data-queue-ahead={order.queueAhead ?? ''} data-ids={order.ids.join(' ')} title={ourOrderTitle(order, side, sizeDecimals)}>
      {ourOrderText(order, sizeDecimals)}
    </span>
  );
}

function Reasons({ state }: { state: DeskState }) {
  const side = (label: string, reasons: readonly NotQuotingReason[], refusal: string | null, testid: string) => (
    <div className={`reason ${reasons.length === 0 ? 'quoting' : 'not-quoting'}`} data-testid={testid} data-reasons={reasons.join(',')} title={refusal ?? ''}>
      <b>{label}</b> {reasons.length === 0 ? 'quoting' : `not quoting: ${reasons.map((r) => NOT_QUOTING_TEXT[r]).join(' · ')}`}
      {refusal !== null && (
        <span className="refusal" data-testid={`${testid}-refusal`}>
          {' '}
          — {refusal}
        </span>
      )}
    </div>
  );
  return (
    <div className="reasons" data-testid="reasons">
      {side('BID', state.reasons.bid, state.refusals.bid, 'reasons-bid')}
      {side('ASK', state.reasons.ask, state.refusals.ask, 'reasons-ask')}
    </div>
  );
}
