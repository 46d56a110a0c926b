import { sql, type Kysely } from 'kysely';
import { idColumnType, type DialectName } from '../dialect.js';

/**
 * What a record's history reads. Import rows that changed something are found by the contact's email (the
 * contacts import), the contact (the link kinds) or the customer; the partial indexes hold only created and
 * updated rows, so an import's staging and its unchanged or invalid rows add nothing to them. API edits,
 * which no run records, get a small table of their own.
 */
export function recordHistoryMigration(dialect: DialectName) {
  const id = idColumnType(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      const changed = sql<boolean>`status IN ('created', 'updated')`;
      for (const column of ['email_ci', 'contact_id', 'customer_id']) {
        await db.schema
          .createIndex(`import_rows_${column}_changed_idx`)
          .on('import_rows')
          .columns([column, 'run_id'])
          .where(changed)
          .execute();
      }
      await db.schema
        .createTable('record_edits')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', (c) =>
          c.notNull().references('workspaces.id').onDelete('cascade'),
        )
        .addColumn('record_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'integer', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('changes', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('record_edits_record_idx')
        .on('record_edits')
        .columns(['workspace_id', 'record_type', 'record_id', 'id'])
        .execute();
    },
  };
}
