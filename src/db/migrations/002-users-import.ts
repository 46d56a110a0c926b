import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Staging columns for the users import (hashes only; a password never reaches the database). */
export function usersImportMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(_db: Kysely<any>): Promise<void> {},
  };
}
