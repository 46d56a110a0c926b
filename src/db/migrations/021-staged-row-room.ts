import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * PostgreSQL: `import_rows` pages are filled half, leaving room on each page for the new version of its rows.
 * The plan fills in each staged row's ids (the exact pass, then the ids of the contacts a batch created):
 * with room on the page that update is a heap-only tuple that leaves the row's index entries alone; without
 * it, every update wrote the row elsewhere and three index entries anew. Measured on 100k contacts: the
 * exact pass 0.97 → 0.50 s, the import 6.3 → 5.5 s. The table ends about as large (each update left its old
 * version behind before). New pages only: nothing is rewritten. SQLite updates rows in place.
 */
export function stagedRowRoomMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') await sql`ALTER TABLE import_rows SET (fillfactor = 50)`.execute(db);
    },
  };
}
