/**
 * Draws the ladder's rows on a 2D canvas: per row the bid and ask sizes with their depth bars, the price
 * (shaded on the mid row) with the fair-value and reservation badges beside it, our working orders (their
 * open size, and the volume ahead of them marked `q`, never two bare numbers that read as a price), the
 * session's traded volume at the price (buyers' part green, sellers' red) when the column is on, the flash
 * of a recent fill on the price, and an edge marker for an order of ours above or below the rows with its
 * distance in ticks. The ladder is the panel that changes most under a fast market (sizes on most rows
 * every frame): drawn as one canvas it costs one redraw per frame, where a row of elements per price cost
 * the page style, layout and paint of every changed row. Columns are those of the header (70 px | 1fr |
 * 74 px | 1fr | 70 px | 52 px when the volume is shown). No state: the caller passes rows.
 */
import { fmtPrice, fmtSize } from '../desk-client/format.js';
import type { Offscreen, OurOrder, Row } from './ladder-model.js';

export const LADDER_ROW_HEIGHT = 18;

/** Column x ranges in CSS pixels, as the header lays them out (`volume` is empty when the column is off). */
export interface LadderColumns {
  readonly ourBid: readonly [number, number];
  readonly bid: readonly [number, number];
  readonly price: readonly [number, number];
  readonly ask: readonly [number, number];
  readonly ourAsk: readonly [number, number];
  readonly volume: readonly [number, number];
}

export const OURS_WIDTH = 70;
export const PRICE_WIDTH = 74;
export const VOLUME_WIDTH = 52;

export function ladderColumns(width: number, volume = false): LadderColumns {
  const volumeWidth = volume ? VOLUME_WIDTH : 0;
  const flexible = Math.max(0, (width - 2 * OURS_WIDTH - PRICE_WIDTH - volumeWidth) / 2);
  const bidX = OURS_WIDTH;
  const priceX = bidX + flexible;
  const askX = priceX + PRICE_WIDTH;
  const ourAskX = askX + flexible;
  const volumeX = ourAskX + OURS_WIDTH;
  return { ourBid: [0, OURS_WIDTH], bid: [bidX, flexible], price: [priceX, PRICE_WIDTH], ask: [askX, flexible], ourAsk: [ourAskX, OURS_WIDTH], volume: [volumeX, volumeWidth] };
}

/** The column under an x position (CSS pixels), for tooltips and clicks. */
export function columnAt(columns: LadderColumns, x: number): keyof LadderColumns {
  if (x < columns.bid[0]) return 'ourBid';
  if (x < columns.price[0]) return 'bid';
  if (x < columns.ask[0]) return 'price';
  if (x < columns.ourAsk[0]) return 'ask';
  if (x < columns.volume[0] || columns.volume[1] === 0) return 'ourAsk';
  return 'volume';
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
  /** The volume column: shown, and its bars' full length. */
  readonly volumeColumn: boolean;
  readonly maxVolume: number;
  /** Our orders above or below the rows (edge markers). */
  readonly offscreen: readonly Offscreen[];
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
  queueText: '#9fb0c6',
  volumeBuy: 'rgba(38, 194, 129, 0.45)',
  volumeSell: 'rgba(239, 83, 80, 0.45)',
  volumeText: '#c3ccd9',
  edgeBg: 'rgba(255, 179, 0, 0.92)',
  edgeText: '#1a1200',
} as const;

const FLASH_ALPHA = { 1: 0.15, 2: 0.38, 3: 0.72 } as const;

/** Our order as the mirror and tooltips say it: the open size, and the queue ahead in words. */
export function ourOrderText(order: OurOrder, sizeDecimals: number): string {
  return order.queueAhead === null ? fmtSize(order.size, sizeDecimals) : `${fmtSize(order.size, sizeDecimals)} (${fmtSize(order.queueAhead, sizeDecimals)} ahead)`;
}

/** A size in at most four or five characters (1,234 → 1.2k): the volume column is narrow. */
export function compactSize(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1_000) return abs >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(abs < 10 ? 2 : 1);
  if (abs < 1_000_000) return `${(value / 1_000).toFixed(abs < 10_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(abs < 10_000_000 ? 1 : 0)}M`;
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

/**
 * Our working order(s) on a row, centred in their column: the open size in bold, then the queue ahead as
 * `q` and its size in a lighter face. Sets its own fonts.
 */
function ourBadge(ctx: CanvasRenderingContext2D, order: OurOrder, column: readonly [number, number], midY: number, buy: boolean, p: LadderPaint): void {
  const sizeText = compactSize(order.size);
  const queueText = order.queueAhead === null ? '' : ` q${compactSize(order.queueAhead)}`;
  ctx.font = `700 10.5px ${p.fonts.mono}`;
  const sizeWidth = ctx.measureText(sizeText).width;
  ctx.font = `9.5px ${p.fonts.mono}`;
  const queueWidth = queueText === '' ? 0 : ctx.measureText(queueText).width;
  const width = Math.min(column[1] - 4, Math.max(40, Math.ceil(sizeWidth + queueWidth) + 10));
  const x = Math.round(column[0] + (column[1] - width) / 2) + 0.5;
  roundRect(ctx, x, midY - 7.5, width, 15, 3);
  ctx.fillStyle = buy ? C.ourBidBg : C.ourAskBg;
  ctx.fill();
  ctx.strokeStyle = buy ? C.ourBidLine : C.ourAskLine;
  ctx.lineWidth = 1;
  ctx.stroke();
  const textX = column[0] + (column[1] - sizeWidth - queueWidth) / 2;
  ctx.textAlign = 'left';
  ctx.font = `700 10.5px ${p.fonts.mono}`;
  ctx.fillStyle = buy ? C.ourBidText : C.ourAskText;
  ctx.fillText(sizeText, textX, midY + 0.5);
  if (queueText !== '') {
    ctx.font = `9.5px ${p.fonts.mono}`;
    ctx.fillStyle = C.queueText;
    ctx.fillText(queueText, textX + sizeWidth, midY + 0.5);
  }
}

/** The session's traded volume on a row: a bar (buyers' share, then sellers') and its figure. */
function volumeCell(ctx: CanvasRenderingContext2D, row: Row, column: readonly [number, number], y: number, midY: number, maxVolume: number): void {
  const v = row.volume;
  if (!v || v.total <= 0 || column[1] === 0) return;
  const full = Math.max(1, Math.round((v.total / Math.max(maxVolume, v.total)) * (column[1] - 4)));
  const buy = v.total > 0 ? Math.round((v.buy / v.total) * full) : 0;
  const sell = v.total > 0 ? Math.round((v.sell / v.total) * full) : 0;
  ctx.fillStyle = C.volumeBuy;
  ctx.fillRect(column[0] + 2, y + 3, buy, LADDER_ROW_HEIGHT - 7);
  ctx.fillStyle = C.volumeSell;
  ctx.fillRect(column[0] + 2 + buy, y + 3, sell, LADDER_ROW_HEIGHT - 7);
  ctx.fillStyle = 'rgba(123, 135, 154, 0.35)';
  ctx.fillRect(column[0] + 2 + buy + sell, y + 3, Math.max(0, full - buy - sell), LADDER_ROW_HEIGHT - 7);
  ctx.fillStyle = C.volumeText;
  ctx.textAlign = 'right';
  ctx.fillText(compactSize(v.total), column[0] + column[1] - 3, midY);
}

/** The words of an edge marker: which order, where, how far. */
export function offscreenText(o: Offscreen, priceDecimals: number, sizeDecimals: number): string {
  const arrow = o.edge === 'top' ? '▲' : '▼';
  const where = o.edge === 'top' ? 'above' : 'below';
  return `${arrow} our ${o.side === 'buy' ? 'bid' : 'ask'} ${fmtSize(o.size, sizeDecimals)} @ ${fmtPrice(o.price, priceDecimals)} · ${o.ticksBeyond} tick${o.ticksBeyond === 1 ? '' : 's'} ${where}`;
}

/**
 * Clears and redraws every row, in three passes by font (assigning a font parses it): the rows in the
 * row font, then the FV / R badges, then our orders.
 */
export function paintLadder(ctx: CanvasRenderingContext2D, p: LadderPaint): void {
  const columns = ladderColumns(p.widthCss, p.volumeColumn);
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
    if (p.volumeColumn) volumeCell(ctx, row, columns.volume, y, midY, p.maxVolume);
  }
  ctx.textAlign = 'center';
  if (badges.length > 0) {
    ctx.font = `700 8.5px ${p.fonts.sans}`;
    for (const b of badges) {
      if (b.text === 'FV') badge(ctx, 'FV', b.left, fvWidth, b.midY, C.fair, C.fairText);
      else badge(ctx, 'R', b.left, resWidth, b.midY, C.res, C.resText);
    }
  }
  for (let i = 0; i < visible; i++) {
    const row = p.rows[i] as Row;
    const midY = i * LADDER_ROW_HEIGHT + (LADDER_ROW_HEIGHT - 1) / 2;
    if (row.ourBid) ourBadge(ctx, row.ourBid, columns.ourBid, midY, true, p);
    if (row.ourAsk) ourBadge(ctx, row.ourAsk, columns.ourAsk, midY, false, p);
  }
  // Orders of ours beyond the rows: a marker on the edge they are beyond, with how far.
  if (p.offscreen.length > 0) {
    ctx.font = `700 10.5px ${p.fonts.sans}`;
    ctx.textAlign = 'center';
    const lastY = (visible - 1) * LADDER_ROW_HEIGHT;
    const placed = { top: 0, bottom: 0 };
    for (const o of p.offscreen) {
      const slot = placed[o.edge]++;
      const y = o.edge === 'top' ? slot * LADDER_ROW_HEIGHT : lastY - slot * LADDER_ROW_HEIGHT;
      ctx.fillStyle = C.edgeBg;
      ctx.fillRect(0, y, p.widthCss, LADDER_ROW_HEIGHT - 1);
      ctx.fillStyle = C.edgeText;
      ctx.fillText(offscreenText(o, p.priceDecimals, p.sizeDecimals), p.widthCss / 2, y + (LADDER_ROW_HEIGHT - 1) / 2 + 0.5);
    }
  }
}
