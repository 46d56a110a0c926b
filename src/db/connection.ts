import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { foldCase } from '../domain/text.js';
import type { DialectName, Db } from './dialect.js';
import { migrateToLatest } from './migrate.js';

// COUNT(*) and BIGINT come back from pg as strings; every count Roster reads fits in a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface Connection {
  readonly db: Db;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

/** Opens the configured database (SQLite in `dataDir`, or PostgreSQL at `databaseUrl`) and migrates it. */
export async function openDatabase(config: Config): Promise<Connection> {
  const connection = config.databaseUrl ? openPostgres(config.databaseUrl) : openSqlite(config);
  await migrateToLatest(connection.db, connection.dialect);
  return connection;
}

function openSqlite(config: Config): Connection {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const database = new SQLite(path.join(config.dataDir, 'roster.sqlite'), { timeout: config.busyTimeoutMs });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  // What dialect.foldedSql calls: the same case folding as the `*_ci` columns, which lower() is not.
  database.function('fold_case', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? foldCase(v) : v,
  );
  const db: Db = new Kysely({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function openPostgres(url: string): Connection {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client whose connection the server ends (restart, timeout) emits 'error' on the pool; without a
  // listener that would crash the process. The pool drops the client and opens a new one when needed.
  pool.on('error', (err) => process.emitWarning(`PostgreSQL connection lost: ${err.message}`));
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
