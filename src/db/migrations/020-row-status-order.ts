import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `import_rows_status_idx` gains `row_no`: a report lists a run's rejected rows of one status in file order
 * (`WHERE run_id AND status ORDER BY row_no LIMIT`). Over (run_id, status) SQLite's planner read them along
 * the primary key instead, to skip the sort: every staged row of the run, for each of the three lists,
 * even when none has that status (~0.09 s a list at 1M rows, each time a report is shown).
 */
export function rowStatusOrderMigration() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`DROP INDEX import_rows_status_idx`.execute(db);
      await sql`CREATE INDEX import_rows_status_idx ON import_rows (run_id, status, row_no)`.execute(db);
    },
  };
}
