import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql, type RawBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import { neutralise } from '../imports/stages/errors-csv.js';

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

/** Code-point order on both databases: SQLite's default BINARY collation is, PostgreSQL's "C" is. */
function ordered(db: Db, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres' ? sql`${expr} COLLATE "C"` : expr;
}

/** `(a, b) > (x, y)` written out, for keyset paging on both databases. */
function afterKey(db: Db, exprs: RawBuilder<unknown>[], key: string[] | undefined): RawBuilder<unknown> {
  if (!key) return sql`TRUE`;
  const [a, b] = exprs.map((e) => ordered(db, e)) as [RawBuilder<unknown>, RawBuilder<unknown>];
  return sql`(${a} > ${key[0]} OR (${a} = ${key[0]} AND ${b} > ${key[1]}))`;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

const QUERIES: Record<ExportKind, ExportQuery> = {
  customers: {
    columns: ['ref', 'name', 'erp_id'],
    async page(db, ws, after) {
      const where = after ? sql`AND ${ordered(db, sql`ref`)} > ${after[0]}` : sql``;
      const { rows } = await sql<{
        ref: string;
        name: string;
        erp_id: string | null;
      }>`SELECT ref, name, erp_id
        FROM customers WHERE workspace_id = ${ws} ${where} ORDER BY ${ordered(db, sql`ref`)} LIMIT ${PAGE}`.execute(
        db,
      );
      return rows.map((r) => ({ key: [r.ref], cells: [r.ref, r.name, str(r.erp_id)] }));
    },
  },
  contacts: {
    columns: ['email', 'first_name', 'last_name', 'company_id'],
    async page(db, ws, after) {
      const keys = [sql`p.email`, sql`coalesce(c.ref, '')`];
      const { rows } = await sql<{
        email: string;
        first_name: string | null;
        last_name: string | null;
        ref: string;
      }>`
        SELECT p.email, p.first_name, p.last_name, coalesce(c.ref, '') AS ref
        FROM contacts p LEFT JOIN customer_contacts l ON l.contact_id = p.id LEFT JOIN customers c ON c.id = l.customer_id
        WHERE p.workspace_id = ${ws} AND ${afterKey(db, keys, after)}
        ORDER BY ${ordered(db, keys[0]!)}, ${ordered(db, keys[1]!)} LIMIT ${PAGE}`.execute(db);
      return rows.map((r) => ({
        key: [r.email, r.ref],
        cells: [r.email, str(r.first_name), str(r.last_name), r.ref],
      }));
    },
  },
  persons: {
    columns: ['customer_ref', 'email_address', 'position_name', 'primary'],
    async page(db, ws, after) {
      const keys = [sql`c.ref`, sql`p.email`];
      const { rows } = await sql<{ ref: string; email: string; position: string | null; is_primary: number }>`
        SELECT c.ref, p.email, pos.name AS position, l.is_primary
        FROM customer_contacts l JOIN customers c ON c.id = l.customer_id JOIN contacts p ON p.id = l.contact_id
        LEFT JOIN positions pos ON pos.id = l.position_id
        WHERE l.workspace_id = ${ws} AND ${afterKey(db, keys, after)}
        ORDER BY ${ordered(db, keys[0]!)}, ${ordered(db, keys[1]!)} LIMIT ${PAGE}`.execute(db);
      return rows.map((r) => ({
        key: [r.ref, r.email],
        cells: [r.ref, r.email, str(r.position), r.is_primary === 1 ? 'true' : 'false'],
      }));
    },
  },
};

/**
 * Writes a workspace's customers, contacts (one row per customer link) or persons as CSV in the columns
 * of the matching import, sorted by key, so the output can be imported again as it is. Pages by key.
 */
export async function exportCsv(db: Db, workspaceId: number, kind: ExportKind, out: Writable): Promise<void> {
  const query = QUERIES[kind];
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
