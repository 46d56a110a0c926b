import { sql, type RawBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { touchWorkspace } from '../domain/workspaces.js';
import { withWorkspaceLock } from '../db/workspace-lock.js';
import { now } from '../domain/text.js';
import type { Workspace } from '../domain/workspaces.js';
import { AppError } from '../errors.js';
import { KINDS } from './kinds/index.js';
import type { ImportKind } from './kinds/kind.js';
import { requireRun, updateRun, type ImportRun } from './run-repository.js';
import type { UndoRecord, UndoTable, UndoTableFacts } from './undo-record.js';

/** A record undo left as it is, because it changed again after the run. */
export interface UndoConflict {
  line: number;
  table: UndoTable;
  key: Record<string, string | number>;
  message: string;
}

export interface UndoReport {
  id: string;
  status: 'undone';
  /** Records put back to their values from before the run. */
  restored: number;
  /** Records the run had created, removed again. */
  removed: number;
  conflicts: UndoConflict[];
  undoneAt: string;
}

/*
 * Undo goes through the run's rows a page at a time, last row first, each page one transaction: it reads the
 * page's undo records, fetches what their records hold now with one SELECT per table, decides every record
 * in JS exactly as a record-by-record walk (last row first, a row's records last first) would, and writes
 * the outcome with one DELETE, UPDATE or INSERT per table and column set. The page commits with how far the
 * undo has got, its counts and its conflicts (import_undos, import_undo_conflicts), so an undo that was
 * killed carries on after its last page when it is started again, nothing undone or counted twice.
 */

/** Rows of the first page; later pages are sized to take about PAGE_MS. */
const FIRST_PAGE = 500;
const MIN_PAGE = 200;
const MAX_PAGE = 20_000;
const PAGE_MS = 500;

const ADDED_AGAIN = 'It was added again after the run; left as it is.';
const CONTACT_GONE = 'Its contact was deleted after the run.';
const DELETED = 'It was deleted after the run.';
const HAS_DEPENDENTS =
  'It was created by the run but has links, labels or values added since; left as it is.';

/** What undo knows of the tables of the run's kind. */
type Tables = ImportKind['undoTables'];
type Key = Record<string, string | number>;
type Outcome = 'restored' | 'removed' | 'gone' | { conflict: string };

/** One undo record in the order a record-by-record undo takes them. */
interface Step {
  rowNo: number;
  /** The record's place in its row's undo data. */
  seq: number;
  line: number;
  record: UndoRecord;
  outcome?: Outcome;
}

/** A record as the steps before leave it, starting from what the database holds. */
interface RecordState {
  key: Key;
  /** It is in the database now. */
  initial: boolean;
  exists: boolean;
  values: Record<string, unknown>;
  /** Columns put back (UPDATE of a record that stays). */
  restored: Set<string>;
  /** The run created it and it matches: removed unless rows refer to it (tables with dependents). */
  removal?: Step;
}

interface PageResult {
  restored: number;
  removed: number;
  conflicts: Step[];
}

const json = (rows: readonly unknown[]) => JSON.stringify(rows);
const keyString = (columns: readonly string[], row: Record<string, unknown>) =>
  JSON.stringify(columns.map((c) => row[c]));

/** `(t.a, t.b) IN (keys)`: the rows of `table` with one of the keys. */
function keyIn(db: Db, table: string, columns: readonly string[], keys: readonly Key[]): RawBuilder<unknown> {
  const left = sql.join(columns.map((c) => sql.ref(`${table}.${c}`)));
  return sql`(${left}) IN ${dialectOf(db).jsonRows(table, columns, json(keys))}`;
}

/** The contact ids of the emails that the link, label and value records name, as they are now. */
async function contactIds(
  trx: Db,
  workspaceId: number,
  steps: Step[],
  tables: Tables,
): Promise<Map<string, number>> {
  const emails = new Set<string>();
  for (const { record } of steps) {
    const email = record.key.email_ci;
    if (typeof email === 'string' && !tables[record.table]?.withWorkspace) emails.add(email);
  }
  const ids = new Map<string, number>();
  if (emails.size === 0) return ids;
  const rows = [...emails].map((email_ci) => ({ email_ci }));
  const { rows: found } = await sql<{ id: number; email_ci: string }>`SELECT id, email_ci FROM contacts
    WHERE workspace_id = ${workspaceId}
      AND email_ci IN ${dialectOf(trx).jsonRows('contacts', ['email_ci'], json(rows))}`.execute(trx);
  for (const r of found) ids.set(r.email_ci, r.id);
  return ids;
}

/** How the record is found in its table: its key, the contact's email read as its id; undefined: gone. */
function tableKey(
  record: UndoRecord,
  workspaceId: number,
  facts: UndoTableFacts,
  contacts: Map<string, number>,
): Key | undefined {
  const key: Key = facts.withWorkspace ? { workspace_id: workspaceId } : {};
  for (const [column, value] of Object.entries(record.key)) {
    if (column === 'email_ci' && !facts.withWorkspace) {
      const id = contacts.get(String(value));
      if (id === undefined) return undefined;
      key.contact_id = id;
    } else key[column] = value;
  }
  return key;
}

/** The conflict of a record whose columns no longer hold the run's values. */
function changedConflict(record: UndoRecord, values: Record<string, unknown>): Outcome | undefined {
  const changed = Object.keys(record.after).filter((c) => values[c] !== record.after[c]);
  if (changed.length === 0) return undefined;
  // A hash is never shown, not even in a conflict.
  const shown = (c: string) => (c === 'password_hash' ? '(changed)' : JSON.stringify(values[c]));
  const what = changed.map((c) => `${c} is now ${shown(c)}`).join(', ');
  return { conflict: `It changed after the run (${what}); left as it is.` };
}

/** Groups `items` by a string. */
function groupBy<T>(items: Iterable<T>, by: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = by(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Undoes the steps of one table (and one key shape) of a page. */
async function undoTable(
  trx: Db,
  table: UndoTable,
  facts: UndoTableFacts,
  steps: Step[],
  workspaceId: number,
  contacts: Map<string, number>,
): Promise<void> {
  const states = new Map<string, RecordState>();
  const keyed: { step: Step; key: Key | undefined }[] = steps.map((step) => ({
    step,
    key: tableKey(step.record, workspaceId, facts, contacts),
  }));
  const present = keyed.find((k) => k.key)?.key;
  const keyColumns = present ? Object.keys(present) : [];

  // What the records hold now: one SELECT.
  if (present) {
    const valueColumns = [...new Set(steps.flatMap((s) => Object.keys(s.record.after)))];
    const keys = [
      ...new Map(keyed.flatMap((k) => (k.key ? [[keyString(keyColumns, k.key), k.key]] : []))).values(),
    ];
    const columns = [...keyColumns, ...valueColumns].map((c) => sql.ref(`${table}.${c}`));
    const { rows } = await sql<Record<string, unknown>>`SELECT ${sql.join(columns)} FROM ${sql.table(table)}
      WHERE ${keyIn(trx, table, keyColumns, keys)}`.execute(trx);
    const current = new Map(rows.map((r) => [keyString(keyColumns, r), r]));
    for (const key of keys) {
      const k = keyString(keyColumns, key);
      const row = current.get(k);
      states.set(k, { key, initial: !!row, exists: !!row, values: { ...row }, restored: new Set() });
    }
  }

  // Each record in turn, as a record-by-record undo would find it.
  for (const { step, key } of keyed) {
    const { record } = step;
    const state = key && states.get(keyString(keyColumns, key));
    if (!state) {
      step.outcome = record.deleted
        ? { conflict: CONTACT_GONE }
        : record.created
          ? 'gone'
          : { conflict: DELETED };
      continue;
    }
    if (record.deleted) {
      if (state.exists) step.outcome = { conflict: ADDED_AGAIN };
      else {
        state.exists = true;
        state.values = { ...key, ...record.before };
        step.outcome = 'restored';
      }
      continue;
    }
    if (!state.exists) {
      step.outcome = record.created ? 'gone' : { conflict: DELETED };
      continue;
    }
    const conflict = changedConflict(record, state.values);
    if (conflict) step.outcome = conflict;
    else if (record.created && facts.dependents)
      state.removal = step; // decided below
    else if (record.created) {
      state.exists = false;
      step.outcome = 'removed';
    } else {
      for (const [column, value] of Object.entries(record.before ?? {})) {
        state.values[column] = value;
        state.restored.add(column);
      }
      step.outcome = 'restored';
    }
  }
  if (!present) return;

  // A record the run created is kept while rows refer to it (added since, or put back above).
  const removals = [...states.values()].filter((s) => s.removal);
  if (removals.length > 0) {
    const referred = new Set<string>();
    const refs = facts.dependents!.map(
      (d) =>
        sql`EXISTS (SELECT 1 FROM ${sql.table(d.table)} d WHERE ${sql.ref(`d.${d.column}`)} = ${sql.ref(`${table}.id`)})`,
    );
    const { rows } = await sql<
      Record<string, unknown>
    >`SELECT ${sql.join(keyColumns.map((c) => sql.ref(`${table}.${c}`)))}
      FROM ${sql.table(table)}
      WHERE ${keyIn(
        trx,
        table,
        keyColumns,
        removals.map((s) => s.key),
      )} AND (${sql.join(refs, sql` OR `)})`.execute(trx);
    for (const r of rows) referred.add(keyString(keyColumns, r));
    for (const s of removals) {
      if (referred.has(keyString(keyColumns, s.key))) s.removal!.outcome = { conflict: HAS_DEPENDENTS };
      else {
        s.removal!.outcome = 'removed';
        s.exists = false;
      }
    }
  }

  const all = [...states.values()];
  const removed = all.filter((s) => s.initial && !s.exists);
  if (removed.length > 0) {
    await sql`DELETE FROM ${sql.table(table)} WHERE ${keyIn(
      trx,
      table,
      keyColumns,
      removed.map((s) => s.key),
    )}`.execute(trx);
  }
  const restored = all.filter((s) => s.initial && s.exists && s.restored.size > 0);
  for (const group of groupBy(restored, (s) => json([...s.restored].sort())).values()) {
    const columns = [...group[0]!.restored].sort();
    const rows = group.map((s) => ({
      ...s.key,
      ...Object.fromEntries(columns.map((c) => [c, s.values[c]])),
    }));
    const set = columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`k.${c}`)}`);
    if (facts.timestamped) set.push(sql`updated_at = ${now()}`);
    const match = keyColumns.map((c) => sql`${sql.ref(`${table}.${c}`)} = ${sql.ref(`k.${c}`)}`);
    await sql`UPDATE ${sql.table(table)} SET ${sql.join(set)}
      FROM ${dialectOf(trx).jsonRows(table, [...keyColumns, ...columns], json(rows))} AS k
      WHERE ${sql.join(match, sql` AND `)}`.execute(trx);
  }
  const reinserted = all.filter((s) => !s.initial && s.exists);
  for (const group of groupBy(reinserted, (s) => json(Object.keys(s.values).sort())).values()) {
    const columns = Object.keys(group[0]!.values).sort();
    const rows = group.map((s) => s.values);
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
      SELECT * FROM ${dialectOf(trx).jsonRows(table, columns, json(rows))} AS k`.execute(trx);
  }
}

/** Undoes the records of a page of rows (last row first); returns its counts and conflicts. */
async function undoPage(
  trx: Db,
  workspaceId: number,
  tables: Tables,
  rows: { row_no: number; line: number; undo_data: string | null }[],
): Promise<PageResult> {
  const steps: Step[] = [];
  for (const row of rows) {
    const records = JSON.parse(row.undo_data!) as UndoRecord[];
    for (let seq = records.length - 1; seq >= 0; seq--) {
      steps.push({ rowNo: row.row_no, seq, line: row.line, record: records[seq]! });
    }
  }
  const contacts = await contactIds(trx, workspaceId, steps, tables);
  // Tables that others refer to come last: a record the run created is removed after the links, labels and
  // values of it that this page removes (a record-by-record undo meets those first too).
  const groups = groupBy(steps, (s) => `${s.record.table} ${Object.keys(s.record.key).join(',')}`);
  const ordered = [...groups.values()].sort(
    (a, b) =>
      Number(!!tables[a[0]!.record.table]?.dependents) - Number(!!tables[b[0]!.record.table]?.dependents),
  );
  for (const group of ordered) {
    const table = group[0]!.record.table;
    await undoTable(trx, table, tables[table] ?? {}, group, workspaceId, contacts);
  }
  const result: PageResult = { restored: 0, removed: 0, conflicts: [] };
  for (const step of steps) {
    if (step.outcome === 'restored') result.restored += 1;
    else if (step.outcome === 'removed') result.removed += 1;
    else if (step.outcome !== 'gone') result.conflicts.push(step);
  }
  return result;
}

/** Writes the page's conflicts and how far the undo has got, in the page's transaction. */
async function savePage(
  trx: Db,
  run: ImportRun,
  nextRow: number,
  page: PageResult,
  started: boolean,
): Promise<void> {
  const conflicts = page.conflicts.map((s) => ({
    run_id: run.id,
    row_no: s.rowNo,
    seq: s.seq,
    line: s.line,
    table_name: s.record.table,
    record_key: JSON.stringify(s.record.key),
    message: (s.outcome as { conflict: string }).conflict,
  }));
  const chunk = Math.floor(dialectOf(trx).maxParams / 7);
  for (let i = 0; i < conflicts.length; i += chunk) {
    await trx
      .insertInto('import_undo_conflicts')
      .values(conflicts.slice(i, i + chunk))
      .execute();
  }
  if (!started) {
    await trx
      .insertInto('import_undos')
      .values({
        run_id: run.id,
        next_row: nextRow,
        restored: page.restored,
        removed: page.removed,
        started_at: now(),
      })
      .execute();
  } else {
    await trx
      .updateTable('import_undos')
      .set((eb) => ({
        next_row: nextRow,
        restored: eb('restored', '+', page.restored),
        removed: eb('removed', '+', page.removed),
      }))
      .where('run_id', '=', run.id)
      .execute();
  }
}

/** Marks the run undone with the report of the whole undo (all its pages), in the last page's transaction. */
async function finish(trx: Db, run: ImportRun): Promise<UndoReport> {
  const progress = await trx
    .selectFrom('import_undos')
    .select(['restored', 'removed'])
    .where('run_id', '=', run.id)
    .executeTakeFirst();
  const conflicts = await trx
    .selectFrom('import_undo_conflicts')
    .select(['line', 'table_name', 'record_key', 'message'])
    .where('run_id', '=', run.id)
    .orderBy('row_no')
    .orderBy('seq')
    .execute();
  const report: UndoReport = {
    id: run.publicId,
    status: 'undone',
    restored: progress?.restored ?? 0,
    removed: progress?.removed ?? 0,
    conflicts: conflicts.map((c) => ({
      line: c.line,
      table: c.table_name as UndoTable,
      key: JSON.parse(c.record_key) as UndoConflict['key'],
      message: c.message,
    })),
    undoneAt: now(),
  };
  await updateRun(trx, run.id, { status: 'undone', undoneAt: report.undoneAt, undoReport: report });
  await trx.deleteFrom('import_undo_conflicts').where('run_id', '=', run.id).execute();
  await trx.deleteFrom('import_undos').where('run_id', '=', run.id).execute();
  return report;
}

function checkUndoable(run: ImportRun): void {
  if (run.status === 'undone') throw new AppError('invalid_state', `Run ${run.publicId} was already undone.`);
  if (run.dryRun)
    throw new AppError('invalid_state', `Run ${run.publicId} was a dry run: it changed nothing.`);
  if (run.status !== 'completed') {
    throw new AppError(
      'invalid_state',
      `Run ${run.publicId} is ${run.status}; only a completed run can be undone.`,
    );
  }
}

/**
 * Undoes a completed run: every record it changed goes back to its values from before the run, records it
 * created are removed, last row first. A record that changed again since is listed as a conflict and left
 * as it is. Under the workspace's import lock throughout, in pages of rows that each commit; an undo that
 * was stopped half-way (a kill, a crash) carries on from its last page when it is started again.
 */
export async function undoImport(
  db: Db,
  workspace: Workspace,
  id: string,
  opts: {
    lockTimeoutMs?: number;
    /** After each page has committed (the server's worker thread lets the event loop's writes in). */
    betweenPages?: () => void;
  } = {},
): Promise<UndoReport> {
  const run = await requireRun(db, workspace, id);
  checkUndoable(run);
  const tables = KINDS[run.kind].undoTables;
  const lock = { workspaceId: workspace.id, runId: run.id, timeoutMs: opts.lockTimeoutMs ?? 600_000 };
  return withWorkspaceLock(db, lock, async () => {
    // Another undo of the run may have finished while this one waited for the lock.
    checkUndoable(await requireRun(db, workspace, id));
    let limit = FIRST_PAGE;
    for (;;) {
      const started = Date.now();
      const report = await inTransaction(db, async (trx) => {
        const progress = await trx
          .selectFrom('import_undos')
          .select('next_row')
          .where('run_id', '=', run.id)
          .executeTakeFirst();
        let page = trx
          .selectFrom('import_outcomes as o')
          .innerJoin('import_rows as r', (j) =>
            j.onRef('r.run_id', '=', 'o.run_id').onRef('r.row_no', '=', 'o.row_no'),
          )
          .select(['o.row_no', 'r.line', 'o.undo_data'])
          .where('o.run_id', '=', run.id)
          .where('o.undo_data', 'is not', null);
        if (progress) page = page.where('o.row_no', '<', progress.next_row);
        const rows = await page.orderBy('o.row_no', 'desc').limit(limit).execute();
        if (rows.length > 0) {
          const result = await undoPage(trx, workspace.id, tables, rows);
          await savePage(trx, run, rows[rows.length - 1]!.row_no, result, !!progress);
        }
        await touchWorkspace(trx, workspace.id);
        return rows.length < limit ? finish(trx, run) : undefined;
      });
      if (report) return report;
      opts.betweenPages?.();
      const scale = Math.min(2, PAGE_MS / Math.max(Date.now() - started, 1));
      limit = Math.min(MAX_PAGE, Math.max(MIN_PAGE, Math.round(limit * scale)));
    }
  });
}
