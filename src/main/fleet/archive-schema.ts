/**
 * The archive's PostgreSQL schema as numbered, append-only migrations recorded in `schema_migrations`
 * (version, name, applied_at), applied at the archiver's start under an advisory lock, each in its own
 * transaction with its row, so two archivers starting at once migrate once and a failed migration leaves
 * the previous version. A database whose newest version is beyond this build's is refused.
 *
 * Keys are the desk and the desk database's sequence of the row (`(desk, seq)`), and for fills also the
 * desk, session and venue fill id: a row delivered twice (a redelivery after a crash, a re-published
 * batch) is inserted once (`ON CONFLICT DO NOTHING`). `archive_rejected` keeps every stream message the
 * archiver refused, with the reason, so a bad message is never silently dropped.
 *
 * PnL by desk and day (`pnlByDeskAndDay`): per desk, session and UTC day of receipt, the change of marked
 * equity — cash (sells − buys at fill prices, less fees) plus inventory marked at the mid prevailing just
 * before the day's last fill (that fill's price when no mid was known) — from the previous day's close of
 * the same session (zero before its first fill); summed over a desk's sessions.
 */
import type { ClientBase } from 'pg';
import type { DailyPnlRow } from '../../shared/fleet.js';
import { FleetInputError } from './nats-connection.js';

export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const ARCHIVE_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'fills, orders, order events, audit and rejected messages of every desk',
    sql: `
      CREATE TABLE archive_fills (
        desk                 text    NOT NULL,
        seq                  bigint  NOT NULL,
        session_id           bigint  NOT NULL,
        venue                text    NOT NULL,
        symbol               text    NOT NULL,
        execution            text    NOT NULL CHECK (execution IN ('paper', 'live')),
        fill_id              text    NOT NULL,
        client_order_id      text    NOT NULL,
        side                 text    NOT NULL CHECK (side IN ('buy', 'sell')),
        price_ticks          bigint  NOT NULL,
        price                numeric NOT NULL,
        size_lots            bigint  NOT NULL CHECK (size_lots > 0),
        size                 numeric NOT NULL,
        tick_size            numeric NOT NULL,
        lot_size             numeric NOT NULL,
        fee                  double precision NOT NULL,
        liquidity            text    NOT NULL CHECK (liquidity IN ('maker', 'taker')),
        mid_at_fill          double precision,
        fair_value_at_fill   double precision,
        inventory_after_lots bigint  NOT NULL,
        local_us             bigint  NOT NULL,
        exch_us              bigint,
        stream_seq           bigint  NOT NULL,
        archived_at          timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (desk, seq),
        UNIQUE (desk, session_id, fill_id)
      );
      CREATE INDEX archive_fills_by_time ON archive_fills (desk, local_us);
      CREATE TABLE archive_orders (
        desk            text    NOT NULL,
        seq             bigint  NOT NULL,
        session_id      bigint  NOT NULL,
        client_order_id text    NOT NULL,
        side            text    NOT NULL,
        price_ticks     bigint  NOT NULL,
        price           numeric NOT NULL,
        size_lots       bigint  NOT NULL,
        size            numeric NOT NULL,
        time_in_force   text    NOT NULL,
        post_only       boolean NOT NULL,
        purpose         text    NOT NULL,
        created_us      bigint  NOT NULL,
        stream_seq      bigint  NOT NULL,
        PRIMARY KEY (desk, seq)
      );
      CREATE TABLE archive_order_events (
        desk            text   NOT NULL,
        seq             bigint NOT NULL,
        session_id      bigint NOT NULL,
        client_order_id text   NOT NULL,
        type            text   NOT NULL,
        local_us        bigint NOT NULL,
        detail          text   NOT NULL,
        stream_seq      bigint NOT NULL,
        PRIMARY KEY (desk, seq)
      );
      CREATE TABLE archive_audit (
        desk       text   NOT NULL,
        seq        bigint NOT NULL,
        session_id bigint,
        local_us   bigint NOT NULL,
        who        text   NOT NULL,
        action     text   NOT NULL,
        detail     text   NOT NULL,
        stream_seq bigint NOT NULL,
        PRIMARY KEY (desk, seq)
      );
      CREATE TABLE archive_rejected (
        stream_seq  bigint PRIMARY KEY,
        subject     text   NOT NULL,
        reason      text   NOT NULL,
        body        text   NOT NULL,
        rejected_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'PnL by desk and day',
    sql: `
      CREATE VIEW archive_pnl_by_desk_day AS
      WITH f AS (
        SELECT desk, session_id, seq, price, size, fee,
               (to_timestamp(local_us / 1e6) AT TIME ZONE 'UTC')::date AS day,
               CASE side WHEN 'sell' THEN price * size ELSE -(price * size) END - fee::numeric AS cash_flow,
               inventory_after_lots * lot_size AS inventory_after,
               coalesce(mid_at_fill::numeric, price) AS mark
          FROM archive_fills
      ), c AS (
        SELECT *, sum(cash_flow) OVER (PARTITION BY desk, session_id ORDER BY seq) AS cash_after,
               row_number() OVER (PARTITION BY desk, session_id, day ORDER BY seq DESC) AS last_of_day
          FROM f
      ), day_end AS (
        SELECT desk, session_id, day, cash_after + inventory_after * mark AS equity
          FROM c WHERE last_of_day = 1
      ), day_pnl AS (
        SELECT desk, session_id, day,
               equity - coalesce(lag(equity) OVER (PARTITION BY desk, session_id ORDER BY day), 0) AS pnl
          FROM day_end
      ), day_stats AS (
        SELECT desk, day, count(*) AS fills, sum(size) AS volume, sum(fee) AS fees
          FROM f GROUP BY desk, day
      )
      SELECT s.desk, s.day, s.fills, s.volume, s.fees, p.pnl
        FROM day_stats s
        JOIN (SELECT desk, day, sum(pnl) AS pnl FROM day_pnl GROUP BY desk, day) p USING (desk, day);
    `,
  },
];

export const ARCHIVE_SCHEMA_VERSION = ARCHIVE_MIGRATIONS.length;

/** An arbitrary constant key for `pg_advisory_lock`: one migrator at a time per database. */
const MIGRATION_LOCK = 7_418_118;

/** Applies the migrations this database lacks; returns the versions applied. */
export async function migrateArchive(client: ClientBase): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const have = new Set(done.rows.map((row) => row.version));
    const newest = Math.max(0, ...have);
    if (newest > ARCHIVE_SCHEMA_VERSION) {
      throw new FleetInputError(`--pg: the archive database is at schema version ${newest}, newer than this build's ${ARCHIVE_SCHEMA_VERSION}: use a newer quotedesk`);
    }
    const applied: number[] = [];
    for (const migration of ARCHIVE_MIGRATIONS) {
      if (have.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`archive migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

/** PnL by desk and UTC day (see the header), oldest day first; optionally one desk. */
export async function pnlByDeskAndDay(client: ClientBase, desk?: string): Promise<DailyPnlRow[]> {
  const result = await client.query<{ desk: string; day: string; fills: string; volume: string; fees: number; pnl: string | null }>(
    `SELECT desk, to_char(day, 'YYYY-MM-DD') AS day, fills, volume::text AS volume, fees, pnl::text AS pnl
       FROM archive_pnl_by_desk_day WHERE $1::text IS NULL OR desk = $1 ORDER BY desk, day`,
    [desk ?? null],
  );
  return result.rows.map((row) => ({
    desk: row.desk,
    day: row.day,
    fills: Number(row.fills),
    volume: Number(row.volume),
    fees: row.fees,
    pnl: row.pnl === null ? null : Number(row.pnl),
  }));
}
