/**
 * Starts a `quotedesk` command of the built CLI as a child process (what a user runs: `fleet`, `archive`,
 * ...) and waits for the line that says it is ready, or for its exit (then the promise rejects with its
 * output). Never sleeps: it waits on the process's own output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, PROJECT_ROOT, assertBuilt } from './serve-process.js';

export interface CliHandle {
  readonly child: ChildProcess;
  /** The ready line's match. */
  readonly match: RegExpExecArray;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startCli(args: readonly string[], ready: RegExp, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliHandle> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => reject(new Error(`quotedesk ${args[0] ?? ''} not ready within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)), timeoutMs);
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const found = ready.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`quotedesk ${args[0] ?? ''} exited with code ${code} before it was ready\nstdout: ${out}\nstderr: ${err}`), { code, stderr: err }));
    });
  });
  return {
    child,
    match,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs a `quotedesk` command to its end; its exit code and output. */
export function runCli(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
