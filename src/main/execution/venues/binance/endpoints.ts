/**
 * Where each Binance gateway connects by default: the venue's testnet unless mainnet is asked for, each
 * url overridable (local exchange, mirrors). Spot (`rest-api.md` "General API Information",
 * `web-socket-api.md`: `wss://ws-api.binance.com:443/ws-api/v3`, testnet
 * `wss://ws-api.testnet.binance.vision/ws-api/v3`, REST testnet `https://testnet.binance.vision`); USD-M
 * ("General Info": REST `https://fapi.binance.com`, testnet `https://demo-fapi.binance.com`, testnet
 * WebSocket `wss://fstream.binancefuture.com`; "User Data Streams": `wss://fstream.binance.com/private`
 * + `/ws/<listenKey>`). Pure data.
 */
import type { BinanceVenue, GatewayEndpoints, GatewayNetwork } from '../../live/gateway.js';

export type BinanceNetwork = GatewayNetwork;

export const BINANCE_GATEWAY_ENDPOINTS: Readonly<Record<BinanceVenue, Readonly<Record<BinanceNetwork, GatewayEndpoints>>>> = {
  'binance-spot': {
    testnet: {
      restUrl: 'https://testnet.binance.vision',
      wsUrl: 'wss://stream.testnet.binance.vision',
      wsApiUrl: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
    },
    mainnet: {
      restUrl: 'https://api.binance.com',
      wsUrl: 'wss://stream.binance.com:9443',
      wsApiUrl: 'wss://ws-api.binance.com:443/ws-api/v3',
    },
  },
  'binance-usdm': {
    testnet: {
      restUrl: 'https://demo-fapi.binance.com',
      wsUrl: 'wss://fstream.binancefuture.com',
      // why: the testnet's routed /private path is not documented; its legacy root serves /ws/<listenKey>
      wsApiUrl: 'wss://fstream.binancefuture.com',
    },
    mainnet: {
      restUrl: 'https://fapi.binance.com',
      wsUrl: 'wss://fstream.binance.com/public',
      wsApiUrl: 'wss://fstream.binance.com/private',
    },
  },
};

/** The endpoints of a venue on a network, with any of the three urls overridden. */
export function gatewayEndpoints(venue: BinanceVenue, network: BinanceNetwork = 'testnet', overrides: Partial<GatewayEndpoints> = {}): GatewayEndpoints {
  const base = BINANCE_GATEWAY_ENDPOINTS[venue][network];
  return {
    restUrl: (overrides.restUrl ?? base.restUrl).replace(/\/+$/, ''),
    wsUrl: (overrides.wsUrl ?? base.wsUrl).replace(/\/+$/, ''),
    wsApiUrl: (overrides.wsApiUrl ?? base.wsApiUrl).replace(/\/+$/, ''),
  };
}
