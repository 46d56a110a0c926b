import type { Kysely } from 'kysely';
import { idColumnType, type DialectName } from '../dialect.js';

/**
 * Files from other systems: mappings saved by name (`roster mappings save`), the column chosen last for each
 * header cell per workspace and kind (what the web UI's mapping step preselects), and the mapping and the workbook sheet a run used.
 */
export function columnMappingsMigration(dialect: DialectName) {
  const id = idColumnType(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      const ws = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade'); // eslint-disable-line @typescript-eslint/no-explicit-any
      await db.schema
        .createTable('saved_mappings')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('columns', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('saved_mappings_name_unique', ['workspace_id', 'name'])
        .execute();
      await db.schema
        .createTable('header_choices')
        .addColumn('workspace_id', 'integer', ws)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('header', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('chosen_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('header_choices_pk', ['workspace_id', 'kind', 'header'])
        .execute();
      await db.schema.alterTable('import_runs').addColumn('mapping', 'text').execute();
      await db.schema.alterTable('import_runs').addColumn('sheet', 'text').execute();
    },
  };
}
