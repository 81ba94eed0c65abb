/**
 * The Binance venue folder: the spot and USD-M order gateways (`VenueGateway`), their protocol pieces
 * (signing, wire shapes, error table, symbol rules, rate limits, clock), which the local exchange
 * (`src/main/venue-sim/binance`) runs from the other side, and the factory the desk uses.
 */
import type { Credentials, GatewayEndpoints, BinanceVenue, VenueGateway } from '../../live/gateway.js';
import type { BinanceGatewayOptions } from './gateway-base.js';
import { SpotGateway } from './spot-gateway.js';
import { UsdmGateway } from './usdm-gateway.js';

export { SpotGateway } from './spot-gateway.js';
export { UsdmGateway } from './usdm-gateway.js';
export type { BinanceGatewayOptions } from './gateway-base.js';
export { BINANCE_GATEWAY_ENDPOINTS, gatewayEndpoints, type BinanceNetwork } from './endpoints.js';
export { checkOrder, parseSymbolRules, type BinanceSymbolRules, type FilterFailure } from './rules.js';
export { classifyVenueCode, describeVenueError, ERROR_NAMES, gatewayErrorFor } from './errors.js';

/** A gateway for a Binance venue; options beyond the required three are optional. */
export function createBinanceGateway(
  venue: BinanceVenue,
  symbol: string,
  credentials: Credentials,
  endpoints: GatewayEndpoints,
  options: Omit<BinanceGatewayOptions, 'symbol' | 'credentials' | 'endpoints'> = {},
): VenueGateway {
  const all: BinanceGatewayOptions = { ...options, symbol, credentials, endpoints };
  return venue === 'binance-spot' ? new SpotGateway(all) : new UsdmGateway(all);
}
