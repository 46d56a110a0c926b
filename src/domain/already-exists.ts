import { dialectOf, type Db } from '../db/dialect.js';
import { AppError } from '../errors.js';

/**
 * For `.catch` on a write: a unique violation (another writer got there first, after the caller's own
 * check) becomes `already_exists` with `message`; any other error passes on.
 */
export function rethrowTaken(db: Db, message: string) {
  return (err: unknown): never => {
    if (dialectOf(db).isUniqueViolation(err)) throw new AppError('already_exists', message);
    throw err;
  };
}
