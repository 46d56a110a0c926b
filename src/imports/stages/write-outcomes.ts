import { dialectOf, type Db } from '../../db/dialect.js';
import { sql, type RawBuilder } from 'kysely';
import { runPerRow } from '../../db/insert-many.js';
import type { RunContext } from '../run-context.js';
import type { UndoRecord } from '../undo-record.js';

export type Change = [before: unknown, after: unknown];

/** What one row did (or, in a dry run, would do). */
export interface RowOutcome {
  row_no: number;
  status: 'created' | 'updated' | 'unchanged';
  changes: Record<string, Change> | null;
  /** What undo needs to put the records back (real runs). */
  undo?: UndoRecord[];
}

/** Adds a change when `after` differs from `before`. */
export function noteChange(
  changes: Record<string, Change>,
  field: string,
  before: unknown,
  after: unknown,
): void {
  if (before !== after) changes[field] = [before, after];
}

const REWRITTEN = ['row_no', 'status', 'changes', 'undo_data'];

/**
 * Replaces the status, changes and undo data of outcomes written before (the rows of `outcomes`): on SQLite
 * one cached prepared UPDATE per row, elsewhere one UPDATE … FROM of one JSON parameter.
 */
export async function rewriteOutcomes(
  db: Db,
  ctx: RunContext,
  outcomes: readonly RowOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = outcomes.map((o) => [
    o.row_no,
    o.status,
    o.changes === null ? null : JSON.stringify(o.changes),
    !ctx.options.dryRun && o.undo && o.undo.length > 0 ? JSON.stringify(o.undo) : null,
  ]);
  const perRow = `UPDATE import_outcomes SET status = ?, changes = ?, undo_data = ? WHERE run_id = ? AND row_no = ?`;
  if (
    runPerRow(
      db,
      perRow,
      rows.map(([rowNo, ...rest]) => [...rest, ctx.runId, rowNo]),
    )
  )
    return;
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(REWRITTEN.map((c, i) => [c, r[i]]))));
  await sql`UPDATE import_outcomes SET status = j.status, changes = j.changes, undo_data = j.undo_data
    FROM ${dialectOf(db).jsonRows('import_outcomes', REWRITTEN, json)} j
    WHERE import_outcomes.run_id = ${ctx.runId} AND import_outcomes.row_no = j.row_no`.execute(db);
}

/**
 * A condition on the staged rows `alias` numbered `from`..`to` (a batch, or the rows before one): their
 * outcome (written by writeOutcomes) is one of `statuses`. The outcomes are bounded by the same row numbers:
 * PostgreSQL does not carry a range across `o.row_no = r.row_no`, and, its statistics taken when the run
 * had no outcomes yet, it walked all of the run's outcomes for every batch (1M contacts: the link INSERT
 * took 340 ms a batch at the end of the run, 160 ms of it in that walk).
 */
export function outcomeIs(
  ctx: RunContext,
  alias: string,
  rows: { from: number; to: number },
  ...statuses: RowOutcome['status'][]
) {
  return sql`EXISTS (SELECT 1 FROM import_outcomes o WHERE o.run_id = ${ctx.runId}
    AND o.row_no BETWEEN ${rows.from} AND ${rows.to}
    AND o.row_no = ${sql.ref(`${alias}.row_no`)} AND o.status IN (${sql.join(statuses)}))`;
}

/** A member of a JSON object built in SQL: its key, its value as JSON text, and when the object has it. */
export interface JsonMember {
  key: string;
  value: RawBuilder<unknown>;
  when: RawBuilder<unknown>;
}

/**
 * SQL for the JSON text of an object of the `members` whose `when` holds, in their order (`{}` when none
 * does): changes and undo data computed in SQL, the same text as `JSON.stringify` of the same object.
 */
export function jsonObjectSql(members: readonly JsonMember[]): RawBuilder<string> {
  const parts = members.map(
    (m) => sql`CASE WHEN ${m.when} THEN ${sql.lit(`,${JSON.stringify(m.key)}:`)} || ${m.value} ELSE '' END`,
  );
  return sql<string>`'{' || substr(${sql.join(parts, sql` || `)}, 2) || '}'`;
}

/** SQL for the JSON text of an array of the `items` whose `when` holds, in their order (`[]` when none does). */
export function jsonArraySql(
  items: readonly { when: RawBuilder<unknown>; value: RawBuilder<unknown> }[],
): RawBuilder<string> {
  const parts = items.map((i) => sql`CASE WHEN ${i.when} THEN ',' || ${i.value} ELSE '' END`);
  return sql<string>`'[' || substr(${sql.join(parts, sql` || `)}, 2) || ']'`;
}

/** SQL for the JSON text of a change `[before, after]`, of two values already JSON text. */
export const jsonPairSql = (before: RawBuilder<unknown>, after: RawBuilder<unknown>) =>
  sql<string>`'[' || ${before} || ',' || ${after} || ']'`;

/** SQL for the JSON text of a 0/1 flag as a boolean. */
export const jsonFlagSql = (expr: RawBuilder<unknown>) =>
  sql<string>`CASE WHEN ${expr} = 1 THEN 'true' ELSE 'false' END`;
