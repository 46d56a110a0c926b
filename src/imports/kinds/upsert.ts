import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { foldCase, now } from '../../domain/text.js';
import type { RunContext } from '../run-context.js';
import { noteChange, outcome, outcomeIs, writeOutcomes, type Change } from '../stages/write-outcomes.js';
import { changedColumns, type UndoRecord } from '../undo-record.js';

/*
 * What the kinds that create or update records by a natural key (customers, contacts, users) share: one
 * SELECT of a batch with the current values, each row's outcome, changes and undo records, then a grouped
 * INSERT … SELECT for the records the batch creates and one UPDATE … FROM for those it updates.
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
  /** false: not noted in the changes by the helper (the kind's `noteRow` does, in its own terms). */
  reported?: false;
  /** SQL over import_rows for a new record in place of the staged value (`coalesce(active_value, 1)`). */
  onCreate?: string;
}

/** One staged row of a batch with its record's current values (`cur_<column>`; cur_id NULL: none yet). */
export type UpsertRow<X> = X & {
  row_no: number;
  is_first: 0 | 1;
  cur_id: number | null;
  /** The record's natural key as stored (customers: its ref, which an --ignore-case match may spell otherwise). */
  cur_key: string | null;
  [column: string]: unknown;
};

export interface UpsertSpec<X, B = undefined> {
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
  /** How undo finds the record again (natural keys that survive the run). */
  undoKey(row: UpsertRow<X>): Record<string, string | number>;
  /** More columns (and LEFT JOINs) of the batch SELECT, for `noteRow`. */
  select?: RawBuilder<unknown>;
  joins?(ctx: RunContext): RawBuilder<unknown>;
  /** Staged columns besides the fields that make an updated row touch its record (contacts: labels). */
  touches?: readonly string[];
  /** Constant columns of a new record (users: role). */
  createWith?: Readonly<Record<string, string>>;
  /** What the batch needs beyond its rows, loaded once before its outcomes (contacts: labels and values). */
  load?(db: Db, ctx: RunContext, from: number, to: number): Promise<B>;
  /** The row's own changes beyond the fields, in file order; returns their undo records. */
  noteRow?(
    row: UpsertRow<X>,
    created: boolean,
    changes: Record<string, Change>,
    loaded: B,
    ctx: RunContext,
  ): (UndoRecord | undefined)[];
  /** After the records were created (real runs). */
  afterCreate?(db: Db, ctx: RunContext, from: number, to: number): Promise<void>;
  /** After the batch's records were written (real runs): links, labels, clean-up; `at` is the batch's time. */
  afterApply?(db: Db, ctx: RunContext, from: number, to: number, at: string): Promise<void>;
}

const ref = (...parts: string[]) => sql.ref(parts.join('.'));
const stagedOf = (f: UpsertField) => f.staged ?? f.column;
/** A staged value as the record will hold it: undefined keeps, '' clears (NULL). */
const valueOf = (f: UpsertField, staged: unknown) =>
  staged === null ? undefined : f.blankClears ? staged || null : staged;
const folded = (v: unknown) => (typeof v === 'string' ? foldCase(v) : v);

/** The outcome, changes and undo records of one row. */
function rowOutcome<X, B>(spec: UpsertSpec<X, B>, ctx: RunContext, r: UpsertRow<X>, loaded: B) {
  const changes: Record<string, Change> = {};
  const created = r.is_first === 1 && r.cur_id === null;
  if (created) changes[spec.key.column] = [null, r[spec.key.staged]];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const current = r[`cur_${f.column}`];
    const value = valueOf(f, r[stagedOf(f)]);
    if (value !== undefined && f.reported !== false) noteChange(changes, f.column, current, value);
    before[f.column] = current;
    after[f.column] = value;
    if (f.folded) {
      before[f.folded] = current && folded(current);
      after[f.folded] = value === undefined ? undefined : value && folded(value);
    }
  }
  const own = spec.noteRow?.(r, created, changes, loaded, ctx) ?? [];
  const key = spec.undoKey(r);
  const columns = created ? undefined : changedColumns(before, after);
  const record: UndoRecord | undefined = created
    ? { table: spec.table, key, created: true, after }
    : columns && { table: spec.table, key, ...columns };
  // The keys a record's history reads by: the contact or customer this row's record is (cur_id), its email
  // and, for a contacts row, the customer it links.
  const keys = {
    email_ci: (r.email_ci as string | null | undefined) ?? null,
    contact_id: spec.table === 'contacts' ? r.cur_id : null,
    customer_id:
      spec.table === 'customers' ? r.cur_id : ((r.customer_id as number | null | undefined) ?? null),
  };
  return outcome(r.row_no, created, changes, [record, ...own], keys);
}

/** Decides each pending row of the batch and records its changes; applies them unless a dry run. */
export async function applyUpsertBatch<X, B>(
  spec: UpsertSpec<X, B>,
  db: Db,
  ctx: RunContext,
  from: number,
  to: number,
): Promise<void> {
  const ws = ctx.workspaceId;
  const stagedCols = [spec.key.staged, spec.key.stagedFolded, ...spec.fields.map(stagedOf)];
  const current = spec.fields.map((f) => sql`${ref('t', f.column)} AS ${sql.id(`cur_${f.column}`)}`);
  const { rows } = await sql<UpsertRow<X>>`SELECT r.row_no, r.is_first,
      ${sql.join([...new Set(stagedCols)].map((c) => ref('r', c)))},
      t.id AS cur_id, ${ref('t', spec.key.column)} AS cur_key, ${sql.join(current)}
      ${spec.select ? sql`, ${spec.select}` : sql``}
    FROM import_rows r LEFT JOIN ${sql.table(spec.table)} t ON ${spec.current(ctx)} ${spec.joins?.(ctx) ?? sql``}
    WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}
    ORDER BY r.row_no`.execute(db);
  const loaded = (await spec.load?.(db, ctx, from, to)) as B;
  const outcomes = rows.map((r) => rowOutcome(spec, ctx, r, loaded));
  await writeOutcomes(db, ctx, outcomes);
  if (ctx.options.dryRun) return;

  const at = now();
  const table = sql.table(spec.table);
  const batch = sql`run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}`;
  if (outcomes.some((o) => o.status === 'created')) {
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
      FROM import_rows WHERE ${batch} AND ${outcomeIs(ctx, 'import_rows', 'created')}
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
  if (outcomes.some((o) => o.status === 'updated')) {
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
        WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND ${outcomeIs(ctx, 'r', 'updated')}
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
  (table: UpsertSpec<unknown>['table'], idColumn: string, key: { column: string; staged: string }) =>
  async (db: Db, ctx: RunContext, from: number, to: number): Promise<void> => {
    const id = sql.ref(idColumn);
    await sql`UPDATE import_rows SET ${id} = n.id
      FROM (SELECT r.target_key, t.id FROM import_rows r
        JOIN ${sql.table(table)} t ON t.workspace_id = ${ctx.workspaceId} AND ${ref('t', key.column)} = ${ref('r', key.staged)}
        WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND ${outcomeIs(ctx, 'r', 'created')}) n
      WHERE import_rows.run_id = ${ctx.runId} AND import_rows.target_key = n.target_key
        AND ${ref('import_rows', idColumn)} IS NULL`.execute(db);
  };
