import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { now } from '../../domain/text.js';
import { checkEmail, isProblem } from '../stages/check-row.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { resolveCustomers } from '../stages/resolve-customers.js';
import { settleSameTargetRows } from '../stages/same-target.js';
import { noteChange, outcome, writeOutcomes, type Change } from '../stages/write-outcomes.js';
import { optional, type ImportKind } from './kind.js';

async function plan(db: Db, ctx: RunContext): Promise<void> {
  // Contacts are found by email case-insensitively; an update keeps the stored casing.
  await sql`UPDATE import_rows SET target_key = email_ci WHERE ${pendingRows(ctx)}`.execute(db);
  await resolveCustomers(db, ctx, 'company_id');
  await settleSameTargetRows(db, ctx, {
    noun: 'contact',
    fields: [
      { column: 'first_name', expr: '$.first_name' },
      { column: 'last_name', expr: '$.last_name' },
    ],
    effect: ['$.first_name', '$.last_name', '$.customer_id'],
    setters: [['first_name'], ['last_name']],
  });
  // Links add up: only the first row naming a (contact, customer) pair adds it.
  await sql`UPDATE import_rows SET customer_id = NULL
    FROM (SELECT target_key, customer_id, min(row_no) AS first_row FROM import_rows
      WHERE ${pendingRows(ctx)} AND customer_id IS NOT NULL GROUP BY target_key, customer_id HAVING count(*) > 1) f
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending' AND import_rows.target_key = f.target_key
      AND import_rows.customer_id = f.customer_id AND import_rows.row_no > f.first_row`.execute(db);
}

interface ContactRow {
  row_no: number;
  is_first: 0 | 1;
  email: string;
  first_name: string | null;
  last_name: string | null;
  customer_id: number | null;
  customer_key: string | null;
  cur_id: number | null;
  cur_first_name: string | null;
  cur_last_name: string | null;
  link_id: number | null;
}

async function applyBatch(db: Db, ctx: RunContext, from: number, to: number): Promise<void> {
  const ws = ctx.workspaceId;
  const { rows } = await sql<ContactRow>`SELECT r.row_no, r.is_first, r.email, r.first_name, r.last_name,
      r.customer_id, r.customer_key, c.id AS cur_id, c.first_name AS cur_first_name, c.last_name AS cur_last_name,
      l.id AS link_id
    FROM import_rows r
    LEFT JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = r.email_ci
    LEFT JOIN customer_contacts l ON l.customer_id = r.customer_id AND l.contact_id = c.id
    WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}`.execute(
    db,
  );
  const outcomes = rows.map((r) => {
    const changes: Record<string, Change> = {};
    const created = r.is_first === 1 && r.cur_id === null;
    if (created) changes.email = [null, r.email];
    if (r.first_name !== null) noteChange(changes, 'first_name', r.cur_first_name, r.first_name || null);
    if (r.last_name !== null) noteChange(changes, 'last_name', r.cur_last_name, r.last_name || null);
    if (r.customer_id !== null && r.link_id === null) changes.company_id = [null, r.customer_key];
    return outcome(r.row_no, created, changes);
  });
  await writeOutcomes(db, ctx, outcomes);
  if (ctx.options.dryRun) return;

  const batch = sql`run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}`;
  const at = now();
  if (outcomes.some((o) => o.status === 'created')) {
    await sql`INSERT INTO contacts (workspace_id, email, email_ci, first_name, last_name, created_at, updated_at)
      SELECT CAST(${ws} AS INTEGER), email, email_ci, NULLIF(first_name, ''), NULLIF(last_name, ''), ${at}, ${at}
      FROM import_rows WHERE ${batch} AND status = 'created'`.execute(db);
  }
  if (outcomes.some((o) => o.status === 'updated')) {
    await sql`UPDATE contacts SET
      first_name = CASE WHEN a.first_name IS NULL THEN contacts.first_name ELSE NULLIF(a.first_name, '') END,
      last_name = CASE WHEN a.last_name IS NULL THEN contacts.last_name ELSE NULLIF(a.last_name, '') END,
      updated_at = ${at}
    FROM (SELECT email_ci, max(first_name) AS first_name, max(last_name) AS last_name FROM import_rows
      WHERE ${batch} AND status = 'updated' AND (first_name IS NOT NULL OR last_name IS NOT NULL) GROUP BY email_ci) a
    WHERE contacts.workspace_id = ${ws} AND contacts.email_ci = a.email_ci`.execute(db);
  }
  await sql`INSERT INTO customer_contacts (workspace_id, customer_id, contact_id, is_primary, created_at, updated_at)
    SELECT CAST(${ws} AS INTEGER), r.customer_id, c.id, 0, ${at}, ${at}
    FROM import_rows r JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = r.email_ci
    WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND r.status IN ('created', 'updated')
      AND r.customer_id IS NOT NULL
    ON CONFLICT (customer_id, contact_id) DO NOTHING`.execute(db);
}

/** `contacts`: creates or updates contacts by email and links them to customers (`company_id`). */
export const contactsKind: ImportKind = {
  name: 'contacts',
  summary: 'Create or update contacts (matched by email) and link them to customers with company_id.',
  columns: [
    { name: 'email', required: true },
    { name: 'first_name', required: false },
    { name: 'last_name', required: false },
    { name: 'company_id', required: false },
  ],
  keyColumns: ['email', 'company_id'],
  checkRow(cells, options) {
    const email = checkEmail(cells.get('email') ?? '', 'email');
    if (isProblem(email)) return email;
    return {
      email,
      first_name: optional(cells, 'first_name', options),
      last_name: optional(cells, 'last_name', options),
      customer_key: cells.get('company_id') || null,
    };
  },
  plan,
  applyBatch,
};
