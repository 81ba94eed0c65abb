/**
 * Starts a real `quotedesk serve` child process (the built CLI, exactly what a user runs) on a temporary
 * database and a free port, and waits for its "listening" line. Used by the integration tests and the
 * Playwright fixture. Never sleeps: it waits on the process's own output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(PROJECT_ROOT, 'bin', 'quotedesk.js');

export interface ServeHandle {
  readonly baseUrl: string;
  readonly token: string;
  readonly dbPath: string;
  readonly dir: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  get<T = unknown>(path: string): Promise<T>;
  /** POST/PUT with the bearer token (or `auth: false`); resolves with status and parsed body. */
  send(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, options?: { auth?: boolean; raw?: string }): Promise<{ status: number; body: unknown }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServeOptions {
  readonly args?: readonly string[];
  readonly dbPath?: string;
  readonly dir?: string;
  readonly token?: string;
  readonly env?: Record<string, string>;
  /** Flags for node itself, before the CLI (diagnosis: `--trace-gc`, `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
  /** Connect through this address instead of the one printed (a wildcard bind prints 0.0.0.0). */
  readonly baseUrlHost?: string;
}

export function assertBuilt(): void {
  if (!existsSync(join(PROJECT_ROOT, 'out', 'main', 'cli.js'))) {
    throw new Error('the app is not built: run `npm run build` (npm test does it first)');
  }
}

export async function startServe(options: ServeOptions = {}): Promise<ServeHandle> {
  assertBuilt();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'quotedesk-serve-'));
  const dbPath = options.dbPath ?? join(dir, 'desk.db');
  const token = options.token ?? 'test-token-0123456789';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'serve', '--port', '0', '--db', dbPath, '--token', token, ...(options.args ?? [])], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const printedUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its listening line within ${options.timeoutMs ?? 30_000} ms\nstdout: ${out}\nstderr: ${err}`)), options.timeoutMs ?? 30_000);
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /Quotedesk listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with code ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  const baseUrl = options.baseUrlHost === undefined ? printedUrl : printedUrl.replace(/^http:\/\/[^/]+:/, `http://${options.baseUrlHost}:`);
  const handle: ServeHandle = {
    baseUrl,
    token,
    dbPath,
    dir,
    child,
    stdout: () => out,
    stderr: () => err,
    async get<T>(path: string): Promise<T> {
      const response = await fetch(baseUrl + path);
      if (!response.ok) throw new Error(`GET ${path} → ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    },
    async send(method, path, body, sendOptions = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (sendOptions.auth !== false) headers['authorization'] = `Bearer ${token}`;
      const response = await fetch(baseUrl + path, { method, headers, body: sendOptions.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // leave as text
      }
      return { status: response.status, body: parsed };
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return handle;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
