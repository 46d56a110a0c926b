import type { Kysely } from 'kysely';
import { idColumnType, type DialectName } from '../dialect.js';

/** Every entity of SPEC section 1, and import runs with their rows. */
export function initialMigration(dialect: DialectName) {
  const id = idColumnType(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      const ws = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade'); // eslint-disable-line @typescript-eslint/no-explicit-any

      await db.schema
        .createTable('customers')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('ref_ci', 'text', (c) => c.notNull())
        .addColumn('erp_id', 'text')
        .addColumn('erp_id_ci', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_ci', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('customers_ref_unique', ['workspace_id', 'ref'])
        .addUniqueConstraint('customers_erp_id_unique', ['workspace_id', 'erp_id'])
        .execute();
      for (const col of ['ref_ci', 'erp_id_ci', 'name', 'name_ci']) {
        await db.schema
          .createIndex(`customers_${col}_idx`)
          .on('customers')
          .columns(['workspace_id', col])
          .execute();
      }

      await db.schema
        .createTable('contacts')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_ci', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('contacts_email_unique', ['workspace_id', 'email_ci'])
        .execute();
      await db.schema
        .createIndex('contacts_email_idx')
        .on('contacts')
        .columns(['workspace_id', 'email'])
        .execute();

      await db.schema
        .createTable('positions')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_ci', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('positions_name_unique', ['workspace_id', 'name'])
        .execute();

      await db.schema
        .createTable('customer_contacts')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('customer_id', 'integer', (c) =>
          c.notNull().references('customers.id').onDelete('cascade'),
        )
        .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('position_id', 'integer', (c) => c.references('positions.id').onDelete('set null'))
        .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('customer_contacts_unique', ['customer_id', 'contact_id'])
        .execute();
      await db.schema
        .createIndex('customer_contacts_contact_idx')
        .on('customer_contacts')
        .column('contact_id')
        .execute();

      await db.schema
        .createTable('labels')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('public_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_ci', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('labels_public_id_unique', ['workspace_id', 'public_id'])
        .addUniqueConstraint('labels_name_unique', ['workspace_id', 'name'])
        .execute();

      await db.schema
        .createTable('contact_labels')
        .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('label_id', 'integer', (c) => c.notNull().references('labels.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('contact_labels_pk', ['contact_id', 'label_id'])
        .execute();

      await db.schema
        .createTable('custom_fields')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('variable', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('custom_fields_variable_unique', ['workspace_id', 'variable'])
        .execute();

      await db.schema
        .createTable('contact_field_values')
        .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('field_id', 'integer', (c) =>
          c.notNull().references('custom_fields.id').onDelete('cascade'),
        )
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_field_values_pk', ['contact_id', 'field_id'])
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_ci', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('users_email_unique', ['workspace_id', 'email_ci'])
        .execute();

      await db.schema
        .createTable('import_runs')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('public_id', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('file_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('file_sha256', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('bom', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('header', 'text')
        .addColumn('warnings', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('counts', 'text')
        .addColumn('rejection', 'text')
        .addColumn('error', 'text')
        .addColumn('rows_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pid', 'integer')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema
        .createIndex('import_runs_ws_idx')
        .on('import_runs')
        .columns(['workspace_id', 'started_at'])
        .execute();

      await db.schema
        .createTable('import_rows')
        .addColumn('run_id', 'integer', (c) => c.notNull().references('import_runs.id').onDelete('cascade'))
        .addColumn('row_no', 'integer', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('cells', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('column_name', 'text')
        .addColumn('message', 'text')
        .addColumn('hint', 'text')
        .addColumn('target_key', 'text')
        .addColumn('is_first', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('dup_of_line', 'integer')
        .addColumn('customer_key', 'text')
        .addColumn('customer_key_ci', 'text')
        .addColumn('customer_id', 'integer')
        .addColumn('email', 'text')
        .addColumn('email_ci', 'text')
        .addColumn('contact_id', 'integer')
        .addColumn('position_name', 'text')
        .addColumn('position_ci', 'text')
        .addColumn('position_id', 'integer')
        .addColumn('primary_value', 'integer')
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('name', 'text')
        .addColumn('name_ci', 'text')
        .addColumn('erp_id', 'text')
        .addColumn('erp_id_ci', 'text')
        .addColumn('changes', 'text')
        .addPrimaryKeyConstraint('import_rows_pk', ['run_id', 'row_no'])
        .execute();
      await db.schema
        .createIndex('import_rows_status_idx')
        .on('import_rows')
        .columns(['run_id', 'status'])
        .execute();
      await db.schema
        .createIndex('import_rows_target_idx')
        .on('import_rows')
        .columns(['run_id', 'target_key', 'row_no'])
        .execute();
    },
  };
}
