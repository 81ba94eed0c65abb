/**
 * Builds a running desk for a host from plain options: which market (the simulated market, a live venue,
 * or a recording to replay), which database, which parameters. This is the only place that chooses
 * concrete parts; the desk itself only sees interfaces, and hosts (Electron, `quotedesk serve`, the CLI)
 * only call this and the desk's API.
 */
import type { VenueName } from '../../shared/contract.js';
import type { DeskParams } from '../../shared/params.js';
import { US_PER_MS, type LocalUs } from '../../shared/units.js';
import { createAnalytics } from '../analytics/index.js';
import { PriceLevelBook } from '../market/book/order-book.js';
import { DEFAULT_SIM_CONFIG, SimMarket, type SimConfig } from '../market/sim/sim-market.js';
import { openStore, type SqliteStore } from '../storage/index.js';
import { createStrategy } from '../strategy/index.js';
import { Desk } from './desk.js';

export interface DeskOptions {
  readonly venue: VenueName;
  readonly symbol?: string;
  readonly dbPath: string;
  readonly params: DeskParams;
  /** Overrides of the simulated market's configuration (venue `sim`). */
  readonly sim?: Partial<SimConfig>;
  /** Start time of the simulated market's clock; defaults to the wall clock (tests fix it). */
  readonly startUs?: LocalUs;
  readonly logger?: (line: string) => void;
  /** Where better-sqlite3's native module for this runtime lives (Electron's ABI). */
  readonly nativeBinding?: string;
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
}

export function wallClockUs(): LocalUs {
  return Date.now() * US_PER_MS;
}

export function createDesk(options: DeskOptions): RunningDesk {
  switch (options.venue) {
    case 'sim':
      return createSimDesk(options);
    case 'binance-spot':
    case 'binance-usdm':
    case 'bybit-spot':
    case 'bybit-linear':
    case 'kraken':
    case 'coinbase':
      throw new Error(`live venue ${options.venue} is not wired into the desk yet`);
  }
}

function createSimDesk(options: DeskOptions): RunningDesk {
  const store = openStore(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
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
    const clock = { nowUs: () => sim.now() };
    const desk = new Desk({
      feed: sim,
      venue: sim,
      clock,
      store,
      strategy: createStrategy(options.params),
      analytics: createAnalytics({
        tickSize: sim.instrument.tickSize,
        lotSize: sim.instrument.lotSize,
        sessionStartUs: startUs,
        adverseHorizonSec: options.params.strategy.adverseSelection.horizonSec,
      }),
      params: options.params,
      mode: 'live',
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return {
      desk,
      store,
      sim,
      start: async () => {
        await desk.start({ publishIntervalMs: 16 });
        if (options.startUs === undefined) sim.startRealtime(wallClockUs);
      },
      close: async () => {
        sim.stopRealtime();
        await desk.stop('host closed');
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
