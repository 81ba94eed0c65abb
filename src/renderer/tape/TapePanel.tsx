/**
 * Time and sales: the market's trades newest first, each with its time, price, size and aggressor (a
 * buyer lifting the offer in the bid's green, a seller hitting the bid in the ask's red, the venue's
 * silence as a dash), with our own fills among them, highlighted, where they happened. At reading pace:
 * a tape that scrolls sixty times a second cannot be read; faster than an update carries (TAPE_UPDATE_MAX),
 * a tape is a rate: the header shows the desk's count of every trade. Rows are keyed by their position, so a reading rewrites the
 * text of rows that stay on screen instead of unmounting and mounting a row per trade (under a busy
 * market nearly the whole list changes at every reading: that churn was most of the tape's cost).
 */
import { useMemo } from 'react';
import type { FillView, TradeView } from '../../shared/contract.js';
import { fmtPrice, fmtSize, fmtTime } from '../desk-client/format.js';
import { useFills, usePacedState, useTrades } from '../desk-client/hooks.js';

type TapeRow = { readonly kind: 'trade'; readonly trade: TradeView } | { readonly kind: 'fill'; readonly fill: FillView };

/** Rows shown (the newest): more than the tallest tape panel holds. */
const SHOWN = 48;

/** Trades and our fills merged newest first (each list comes newest first). */
export function tapeRows(trades: readonly TradeView[], fills: readonly FillView[], limit: number): TapeRow[] {
  const rows: TapeRow[] = [];
  let t = 0;
  let f = 0;
  // Fills older than the oldest trade shown are not on this tape.
  const oldest = trades[Math.min(trades.length, limit) - 1]?.timeMs ?? Number.POSITIVE_INFINITY;
  while (rows.length < limit && (t < trades.length || f < fills.length)) {
    const trade = trades[t];
    const fill = fills[f];
    if (fill !== undefined && fill.timeMs >= oldest && (trade === undefined || fill.timeMs >= trade.timeMs)) {
      rows.push({ kind: 'fill', fill });
      f++;
    } else if (trade !== undefined) {
      rows.push({ kind: 'trade', trade });
      t++;
    } else {
      break;
    }
  }
  return rows;
}

export function TapePanel() {
  const trades = useTrades();
  const fills = useFills();
  const state = usePacedState();
  const rows = useMemo(() => tapeRows(trades, fills, SHOWN), [trades, fills]);
  const decimals = state?.instrument.priceDecimals ?? 2;
  const sizeDecimals = state?.instrument.sizeDecimals ?? 0;
  const perSecond = state?.tradesPerSec ?? 0;
  return (
    <section className="panel tape" data-testid="tape">
      <div className="panel-head" title="B: a buyer lifted the offer · S: a seller hit the bid · highlighted: our fills">
        <h3>Time &amp; sales</h3>
        <span className="muted" data-testid="tape-rate">
          {trades.length === 0 ? 'no trade yet' : `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`}
        </span>
        <span className="head-tools muted tape-legend">
          <span className="pos">B</span>/<span className="neg">S</span> aggressor · <span className="tape-ours-key">ours</span>
        </span>
      </div>
      <div className="tape-cols" aria-hidden="true">
        <span>time</span>
        <span>price</span>
        <span>size</span>
        <span>side</span>
      </div>
      <div className="tape-list" role="table" aria-label="Time and sales: the market's trades and our fills, newest first">
        {/* Keyed by position (see the header). */}
        {rows.map((row, index) =>
          row.kind === 'trade' ? (
            <div key={index} role="row" className={`tape-row ${row.trade.aggressor ?? 'unknown'}`} data-testid="tape-trade" data-aggressor={row.trade.aggressor ?? ''} data-price={row.trade.price} data-size={row.trade.size}>
              <span role="cell">{fmtTime(row.trade.timeMs, true)}</span>
              <span role="cell">{fmtPrice(row.trade.price, decimals)}</span>
              <span role="cell">{fmtSize(row.trade.size, sizeDecimals)}</span>
              <span role="cell">{row.trade.aggressor === 'buy' ? 'B' : row.trade.aggressor === 'sell' ? 'S' : '—'}</span>
            </div>
          ) : (
            <div key={index} role="row" className={`tape-row ours ${row.fill.side}`} data-testid="tape-fill" data-fill-id={row.fill.fillId} title={`our ${row.fill.side} fill ${row.fill.clientOrderId} (${row.fill.liquidity})`}>
              <span role="cell">{fmtTime(row.fill.timeMs, true)}</span>
              <span role="cell">{fmtPrice(row.fill.price, decimals)}</span>
              <span role="cell">{fmtSize(row.fill.size, sizeDecimals)}</span>
              <span role="cell">{row.fill.side === 'buy' ? 'we bought' : 'we sold'}</span>
            </div>
          ),
        )}
      </div>
    </section>
  );
}
