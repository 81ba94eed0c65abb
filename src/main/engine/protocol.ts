/**
 * The messages between a host's thread and its engine thread (a `worker_threads` worker that runs the
 * desk host: the market, the desk, the store). Everything here is structured-cloneable plain data, so it
 * crosses `postMessage` as is. The stream leaves the engine already serialised, piece by piece (the
 * state, the metrics, each fill, series point and event as JSON text), so the host builds every client's
 * message by joining texts, never by serialising objects again, and never asks the engine for anything
 * a reader wants. Commands carry the raw payload a transport received: the engine validates it.
 */
import type { CommandResult, RecordingView, SessionSpec, SessionView, TradingState } from '../../shared/contract.js';
import type { DeskParams } from '../../shared/params.js';
import type { DeskOptions, LiveExecutionOptions } from '../desk/create-desk.js';
import type { CommandName } from './commands.js';

/** The desk options a host may pass to its engine: plain data only (no loggers, no callbacks). */
export type EngineBaseOptions = Partial<Pick<DeskOptions, 'sim' | 'startUs' | 'wsUrl' | 'restUrl' | 'adapterOptions' | 'nativeBinding' | 'instrument' | 'live'>>;

/** `workerData` of the engine thread. */
export interface EngineOptions {
  readonly dbPath: string;
  readonly params: DeskParams;
  readonly recordingsDir: string;
  readonly base: EngineBaseOptions;
  /** Recordings outside the recordings folder the operator named on the command line. */
  readonly trustedRecordings: readonly string[];
}

/** What a reader can ask the engine for (answered as JSON text, or Prometheus text). */
export type EngineRead = 'state' | 'metrics' | 'health' | 'prometheus';

export type EngineRequest =
  /** `actor` names who acts for the audit trail (`operator:http`, `operator:electron`, `risk:firm`). */
  | { readonly kind: 'command'; readonly name: CommandName; readonly payload: unknown; readonly actor: string }
  | { readonly kind: 'read'; readonly what: EngineRead }
  | { readonly kind: 'start'; readonly spec: SessionSpec }
  | { readonly kind: 'stop' }
  | { readonly kind: 'record'; readonly on: boolean }
  | { readonly kind: 'recordings' }
  | { readonly kind: 'commit' }
  /** The keys and network live sessions use from now on (the desktop app's key store), or none. */
  | { readonly kind: 'configure-live'; readonly live: LiveExecutionOptions | null }
  /** Whether any stream client watches (the desk publishes at frame pace) or none does (a slower pace). */
  | { readonly kind: 'watch'; readonly watched: boolean }
  | { readonly kind: 'close' };

/** A read's answer: the text to send, or why there is none (no session running: 503). */
export type ReadAnswer = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: number; readonly error: string };

/** A start's answer: `badInput` says the failure was the operator's input (exit code 2 for the CLI). */
export type StartAnswer = CommandResult & { readonly badInput?: boolean };

/** A command's answer: the trading state after it, when it ran. */
export type CommandAnswer = CommandResult & { readonly tradingState?: TradingState };

/** The answer type of each request kind. */
export interface EngineAnswers {
  readonly command: CommandAnswer;
  readonly read: ReadAnswer;
  readonly start: StartAnswer;
  readonly stop: CommandResult;
  readonly record: CommandResult;
  readonly recordings: RecordingView[];
  readonly commit: null;
  readonly 'configure-live': null;
  readonly watch: null;
  readonly close: null;
}

export interface EngineCall {
  readonly id: number;
  readonly request: EngineRequest;
}

/** One point of the series: its time (the host keeps a bounded window by it) and its JSON text. */
export interface SeriesItem {
  readonly timeMs: number;
  readonly json: string;
}

/** The traded volume at one price: its price (the mirror keeps one entry per price) and its JSON text. */
export interface VolumeItem {
  readonly price: number;
  readonly json: string;
}

/** A stream message of the desk, serialised piece by piece (see the header). */
export type StreamFrame =
  | {
      readonly kind: 'snapshot';
      readonly state: string;
      readonly metrics: string;
      /** Newest first, as the desk keeps them. */
      readonly fills: readonly string[];
      readonly series: readonly SeriesItem[];
      readonly events: readonly string[];
      /** Newest first. */
      readonly trades: readonly string[];
      readonly volume: readonly VolumeItem[];
    }
  | {
      readonly kind: 'update';
      readonly seq: number;
      readonly state: string;
      readonly metrics: string | null;
      /** In the order they were committed. */
      readonly fills: readonly string[];
      readonly series: readonly SeriesItem[];
      readonly events: readonly string[];
      /** Oldest first. */
      readonly trades: readonly string[];
      readonly volume: readonly VolumeItem[];
    };

export type EngineEvent =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly id: number; readonly value: unknown }
  | { readonly type: 'reply-error'; readonly id: number; readonly error: string }
  | { readonly type: 'session'; readonly session: SessionView }
  | { readonly type: 'frame'; readonly frame: StreamFrame }
  | { readonly type: 'log'; readonly line: string };
