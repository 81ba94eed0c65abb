/**
 * The recorder behind `quotedesk record`: connects a LiveFeed to a venue and writes every frame it
 * receives (WebSocket text exactly as received, REST snapshot answers with their url) to a capture file
 * (`.jsonl` or `.jsonl.gz`) for `durationSec` seconds or until the signal aborts, after the venue's answer
 * to the instrument request (a `rest` line with its url: the tick and lot a replay uses). The file appears
 * under its final name only when complete (CaptureWriter writes a temporary file and renames it); bad
 * input (unknown venue, a folder that does not exist or cannot be written, an output that is a folder or
 * a device, a bad duration) fails before anything is written or the venue is asked. The
 * CLI itself (flags, exit codes) is the desk's; a running live session records through
 * `LiveFeed.startRecording` / `stopRecording` instead.
 */
import { VENUES } from '../../../shared/contract.js';
import { CaptureWriter } from '../capture/index.js';
import type { FeedEvent } from '../types.js';
import { LiveFeed, instrumentFrame, resolveInstrument, type LiveVenue } from './live-feed.js';

export interface RecordOptions {
  readonly venue: string;
  readonly symbol: string;
  readonly out: string;
  /** Stop after this many seconds (default: until `signal` aborts). */
  readonly durationSec?: number;
  readonly wsUrl?: string;
  readonly restUrl?: string;
  readonly depth?: number;
  readonly signal?: AbortSignal;
  /** Called about once a second and at the end. */
  readonly onProgress?: (progress: RecordProgress) => void;
  /** Feed events as they happen (connects, resyncs), for the CLI's log. */
  readonly onFeedEvent?: (event: FeedEvent) => void;
}

export interface RecordProgress {
  readonly frames: number;
  readonly elapsedSec: number;
  readonly connected: boolean;
  readonly trusted: boolean;
}

export interface RecordResult {
  readonly file: string;
  readonly frames: number;
  readonly elapsedSec: number;
  readonly instrumentSource: 'venue' | 'known';
}

export class RecordInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RecordInputError';
  }
}

function liveVenue(venue: string): LiveVenue {
  if (venue === 'sim' || !(VENUES as readonly string[]).includes(venue)) {
    throw new RecordInputError('venue', `--venue must be one of ${VENUES.filter((v) => v !== 'sim').join(', ')}; got "${venue}"`);
  }
  return venue as LiveVenue;
}

export async function recordLive(options: RecordOptions): Promise<RecordResult> {
  const venue = liveVenue(options.venue);
  if (!options.symbol) throw new RecordInputError('symbol', '--symbol is required');
  if (!/\.jsonl(\.gz)?$/.test(options.out)) throw new RecordInputError('out', `--out must end in .jsonl or .jsonl.gz; got "${options.out}"`);
  if (options.durationSec !== undefined && !(options.durationSec > 0 && Number.isFinite(options.durationSec))) {
    throw new RecordInputError('duration', `--duration must be a positive number of seconds; got ${options.durationSec}`);
  }
  // The temporary file exists from here on: a missing or unwritable folder fails before the network is asked.
  const writer = await CaptureWriter.open(options.out, { name: '--out' });
  const resolveOptions: { restUrl?: string } = {};
  if (options.restUrl !== undefined) resolveOptions.restUrl = options.restUrl;
  let resolved: Awaited<ReturnType<typeof resolveInstrument>>;
  try {
    resolved = await resolveInstrument(venue, options.symbol, resolveOptions);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const { instrument, source, response } = resolved;
  // The venue's own answer goes first: a replay reads the tick and lot from it (`captureInstrument`).
  if (response) writer.write(instrumentFrame(venue, response));
  const feed = new LiveFeed({
    venue,
    symbol: options.symbol,
    instrument,
    ...(options.wsUrl === undefined ? {} : { wsUrl: options.wsUrl }),
    ...(options.restUrl === undefined ? {} : { restUrl: options.restUrl }),
    ...(options.depth === undefined ? {} : { depth: options.depth }),
    tap: (frame) => writer.write(frame),
  });
  const startedMs = performance.now();
  const progress = (): RecordProgress => ({
    frames: writer.frames,
    elapsedSec: (performance.now() - startedMs) / 1_000,
    connected: feed.health(feed.nowUs()).connected,
    trusted: feed.trusted(),
  });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  if (options.durationSec !== undefined) timers.push(setTimeout(finish, options.durationSec * 1_000));
  if (options.signal) {
    if (options.signal.aborted) finish();
    else options.signal.addEventListener('abort', finish, { once: true });
  }
  const ticker = setInterval(() => options.onProgress?.(progress()), 1_000);
  try {
    await feed.start({
      onBook: () => undefined,
      onTrade: () => undefined,
      onTime: () => undefined,
      onFeedEvent: (event) => options.onFeedEvent?.(event),
    });
    await finished;
  } catch (err) {
    await feed.stop();
    await writer.abort();
    throw err;
  } finally {
    for (const t of timers) clearTimeout(t);
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', finish);
  }
  await feed.stop();
  const last = progress();
  await writer.close();
  options.onProgress?.(last);
  return { file: options.out, frames: writer.frames, elapsedSec: last.elapsedSec, instrumentSource: source };
}
