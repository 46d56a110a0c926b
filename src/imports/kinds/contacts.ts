import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { checkEmail } from '../../domain/emails.js';
import { checkFieldValue } from '../../domain/field-values.js';
import { isProblem, type RowProblem } from '../../domain/row-problem.js';
import type { Cells } from '../stages/check-row.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { resolveCustomers } from '../stages/resolve-customers.js';
import { resolveLabels } from '../stages/resolve-labels.js';
import { settleSameTargetRows } from '../stages/same-target.js';
import { outcomeIs } from '../stages/write-outcomes.js';
import type { ExtraColumn, StagedFieldValue, StagedLabel } from '../stages/stage-labels-values.js';
import type { UndoTableFacts } from '../undo-record.js';
import type { ImportOptions } from '../import-options.js';
import {
  applyLabelsAndValues,
  fingerprintLabelsAndValues,
  keepFirstLabelsAndValues,
  markValueConflicts,
  noteLabelsAndValues,
} from './contact-labels-values.js';
import { optional, type ImportKind } from './kind.js';
import { linksUndo } from './person-links.js';
import { applyUpsertBatch, takeCreatedIds, type UpsertSpec } from './upsert.js';

async function plan(db: Db, ctx: RunContext): Promise<void> {
  const replace = ctx.options.labels === 'replace';
  const ws = ctx.workspaceId;
  // Contacts are found by email case-insensitively (an update keeps the stored casing), once for the run,
  // and in the same pass the companies named exactly by a unique key (resolveCustomers then sees the rest).
  const company =
    ctx.options.customerKey === 'name'
      ? sql`customer_id`
      : sql`(SELECT c.id FROM customers c WHERE c.workspace_id = ${ws}
          AND ${sql.ref(`c.${ctx.options.customerKey}`)} = import_rows.customer_key)`;
  // target_key (email_ci) was staged with the row (stagedTarget).
  await sql`UPDATE import_rows SET contact_id = (SELECT p.id FROM contacts p WHERE p.workspace_id = ${ws} AND p.email_ci = import_rows.email_ci),
      customer_id = ${company}
    WHERE ${pendingRows(ctx)}`.execute(db);
  await resolveCustomers(db, ctx, 'company_id');
  await resolveLabels(db, ctx);
  await fingerprintLabelsAndValues(db, ctx);
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
  await keepFirstLabelsAndValues(db, ctx);
}

/** What undo needs to know of the contacts table. */
const contactsUndo: UndoTableFacts = {
  withWorkspace: true,
  timestamped: true,
  dependents: [
    { table: 'customer_contacts', column: 'contact_id' },
    { table: 'contact_labels', column: 'contact_id' },
    { table: 'contact_field_values', column: 'contact_id' },
  ],
};

/** The row links its contact to a customer it is not linked to yet (`l`: the link, joined below). */
const linksContact = sql`r.customer_id IS NOT NULL AND l.id IS NULL`;

/** Contacts are matched by email_ci; a row may also link its contact to a customer and set labels and values. */
const upsert: UpsertSpec = {
  table: 'contacts',
  key: { column: 'email', folded: 'email_ci', staged: 'email', stagedFolded: 'email_ci' },
  fields: [
    { column: 'first_name', blankClears: true },
    { column: 'last_name', blankClears: true },
  ],
  // By id, resolved once in the plan (and taken by the later rows of a contact the run creates).
  current: () => sql`t.id = r.contact_id`,
  updated: () => ({ from: sql`import_rows r`, id: sql`r.contact_id` }),
  undoKey: { email_ci: sql`r.email_ci` },
  // A contact's history reads this kind's rows by email; a customer's, those that linked a contact to it.
  keys: { email_ci: sql`r.email_ci`, customer_id: sql`CASE WHEN ${linksContact} THEN r.customer_id END` },
  joins: () => sql`LEFT JOIN customer_contacts l ON l.customer_id = r.customer_id AND l.contact_id = t.id`,
  touches: ['labels_sig', 'values_sig'],
  extra(_ctx, { json }) {
    // Undo removes the link the row made.
    const linked = linksContact;
    return {
      changes: [
        { key: 'company_id', when: linked, value: sql`'[null,' || ${json(sql`r.customer_key`)} || ']'` },
      ],
      undo: [
        {
          when: linked,
          record: sql`'{"table":"customer_contacts","key":{"customer_id":' || ${json(sql`r.customer_id`)}
            || ',"email_ci":' || ${json(sql`r.email_ci`)} || '},"created":true,"after":{"position_id":null,"is_primary":0}}'`,
        },
      ],
    };
  },
  noteMore: noteLabelsAndValues,
  // The created rows, and the later rows of their contacts, take the new ids: they apply by id like the rest.
  afterCreate: takeCreatedIds('contacts', 'contact_id', { column: 'email_ci', staged: 'email_ci' }),
  async afterApply(db, ctx, from, to, at) {
    await sql`INSERT INTO customer_contacts (workspace_id, customer_id, contact_id, is_primary, created_at, updated_at)
      SELECT CAST(${ctx.workspaceId} AS INTEGER), r.customer_id, r.contact_id, 0, ${at}, ${at}
      FROM import_rows r
      WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to}
        AND ${outcomeIs(ctx, 'r', { from, to }, 'created', 'updated')}
        AND r.customer_id IS NOT NULL
      ON CONFLICT (customer_id, contact_id) DO NOTHING`.execute(db);
    await applyLabelsAndValues(db, ctx, from, to);
  },
};

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
  const given = cells.has('labels') || cells.has('labels_id');
  if (!given) return [];
  const labels = [
    ...splitLabels(cells.get('labels')).map((ref) => ({ ref, byId: false })),
    ...splitLabels(cells.get('labels_id')).map((ref) => ({ ref, byId: true })),
  ].filter((l) => l.ref !== '');
  if (labels.length === 0 && options.labels === 'replace' && options.blank === 'clear') {
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
      .orderBy('variable')
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
      labelsAndValues: { labels: stagedLabels(cells, options), values },
    };
  },
  undoTables: {
    contacts: contactsUndo,
    customer_contacts: linksUndo,
    contact_labels: {},
    contact_field_values: {},
  },
  stagedTarget: 'email_ci',
  plan,
  applyBatch: (db, ctx, from, to) => applyUpsertBatch(upsert, db, ctx, from, to),
};
