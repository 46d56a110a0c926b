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
  /** The staged row's keys, by which a record's history finds the row. */
  keys?: OutcomeKeys;
}

/** The keys of import_outcomes that a record's history reads by (see migration 017). */
export interface OutcomeKeys {
  email_ci?: string | null;
  contact_id?: number | null;
  customer_id?: number | null;
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

/** Settles a row: created when it makes a new record, updated when anything changes, else unchanged. */
export function outcome(
  row_no: number,
  created: boolean,
  changes: Record<string, Change>,
  undo: (UndoRecord | undefined)[] = [],
  keys?: OutcomeKeys,
): RowOutcome {
  const changed = Object.keys(changes).length > 0;
  const records = undo.filter((u): u is UndoRecord => u !== undefined);
  return {
    row_no,
    status: created ? 'created' : changed ? 'updated' : 'unchanged',
    changes: changed ? changes : null,
    ...(records.length > 0 ? { undo: records } : {}),
    ...(keys ? { keys } : {}),
  };
}

const COLUMNS = ['row_no', 'status', 'changes', 'undo_data', 'email_ci', 'contact_id', 'customer_id'];
const PER_ROW = `INSERT INTO import_outcomes (run_id, ${COLUMNS.join(', ')}) VALUES (?, ${COLUMNS.map(() => '?').join(', ')})`;

/**
 * Appends the outcomes of a batch to `import_outcomes`: on SQLite one cached prepared INSERT per row,
 * elsewhere one INSERT … SELECT of one JSON parameter, whatever the number of rows. The staged rows stay
 * `pending`.
 */
export async function writeOutcomes(db: Db, ctx: RunContext, outcomes: readonly RowOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const keep = !ctx.options.dryRun;
  const rows = outcomes.map((o) => [
    o.row_no,
    o.status,
    o.changes === null ? null : JSON.stringify(o.changes),
    keep && o.undo ? JSON.stringify(o.undo) : null,
    o.keys?.email_ci ?? null,
    o.keys?.contact_id ?? null,
    o.keys?.customer_id ?? null,
  ]);
  if (
    runPerRow(
      db,
      PER_ROW,
      rows.map((r) => [ctx.runId, ...r]),
    )
  )
    return;
  // Changes and undo data go in as JSON text (PostgreSQL's jsonb would reorder the changes' fields).
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]]))));
  const columns = sql.join(COLUMNS.map((c) => sql.ref(c)));
  await sql`INSERT INTO import_outcomes (run_id, ${columns})
    SELECT CAST(${ctx.runId} AS INTEGER), ${columns} FROM ${dialectOf(db).jsonRows('import_outcomes', COLUMNS, json)} j`.execute(
    db,
  );
}

/**
 * A condition on the staged rows `alias` of a batch: their outcome (written by writeOutcomes) is one of
 * `statuses`.
 */
export function outcomeIs(ctx: RunContext, alias: string, ...statuses: RowOutcome['status'][]) {
  return sql`EXISTS (SELECT 1 FROM import_outcomes o WHERE o.run_id = ${ctx.runId}
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

/** SQL for the JSON text of a 0/1 flag as a boolean. */
export const jsonFlagSql = (expr: RawBuilder<unknown>) =>
  sql<string>`CASE WHEN ${expr} = 1 THEN 'true' ELSE 'false' END`;
