import type { Config } from '../config.js';
import { attachDialect, type DialectName, type Db } from './dialect.js';
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
 * dialect, and migrates it. The one place that chooses the database.
 */
export async function openDatabase(config: Config): Promise<Connection> {
  const [db, dialect] = config.databaseUrl
    ? [openPostgres(config.databaseUrl), postgresDialect]
    : [openSqlite(config), sqliteDialect];
  attachDialect(db, dialect);
  await migrateToLatest(db, dialect.name);
  return { db, dialect: dialect.name, close: () => db.destroy() };
}
