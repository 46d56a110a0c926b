import { sql } from 'kysely';
import { dialectOf, type Db } from '../../db/dialect.js';
import { pendingRows, type RunContext } from '../run-context.js';

/**
 * A field a row may set, as an SQL expression over `import_rows` columns written `$.column` (NULL: the row
 * leaves the field unchanged). Expressions are constants of the kinds, never user input.
 */
export interface FieldExpr {
  column: string;
  expr: string;
}

function qualify(expr: string, alias: string): string {
  return expr.replace(/\$\./g, alias ? `${alias}.` : '');
}

/**
 * Rows of one target that set one field to two different values: every row of that target becomes
 * invalid (`conflicting_rows`). Nothing ambiguous is applied.
 */
export async function markConflicts(
  db: Db,
  ctx: RunContext,
  fields: readonly FieldExpr[],
  noun: string,
): Promise<void> {
  for (const field of fields) {
    // The lines are read from rows still pending or already marked by this statement: SQLite sees its own
    // changes while it updates, PostgreSQL does not, and both must write the same message.
    const sameTarget = sql`FROM import_rows o WHERE o.run_id = import_rows.run_id AND o.target_key = import_rows.target_key
      AND (o.status = 'pending' OR o.reason = 'conflicting_rows')`;
    await sql`UPDATE import_rows SET status = 'invalid', reason = 'conflicting_rows', column_name = ${field.column},
        message = ${`Rows for the same ${noun} set ${field.column} to different values (lines `}
          || (SELECT min(o.line) ${sameTarget}) || ' to ' || (SELECT max(o.line) ${sameTarget}) || ').',
        hint = 'Make these rows agree, or keep only one of them.'
      WHERE ${pendingRows(ctx)} AND target_key IN (
        SELECT target_key FROM import_rows WHERE ${pendingRows(ctx)}
        GROUP BY target_key HAVING count(DISTINCT ${sql.raw(qualify(field.expr, ''))}) > 1)`.execute(db);
  }
}

/** Rows identical in effect to an earlier row of the same target: `duplicate`, applied once. */
export async function markDuplicates(db: Db, ctx: RunContext, effect: readonly string[]): Promise<void> {
  const same = dialectOf(db) === 'postgres' ? 'IS NOT DISTINCT FROM' : 'IS';
  const equal = effect.map((e) => `${qualify(e, 'o')} ${same} ${qualify(e, 'import_rows')}`).join(' AND ');
  const earlier = sql`FROM import_rows o WHERE o.run_id = import_rows.run_id AND o.status = 'pending'
    AND o.target_key = import_rows.target_key AND o.row_no < import_rows.row_no AND ${sql.raw(equal || 'TRUE')}`;
  await sql`UPDATE import_rows SET status = 'duplicate', reason = 'duplicate_row', dup_of_line = (SELECT min(o.line) ${earlier})
    WHERE ${pendingRows(ctx)} AND EXISTS (SELECT 1 ${earlier})`.execute(db);
}

/** Marks the first pending row of each target (the one that creates a new record). */
export async function markFirstRows(db: Db, ctx: RunContext): Promise<void> {
  await sql`UPDATE import_rows SET is_first = CASE WHEN EXISTS (SELECT 1 FROM import_rows o
      WHERE o.run_id = import_rows.run_id AND o.status = 'pending' AND o.target_key = import_rows.target_key
      AND o.row_no < import_rows.row_no) THEN 0 ELSE 1 END
    WHERE ${pendingRows(ctx)}`.execute(db);
}

/**
 * After conflicts are gone, rows of one target agree on every field they set; only the first row that sets a
 * field changes it (each group: the column that says "set" first, then columns cleared with it). Later rows have that value cleared, so each batch applies at most one value per field and
 * target, and a dry run (which applies nothing) computes the same outcomes as the real run.
 */
export async function keepFirstSetters(
  db: Db,
  ctx: RunContext,
  groups: readonly (readonly string[])[],
): Promise<void> {
  for (const [column, ...together] of groups) {
    const col = sql.ref(column!);
    const clear = sql.join([column!, ...together].map((c) => sql`${sql.ref(c)} = NULL`));
    await sql`UPDATE import_rows SET ${clear}
      WHERE ${pendingRows(ctx)} AND ${col} IS NOT NULL AND EXISTS (SELECT 1 FROM import_rows o
        WHERE o.run_id = import_rows.run_id AND o.status = 'pending' AND o.target_key = import_rows.target_key
        AND o.row_no < import_rows.row_no AND ${sql.ref(`o.${column!}`)} IS NOT NULL)`.execute(db);
  }
}

/** How the rows of one kind that name the same target are settled. */
export interface SameTargetRules {
  /** The target in messages ("person", "contact"). */
  noun: string;
  /** Fields that must not be set to two different values by rows of one target. */
  fields: readonly FieldExpr[];
  /** What makes two rows identical in effect. */
  effect: readonly string[];
  /** Column groups of which only the first setting row keeps its value (see keepFirstSetters). */
  setters: readonly (readonly string[])[];
  /** Checks that depend on which row comes first (e.g. "a new customer needs a name"), run before setters. */
  afterFirstRows?: (db: Db, ctx: RunContext) => Promise<void>;
}

/**
 * Settles rows that name the same target: conflicts, duplicates, first rows, first setters. Most files name
 * each target once; then one query proves it and the whole-run passes are skipped.
 */
export async function settleSameTargetRows(db: Db, ctx: RunContext, rules: SameTargetRules): Promise<void> {
  const repeated = await sql<{ one: number }>`SELECT 1 AS one FROM import_rows WHERE ${pendingRows(ctx)}
    GROUP BY target_key HAVING count(*) > 1 LIMIT 1`.execute(db);
  if (repeated.rows.length === 0) {
    await sql`UPDATE import_rows SET is_first = 1 WHERE ${pendingRows(ctx)}`.execute(db);
    await rules.afterFirstRows?.(db, ctx);
    return;
  }
  await markConflicts(db, ctx, rules.fields, rules.noun);
  await markDuplicates(db, ctx, rules.effect);
  await markFirstRows(db, ctx);
  await rules.afterFirstRows?.(db, ctx);
  await keepFirstSetters(db, ctx, rules.setters);
}
