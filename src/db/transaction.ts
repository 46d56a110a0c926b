import { sql } from 'kysely';
import { AppError, isBusy } from '../errors.js';
import { dialectOf, type Db } from './dialect.js';

/**
 * Runs `fn` in one write transaction. On SQLite it starts with BEGIN IMMEDIATE so a second writer waits
 * (busy timeout) at the start instead of failing half-way; on PostgreSQL it is a plain transaction.
 */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (dialectOf(db) === 'postgres') return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    try {
      await sql`BEGIN IMMEDIATE`.execute(conn);
    } catch (err) {
      if (isBusy(err)) {
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
      await sql`ROLLBACK`.execute(conn);
      throw err;
    }
  });
}
