/**
 * Replay of captures: `ReplayFeed` (a MarketFeed with transport controls over a recorded capture), venue
 * detection, the instrument spec of a capture (given, recorded, known or inferred), and the checkpoint machinery behind fast seeks.
 * This file only re-exports.
 */
export { ReplayFeed } from './replay-feed.js';
export type { OpenReplayOptions, ReplayFeedOptions, ReplayListener, ReplaySpeed, SeekInfo } from './replay-feed.js';
export { CaptureDetectionError, detectCapture } from './detect.js';
export type { CaptureIdentity, ReplayFrame } from './detect.js';
export { InstrumentSpecError, captureInstrument, checkInstrumentSpec, finestGrid, isInstrumentFrame, marketFrames } from './capture-instrument.js';
export type { CaptureInstrument, InstrumentSource, InstrumentSpec } from './capture-instrument.js';
export { captureState, restoreState } from './state-snapshot.js';
export type { StateSnapshot } from './state-snapshot.js';
