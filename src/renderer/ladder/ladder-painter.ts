/**
 * Draws the ladder's rows on a 2D canvas: per row the bid and ask sizes with their depth bars, the price
 * (shaded on the mid row) with the fair-value and reservation badges beside it, our working orders with the
 * volume ahead of them, and the flash of a recent fill on the price. The ladder is the panel that changes
 * most under a fast market (sizes on most rows every frame): drawn as one canvas it costs one redraw per
 * frame, where a row of elements per price cost the page style, layout and paint of every changed row.
 * Columns are those of the header (62 px | 1fr | 74 px | 1fr | 62 px). No state: the caller passes rows.
 */
import { fmtPrice, fmtSize } from '../desk-client/format.js';
import type { OurOrder, Row } from './ladder-model.js';

export const LADDER_ROW_HEIGHT = 18;

/** Column x ranges in CSS pixels, as the header lays them out. */
export interface LadderColumns {
  readonly ourBid: readonly [number, number];
  readonly bid: readonly [number, number];
  readonly price: readonly [number, number];
  readonly ask: readonly [number, number];
  readonly ourAsk: readonly [number, number];
}

const OURS_WIDTH = 62;
const PRICE_WIDTH = 74;

export function ladderColumns(width: number): LadderColumns {
  const flexible = Math.max(0, (width - 2 * OURS_WIDTH - PRICE_WIDTH) / 2);
  const bidX = OURS_WIDTH;
  const priceX = bidX + flexible;
  const askX = priceX + PRICE_WIDTH;
  const ourAskX = askX + flexible;
  return { ourBid: [0, OURS_WIDTH], bid: [bidX, flexible], price: [priceX, PRICE_WIDTH], ask: [askX, flexible], ourAsk: [ourAskX, OURS_WIDTH] };
}

/** The column under an x position (CSS pixels), for tooltips. */
export function columnAt(columns: LadderColumns, x: number): keyof LadderColumns {
  if (x < columns.bid[0]) return 'ourBid';
  if (x < columns.price[0]) return 'bid';
  if (x < columns.ask[0]) return 'price';
  if (x < columns.ourAsk[0]) return 'ask';
  return 'ourAsk';
}

export interface LadderFonts {
  readonly mono: string;
  readonly sans: string;
}

export interface LadderPaint {
  readonly rows: readonly Row[];
  readonly tick: number;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  readonly maxSize: number;
  readonly widthCss: number;
  readonly heightCss: number;
  readonly pixelRatio: number;
  readonly fonts: LadderFonts;
}

const C = {
  priceBg: '#0a0e14',
  midBg: '#151c29',
  rowLine: '#111722',
  bidDim: 'rgba(38, 194, 129, 0.18)',
  askDim: 'rgba(239, 83, 80, 0.18)',
  bidEdge: 'rgba(38, 194, 129, 0.6)',
  askEdge: 'rgba(239, 83, 80, 0.6)',
  bidText: '#9ee8c4',
  askText: '#ffb3b1',
  price: '#c3ccd9',
  priceBid: '#b9f3d6',
  priceAsk: '#ffc9c7',
  fair: '#4fc3f7',
  fairText: '#001722',
  res: '#e040fb',
  resText: '#22002a',
  ourBidBg: '#0f5132',
  ourBidLine: '#26c281',
  ourBidText: '#c8ffe4',
  ourAskBg: '#5c1414',
  ourAskLine: '#ef5350',
  ourAskText: '#ffd9d8',
} as const;

const FLASH_ALPHA = { 1: 0.15, 2: 0.38, 3: 0.72 } as const;

export function ourOrderText(order: OurOrder, sizeDecimals: number): string {
  return order.queueAhead === null ? fmtSize(order.size, sizeDecimals) : `${fmtSize(order.size, sizeDecimals)}·${fmtSize(order.queueAhead, sizeDecimals)}`;
}

export function ourOrderTitle(order: OurOrder, side: 'bid' | 'ask', sizeDecimals: number): string {
  const ahead = order.queueAhead === null ? 'queue position unknown' : `about ${fmtSize(order.queueAhead, sizeDecimals)} ahead of us in the queue`;
  return `our ${side}: ${fmtSize(order.size, sizeDecimals)} open${order.count > 1 ? ` in ${order.count} orders` : ''}, ${ahead}`;
}

/** A depth bar's length as a share of its cell, in whole percent (a change below that draws nothing new). */
export function depthShare(size: number, maxSize: number): number {
  return maxSize > 0 ? Math.round((size / maxSize) * 100) / 100 : 0;
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

const BADGE_GAP = 3;

/** Widths of price texts in the row font (measuring text is a large share of a redraw); bounded. */
const widths = new Map<string, number>();
let widthsFont = '';

function measured(ctx: CanvasRenderingContext2D, text: string): number {
  let width = widths.get(text);
  if (width === undefined) {
    if (widths.size >= 2_048) widths.clear();
    width = ctx.measureText(text).width;
    widths.set(text, width);
  }
  return width;
}

/** A mark badge (FV, R) of `width` whose left edge is at `left`; the caller has set the mark font. */
function badge(ctx: CanvasRenderingContext2D, text: string, left: number, width: number, midY: number, bg: string, fg: string): void {
  roundRect(ctx, Math.round(left), midY - 6, width, 12, 3);
  ctx.fillStyle = bg;
  ctx.fill();
  ctx.fillStyle = fg;
  ctx.fillText(text, Math.round(left) + width / 2, midY + 0.5);
}

/** Our working order(s) on a row, centred in their column; the caller has set the order font. */
function ourBadge(ctx: CanvasRenderingContext2D, text: string, column: readonly [number, number], midY: number, buy: boolean): void {
  const width = Math.min(column[1] - 4, Math.max(44, Math.ceil(ctx.measureText(text).width) + 10));
  const x = Math.round(column[0] + (column[1] - width) / 2) + 0.5;
  roundRect(ctx, x, midY - 7.5, width, 15, 3);
  ctx.fillStyle = buy ? C.ourBidBg : C.ourAskBg;
  ctx.fill();
  ctx.strokeStyle = buy ? C.ourBidLine : C.ourAskLine;
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.fillStyle = buy ? C.ourBidText : C.ourAskText;
  ctx.fillText(text, column[0] + column[1] / 2, midY + 0.5);
}

/**
 * Clears and redraws every row, in three passes by font (assigning a font parses it): the rows in the
 * row font, then the FV / R badges, then our orders.
 */
export function paintLadder(ctx: CanvasRenderingContext2D, p: LadderPaint): void {
  const columns = ladderColumns(p.widthCss);
  ctx.setTransform(p.pixelRatio, 0, 0, p.pixelRatio, 0, 0);
  ctx.clearRect(0, 0, p.widthCss, p.heightCss);
  ctx.textBaseline = 'middle';
  ctx.font = `700 8.5px ${p.fonts.sans}`;
  const fvWidth = Math.ceil(ctx.measureText('FV').width) + 6;
  const resWidth = Math.ceil(ctx.measureText('R').width) + 6;
  ctx.font = `11.5px ${p.fonts.mono}`;
  if (ctx.font !== widthsFont) {
    widths.clear();
    widthsFont = ctx.font;
  }
  const [bidX, bidW] = columns.bid;
  const [priceX, priceW] = columns.price;
  const [askX, askW] = columns.ask;
  const visible = Math.min(p.rows.length, Math.ceil(p.heightCss / LADDER_ROW_HEIGHT));
  const badges: { text: 'FV' | 'R'; left: number; midY: number }[] = [];
  for (let i = 0; i < visible; i++) {
    const row = p.rows[i] as Row;
    const y = i * LADDER_ROW_HEIGHT;
    const midY = y + (LADDER_ROW_HEIGHT - 1) / 2;
    // Price cell, with a fill's flash over it.
    ctx.fillStyle = row.marks.includes('mid') ? C.midBg : C.priceBg;
    ctx.fillRect(priceX, y, priceW, LADDER_ROW_HEIGHT - 1);
    if (row.flash) {
      ctx.fillStyle = row.flash.side === 'buy' ? `rgba(92, 242, 168, ${FLASH_ALPHA[row.flash.level]})` : `rgba(255, 138, 128, ${FLASH_ALPHA[row.flash.level]})`;
      ctx.fillRect(priceX, y, priceW, LADDER_ROW_HEIGHT - 1);
    }
    // Depth bars grow away from the price column; the edge line beside the price marks a level.
    if (row.bid > 0) {
      const length = Math.round(depthShare(row.bid, p.maxSize) * bidW);
      ctx.fillStyle = C.bidDim;
      ctx.fillRect(bidX + bidW - length, y + 2, length, LADDER_ROW_HEIGHT - 5);
      ctx.fillStyle = C.bidEdge;
      ctx.fillRect(bidX + bidW - 2, y, 2, LADDER_ROW_HEIGHT - 1);
      ctx.fillStyle = C.bidText;
      ctx.textAlign = 'right';
      ctx.fillText(fmtSize(row.bid, p.sizeDecimals), bidX + bidW - 6, midY);
    }
    if (row.ask > 0) {
      const length = Math.round(depthShare(row.ask, p.maxSize) * askW);
      ctx.fillStyle = C.askDim;
      ctx.fillRect(askX, y + 2, length, LADDER_ROW_HEIGHT - 5);
      ctx.fillStyle = C.askEdge;
      ctx.fillRect(askX, y, 2, LADDER_ROW_HEIGHT - 1);
      ctx.fillStyle = C.askText;
      ctx.textAlign = 'left';
      ctx.fillText(fmtSize(row.ask, p.sizeDecimals), askX + 6, midY);
    }
    ctx.fillStyle = C.rowLine;
    ctx.fillRect(0, y + LADDER_ROW_HEIGHT - 1, p.widthCss, 1);
    // The price, with the FV and R badges beside it, centred as one group in the price column.
    const priceText = fmtPrice(row.bucket * p.tick, p.priceDecimals);
    const fv = row.marks.includes('FV') ? fvWidth + BADGE_GAP : 0;
    const reservation = row.marks.includes('R') ? resWidth + BADGE_GAP : 0;
    const textWidth = measured(ctx, priceText);
    const left = priceX + (priceW - (fv + textWidth + reservation)) / 2;
    if (fv > 0) badges.push({ text: 'FV', left, midY });
    if (reservation > 0) badges.push({ text: 'R', left: left + fv + textWidth + BADGE_GAP, midY });
    ctx.fillStyle = row.bid > 0 ? C.priceBid : row.ask > 0 ? C.priceAsk : C.price;
    ctx.textAlign = 'left';
    ctx.fillText(priceText, left + fv, midY);
  }
  ctx.textAlign = 'center';
  if (badges.length > 0) {
    ctx.font = `700 8.5px ${p.fonts.sans}`;
    for (const b of badges) {
      if (b.text === 'FV') badge(ctx, 'FV', b.left, fvWidth, b.midY, C.fair, C.fairText);
      else badge(ctx, 'R', b.left, resWidth, b.midY, C.res, C.resText);
    }
  }
  ctx.font = `700 10.5px ${p.fonts.mono}`;
  for (let i = 0; i < visible; i++) {
    const row = p.rows[i] as Row;
    const midY = i * LADDER_ROW_HEIGHT + (LADDER_ROW_HEIGHT - 1) / 2;
    if (row.ourBid) ourBadge(ctx, ourOrderText(row.ourBid, p.sizeDecimals), columns.ourBid, midY, true);
    if (row.ourAsk) ourBadge(ctx, ourOrderText(row.ourAsk, p.sizeDecimals), columns.ourAsk, midY, false);
  }
}
