/**
 * The analytics core's public surface: the `Analytics` contract and its one implementation.
 * Pure re-exports; nothing here may do I/O.
 */
export type { AdverseRate, Analytics, AnalyticsFill, MarkoutResolved, PnlView, PositionView } from './types.js';
export { createAnalytics, ANALYTICS_HORIZONS_SEC, DEFAULT_SHARPE_MIN_INTERVALS, type AnalyticsOptions, type DeskAnalytics } from './analytics.js';
export { CONTINUOUS_CALENDAR, US_EQUITY_CALENDAR, tradingCalendarFor, type TradingCalendar } from './calendar.js';
export { MidHistory } from './mid-history.js';
export { Ledger } from './ledger.js';
