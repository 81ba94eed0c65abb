/**
 * The local exchange (`quotedesk venue`): the simulated market with one remote account, behind a venue's
 * documented REST and WebSocket APIs, to rehearse the live path with no account. `sim-exchange.ts` is the
 * venue-neutral engine; each dialect folder (`binance/`, `bybit/`) speaks one venue's wire.
 */
export { BinanceLocalExchange, type LocalExchangeOptions } from './binance/server.js';
export { DEFAULT_SYMBOL, type Dialect, type DialectLimits, type DialectSymbol } from './binance/dialect.js';
export type { ApiKeyEntry } from './binance/auth.js';
export { BybitLocalExchange, type BybitLocalExchangeOptions } from './bybit/server.js';
export type { BybitDialect } from './bybit/dialect.js';
export { SimExchange, type ExchangeOrder, type ExchangeTrade } from './sim-exchange.js';
