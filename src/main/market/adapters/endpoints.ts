/**
 * What a live connector needs to talk to each venue's public market data: the default WebSocket url, the
 * REST base url, the subscription messages to send after connecting, the depth-snapshot url (Binance only:
 * the others send their snapshot on the socket), the instrument endpoint, and the keep-alive each venue
 * requires. Taken from the venues' official API documentation (named per venue below). Urls can be
 * overridden by the connector (`--ws-url`, `--rest-url`). Pure data: no I/O.
 */
import { assertNever } from '../../../shared/units.js';
import type { AdapterVenue } from './types.js';
import { binanceSnapshotUrl } from './binance/binance-adapter.js';

export interface KeepAlive {
  /**
   * `client-message`: send `message` (JSON) every `intervalMs`; `pong-frames`: the server pings with
   * WebSocket ping frames and the client must answer with pong frames (the `ws` library does so itself);
   * `server-heartbeat`: the server sends heartbeats on its own once subscribed.
   */
  readonly kind: 'client-message' | 'pong-frames' | 'server-heartbeat';
  readonly intervalMs: number;
  readonly message: unknown;
  readonly note: string;
}

export interface VenueEndpoints {
  readonly venue: AdapterVenue;
  readonly symbol: string;
  readonly wsUrl: string;
  readonly restBaseUrl: string;
  /** JSON messages to send, in order, once the socket is open (empty when the url subscribes). */
  readonly subscribe: readonly unknown[];
  /** Depth snapshot url (Binance); null where the snapshot comes on the socket after subscribing. */
  snapshotUrl(restBaseUrl?: string, limit?: number): string | null;
  /** Public instrument endpoint whose answer the parsers in instruments.ts read. */
  readonly instrumentUrl: string;
  readonly keepAlive: KeepAlive;
  /** How long a connection may live before the venue closes it (ms), when documented. */
  readonly maxConnectionMs: number | null;
}

/** Default subscribed depth per venue (Bybit orderbook.{depth}, Kraken book depth). */
export const DEFAULT_DEPTH: Readonly<Partial<Record<AdapterVenue, number>>> = {
  'bybit-spot': 50,
  'bybit-linear': 50,
  kraken: 100,
};

/**
 * Endpoints for a venue and a symbol as the venue spells it (Binance/Bybit "BTCUSDT", Kraken v1
 * "XBT/CHF", Coinbase "BTC-USD").
 */
export function venueEndpoints(venue: AdapterVenue, symbol: string, options: { depth?: number } = {}): VenueEndpoints {
  switch (venue) {
    case 'binance-spot':
    case 'binance-usdm': {
      // Binance spot "web-socket-streams.md" / USD-M "Websocket Market Streams": combined streams at
      // /stream?streams=a/b/c, payload wrapped as {"stream","data"}; stream names lowercase. The server sends
      // ping frames (spot every 20 s, USD-M every 3 min) and expects pongs; a connection lives 24 h.
      const spot = venue === 'binance-spot';
      const lower = symbol.toLowerCase();
      const streams = [`${lower}@depth@100ms`, `${lower}@trade`, `${lower}@bookTicker`].join('/');
      const restBaseUrl = spot ? 'https://api.binance.com' : 'https://fapi.binance.com';
      return {
        venue,
        symbol,
        wsUrl: `${spot ? 'wss://stream.binance.com:9443' : 'wss://fstream.binance.com'}/stream?streams=${streams}`,
        restBaseUrl,
        subscribe: [],
        snapshotUrl: (base?: string, limit = 1000) => binanceSnapshotUrl(spot ? 'spot' : 'usdm', symbol, base ?? restBaseUrl, limit),
        instrumentUrl: `${restBaseUrl}${spot ? '/api/v3/exchangeInfo' : '/fapi/v1/exchangeInfo'}?symbol=${symbol.toUpperCase()}`,
        keepAlive: {
          kind: 'pong-frames',
          intervalMs: spot ? 20_000 : 180_000,
          message: null,
          note: 'server ping frames; answer with pong frames (ws does it automatically)',
        },
        maxConnectionMs: 24 * 3600 * 1000,
      };
    }
    case 'bybit-spot':
    case 'bybit-linear': {
      // Bybit v5 "Connect": wss://stream.bybit.com/v5/public/{spot|linear}; subscribe with
      // {"op":"subscribe","args":[topics]}; send {"op":"ping"} every 20 s to keep the connection alive.
      const category = venue === 'bybit-spot' ? 'spot' : 'linear';
      const depth = options.depth ?? DEFAULT_DEPTH[venue] ?? 50;
      return {
        venue,
        symbol,
        wsUrl: `wss://stream.bybit.com/v5/public/${category}`,
        restBaseUrl: 'https://api.bybit.com',
        subscribe: [{ op: 'subscribe', args: [`orderbook.${depth}.${symbol}`, `publicTrade.${symbol}`] }],
        snapshotUrl: () => null,
        instrumentUrl: `https://api.bybit.com/v5/market/instruments-info?category=${category}&symbol=${symbol}`,
        keepAlive: { kind: 'client-message', intervalMs: 20_000, message: { op: 'ping' }, note: 'send {"op":"ping"} every 20 s' },
        maxConnectionMs: null,
      };
    }
    case 'kraken': {
      // Kraken spot WebSocket v1: wss://ws.kraken.com; {"event":"subscribe","pair":[...],"subscription":{...}};
      // the server sends {"event":"heartbeat"} after ~1 s without traffic; the client may send {"event":"ping"}.
      const depth = options.depth ?? DEFAULT_DEPTH.kraken ?? 100;
      return {
        venue,
        symbol,
        wsUrl: 'wss://ws.kraken.com',
        restBaseUrl: 'https://api.kraken.com',
        subscribe: [
          { event: 'subscribe', pair: [symbol], subscription: { name: 'book', depth } },
          { event: 'subscribe', pair: [symbol], subscription: { name: 'trade' } },
        ],
        snapshotUrl: () => null,
        instrumentUrl: `https://api.kraken.com/0/public/AssetPairs?pair=${encodeURIComponent(symbol)}`,
        keepAlive: {
          kind: 'client-message',
          intervalMs: 30_000,
          message: { event: 'ping' },
          note: 'server heartbeats every ~1 s when idle; an application ping every 30 s detects a dead link',
        },
        maxConnectionMs: null,
      };
    }
    case 'coinbase': {
      // Coinbase Advanced Trade WebSocket: wss://advanced-trade-ws.coinbase.com; one subscribe message per
      // channel ({"type":"subscribe","product_ids":[...],"channel":"level2"}); market data needs no auth;
      // subscribe to "heartbeats" so an idle connection is not closed (and its counter shows liveness).
      return {
        venue,
        symbol,
        wsUrl: 'wss://advanced-trade-ws.coinbase.com',
        restBaseUrl: 'https://api.coinbase.com',
        subscribe: [
          { type: 'subscribe', product_ids: [symbol], channel: 'heartbeats' },
          { type: 'subscribe', product_ids: [symbol], channel: 'level2' },
          { type: 'subscribe', product_ids: [symbol], channel: 'market_trades' },
        ],
        snapshotUrl: () => null,
        instrumentUrl: `https://api.coinbase.com/api/v3/brokerage/market/products/${symbol}`,
        keepAlive: { kind: 'server-heartbeat', intervalMs: 1_000, message: null, note: 'heartbeats channel: one message per second' },
        maxConnectionMs: null,
      };
    }
    case 'sim':
    case 'lobster':
      throw new Error(`venue ${venue} has no network endpoints`);
    default:
      return assertNever(venue, 'venue');
  }
}
