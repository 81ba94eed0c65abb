/**
 * A Bybit symbol's trading rules from `GET /v5/market/instruments-info` (`market/instrument.mdx`) and the
 * pure check every order passes before it is sent. Spot: `priceFilter.tickSize`, `lotSizeFilter.basePrecision`
 * (the quantity step), `minOrderQty`, `minOrderAmt` (the minimum order value), `maxLimitOrderQty` and, for
 * post-only orders, `postOnlyMaxLimitOrderSize`. Linear: `priceFilter.minPrice / maxPrice / tickSize`,
 * `lotSizeFilter.minOrderQty / maxOrderQty / qtyStep / minNotionalValue`. Both publish `riskParameters.
 * priceLimitRatioX / Y`, the limit-order price band whose exact formula the docs leave to an announcement:
 * the gateway judges an order carrying a reference price against the narrower band, reference × (1 ± X), and
 * leaves the rest to the venue, whose refusal (30208/30209, 110120/110121, 170193/170194, 170371/170372)
 * maps to 'filter'. `orderLinkId`: "A max of 36 characters. Combinations of numbers, letters (upper and lower
 * cases), dashes, and underscores" (`order/create-order.mdx`). Exact decimals; no I/O.
 */
import { GatewayError, type BybitVenue, type GatewayOrder, type SymbolRules } from '../../live/gateway.js';
import { addDec, compareDec, isMultipleOf, mulDec, parseDec, subDec, formatDec, type Dec } from '../common/decimal.js';
import type { FilterFailure } from '../common/gateway-core.js';
import { arrayField, decimalField, isRecord, malformed, objectField, stringField } from '../common/wire-fields.js';

export type BybitCategory = 'spot' | 'linear';

export interface BybitSymbolRules extends SymbolRules {
  readonly category: BybitCategory;
  readonly status: string;
  /** Linear priceFilter bounds; '0' where the venue publishes none (spot). */
  readonly minPrice: string;
  readonly maxPrice: string;
  /** Spot: the largest post-only order (`postOnlyMaxLimitOrderSize`), when published; else maxQuantity. */
  readonly maxPostOnlyQuantity: string;
  /** `riskParameters.priceLimitRatioX`, when published. */
  readonly priceLimitRatio: string | null;
}

export function categoryOf(venue: BybitVenue): BybitCategory {
  return venue === 'bybit-spot' ? 'spot' : 'linear';
}

/** The rules of `symbol` from the parsed `result` of an instruments-info answer. */
export function parseBybitRules(venue: BybitVenue, symbol: string, result: unknown): BybitSymbolRules {
  try {
    return readRules(venue, symbol, result);
  } catch (error) {
    // why: rules that cannot be read are a refusal to start, not an order whose outcome is unknown
    if (error instanceof GatewayError && error.code === 'unknown-outcome') throw new GatewayError('rejected', error.message);
    throw error;
  }
}

function readRules(venue: BybitVenue, symbol: string, result: unknown): BybitSymbolRules {
  const where = `${venue} instruments-info`;
  const list = arrayField(result, 'list', where);
  const entry = list.find((s) => isRecord(s) && s['symbol'] === symbol);
  if (entry === undefined) throw malformed(`${where}: symbol ${symbol} is not listed`, 'rejected');
  const at = `${where} ${symbol}`;
  const priceFilter = objectField(objectField(entry, at)['priceFilter'], `${at} priceFilter`);
  const lot = objectField(objectField(entry, at)['lotSizeFilter'], `${at} lotSizeFilter`);
  const risk = objectField(entry, at)['riskParameters'];
  const ratio = isRecord(risk) && typeof risk['priceLimitRatioX'] === 'string' && parseDec(risk['priceLimitRatioX']) !== null ? risk['priceLimitRatioX'] : null;
  const percentPrice = ratio === null ? null : band(ratio);
  const category = categoryOf(venue);
  const base = {
    symbol,
    category,
    status: stringField(entry, 'status', at),
    baseAsset: stringField(entry, 'baseCoin', at),
    quoteAsset: stringField(entry, 'quoteCoin', at),
    tickSize: decimalField(priceFilter, 'tickSize', `${at} priceFilter`),
    percentPrice,
    priceLimitRatio: ratio,
    deadMansSwitch: true,
  };
  if (category === 'spot') {
    const maxQuantity = decimalField(lot, 'maxLimitOrderQty', `${at} lotSizeFilter`);
    const postOnly = typeof lot['postOnlyMaxLimitOrderSize'] === 'string' && parseDec(lot['postOnlyMaxLimitOrderSize']) !== null ? lot['postOnlyMaxLimitOrderSize'] : maxQuantity;
    return {
      ...base,
      stepSize: decimalField(lot, 'basePrecision', `${at} lotSizeFilter`),
      minQuantity: decimalField(lot, 'minOrderQty', `${at} lotSizeFilter`),
      maxQuantity,
      maxPostOnlyQuantity: postOnly,
      minNotional: decimalField(lot, 'minOrderAmt', `${at} lotSizeFilter`),
      minPrice: '0',
      maxPrice: '0',
    };
  }
  const maxQuantity = decimalField(lot, 'maxOrderQty', `${at} lotSizeFilter`);
  return {
    ...base,
    stepSize: decimalField(lot, 'qtyStep', `${at} lotSizeFilter`),
    minQuantity: decimalField(lot, 'minOrderQty', `${at} lotSizeFilter`),
    maxQuantity,
    maxPostOnlyQuantity: maxQuantity,
    minNotional: decimalField(lot, 'minNotionalValue', `${at} lotSizeFilter`),
    minPrice: decimalField(priceFilter, 'minPrice', `${at} priceFilter`),
    maxPrice: decimalField(priceFilter, 'maxPrice', `${at} priceFilter`),
  };
}

function band(ratio: string): { up: string; down: string } | null {
  const x = parseDec(ratio);
  if (x === null) return null;
  const one: Dec = { units: 1n, scale: 0 };
  if (compareDec(x, one) >= 0) return null;
  return { up: formatDec(addDec(one, x)), down: formatDec(subDec(one, x)) };
}

function dec(text: string, what: string): Dec | FilterFailure {
  return parseDec(text) ?? { filter: 'format', detail: `${what} "${text}" is not a plain decimal` };
}

function isFailure(value: Dec | FilterFailure): value is FilterFailure {
  return 'filter' in value;
}

/** The first rule `order` breaks, or null. The price band is judged only when the order carries a reference price. */
export function checkBybitOrder(rules: BybitSymbolRules, order: GatewayOrder): FilterFailure | null {
  const price = dec(order.price, 'price');
  if (isFailure(price)) return price;
  const qty = dec(order.quantity, 'quantity');
  if (isFailure(qty)) return qty;
  const tick = parseDec(rules.tickSize);
  const step = parseDec(rules.stepSize);
  const minQty = parseDec(rules.minQuantity);
  const maxQty = parseDec(order.kind === 'post-only' ? rules.maxPostOnlyQuantity : rules.maxQuantity);
  const minPrice = parseDec(rules.minPrice);
  const maxPrice = parseDec(rules.maxPrice);
  const minNotional = parseDec(rules.minNotional);
  if (!tick || !step || !minQty || !maxQty || !minPrice || !maxPrice || !minNotional) return { filter: 'rules', detail: 'the symbol rules are not decimals' };
  if (price.units <= 0n) return { filter: 'priceFilter', detail: `price ${order.price} is not positive` };
  if (minPrice.units > 0n && compareDec(price, minPrice) < 0) return { filter: 'priceFilter', detail: `price ${order.price} is below minPrice ${rules.minPrice}` };
  if (maxPrice.units > 0n && compareDec(price, maxPrice) > 0) return { filter: 'priceFilter', detail: `price ${order.price} is above maxPrice ${rules.maxPrice}` };
  if (!isMultipleOf(price, tick)) return { filter: 'priceFilter', detail: `price ${order.price} is not a multiple of tickSize ${rules.tickSize}` };
  const stepName = rules.category === 'spot' ? 'basePrecision' : 'qtyStep';
  if (qty.units <= 0n) return { filter: 'lotSizeFilter', detail: `quantity ${order.quantity} is not positive` };
  if (compareDec(qty, minQty) < 0) return { filter: 'lotSizeFilter', detail: `quantity ${order.quantity} is below minOrderQty ${rules.minQuantity}` };
  if (maxQty.units > 0n && compareDec(qty, maxQty) > 0) {
    const name = rules.category === 'spot' ? (order.kind === 'post-only' ? 'postOnlyMaxLimitOrderSize' : 'maxLimitOrderQty') : 'maxOrderQty';
    return { filter: 'lotSizeFilter', detail: `quantity ${order.quantity} is above ${name} ${formatDec(maxQty)}` };
  }
  if (!isMultipleOf(qty, step)) return { filter: 'lotSizeFilter', detail: `quantity ${order.quantity} is not a multiple of ${stepName} ${rules.stepSize}` };
  const notional = mulDec(price, qty);
  if (compareDec(notional, minNotional) < 0) {
    const name = rules.category === 'spot' ? 'minOrderAmt' : 'minNotionalValue';
    return { filter: 'lotSizeFilter', detail: `order value ${order.price} × ${order.quantity} is below ${name} ${rules.minNotional}` };
  }
  if (order.referencePrice !== undefined && rules.percentPrice !== null) {
    const reference = parseDec(order.referencePrice);
    const up = parseDec(rules.percentPrice.up);
    const down = parseDec(rules.percentPrice.down);
    if (reference === null || up === null || down === null) return { filter: 'riskParameters', detail: `reference price "${order.referencePrice}" is not a plain decimal` };
    if (compareDec(price, mulDec(reference, up)) > 0) return { filter: 'riskParameters', detail: `price ${order.price} is above the reference ${order.referencePrice} × (1 + priceLimitRatioX ${rules.priceLimitRatio ?? ''})` };
    if (compareDec(price, mulDec(reference, down)) < 0) return { filter: 'riskParameters', detail: `price ${order.price} is below the reference ${order.referencePrice} × (1 − priceLimitRatioX ${rules.priceLimitRatio ?? ''})` };
  }
  return null;
}

export function bybitOrderLinkIdIssue(id: string): string | null {
  return /^[A-Za-z0-9_-]{1,36}$/.test(id) ? null : `orderLinkId "${id.slice(0, 40)}" must be 1 to 36 letters, digits, _ or -`;
}
