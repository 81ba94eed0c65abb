/**
 * Fixtures for the storage tests: a fresh temp directory per test (real files in os.tmpdir()), session
 * metadata, fills and order requests, file hashes to prove a file was left untouched, and a way to run a
 * step as an unprivileged user (the suite may run as root, which ignores file permissions).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import type { OrderRequest } from '../../../src/main/execution/types.js';
import type { SessionMeta, StoredFill } from '../../../src/main/storage/types.js';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'quotedesk-store-'));
  // why: the unprivileged steps must be able to reach files in here.
  chmodSync(dir, 0o755);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sessionMeta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  return {
    venue: 'sim',
    symbol: 'BTC-USD',
    mode: 'live',
    tickSize: '0.01',
    lotSize: '0.001',
    params: DEFAULT_PARAMS,
    recording: null,
    startedUs: 1_700_000_000_000_000,
    ...overrides,
  };
}

export function makeFill(sessionId: number, n: number, overrides: Partial<StoredFill> = {}): StoredFill {
  const localUs = overrides.localUs ?? 1_700_000_000_000_000 + n * 1_000;
  return {
    sessionId,
    fillId: `F${n}`,
    clientOrderId: `O${n}`,
    side: n % 2 === 0 ? 'buy' : 'sell',
    price: 6_500_000 + n,
    size: 10 + (n % 7),
    fee: -0.0125,
    liquidity: 'maker',
    localUs,
    // Executed 5 ms before its report arrived (the paper venue's default ack latency).
    exchUs: localUs - 5_000,
    midAtFill: 6_500_000.5 + n,
    fairValueAtFill: 6_500_000.25 + n,
    inventoryAfter: n,
    ...overrides,
  };
}

export function makeOrder(clientOrderId: string, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return { clientOrderId, side: 'buy', price: 6_500_000, size: 25, timeInForce: 'gtc', postOnly: true, purpose: 'quote', ...overrides };
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Runs `fn` with the effective uid of `nobody` when running as root, so permissions apply. */
export function asUnprivileged<T>(fn: () => T): T {
  const seteuid = process.seteuid?.bind(process);
  if (seteuid === undefined || process.geteuid?.() !== 0) return fn();
  seteuid(65534);
  try {
    return fn();
  } finally {
    seteuid(0);
  }
}

/** A scheduler the test drives by hand: the store's self-scheduled flushes run only when `run()` is called. */
export function manualScheduler(): { schedule: (fn: () => void) => void; run: () => number } {
  const pending: Array<() => void> = [];
  return {
    schedule: (fn) => {
      pending.push(fn);
    },
    run: () => {
      const due = pending.splice(0);
      for (const fn of due) fn();
      return due.length;
    },
  };
}
