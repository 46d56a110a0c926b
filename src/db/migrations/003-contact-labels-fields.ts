import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Staging of labels and custom field values for the contacts import: one side row per label a data row
 * names and per field it sets (they do not fit import_rows' fixed columns), plus two fingerprint columns
 * that let rows of one contact be compared like plain columns (conflicts, duplicates). No foreign key to
 * import_rows: its per-row check would cost more than the insert on PostgreSQL while the staging tables have
 * no statistics yet; a rejected run deletes its side rows with its rows.
 */
export function contactLabelsFieldsMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('import_rows').addColumn('labels_sig', 'text').execute();
      await db.schema.alterTable('import_rows').addColumn('values_sig', 'text').execute();

      await db.schema
        .createTable('import_row_labels')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('row_no', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('label_ref', 'text')
        .addColumn('label_ci', 'text')
        .addColumn('by_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('label_id', 'integer')
        .addColumn('hint', 'text')
        .execute();
      await db.schema
        .createIndex('import_row_labels_row_idx')
        .on('import_row_labels')
        .columns(['run_id', 'row_no'])
        .execute();

      await db.schema
        .createTable('import_row_values')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('row_no', 'integer', (c) => c.notNull())
        .addColumn('field_id', 'integer', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('import_row_values_pk', ['run_id', 'row_no', 'field_id'])
        .execute();
    },
  };
}
