/**
 * Character codes of the JSON punctuation the adapters' strict text scanners (Kraken's book updates,
 * Binance's depth events and snapshots) compare `charCodeAt` against. One place, so both scanners read the
 * same structure the same way. Constants only.
 */
export const QUOTE = 34;
export const COMMA = 44;
export const COLON = 58;
export const LBRACKET = 91;
export const BACKSLASH = 92;
export const RBRACKET = 93;
export const LBRACE = 123;
export const RBRACE = 125;
