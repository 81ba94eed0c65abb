/**
 * Signing against the venue documentation's own worked examples: every HMAC example signature printed in
 * spot `rest-api.md`, spot `web-socket-api.md` and the USD-M "General Info" page is reproduced exactly by
 * the gateway's signer over the payload the gateway's own payload builders produce, and checked by the
 * local exchange's verifier. Ed25519 has no reproducible example (the docs do not publish the private
 * key): it is checked by a signature round trip with node's own verifier and by refusing tampering.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/main/execution/live/gateway.js';
import { encodeQuery, restSignaturePayload, wsApiSignaturePayload } from '../../../../src/main/execution/venues/binance/signing.js';
import { ed25519Verifier, hmacVerifier, RequestSigner } from '../../../../src/main/execution/venues/common/signer.js';

const SPOT_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const SPOT_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const USDM_SECRET = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';

function hmac(secret: string): RequestSigner {
  return RequestSigner.fromCredentials({ apiKey: 'k', secret: { kind: 'hmac', key: secret } });
}

describe('HMAC-SHA256 against the documented examples', () => {
  it('spot REST POST /api/v3/order, ASCII symbol (rest-api.md "HMAC Keys")', () => {
    const query = encodeQuery([['symbol', 'LTCBTC'], ['side', 'BUY'], ['type', 'LIMIT'], ['timeInForce', 'GTC'], ['quantity', '1'], ['price', '0.1'], ['recvWindow', 5000], ['timestamp', 1499827319559]]);
    expect(query).toBe('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
    expect(hmac(SPOT_SECRET).sign(restSignaturePayload(query, ''))).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });

  it('spot REST with a non-ASCII symbol: percent-encoded before signing', () => {
    const query = encodeQuery([['symbol', '１２３４５６'], ['side', 'BUY'], ['type', 'LIMIT'], ['timeInForce', 'GTC'], ['quantity', '1'], ['price', '0.1'], ['recvWindow', 5000], ['timestamp', 1499827319559]]);
    expect(query).toBe('symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
    expect(hmac(SPOT_SECRET).sign(query)).toBe('e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3');
  });

  it('spot WebSocket API: params sorted by name, not encoded (web-socket-api.md "SIGNED request example (HMAC)")', () => {
    const params = { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01000000', price: '52000.00', recvWindow: 100, timestamp: 1645423376532, apiKey: SPOT_KEY, signature: 'ignored' };
    const payload = wsApiSignaturePayload(params);
    expect(payload).toBe(`apiKey=${SPOT_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`);
    expect(hmac(SPOT_SECRET).sign(payload)).toBe('aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24');
  });

  it('spot WebSocket API with a non-ASCII symbol: signed as UTF-8', () => {
    const payload = wsApiSignaturePayload({ symbol: '１２３４５６', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1.00000000', price: '0.10000000', recvWindow: 5000, timestamp: 1645423376532, apiKey: SPOT_KEY });
    expect(hmac(SPOT_SECRET).sign(payload)).toBe('b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd');
  });

  it('USD-M POST /fapi/v1/order, Examples 1 and 2 (query string or body: the same totalParams)', () => {
    const params = encodeQuery([['symbol', 'BTCUSDT'], ['side', 'BUY'], ['type', 'LIMIT'], ['quantity', '1'], ['price', '9000'], ['timeInForce', 'GTC'], ['recvWindow', 5000], ['timestamp', 1591702613943]]);
    const expected = '3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9';
    expect(hmac(USDM_SECRET).sign(restSignaturePayload(params, ''))).toBe(expected);
    expect(hmac(USDM_SECRET).sign(restSignaturePayload('', params))).toBe(expected);
  });

  it('USD-M Example 3: query string and body concatenated with no "&" between them', () => {
    // The page's own payload, as its echo command prints it (including the space after "timestamp=").
    const payload = restSignaturePayload('symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC', 'quantity=1&price=9000&recvWindow=5000&timestamp= 1591702613943');
    expect(hmac(USDM_SECRET).sign(payload)).toBe('f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2');
  });

  it('the verifier accepts the documented signatures in either case and refuses a changed payload', () => {
    const verifier = hmacVerifier(SPOT_SECRET);
    const payload = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    expect(verifier.verify(payload, 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71')).toBe(true);
    expect(verifier.verify(payload, 'C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71')).toBe(true);
    expect(verifier.verify(payload.replace('0.1', '0.2'), 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71')).toBe(false);
    expect(verifier.verify(payload, 'not-hex')).toBe(false);
    expect(hmacVerifier('another secret').verify(payload, 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71')).toBe(false);
  });
});

describe('Ed25519', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signer = RequestSigner.fromCredentials({ apiKey: 'k', secret: { kind: 'ed25519', privateKeyPem: privatePem } });

  it('signs the UTF-8 payload as base64 that node and the local exchange both verify', () => {
    const payload = wsApiSignaturePayload({ apiKey: 'k', symbol: '１２３４５６', side: 'SELL', timestamp: 1668481559918 });
    const signature = signer.sign(payload);
    expect(signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verify(null, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    const verifier = ed25519Verifier(publicPem);
    expect(verifier.verify(payload, signature)).toBe(true);
    expect(verifier.verify(`${payload}x`, signature)).toBe(false);
    // why: Ed25519 signatures are case-sensitive (rest-api.md "Signature Case Sensitivity")
    expect(verifier.verify(payload, signature.toLowerCase())).toBe(false);
  });

  it('refuses a key that is not an Ed25519 private key without quoting it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => RequestSigner.fromCredentials({ apiKey: 'k', secret: { kind: 'ed25519', privateKeyPem: rsa } })).toThrow(/not Ed25519/);
    const garbage = '-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----\n';
    let message = '';
    try {
      RequestSigner.fromCredentials({ apiKey: 'k', secret: { kind: 'ed25519', privateKeyPem: garbage } });
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/not a valid PEM/);
    expect(message).not.toContain('TOPSECRETMATERIAL');
  });

  it('a signer never shows its key when logged, inspected or serialised', () => {
    const secret = 'super-secret-hmac-key-0123456789';
    const h = hmac(secret);
    for (const text of [inspect(h, { depth: 10, showHidden: true }), JSON.stringify(h), String(h), inspect(signer, { depth: 10 })]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });
});
