/**
 * Real nats-server processes for the fleet tests and benchmarks (Debian's `nats-server`): a JetStream
 * cluster of N nodes on free loopback ports, cluster routes on loopback, each node's store in a temp
 * folder, with accounts and users (`desk`, `supervisor`, `archiver` in account QD with JetStream; a
 * system account), so every client must log in. Nodes can be stopped, SIGKILLed and started again on the
 * same ports and store. Readiness is waited on (the node's "Server is ready" line, then a JetStream
 * request that succeeds once the cluster has its meta leader), never slept for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { until } from './until.js';

export const NATS_SERVER = process.env['NATS_SERVER'] ?? '/usr/sbin/nats-server';

export const USERS = {
  desk: { user: 'desk', pass: 'desk-secret-1' },
  supervisor: { user: 'supervisor', pass: 'supervisor-secret-2' },
  archiver: { user: 'archiver', pass: 'archiver-secret-3' },
} as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface NodeSpec {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly config: string;
}

export interface NatsNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  running(): boolean;
  log(): string;
}

export class NatsCluster {
  private readonly processes = new Map<string, { child: ChildProcess; exited: Promise<void>; log: string }>();

  private constructor(
    readonly dir: string,
    private readonly specs: readonly NodeSpec[],
  ) {}

  /** Starts `size` nodes (1 = a single server, no cluster) and waits until JetStream answers. */
  static async start(size = 3): Promise<NatsCluster> {
    if (!existsSync(NATS_SERVER)) throw new Error(`nats-server is not installed (${NATS_SERVER} missing): apt-get install nats-server (.ci/run does)`);
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-nats-'));
    const ports = await Promise.all(Array.from({ length: size }, async () => ({ port: await freePort(), clusterPort: await freePort() })));
    const specs: NodeSpec[] = ports.map(({ port, clusterPort }, i) => {
      const name = `n${i + 1}`;
      mkdirSync(join(dir, name), { recursive: true });
      const routes = ports.filter((_p, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p.clusterPort}`);
      const cluster = size > 1 ? `cluster { name: qd, listen: 127.0.0.1:${clusterPort}, routes: [${routes.join(', ')}] }` : '';
      const config = `
server_name: ${name}
listen: 127.0.0.1:${port}
jetstream { store_dir: "${join(dir, name)}", max_memory_store: 67108864, max_file_store: 4294967296 }
${cluster}
accounts {
  QD: {
    jetstream: enabled
    users: [
      { user: ${USERS.desk.user}, password: ${USERS.desk.pass} }
      { user: ${USERS.supervisor.user}, password: ${USERS.supervisor.pass} }
      { user: ${USERS.archiver.user}, password: ${USERS.archiver.pass} }
    ]
  }
  SYS: { users: [ { user: sys, password: sys-secret } ] }
}
system_account: SYS
`;
      const file = join(dir, `${name}.conf`);
      writeFileSync(file, config);
      return { name, port, clusterPort, config: file };
    });
    const cluster = new NatsCluster(dir, specs);
    try {
      await Promise.all(specs.map((spec) => cluster.startNode(spec.name)));
      await cluster.waitForJetStream();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get nodes(): NatsNode[] {
    return this.specs.map((spec) => ({
      name: spec.name,
      port: spec.port,
      url: `nats://127.0.0.1:${spec.port}`,
      running: () => this.processes.has(spec.name),
      log: () => this.processes.get(spec.name)?.log ?? '',
    }));
  }

  /** Every node's URL, comma-separated, as the `--nats`/`--fleet` flags take them. */
  get urls(): string {
    return this.specs.map((spec) => `nats://127.0.0.1:${spec.port}`).join(',');
  }

  /** Starts a node (again, on its ports and store) and waits for its "ready" line. */
  async startNode(name: string): Promise<void> {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no node ${name}`);
    if (this.processes.has(name)) return;
    const child = spawn(NATS_SERVER, ['-c', spec.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())), log: '' };
    this.processes.set(name, entry);
    void entry.exited.then(() => {
      if (this.processes.get(name) === entry) this.processes.delete(name);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server ${name} not ready within 20 s:\n${entry.log}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        entry.log += chunk.toString('utf8');
        if (entry.log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.stdout?.on('data', onData);
      void entry.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`nats-server ${name} exited before it was ready:\n${entry.log}`));
      });
    });
  }

  /** Stops a node: SIGTERM (clean) or SIGKILL (a crash). Resolves once it has exited. */
  async stopNode(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const entry = this.processes.get(name);
    if (!entry) return;
    entry.child.kill(signal);
    await entry.exited;
  }

  /** A client logged in as `who` to every node. */
  connect(who: keyof typeof USERS, options: { servers?: string[] } = {}): Promise<NatsConnection> {
    return connect({
      servers: options.servers ?? this.specs.map((spec) => `127.0.0.1:${spec.port}`),
      user: USERS[who].user,
      pass: USERS[who].pass,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
  }

  /** Waits until JetStream answers account requests (the cluster has elected its meta leader). */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    const nc = await this.connect('archiver');
    try {
      await until('JetStream to answer (a meta leader elected)', async () => {
        const jsm = await jetstreamManager(nc, { timeout: 1_000 });
        await jsm.getAccountInfo();
        return true;
      }, { timeoutMs, everyMs: 50 });
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.stopNode(name, 'SIGKILL')));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
