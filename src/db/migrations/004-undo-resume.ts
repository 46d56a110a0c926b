import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** What undo and resume need beyond the core tables. */
export function undoResumeMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(_db: Kysely<any>): Promise<void> {},
  };
}
