import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Undo in pages, each its own transaction: how far the undo of a run has got (`import_undos`: rows below
 * `next_row` are still to undo, and the counts so far) and the conflicts it has listed so far
 * (`import_undo_conflicts`), committed with each page, so an undo that was killed carries on where it was.
 * Both are removed when the run becomes `undone` (its `undo_report` holds the whole report).
 */
export function undoProgressMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      const run = (c: any) => c.notNull().references('import_runs.id').onDelete('cascade'); // eslint-disable-line @typescript-eslint/no-explicit-any
      await db.schema
        .createTable('import_undos')
        .addColumn('run_id', 'integer', (c) => run(c).primaryKey())
        .addColumn('next_row', 'integer', (c) => c.notNull())
        .addColumn('restored', 'integer', (c) => c.notNull())
        .addColumn('removed', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('import_undo_conflicts')
        .addColumn('run_id', 'integer', run)
        .addColumn('row_no', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('table_name', 'text', (c) => c.notNull())
        .addColumn('record_key', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('import_undo_conflicts_pk', ['run_id', 'row_no', 'seq'])
        .execute();
    },
  };
}
