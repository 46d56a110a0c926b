import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './dialect.js';
import { InsertThread } from './insert-thread.js';
import { inTransaction } from './transaction.js';

/*
 * The one bulk path Kysely has no API for: an import's staged rows. A multi-row INSERT of thousands of
 * placeholders is built, sent and prepared anew for every chunk; one cached prepared INSERT run per row
 * (SQLite) or COPY … FROM STDIN (PostgreSQL) costs a fraction of it.
 */

/** The driver handles behind an opened database, keyed like its dialect (by the Kysely adapter). */
const drivers = new WeakMap<object, { sqlite: SQLite.Database } | { pool: pg.Pool }>();

/** Registers the driver handle of a freshly opened `db` (sqlite-dialect.ts, postgres-dialect.ts). */
export function attachDriver(db: Db, driver: { sqlite: SQLite.Database } | { pool: pg.Pool }): void {
  drivers.set(db.getExecutor().adapter, driver);
}

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function prepared(database: SQLite.Database, text: string): SQLite.Statement {
  let cache = statements.get(database);
  if (!cache) statements.set(database, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = database.prepare(text)));
  return statement;
}

/** A CSV field for COPY: unquoted empty is NULL, a quoted string is itself (even ''). */
const copyField = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'string' ? `"${v.replaceAll('"', '""')}"` : String(v);

/**
 * Inserts `rows` (values in the order of `columns`) into `table`, in a transaction of its own: on SQLite one
 * cached prepared INSERT run per row (BEGIN IMMEDIATE), on PostgreSQL one COPY on a pooled connection. A
 * database opened otherwise (the server's event-loop handle) gets multi-row INSERTs of `maxRows` rows.
 */
export async function insertMany(
  db: Db,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  maxRows: number,
): Promise<void> {
  if (rows.length === 0) return;
  const driver = drivers.get(db.getExecutor().adapter);
  const names = columns.join(', ');
  if (driver && 'sqlite' in driver) {
    const insert = prepared(
      driver.sqlite,
      `INSERT INTO ${table} (${names}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    driver.sqlite
      .transaction(() => {
        for (const row of rows) insert.run(row);
      })
      .immediate();
    return;
  }
  if (driver && 'pool' in driver) {
    const client = await driver.pool.connect();
    try {
      const lines = rows.map((row) => `${row.map(copyField).join(',')}\n`);
      await pipeline(
        Readable.from([lines.join('')]),
        client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN (FORMAT csv)`)),
      );
    } finally {
      client.release();
    }
    return;
  }
  await inTransaction(db, async (trx) => {
    for (let i = 0; i < rows.length; i += maxRows) {
      const values = rows.slice(i, i + maxRows).map((row) => sql`(${sql.join(row)})`);
      await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
        VALUES ${sql.join(values)}`.execute(trx);
    }
  });
}

/** Chunks this large go to an insert thread on SQLite; a small file's few rows are not worth a thread. */
const THREAD_ROWS = 2000;

/**
 * Writes chunks of rows into one table while the caller prepares the next chunk: `write` first waits for
 * the chunk before, so one chunk is in flight and memory holds two. PostgreSQL's COPY runs in the server
 * meanwhile; SQLite opened by the CLI or a worker writes large chunks on an insert thread (insert-thread.ts)
 * with a connection of its own. Each chunk is its own transaction, as with insertMany.
 */
export class ChunkWriter {
  private last: Promise<void> = Promise.resolve();
  private thread: InsertThread | undefined;

  constructor(
    private readonly db: Db,
    private readonly table: string,
  ) {}

  /**
   * Waits for the chunk before (throwing its error), then starts writing `rows`; `then` runs once they are
   * written (the chunk's side rows, its progress), before the next chunk starts.
   */
  async write(
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
    maxRows: number,
    then: () => Promise<void> | void,
  ): Promise<void> {
    await this.last;
    const driver = drivers.get(this.db.getExecutor().adapter);
    let written: Promise<void>;
    if (driver && 'sqlite' in driver && (this.thread || rows.length >= THREAD_ROWS)) {
      this.thread ??= new InsertThread(driver.sqlite);
      written = this.thread.insert(this.table, columns, rows);
    } else written = insertMany(this.db, this.table, columns, rows, maxRows);
    this.last = written.then(then);
    // Kept, not unhandled: the next write or `done` throws it.
    this.last.catch(() => {});
  }

  /** Waits for the last chunk (throwing its error) and stops the insert thread. */
  async done(): Promise<void> {
    try {
      await this.last;
    } finally {
      await this.abandon();
    }
  }

  /** After a failure elsewhere: waits for the chunk in flight, ignoring its error, and stops the thread. */
  async abandon(): Promise<void> {
    await this.last.catch(() => {});
    this.last = Promise.resolve();
    await this.thread?.close();
    this.thread = undefined;
  }
}

/**
 * Runs the statement `text` once per row of `rows` (its parameters), in the caller's transaction: on SQLite
 * opened by the CLI or a worker, a cached prepared statement; returns false for any other database, which
 * then does it its own way (one set-based statement).
 */
export function runPerRow(db: Db, text: string, rows: readonly (readonly unknown[])[]): boolean {
  const driver = drivers.get(db.getExecutor().adapter);
  if (!driver || !('sqlite' in driver)) return false;
  const statement = prepared(driver.sqlite, text);
  for (const row of rows) statement.run(row);
  return true;
}
