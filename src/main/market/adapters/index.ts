/**
 * The adapter factory: one pure VenueAdapter per venue name, plus the re-exports a live connector, the
 * replay driver and `quotedesk inspect` need (endpoints, instrument specs and parsers). `lobster` has no
 * adapter here: the LOBSTER importer registers its own with `registerAdapter`. No I/O.
 */
import { assertNever } from '../../../shared/units.js';
import type { Instrument } from '../../../shared/units.js';
import type { AdapterVenue, VenueAdapter } from './types.js';
import type { AdapterOptions } from './base.js';
import { BinanceAdapter } from './binance/binance-adapter.js';
import { BybitAdapter } from './bybit/bybit-adapter.js';
import { CoinbaseAdapter } from './coinbase/coinbase-adapter.js';
import { KrakenAdapter } from './kraken/kraken-adapter.js';

export type { AdapterOptions, AdapterCountersEx } from './base.js';
export { BinanceAdapter, binanceSnapshotUrl } from './binance/binance-adapter.js';
export { BybitAdapter } from './bybit/bybit-adapter.js';
export { CoinbaseAdapter } from './coinbase/coinbase-adapter.js';
export { KrakenAdapter, crc32Ascii } from './kraken/kraken-adapter.js';
export { venueEndpoints, DEFAULT_DEPTH } from './endpoints.js';
export type { VenueEndpoints, KeepAlive } from './endpoints.js';
export {
  knownInstrument,
  knownInstruments,
  parseBinanceExchangeInfo,
  parseBybitInstrumentsInfo,
  parseKrakenAssetPairs,
  parseCoinbaseProduct,
  parseInstrumentResponse,
  isInstrumentUrl,
} from './instruments.js';

export type AdapterFactory = (instrument: Instrument, options: AdapterOptions) => VenueAdapter;

const registered = new Map<AdapterVenue, AdapterFactory>();

/** Lets another module provide the adapter of a venue this file does not build (`lobster`). */
export function registerAdapter(venue: AdapterVenue, factory: AdapterFactory): void {
  registered.set(venue, factory);
}

export function createAdapter(venue: AdapterVenue, instrument: Instrument, options: AdapterOptions = {}): VenueAdapter {
  const custom = registered.get(venue);
  if (custom !== undefined) return custom(instrument, options);
  switch (venue) {
    case 'binance-spot':
      return new BinanceAdapter('spot', instrument, options);
    case 'binance-usdm':
      return new BinanceAdapter('usdm', instrument, options);
    case 'bybit-spot':
      return new BybitAdapter('spot', instrument, options);
    case 'bybit-linear':
      return new BybitAdapter('linear', instrument, options);
    case 'kraken':
      return new KrakenAdapter(instrument, options);
    case 'coinbase':
      return new CoinbaseAdapter(instrument, options);
    case 'lobster':
      throw new Error("no adapter registered for venue 'lobster': the LOBSTER importer must call registerAdapter('lobster', ...) first");
    case 'sim':
      throw new Error("venue 'sim' has no feed adapter: the simulated market writes its own book");
    default:
      return assertNever(venue, 'venue');
  }
}
