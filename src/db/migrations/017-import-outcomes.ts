import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * What each applied row did, in a narrow append-only table of its own (`import_outcomes`): its outcome,
 * changes and undo data, and the keys a record's history finds it by. Writing it is one INSERT per batch,
 * where setting the outcome on the wide staged row rewrote that row and its index entries once more.
 * A staged row that has an outcome stays `pending` in `import_rows`. Earlier runs' outcomes move over,
 * and the history's partial indexes move with them.
 */
export function importOutcomesMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('import_outcomes')
        .addColumn('run_id', 'integer', (c) => c.notNull().references('import_runs.id').onDelete('cascade'))
        .addColumn('row_no', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('changes', 'text')
        .addColumn('undo_data', 'text')
        .addColumn('email_ci', 'text')
        .addColumn('contact_id', 'integer')
        .addColumn('customer_id', 'integer')
        .addPrimaryKeyConstraint('import_outcomes_pk', ['run_id', 'row_no'])
        // SQLite: the rows are kept in the key's order, one b-tree instead of a table and its key's index.
        .$call((t) => (dialect === 'sqlite' ? t.modifyEnd(sql`WITHOUT ROWID`) : t))
        .execute();
      await sql`INSERT INTO import_outcomes (run_id, row_no, status, changes, undo_data, email_ci, contact_id, customer_id)
        SELECT run_id, row_no, status, changes, undo_data, email_ci, contact_id, customer_id FROM import_rows
        WHERE status IN ('created', 'updated', 'unchanged')`.execute(db);
      await sql`UPDATE import_rows SET status = 'pending', changes = NULL, undo_data = NULL
        WHERE status IN ('created', 'updated', 'unchanged')`.execute(db);
      const changed = sql<boolean>`status IN ('created', 'updated')`;
      for (const column of ['email_ci', 'contact_id', 'customer_id']) {
        await db.schema.dropIndex(`import_rows_${column}_changed_idx`).execute();
        await db.schema
          .createIndex(`import_outcomes_${column}_changed_idx`)
          .on('import_outcomes')
          .columns([column, 'run_id'])
          .where(changed)
          .execute();
      }
    },
  };
}
