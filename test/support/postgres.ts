/**
 * A throwaway PostgreSQL 15 cluster for the archive tests and benchmark (Debian's `postgresql`): `initdb`
 * into a temp folder, the server on a free loopback port with its unix socket in the same folder, run as
 * the `postgres` user when the tests run as root (PostgreSQL refuses to run as root). Readiness is the
 * server's own "ready to accept connections" line; stop is a fast shutdown of the postmaster by its pid,
 * then the folder is removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats-cluster.js';

export const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((row) => row.startsWith('postgres:'));
  if (!line) throw new Error('tests run as root but there is no postgres user (apt-get install postgresql)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface PostgresOptions {
  /** Durability settings as shipped (fsync on) unless `fast` (tests that do not measure anything). */
  readonly fast?: boolean;
}

export class Postgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly logText: () => string,
  ) {}

  /** `postgres://postgres@127.0.0.1:PORT/DB` (trust authentication on loopback, throwaway cluster). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  log(): string {
    return this.logText();
  }

  static async start(options: PostgresOptions = {}): Promise<Postgres> {
    if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL is not installed (${PG_BIN}/initdb missing): apt-get install postgresql`);
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-pg-'));
    const data = join(dir, 'data');
    const socket = join(dir, 'socket');
    mkdirSync(socket);
    const owner = postgresUser();
    if (owner !== null) {
      chownSync(dir, owner.uid, owner.gid);
      chownSync(socket, owner.uid, owner.gid);
    }
    chmodSync(dir, 0o700);
    const asPostgres = (command: string, args: string[]): [string, string[]] => (owner === null ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]]);
    const [initCommand, initArgs] = asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
    }
    const port = await freePort();
    const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socket}`, '-c', 'max_connections=50', '-c', 'shared_buffers=64MB'];
    if (options.fast) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const [command, args] = asPostgres(join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), ...settings]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`postgres not ready within 30 s:\n${log}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        log += chunk.toString('utf8');
        if (log.includes('ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.stdout?.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`postgres exited before it was ready:\n${log}`));
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    return new Postgres(dir, port, child, exited, () => log);
  }

  /** Creates a database (as the superuser, over the loopback port). */
  createDatabase(name: string): void {
    const owner = postgresUser();
    const args = ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', name];
    const result = owner === null ? spawnSync(join(PG_BIN, 'createdb'), args, { encoding: 'utf8' }) : spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'createdb'), ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`createdb ${name} failed: ${result.stderr}`);
  }

  async stop(): Promise<void> {
    const pidFile = join(this.dir, 'data', 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
    // why: signal the postmaster itself; runuser may not forward the signal.
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    } else {
      this.child.kill('SIGINT');
    }
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
