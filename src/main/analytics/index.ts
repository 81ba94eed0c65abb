/**
 * The analytics core's public surface: the `Analytics` contract and its one implementation.
 * Pure re-exports; nothing here may do I/O.
 */
export type { AdverseRate, Analytics, AnalyticsFill, MarkoutResolved, PnlView, PositionView } from './types.js';
export { createAnalytics, ANALYTICS_HORIZONS_SEC, type AnalyticsOptions, type DeskAnalytics } from './analytics.js';
export { Ledger } from './ledger.js';
