import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Indexes on the columns that say where a position, label or custom field is used. The API counts those uses
 * in lists and refuses to delete what is still used; without them each count (and SQLite's foreign-key check
 * on delete) reads every link, label or value of the database.
 */
export function entityUseIndexesMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex('customer_contacts_position_idx')
        .on('customer_contacts')
        .column('position_id')
        .execute();
      await db.schema
        .createIndex('contact_labels_label_idx')
        .on('contact_labels')
        .column('label_id')
        .execute();
      await db.schema
        .createIndex('contact_field_values_field_idx')
        .on('contact_field_values')
        .column('field_id')
        .execute();
    },
  };
}
