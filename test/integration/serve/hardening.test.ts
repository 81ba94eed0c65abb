/**
 * `quotedesk serve` against hostile and careless clients, over real sockets to a real child process:
 * a foreign page (Origin) can read nothing, not even the stream; writes need the token and a JSON
 * content type, and refuse prototype keys and malformed URLs, changing nothing; a desk bound to a network
 * address says so and wants the token for every read; the stream refuses clients beyond its cap in words;
 * and with 300 stream clients (half of them never reading) plus 200 connecting at once, a kill, a pause
 * and a parameter change are each executed and answered, every order is cancelled, and every reading
 * client sees the result. Latencies are the benchmark's business (test/bench/stream-load.bench.ts).
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskState, StreamMessage } from '../../../src/shared/contract.js';
import { streamProtocols } from '../../../src/shared/stream-auth.js';
import { removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';
import { openReader, openStalled, type ReadingClient } from '../../support/stream-clients.js';

type Update = Extract<StreamMessage, { type: 'update' }>;

const stateOf = (message: StreamMessage): DeskState | null => (message.type === 'update' || message.type === 'snapshot' ? message.state : null);

async function request(serve: ServeHandle, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(serve.baseUrl + path, { method, ...(init.headers ? { headers: init.headers } : {}), ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

describe('serve refuses foreign pages and malformed writes', () => {
  let serve: ServeHandle;

  beforeAll(async () => {
    serve = await startServe({ args: ['--seed', '3', '--max-clients', '3'] });
  });

  afterAll(async () => {
    await serve?.stop();
    removeDir(serve?.dir ?? '');
  });

  it('answers reads from no page and from its own origin, and refuses a foreign origin, on HTTP and the stream', async () => {
    expect((await request(serve, 'GET', '/api/state')).status).toBe(200);
    expect((await request(serve, 'GET', '/api/state', { headers: { origin: serve.baseUrl } })).status).toBe(200);
    for (const path of ['/api/state', '/api/metrics', '/api/fills', '/api/health', '/api/export/fills.csv', '/metrics', '/api/session']) {
      const refused = await request(serve, 'GET', path, { headers: { origin: 'http://evil.example' } });
      expect(refused.status, path).toBe(403);
      expect((refused.body as { error: string }).error).toMatch(/cross-origin request refused: http:\/\/evil\.example/);
    }
    await expect(openReader(serve.baseUrl, { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(openReader(serve.baseUrl, { origin: 'null' })).rejects.toMatchObject({ status: 403 });
    const own = await openReader(serve.baseUrl, { record: true, origin: serve.baseUrl, protocols: streamProtocols(null) });
    const snapshot = await own.waitFor((m) => m.type === 'snapshot', 'a snapshot');
    expect(stateOf(snapshot)?.venue).toBe('sim');
    expect(own.ws.protocol).toBe('quotedesk');
    own.close();
  });

  it('wants application/json on every write (415), and changes nothing without it', async () => {
    const before = await serve.get<DeskState>('/api/state');
    expect(before.tradingState).toBe('active');
    const auth = { authorization: `Bearer ${serve.token}` };
    const missing = await request(serve, 'POST', '/api/control/kill', { headers: auth });
    expect(missing.status).toBe(415);
    expect((missing.body as { error: string }).error).toBe('content-type application/json is required');
    const wrong = await request(serve, 'POST', '/api/control/pause', { headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' });
    expect(wrong.status).toBe(415);
    const form = await request(serve, 'POST', '/api/control/kill', { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
    expect((await serve.get<DeskState>('/api/state')).tradingState).toBe('active');
    const ok = await request(serve, 'POST', '/api/control/pause', { headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, tradingState: 'paused' });
    expect((await serve.send('POST', '/api/control/resume', {})).status).toBe(200);
  });

  it('refuses __proto__, constructor and prototype keys at any depth, naming the key, and changes nothing', async () => {
    const before = await serve.get<DeskState>('/api/state');
    for (const [raw, key] of [
      ['{"__proto__": {"risk": {"maxInventoryLots": 1}}}', '__proto__'],
      ['{"strategy": {"constructor": {"prototype": {"x": 1}}}}', 'prototype'],
      ['{"risk": {"constructor": 1}}', 'constructor'],
    ] as const) {
      const refused = await serve.send('PUT', '/api/params', undefined, { raw });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ error: `forbidden key "${key}" in the body`, field: key });
    }
    expect((await serve.get<DeskState>('/api/state')).params).toEqual(before.params);
  });

  it('answers a malformed %-encoding with 400, and API answers with nosniff and no-store', async () => {
    for (const path of ['/api/st%zzate', '/api/fills?limit=%E0%A4%A', '/%C3%28']) {
      const refused = await request(serve, 'GET', path);
      expect(refused.status, path).toBe(400);
      expect((refused.body as { error: string }).error).toBe('malformed %-encoding in the request URL');
    }
    for (const path of ['/api/state', '/api/fills', '/api/export/orders.csv', '/metrics', '/api/nope']) {
      const answer = await request(serve, 'GET', path);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('serves reads from the database with their own refusals: a session it does not hold is a 404 naming the field', async () => {
    const missing = await request(serve, 'GET', '/api/export/orders.csv?session=999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'no session 999 in this database', field: 'session' });
    const csv = await request(serve, 'GET', '/api/export/audit.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // The pause and resume above are in the audit trail the export read from its own connection.
    expect(String(csv.body)).toMatch(/operator:http,pause/);
    expect(String(csv.body)).toMatch(/operator:http,resume/);
  });

  it('refuses a stream client beyond --max-clients with a 503 that says why, and takes one again when a place frees', async () => {
    const clients = await Promise.all([openReader(serve.baseUrl), openReader(serve.baseUrl), openReader(serve.baseUrl)]);
    await expect(openReader(serve.baseUrl)).rejects.toMatchObject({ status: 503, body: expect.stringMatching(/^too many stream clients \(3 of at most 3\): close another monitor, or start serve with a higher --max-clients$/) });
    const closed = clients[0] as ReadingClient;
    const gone = new Promise((resolve) => closed.ws.once('close', resolve));
    closed.close();
    await gone;
    // The server sees the close a moment later: retry on refusal until it has (each retry is an event).
    let again: ReadingClient | null = null;
    for (let attempt = 0; attempt < 50 && again === null; attempt++) {
      again = await openReader(serve.baseUrl).catch(() => null);
    }
    expect(again).not.toBeNull();
    for (const client of [...clients.slice(1), again as ReadingClient]) client.close();
  });
});

describe('serve on a network address', () => {
  let serve: ServeHandle;

  beforeAll(async () => {
    serve = await startServe({ args: ['--host', '0.0.0.0', '--allowed-hosts', 'desk.example,127.0.0.1', '--seed', '4'], baseUrlHost: '127.0.0.1' });
  });

  afterAll(async () => {
    await serve?.stop();
    removeDir(serve?.dir ?? '');
  });

  it('says plainly at startup that the desk is reachable from the network', () => {
    expect(serve.stdout()).toMatch(/^WARNING: this desk is reachable from the network on http:\/\/0\.0\.0\.0:\d+: every read and write needs the token; Host names allowed: .*desk\.example/m);
  });

  it('wants the token for every read and the stream, and checks the Host header against the allowed names', async () => {
    const port = new URL(serve.baseUrl).port;
    const withoutToken = await request(serve, 'GET', '/api/state');
    expect(withoutToken.status).toBe(401);
    const auth = { authorization: `Bearer ${serve.token}` };
    expect((await request(serve, 'GET', '/api/state', { headers: auth })).status).toBe(200);
    expect((await request(serve, 'GET', '/api/health', { headers: { authorization: 'Bearer wrong-token-0000' } })).status).toBe(401);
    // A Host header naming an allowed name passes; any other name is refused (DNS rebinding).
    const http = await import('node:http');
    const get = (host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: Number(port), path: '/api/state', headers: { ...auth, host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).on('error', reject);
      });
    expect(await get(`desk.example:${port}`)).toBe(200);
    expect(await get(`evil.example:${port}`)).toBe(403);
    await expect(openReader(serve.baseUrl)).rejects.toMatchObject({ status: 401 });
    const reader = await openReader(serve.baseUrl, { record: true, protocols: streamProtocols(serve.token) });
    await reader.waitFor((m) => m.type === 'snapshot', 'a snapshot with the token');
    reader.close();
  });
});

describe('serve under 500 stream clients', () => {
  let serve: ServeHandle;
  const readers: ReadingClient[] = [];
  const stalled: Socket[] = [];

  beforeAll(async () => {
    serve = await startServe({ args: ['--sim-flow', '175', '--seed', '9', '--max-clients', '600'] });
  });

  afterAll(async () => {
    for (const reader of readers) reader.close();
    for (const socket of stalled) socket.destroy();
    await serve?.stop();
    removeDir(serve?.dir ?? '');
  });

  it('executes and answers a kill, a pause and a parameter change while 200 clients connect beside 300 (half never reading)', async () => {
    // Opened 50 at a time: the load under test is the 500 sockets, not the test's own round trips.
    for (let i = 0; i < 3; i++) readers.push(...(await Promise.all(Array.from({ length: 50 }, () => openReader(serve.baseUrl)))));
    for (let i = 0; i < 3; i++) stalled.push(...(await Promise.all(Array.from({ length: 50 }, () => openStalled(serve.baseUrl)))));
    // The desk quotes before the kill, so the kill has orders to cancel.
    await (readers[0] as ReadingClient).waitFor((m) => (stateOf(m)?.openOrders.length ?? 0) > 0, 'working orders');
    // Every order is gone at the venue: the desk confirms it on the stream (listened for before the kill).
    const confirmed = (m: StreamMessage): boolean => m.type === 'update' && (m as Update).events.some((e) => e.text.startsWith('kill confirmed by the venue'));
    const confirmation = (readers[0] as ReadingClient).waitFor(confirmed, 'the kill confirmed by the venue');
    const connecting = Array.from({ length: 200 }, () => openReader(serve.baseUrl));
    const kill = await serve.send('POST', '/api/control/kill', {});
    expect(kill).toEqual({ status: 200, body: { ok: true, tradingState: 'halted' } });
    const late = await Promise.all(connecting);
    readers.push(...late);
    await confirmation;
    // Readers old and new all see the halt with nothing open.
    const halted = (m: StreamMessage): boolean => stateOf(m)?.tradingState === 'halted' && stateOf(m)?.openOrders.length === 0;
    await Promise.all(readers.map((reader, i) => reader.waitFor(halted, `reader ${i} to show halted with no open order`)));
    const afterKill = await serve.get<DeskState>('/api/state');
    expect(afterKill.tradingState).toBe('halted');
    expect(afterKill.openOrders).toEqual([]);

    expect(await serve.send('POST', '/api/control/rearm', { confirm: true })).toMatchObject({ status: 200, body: { tradingState: 'active' } });
    expect(await serve.send('POST', '/api/control/pause', {})).toEqual({ status: 200, body: { ok: true, tradingState: 'paused' } });
    const params = await serve.send('PUT', '/api/params', { strategy: { size: { baseLots: 13 } } });
    expect(params.status).toBe(200);
    const state = await serve.get<DeskState>('/api/state');
    expect(state.tradingState).toBe('paused');
    expect(state.params.strategy.size.baseLots).toBe(13);
    const health = await serve.get<{ ok: boolean; tradingState: string }>('/api/health');
    expect(health).toMatchObject({ ok: true, tradingState: 'paused' });
    await Promise.all(readers.map((reader, i) => reader.waitFor((m) => stateOf(m)?.params.strategy.size.baseLots === 13, `reader ${i} to see the new size`)));
    // why: 500 sockets on a 2-core machine while the rest of the suite runs: no latency is asserted here
    // (the benchmark measures it), so the test may take its time.
  }, 240_000);
});
