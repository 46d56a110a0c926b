import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Staging of labels and custom field values for the contacts import. */
export function contactExtrasMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(_db: Kysely<any>): Promise<void> {},
  };
}
