import type { Config } from '../config.js';
import { attachDialect, type DialectName, type Db } from './dialect.js';
import { systemFault } from '../system-faults.js';
import { migrateToLatest } from './migrate.js';
import { openPostgres, postgresDialect } from './postgres-dialect.js';
import { openSqlite, sqliteDialect } from './sqlite-dialect.js';

export interface Connection {
  readonly db: Db;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

/**
 * Opens the configured database (SQLite in `dataDir`, or PostgreSQL at `databaseUrl`), ties it to its
 * dialect, and migrates it. The one place that chooses the database. `eventLoop`: for a server, whose
 * event loop must not wait for SQLite's write lock.
 */
export async function openDatabase(config: Config, opts: { eventLoop?: boolean } = {}): Promise<Connection> {
  let db: Db;
  const dialect = config.databaseUrl ? postgresDialect : sqliteDialect;
  try {
    // A running import holds one connection for its workspace lock and borrows one per statement.
    const poolSize = Math.max(4, 2 * config.workerConcurrency + 2);
    db = config.databaseUrl ? openPostgres(config.databaseUrl, config, poolSize) : openSqlite(config, opts);
  } catch (err) {
    throw systemFault(err)?.error ?? err;
  }
  attachDialect(db, dialect);
  try {
    await migrateToLatest(db, dialect.name);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    const at = config.databaseUrl ? hostAndPort(config.databaseUrl) : undefined;
    throw systemFault(err, { postgresAt: at })?.error ?? err;
  }
  return { db, dialect: dialect.name, close: () => db.destroy() };
}

/** `HOST:PORT` of a PostgreSQL URL, as people look for it in an error message. */
function hostAndPort(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return undefined;
  }
}
