import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { now } from '../../domain/text.js';
import { checkEmail } from '../../domain/emails.js';
import { checkFieldValue } from '../../domain/field-values.js';
import { isProblem, type RowProblem } from '../../domain/row-problem.js';
import type { Cells } from '../stages/check-row.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { resolveCustomers } from '../stages/resolve-customers.js';
import { resolveLabels } from '../stages/resolve-labels.js';
import { settleSameTargetRows } from '../stages/same-target.js';
import type { ExtraColumn, StagedFieldValue, StagedLabel } from '../stages/stage-extras.js';
import { noteChange, outcome, writeOutcomes, type Change } from '../stages/write-outcomes.js';
import { changedColumns, type UndoRecord } from '../undo-record.js';
import type { ImportOptions } from '../import-options.js';
import {
  applyExtras,
  fingerprintExtras,
  keepFirstExtras,
  loadBatchExtras,
  markValueConflicts,
  noteExtraChanges,
} from './contact-extras.js';
import { optional, type ImportKind } from './kind.js';

async function plan(db: Db, ctx: RunContext): Promise<void> {
  const replace = ctx.options.labels === 'replace';
  // Contacts are found by email case-insensitively; an update keeps the stored casing.
  await sql`UPDATE import_rows SET target_key = email_ci WHERE ${pendingRows(ctx)}`.execute(db);
  await resolveCustomers(db, ctx, 'company_id');
  await resolveLabels(db, ctx);
  await fingerprintExtras(db, ctx);
  await markValueConflicts(db, ctx);
  // Added labels add up like company links; replacing, two rows of one contact must agree on the set.
  await settleSameTargetRows(db, ctx, {
    noun: 'contact',
    fields: [
      { column: 'first_name', expr: '$.first_name' },
      { column: 'last_name', expr: '$.last_name' },
      ...(replace ? [{ column: 'labels', expr: '$.labels_sig' }] : []),
    ],
    effect: ['$.first_name', '$.last_name', '$.customer_id', '$.labels_sig', '$.values_sig'],
    setters: [['first_name'], ['last_name'], ...(replace ? [['labels_sig']] : [])],
  });
  // Links add up: only the first row naming a (contact, customer) pair adds it.
  await sql`UPDATE import_rows SET customer_id = NULL
    FROM (SELECT target_key, customer_id, min(row_no) AS first_row FROM import_rows
      WHERE ${pendingRows(ctx)} AND customer_id IS NOT NULL GROUP BY target_key, customer_id HAVING count(*) > 1) f
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending' AND import_rows.target_key = f.target_key
      AND import_rows.customer_id = f.customer_id AND import_rows.row_no > f.first_row`.execute(db);
  await keepFirstExtras(db, ctx);
}

interface ContactRow {
  row_no: number;
  is_first: 0 | 1;
  email: string;
  email_ci: string;
  labels_sig: string | null;
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
  const { rows } = await sql<ContactRow>`SELECT r.row_no, r.is_first, r.email, r.email_ci, r.labels_sig,
      r.first_name, r.last_name, r.customer_id, r.customer_key, c.id AS cur_id, c.first_name AS cur_first_name, c.last_name AS cur_last_name,
      l.id AS link_id
    FROM import_rows r
    LEFT JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = r.email_ci
    LEFT JOIN customer_contacts l ON l.customer_id = r.customer_id AND l.contact_id = c.id
    WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}
    ORDER BY r.row_no`.execute(db);
  const extras = await loadBatchExtras(db, ctx, from, to);
  const outcomes = rows.map((r) => {
    const changes: Record<string, Change> = {};
    const created = r.is_first === 1 && r.cur_id === null;
    if (created) changes.email = [null, r.email];
    if (r.first_name !== null) noteChange(changes, 'first_name', r.cur_first_name, r.first_name || null);
    if (r.last_name !== null) noteChange(changes, 'last_name', r.cur_last_name, r.last_name || null);
    const linked = r.customer_id !== null && r.link_id === null;
    if (linked) changes.company_id = [null, r.customer_key];
    const extraUndo = noteExtraChanges(changes, r, extras, ctx.options.labels === 'replace');
    const key = { email_ci: r.email_ci };
    const after = {
      first_name: r.first_name === null ? undefined : r.first_name || null,
      last_name: r.last_name === null ? undefined : r.last_name || null,
    };
    const contact: UndoRecord | undefined = created
      ? { table: 'contacts', key, created: true, after }
      : mapDefined(
          changedColumns({ first_name: r.cur_first_name, last_name: r.cur_last_name }, after),
          (c) => ({
            table: 'contacts' as const,
            key,
            ...c,
          }),
        );
    const link: UndoRecord | undefined = linked
      ? {
          table: 'customer_contacts',
          key: { customer_id: r.customer_id!, ...key },
          created: true,
          after: { position_id: null, is_primary: 0 },
        }
      : undefined;
    return outcome(r.row_no, created, changes, [contact, link, ...extraUndo]);
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
    // Joined by id, which the batch drives: a join on email_ci let SQLite walk every contact of the workspace.
    await sql`UPDATE contacts SET
      first_name = CASE WHEN a.first_name IS NULL THEN contacts.first_name ELSE NULLIF(a.first_name, '') END,
      last_name = CASE WHEN a.last_name IS NULL THEN contacts.last_name ELSE NULLIF(a.last_name, '') END,
      updated_at = ${at}
    FROM (SELECT c.id, max(r.first_name) AS first_name, max(r.last_name) AS last_name
      FROM import_rows r JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = r.email_ci
      WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND r.status = 'updated'
        AND (r.first_name IS NOT NULL OR r.last_name IS NOT NULL OR r.labels_sig IS NOT NULL OR r.values_sig IS NOT NULL)
      GROUP BY c.id) a
    WHERE contacts.id = a.id`.execute(db);
  }
  await sql`INSERT INTO customer_contacts (workspace_id, customer_id, contact_id, is_primary, created_at, updated_at)
    SELECT CAST(${ws} AS INTEGER), r.customer_id, c.id, 0, ${at}, ${at}
    FROM import_rows r JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = r.email_ci
    WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND r.status IN ('created', 'updated')
      AND r.customer_id IS NOT NULL
    ON CONFLICT (customer_id, contact_id) DO NOTHING`.execute(db);
  await applyExtras(db, ctx, from, to);
}

/** A row's custom field values, checked against each field's type; the first bad one is the row's problem. */
function checkFieldValues(
  cells: Cells,
  fields: readonly ExtraColumn[],
  options: ImportOptions,
): StagedFieldValue[] | RowProblem {
  const values: StagedFieldValue[] = [];
  for (const field of fields) {
    const cell = optional(cells, field.name, options);
    if (cell === null) continue;
    const value = cell === '' ? '' : checkFieldValue(field.type, cell, field.name);
    if (isProblem(value)) return value;
    values.push({ fieldId: field.id, value });
  }
  return values;
}

const splitLabels = (cell: string | undefined) => [...new Set((cell ?? '').split(':').map((l) => l.trim()))];

/** The labels a row names; replacing with --blank clear, blank label cells mean "no labels" (a null ref). */
function stagedLabels(cells: Cells, options: ImportOptions): StagedLabel[] {
  const labels = [
    ...splitLabels(cells.get('labels')).map((ref) => ({ ref, byId: false })),
    ...splitLabels(cells.get('labels_id')).map((ref) => ({ ref, byId: true })),
  ].filter((l) => l.ref !== '');
  const given = cells.has('labels') || cells.has('labels_id');
  if (labels.length === 0 && given && options.labels === 'replace' && options.blank === 'clear') {
    return [{ ref: null, byId: false }];
  }
  return labels;
}

/**
 * `contacts`: creates or updates contacts by email, links them to customers (`company_id`), adds or replaces
 * their labels (`labels` by name, `labels_id` by id) and sets custom fields (a column per field variable).
 */
export const contactsKind: ImportKind = {
  name: 'contacts',
  options: ['customerKey', 'ignoreCase', 'labels', 'blank'],
  summary:
    'Create or update contacts (matched by email), link them to customers, set labels and custom fields.',
  columns: [
    { name: 'email', required: true },
    { name: 'first_name', required: false },
    { name: 'last_name', required: false },
    { name: 'company_id', required: false },
    { name: 'labels', required: false },
    { name: 'labels_id', required: false },
  ],
  keyColumns: ['email', 'company_id'],
  async extraColumns(db, workspaceId) {
    return db
      .selectFrom('custom_fields')
      .select(['variable as name', 'id', 'type'])
      .where('workspace_id', '=', workspaceId)
      .execute();
  },
  checkRow(cells, options, fields = []) {
    const email = checkEmail(cells.get('email') ?? '', 'email');
    if (isProblem(email)) return email;
    const values = checkFieldValues(cells, fields, options);
    if (isProblem(values)) return values;
    return {
      email,
      first_name: optional(cells, 'first_name', options),
      last_name: optional(cells, 'last_name', options),
      customer_key: cells.get('company_id') || null,
      extras: { labels: stagedLabels(cells, options), values },
    };
  },
  plan,
  applyBatch,
};

function mapDefined<T, U>(value: T | undefined, fn: (v: T) => U): U | undefined {
  return value === undefined ? undefined : fn(value);
}
