/**
 * Live market data: `LiveFeed` (a venue over WebSocket + REST through its pure adapter), instrument
 * resolution from the venue's public endpoint, and the recorder (`recordLive`). This file only re-exports.
 */
export { LiveFeed, resolveInstrument, backoffDelayMs, wallClockUs, CONN_PREFIX } from './live-feed.js';
export type { LiveFeedOptions, LiveVenue, BackoffOptions } from './live-feed.js';
export { recordLive, RecordInputError } from './record.js';
export type { RecordOptions, RecordProgress, RecordResult } from './record.js';
