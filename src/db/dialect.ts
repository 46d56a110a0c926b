import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/** Every difference between the two databases that the rest of the code needs lives in this file. */
export type DialectName = 'sqlite' | 'postgres';

export type Db = Kysely<Database>;

/** Which database a connection or transaction talks to. */
export function dialectOf(db: Db): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** How many bound parameters one statement may carry (SQLite 32766, PostgreSQL 65535), with room to spare. */
export function maxParams(db: Db): number {
  return dialectOf(db) === 'postgres' ? 60_000 : 30_000;
}

/** An auto-incremented integer primary key column type. */
export function idColumnType(dialect: DialectName): 'integer' | 'serial' {
  return dialect === 'postgres' ? 'serial' : 'integer';
}

/** `a IS DISTINCT FROM b` (NULL-safe inequality). */
export function distinct(db: Db, a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<boolean> {
  return dialectOf(db) === 'postgres'
    ? sql<boolean>`(${a} IS DISTINCT FROM ${b})`
    : sql<boolean>`(${a} IS NOT ${b})`;
}

/**
 * Refreshes the planner's statistics of the staging tables after a bulk load. PostgreSQL has none for
 * freshly inserted rows until autovacuum gets to them, and without them it nests loops over the whole run
 * (seen: 20 s instead of 20 ms for one plan statement on 5,000 rows). SQLite plans well without.
 */
export async function analyzeStaging(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    // The tables the plan joins with are analyzed too: a previous large import may have doubled them since
    // autovacuum last looked, and stale counts turn the per-batch joins into sequential scans.
    await sql`ANALYZE import_rows, import_row_labels, import_row_values, contacts, customers, customer_contacts, users`.execute(
      db,
    );
  }
}

/** Code-point order on both databases: SQLite's default BINARY collation is, PostgreSQL's "C" is. */
export function codePointOrder(db: Db, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres' ? sql`${expr} COLLATE "C"` : expr;
}

/**
 * `expr` case-folded in SQL, for searching columns that have no `*_ci` twin (people's names). SQLite's
 * lower() folds ASCII only, so SQLite calls foldCase itself (`fold_case`, registered by openDatabase);
 * PostgreSQL's lower() folds as the database's locale does (all of Unicode under a UTF-8 locale, ASCII
 * under "C").
 */
export function foldedSql(db: Db, expr: RawBuilder<unknown>): RawBuilder<string> {
  return dialectOf(db) === 'postgres' ? sql<string>`lower(${expr})` : sql<string>`fold_case(${expr})`;
}
