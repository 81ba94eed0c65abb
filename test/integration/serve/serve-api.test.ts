/**
 * `quotedesk serve` as scripts use it (contracts.md): a real child process on the simulated market, a real
 * SQLite file, real HTTP and WebSocket on 127.0.0.1. Covers the "done when" list of the foundation issue
 * and its bad-input rules.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { METRIC_NAMES, type DeskMetrics, type DeskState, type FillView, type StreamMessage } from '../../../src/shared/contract.js';
import { CLI, PROJECT_ROOT, removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';

/** Parameters under which the simulated market fills our quotes often (quotes at the touch). */
export const FILL_OFTEN_PARAMS = {
  strategy: {
    spread: { baseBps: 0.5, volatility: { enabled: false } },
    skew: { bpsAtMaxInventory: 2 },
    size: { baseLots: 20 },
  },
  risk: { maxInventoryLots: 400, softInventoryLots: 300, fillBurstCount: 10_000 },
};

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function onGrid(price: number, decimals: number): boolean {
  const scaled = price * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

describe('quotedesk serve on the simulated market', () => {
  let serve: ServeHandle;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quotedesk-api-'));
    const paramsFile = join(dir, 'params.json');
    writeFileSync(paramsFile, JSON.stringify(FILL_OFTEN_PARAMS));
    serve = await startServe({ dir, args: ['--params', paramsFile, '--seed', '7'] });
  });

  afterAll(async () => {
    await serve?.stop();
    removeDir(dir);
  });

  it('prints the listening line and answers /api/health', async () => {
    expect(serve.stdout()).toMatch(/^Quotedesk listening on http:\/\/127\.0\.0\.1:\d+$/m);
    const health = await serve.get<{ ok: boolean; venue: string; mode: string; tradingState: string; feed: { connected: boolean; lastMessageAgeMs: number | null } }>('/api/health');
    expect(health).toMatchObject({ ok: true, venue: 'sim', mode: 'live', tradingState: 'active', feed: { connected: true } });
  });

  it('shows a book with best bid < best ask, 20 levels a side, and our two quotes on the tick grid', async () => {
    const state = await waitFor('two quotes', async () => {
      const s = await serve.get<DeskState>('/api/state');
      return s.quotes.bid && s.quotes.ask ? s : null;
    });
    const { bids, asks } = state.book;
    expect(bids.length).toBeGreaterThanOrEqual(20);
    expect(asks.length).toBeGreaterThanOrEqual(20);
    expect(bids[0]![0]).toBeLessThan(asks[0]![0]);
    for (let i = 1; i < bids.length; i++) expect(bids[i]![0]).toBeLessThan(bids[i - 1]![0]);
    for (let i = 1; i < asks.length; i++) expect(asks[i]![0]).toBeGreaterThan(asks[i - 1]![0]);
    const decimals = state.instrument.priceDecimals;
    expect(onGrid(state.quotes.bid!.price, decimals)).toBe(true);
    expect(onGrid(state.quotes.ask!.price, decimals)).toBe(true);
    expect(state.quotes.bid!.price).toBeLessThan(state.quotes.ask!.price);
    expect(state.quotes.ask!.price).toBeGreaterThan(bids[0]![0]);
    expect(state.quotes.bid!.price).toBeLessThan(asks[0]![0]);
  });

  it('reports fills in /api/fills that are in the database too, and metrics that count them', async () => {
    const fills = await waitFor('fills', async () => {
      const f = await serve.get<FillView[]>('/api/fills?limit=50');
      return f.length >= 3 ? f : null;
    });
    for (let i = 1; i < fills.length; i++) expect(fills[i]!.timeMs).toBeLessThanOrEqual(fills[i - 1]!.timeMs);
    const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
    try {
      // Each fill carries both of its times, as the fills table stores them.
      const rows = new Map((db.prepare('SELECT fill_id, exch_us, local_us FROM fills').all() as Array<{ fill_id: string; exch_us: number; local_us: number }>).map((row) => [row.fill_id, row]));
      for (const fill of fills) {
        const row = rows.get(fill.fillId);
        expect(row).toBeDefined();
        expect(fill.execTimeMs).toBe((row?.exch_us ?? Number.NaN) / 1_000);
        expect(fill.timeMs).toBe(Math.floor((row?.local_us ?? Number.NaN) / 1_000));
      }
    } finally {
      db.close();
    }
    const metrics = await serve.get<DeskMetrics>('/api/metrics');
    expect(metrics.numFills).toBeGreaterThanOrEqual(fills.length);
    for (const key of ['totalPnl', 'dailyPnl', 'sharpe', 'winRate', 'avgSpreadCapturedBps', 'adverseSelectionRate', 'avgInventory', 'maxInventory', 'inventoryTurnover', 'numFills', 'markouts']) {
      expect(metrics).toHaveProperty(key);
    }
    // Every definition, one per figure, the words the monitor's tooltips show.
    expect(Object.keys(metrics.definitions).sort()).toEqual([...METRIC_NAMES].sort());
    for (const name of METRIC_NAMES) expect(metrics.definitions[name].length, name).toBeGreaterThan(30);
    // The simulated market trades around the clock: its Sharpe ratio is annualised on 365 days × 24 h, and
    // a fresh session has far fewer than 30 complete intervals: n/a (null), with the count in the basis.
    expect(metrics.tradingCalendar).toContain('365 days × 24 h');
    expect(metrics.sharpe).toBeNull();
    expect(metrics.sharpeBasis).toContain(`n/a (${metrics.sharpeIntervals} of ${metrics.sharpeMinIntervals} intervals)`);
  });

  it('serves the same figures in the Prometheus format', async () => {
    const text = await (await fetch(`${serve.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^quotedesk_pnl_total\{venue="sim",symbol="SIM-USD"\} -?[\d.e-]+$/m);
    expect(text).toMatch(/^quotedesk_trading_state\{venue="sim",symbol="SIM-USD",state="active"\} 1$/m);
    // Each statistic's HELP is its definition, the words /api/metrics and the tooltips give (those without counts in them).
    const metrics = await serve.get<DeskMetrics>('/api/metrics');
    const help = (name: string): string | undefined => new RegExp(`^# HELP quotedesk_${name} (.*)$`, 'm').exec(text)?.[1];
    expect(help('pnl_total')).toBe(metrics.definitions.totalPnl);
    expect(help('max_drawdown')).toBe(metrics.definitions.maxDrawdown);
    expect(help('fees')).toBe(metrics.definitions.fees);
    // A valid exposition: every sample's family has exactly one HELP and one TYPE, before its samples.
    const families = new Set([...text.matchAll(/^(quotedesk_[a-z_]+)\{/gm)].map((m) => m[1] as string));
    for (const family of families) {
      expect(text.match(new RegExp(`^# HELP ${family} `, 'gm')), family).toHaveLength(1);
      expect(text.match(new RegExp(`^# TYPE ${family} gauge$`, 'gm')), family).toHaveLength(1);
      expect(text.indexOf(`# TYPE ${family} `), family).toBeLessThan(text.indexOf(`${family}{`));
    }
  });

  it('streams a snapshot then batched updates over the WebSocket', async () => {
    const ws = new WebSocket(`${serve.baseUrl.replace('http', 'ws')}/api/stream`);
    const messages: StreamMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        messages.push(JSON.parse(String(data)) as StreamMessage);
        if (messages.filter((m) => m.type === 'update').length >= 2) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(messages[0]!.type).toBe('snapshot');
    expect(messages[1]).toMatchObject({ type: 'session', session: { status: 'running' } });
    const seqs = messages.flatMap((m) => (m.type === 'update' ? [m.seq] : []));
    expect(seqs[1]).toBeGreaterThan(seqs[0]!);
  });

  it('refuses bad requests with 400 naming the problem, and unknown endpoints with 404, changing nothing', async () => {
    const malformed = await serve.send('POST', '/api/control/flatten', undefined, { raw: '{"style": ' });
    expect(malformed.status).toBe(400);
    expect((malformed.body as { error: string }).error).toMatch(/malformed JSON/);
    const badStyle = await serve.send('POST', '/api/control/flatten', { style: 'yolo' });
    expect(badStyle.status).toBe(400);
    expect(badStyle.body).toMatchObject({ field: 'style' });
    const badParams = await serve.send('PUT', '/api/params', { risk: { maxInventoryLots: -1 } });
    expect(badParams.status).toBe(400);
    expect(badParams.body).toMatchObject({ field: 'risk.maxInventoryLots' });
    const unknownParam = await serve.send('PUT', '/api/params', { strategy: { spread: { baseBpz: 3 } } });
    expect(unknownParam.status).toBe(400);
    expect((unknownParam.body as { field: string }).field).toMatch(/^strategy\.spread/);
    const state = await serve.get<DeskState>('/api/state');
    expect(state.params.risk.maxInventoryLots).toBe(400);
    expect((await fetch(`${serve.baseUrl}/api/nope`)).status).toBe(404);
  });

  it('applies a valid parameter change atomically and audits it', async () => {
    const changed = await serve.send('PUT', '/api/params', { strategy: { size: { baseLots: 25 } } });
    expect(changed.status).toBe(200);
    const state = await serve.get<DeskState>('/api/state');
    expect(state.params.strategy.size.baseLots).toBe(25);
    expect(state.params.strategy.spread.baseBps).toBe(0.5);
    const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT detail_json AS detail FROM audit WHERE action = 'params' ORDER BY seq DESC LIMIT 1").get() as { detail: string } | undefined;
      expect(row?.detail).toContain('strategy.size.baseLots');
    } finally {
      db.close();
    }
  });

  it('pauses and resumes', async () => {
    expect((await serve.send('POST', '/api/control/pause')).status).toBe(200);
    const paused = await serve.get<DeskState>('/api/state');
    expect(paused.tradingState).toBe('paused');
    expect(paused.openOrders.filter((o) => o.status !== 'pending-cancel')).toEqual([]);
    expect((await serve.send('POST', '/api/control/resume')).status).toBe(200);
    await waitFor('quotes again', async () => (await serve.get<DeskState>('/api/state')).openOrders.length > 0);
  });

  it('cancels one working order by its id through the validated command path, audited; refuses bad or unknown ids', async () => {
    expect((await serve.send('POST', '/api/control/cancel-order', {})).body).toMatchObject({ field: 'clientOrderId' });
    const badId = await serve.send('POST', '/api/control/cancel-order', { clientOrderId: 'q1; drop' });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ field: 'clientOrderId' });
    const unknown = await serve.send('POST', '/api/control/cancel-order', { clientOrderId: 'q999999999' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toBe('no working order q999999999: it was filled or cancelled already');
    const working = await waitFor('a working order', async () => (await serve.get<DeskState>('/api/state')).openOrders.find((o) => o.status === 'working'));
    const cancelled = await serve.send('POST', '/api/control/cancel-order', { clientOrderId: working.clientOrderId });
    expect(cancelled.status).toBe(200);
    const after = await serve.get<DeskState>('/api/state');
    expect(after.openOrders.find((o) => o.clientOrderId === working.clientOrderId && o.status === 'working')).toBeUndefined();
    const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT who, detail_json AS detail FROM audit WHERE action = 'cancel-order' ORDER BY seq DESC LIMIT 1").get() as { who: string; detail: string } | undefined;
      expect(row?.who).toBe('operator:http');
      expect(JSON.parse(row?.detail ?? '{}')).toMatchObject({ clientOrderId: working.clientOrderId, side: working.side, price: working.price });
      const event = db.prepare("SELECT type FROM order_events WHERE client_order_id = ? AND type = 'cancel-requested'").get(working.clientOrderId);
      expect(event).toBeDefined();
    } finally {
      db.close();
    }
  });

  it('refuses a control without the token (401, nothing changes), halts with it, and stays halted until rearm', async () => {
    const denied = await serve.send('POST', '/api/control/kill', undefined, { auth: false });
    expect(denied.status).toBe(401);
    expect((await serve.get<DeskState>('/api/state')).tradingState).toBe('active');
    const wrong = await fetch(`${serve.baseUrl}/api/control/kill`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);

    const killed = await serve.send('POST', '/api/control/kill');
    expect(killed.status).toBe(200);
    const after = await serve.get<DeskState>('/api/state');
    expect(after.tradingState).toBe('halted');
    expect(after.openOrders.filter((o) => o.status !== 'pending-cancel')).toEqual([]);
    await waitFor('cancels confirmed', async () => (await serve.get<DeskState>('/api/state')).openOrders.length === 0);

    // A second of market time later it is still halted with nothing open.
    const t0 = after.clockMs;
    const later = await waitFor('a second of market time', async () => {
      const s = await serve.get<DeskState>('/api/state');
      return s.clockMs > t0 + 1_000 ? s : null;
    });
    expect(later.tradingState).toBe('halted');
    expect(later.openOrders).toEqual([]);
    expect((await serve.send('POST', '/api/control/resume')).status).toBe(400);

    expect((await serve.send('POST', '/api/control/rearm', { confirm: false })).status).toBe(400);
    expect((await serve.send('POST', '/api/control/rearm')).status).toBe(200);
    expect((await serve.get<DeskState>('/api/state')).tradingState).toBe('active');
  });
});

describe('quotedesk command-line bad input', () => {
  const runCli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 30_000 });

  it('exits 2 with one line naming an unknown command, flag or venue', () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['serve', '--bogus'], /unknown flag --bogus/],
      [['serve', '--venue', 'nasdaq'], /unknown venue "nasdaq"/],
      [['serve', '--port', 'abc'], /--port must be a number/],
      [['export-fills', '--db', 'x.db'], /missing required flag --out/],
    ];
    for (const [args, message] of cases) {
      const result = runCli(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });

  it('refuses an unwritable database path without creating anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-baddb-'));
    try {
      const result = runCli('serve', '--port', '0', '--db', join(dir, 'missing', 'desk.db'));
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/missing.*does not exist|cannot create/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      removeDir(dir);
    }
  });

  it('refuses a corrupt database and leaves the file unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-corrupt-'));
    try {
      const file = join(dir, 'desk.db');
      writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)]));
      const before = createHash('sha256').update(readFileSync(file)).digest('hex');
      const result = runCli('serve', '--port', '0', '--db', file);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(file);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
      expect(readdirSync(dir)).toEqual(['desk.db']);
    } finally {
      removeDir(dir);
    }
  });

  it('refuses a parameters file that fails validation, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-params-'));
    try {
      const file = join(dir, 'p.json');
      writeFileSync(file, JSON.stringify({ strategy: { spread: { baseBps: -3 } } }));
      const result = runCli('serve', '--port', '0', '--db', join(dir, 'd.db'), '--params', file);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/strategy\.spread\.baseBps/);
      expect(readdirSync(dir)).toEqual(['p.json']);
    } finally {
      removeDir(dir);
    }
  });
});
