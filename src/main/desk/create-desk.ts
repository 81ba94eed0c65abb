/**
 * Builds a running desk for a host from plain options: which market (the simulated market, a live venue,
 * or a recording to replay or backtest), which database, which parameters. This is the only place that
 * chooses concrete parts; the desk itself only sees interfaces, and hosts (Electron, `quotedesk serve`,
 * the CLI) only call this and the desk's API. Live and replay differ only in the feed and clock plugged
 * in here: the paper venue, strategy, risk and analytics are the same objects in both.
 */
import { resolve } from 'node:path';
import type { VenueName } from '../../shared/contract.js';
import type { DeskParams } from '../../shared/params.js';
import { US_PER_MS, type Instrument, type LocalUs } from '../../shared/units.js';
import { createAnalytics, tradingCalendarFor, type DeskAnalytics } from '../analytics/index.js';
import { PaperVenue } from '../execution/paper/index.js';
import type { AdapterOptions } from '../market/adapters/base.js';
import type { AdapterVenue } from '../market/adapters/types.js';
import { PriceLevelBook } from '../market/book/order-book.js';
import { LiveFeed, resolveInstrument } from '../market/live/live-feed.js';
import { ReplayFeed, type ReplaySpeed } from '../market/replay/index.js';
import { DEFAULT_SIM_CONFIG, SimMarket, type SimConfig } from '../market/sim/sim-market.js';
import { openStore, type SqliteStore } from '../storage/index.js';
import { createStrategy } from '../strategy/index.js';
import type { Credentials } from '../execution/live/gateway.js';
import { LiveVenue } from '../execution/live/live-venue.js';
import { createBinanceGateway, gatewayEndpoints, type BinanceNetwork } from '../execution/venues/binance/index.js';
import { bybitGatewayEndpoints, createBybitGateway } from '../execution/venues/bybit/index.js';
import { Desk } from './desk.js';

export interface DeskOptions {
  /** The market: `sim` or a live venue. Ignored (detected) for a recording unless given. */
  readonly venue: VenueName;
  readonly symbol?: string;
  /** Replay this capture instead of a live feed. */
  readonly recording?: string;
  /**
   * Tick and lot the user gave for one recording (`--tick-size`/`--lot-size`), used when `recording` is that
   * file: a host's base options reach every session it starts, and another recording keeps its own spec.
   * Without it a replay takes the spec stored in the recording, the built-in one, or the capture's grid.
   */
  readonly instrument?: { readonly recording: string; readonly tickSize: string; readonly lotSize: string };
  /** `backtest`: no timers, the caller drives the replay to its end (`runToEnd`). */
  readonly backtest?: boolean;
  readonly speed?: ReplaySpeed;
  readonly dbPath: string;
  readonly params: DeskParams;
  /** Overrides of the simulated market's configuration (venue `sim`). */
  readonly sim?: Partial<SimConfig>;
  /** Start time of the simulated market's clock; defaults to the wall clock (tests fix it, and drive it). */
  readonly startUs?: LocalUs;
  readonly wsUrl?: string;
  readonly restUrl?: string;
  /** Paper (default: simulated fills on the live feed) or live: real orders at the venue. */
  readonly execution?: 'paper' | 'live';
  /** Live execution: the account's keys and where orders go (testnet unless mainnet is asked for). */
  readonly live?: LiveExecutionOptions;
  readonly adapterOptions?: AdapterOptions;
  readonly logger?: (line: string) => void;
  /** Where better-sqlite3's native module for this runtime lives (Electron's ABI). */
  readonly nativeBinding?: string;
  /** Progress of loading a recording (0..1). */
  readonly onLoadProgress?: (fraction: number) => void;
}

export interface LiveExecutionOptions {
  readonly credentials: Credentials;
  readonly network: BinanceNetwork;
  /** The WebSocket API (Binance spot), user-data stream base (USD-M) or private stream (Bybit), overriding the network's. */
  readonly wsApiUrl?: string;
}

export interface RunningDesk {
  readonly desk: Desk;
  readonly store: SqliteStore;
  /** Starts the market and the desk (and the realtime driver where there is one). */
  start(): Promise<void>;
  /** Stops everything and closes the database. */
  close(): Promise<void>;
  /** The simulated market, when the venue is `sim` (tests drive its clock). */
  readonly sim: SimMarket | null;
  /** The replay, when replaying a recording. */
  readonly replay: ReplayFeed | null;
  readonly live: LiveFeed | null;
}

export function wallClockUs(): LocalUs {
  return Date.now() * US_PER_MS;
}

/**
 * How often the desk batches its changes into a stream update: about one display frame. Each transport
 * also holds every client to at most one update per frame (`StreamFlow`), merging anything in between,
 * so timer jitter never delivers two updates into one frame.
 */
const PUBLISH_INTERVAL_MS = 17;

export async function createDesk(options: DeskOptions): Promise<RunningDesk> {
  if (options.recording !== undefined) return createReplayDesk(options, options.recording);
  switch (options.venue) {
    case 'sim':
      return createSimDesk(options);
    case 'binance-spot':
    case 'binance-usdm':
    case 'bybit-spot':
    case 'bybit-linear':
    case 'kraken':
    case 'coinbase':
      return createLiveDesk(options, options.venue);
  }
}

/** Commits run on the store's writer thread, so only a commit slow enough to delay durability is worth a log line. */
const SLOW_WRITE_MS = 100;

function openStoreFor(options: DeskOptions): SqliteStore {
  return openStore(options.dbPath, { slowWriteMs: SLOW_WRITE_MS, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
}

function analyticsFor(instrument: Instrument, params: DeskParams, startUs: LocalUs): DeskAnalytics {
  return createAnalytics({
    tickSize: instrument.tickSize,
    lotSize: instrument.lotSize,
    sessionStartUs: startUs,
    adverseHorizonSec: params.strategy.adverseSelection.horizonSec,
    // The Sharpe ratio is annualised on the instrument's market: 24/7 for crypto and the simulator, 252 × 6.5 h for equities.
    calendar: tradingCalendarFor(instrument.venue),
  });
}

/** Closes the store if building the rest fails, so a bad option never leaves a locked database behind. */
async function withStore<T>(store: SqliteStore, build: () => Promise<T> | T): Promise<T> {
  try {
    return await build();
  } catch (error) {
    store.close();
    throw error;
  }
}

async function createSimDesk(options: DeskOptions): Promise<RunningDesk> {
  const store = openStoreFor(options);
  return withStore(store, () => {
    const execution = options.params.execution;
    const config: SimConfig = {
      ...DEFAULT_SIM_CONFIG,
      makerFeeBps: execution.makerFeeBps,
      takerFeeBps: execution.takerFeeBps,
      ...(options.symbol ? { symbol: options.symbol } : {}),
      ...options.sim,
    };
    const startUs = options.startUs ?? wallClockUs();
    const sim = new SimMarket(new PriceLevelBook(), config, startUs);
    const desk = new Desk({
      feed: sim,
      venue: sim,
      clock: { nowUs: () => sim.now() },
      store,
      strategy: createStrategy(options.params),
      analytics: analyticsFor(sim.instrument, options.params, startUs),
      params: options.params,
      mode: 'live',
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return {
      desk,
      store,
      sim,
      replay: null,
      live: null,
      start: async () => {
        await desk.start({ publishIntervalMs: options.startUs === undefined ? PUBLISH_INTERVAL_MS : 0 });
        if (options.startUs === undefined) sim.startRealtime(wallClockUs);
      },
      close: async () => {
        sim.stopRealtime();
        await desk.stop('host closed');
        store.close();
      },
    };
  });
}

async function createLiveDesk(options: DeskOptions, venue: Exclude<VenueName, 'sim'>): Promise<RunningDesk> {
  if (!options.symbol) throw new RangeError(`--symbol is required for the live venue ${venue}`);
  if (options.execution === 'live') return createLiveTradingDesk(options, venue, options.symbol);
  const { instrument, source, error, response } = await resolveInstrument(venue, options.symbol, options.restUrl ? { restUrl: options.restUrl } : {});
  if (source === 'known' && error) options.logger?.(`instrument from the built-in list (${error})`);
  const store = openStoreFor(options);
  return withStore(store, () => {
    const feed = new LiveFeed({
      venue,
      symbol: options.symbol ?? instrument.symbol,
      instrument,
      instrumentResponse: response,
      ...(options.wsUrl ? { wsUrl: options.wsUrl } : {}),
      ...(options.restUrl ? { restUrl: options.restUrl } : {}),
      ...(options.adapterOptions ? { adapterOptions: options.adapterOptions } : {}),
      staleAfterMs: options.params.risk.staleFeedMs,
    });
    const startUs = wallClockUs();
    const venueSim = new PaperVenue({
      tickSize: instrument.tickSize,
      lotSize: instrument.lotSize,
      execution: options.params.execution,
      book: feed.book,
      // Unique across restarts of a resumed session: the store inserts fills idempotently by id.
      fillIdPrefix: `paper-${startUs}`,
    });
    const desk = new Desk({
      feed,
      venue: venueSim,
      clock: feed,
      store,
      strategy: createStrategy(options.params),
      analytics: analyticsFor(instrument, options.params, startUs),
      params: options.params,
      mode: 'live',
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return runningOnLiveFeed(desk, store, feed);
  });
}

/** A desk on a venue's live feed (paper or live execution), as its host runs and closes it. */
function runningOnLiveFeed(desk: Desk, store: SqliteStore, feed: LiveFeed): RunningDesk {
  return {
    desk,
    store,
    sim: null,
    replay: null,
    live: feed,
    start: () => desk.start({ publishIntervalMs: PUBLISH_INTERVAL_MS }),
    close: async () => {
      await desk.stop('host closed');
      store.close();
    },
  };
}

/**
 * A desk that trades for real: its orders go to the venue through that venue's gateway (testnet unless
 * mainnet is asked for; every endpoint overridable), and its market data comes from the same network.
 */
async function createLiveTradingDesk(options: DeskOptions, venue: Exclude<VenueName, 'sim'>, symbol: string): Promise<RunningDesk> {
  const live = options.live;
  if (!live) throw new RangeError('live execution needs the account keys (QUOTEDESK_API_KEY and QUOTEDESK_API_SECRET, or an Ed25519 key file)');
  if (venue !== 'binance-spot' && venue !== 'binance-usdm' && venue !== 'bybit-spot' && venue !== 'bybit-linear') {
    throw new RangeError(`live execution is available on binance-spot, binance-usdm, bybit-spot and bybit-linear, not on the venue ${venue}`);
  }
  const bybit = venue === 'bybit-spot' || venue === 'bybit-linear';
  if (bybit && live.credentials.secret.kind !== 'hmac') throw new RangeError('Bybit keys sign with HMAC-SHA256: give QUOTEDESK_API_SECRET, not an Ed25519 key');
  const overrides = {
    ...(options.restUrl ? { restUrl: options.restUrl } : {}),
    ...(options.wsUrl ? { wsUrl: options.wsUrl } : {}),
    ...(live.wsApiUrl ? { wsApiUrl: live.wsApiUrl } : {}),
  };
  const endpoints = bybit ? bybitGatewayEndpoints(venue, live.network, overrides) : gatewayEndpoints(venue, live.network, overrides);
  const overridden = options.restUrl !== undefined || options.wsUrl !== undefined || live.wsApiUrl !== undefined;
  const endpoint = overridden ? `override ${new URL(endpoints.restUrl).host}` : live.network;
  const { instrument, response } = await resolveInstrument(venue, symbol, { restUrl: endpoints.restUrl });
  const store = openStoreFor(options);
  return withStore(store, () => {
    const feed = new LiveFeed({
      venue,
      symbol,
      instrument,
      instrumentResponse: response,
      wsUrl: endpoints.wsUrl,
      restUrl: endpoints.restUrl,
      ...(options.adapterOptions ? { adapterOptions: options.adapterOptions } : {}),
      staleAfterMs: options.params.risk.staleFeedMs,
    });
    const startUs = wallClockUs();
    const gateway = bybit ? createBybitGateway(venue, symbol, live.credentials, endpoints) : createBinanceGateway(venue, symbol, live.credentials, endpoints);
    const liveVenue = new LiveVenue({ gateway, tickSize: instrument.tickSize, lotSize: instrument.lotSize, nowUs: () => feed.nowUs(), log: options.logger ?? (() => undefined) });
    const desk = new Desk({
      feed,
      venue: liveVenue,
      clock: feed,
      store,
      strategy: createStrategy(options.params),
      analytics: analyticsFor(instrument, options.params, startUs),
      params: options.params,
      mode: 'live',
      // why: an id is never reused at the venue (a query by client order id must find exactly one order).
      orderIdPrefix: `qd${Math.floor(startUs / 1000).toString(36)}-`,
      endpoint,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return runningOnLiveFeed(desk, store, feed);
  });
}

async function createReplayDesk(options: DeskOptions, file: string): Promise<RunningDesk> {
  const backtest = options.backtest === true;
  const given = options.instrument;
  const replay = await ReplayFeed.open(file, {
    ...(options.venue !== 'sim' ? { venue: options.venue as AdapterVenue } : {}),
    ...(options.symbol ? { symbol: options.symbol } : {}),
    ...(given && resolve(given.recording) === resolve(file) ? { instrumentSpec: { tickSize: given.tickSize, lotSize: given.lotSize } } : {}),
    speed: options.speed ?? (backtest ? 'max' : 1),
    autoplay: !backtest,
    // A backtest never seeks: no copies of the desk with the checkpoints.
    exactSeeks: !backtest,
    staleAfterMs: options.params.risk.staleFeedMs,
    ...(options.adapterOptions ? { adapterOptions: options.adapterOptions } : {}),
    ...(options.onLoadProgress ? { onLoadProgress: options.onLoadProgress } : {}),
  });
  const store = openStoreFor(options);
  return withStore(store, () => {
    const instrument = replay.instrument;
    const startUs = replay.nowUs();
    const paper = new PaperVenue({
      tickSize: instrument.tickSize,
      lotSize: instrument.lotSize,
      execution: options.params.execution,
      book: replay.book,
      fillIdPrefix: 'paper',
    });
    const desk = new Desk({
      feed: replay,
      venue: paper,
      clock: { nowUs: () => replay.nowUs() },
      store,
      strategy: createStrategy(options.params),
      analytics: analyticsFor(instrument, options.params, startUs),
      params: options.params,
      mode: backtest ? 'backtest' : 'replay',
      recording: file,
      replay,
      resumeUnfinished: false,
      journalOrders: !backtest,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    // why: printed once the session can run, so a command that fails on bad input prints only its error line.
    if (replay.instrumentNotice) options.logger?.(replay.instrumentNotice);
    return {
      desk,
      store,
      sim: null,
      replay,
      live: null,
      start: () => desk.start({ publishIntervalMs: backtest ? 0 : PUBLISH_INTERVAL_MS }),
      close: async () => {
        await desk.stop(backtest ? 'backtest finished' : 'host closed');
        store.close();
      },
    };
  });
}
