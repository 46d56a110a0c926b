import { dialectOf, type Db } from './dialect.js';

/**
 * Runs `fn` in one write transaction. On SQLite it starts with BEGIN IMMEDIATE so a second writer waits
 * (busy timeout) at the start instead of failing half-way (`database_busy` if it waited in vain); on
 * PostgreSQL it is a plain transaction.
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return dialectOf(db).writeTransaction(db, fn);
}
