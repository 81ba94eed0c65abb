/**
 * What the local exchange publishes as Bybit v5 spot or linear (`docs/v5/market/instrument.mdx`,
 * `rate-limit/rate-limit.mdx`): the simulated market and account behind it (Bybit's standard fees: spot
 * 0.1 % both sides; linear 0.02 % maker and 0.055 % taker, which the engine's whole-basis-point fees hold as
 * 6 bp), the `instruments-info` entry of its one symbol, the per-endpoint limits per second it enforces (the
 * gateway's defaults from the same table), and the number formats (the symbol's own decimals). Pure.
 */
import { decimalsOf } from '../../../shared/units.js';
import { defaultBybitLimits } from '../../execution/venues/bybit/rate-limits.js';
import { formatDec, parseDec, subDec, type Dec } from '../../execution/venues/common/decimal.js';
import { exchangeConfig as binanceLikeConfig, type DialectSymbol, type Formats } from '../binance/dialect.js';
import type { SimConfig } from '../../market/sim/sim-market.js';
import type { SimExchangeConfig } from '../sim-exchange.js';

export type BybitDialect = 'bybit-spot' | 'bybit-linear';

export function categoryOfDialect(dialect: BybitDialect): 'spot' | 'linear' {
  return dialect === 'bybit-spot' ? 'spot' : 'linear';
}

export function bybitExchangeConfig(dialect: BybitDialect, symbol: DialectSymbol, options: { seed?: number; flowMultiplier?: number; sim?: Partial<SimConfig> }): SimExchangeConfig {
  const spot = dialect === 'bybit-spot';
  const base = binanceLikeConfig(spot ? 'binance-spot' : 'binance-usdm', symbol, options);
  return { ...base, makerFeeBps: spot ? 10 : 2, takerFeeBps: spot ? 10 : 6 };
}

/** Requests per second per endpoint (the UID's limits; every client of the local exchange is one UID). */
export function bybitLimits(dialect: BybitDialect): Record<string, number> {
  return { ...defaultBybitLimits(categoryOfDialect(dialect)) };
}

export function bybitFormats(symbol: DialectSymbol): Formats {
  const pd = decimalsOf(symbol.tickSize);
  const qd = decimalsOf(symbol.stepSize);
  return { price: (v: Dec) => formatDec(v, pd), qty: (v: Dec) => formatDec(v, qd), asset: (v: Dec) => formatDec(v, 8) };
}

/** priceLimitRatioX from the symbol's PERCENT_PRICE multiplier (1.2 → 0.2). */
function ratio(symbol: DialectSymbol): string {
  const up = parseDec(symbol.percentUp);
  return up ? formatDec(subDec(up, { units: 1n, scale: 0 })) : '0.05';
}

/** The one `instruments-info` list entry (linear and spot shapes differ). */
export function instrumentEntry(dialect: BybitDialect, symbol: DialectSymbol): Record<string, unknown> {
  const risk = { priceLimitRatioX: ratio(symbol), priceLimitRatioY: ratio(symbol) };
  if (dialect === 'bybit-spot') {
    return {
      symbol: symbol.symbol,
      baseCoin: symbol.baseAsset,
      quoteCoin: symbol.quoteAsset,
      innovation: '0',
      symbolType: '',
      status: 'Trading',
      marginTrading: 'none',
      stTag: '0',
      lotSizeFilter: {
        basePrecision: symbol.stepSize,
        quotePrecision: '0.00000001',
        minOrderQty: symbol.minQty,
        maxOrderQty: symbol.maxQty,
        minOrderAmt: symbol.minNotional,
        maxOrderAmt: '9000000',
        maxLimitOrderQty: symbol.maxQty,
        maxMarketOrderQty: symbol.maxQty,
        postOnlyMaxLimitOrderSize: symbol.maxQty,
      },
      priceFilter: { tickSize: symbol.tickSize },
      riskParameters: risk,
    };
  }
  return {
    symbol: symbol.symbol,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: symbol.baseAsset,
    quoteCoin: symbol.quoteAsset,
    launchTime: '1585526400000',
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: String(decimalsOf(symbol.tickSize)),
    leverageFilter: { minLeverage: '1', maxLeverage: '20.00', leverageStep: '0.01' },
    priceFilter: { minPrice: symbol.minPrice, maxPrice: symbol.maxPrice, tickSize: symbol.tickSize },
    lotSizeFilter: { maxOrderQty: symbol.maxQty, minOrderQty: symbol.minQty, qtyStep: symbol.stepSize, postOnlyMaxOrderQty: symbol.maxQty, maxMktOrderQty: symbol.maxQty, minNotionalValue: symbol.minNotional },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: symbol.quoteAsset,
    copyTrading: 'none',
    upperFundingRate: '0.00375',
    lowerFundingRate: '-0.00375',
    isPreListing: false,
    preListingInfo: null,
    riskParameters: risk,
    symbolType: '',
  };
}
