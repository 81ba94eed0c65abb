/**
 * The storage package's public surface: `openStore` and the `SqliteStore` it returns, the `StoreError`
 * codes, the migrations (for tests and tools) and the CSV exports. The desk imports from here only.
 */
export { SqliteStore, openStore } from './sqlite-store.js';
export type {
  AuditRecord,
  CommitInfo,
  FillRecord,
  MarkoutRecord,
  OpenStoreOptions,
  OrderEventRecord,
  OrderRecord,
  RecordingEntry,
  StoreStats,
} from './sqlite-store.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersionOf } from './migrations.js';
export {
  auditCsv,
  csvField,
  csvLines,
  exportAuditCsv,
  exportFillsCsv,
  exportOrdersCsv,
  fillsCsv,
  isoUtcFromUs,
  ordersCsv,
} from './csv-export.js';
export type { CsvKind, ExportQuery, ExportResult } from './csv-export.js';
export type * from './types.js';
