import type { Db } from '../../src/db/dialect.js';

/** The tables of records (what imports and edits change), without workspaces, runs and locks. */
export const RECORD_TABLES = [
  'customers',
  'contacts',
  'customer_contacts',
  'positions',
  'labels',
  'contact_labels',
  'custom_fields',
  'contact_field_values',
  'users',
] as const;

const ALL_TABLES = ['workspaces', ...RECORD_TABLES, 'import_runs', 'workspace_locks'] as const;

/**
 * Everything both workspaces hold (or just `tables`), to compare before and after a request that must change
 * nothing.
 */
export async function snapshotData(
  db: Db,
  tables: readonly (typeof ALL_TABLES)[number][] = ALL_TABLES,
): Promise<string> {
  const parts = await Promise.all(
    tables.map(async (table) => {
      const rows = await db.selectFrom(table).selectAll().execute();
      return `${table}: ${rows
        .map((r) => JSON.stringify(r))
        .sort()
        .join('\n')}`;
    }),
  );
  return parts.join('\n\n');
}

/** Link rows that join records of two workspaces: there must be none. */
export async function crossWorkspaceLinks(db: Db): Promise<number> {
  const links = await db
    .selectFrom('customer_contacts as l')
    .innerJoin('customers as c', 'c.id', 'l.customer_id')
    .innerJoin('contacts as p', 'p.id', 'l.contact_id')
    .leftJoin('positions as pos', 'pos.id', 'l.position_id')
    .select('l.id')
    .where((eb) =>
      eb.or([
        eb('c.workspace_id', '!=', eb.ref('l.workspace_id')),
        eb('p.workspace_id', '!=', eb.ref('l.workspace_id')),
        eb('pos.workspace_id', '!=', eb.ref('l.workspace_id')),
      ]),
    )
    .execute();
  const labels = await db
    .selectFrom('contact_labels as cl')
    .innerJoin('contacts as p', 'p.id', 'cl.contact_id')
    .innerJoin('labels as lb', 'lb.id', 'cl.label_id')
    .select('cl.contact_id')
    .where((eb) => eb('p.workspace_id', '!=', eb.ref('lb.workspace_id')))
    .execute();
  const values = await db
    .selectFrom('contact_field_values as v')
    .innerJoin('contacts as p', 'p.id', 'v.contact_id')
    .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
    .select('v.contact_id')
    .where((eb) => eb('p.workspace_id', '!=', eb.ref('f.workspace_id')))
    .execute();
  return links.length + labels.length + values.length;
}
