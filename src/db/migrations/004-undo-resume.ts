import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** What undo and resume need beyond the core tables. */
export function undoResumeMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('import_runs')
        .addColumn('file_path', 'text') // where resume reads the file again
        .execute();
      await db.schema.alterTable('import_runs').addColumn('host', 'text').execute();
      await db.schema.alterTable('import_runs').addColumn('undone_at', 'text').execute();
      await db.schema.alterTable('import_runs').addColumn('undo_report', 'text').execute();
      // Before and after values of every record a row changed, in database terms (never shown in reports).
      await db.schema.alterTable('import_rows').addColumn('undo_data', 'text').execute();
      // One import at a time may write to a workspace (on SQLite; PostgreSQL uses advisory locks).
      await db.schema
        .createTable('workspace_locks')
        .addColumn('workspace_id', 'integer', (c) =>
          c.primaryKey().references('workspaces.id').onDelete('cascade'),
        )
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
