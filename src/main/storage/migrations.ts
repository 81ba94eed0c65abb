/**
 * The database schema as numbered migrations. Migration N brings a database from `PRAGMA user_version`
 * N-1 to N, inside its own transaction together with the version bump, so a crash mid-migration leaves
 * the previous version intact. Migrations are append-only: a released one is never edited; a change is a
 * new entry at the end. A database whose version is newer than `SCHEMA_VERSION` is refused by the store.
 *
 * v1 is the foundation (sessions and fills); v2 adds the order journal, order events, markouts, the
 * audit trail, PnL snapshots, the recordings index and a session summary column; v3 gives every fill its
 * execution time beside its receipt time (NULL on older fills, which read as executed when received); v4
 * says whether a session traded for real (`execution`), where its orders went (`endpoint`), and the
 * holding at the venue its inventory counts from (`baseline_lots`, live sessions only).
 */
import type Database from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sessions and fills',
    sql: `
      CREATE TABLE sessions (
        id            INTEGER PRIMARY KEY,
        venue         TEXT    NOT NULL,
        symbol        TEXT    NOT NULL,
        mode          TEXT    NOT NULL CHECK (mode IN ('live', 'replay', 'backtest')),
        tick_size     TEXT    NOT NULL,
        lot_size      TEXT    NOT NULL,
        params_json   TEXT    NOT NULL,
        recording     TEXT,
        started_us    INTEGER NOT NULL,
        ended_us      INTEGER,
        realized_pnl  REAL,
        total_pnl     REAL
      );
      CREATE INDEX sessions_by_instrument ON sessions (venue, symbol, id);

      CREATE TABLE fills (
        seq                 INTEGER PRIMARY KEY,
        session_id          INTEGER NOT NULL REFERENCES sessions (id),
        fill_id             TEXT    NOT NULL,
        client_order_id     TEXT    NOT NULL,
        side                TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
        price_ticks         INTEGER NOT NULL,
        price               TEXT    NOT NULL,
        size_lots           INTEGER NOT NULL CHECK (size_lots > 0),
        size                TEXT    NOT NULL,
        fee                 REAL    NOT NULL,
        liquidity           TEXT    NOT NULL CHECK (liquidity IN ('maker', 'taker')),
        mid_at_fill         REAL,
        fair_value_at_fill  REAL,
        inventory_after     INTEGER NOT NULL,
        local_us            INTEGER NOT NULL,
        UNIQUE (session_id, fill_id)
      );
    `,
  },
  {
    version: 2,
    description: 'order journal, order events, markouts, audit, PnL snapshots, recordings, session summary',
    sql: `
      ALTER TABLE sessions ADD COLUMN summary_json TEXT;
      CREATE INDEX sessions_unfinished ON sessions (venue, symbol, id) WHERE ended_us IS NULL;
      CREATE INDEX fills_by_session_time ON fills (session_id, local_us);

      CREATE TABLE orders (
        session_id       INTEGER NOT NULL REFERENCES sessions (id),
        client_order_id  TEXT    NOT NULL,
        side             TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
        price_ticks      INTEGER NOT NULL,
        price            TEXT    NOT NULL,
        size_lots        INTEGER NOT NULL CHECK (size_lots > 0),
        size             TEXT    NOT NULL,
        time_in_force    TEXT    NOT NULL CHECK (time_in_force IN ('gtc', 'ioc')),
        post_only        INTEGER NOT NULL CHECK (post_only IN (0, 1)),
        purpose          TEXT    NOT NULL CHECK (purpose IN ('quote', 'flatten')),
        created_us       INTEGER NOT NULL,
        status           TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
        filled_lots      INTEGER NOT NULL DEFAULT 0,
        updated_us       INTEGER NOT NULL,
        PRIMARY KEY (session_id, client_order_id)
      );
      CREATE INDEX orders_open ON orders (session_id, created_us) WHERE status = 'open';

      CREATE TABLE order_events (
        seq              INTEGER PRIMARY KEY,
        session_id       INTEGER NOT NULL REFERENCES sessions (id),
        client_order_id  TEXT    NOT NULL,
        type             TEXT    NOT NULL CHECK (type IN ('sent', 'ack', 'reject', 'cancel-requested', 'cancelled',
                                                          'expired', 'ioc-remainder', 'filled', 'untracked')),
        local_us         INTEGER NOT NULL,
        detail_json      TEXT    NOT NULL DEFAULT '{}'
      );
      CREATE INDEX order_events_by_order ON order_events (session_id, client_order_id);

      CREATE TABLE markouts (
        session_id   INTEGER NOT NULL,
        fill_id      TEXT    NOT NULL,
        horizon_sec  INTEGER NOT NULL CHECK (horizon_sec > 0),
        markout_bps  REAL    NOT NULL,
        PRIMARY KEY (session_id, fill_id, horizon_sec),
        FOREIGN KEY (session_id, fill_id) REFERENCES fills (session_id, fill_id)
      );

      CREATE TABLE audit (
        seq          INTEGER PRIMARY KEY,
        session_id   INTEGER REFERENCES sessions (id),
        local_us     INTEGER NOT NULL,
        who          TEXT    NOT NULL,
        action       TEXT    NOT NULL,
        detail_json  TEXT    NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_by_session ON audit (session_id, seq);

      CREATE TABLE pnl_snapshots (
        seq             INTEGER PRIMARY KEY,
        session_id      INTEGER NOT NULL REFERENCES sessions (id),
        local_us        INTEGER NOT NULL,
        inventory_lots  INTEGER NOT NULL,
        cash            REAL    NOT NULL,
        realized        REAL    NOT NULL,
        unrealized      REAL    NOT NULL,
        fees            REAL    NOT NULL,
        mid             REAL
      );
      CREATE INDEX pnl_snapshots_by_session ON pnl_snapshots (session_id, seq);

      CREATE TABLE recordings (
        id          INTEGER PRIMARY KEY,
        path        TEXT    NOT NULL UNIQUE,
        venue       TEXT    NOT NULL,
        symbol      TEXT    NOT NULL,
        start_us    INTEGER,
        end_us      INTEGER,
        frames      INTEGER NOT NULL DEFAULT 0,
        bytes       INTEGER NOT NULL DEFAULT 0,
        indexed_us  INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'fills carry their execution time (exch_us) beside their receipt time (local_us)',
    sql: `
      ALTER TABLE fills ADD COLUMN exch_us INTEGER;
    `,
  },
  {
    version: 4,
    description: 'sessions say paper or live, where live orders went, and the venue holding their inventory counts from',
    sql: `
      ALTER TABLE sessions ADD COLUMN execution TEXT NOT NULL DEFAULT 'paper' CHECK (execution IN ('paper', 'live'));
      ALTER TABLE sessions ADD COLUMN endpoint TEXT;
      ALTER TABLE sessions ADD COLUMN baseline_lots INTEGER;
    `,
  },
];

/** The schema version this build writes and understands. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

export function schemaVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration after the database's current version up to `target` (default: the latest),
 * each in its own IMMEDIATE transaction with its version bump. Returns the versions applied.
 * Exposed for tests that build an older database; the store calls it on open.
 */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): number[] {
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version > target) break;
    if (schemaVersionOf(db) >= migration.version) continue;
    const step = db.transaction(() => {
      // why: re-read inside the write lock, so two processes opening the same new file do not both migrate.
      if (schemaVersionOf(db) >= migration.version) return false;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    if (step.immediate()) applied.push(migration.version);
  }
  return applied;
}
