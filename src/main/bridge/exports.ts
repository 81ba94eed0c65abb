/**
 * CSV downloads for the monitor and the HTTP API: fills, orders and the audit trail of a session, as the
 * storage layer formats them (RFC 4180, decimal prices, ISO-8601 UTC times). The desk's pending writes
 * are committed first, so an export contains everything the monitor has shown.
 */
import type { Desk } from '../desk/desk.js';
import { auditCsv, fillsCsv, ordersCsv, type SqliteStore } from '../storage/index.js';

export type ExportKind = 'fills' | 'orders' | 'audit';

export function exportCsv(desk: Desk, store: SqliteStore, kind: ExportKind, sessionId: number): string {
  desk.store.flushSync();
  switch (kind) {
    case 'fills':
      return fillsCsv(store, { sessionId });
    case 'orders':
      return ordersCsv(store, { sessionId });
    case 'audit':
      return auditCsv(store, { sessionId });
  }
}
