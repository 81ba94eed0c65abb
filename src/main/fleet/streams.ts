/**
 * The JetStream stream every desk's records go to, created by whichever fleet program connects first
 * (desks and the archiver both ensure it; an existing stream is used as it is, never reconfigured).
 *
 * `QD_RECORDS` captures `qd.desk.*.{fills,orders,events,audit}`: file storage, limits retention (the
 * archive in PostgreSQL is the permanent copy; the stream keeps 30 days so an archiver that was down
 * catches up), a two-minute duplicate window (a batch re-sent under the same `Nats-Msg-Id` is stored once),
 * and three replicas on a cluster (one on a single server): with R3 any one node can be stopped and
 * nothing is lost. State, heartbeats and commands are core NATS, not stored: they are live only.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { RECORDS_STREAM, subjects } from '../../shared/fleet.js';

export const RECORDS_MAX_AGE_DAYS = 30;
export const DUPLICATE_WINDOW_MS = 120_000;

/** Three replicas when the server is part of a cluster, else one (a single server cannot hold three). */
export function defaultReplicas(nc: NatsConnection): number {
  return nc.info?.cluster !== undefined && nc.info.cluster !== '' ? 3 : 1;
}

/**
 * What a JetStream cluster answers while it cannot place or serve a stream yet — a request that timed out
 * while its meta leader is being elected, too few peers up for the replicas, the system busy — and that
 * asking again a moment later fixes. Anything else (a wrong account, a stream configured otherwise) is final.
 */
const TRANSIENT = /timeout|no suitable peers|temporarily unavailable|insufficient resources|leader/i;

/** How long a fleet program keeps asking a cluster that answers transiently before it gives up. */
export const CLUSTER_PATIENCE_MS = 30_000;

/**
 * Runs `step` until it succeeds, retrying transient cluster answers (each logged once per attempt) for up
 * to `patienceMs`; then, or on any other error, the error stands.
 */
export async function withClusterPatience<T>(what: string, step: () => Promise<T>, log: (line: string) => void, patienceMs = CLUSTER_PATIENCE_MS): Promise<T> {
  const giveUpAt = Date.now() + patienceMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const message = (error as Error).message;
      if (!TRANSIENT.test(message) || Date.now() >= giveUpAt) throw error;
      log(`${what}: the JetStream cluster is not ready (${message}); asking again`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 250 * attempt)));
    }
  }
}

/** Creates `QD_RECORDS` unless it exists; returns its info (transient cluster answers retried, see above). */
export function ensureRecordsStream(jsm: JetStreamManager, replicas: number, log: (line: string) => void): Promise<StreamInfo> {
  return withClusterPatience('the records stream', () => ensureOnce(jsm, replicas), log);
}

async function ensureOnce(jsm: JetStreamManager, replicas: number): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(RECORDS_STREAM);
  } catch (error) {
    if (!/not found/i.test((error as Error).message)) throw error;
  }
  try {
    return await jsm.streams.add({
      name: RECORDS_STREAM,
      subjects: [...subjects.allRecords],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(RECORDS_MAX_AGE_DAYS * 24 * 3_600_000),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      num_replicas: replicas,
      allow_direct: true,
    });
  } catch (error) {
    // why: several desks start at once; the one that lost the race uses the winner's stream.
    if (/already in use|already exists/i.test((error as Error).message)) return jsm.streams.info(RECORDS_STREAM);
    throw error;
  }
}
