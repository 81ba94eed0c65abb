/**
 * Replay of captures: `ReplayFeed` (a MarketFeed with transport controls over a recorded capture), venue
 * detection and instrument inference for captures, and the checkpoint machinery behind fast seeks.
 * This file only re-exports.
 */
export { ReplayFeed } from './replay-feed.js';
export type { OpenReplayOptions, ReplayFeedOptions, ReplayListener, ReplaySpeed, SeekInfo } from './replay-feed.js';
export { CaptureDetectionError, captureInstrument, detectCapture } from './detect.js';
export type { CaptureIdentity, ReplayFrame } from './detect.js';
export { captureState, restoreState } from './state-snapshot.js';
export type { StateSnapshot } from './state-snapshot.js';
