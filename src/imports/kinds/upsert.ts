import { sql, type RawBuilder } from 'kysely';
import { dialectOf, type Db } from '../../db/dialect.js';
import { now } from '../../domain/text.js';
import type { RunContext } from '../run-context.js';
import {
  jsonArraySql,
  jsonObjectSql,
  jsonPairSql,
  outcomeIs,
  type JsonMember,
} from '../stages/write-outcomes.js';

/*
 * What the kinds that create or update records by a natural key (customers, contacts, users) share: each
 * row's outcome, changes and undo records computed in one INSERT … SELECT into import_outcomes, then a
 * grouped INSERT … SELECT for the records the batch creates and one UPDATE … FROM for those it updates.
 * A staged value follows one rule everywhere: NULL keeps the field, '' clears it (where `blankClears`).
 */

/** A field of the record that a row may set. */
export interface UpsertField {
  /** The record's column, and the field's name in the row's changes. */
  column: string;
  /** Its column in import_rows; default the same name. */
  staged?: string;
  /** Its case-folded twin, written with it (the same name in both tables). */
  folded?: string;
  /** '' clears the field (stored NULL); false: the staged value is stored as it is (a flag, a hash). */
  blankClears: boolean;
  /** false: not noted in the changes by the helper (the kind's `extra` does, in its own terms). */
  reported?: false;
  /** SQL over import_rows for a new record in place of the staged value (`coalesce(active_value, 1)`). */
  onCreate?: string;
}

/** What a kind adds to a row's outcome beyond its fields, in SQL over `r`, `t` and the spec's joins. */
export interface UpsertExtra {
  /** Members of the row's changes, after the fields'. */
  changes?: readonly JsonMember[];
  /** Undo records (the JSON text of an UndoRecord), after the record's own, each where `when` holds. */
  undo?: readonly { when: RawBuilder<unknown>; record: RawBuilder<unknown> }[];
}

/** What `extra` builds with: the row creates its record, and a column's value as JSON text. */
export interface UpsertSql {
  created: RawBuilder<unknown>;
  json(expr: RawBuilder<unknown>): RawBuilder<string>;
}

export interface UpsertSpec {
  table: 'customers' | 'contacts' | 'users';
  /** The natural key: the record's column and its folded twin, and where import_rows stages them. */
  key: { column: string; folded: string; staged: string; stagedFolded: string };
  fields: readonly UpsertField[];
  /** Joins the batch's rows `r` with their current record `t` (a LEFT JOIN condition). */
  current(ctx: RunContext): RawBuilder<unknown>;
  /**
   * The rows `r` of the batch with the id of the record each updates, for the grouped UPDATE: a FROM clause
   * and the id expression.
   */
  updated(ctx: RunContext): { from: RawBuilder<unknown>; id: RawBuilder<unknown> };
  /** How undo finds the record again (natural keys that survive the run), in SQL over `r` and `t`. */
  undoKey: Readonly<Record<string, RawBuilder<unknown>>>;
  /**
   * The keys a record's history reads the row by (record-history.ts, migration 017), in SQL over `r` and `t`,
   * and only those: each key written is an entry in a history index at a random place, and a key left NULL
   * is an entry appended at the end (measured: the three indexes cost 3 s of a 1M-row import on SQLite).
   */
  keys: {
    email_ci?: RawBuilder<unknown>;
    contact_id?: RawBuilder<unknown>;
    customer_id?: RawBuilder<unknown>;
  };
  /** More LEFT JOINs of the outcome SELECT, for `extra`. */
  joins?(ctx: RunContext): RawBuilder<unknown>;
  /** The row's own changes and undo records beyond the fields. */
  extra?(ctx: RunContext, q: UpsertSql): UpsertExtra;
  /** Staged columns besides the fields that make an updated row touch its record (contacts: labels). */
  touches?: readonly string[];
  /** Constant columns of a new record (users: role). */
  createWith?: Readonly<Record<string, string>>;
  /**
   * After the outcomes were written and before anything is applied (dry runs too): what SQL does not
   * compute, added to them (contacts: labels and field values, which depend on the rows before).
   */
  noteMore?(db: Db, ctx: RunContext, from: number, to: number): Promise<void>;
  /** After the records were created (real runs). */
  afterCreate?(db: Db, ctx: RunContext, from: number, to: number): Promise<void>;
  /** After the batch's records were written (real runs): links, labels, clean-up; `at` is the batch's time. */
  afterApply?(db: Db, ctx: RunContext, from: number, to: number, at: string): Promise<void>;
}

const ref = (...parts: string[]) => sql.ref(parts.join('.'));
const stagedOf = (f: UpsertField) => f.staged ?? f.column;
const ALWAYS = sql`1 = 1`;

/**
 * Writes the outcome of each pending row of the batch: one INSERT … SELECT whose changes and undo data are
 * what `JSON.stringify` writes for them (see UndoRecord). A staged value `v` sets its field when not NULL,
 * to NULLIF(v, '') where '' clears; the field changes when that differs from the record's value.
 */
async function writeUpsertOutcomes(spec: UpsertSpec, db: Db, ctx: RunContext, from: number, to: number) {
  const dialect = dialectOf(db);
  const json = (expr: RawBuilder<unknown>) => dialect.jsonText(expr);
  const differs = (a: RawBuilder<unknown>, b: RawBuilder<unknown>) =>
    sql`NOT (${a} ${sql.raw(dialect.nullSafeEqual)} ${b})`;
  const created = sql`(r.is_first = 1 AND t.id IS NULL)`;

  // Per field and folded twin: when the row sets it, its new value, the record's value.
  const columns = spec.fields.flatMap((f) => {
    const staged = ref('r', stagedOf(f));
    const sets = sql`${staged} IS NOT NULL`;
    const value = (v: RawBuilder<unknown>) => (f.blankClears ? sql`NULLIF(${v}, '')` : v);
    const own = { field: f, column: f.column, sets, value: value(staged), current: ref('t', f.column) };
    if (!f.folded) return [own];
    return [own, { ...own, column: f.folded, value: value(ref('r', f.folded)), current: ref('t', f.folded) }];
  });
  const extra = spec.extra?.(ctx, { created, json }) ?? {};
  const changes = jsonObjectSql([
    { key: spec.key.column, when: created, value: jsonPairSql(sql`'null'`, json(ref('r', spec.key.staged))) },
    ...columns
      .filter((c) => c.column === c.field.column && c.field.reported !== false)
      .map((c) => ({
        key: c.column,
        when: sql`${c.sets} AND ${differs(c.value, c.current)}`,
        value: jsonPairSql(json(c.current), json(c.value)),
      })),
    ...(extra.changes ?? []),
  ]);
  const changed = columns.map((c) => ({ ...c, when: sql`${c.sets} AND ${differs(c.value, c.current)}` }));
  const anyChanged = sql.join(
    changed.map((c) => sql`(${c.when})`),
    sql` OR `,
  );
  const head = sql`'{"table":' || ${sql.lit(JSON.stringify(spec.table))} || ',"key":' || ${jsonObjectSql(
    Object.entries(spec.undoKey).map(([key, value]) => ({ key, when: ALWAYS, value: json(value) })),
  )}`;
  // Created: the values it was created with; updated: the columns that differ, before and after.
  const record = sql`CASE WHEN ${created} THEN ${head} || ',"created":true,"after":' || ${jsonObjectSql(
    columns.map((c) => ({ key: c.column, when: c.sets, value: json(c.value) })),
  )} || '}'
    WHEN ${anyChanged} THEN ${head} || ',"before":' || ${jsonObjectSql(
      changed.map((c) => ({ key: c.column, when: c.when, value: json(c.current) })),
    )} || ',"after":' || ${jsonObjectSql(changed.map((c) => ({ key: c.column, when: c.when, value: json(c.value) })))} || '}' END`;
  const undo = jsonArraySql([
    { when: sql`${created} OR ${anyChanged}`, value: record },
    ...(extra.undo ?? []).map((u) => ({ when: u.when, value: u.record })),
  ]);
  // Typed NULLs: PostgreSQL takes an untyped NULL of a subquery for text.
  // A record's history leaves dry runs out: their rows need no keys.
  const keys = (['email_ci', 'contact_id', 'customer_id'] as const).map(
    (k) =>
      (!ctx.options.dryRun && spec.keys[k]) ||
      (k === 'email_ci' ? sql`CAST(NULL AS TEXT)` : sql`CAST(NULL AS INTEGER)`),
  );
  await dialect.joiningByKey(db, () =>
    sql`INSERT INTO import_outcomes (run_id, row_no, status, changes, undo_data, email_ci, contact_id, customer_id)
    SELECT CAST(${ctx.runId} AS INTEGER), x.row_no,
      CASE WHEN x.created THEN 'created' WHEN x.changes <> '{}' THEN 'updated' ELSE 'unchanged' END,
      NULLIF(x.changes, '{}'), ${ctx.options.dryRun ? sql`NULL` : sql`NULLIF(x.undo, '[]')`},
      x.email_ci, x.contact_id, x.customer_id
    FROM (SELECT r.row_no, ${created} AS created, ${changes} AS changes, ${undo} AS undo,
        ${sql.join(keys.map((k, i) => sql`${k} AS ${sql.ref(['email_ci', 'contact_id', 'customer_id'][i]!)}`))}
      FROM import_rows r LEFT JOIN ${sql.table(spec.table)} t ON ${spec.current(ctx)} ${spec.joins?.(ctx) ?? sql``}
      WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}) x
    ORDER BY x.row_no`.execute(db),
  );
}

/** Decides each pending row of the batch and records its changes; applies them unless a dry run. */
export async function applyUpsertBatch(
  spec: UpsertSpec,
  db: Db,
  ctx: RunContext,
  from: number,
  to: number,
): Promise<void> {
  const ws = ctx.workspaceId;
  await writeUpsertOutcomes(spec, db, ctx, from, to);
  await spec.noteMore?.(db, ctx, from, to);
  if (ctx.options.dryRun) return;
  const { rows: statuses } = await sql<{ status: string }>`SELECT DISTINCT status FROM import_outcomes
    WHERE run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}`.execute(db);
  const has = (status: string) => statuses.some((s) => s.status === status);

  const at = now();
  const table = sql.table(spec.table);
  const batch = sql`run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}`;
  if (has('created')) {
    const columns: string[] = [spec.key.column, spec.key.folded];
    const values: RawBuilder<unknown>[] = [sql.ref(spec.key.staged), sql.ref(spec.key.stagedFolded)];
    for (const f of spec.fields) {
      const staged = sql.ref(stagedOf(f));
      columns.push(f.column);
      values.push(f.onCreate ? sql.raw(f.onCreate) : f.blankClears ? sql`NULLIF(${staged}, '')` : staged);
      if (f.folded) {
        columns.push(f.folded);
        values.push(f.blankClears ? sql`NULLIF(${sql.ref(f.folded)}, '')` : sql.ref(f.folded));
      }
    }
    for (const [column, value] of Object.entries(spec.createWith ?? {})) {
      columns.push(column);
      values.push(sql.raw(value));
    }
    await sql`INSERT INTO ${table} (workspace_id, ${sql.join(columns.map((c) => sql.ref(c)))}, created_at, updated_at)
      SELECT CAST(${ws} AS INTEGER), ${sql.join(values)}, ${at}, ${at}
      FROM import_rows WHERE ${batch} AND ${outcomeIs(ctx, 'import_rows', { from, to }, 'created')}
      ORDER BY row_no`.execute(db); // new records take ids in file order, on PostgreSQL too
    await spec.afterCreate?.(db, ctx, from, to);
    // A customer's history finds the rows of the customers import by the customer's id: the created rows
    // have theirs now (afterCreate), their outcomes were written before.
    if (spec.table === 'customers') {
      await sql`UPDATE import_outcomes SET customer_id = (SELECT r.customer_id FROM import_rows r
          WHERE r.run_id = import_outcomes.run_id AND r.row_no = import_outcomes.row_no)
        WHERE run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to} AND status = 'created'`.execute(db);
    }
  }
  if (has('updated')) {
    // After keepFirstSetters, at most one row of a record sets each field, so max() picks its value.
    const sets: RawBuilder<unknown>[] = [];
    const picks: RawBuilder<unknown>[] = [];
    const setting: RawBuilder<unknown>[] = [];
    const set = (column: string, pick: string, clears: boolean) => {
      const cur = ref(spec.table, column);
      const a = ref('a', pick);
      sets.push(
        clears
          ? sql`${sql.ref(column)} = CASE WHEN ${a} IS NULL THEN ${cur} ELSE NULLIF(${a}, '') END`
          : sql`${sql.ref(column)} = coalesce(${a}, ${cur})`,
      );
      picks.push(sql`max(${ref('r', pick)}) AS ${sql.ref(pick)}`);
    };
    for (const f of spec.fields) {
      set(f.column, stagedOf(f), f.blankClears);
      if (f.folded) set(f.folded, f.folded, f.blankClears);
      setting.push(sql`${ref('r', stagedOf(f))} IS NOT NULL`);
    }
    for (const c of spec.touches ?? []) setting.push(sql`${ref('r', c)} IS NOT NULL`);
    const { from: source, id } = spec.updated(ctx);
    await sql`UPDATE ${table} SET ${sql.join(sets)}, updated_at = ${at}
      FROM (SELECT ${id} AS id, ${sql.join(picks)} FROM ${source}
        WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND ${outcomeIs(ctx, 'r', { from, to }, 'updated')}
          AND (${sql.join(setting, sql` OR `)})
        GROUP BY ${id}) a
      WHERE ${ref(spec.table, 'id')} = a.id`.execute(db);
  }
  await spec.afterApply?.(db, ctx, from, to, at);
}

/**
 * An `afterCreate`: the batch's created rows, and the later rows of their records, take the new records' ids
 * in `idColumn` (found by `key`: the record's column and the staged one), so they apply by id like the rest.
 */
export const takeCreatedIds =
  (table: UpsertSpec['table'], idColumn: string, key: { column: string; staged: string }) =>
  async (db: Db, ctx: RunContext, from: number, to: number): Promise<void> => {
    const id = sql.ref(idColumn);
    await sql`UPDATE import_rows SET ${id} = n.id
      FROM (SELECT r.target_key, t.id FROM import_rows r
        JOIN ${sql.table(table)} t ON t.workspace_id = ${ctx.workspaceId} AND ${ref('t', key.column)} = ${ref('r', key.staged)}
        WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND ${outcomeIs(ctx, 'r', { from, to }, 'created')}) n
      WHERE import_rows.run_id = ${ctx.runId} AND import_rows.target_key = n.target_key
        AND ${ref('import_rows', idColumn)} IS NULL`.execute(db);
  };
