import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/dialect.js';
import type { RunContext } from '../run-context.js';
import { closestMatch } from '../../domain/did-you-mean.js';

/** Distinct unmatched labels that get a near-miss hint; more than this is a wrong file, not a typo. */
const MAX_NEAR_MISS_LABELS = 200;

/**
 * Resolves the staged labels (`import_row_labels`) of the pending rows to label ids: by name or by id,
 * exactly, then with --ignore-case an unambiguous case-insensitive match. A row naming any unknown label
 * is `unmatched` / `label_not_found` (column `labels` or `labels_id`), with a case or near-miss hint.
 */
export async function resolveLabels(db: Db, ctx: RunContext): Promise<void> {
  // Each pass below looks up the run's pending rows (1M rows: ~0.15 s a pass) even when no row names a label.
  const staged = await db
    .selectFrom('import_row_labels')
    .select('row_no')
    .where('run_id', '=', ctx.runId)
    .where('label_ref', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  if (!staged) return;
  const ws = ctx.workspaceId;
  const open = sql`run_id = ${ctx.runId} AND label_ref IS NOT NULL AND label_id IS NULL
    AND row_no IN (SELECT row_no FROM import_rows WHERE run_id = ${ctx.runId} AND status = 'pending')`;
  // Label ids are ASCII ([A-Za-z0-9_-]), so SQL lower() folds them as foldCase does on both databases.
  const byName = {
    exact: sql`FROM labels l WHERE l.workspace_id = ${ws} AND l.name = import_row_labels.label_ref`,
    folded: sql`FROM labels l WHERE l.workspace_id = ${ws} AND l.name_ci = import_row_labels.label_ci`,
    shown: sql`l.name`,
    flag: 0,
  };
  const byId = {
    exact: sql`FROM labels l WHERE l.workspace_id = ${ws} AND l.public_id = import_row_labels.label_ref`,
    folded: sql`FROM labels l WHERE l.workspace_id = ${ws} AND lower(l.public_id) = import_row_labels.label_ci`,
    shown: sql`l.public_id`,
    flag: 1,
  };
  const howToAccept = ctx.options.ignoreCase ? '' : ' Write it exactly, or pass --ignore-case.';
  for (const by of [byName, byId]) {
    const mine = sql`${open} AND by_id = ${by.flag}`;
    await sql`UPDATE import_row_labels SET label_id = (SELECT l.id ${by.exact}) WHERE ${mine}`.execute(db);
    if (ctx.options.ignoreCase) {
      await sql`UPDATE import_row_labels SET label_id = (SELECT min(l.id) ${by.folded})
        WHERE ${mine} AND (SELECT count(*) ${by.folded}) = 1`.execute(db);
    }
    await sql`UPDATE import_row_labels SET hint = 'Did you mean "' || (SELECT min(${by.shown}) ${by.folded}) || '"?'
        || CASE WHEN (SELECT count(*) ${by.folded}) > 1
           THEN ' Several labels match when case is ignored.' ELSE ${howToAccept} END
      WHERE ${mine} AND EXISTS (SELECT 1 ${by.folded})`.execute(db);
  }
  await hintNearMisses(db, ctx, open);

  await sql`UPDATE import_rows SET status = 'unmatched', reason = 'label_not_found',
      column_name = CASE WHEN u.by_id = 1 THEN 'labels_id' ELSE 'labels' END,
      message = CASE WHEN u.by_id = 1 THEN 'No label with id "' ELSE 'No label named "' END || u.label_ref || '".'
        || CASE WHEN u.unknown > 1 THEN ' ' || CAST(u.unknown AS TEXT) || ' labels of this row are unknown.' ELSE '' END,
      hint = coalesce(u.hint, CASE WHEN u.by_id = 1 THEN 'roster labels list shows every label with its id.'
        ELSE 'Create it first with: roster labels add "' || u.label_ref || '"' END)
    FROM (SELECT il.row_no, il.label_ref, il.by_id, il.hint, f.unknown FROM import_row_labels il
      JOIN (SELECT row_no, min(seq) AS seq, count(*) AS unknown FROM import_row_labels WHERE ${open} GROUP BY row_no) f
        ON f.row_no = il.row_no AND f.seq = il.seq
      WHERE il.run_id = ${ctx.runId}) u
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending'
      AND import_rows.row_no = u.row_no`.execute(db);
}

/** A did-you-mean for unknown labels that are close to an existing name or id (a typo). */
async function hintNearMisses(db: Db, ctx: RunContext, open: RawBuilder<unknown>): Promise<void> {
  const refs = await sql<{ label_ref: string; by_id: 0 | 1 }>`SELECT DISTINCT label_ref, by_id
    FROM import_row_labels WHERE ${open} AND hint IS NULL LIMIT ${MAX_NEAR_MISS_LABELS}`.execute(db);
  if (refs.rows.length === 0) return;
  const labels = await db
    .selectFrom('labels')
    .select(['name', 'public_id'])
    .where('workspace_id', '=', ctx.workspaceId)
    .execute();
  const names = labels.map((l) => l.name);
  const ids = labels.map((l) => l.public_id);
  for (const { label_ref, by_id } of refs.rows) {
    const suggestion = closestMatch(label_ref, by_id === 1 ? ids : names);
    if (suggestion === undefined) continue;
    await sql`UPDATE import_row_labels SET hint = ${`Did you mean "${suggestion}"?`}
      WHERE ${open} AND hint IS NULL AND by_id = ${by_id} AND label_ref = ${label_ref}`.execute(db);
  }
}
