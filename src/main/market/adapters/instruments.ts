/**
 * Instrument specs (tick and lot as the venue publishes them) for the symbols the desk knows without a
 * network round trip, and parsers for each venue's public instrument endpoint response.
 *
 * The known specs cover the symbols of the real captures in ../shared/data/exchanges. Each was checked
 * against the data (every price and size in the capture lies on the grid) and the venue's documented
 * filters; where the capture shows fewer decimals than the venue's grid, the venue's finer grid is kept so a
 * live price is never rejected. Kraken v1 prints prices with a fixed number of decimals per pair that may
 * exceed the pair's tick (XBT/CHF prints 5 decimals, trades in 0.1): the tick here is the pair's
 * `pair_decimals`; the Kraken adapter learns the printed decimals from the snapshot for the checksum. The
 * parsers take the venues' JSON (already parsed) and return an Instrument via makeInstrument, or throw an
 * Error naming the missing field; `parseInstrumentResponse` picks the venue's parser (the live connector
 * after its request, the replay for the answer `record` stored in the capture). Pure: no I/O.
 */
import { assertNever, makeInstrument } from '../../../shared/units.js';
import type { Instrument } from '../../../shared/units.js';
import type { VenueName } from '../../../shared/contract.js';
import type { AdapterVenue } from './types.js';
import { isRecord } from './base.js';
import { venueEndpoints } from './endpoints.js';

interface Spec {
  readonly tickSize: string;
  readonly lotSize: string;
  readonly quoteCurrency: string;
}

/** venue → symbol (as the venue spells it on the wire) → spec. */
const KNOWN: Readonly<Record<string, Readonly<Record<string, Spec>>>> = {
  // Binance spot NKNUSDT (capture 2021-10): PRICE_FILTER tickSize 0.00001, LOT_SIZE stepSize 0.1.
  'binance-spot': { NKNUSDT: { tickSize: '0.00001', lotSize: '0.1', quoteCurrency: 'USDT' } },
  // Binance USD-M SUSHIUSDT (capture 2021-07): tickSize 0.001, stepSize 1 (sizes are whole contracts).
  'binance-usdm': { SUSHIUSDT: { tickSize: '0.001', lotSize: '1', quoteCurrency: 'USDT' } },
  // Bybit spot BTCUSDT: priceFilter.tickSize 0.01, lotSizeFilter.basePrecision 0.000001.
  'bybit-spot': { BTCUSDT: { tickSize: '0.01', lotSize: '0.000001', quoteCurrency: 'USDT' } },
  // Bybit linear BTCUSDT: priceFilter.tickSize 0.10, lotSizeFilter.qtyStep 0.001.
  'bybit-linear': { BTCUSDT: { tickSize: '0.1', lotSize: '0.001', quoteCurrency: 'USDT' } },
  // Kraken AssetPairs: ADAXBT pair_decimals 8, SCEUR 5, XBTCHF 1; lot_decimals 8 for all three.
  kraken: {
    'ADA/XBT': { tickSize: '0.00000001', lotSize: '0.00000001', quoteCurrency: 'XBT' },
    'SC/EUR': { tickSize: '0.00001', lotSize: '0.00000001', quoteCurrency: 'EUR' },
    'XBT/CHF': { tickSize: '0.1', lotSize: '0.00000001', quoteCurrency: 'CHF' },
  },
  // Coinbase products: quote_increment 0.01, base_increment 0.00000001.
  coinbase: {
    'BTC-USD': { tickSize: '0.01', lotSize: '0.00000001', quoteCurrency: 'USD' },
    'ETH-USD': { tickSize: '0.01', lotSize: '0.00000001', quoteCurrency: 'USD' },
  },
};

/** The documented spec for a symbol, or undefined when the desk must ask the venue. */
export function knownInstrument(venue: AdapterVenue | string, symbol: string): Instrument | undefined {
  const spec = KNOWN[venue]?.[symbol];
  if (spec === undefined) return undefined;
  return makeInstrument({ venue, symbol, ...spec });
}

/** Every known (venue, symbol) pair, for listings and tests. */
export function knownInstruments(): Instrument[] {
  const out: Instrument[] = [];
  for (const venue of Object.keys(KNOWN)) {
    for (const symbol of Object.keys(KNOWN[venue]!)) out.push(knownInstrument(venue, symbol)!);
  }
  return out;
}

function field(obj: unknown, name: string, where: string): unknown {
  if (!isRecord(obj) || !(name in obj)) throw new Error(`${where}: missing field "${name}"`);
  return obj[name];
}

function text(value: unknown, where: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Error(`${where}: expected a decimal string, got ${JSON.stringify(value)}`);
}

/** "0.00100000" → "0.001"; keeps "1" and "10". */
function trimDecimal(value: string): string {
  if (!value.includes('.')) return value;
  const trimmed = value.replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/**
 * Binance `GET /api/v3/exchangeInfo?symbol=X` (spot) or `GET /fapi/v1/exchangeInfo` (USD-M):
 * `symbols[].filters` PRICE_FILTER.tickSize and LOT_SIZE.stepSize.
 */
export function parseBinanceExchangeInfo(venue: 'binance-spot' | 'binance-usdm', symbol: string, body: unknown): Instrument {
  const symbols = field(body, 'symbols', 'binance exchangeInfo');
  if (!Array.isArray(symbols)) throw new Error('binance exchangeInfo: "symbols" is not an array');
  const entry: unknown = symbols.find((s: unknown) => isRecord(s) && s['symbol'] === symbol);
  if (entry === undefined) throw new Error(`binance exchangeInfo: symbol ${symbol} not listed`);
  const filters = field(entry, 'filters', `binance exchangeInfo ${symbol}`);
  if (!Array.isArray(filters)) throw new Error(`binance exchangeInfo ${symbol}: "filters" is not an array`);
  const price: unknown = filters.find((f: unknown) => isRecord(f) && f['filterType'] === 'PRICE_FILTER');
  const lot: unknown = filters.find((f: unknown) => isRecord(f) && f['filterType'] === 'LOT_SIZE');
  const where = `binance exchangeInfo ${symbol}`;
  return makeInstrument({
    venue,
    symbol,
    tickSize: trimDecimal(text(field(price, 'tickSize', `${where} PRICE_FILTER`), where)),
    lotSize: trimDecimal(text(field(lot, 'stepSize', `${where} LOT_SIZE`), where)),
    quoteCurrency: typeof (entry as Record<string, unknown>)['quoteAsset'] === 'string' ? ((entry as Record<string, unknown>)['quoteAsset'] as string) : 'USDT',
  });
}

/**
 * Bybit `GET /v5/market/instruments-info?category=spot|linear&symbol=X`: `result.list[].priceFilter.tickSize`
 * and `lotSizeFilter.basePrecision` (spot) or `lotSizeFilter.qtyStep` (linear).
 */
export function parseBybitInstrumentsInfo(venue: 'bybit-spot' | 'bybit-linear', symbol: string, body: unknown): Instrument {
  const where = `bybit instruments-info ${symbol}`;
  const list = field(field(body, 'result', where), 'list', where);
  if (!Array.isArray(list)) throw new Error(`${where}: "result.list" is not an array`);
  const entry: unknown = list.find((s: unknown) => isRecord(s) && s['symbol'] === symbol);
  if (entry === undefined) throw new Error(`${where}: symbol not listed`);
  const priceFilter = field(entry, 'priceFilter', where);
  const lotFilter = field(entry, 'lotSizeFilter', where);
  const lotName = venue === 'bybit-spot' ? 'basePrecision' : 'qtyStep';
  const quote = (entry as Record<string, unknown>)['quoteCoin'];
  return makeInstrument({
    venue,
    symbol,
    tickSize: trimDecimal(text(field(priceFilter, 'tickSize', `${where} priceFilter`), where)),
    lotSize: trimDecimal(text(field(lotFilter, lotName, `${where} lotSizeFilter`), where)),
    quoteCurrency: typeof quote === 'string' ? quote : 'USDT',
  });
}

/**
 * Kraken `GET /0/public/AssetPairs?pair=X`: the entry whose `wsname` is the v1 WebSocket pair name
 * (e.g. "XBT/CHF"); tick = 10^-pair_decimals (or `tick_size` when present), lot = 10^-lot_decimals.
 */
export function parseKrakenAssetPairs(wsname: string, body: unknown): Instrument {
  const where = `kraken AssetPairs ${wsname}`;
  const result = field(body, 'result', where);
  if (!isRecord(result)) throw new Error(`${where}: "result" is not an object`);
  const entry = Object.values(result).find((p) => isRecord(p) && p['wsname'] === wsname);
  if (entry === undefined) throw new Error(`${where}: pair not listed`);
  const pairDecimals = field(entry, 'pair_decimals', where);
  const lotDecimals = field(entry, 'lot_decimals', where);
  if (typeof pairDecimals !== 'number' || typeof lotDecimals !== 'number') throw new Error(`${where}: pair_decimals/lot_decimals are not numbers`);
  const tickField = (entry as Record<string, unknown>)['tick_size'];
  const quote = (entry as Record<string, unknown>)['quote'];
  return makeInstrument({
    venue: 'kraken',
    symbol: wsname,
    tickSize: typeof tickField === 'string' ? trimDecimal(tickField) : powerOfTen(pairDecimals),
    lotSize: powerOfTen(lotDecimals),
    quoteCurrency: wsname.split('/')[1] ?? (typeof quote === 'string' ? quote : 'USD'),
  });
}

/**
 * Coinbase `GET /api/v3/brokerage/market/products/{product_id}` (or an element of `products`):
 * `quote_increment` and `base_increment`.
 */
export function parseCoinbaseProduct(productId: string, body: unknown): Instrument {
  const where = `coinbase product ${productId}`;
  let entry: unknown = body;
  if (isRecord(body) && Array.isArray(body['products'])) {
    entry = (body['products'] as unknown[]).find((p) => isRecord(p) && p['product_id'] === productId);
    if (entry === undefined) throw new Error(`${where}: product not listed`);
  }
  const quote = isRecord(entry) ? entry['quote_currency_id'] : undefined;
  return makeInstrument({
    venue: 'coinbase',
    symbol: productId,
    tickSize: trimDecimal(text(field(entry, 'quote_increment', where), where)),
    lotSize: trimDecimal(text(field(entry, 'base_increment', where), where)),
    quoteCurrency: typeof quote === 'string' ? quote : (productId.split('-')[1] ?? 'USD'),
  });
}

/** The increment with `decimals` digits after the point: 0 → "1", 3 → "0.001". */
export function powerOfTen(decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) throw new Error(`bad decimals ${decimals}`);
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

/** The venue's instrument endpoint answer (parsed JSON) for `symbol`, by the venue's own parser. */
export function parseInstrumentResponse(venue: Exclude<VenueName, 'sim'>, symbol: string, body: unknown): Instrument {
  switch (venue) {
    case 'binance-spot':
    case 'binance-usdm':
      return parseBinanceExchangeInfo(venue, symbol, body);
    case 'bybit-spot':
    case 'bybit-linear':
      return parseBybitInstrumentsInfo(venue, symbol, body);
    case 'kraken':
      return parseKrakenAssetPairs(symbol, body);
    case 'coinbase':
      return parseCoinbaseProduct(symbol, body);
    default:
      return assertNever(venue, 'venue');
  }
}

/**
 * Whether `url` asked the venue's instrument endpoint about `symbol` (any origin: a recording made against a
 * testnet or a local server keeps the path and query of `venueEndpoints(...).instrumentUrl`).
 */
export function isInstrumentUrl(venue: Exclude<VenueName, 'sim'>, symbol: string, url: string): boolean {
  const wanted = new URL(venueEndpoints(venue, symbol).instrumentUrl);
  let given: URL;
  try {
    given = new URL(url);
  } catch {
    return false;
  }
  return given.search === wanted.search && given.pathname.endsWith(wanted.pathname);
}
