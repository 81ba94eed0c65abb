/**
 * What the local exchange publishes as Binance spot or USD-M: its options and defaults (symbol, assets,
 * grid, balances, fees, the rate limits it enforces), the `exchangeInfo` answer (spot `rest-api.md`
 * "Exchange information" with `filters.md` filters; USD-M "Exchange Information"), and the number formats
 * (spot prints prices and quantities with 8 decimals; USD-M with the symbol's own precision). Pure.
 */
import { decimalsOf } from '../../../shared/units.js';
import { formatDec, type Dec } from '../../execution/venues/common/decimal.js';
import { DEFAULT_SIM_CONFIG, type SimConfig } from '../../market/sim/sim-market.js';
import type { SimExchangeConfig } from '../sim-exchange.js';

export type Dialect = 'binance-spot' | 'binance-usdm';

/** A limit the local exchange enforces: `limit` per `intervalSec` seconds. */
export interface LimitSpec {
  readonly limit: number;
  readonly intervalSec: number;
}

export interface DialectLimits {
  readonly weight: LimitSpec;
  readonly orders: LimitSpec;
  /** Requests sent while told to back off (after a 429) before the IP is banned (418). */
  readonly banAfterViolations: number;
  readonly banSeconds: number;
}

/** Defaults as the docs print them: spot 6000 weight / 1 min and 50 orders / 10 s; USD-M 2400 / 1 min and 300 / 10 s. */
export function defaultLimits(dialect: Dialect): DialectLimits {
  return dialect === 'binance-spot'
    ? { weight: { limit: 6_000, intervalSec: 60 }, orders: { limit: 50, intervalSec: 10 }, banAfterViolations: 3, banSeconds: 120 }
    : { weight: { limit: 2_400, intervalSec: 60 }, orders: { limit: 300, intervalSec: 10 }, banAfterViolations: 3, banSeconds: 120 };
}

export interface DialectSymbol {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly minNotional: string;
  /** PERCENT_PRICE(_BY_SIDE) multipliers around the book's mid. */
  readonly percentUp: string;
  readonly percentDown: string;
}

export const DEFAULT_SYMBOL: DialectSymbol = {
  symbol: 'SIMUSDT',
  baseAsset: 'SIM',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  stepSize: '0.01',
  minQty: '0.01',
  maxQty: '100000',
  minPrice: '0.01',
  maxPrice: '1000000',
  minNotional: '5',
  percentUp: '1.2',
  percentDown: '0.8',
};

/** The simulated market and account behind a dialect, from the symbol and the CLI's seed and flow. */
export function exchangeConfig(dialect: Dialect, symbol: DialectSymbol, options: { seed?: number; flowMultiplier?: number; sim?: Partial<SimConfig> } = {}): SimExchangeConfig {
  const spot = dialect === 'binance-spot';
  return {
    kind: spot ? 'spot' : 'futures',
    sim: {
      ...DEFAULT_SIM_CONFIG,
      symbol: symbol.symbol,
      tickSize: symbol.tickSize,
      lotSize: symbol.stepSize,
      exchangeLatencyMs: 0,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.flowMultiplier !== undefined ? { flowMultiplier: options.flowMultiplier } : {}),
      ...options.sim,
    },
    baseAsset: symbol.baseAsset,
    quoteAsset: symbol.quoteAsset,
    // Binance's standard rates: spot 0.1 % both sides; USD-M 0.02 % maker, 0.05 % taker
    makerFeeBps: spot ? 10 : 2,
    takerFeeBps: spot ? 10 : 5,
    initialBase: '1000',
    initialQuote: '100000',
    initialWallet: '100000',
    leverage: 20,
  };
}

export interface Formats {
  price(value: Dec): string;
  qty(value: Dec): string;
  asset(value: Dec): string;
}

export function formats(dialect: Dialect, symbol: DialectSymbol): Formats {
  if (dialect === 'binance-spot') return { price: (v) => formatDec(v, 8), qty: (v) => formatDec(v, 8), asset: (v) => formatDec(v, 8) };
  const pd = decimalsOf(symbol.tickSize);
  const qd = decimalsOf(symbol.stepSize);
  return { price: (v) => formatDec(v, pd), qty: (v) => formatDec(v, qd), asset: (v) => formatDec(v, 8) };
}

function rateLimit(type: string, spec: LimitSpec): Record<string, unknown> {
  const [interval, num] = spec.intervalSec % 86_400 === 0 ? ['DAY', spec.intervalSec / 86_400] : spec.intervalSec % 3_600 === 0 ? ['HOUR', spec.intervalSec / 3_600] : spec.intervalSec % 60 === 0 ? ['MINUTE', spec.intervalSec / 60] : ['SECOND', spec.intervalSec];
  return { rateLimitType: type, interval, intervalNum: num, limit: spec.limit };
}

/** The `exchangeInfo` answer for the one symbol the local exchange lists. */
export function exchangeInfo(dialect: Dialect, symbol: DialectSymbol, limits: DialectLimits, serverMs: number): Record<string, unknown> {
  const rateLimits = [rateLimit('REQUEST_WEIGHT', limits.weight), rateLimit('ORDERS', limits.orders)];
  if (dialect === 'binance-spot') {
    return {
      timezone: 'UTC',
      serverTime: serverMs,
      rateLimits,
      exchangeFilters: [],
      symbols: [
        {
          symbol: symbol.symbol,
          status: 'TRADING',
          baseAsset: symbol.baseAsset,
          baseAssetPrecision: 8,
          quoteAsset: symbol.quoteAsset,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          baseCommissionPrecision: 8,
          quoteCommissionPrecision: 8,
          orderTypes: ['LIMIT', 'LIMIT_MAKER'],
          icebergAllowed: false,
          ocoAllowed: false,
          otoAllowed: false,
          opoAllowed: false,
          quoteOrderQtyMarketAllowed: false,
          allowTrailingStop: false,
          cancelReplaceAllowed: false,
          amendAllowed: false,
          pegInstructionsAllowed: false,
          isSpotTradingAllowed: true,
          isMarginTradingAllowed: false,
          filters: [
            { filterType: 'PRICE_FILTER', minPrice: symbol.minPrice, maxPrice: symbol.maxPrice, tickSize: symbol.tickSize },
            { filterType: 'LOT_SIZE', minQty: symbol.minQty, maxQty: symbol.maxQty, stepSize: symbol.stepSize },
            { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: symbol.percentUp, bidMultiplierDown: symbol.percentDown, askMultiplierUp: symbol.percentUp, askMultiplierDown: symbol.percentDown, avgPriceMins: 0 },
            { filterType: 'NOTIONAL', minNotional: symbol.minNotional, applyMinToMarket: true, maxNotional: '9000000', applyMaxToMarket: false, avgPriceMins: 0 },
            { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
          ],
          permissions: [],
          permissionSets: [['SPOT']],
          // why: the local matching engine implements EXPIRE_MAKER only, so that is all this symbol allows
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['EXPIRE_MAKER'],
        },
      ],
    };
  }
  return {
    timezone: 'UTC',
    serverTime: serverMs,
    futuresType: 'U_MARGINED',
    rateLimits,
    exchangeFilters: [],
    assets: [{ asset: symbol.quoteAsset, marginAvailable: true, autoAssetExchange: '0' }],
    symbols: [
      {
        symbol: symbol.symbol,
        pair: symbol.symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        baseAsset: symbol.baseAsset,
        quoteAsset: symbol.quoteAsset,
        marginAsset: symbol.quoteAsset,
        pricePrecision: decimalsOf(symbol.tickSize),
        quantityPrecision: decimalsOf(symbol.stepSize),
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        triggerProtect: '0.0500',
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: symbol.minPrice, maxPrice: symbol.maxPrice, tickSize: symbol.tickSize },
          { filterType: 'LOT_SIZE', minQty: symbol.minQty, maxQty: symbol.maxQty, stepSize: symbol.stepSize },
          { filterType: 'MARKET_LOT_SIZE', minQty: symbol.minQty, maxQty: symbol.maxQty, stepSize: symbol.stepSize },
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MIN_NOTIONAL', notional: symbol.minNotional },
          { filterType: 'PERCENT_PRICE', multiplierUp: symbol.percentUp, multiplierDown: symbol.percentDown, multiplierDecimal: '4' },
        ],
        orderTypes: ['LIMIT'],
        timeInForce: ['GTC', 'IOC', 'GTX'],
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
      },
    ],
  };
}
