import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export type Db = Kysely<Database>;

/** Where `roster serve` runs imports: a worker thread of its own, or pg-boss jobs that any process takes. */
export type JobQueueName = 'worker-thread' | 'pg-boss';

/** The workspace lock as one run holds it. */
export interface WorkspaceLockKey {
  workspaceId: number;
  runId: number;
}

/**
 * Everything that differs between the two databases, one object per database (as kysely's
 * `DialectAdapter`): `sqlite-dialect.ts`, `postgres-dialect.ts`. It is picked once, when the database is
 * opened (`connection.ts`); the rest of the code asks `dialectOf(db)` for it, never which database it is.
 */
export interface Dialect {
  readonly name: DialectName;
  /** How many bound parameters one statement may carry, with room to spare. */
  readonly maxParams: number;
  /** Null-safe equality in SQL text: `IS` (SQLite), `IS NOT DISTINCT FROM` (PostgreSQL). */
  readonly nullSafeEqual: 'IS' | 'IS NOT DISTINCT FROM';
  /** Which job queue the server runs imports with. */
  readonly jobQueue: JobQueueName;
  /**
   * Where uploads wait for their run: files in the data folder (one machine), or the database, so a worker
   * on any machine reads what any API process received.
   */
  readonly uploads: 'folder' | 'database';
  /** Runs `fn` in one write transaction (see `inTransaction`). */
  writeTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * Holds the workspace's import lock while `fn` runs: `acquire` calls `tryLock` until it returns true (or
   * throws when it waited too long); the lock is released when `fn` settles.
   */
  holdWorkspaceLock<T>(
    db: Db,
    key: WorkspaceLockKey,
    acquire: (tryLock: () => Promise<boolean>) => Promise<void>,
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Tunes a transaction whose statements each touch one batch of an import's rows. */
  tuneBatchTransaction(trx: Db): Promise<void>;
  /**
   * Runs `fn`, statements that join one batch of staged rows to whole tables through unique keys, with the
   * tables probed by key: no hash or merge join that reads a whole table for each batch (inside a transaction).
   */
  joiningByKey<T>(trx: Db, fn: () => Promise<T>): Promise<T>;
  /** Refreshes the planner's statistics after staging a run, where the planner needs them. */
  analyzeStaging(db: Db): Promise<void>;
  /** `expr` ordered by code point, as SQLite's BINARY collation and PostgreSQL's "C" order. */
  codePointOrder(expr: RawBuilder<unknown>): RawBuilder<unknown>;
  /** `expr` case-folded in SQL as `foldCase` folds, for columns that have no `*_ci` twin (people's names). */
  foldedSql(expr: RawBuilder<unknown>): RawBuilder<string>;
  /** True for a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * A subquery of rows read from `json`, an array of objects: one column per name in `columns`, each of the
   * type of `table`'s column of that name. One parameter carries a whole set of keys or values (undo).
   */
  jsonRows(table: string, columns: readonly string[], json: string): RawBuilder<unknown>;
  /**
   * The JSON text of a scalar `expr` as `JSON.stringify` writes it: a quoted string, a number, or `null`.
   * For outcomes computed in SQL (the link kinds), so that they read like those written from JavaScript.
   */
  jsonText(expr: RawBuilder<unknown>): RawBuilder<string>;
}

// Keyed by the Kysely adapter: the one object kysely carries unchanged into transactions, `connection()`
// and `withPlugin`, so every `Db` derived from an opened one finds its dialect.
const dialects = new WeakMap<object, Dialect>();

/** Ties a freshly opened `db` to its dialect (connection.ts, once per database opened). */
export function attachDialect(db: Db, dialect: Dialect): void {
  dialects.set(db.getExecutor().adapter, dialect);
}

/** The dialect of a connection or transaction opened by `openDatabase`. */
export function dialectOf(db: Db): Dialect {
  const dialect = dialects.get(db.getExecutor().adapter);
  if (!dialect) throw new Error('This database was not opened with openDatabase (no dialect attached).');
  return dialect;
}

/** An auto-incremented integer primary key column type (the migrations take the dialect's name). */
export function idColumnType(dialect: DialectName): 'integer' | 'serial' {
  return dialect === 'postgres' ? 'serial' : 'integer';
}
