/**
 * `quotedesk backtest` on bad input (contracts: exit 2, ONE line naming the flag, file or field, nothing
 * half-written). Every case runs the built CLI against a database that already holds one good backtest
 * session, and checks that the sessions table is exactly as before; a fresh database path given with bad
 * input is never created.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithSharedData } from '../../support/shared-data.js';
import { NKN_SPOT, backtestJson, importGoogSlice, readSessions, runCli, type DbSession } from './backtest-support.js';

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-badinput-'));
const dbPath = join(dir, 'desk.db');
let recording = '';
let before: DbSession[] = [];

async function expectRejected(args: readonly string[], mentions: readonly string[]): Promise<void> {
  const fresh = join(dir, `fresh-${Math.random().toString(36).slice(2)}.db`);
  for (const db of [dbPath, fresh]) {
    const result = await runCli(['backtest', '--json', ...args, '--db', db]);
    expect(result.code, `stderr: ${result.stderr}`).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^quotedesk: /);
    for (const text of mentions) expect(lines[0]).toContain(text);
  }
  expect(readSessions(dbPath)).toEqual(before);
  expect(existsSync(fresh)).toBe(false);
}

describeWithSharedData('quotedesk backtest: bad input exits 2 with one line and writes nothing', () => {
  beforeAll(async () => {
    recording = await importGoogSlice(dir);
    const good = await backtestJson(['--recording', recording, '--db', dbPath]);
    before = readSessions(dbPath);
    expect(before.map((s) => s.id)).toEqual([good.sessionId]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing recording names the file', async () => {
    const missing = join(dir, 'no-such-recording.jsonl');
    await expectRejected(['--recording', missing], ['--recording', missing]);
  });

  it('a corrupt line (invalid JSON) names the file and the line', async () => {
    const lines = readFileSync(recording, 'utf8').split('\n');
    lines[499] = '{"recv_ts": 1340285427.7, "kind": "ws", "msg": {broken';
    const corrupt = join(dir, 'corrupt-json.jsonl');
    writeFileSync(corrupt, lines.join('\n'));
    await expectRejected(['--recording', corrupt], [`${corrupt}:500`, 'invalid JSON']);
  });

  it('a line with a wrong field names the field', async () => {
    const lines = readFileSync(recording, 'utf8').split('\n');
    lines[699] = '{"recv_ts": "soon", "kind": "ws", "conn": "LOBSTER.GOOG", "msg": {}}';
    const corrupt = join(dir, 'corrupt-field.jsonl');
    writeFileSync(corrupt, lines.join('\n'));
    await expectRejected(['--recording', corrupt], [`${corrupt}:700`, 'recv_ts']);
  });

  it('a torn last line (a capture cut mid-write) names the line', async () => {
    const text = readFileSync(recording, 'utf8');
    const cut = text.indexOf('\n', 50_000) - 20;
    const torn = join(dir, 'torn.jsonl');
    writeFileSync(torn, text.slice(0, cut));
    const lineNo = text.slice(0, cut).split('\n').length;
    await expectRejected(['--recording', torn], [`${torn}:${lineNo}`]);
  });

  it('a params file with an out-of-range field names the field', async () => {
    const params = join(dir, 'params-range.json');
    writeFileSync(params, JSON.stringify({ strategy: { spread: { baseBps: -3 } } }));
    await expectRejected(['--recording', recording, '--params', params], ['--params', 'strategy.spread.baseBps']);
  });

  it('a params file with an unknown model names the field', async () => {
    const params = join(dir, 'params-model.json');
    writeFileSync(params, JSON.stringify({ strategy: { model: 'martingale' } }));
    await expectRejected(['--recording', recording, '--params', params], ['strategy.model']);
  });

  it('a params file with an unknown key names it', async () => {
    const params = join(dir, 'params-key.json');
    writeFileSync(params, JSON.stringify({ execution: { fillModle: 'touch' } }));
    await expectRejected(['--recording', recording, '--params', params], ['fillModle']);
  });

  // FAILS today (reported to the lead): V8's JSON.parse message quotes the input, newline included, so
  // loadParams (src/main/cli/main.ts) prints TWO lines; it should collapse whitespace in the message.
  it('a params file that is not JSON names the file', async () => {
    const params = join(dir, 'params-text.json');
    writeFileSync(params, 'model = glft\n');
    await expectRejected(['--recording', recording, '--params', params], [params, 'not valid JSON']);
  });

  it('an unknown venue and a bad --sequence-gaps name the flag', async () => {
    await expectRejected(['--recording', recording, '--venue', 'nowhere'], ['nowhere']);
    await expectRejected(['--recording', recording, '--sequence-gaps', 'maybe'], ['--sequence-gaps']);
  });

  // FAILS today (reported to the lead): an explicit --symbol the capture does not carry is accepted. The
  // NKNUSDT capture backtested as BTCUSDT runs 225 events with an empty book and stores a BTCUSDT session;
  // detect.ts lets "an explicit venue or symbol always win" without checking the capture carries it.
  it('a --symbol the capture does not carry is rejected, naming the symbol', async () => {
    await expectRejected(['--recording', NKN_SPOT, '--symbol', 'BTCUSDT'], ['BTCUSDT']);
  });
});
