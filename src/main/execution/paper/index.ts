/**
 * The paper venue's public surface (fill conditions are stated in `paper-venue.ts`).
 * Re-exports only.
 */
export { PaperVenue, createPaperVenue, type PaperExecutionParams, type PaperVenueOptions } from './paper-venue.js';
export { advanceOnDepth, cancelShareAhead, type QueueProbability } from './queue-model.js';
