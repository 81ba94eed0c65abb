/**
 * Trading calendars: how many seconds of trading a year holds on an instrument's market, the basis on
 * which a Sharpe ratio measured over fixed intervals is annualised. A crypto venue (and the simulated
 * market) never closes: 365 days × 24 h. A LOBSTER recording is a NASDAQ equity: 252 sessions × 6.5 h.
 * Pure data and one lookup; it must not know about PnL.
 */

export interface TradingCalendar {
  /** How the calendar reads in a definition, e.g. "252 days × 6.5 h (US equities)". */
  readonly name: string;
  readonly secondsPerYear: number;
}

export const CONTINUOUS_CALENDAR: TradingCalendar = { name: '365 days × 24 h (a market that never closes)', secondsPerYear: 365 * 24 * 3_600 };
export const US_EQUITY_CALENDAR: TradingCalendar = { name: '252 days × 6.5 h (US equities)', secondsPerYear: 252 * 6.5 * 3_600 };

/** The calendar of an instrument's venue (`lobster` recordings are US equities; every other venue trades 24/7). */
export function tradingCalendarFor(venue: string): TradingCalendar {
  return venue === 'lobster' ? US_EQUITY_CALENDAR : CONTINUOUS_CALENDAR;
}
