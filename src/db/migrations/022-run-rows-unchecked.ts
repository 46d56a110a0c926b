import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * PostgreSQL: a run's staged rows and outcomes no longer check their `run_id` by foreign key; the run
 * repository deletes them with their run (`deleteRuns`). Every row written checked its run with a
 * `SELECT … FOR KEY SHARE` of the one `import_runs` row: 2.3 µs an outcome and 3.1 µs a staged row on this
 * machine (100,000 of each copied into a table with and without the key), and 1M positions 55.2 → 49.0 s
 * (median of three, alternating). Only the import writes these rows, always for the run it holds the lease
 * of. SQLite keeps its keys: its check is a plain lookup, and dropping a key there rewrites the table.
 */
export function runRowsUncheckedMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_run_id_fkey`.execute(db);
      await sql`ALTER TABLE import_outcomes DROP CONSTRAINT IF EXISTS import_outcomes_run_id_fkey`.execute(
        db,
      );
    },
  };
}
