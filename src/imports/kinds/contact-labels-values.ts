import { sql } from 'kysely';
import type { UndoRecord } from '../undo-record.js';
import type { Db } from '../../db/dialect.js';
import { byCodePoint } from '../../domain/text.js';
import { pendingBatch, pendingRows, type RunContext } from '../run-context.js';
import {
  noteChange,
  outcomeIs,
  rewriteOutcomes,
  type Change,
  type RowOutcome,
} from '../stages/write-outcomes.js';

/*
 * The labels and custom field values of the contacts import, staged beside import_rows in import_row_labels
 * and import_row_values: settled over the whole run (plan), then decided and applied batch by batch.
 */

/**
 * Fingerprints each pending row's label set and field values in `labels_sig` / `values_sig`, so that rows of
 * one contact can be compared like plain columns (conflicts in replace mode, duplicates). A row that
 * replaces the labels with none has the empty fingerprint ''.
 */
export async function fingerprintLabelsAndValues(db: Db, ctx: RunContext): Promise<void> {
  await sql`UPDATE import_rows SET labels_sig = s.sig
    FROM (SELECT row_no, coalesce(string_agg(CAST(label_id AS TEXT), ',' ORDER BY label_id), '') AS sig
      FROM (SELECT DISTINCT row_no, label_id FROM import_row_labels WHERE run_id = ${ctx.runId}) d GROUP BY row_no) s
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending'
      AND import_rows.row_no = s.row_no`.execute(db);
  // The length prefix keeps the fingerprint unambiguous whatever the values contain.
  await sql`UPDATE import_rows SET values_sig = s.sig
    FROM (SELECT row_no, string_agg(CAST(field_id AS TEXT) || ':' || CAST(length(value) AS TEXT) || ':' || value, ','
        ORDER BY field_id) AS sig
      FROM import_row_values WHERE run_id = ${ctx.runId} GROUP BY row_no) s
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending'
      AND import_rows.row_no = s.row_no`.execute(db);
}

/** Rows of one contact that set one custom field to two different values: all of them `conflicting_rows`. */
export async function markValueConflicts(db: Db, ctx: RunContext): Promise<void> {
  await sql`UPDATE import_rows SET status = 'invalid', reason = 'conflicting_rows', column_name = c.variable,
      message = 'Rows for the same contact set ' || c.variable || ' to different values (lines '
        || CAST(c.first_line AS TEXT) || ' to ' || CAST(c.last_line AS TEXT) || ').',
      hint = 'Make these rows agree, or keep only one of them.'
    FROM (SELECT target_key, min(variable) AS variable, min(first_line) AS first_line, max(last_line) AS last_line
      FROM (SELECT r.target_key, f.variable, min(r.line) AS first_line, max(r.line) AS last_line
        FROM import_rows r JOIN import_row_values v ON v.run_id = r.run_id AND v.row_no = r.row_no
        JOIN custom_fields f ON f.id = v.field_id
        WHERE r.run_id = ${ctx.runId} AND r.status = 'pending'
        GROUP BY r.target_key, f.variable HAVING count(DISTINCT v.value) > 1) x
      GROUP BY target_key) c
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending'
      AND import_rows.target_key = c.target_key`.execute(db);
}

/**
 * After conflicts and duplicates, only the first pending row of a contact that adds a label (add mode) or
 * sets a field keeps it; in replace mode only the first row that sets the labels keeps them (its later
 * rows already had `labels_sig` cleared by keepFirstSetters). So each label and value is applied once, and
 * a dry run computes the outcomes of the real run.
 */
export async function keepFirstLabelsAndValues(db: Db, ctx: RunContext): Promise<void> {
  const run = ctx.runId;
  if (ctx.options.labels === 'replace') {
    await sql`DELETE FROM import_row_labels WHERE run_id = ${run} AND row_no IN
      (SELECT row_no FROM import_rows WHERE ${pendingRows(ctx)} AND labels_sig IS NULL)`.execute(db);
  } else {
    await sql`DELETE FROM import_row_labels WHERE run_id = ${run} AND (row_no, label_id) IN (
      SELECT r.row_no, il.label_id FROM import_rows r
      JOIN import_row_labels il ON il.run_id = r.run_id AND il.row_no = r.row_no
      JOIN (SELECT r2.target_key, il2.label_id, min(r2.row_no) AS first_row FROM import_rows r2
          JOIN import_row_labels il2 ON il2.run_id = r2.run_id AND il2.row_no = r2.row_no
        WHERE r2.run_id = ${run} AND r2.status = 'pending' AND il2.label_id IS NOT NULL
        GROUP BY r2.target_key, il2.label_id HAVING count(*) > 1) f
        ON f.target_key = r.target_key AND f.label_id = il.label_id
      WHERE r.run_id = ${run} AND r.status = 'pending' AND r.row_no > f.first_row)`.execute(db);
  }
  await sql`DELETE FROM import_row_values WHERE run_id = ${run} AND (row_no, field_id) IN (
    SELECT r.row_no, v.field_id FROM import_rows r
    JOIN import_row_values v ON v.run_id = r.run_id AND v.row_no = r.row_no
    JOIN (SELECT r2.target_key, v2.field_id, min(r2.row_no) AS first_row FROM import_rows r2
        JOIN import_row_values v2 ON v2.run_id = r2.run_id AND v2.row_no = r2.row_no
      WHERE r2.run_id = ${run} AND r2.status = 'pending' GROUP BY r2.target_key, v2.field_id HAVING count(*) > 1) f
      ON f.target_key = r.target_key AND f.field_id = v.field_id
    WHERE r.run_id = ${run} AND r.status = 'pending' AND r.row_no > f.first_row)`.execute(db);
}

/** The labels and field values of one batch's pending rows, and the labels of their contacts before them. */
export interface BatchLabelsAndValues {
  /** Label names each row adds (or, replacing, sets). */
  rowLabels: Map<number, string[]>;
  /** Each contact's labels (by email_ci) as they stand before the next row of the batch. */
  labelsBefore: Map<string, Set<string>>;
  values: Map<number, { variable: string; field_id: number; value: string; current: string | null }[]>;
  /** Label ids by name, for the undo records. */
  labelIds: Map<string, number>;
}

/**
 * Loads a batch's labels and values with one query each. A contact's labels "before" also count labels added by rows of
 * earlier batches of this run: applied already in a real run, not in a dry run, which so sees the same.
 */
export async function loadBatchLabelsAndValues(
  db: Db,
  ctx: RunContext,
  from: number,
  to: number,
): Promise<BatchLabelsAndValues> {
  const ws = ctx.workspaceId;
  const batch = pendingBatch(ctx, from, to);
  const named = await sql<{ row_no: number; name: string; id: number }>`SELECT il.row_no, lb.name, lb.id
    FROM import_row_labels il JOIN labels lb ON lb.id = il.label_id
    WHERE il.run_id = ${ctx.runId} AND il.row_no BETWEEN ${from} AND ${to}`.execute(db);
  // Driven by the batch's contacts (target_key is email_ci), so each batch reads only their own rows.
  const targets = sql`(SELECT DISTINCT target_key FROM import_rows WHERE ${batch} AND labels_sig IS NOT NULL) t`;
  const before = await sql<{
    email_ci: string;
    name: string;
    id: number;
  }>`SELECT c.email_ci, lb.name, lb.id FROM ${targets}
      JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = t.target_key
      JOIN contact_labels cl ON cl.contact_id = c.id JOIN labels lb ON lb.id = cl.label_id
    UNION SELECT e.email_ci, lb.name, lb.id FROM ${targets}
      JOIN import_rows e ON e.run_id = ${ctx.runId} AND e.target_key = t.target_key AND e.row_no < ${from}
      JOIN import_row_labels il ON il.run_id = e.run_id AND il.row_no = e.row_no
      JOIN labels lb ON lb.id = il.label_id
      WHERE ${outcomeIs(ctx, 'e', { from: 1, to: from - 1 }, 'created', 'updated')}`.execute(db);
  const values = await sql<{
    row_no: number;
    variable: string;
    field_id: number;
    value: string;
    current: string | null;
  }>`
    SELECT v.row_no, f.variable, v.field_id, v.value, cv.value AS current
    FROM import_row_values v JOIN import_rows r ON r.run_id = v.run_id AND r.row_no = v.row_no
    JOIN custom_fields f ON f.id = v.field_id
    LEFT JOIN contacts c ON c.workspace_id = ${ws} AND c.email_ci = r.email_ci
    LEFT JOIN contact_field_values cv ON cv.contact_id = c.id AND cv.field_id = v.field_id
    WHERE v.run_id = ${ctx.runId} AND v.row_no BETWEEN ${from} AND ${to} AND r.status = 'pending'`.execute(
    db,
  );

  const loaded: BatchLabelsAndValues = {
    rowLabels: new Map(),
    labelsBefore: new Map(),
    values: new Map(),
    labelIds: new Map(),
  };
  for (const r of named.rows) push(loaded.rowLabels, r.row_no, r.name);
  for (const r of [...named.rows, ...before.rows]) loaded.labelIds.set(r.name, r.id);
  for (const r of before.rows) {
    const set = loaded.labelsBefore.get(r.email_ci) ?? new Set<string>();
    loaded.labelsBefore.set(r.email_ci, set.add(r.name));
  }
  for (const { row_no, ...v } of values.rows) push(loaded.values, row_no, v);
  return loaded;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Notes a row's label and field changes: `labels: [before, after]` as sorted name lists, `<variable>: [old,
 * new]`. Rows must come in file order: the contact's labels after this row are what the next row sees.
 * Returns the undo records of those changes (a label added or removed, a value set, changed or cleared).
 */
export function noteLabelAndValueChanges(
  changes: Record<string, Change>,
  row: { row_no: number; email_ci: string; labels_sig: string | null },
  loaded: BatchLabelsAndValues,
  replace: boolean,
): UndoRecord[] {
  const undo: UndoRecord[] = [];
  const email_ci = row.email_ci;
  if (row.labels_sig !== null) {
    const before = loaded.labelsBefore.get(row.email_ci) ?? new Set<string>();
    const named = loaded.rowLabels.get(row.row_no) ?? [];
    const after = new Set(replace ? named : [...before, ...named]);
    if (after.size !== before.size || [...after].some((l) => !before.has(l))) {
      changes.labels = [[...before].sort(byCodePoint), [...after].sort(byCodePoint)];
    }
    for (const name of after) {
      if (before.has(name)) continue;
      const key = { email_ci, label_id: loaded.labelIds.get(name)! };
      undo.push({ table: 'contact_labels', key, created: true, after: {} });
    }
    for (const name of before) {
      if (after.has(name)) continue;
      const key = { email_ci, label_id: loaded.labelIds.get(name)! };
      undo.push({ table: 'contact_labels', key, deleted: true, after: {} });
    }
    loaded.labelsBefore.set(row.email_ci, after);
  }
  for (const v of loaded.values.get(row.row_no) ?? []) {
    const value = v.value === '' ? null : v.value;
    noteChange(changes, v.variable, v.current, value);
    if (value === v.current) continue;
    const key = { email_ci, field_id: v.field_id };
    if (v.current === null)
      undo.push({ table: 'contact_field_values', key, created: true, after: { value } });
    else if (value === null)
      undo.push({
        table: 'contact_field_values',
        key,
        deleted: true,
        before: { value: v.current },
        after: {},
      });
    else undo.push({ table: 'contact_field_values', key, before: { value: v.current }, after: { value } });
  }
  return undo;
}

/**
 * Adds the label and field value changes of the batch's rows to the outcomes written for them (the
 * contacts kind's `noteMore`): a row's labels depend on the rows of its contact before it, which is why
 * this is JavaScript over the rows in file order, and only over the rows that name labels or values.
 */
export async function noteLabelsAndValues(db: Db, ctx: RunContext, from: number, to: number): Promise<void> {
  // Most files name neither: two lookups by key, where the batch's rows would each be read (PostgreSQL: 20 ms).
  const staged = (table: string) =>
    sql`EXISTS (SELECT 1 FROM ${sql.table(table)} WHERE run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to})`;
  const { rows: any } = await sql<{
    any: unknown;
  }>`SELECT ${staged('import_row_labels')} OR ${staged('import_row_values')} AS ${sql.ref('any')}`.execute(
    db,
  );
  if (!any[0]?.any) return;
  const { rows } = await sql<{
    row_no: number;
    email_ci: string;
    labels_sig: string | null;
    status: RowOutcome['status'];
    changes: string | null;
    undo_data: string | null;
  }>`SELECT o.row_no, r.email_ci, r.labels_sig, o.status, o.changes, o.undo_data
    FROM import_rows r JOIN import_outcomes o ON o.run_id = r.run_id AND o.row_no = r.row_no
    WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to}
      AND (r.labels_sig IS NOT NULL OR r.values_sig IS NOT NULL)
    ORDER BY r.row_no`.execute(db);
  if (rows.length === 0) return;
  const loaded = await loadBatchLabelsAndValues(db, ctx, from, to);
  const replace = ctx.options.labels === 'replace';
  const noted: RowOutcome[] = [];
  for (const row of rows) {
    const changes = (row.changes === null ? {} : JSON.parse(row.changes)) as Record<string, Change>;
    const had = Object.keys(changes).length;
    const undo = noteLabelAndValueChanges(changes, row, loaded, replace);
    if (Object.keys(changes).length === had && undo.length === 0) continue;
    const before = row.undo_data === null ? [] : (JSON.parse(row.undo_data) as UndoRecord[]);
    noted.push({
      row_no: row.row_no,
      status: row.status === 'unchanged' && Object.keys(changes).length > 0 ? 'updated' : row.status,
      changes: Object.keys(changes).length > 0 ? changes : null,
      ...(ctx.options.dryRun ? {} : { undo: [...before, ...undo] }),
    });
  }
  await rewriteOutcomes(db, ctx, noted);
}

/** Applies the labels and field values of a batch's created and updated rows, set-based. */
export async function applyLabelsAndValues(db: Db, ctx: RunContext, from: number, to: number): Promise<void> {
  const applied = sql`r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to}
    AND ${outcomeIs(ctx, 'r', { from, to }, 'created', 'updated')}`;
  const contact = sql`JOIN contacts c ON c.workspace_id = ${ctx.workspaceId} AND c.email_ci = r.email_ci`;
  const labelsOfRows = sql`FROM import_row_labels il
    JOIN import_rows r ON r.run_id = il.run_id AND r.row_no = il.row_no ${contact} WHERE ${applied}`;
  if (ctx.options.labels === 'replace') {
    await sql`DELETE FROM contact_labels
      WHERE contact_id IN (SELECT c.id FROM import_rows r ${contact} WHERE ${applied} AND r.labels_sig IS NOT NULL)
        AND NOT EXISTS (SELECT 1 ${labelsOfRows}
          AND c.id = contact_labels.contact_id AND il.label_id = contact_labels.label_id)`.execute(db);
  }
  await sql`INSERT INTO contact_labels (contact_id, label_id)
    SELECT DISTINCT c.id, il.label_id ${labelsOfRows} AND il.label_id IS NOT NULL
    ON CONFLICT (contact_id, label_id) DO NOTHING`.execute(db);

  const valuesOfRows = sql`FROM import_row_values v
    JOIN import_rows r ON r.run_id = v.run_id AND r.row_no = v.row_no ${contact} WHERE ${applied}`;
  await sql`INSERT INTO contact_field_values (contact_id, field_id, value)
    SELECT c.id, v.field_id, v.value ${valuesOfRows} AND v.value <> ''
    ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value`.execute(db);
  await sql`DELETE FROM contact_field_values WHERE (contact_id, field_id) IN
    (SELECT c.id, v.field_id ${valuesOfRows} AND v.value = '')`.execute(db);
}
