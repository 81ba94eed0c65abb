/**
 * Where each Bybit gateway connects by default (`guide.mdx` "Authentication": REST `https://api.bybit.com`,
 * testnet `https://api-testnet.bybit.com`; the "Connect" page: public `wss://stream.bybit.com/v5/public/
 * {spot|linear}`, private `wss://stream.bybit.com/v5/private`, testnet on `stream-testnet.bybit.com`): the
 * testnet unless mainnet is asked for, each url overridable. `wsApiUrl` carries the private stream. Pure data.
 */
import type { BybitVenue, GatewayEndpoints, GatewayNetwork } from '../../live/gateway.js';

export function bybitGatewayEndpoints(venue: BybitVenue, network: GatewayNetwork = 'testnet', overrides: Partial<GatewayEndpoints> = {}): GatewayEndpoints {
  const host = network === 'mainnet' ? 'bybit.com' : null;
  const category = venue === 'bybit-spot' ? 'spot' : 'linear';
  const rest = host ? 'https://api.bybit.com' : 'https://api-testnet.bybit.com';
  const stream = host ? 'wss://stream.bybit.com' : 'wss://stream-testnet.bybit.com';
  return {
    restUrl: (overrides.restUrl ?? rest).replace(/\/+$/, ''),
    wsUrl: (overrides.wsUrl ?? `${stream}/v5/public/${category}`).replace(/\/+$/, ''),
    wsApiUrl: (overrides.wsApiUrl ?? `${stream}/v5/private`).replace(/\/+$/, ''),
  };
}
