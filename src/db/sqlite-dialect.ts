import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Config } from '../config.js';
import { now } from '../domain/text.js';
import { AppError } from '../errors.js';
import type { Db, Dialect, WorkspaceLockKey } from './dialect.js';
import { attachDriver } from './insert-many.js';
import { EventLoopSqliteDialect } from './sqlite-event-loop.js';
import { withFoldCase } from './sqlite-functions.js';
import { processAlive } from './workspace-lock.js';

/** The embedded database: one file in `dataDir`, WAL mode, one writer at a time. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  maxParams: 30_000, // of 32766
  nullSafeEqual: 'IS',
  // better-sqlite3 is synchronous: imports run in a worker thread with its own connection.
  jobQueue: 'worker-thread',
  uploads: 'folder',
  writeTransaction: beginImmediate,
  async holdWorkspaceLock(db, key, acquire, fn) {
    await acquire(() => tryLockRow(db, key));
    try {
      return await fn();
    } finally {
      await db
        .deleteFrom('workspace_locks')
        .where('workspace_id', '=', key.workspaceId)
        .where('run_id', '=', key.runId)
        .execute();
    }
  },
  tuneBatchTransaction: () => Promise.resolve(),
  // SQLite joins by nested loops over indexes.
  joiningByKey: (_trx, fn) => fn(),
  // SQLite plans the staging joins well without statistics.
  analyzeStaging: () => Promise.resolve(),
  // BINARY, SQLite's default collation, is code-point order.
  codePointOrder: (expr) => expr,
  // lower() folds ASCII only; fold_case is foldCase itself (registered by openSqlite).
  foldedSql: (expr) => sql<string>`fold_case(${expr})`,
  isUniqueViolation: (err) => hasCode(err, 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'),
  // SQLite's values carry their own type: json_extract gives text, integer, real or NULL as the JSON holds.
  jsonRows: (_table, columns, json) =>
    sql`(SELECT ${sql.join(columns.map((c) => sql`json_extract(value, ${`$.${c}`}) AS ${sql.ref(c)}`))} FROM json_each(${json}))`,
  jsonText: (expr) => sql<string>`json_quote(${expr})`,
};

/**
 * The page cache of an import's connection, in KiB (better-sqlite3 builds SQLite with 16 MiB). A plan looks
 * up every staged row in the indexes of contacts, customers and links; once those outgrow the cache each
 * lookup reads its pages again from the OS. Measured on 1M positions over 1M contacts: planning 32.8 s with 16 MiB, 22.7 s
 * with 64 MiB. A fixed cap, so memory still does not grow with the file.
 */
export const IMPORT_CACHE_KIB = 65_536;

/** The longest a write of the server's event loop waits for another process's write lock (then 503). */
export const EVENT_LOOP_WRITE_WAIT_MS = 5_000;

/**
 * Opens (and creates) `roster.sqlite` in the data directory. `eventLoop`: the connection of a server, which
 * must never stop its event loop to wait for the write lock (see sqlite-event-loop.ts).
 */
export function openSqlite(config: Config, opts: { eventLoop?: boolean } = {}): Db {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, 'roster.sqlite');
  // On the event loop SQLite never waits for the lock itself: the driver waits, asynchronously.
  const database = new SQLite(file, { timeout: opts.eventLoop ? 0 : config.busyTimeoutMs });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  withFoldCase(database);
  if (!opts.eventLoop) {
    // The connection of an import (CLI or worker thread): see IMPORT_CACHE_KIB.
    database.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    const db: Db = new Kysely({ dialect: new SqliteDialect({ database }) });
    attachDriver(db, { sqlite: database });
    return db;
  }
  const reader = withFoldCase(new SQLite(file, { readonly: true, fileMustExist: true }));
  const waitMs = Math.min(config.busyTimeoutMs, EVENT_LOOP_WRITE_WAIT_MS);
  return new Kysely({ dialect: new EventLoopSqliteDialect({ writer: database, reader, waitMs, file }) });
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && codes.includes(code);
}

/**
 * A write transaction that starts with BEGIN IMMEDIATE, so a second writer waits (busy timeout) at the
 * start instead of failing half-way.
 */
async function beginImmediate<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    try {
      await sql`BEGIN IMMEDIATE`.execute(conn);
    } catch (err) {
      // The busy timeout ran out while another writer held the write lock.
      if (hasCode(err, 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED')) {
        throw new AppError(
          'database_busy',
          'The database is busy with another writer and did not free up in time.',
          'Try again when the other import has finished, or raise ROSTER_BUSY_TIMEOUT_MS.',
        );
      }
      throw err;
    }
    try {
      const result = await fn(conn);
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (err) {
      // After SQLITE_FULL and some I/O errors SQLite has rolled back already; a failing ROLLBACK ("no
      // transaction is active") must not hide the error that matters.
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

/** The workspace lock on SQLite: a row in workspace_locks, taken over when the process holding it is gone. */
async function tryLockRow(db: Db, { workspaceId, runId }: WorkspaceLockKey): Promise<boolean> {
  // A plain read first: while a live holder has the lock, waiting costs no write transaction (which, on the
  // server's event loop, would wait for the import's write lock).
  const current = await db
    .selectFrom('workspace_locks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (current && !canTakeOver(current)) return false;
  return beginImmediate(db, async (trx) => {
    const holder = await trx
      .selectFrom('workspace_locks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    const host = os.hostname();
    if (holder && !canTakeOver(holder)) return false;
    if (holder) await trx.deleteFrom('workspace_locks').where('workspace_id', '=', workspaceId).execute();
    await trx
      .insertInto('workspace_locks')
      .values({ workspace_id: workspaceId, run_id: runId, pid: process.pid, host, acquired_at: now() })
      .execute();
    return true;
  });
}

/** A lock row left by a process of this machine that is gone (a crash, a kill) may be taken over. */
function canTakeOver(holder: { host: string; pid: number }): boolean {
  return holder.host === os.hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
}
