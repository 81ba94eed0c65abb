/**
 * A symbol's trading rules from the venue's exchangeInfo answer, and the pure check every order passes
 * before it is sent. Follows spot `filters.md` (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL, NOTIONAL,
 * PERCENT_PRICE, PERCENT_PRICE_BY_SIDE: a zero minPrice / maxPrice / tickSize disables that rule) and the
 * USD-M "Exchange Information" page (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL `notional`, PERCENT_PRICE against
 * the mark price; -4164 "Order's notional must be no smaller than 5.0 (unless you choose reduce only)").
 * Arithmetic is exact (decimal.ts). It decides nothing else and does no I/O.
 */
import { GatewayError, type GatewayOrder, type BinanceVenue, type SymbolRules } from '../../live/gateway.js';
import { compareDec, isMultipleOf, mulDec, parseDec, type Dec } from '../common/decimal.js';
import type { FilterFailure } from '../common/gateway-core.js';
import { arrayField, decimalField, malformed, objectField, stringField } from '../common/wire-fields.js';

/** The rules the gateway checks, beyond the contract's `SymbolRules`. */
export interface BinanceSymbolRules extends SymbolRules {
  readonly status: string;
  /** PRICE_FILTER bounds ('0' = the rule is off). */
  readonly minPrice: string;
  readonly maxPrice: string;
  /** NOTIONAL maxNotional (spot), when the venue sets one. */
  readonly maxNotional: string | null;
  /** PERCENT_PRICE_BY_SIDE as published (the contract's `percentPrice` holds the range both sides allow). */
  readonly percentPriceBySide: { readonly bidUp: string; readonly bidDown: string; readonly askUp: string; readonly askDown: string } | null;
  /** Self-trade prevention modes the symbol accepts (spot `allowedSelfTradePreventionModes`). */
  readonly stpModes: readonly string[];
}

export type { FilterFailure } from '../common/gateway-core.js';

/** USD-M's documented STP modes ("New Order": EXPIRE_TAKER / EXPIRE_MAKER / EXPIRE_BOTH, default EXPIRE_MAKER). */
const USDM_STP_MODES = ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'NONE'] as const;

function smaller(a: string, b: string): string {
  const x = parseDec(a);
  const y = parseDec(b);
  return x && y && compareDec(y, x) < 0 ? b : a;
}

function larger(a: string, b: string): string {
  const x = parseDec(a);
  const y = parseDec(b);
  return x && y && compareDec(y, x) > 0 ? b : a;
}

/** The rules of `symbol` from a parsed exchangeInfo answer; throws GatewayError('rejected') when malformed. */
export function parseSymbolRules(venue: BinanceVenue, symbol: string, body: unknown): BinanceSymbolRules {
  try {
    return readRules(venue, symbol, body);
  } catch (error) {
    // why: rules that cannot be read are a refusal to start, not an order whose outcome is unknown
    if (error instanceof GatewayError && error.code === 'unknown-outcome') throw new GatewayError('rejected', error.message);
    throw error;
  }
}

function readRules(venue: BinanceVenue, symbol: string, body: unknown): BinanceSymbolRules {
  const where = `${venue} exchangeInfo`;
  const symbols = arrayField(body, 'symbols', where);
  const entry = symbols.find((s) => typeof s === 'object' && s !== null && (s as Record<string, unknown>)['symbol'] === symbol);
  if (entry === undefined) throw malformed(`${where}: symbol ${symbol} is not listed`, 'rejected');
  const at = `${where} ${symbol}`;
  const filters = arrayField(entry, 'filters', at);
  const byType = new Map<string, unknown>();
  for (const filter of filters) {
    const type = stringField(filter, 'filterType', `${at} filter`);
    byType.set(type, filter);
  }
  const price = byType.get('PRICE_FILTER');
  const lot = byType.get('LOT_SIZE');
  if (price === undefined) throw malformed(`${at}: no PRICE_FILTER`, 'rejected');
  if (lot === undefined) throw malformed(`${at}: no LOT_SIZE`, 'rejected');
  let minNotional = '0';
  let maxNotional: string | null = null;
  const notional = byType.get('NOTIONAL');
  const minNotionalFilter = byType.get('MIN_NOTIONAL');
  if (venue === 'binance-usdm') {
    if (minNotionalFilter !== undefined) minNotional = decimalField(minNotionalFilter, 'notional', `${at} MIN_NOTIONAL`);
  } else {
    if (notional !== undefined) {
      minNotional = decimalField(notional, 'minNotional', `${at} NOTIONAL`);
      maxNotional = decimalField(notional, 'maxNotional', `${at} NOTIONAL`);
    } else if (minNotionalFilter !== undefined) {
      minNotional = decimalField(minNotionalFilter, 'minNotional', `${at} MIN_NOTIONAL`);
    }
  }
  let percentPrice: SymbolRules['percentPrice'] = null;
  let bySide: BinanceSymbolRules['percentPriceBySide'] = null;
  const pp = byType.get('PERCENT_PRICE');
  const ppSide = byType.get('PERCENT_PRICE_BY_SIDE');
  if (pp !== undefined) {
    percentPrice = { up: decimalField(pp, 'multiplierUp', `${at} PERCENT_PRICE`), down: decimalField(pp, 'multiplierDown', `${at} PERCENT_PRICE`) };
  } else if (ppSide !== undefined) {
    const w = `${at} PERCENT_PRICE_BY_SIDE`;
    bySide = {
      bidUp: decimalField(ppSide, 'bidMultiplierUp', w),
      bidDown: decimalField(ppSide, 'bidMultiplierDown', w),
      askUp: decimalField(ppSide, 'askMultiplierUp', w),
      askDown: decimalField(ppSide, 'askMultiplierDown', w),
    };
    // why: the contract's one range must hold on both sides, so it is the narrower of the two
    percentPrice = { up: smaller(bySide.bidUp, bySide.askUp), down: larger(bySide.bidDown, bySide.askDown) };
  }
  let stpModes: readonly string[] = USDM_STP_MODES;
  if (venue === 'binance-spot') {
    const allowed = optionalArray(entry, 'allowedSelfTradePreventionModes');
    stpModes = allowed ? allowed.filter((m): m is string => typeof m === 'string') : [];
  }
  return {
    symbol,
    status: stringField(entry, 'status', at),
    baseAsset: stringField(entry, 'baseAsset', at),
    quoteAsset: stringField(entry, 'quoteAsset', at),
    tickSize: decimalField(price, 'tickSize', `${at} PRICE_FILTER`),
    minPrice: decimalField(price, 'minPrice', `${at} PRICE_FILTER`),
    maxPrice: decimalField(price, 'maxPrice', `${at} PRICE_FILTER`),
    stepSize: decimalField(lot, 'stepSize', `${at} LOT_SIZE`),
    minQuantity: decimalField(lot, 'minQty', `${at} LOT_SIZE`),
    maxQuantity: decimalField(lot, 'maxQty', `${at} LOT_SIZE`),
    minNotional,
    maxNotional,
    percentPrice,
    percentPriceBySide: bySide,
    stpModes,
    deadMansSwitch: venue === 'binance-usdm',
  };
}

function optionalArray(obj: unknown, name: string): unknown[] | null {
  const value = objectField(obj, 'symbol entry')[name];
  return Array.isArray(value) ? value : null;
}

function dec(text: string, what: string): Dec | FilterFailure {
  const value = parseDec(text);
  return value ?? { filter: 'FORMAT', detail: `${what} "${text}" is not a plain decimal` };
}

function isFailure(value: Dec | FilterFailure): value is FilterFailure {
  return 'filter' in value;
}

/**
 * The first filter `order` breaks, or null when every filter the gateway can judge passes. PERCENT_PRICE is
 * judged only when the order carries its `referencePrice`; MIN_NOTIONAL on USD-M spares reduce-only orders.
 */
export function checkOrder(venue: BinanceVenue, rules: BinanceSymbolRules, order: GatewayOrder): FilterFailure | null {
  const price = dec(order.price, 'price');
  if (isFailure(price)) return price;
  const qty = dec(order.quantity, 'quantity');
  if (isFailure(qty)) return qty;
  const tick = parseDec(rules.tickSize);
  const minPrice = parseDec(rules.minPrice);
  const maxPrice = parseDec(rules.maxPrice);
  if (tick === null || minPrice === null || maxPrice === null) return { filter: 'PRICE_FILTER', detail: 'the symbol rules are not decimals' };
  if (price.units <= 0n) return { filter: 'PRICE_FILTER', detail: `price ${order.price} is not positive` };
  if (minPrice.units > 0n && compareDec(price, minPrice) < 0) return { filter: 'PRICE_FILTER', detail: `price ${order.price} is below minPrice ${rules.minPrice}` };
  if (maxPrice.units > 0n && compareDec(price, maxPrice) > 0) return { filter: 'PRICE_FILTER', detail: `price ${order.price} is above maxPrice ${rules.maxPrice}` };
  if (!isMultipleOf(price, tick)) return { filter: 'PRICE_FILTER', detail: `price ${order.price} is not a multiple of tickSize ${rules.tickSize}` };
  const step = parseDec(rules.stepSize);
  const minQty = parseDec(rules.minQuantity);
  const maxQty = parseDec(rules.maxQuantity);
  if (step === null || minQty === null || maxQty === null) return { filter: 'LOT_SIZE', detail: 'the symbol rules are not decimals' };
  if (qty.units <= 0n) return { filter: 'LOT_SIZE', detail: `quantity ${order.quantity} is not positive` };
  if (compareDec(qty, minQty) < 0) return { filter: 'LOT_SIZE', detail: `quantity ${order.quantity} is below minQty ${rules.minQuantity}` };
  if (maxQty.units > 0n && compareDec(qty, maxQty) > 0) return { filter: 'LOT_SIZE', detail: `quantity ${order.quantity} is above maxQty ${rules.maxQuantity}` };
  if (!isMultipleOf(qty, step)) return { filter: 'LOT_SIZE', detail: `quantity ${order.quantity} is not a multiple of stepSize ${rules.stepSize}` };
  const notional = mulDec(price, qty);
  const minNotional = parseDec(rules.minNotional);
  const usdm = venue === 'binance-usdm';
  const notionalFilter = usdm ? 'MIN_NOTIONAL' : 'NOTIONAL';
  if (minNotional && !(usdm && order.reduceOnly === true) && compareDec(notional, minNotional) < 0) {
    return { filter: notionalFilter, detail: `notional ${order.price} × ${order.quantity} is below the minimum ${rules.minNotional}` };
  }
  const maxNotional = rules.maxNotional === null ? null : parseDec(rules.maxNotional);
  if (maxNotional && maxNotional.units > 0n && compareDec(notional, maxNotional) > 0) {
    return { filter: notionalFilter, detail: `notional ${order.price} × ${order.quantity} is above the maximum ${rules.maxNotional}` };
  }
  if (order.referencePrice !== undefined) return checkPercentPrice(rules, order);
  return null;
}

function checkPercentPrice(rules: BinanceSymbolRules, order: GatewayOrder): FilterFailure | null {
  const reference = order.referencePrice === undefined ? null : parseDec(order.referencePrice);
  if (reference === null) return { filter: 'PERCENT_PRICE', detail: `reference price "${order.referencePrice ?? ''}" is not a plain decimal` };
  const side = rules.percentPriceBySide;
  const range = side ? (order.side === 'buy' ? { up: side.bidUp, down: side.bidDown } : { up: side.askUp, down: side.askDown }) : rules.percentPrice;
  if (range === null) return null;
  const filter = side ? 'PERCENT_PRICE_BY_SIDE' : 'PERCENT_PRICE';
  const price = parseDec(order.price);
  const up = parseDec(range.up);
  const down = parseDec(range.down);
  if (price === null || up === null || down === null) return { filter, detail: 'the multipliers are not decimals' };
  if (compareDec(price, mulDec(reference, up)) > 0) return { filter, detail: `price ${order.price} is above ${range.up} × the reference ${order.referencePrice}` };
  if (compareDec(price, mulDec(reference, down)) < 0) return { filter, detail: `price ${order.price} is below ${range.down} × the reference ${order.referencePrice}` };
  return null;
}

/**
 * Client order ids the gateway sends: spot and USD-M both take up to 36 characters; USD-M documents
 * `^[\.A-Z\:/a-z0-9_-]{1,36}$`. The gateway keeps to letters, digits, `_` and `-`, valid on both.
 */
export function clientOrderIdIssue(id: string): string | null {
  return /^[A-Za-z0-9_-]{1,36}$/.test(id) ? null : `client order id "${id.slice(0, 40)}" must be 1 to 36 letters, digits, _ or -`;
}

