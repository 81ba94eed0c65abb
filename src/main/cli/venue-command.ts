/**
 * `quotedesk venue`: runs the local exchange — the simulated market behind a venue's documented REST and
 * WebSocket APIs — until interrupted, so a trader can rehearse the live path with no account. It owns the
 * command's flags and their checks (one line naming the flag, exit 2) and prints where the exchange
 * listens. The API secret comes from `--api-secret` or, better (a command line is visible to every user of
 * the machine), `QUOTEDESK_API_SECRET`; it is never printed, nor is the key.
 */
import { readFileSync } from 'node:fs';
import { ed25519Verifier, hmacVerifier } from '../execution/venues/common/signer.js';
import { isLoopbackBind } from '../bridge/request-policy.js';
import { BinanceLocalExchange, BybitLocalExchange, DEFAULT_SYMBOL, type ApiKeyEntry } from '../venue-sim/index.js';
import { UsageError, num, str, type CommandSpec, type ParsedFlags } from './args.js';

export const VENUE_COMMAND: CommandSpec = {
  summary: "a local exchange: the simulated market behind a venue's documented REST and WebSocket APIs, to rehearse live trading",
  flags: {
    speak: { kind: 'string', required: true, help: 'binance-spot, binance-usdm, bybit-spot or bybit-linear' },
    port: { kind: 'number', required: true, help: 'port (0 = any free port)' },
    host: { kind: 'string', help: 'address to bind (default 127.0.0.1)' },
    symbol: { kind: 'string', help: `the symbol it lists (default ${DEFAULT_SYMBOL.symbol})` },
    'api-key': { kind: 'string', help: 'the account API key (default: $QUOTEDESK_API_KEY)' },
    'api-secret': { kind: 'string', help: 'HMAC secret of that key (prefer $QUOTEDESK_API_SECRET: a command line is visible to all)' },
    'ed25519-public-key': { kind: 'string', help: 'PEM file of the Ed25519 public key of that key (instead of a secret)' },
    seed: { kind: 'number', help: 'random seed of the simulated market (default 1)' },
    'sim-flow': { kind: 'number', help: 'order-flow multiplier of the simulated market (default 1)' },
    help: { kind: 'boolean', help: 'show this help' },
  },
  notes: [
    'ENDPOINTS: REST at http://HOST:PORT (spot /api/v3/..., USD-M /fapi/v1/...); spot WebSocket API at ws://HOST:PORT/ws-api/v3; ' +
      'market streams at ws://HOST:PORT/stream?streams=... (point a feed\'s --ws-url and --rest-url at http(s)/ws://HOST:PORT); ' +
      'USD-M user data at ws://HOST:PORT/ws/<listenKey>. Bybit v5: REST /v5/..., public stream ws://HOST:PORT/v5/public/{spot|linear}, ' +
      'private stream ws://HOST:PORT/v5/private (HMAC keys only).',
    'FAULTS: POST /__local/faults with a JSON object, e.g. {"rejectNextOrder": {"code": -2010}}, {"loseNextAnswers": 1}, ' +
      '{"dropUserStreams": true}, {"expireListenKey": true}, {"ignoreCancels": true}, {"raceNextCancel": "fill"}, {"clockSkewMs": 3000}, ' +
      '{"marketOrder": {"side": "SELL", "quantity": "1.5"}}. Bybit: {"rejectNextOrder": {"code": 110007}}, {"loseNextAnswers": 1}, ' +
      '{"dropPrivateStreams": true}, {"cutPrivateStreams": true} (DCP then fires at its window), {"duplicateNextExecutions": 1}, ' +
      '{"limit": {"path": "/v5/order/create", "perSecond": 2}}, {"marketOrder": {"side": "Sell", "qty": "1.5"}}. Requests with an Origin header are refused.',
  ],
};

function keysFlag(flags: ParsedFlags): ApiKeyEntry[] {
  const apiKey = str(flags, 'api-key') ?? process.env['QUOTEDESK_API_KEY'];
  const secret = str(flags, 'api-secret') ?? process.env['QUOTEDESK_API_SECRET'];
  const publicKeyFile = str(flags, 'ed25519-public-key');
  if (apiKey === undefined || apiKey.length === 0) throw new UsageError('missing --api-key (or QUOTEDESK_API_KEY): the account key the desk signs with');
  if (!/^[\x21-\x7e]{1,256}$/.test(apiKey)) throw new UsageError('--api-key must be 1 to 256 printable characters without spaces');
  if (publicKeyFile !== undefined && str(flags, 'api-secret') !== undefined) throw new UsageError('--api-secret and --ed25519-public-key: give one (a key is HMAC or Ed25519)');
  if (publicKeyFile !== undefined) {
    let pem: string;
    try {
      pem = readFileSync(publicKeyFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--ed25519-public-key ${publicKeyFile}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      return [{ apiKey, verifier: ed25519Verifier(pem) }];
    } catch {
      throw new UsageError(`--ed25519-public-key ${publicKeyFile}: not an Ed25519 public key in PEM`);
    }
  }
  if (secret === undefined || secret.length === 0) throw new UsageError('missing --api-secret (or QUOTEDESK_API_SECRET), or --ed25519-public-key FILE');
  return [{ apiKey, verifier: hmacVerifier(secret) }];
}

export async function venueCommand(flags: ParsedFlags): Promise<number> {
  const dialect = str(flags, 'speak');
  if (dialect !== 'binance-spot' && dialect !== 'binance-usdm' && dialect !== 'bybit-spot' && dialect !== 'bybit-linear') {
    throw new UsageError(`--speak must be binance-spot, binance-usdm, bybit-spot or bybit-linear, got "${dialect ?? ''}"`);
  }
  const port = num(flags, 'port') ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${port}`);
  const host = str(flags, 'host') ?? '127.0.0.1';
  const symbol = str(flags, 'symbol');
  if (symbol !== undefined && !/^[A-Z0-9]{2,20}$/.test(symbol)) throw new UsageError(`--symbol must be upper-case letters and digits (as the venue spells it), got "${symbol}"`);
  const seed = num(flags, 'seed');
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
  const flow = num(flags, 'sim-flow');
  if (flow !== undefined && (flow <= 0 || flow > 10_000)) throw new UsageError(`--sim-flow must be in (0, 10000], got ${flow}`);
  const keys = keysFlag(flags);
  const bybit = dialect === 'bybit-spot' || dialect === 'bybit-linear';
  if (bybit && keys[0]?.verifier.kind !== 'hmac') throw new UsageError('--ed25519-public-key: Bybit keys sign with HMAC-SHA256; give --api-secret (or QUOTEDESK_API_SECRET)');
  let venue: BinanceLocalExchange | BybitLocalExchange;
  try {
    const common = {
      host,
      port,
      keys,
      ...(symbol !== undefined ? { symbol: { symbol, baseAsset: symbol.replace(/(USDT|USDC|BUSD|BTC|ETH)$/, '') || 'SIM' } } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(flow !== undefined ? { flowMultiplier: flow } : {}),
    };
    venue = bybit ? await BybitLocalExchange.start({ dialect, ...common }) : await BinanceLocalExchange.start({ dialect, ...common });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UsageError(`--port ${port} / --host ${host}: cannot listen there (${code})`);
    throw error;
  }
  if (!isLoopbackBind(host)) process.stdout.write(`WARNING: this local exchange is reachable from the network on ${venue.restUrl}\n`);
  process.stdout.write(`REST: ${venue.restUrl}\n`);
  process.stdout.write(`Market streams: ${venue.wsUrl}\n`);
  process.stdout.write(`${bybit ? 'Private stream' : dialect === 'binance-spot' ? 'WebSocket API' : 'User data streams'}: ${venue.wsApiUrl}\n`);
  process.stdout.write(`Symbol: ${venue.spec.symbol} (tick ${venue.spec.tickSize}, step ${venue.spec.stepSize}); account key signs with ${keys[0]?.verifier.kind === 'ed25519' ? 'Ed25519' : 'HMAC-SHA256'}\n`);
  process.stdout.write(`Quotedesk venue (${dialect}) listening on ${venue.restUrl}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await venue.stop();
  return 0;
}
