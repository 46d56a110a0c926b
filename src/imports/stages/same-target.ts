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
 * The columns of `import_rows` that name a row's target: `target_key` (staged, or set by the plan), or for
 * the link kinds the (customer_id, contact_id) their plan resolves. Constants of the kinds, never input.
 */
export type TargetColumns = readonly string[];

const TARGET_KEY: TargetColumns = ['target_key'];

/** The target's columns in a SELECT list / GROUP BY, and a join of the grouped `alias` back to import_rows. */
function targetOf(target: TargetColumns) {
  return {
    list: sql.raw(target.join(', ')),
    join: (alias: string) => sql.raw(target.map((c) => `import_rows.${c} = ${alias}.${c}`).join(' AND ')),
  };
}

/*
 * Each pass below groups the run's pending rows once (a derived table) and joins it back with UPDATE … FROM:
 * O(n log n) on both databases, where a correlated subquery per row would be quadratic within a target.
 */

/**
 * Rows of one target that set one field to two different values: every row of that target becomes
 * invalid (`conflicting_rows`). Nothing ambiguous is applied.
 */
export async function markConflicts(
  db: Db,
  ctx: RunContext,
  fields: readonly FieldExpr[],
  noun: string,
  target: TargetColumns = TARGET_KEY,
): Promise<void> {
  const t = targetOf(target);
  for (const field of fields) {
    await sql`UPDATE import_rows SET status = 'invalid', reason = 'conflicting_rows', column_name = ${field.column},
        message = ${`Rows for the same ${noun} set ${field.column} to different values (lines `}
          || CAST(c.first_line AS TEXT) || ' to ' || CAST(c.last_line AS TEXT) || ').',
        hint = 'Make these rows agree, or keep only one of them.'
      FROM (SELECT ${t.list}, min(line) AS first_line, max(line) AS last_line FROM import_rows
        WHERE ${pendingRows(ctx)} GROUP BY ${t.list}
        HAVING count(DISTINCT ${sql.raw(qualify(field.expr, ''))}) > 1) c
      WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending'
        AND ${t.join('c')}`.execute(db);
  }
}

/** Rows identical in effect to an earlier row of the same target: `duplicate`, applied once. */
export async function markDuplicates(
  db: Db,
  ctx: RunContext,
  effect: readonly string[],
  target: TargetColumns = TARGET_KEY,
): Promise<void> {
  const t = targetOf(target);
  const same = dialectOf(db).nullSafeEqual;
  const keys = effect.map((e, i) => `${qualify(e, '')} AS k${i}`).join(', ');
  const groupBy = effect.map((e) => qualify(e, '')).join(', ');
  const equal = effect.map((e, i) => ` AND ${qualify(e, 'import_rows')} ${same} d.k${i}`).join('');
  await sql`UPDATE import_rows SET status = 'duplicate', reason = 'duplicate_row', dup_of_line = d.first_line
    FROM (SELECT ${t.list}, ${sql.raw(keys)}, min(row_no) AS first_row, min(line) AS first_line FROM import_rows
      WHERE ${pendingRows(ctx)} GROUP BY ${t.list}, ${sql.raw(groupBy)} HAVING count(*) > 1) d
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending' AND ${t.join('d')}
      AND import_rows.row_no > d.first_row ${sql.raw(equal)}`.execute(db);
}

/** Marks the first pending row of each target (the one that creates a new record). */
export async function markFirstRows(
  db: Db,
  ctx: RunContext,
  target: TargetColumns = TARGET_KEY,
): Promise<void> {
  const t = targetOf(target);
  await sql`UPDATE import_rows SET is_first = CASE WHEN import_rows.row_no = f.first_row THEN 1 ELSE 0 END
    FROM (SELECT ${t.list}, min(row_no) AS first_row FROM import_rows WHERE ${pendingRows(ctx)} GROUP BY ${t.list}) f
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending' AND ${t.join('f')}`.execute(
    db,
  );
}

/**
 * After conflicts are gone, rows of one target agree on every field they set; only the first row that sets a
 * field changes it (each group: the column that says "set" first, then columns cleared with it). Later rows
 * have that value cleared, so each batch applies at most one value per field and target, and a dry run
 * (which applies nothing) computes the same outcomes as the real run.
 */
export async function keepFirstSetters(
  db: Db,
  ctx: RunContext,
  groups: readonly (readonly string[])[],
  target: TargetColumns = TARGET_KEY,
): Promise<void> {
  const t = targetOf(target);
  for (const [column, ...together] of groups) {
    const col = sql.ref(`import_rows.${column!}`);
    const clear = sql.join([column!, ...together].map((c) => sql`${sql.ref(c)} = NULL`));
    await sql`UPDATE import_rows SET ${clear}
      FROM (SELECT ${t.list}, min(row_no) AS first_row FROM import_rows
        WHERE ${pendingRows(ctx)} AND ${sql.ref(column!)} IS NOT NULL GROUP BY ${t.list} HAVING count(*) > 1) f
      WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending'
        AND ${t.join('f')} AND ${col} IS NOT NULL AND import_rows.row_no > f.first_row`.execute(db);
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
  /** The columns naming a row's target, if not `target_key`. */
  target?: TargetColumns;
}

/**
 * Settles rows that name the same target: conflicts, duplicates, first rows, first setters. Most files name
 * each target once; then one query proves it and the whole-run passes are skipped.
 */
export async function settleSameTargetRows(db: Db, ctx: RunContext, rules: SameTargetRules): Promise<void> {
  const target = rules.target ?? TARGET_KEY;
  const repeated = await sql<{ one: number }>`SELECT 1 AS one FROM import_rows WHERE ${pendingRows(ctx)}
    GROUP BY ${targetOf(target).list} HAVING count(*) > 1 LIMIT 1`.execute(db);
  if (repeated.rows.length === 0) {
    // Rows are staged with is_first = 1, which holds when every target is named once.
    await rules.afterFirstRows?.(db, ctx);
    return;
  }
  await markConflicts(db, ctx, rules.fields, rules.noun, target);
  await markDuplicates(db, ctx, rules.effect, target);
  await markFirstRows(db, ctx, target);
  await rules.afterFirstRows?.(db, ctx);
  await keepFirstSetters(db, ctx, rules.setters, target);
}
