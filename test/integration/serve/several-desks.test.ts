/**
 * Several desks in one `quotedesk serve`, over real sockets to a real child process: each desk answers on
 * its own routes and stream, with its own database and session; the overview lists every desk with the
 * figures its own API reports; a command to one desk leaves the others as they were; the kill-all halts
 * every desk and reports each one's answer; a firm-wide limit breached halts every desk it covers and no
 * other; bad desk definitions are one-line refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskState, StreamMessage } from '../../../src/shared/contract.js';
import type { DeskSummaryView } from '../../../src/shared/desks.js';
import { CLI, PROJECT_ROOT, removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';
import { openReader } from '../../support/stream-clients.js';

const stateOf = (m: StreamMessage): DeskState | null => (m.type === 'update' || m.type === 'snapshot' ? m.state : null);

describe('five desks in one process', () => {
  let serve: ServeHandle;
  let dir: string;
  const names = ['sim-alpha', 'sim-beta', 'sim-gamma', 'sim-delta', 'sim-epsilon'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quotedesk-desks-'));
    const desksFile = join(dir, 'desks.json');
    writeFileSync(
      desksFile,
      JSON.stringify({
        desks: names.map((name, i) => ({ name, venue: 'sim', symbol: `SIM${i}-USD`, params: { strategy: { size: { baseLots: 10 + i } } } })),
      }),
    );
    serve = await startServe({ dir, args: ['--desks', desksFile, '--seed', '5'] });
  });

  afterAll(async () => {
    await serve?.stop();
    removeDir(dir);
  });

  it('prints each desk with its own database, and answers each on its own routes', async () => {
    for (const name of names) expect(serve.stdout()).toContain(`Desk ${name}: sim `);
    const states = await Promise.all(names.map((name) => serve.get<DeskState>(`/api/desks/${name}/state`)));
    expect(states.map((s) => s.symbol)).toEqual(['SIM0-USD', 'SIM1-USD', 'SIM2-USD', 'SIM3-USD', 'SIM4-USD']);
    expect(states.map((s) => s.params.strategy.size.baseLots)).toEqual([10, 11, 12, 13, 14]);
    // The unprefixed API is the first desk.
    expect((await serve.get<DeskState>('/api/state')).symbol).toBe('SIM0-USD');
    // Each desk's session lives in its own database.
    for (const name of names) {
      const db = new Database(join(dir, `desk.${name}.db`), { readonly: true });
      const sessions = db.prepare('SELECT symbol FROM sessions').all() as Array<{ symbol: string }>;
      db.close();
      expect(sessions.map((s) => s.symbol)).toEqual([states[names.indexOf(name)]?.symbol]);
    }
    const unknown = await fetch(`${serve.baseUrl}/api/desks/nope/state`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: `no desk named "nope" (desks: ${names.join(', ')})`, field: 'desk' });
  });

  it('streams each desk on its own stream, and lists them all in the overview with their own figures', async () => {
    const reader = await openReader(serve.baseUrl, { path: '/api/desks/sim-gamma/stream', record: true });
    const snapshot = await reader.waitFor((m) => m.type === 'snapshot', 'sim-gamma snapshot');
    expect(stateOf(snapshot)?.symbol).toBe('SIM2-USD');
    reader.close();
    const overview = await serve.get<DeskSummaryView[]>('/api/desks');
    expect(overview.map((d) => d.name)).toEqual(names);
    for (const row of overview) {
      const state = await serve.get<DeskState>(`/api/desks/${row.name}/state`);
      expect(row).toMatchObject({ venue: 'sim', symbol: state.symbol, baseAsset: state.symbol.replace('-USD', ''), quoteCurrency: 'USD', execution: 'paper', status: 'running', tradingState: 'active' });
      expect(row.inventoryLimit).toBe(state.params.risk.maxInventoryLots);
    }
  });

  it('keeps a command to one desk to that desk', async () => {
    const paused = await serve.send('POST', '/api/desks/sim-beta/control/pause', {});
    expect(paused).toEqual({ status: 200, body: { ok: true, tradingState: 'paused' } });
    const states = await Promise.all(names.map((name) => serve.get<DeskState>(`/api/desks/${name}/state`)));
    expect(states.map((s) => s.tradingState)).toEqual(['active', 'paused', 'active', 'active', 'active']);
    expect((await serve.send('POST', '/api/desks/sim-beta/control/resume', {})).status).toBe(200);
  });

  it('halts every desk with the kill-all and reports each one; the overview stream shows them halted', async () => {
    const overview = await openReader(serve.baseUrl, { path: '/api/desks/stream', record: true });
    const killed = await serve.send('POST', '/api/desks/kill', { why: 'test kill-all' });
    expect(killed).toEqual({ status: 200, body: { ok: true, desks: names.map((name) => ({ name, ok: true, tradingState: 'halted', error: null })) } });
    // Once a desk has answered, the fleet's view of it says so (no desk waits for its publish pace to tell).
    expect((await serve.get<DeskSummaryView[]>('/api/desks')).map((d) => [d.name, d.tradingState])).toEqual(names.map((name) => [name, 'halted']));
    const allHalted = await overview.waitFor(
      (m) => (m as unknown as { type: string; desks?: DeskSummaryView[] }).type === 'overview' && ((m as unknown as { desks: DeskSummaryView[] }).desks.every((d) => d.tradingState === 'halted')),
      'the overview to show every desk halted',
    );
    expect((allHalted as unknown as { desks: DeskSummaryView[] }).desks.every((d) => d.alerts.includes('halted'))).toBe(true);
    overview.close();
    // Audited per desk, as that desk's own kill.
    for (const name of names) {
      const db = new Database(join(dir, `desk.${name}.db`), { readonly: true });
      const kills = db.prepare("SELECT who, detail_json FROM audit WHERE action = 'kill'").all() as Array<{ who: string; detail_json: string }>;
      db.close();
      expect(kills.map((k) => [k.who, JSON.parse(k.detail_json).why])).toEqual([['operator:http:kill-all', 'test kill-all']]);
    }
    const unauthorised = await serve.send('POST', '/api/desks/kill', {}, { auth: false });
    expect(unauthorised.status).toBe(401);
  });
});

describe('firm-wide limits', () => {
  let serve: ServeHandle;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quotedesk-firm-'));
    const desksFile = join(dir, 'desks.json');
    // Two desks quote in USD and trade SIM; the third's base asset is its own. A net exposure of more than
    // 1 SIM across the first two is breached as soon as either holds a position.
    const quick = { strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 20 } }, risk: { fillBurstCount: 100_000 } };
    writeFileSync(
      desksFile,
      JSON.stringify({
        desks: [
          { name: 'a', venue: 'sim', symbol: 'SIM-USD', params: quick },
          { name: 'b', venue: 'sim', symbol: 'SIM-USD', params: quick },
          { name: 'c', venue: 'sim', symbol: 'OTHER-USD', params: quick },
        ],
        firmLimits: { maxNetExposure: { SIM: 1 } },
      }),
    );
    serve = await startServe({ dir, args: ['--desks', desksFile, '--seed', '8', '--sim-flow', '20'] });
  });

  afterAll(async () => {
    await serve?.stop();
    removeDir(dir);
  });

  it('halts every desk a breached limit covers, and no other', async () => {
    const overview = await openReader(serve.baseUrl, { path: '/api/desks/stream', record: true });
    const breached = await overview.waitFor(
      (m) => {
        const desks = (m as unknown as { desks?: DeskSummaryView[] }).desks;
        return desks !== undefined && desks.filter((d) => d.name !== 'c').every((d) => d.tradingState === 'halted');
      },
      'desks a and b halted by the firm limit',
    );
    const rows = (breached as unknown as { desks: DeskSummaryView[] }).desks;
    expect(rows.find((d) => d.name === 'c')?.tradingState).toBe('active');
    overview.close();
    const db = new Database(join(dir, 'desk.a.db'), { readonly: true });
    const kill = db.prepare("SELECT who, detail_json FROM audit WHERE action = 'kill'").get() as { who: string; detail_json: string };
    db.close();
    expect(kill.who).toBe('risk:firm');
    expect(JSON.parse(kill.detail_json).why).toMatch(/^firm limit: net exposure -?\d+ SIM beyond ±1$/);
    expect(serve.stderr()).toMatch(/firm limit breached: net exposure .* SIM beyond ±1: halting a, b/);
  });
});

describe('bad desk definitions', () => {
  it('refuses each with one line and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-baddesks-'));
    try {
      const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--db', join(dir, 'x.db'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      const cases: Array<[string[], RegExp]> = [
        [['--desk', 'nowhere:BTC'], /^quotedesk: --desk nowhere:BTC: the venue "nowhere" is not one of the venues/],
        [['--desk', 'binance-spot'], /^quotedesk: --desk binance-spot: a symbol is needed for the live venue binance-spot$/],
        [['--desk', 'sim', '--desks', 'x.json'], /^quotedesk: --desk and --desks are two ways to name the desks: give one of them$/],
        [['--desk', 'sim', '--venue', 'sim'], /^quotedesk: --venue names the one desk of a single-desk serve/],
      ];
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ desks: [{ name: 'Bad Name', venue: 'sim' }] }));
      cases.push([['--desks', bad], /^quotedesk: --desks .*bad\.json: desks\.0\.name: a desk name is 1 to 64 letters, digits, "-" or "_"$/]);
      const twice = join(dir, 'twice.json');
      writeFileSync(twice, JSON.stringify({ desks: [{ name: 'x', venue: 'sim' }, { name: 'x', venue: 'sim' }] }));
      cases.push([['--desks', twice], /^quotedesk: --desks .*twice\.json: desks\.1\.name: "x" is given to two desks$/]);
      const limits = join(dir, 'limits.json');
      writeFileSync(limits, JSON.stringify({ desks: [{ venue: 'sim' }], firmLimits: { maxLoss: { USD: -5 } } }));
      cases.push([['--desks', limits], /^quotedesk: --desks .*limits\.json: firmLimits\.maxLoss\.USD: /]);
      for (const [args, message] of cases) {
        const result = run(...args);
        expect(result.status, args.join(' ')).toBe(2);
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(result.stderr.trim(), args.join(' ')).toMatch(message);
      }
    } finally {
      removeDir(dir);
    }
  });
});
