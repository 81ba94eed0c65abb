/**
 * A secret never reaches an output. `quotedesk venue` (the built CLI, as a user runs it) serves spot with
 * an HMAC key given through the environment, USD-M with an Ed25519 public key and Bybit linear with an HMAC
 * key (whose 10004 answer quotes the signed text, key included); a client process drives
 * a real gateway against each through successes, refusals, a wrong secret, an unknown key, an unreachable
 * venue, logs its gateway every way a developer might, and dies of an uncaught error. Every byte each
 * process wrote to stdout and stderr, and every file left in their working folder, is searched for the
 * HMAC secret, the Ed25519 private key and the API keys: none may appear. The search itself is proven by
 * the outputs containing the refusals they should (not an empty capture). Also: `quotedesk venue`'s bad
 * input is one line and exit code 2.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, PROJECT_ROOT } from '../../support/serve-process.js';

interface Proc {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  kill(): void;
}

function run(args: readonly string[], env: Record<string, string>, cwd: string, nodeArgs: readonly string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stdout: () => out, stderr: () => err, exited, kill: () => child.kill('SIGTERM') };
}

async function startVenueProcess(args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ proc: Proc; rest: string; wsApi: string }> {
  const proc = run([CLI, 'venue', '--port', '0', ...args], env, cwd);
  const deadline = Date.now() + 30_000;
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (/listening on http:\/\/\S+/.test(proc.stdout())) {
        clearInterval(check);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(check);
        reject(new Error(`venue did not start: ${proc.stdout()} ${proc.stderr()}`));
      }
    }, 20);
    void proc.exited.then((code) => {
      clearInterval(check);
      reject(new Error(`venue exited ${code}: ${proc.stderr()}`));
    });
  });
  const rest = /REST: (http:\/\/\S+)/.exec(proc.stdout())?.[1] ?? '';
  const wsApi = /(?:WebSocket API|User data streams|Private stream): (ws:\/\/\S+)/.exec(proc.stdout())?.[1] ?? '';
  return { proc, rest, wsApi };
}

const dir = mkdtempSync(join(tmpdir(), 'qd-secret-'));
const work = join(dir, 'work');
const keys = join(dir, 'keys');
const SECRET = `hmac-secret-${randomBytes(12).toString('hex')}`;
const SPOT_KEY = `spot-key-${randomBytes(6).toString('hex')}`;
const USDM_KEY = `usdm-key-${randomBytes(6).toString('hex')}`;
const BYBIT_KEY = `bybit-key-${randomBytes(6).toString('hex')}`;
const ed = generateKeyPairSync('ed25519');
const PRIVATE_PEM = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PRIVATE_BODY = PRIVATE_PEM.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
const PRIVATE_RAW = ed.privateKey.export({ format: 'jwk' }).d ?? '';

beforeAll(() => {
  assertBuilt();
  for (const d of [work, keys]) mkdirSync(d, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function leaks(text: string): string[] {
  const found: string[] = [];
  if (text.includes(SECRET)) found.push('the HMAC secret');
  if (PRIVATE_BODY.some((line) => text.includes(line))) found.push('the Ed25519 private key (PEM)');
  if (PRIVATE_RAW.length > 0 && text.includes(PRIVATE_RAW)) found.push('the Ed25519 private key (raw)');
  if (text.includes(SPOT_KEY)) found.push('the spot API key');
  if (text.includes(USDM_KEY)) found.push('the USD-M API key');
  if (text.includes(BYBIT_KEY)) found.push('the Bybit API key');
  return found;
}

describe('no secret in any output', () => {
  it('quotedesk venue and a gateway client, through successes and failures', async () => {
    const keyFile = join(keys, 'ed25519.pem');
    const publicFile = join(keys, 'ed25519.pub.pem');
    writeFileSync(keyFile, PRIVATE_PEM, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    writeFileSync(publicFile, ed.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const spot = await startVenueProcess(['--speak', 'binance-spot'], { QUOTEDESK_API_KEY: SPOT_KEY, QUOTEDESK_API_SECRET: SECRET }, work);
    const usdm = await startVenueProcess(['--speak', 'binance-usdm', '--api-key', USDM_KEY, '--ed25519-public-key', publicFile], {}, work);
    const bybit = await startVenueProcess(['--speak', 'bybit-linear'], { QUOTEDESK_API_KEY: BYBIT_KEY, QUOTEDESK_API_SECRET: SECRET }, work);
    try {
      // why: the clients run in a folder of their own, where the bare name "tsx" does not resolve
      const tsx = ['--import', import.meta.resolve('tsx')];
      const script = join(PROJECT_ROOT, 'test', 'support', 'gateway-client.ts');
      const spotClient = run([script], { QD_VENUE: 'binance-spot', QD_REST: spot.rest, QD_WS_API: spot.wsApi, QD_API_KEY: SPOT_KEY, QD_API_SECRET: SECRET }, work, tsx);
      const usdmClient = run([script], { QD_VENUE: 'binance-usdm', QD_REST: usdm.rest, QD_WS_API: usdm.wsApi, QD_API_KEY: USDM_KEY, QD_ED25519_KEY_FILE: keyFile }, work, tsx);
      const bybitClient = run([script], { QD_VENUE: 'bybit-linear', QD_REST: bybit.rest, QD_WS_API: bybit.wsApi, QD_API_KEY: BYBIT_KEY, QD_API_SECRET: SECRET }, work, tsx);
      expect(await spotClient.exited).toBe(1);
      expect(await usdmClient.exited).toBe(1);
      expect(await bybitClient.exited).toBe(1);
      for (const venue of [spot, usdm, bybit]) {
        venue.proc.kill();
        expect(await venue.proc.exited).toBe(0);
      }
      const outputs: Record<string, string> = {
        'venue spot stdout': spot.proc.stdout(),
        'venue spot stderr': spot.proc.stderr(),
        'venue usdm stdout': usdm.proc.stdout(),
        'venue usdm stderr': usdm.proc.stderr(),
        'spot client stdout': spotClient.stdout(),
        'spot client stderr': spotClient.stderr(),
        'usdm client stdout': usdmClient.stdout(),
        'usdm client stderr': usdmClient.stderr(),
        'venue bybit stdout': bybit.proc.stdout(),
        'venue bybit stderr': bybit.proc.stderr(),
        'bybit client stdout': bybitClient.stdout(),
        'bybit client stderr': bybitClient.stderr(),
      };
      for (const file of filesUnder(work)) outputs[`file ${file}`] = readFileSync(file, 'latin1');
      // the search finds what it looks for
      expect(leaks(`a ${SECRET} b ${PRIVATE_PEM} c ${USDM_KEY}`)).toEqual(['the HMAC secret', 'the Ed25519 private key (PEM)', 'the USD-M API key']);
      for (const [name, text] of Object.entries(outputs)) expect({ name, leaks: leaks(text) }).toEqual({ name, leaks: [] });
      // the captures are the real thing: they hold the sessions' successes and refusals
      expect(outputs['spot client stderr']).toContain('-2010 NEW_ORDER_REJECTED: Order would immediately match and take.');
      expect(outputs['spot client stderr']).toContain('-1022 INVALID_SIGNATURE');
      expect(outputs['spot client stderr']).toContain('-2015 REJECTED_MBX_KEY');
      expect(outputs['spot client stderr']).toContain('refused before sending by PRICE_FILTER');
      expect(outputs['spot client stdout']).toMatch(/quote: \{"clientOrderId":"x2"/);
      expect(outputs['usdm client stderr']).toContain('-5022 GTX_ORDER_REJECT');
      expect(outputs['usdm client stderr']).toContain('-1022 INVALID_SIGNATURE');
      expect(outputs['usdm client stderr']).toContain('the venue could not be reached (ECONNREFUSED)');
      expect(outputs['usdm client stderr']).toContain('the client ends here, uncaught');
      expect(outputs['bybit client stdout']).toMatch(/quote: \{"clientOrderId":"x2"/);
      expect(outputs['bybit client stderr']).toContain('retCode 10004');
      expect(outputs['bybit client stderr']).toContain('retCode 10003: API key is invalid.');
      expect(outputs['bybit client stderr']).toContain('refused before sending by priceFilter');
      expect(outputs['bybit client stderr']).toContain('the client ends here, uncaught');
      expect(outputs['usdm client stdout']).toMatch(/event: \{"type":"stream","status":"up"/);
    } finally {
      spot.proc.kill();
      usdm.proc.kill();
      bybit.proc.kill();
    }
  });

  it('quotedesk venue: bad input is one line and exit code 2', async () => {
    const edPublic = join(dir, 'bybit-ed25519.pub.pem');
    writeFileSync(edPublic, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--speak', 'kraken', '--port', '0'], {}, /--speak must be binance-spot, binance-usdm, bybit-spot or bybit-linear/],
      [['--speak', 'bybit-linear', '--port', '0', '--api-key', 'k', '--ed25519-public-key', edPublic], {}, /Bybit keys sign with HMAC-SHA256/],
      [['--speak', 'binance-spot', '--port', '0'], { QUOTEDESK_API_KEY: '', QUOTEDESK_API_SECRET: '' }, /missing --api-key/],
      [['--speak', 'binance-spot', '--port', '0', '--api-key', 'k'], { QUOTEDESK_API_SECRET: '' }, /missing --api-secret/],
      [['--speak', 'binance-usdm', '--port', '0', '--api-key', 'k', '--ed25519-public-key', join(dir, 'missing.pem')], {}, /--ed25519-public-key .*cannot read the file \(ENOENT\)/],
      [['--speak', 'binance-spot', '--port', '70000', '--api-key', 'k', '--api-secret', SECRET], {}, /--port must be an integer from 0 to 65535/],
      [['--speak', 'binance-spot'], {}, /missing required flag --port/],
    ];
    for (const [args, env, message] of cases) {
      const proc = run([CLI, 'venue', ...args], { QUOTEDESK_API_KEY: '', QUOTEDESK_API_SECRET: '', ...env }, dir);
      expect(await proc.exited).toBe(2);
      const lines = proc.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(leaks(proc.stderr() + proc.stdout())).toEqual([]);
    }
  });
});
