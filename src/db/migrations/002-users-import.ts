import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Staging columns for the users import (hashes only; a password never reaches the database). */
export function usersImportMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      // The hash a row sets: argon2id of its password, or an imported hash; cleared once the row is applied.
      await db.schema.alterTable('import_rows').addColumn('password_hash', 'text').execute();
      // A keyed digest of the password (key held in memory only) to tell same and different passwords apart.
      await db.schema.alterTable('import_rows').addColumn('password_digest', 'text').execute();
      await db.schema.alterTable('import_rows').addColumn('active_value', 'integer').execute();
    },
  };
}
