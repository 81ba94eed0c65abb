/**
 * The Bybit v5 venue folder: the spot and linear order gateway (`VenueGateway`), its protocol pieces
 * (signing, wire shapes, error table, symbol rules, rate limits, private stream), which the local exchange
 * (`src/main/venue-sim/bybit`) runs from the other side, and the factory the desk uses.
 */
import type { BybitVenue, Credentials, GatewayEndpoints, VenueGateway } from '../../live/gateway.js';
import { BybitGateway, type BybitGatewayOptions } from './gateway.js';

export { BybitGateway, type BybitGatewayOptions } from './gateway.js';
export { bybitGatewayEndpoints } from './endpoints.js';
export { checkBybitOrder, parseBybitRules, bybitOrderLinkIdIssue, type BybitSymbolRules, type BybitCategory } from './rules.js';
export { classifyBybitCode, bybitError, BYBIT_ERROR_NAMES } from './errors.js';
export { restSignText, wsAuthText, bybitQuery, BYBIT_HEADERS } from './signing.js';

export function createBybitGateway(
  venue: BybitVenue,
  symbol: string,
  credentials: Credentials,
  endpoints: GatewayEndpoints,
  options: Omit<BybitGatewayOptions, 'symbol' | 'credentials' | 'endpoints'> = {},
): VenueGateway {
  return new BybitGateway(venue, { ...options, symbol, credentials, endpoints });
}
