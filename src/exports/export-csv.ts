import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql, type RawBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import { byCodePoint } from '../domain/text.js';
import { neutralise } from './formula-cells.js';

const order = (db: Db, expr: RawBuilder<unknown>) => dialectOf(db).codePointOrder(expr);

export const EXPORT_KINDS = ['customers', 'contacts', 'persons'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const PAGE = 2000;

interface ExportQuery {
  columns: string[];
  /** One page of rows after the given sort key (undefined: from the start), in key order. */
  page(
    db: Db,
    workspaceId: number,
    after: string[] | undefined,
  ): Promise<{ key: string[]; cells: string[] }[]>;
}

/** `(a, b) > (x, y)` written out, for keyset paging on both databases. */
function afterKey(db: Db, exprs: RawBuilder<unknown>[], key: string[] | undefined): RawBuilder<unknown> {
  if (!key) return sql`TRUE`;
  const [a, b] = exprs.map((e) => order(db, e)) as [RawBuilder<unknown>, RawBuilder<unknown>];
  return sql`(${a} > ${key[0]} OR (${a} = ${key[0]} AND ${b} > ${key[1]}))`;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

const QUERIES: Record<ExportKind, ExportQuery | ((db: Db, workspaceId: number) => Promise<ExportQuery>)> = {
  customers: {
    columns: ['ref', 'name', 'erp_id'],
    async page(db, ws, after) {
      const where = after ? sql`AND ${order(db, sql`ref`)} > ${after[0]}` : sql``;
      const { rows } = await sql<{
        ref: string;
        name: string;
        erp_id: string | null;
      }>`SELECT ref, name, erp_id
        FROM customers WHERE workspace_id = ${ws} ${where} ORDER BY ${order(db, sql`ref`)} LIMIT ${PAGE}`.execute(
        db,
      );
      return rows.map((r) => ({ key: [r.ref], cells: [r.ref, r.name, str(r.erp_id)] }));
    },
  },
  contacts: contactsQuery,
  persons: {
    columns: ['customer_ref', 'email_address', 'position_name', 'primary'],
    async page(db, ws, after) {
      const keys = [sql`c.ref`, sql`p.email`];
      const { rows } = await sql<{ ref: string; email: string; position: string | null; is_primary: number }>`
        SELECT c.ref, p.email, pos.name AS position, l.is_primary
        FROM customer_contacts l JOIN customers c ON c.id = l.customer_id JOIN contacts p ON p.id = l.contact_id
        LEFT JOIN positions pos ON pos.id = l.position_id
        WHERE l.workspace_id = ${ws} AND ${afterKey(db, keys, after)}
        ORDER BY ${order(db, keys[0]!)}, ${order(db, keys[1]!)} LIMIT ${PAGE}`.execute(db);
      return rows.map((r) => ({
        key: [r.ref, r.email],
        cells: [r.ref, r.email, str(r.position), r.is_primary === 1 ? 'true' : 'false'],
      }));
    },
  },
};

/**
 * Contacts in the columns of their import: one row per customer link (a contact without one: one row, blank
 * company_id), then labels (names joined by ":") and every custom field, by variable in code-point order.
 * Labels and values come with one query each per page.
 */
async function contactsQuery(db: Db, workspaceId: number): Promise<ExportQuery> {
  const fields = (
    await db
      .selectFrom('custom_fields')
      .select(['id', 'variable'])
      .where('workspace_id', '=', workspaceId)
      .execute()
  ).sort((a, b) => byCodePoint(a.variable, b.variable));
  const fieldAt = new Map(fields.map((f, i) => [f.id, i]));
  return {
    columns: ['email', 'first_name', 'last_name', 'company_id', 'labels', ...fields.map((f) => f.variable)],
    async page(db, ws, after) {
      const keys = [sql`p.email`, sql`coalesce(c.ref, '')`];
      const { rows } = await sql<{
        id: number;
        email: string;
        first_name: string | null;
        last_name: string | null;
        ref: string;
      }>`
        SELECT p.id, p.email, p.first_name, p.last_name, coalesce(c.ref, '') AS ref
        FROM contacts p LEFT JOIN customer_contacts l ON l.contact_id = p.id LEFT JOIN customers c ON c.id = l.customer_id
        WHERE p.workspace_id = ${ws} AND ${afterKey(db, keys, after)}
        ORDER BY ${order(db, keys[0]!)}, ${order(db, keys[1]!)} LIMIT ${PAGE}`.execute(db);
      if (rows.length === 0) return [];
      const ids = sql.join([...new Set(rows.map((r) => r.id))]);
      const labels = new Map<number, string[]>();
      const named = await sql<{ contact_id: number; name: string }>`SELECT cl.contact_id, lb.name
        FROM contact_labels cl JOIN labels lb ON lb.id = cl.label_id WHERE cl.contact_id IN (${ids})`.execute(
        db,
      );
      for (const l of named.rows) labels.set(l.contact_id, [...(labels.get(l.contact_id) ?? []), l.name]);
      const values = new Map<number, string[]>();
      const stored = await sql<{ contact_id: number; field_id: number; value: string }>`SELECT contact_id,
          field_id, value FROM contact_field_values WHERE contact_id IN (${ids})`.execute(db);
      for (const v of stored.rows) {
        const cells = values.get(v.contact_id) ?? fields.map(() => '');
        cells[fieldAt.get(v.field_id)!] = v.value;
        values.set(v.contact_id, cells);
      }
      return rows.map((r) => ({
        key: [r.email, r.ref],
        cells: [
          r.email,
          str(r.first_name),
          str(r.last_name),
          r.ref,
          (labels.get(r.id) ?? []).sort(byCodePoint).join(':'),
          ...(values.get(r.id) ?? fields.map(() => '')),
        ],
      }));
    },
  };
}

/**
 * Writes a workspace's customers, contacts (one row per customer link) or persons as CSV in the columns
 * of the matching import, sorted by key, so the output can be imported again as it is. Pages by key.
 */
export async function exportCsv(db: Db, workspaceId: number, kind: ExportKind, out: Writable): Promise<void> {
  const entry = QUERIES[kind];
  const query = typeof entry === 'function' ? await entry(db, workspaceId) : entry;
  const csv = stringify({ header: true, columns: query.columns, record_delimiter: '\n' });
  const done = new Promise<void>((resolve, reject) => {
    csv.on('end', resolve);
    csv.on('error', reject);
  });
  csv.pipe(out, { end: false });
  let after: string[] | undefined;
  for (;;) {
    const rows = await query.page(db, workspaceId, after);
    for (const row of rows) {
      if (!csv.write(row.cells.map(neutralise))) await new Promise((resolve) => csv.once('drain', resolve));
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.key;
  }
  csv.end();
  await done;
}
