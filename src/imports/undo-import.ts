import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { touchWorkspace } from '../domain/workspaces.js';
import { withWorkspaceLock } from '../db/workspace-lock.js';
import { now } from '../domain/text.js';
import type { Workspace } from '../domain/workspaces.js';
import { AppError } from '../errors.js';
import { KINDS } from './kinds/index.js';
import type { ImportKind } from './kinds/kind.js';
import { requireRun, updateRun } from './run-repository.js';
import type { UndoRecord, UndoTable } from './undo-record.js';

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

const PAGE = 500;

/** What undo knows of the tables of the run's kind. */
type Tables = ImportKind['undoTables'];

function whereKey(record: UndoRecord, workspaceId: number, tables: Tables): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  const withWorkspace = tables[record.table]?.withWorkspace === true;
  if (withWorkspace) parts.push(sql`workspace_id = ${workspaceId}`);
  for (const [column, value] of Object.entries(record.key)) {
    parts.push(
      column === 'email_ci' && !withWorkspace
        ? sql`contact_id = (SELECT id FROM contacts WHERE workspace_id = ${workspaceId} AND email_ci = ${value})`
        : sql`${sql.ref(column)} = ${value}`,
    );
  }
  return sql.join(parts, sql` AND `);
}

/** Rows that still refer to a record undo would remove (added after the run): removing it would lose them. */
async function dependents(trx: Db, record: UndoRecord, workspaceId: number, tables: Tables): Promise<number> {
  const query = tables[record.table]?.dependents;
  if (!query) return 0;
  const { rows } = await query(whereKey(record, workspaceId, tables)).execute(trx);
  return Number(rows[0]?.n ?? 0);
}

/** Puts back a record the run removed (a label of a contact, a field value). */
async function reinsert(
  trx: Db,
  record: UndoRecord,
  workspaceId: number,
): Promise<'restored' | { conflict: string }> {
  const columns: RawBuilder<unknown>[] = [];
  const values: RawBuilder<unknown>[] = [];
  for (const [column, value] of Object.entries({ ...record.key, ...record.before })) {
    if (column === 'email_ci') {
      const { rows } = await sql<{
        id: number;
      }>`SELECT id FROM contacts WHERE workspace_id = ${workspaceId} AND email_ci = ${value}`.execute(trx);
      if (!rows[0]) return { conflict: 'Its contact was deleted after the run.' };
      columns.push(sql.ref('contact_id'));
      values.push(sql`${rows[0].id}`);
    } else {
      columns.push(sql.ref(column));
      values.push(sql`${value}`);
    }
  }
  await sql`INSERT INTO ${sql.table(record.table)} (${sql.join(columns)}) VALUES (${sql.join(values)})`.execute(
    trx,
  );
  return 'restored';
}

/** Puts one record back; returns what happened. */
async function undoRecord(
  trx: Db,
  record: UndoRecord,
  workspaceId: number,
  tables: Tables,
): Promise<'restored' | 'removed' | 'gone' | { conflict: string }> {
  const table = sql.table(record.table);
  const where = whereKey(record, workspaceId, tables);
  const columns = Object.keys(record.after);
  const select = columns.length > 0 ? sql.join(columns.map((c) => sql.ref(c))) : sql`1 AS one`;
  const { rows } = await sql<Record<string, unknown>>`SELECT ${select} FROM ${table} WHERE ${where}`.execute(
    trx,
  );
  const current = rows[0];
  if (record.deleted)
    return current
      ? { conflict: 'It was added again after the run; left as it is.' }
      : reinsert(trx, record, workspaceId);
  if (!current) return record.created ? 'gone' : { conflict: 'It was deleted after the run.' };
  const changed = columns.filter((c) => current[c] !== record.after[c]);
  if (changed.length > 0) {
    // A hash is never shown, not even in a conflict.
    const shown = (c: string) => (c === 'password_hash' ? '(changed)' : JSON.stringify(current[c]));
    const what = changed.map((c) => `${c} is now ${shown(c)}`).join(', ');
    return { conflict: `It changed after the run (${what}); left as it is.` };
  }
  if (record.created) {
    if ((await dependents(trx, record, workspaceId, tables)) > 0) {
      return {
        conflict: 'It was created by the run but has links, labels or values added since; left as it is.',
      };
    }
    await sql`DELETE FROM ${table} WHERE ${where}`.execute(trx);
    return 'removed';
  }
  const values = Object.entries(record.before ?? {}).map(([c, v]) => sql`${sql.ref(c)} = ${v}`);
  if (tables[record.table]?.timestamped) values.push(sql`updated_at = ${now()}`);
  await sql`UPDATE ${table} SET ${sql.join(values)} WHERE ${where}`.execute(trx);
  return 'restored';
}

/**
 * Undoes a completed run: every record it changed goes back to its values from before the run, records it
 * created are removed, last row first. A record that changed again since is listed as a conflict and left
 * as it is. One transaction, under the workspace's import lock.
 */
export async function undoImport(
  db: Db,
  workspace: Workspace,
  id: string,
  opts: { lockTimeoutMs?: number } = {},
): Promise<UndoReport> {
  const run = await requireRun(db, workspace, id);
  if (run.status === 'undone') throw new AppError('invalid_state', `Run ${run.publicId} was already undone.`);
  if (run.dryRun)
    throw new AppError('invalid_state', `Run ${run.publicId} was a dry run: it changed nothing.`);
  if (run.status !== 'completed') {
    throw new AppError(
      'invalid_state',
      `Run ${run.publicId} is ${run.status}; only a completed run can be undone.`,
    );
  }
  const tables = KINDS[run.kind].undoTables;
  const lock = { workspaceId: workspace.id, runId: run.id, timeoutMs: opts.lockTimeoutMs ?? 600_000 };
  return withWorkspaceLock(db, lock, () =>
    inTransaction(db, async (trx) => {
      const report: UndoReport = {
        id: run.publicId,
        status: 'undone',
        restored: 0,
        removed: 0,
        conflicts: [],
        undoneAt: now(),
      };
      let before: number | undefined;
      for (;;) {
        let page = trx
          .selectFrom('import_rows')
          .select(['row_no', 'line', 'undo_data'])
          .where('run_id', '=', run.id)
          .where('undo_data', 'is not', null);
        if (before !== undefined) page = page.where('row_no', '<', before);
        const rows = await page.orderBy('row_no', 'desc').limit(PAGE).execute();
        for (const row of rows) {
          const records = JSON.parse(row.undo_data!) as UndoRecord[];
          for (const record of records.reverse()) {
            const result = await undoRecord(trx, record, workspace.id, tables);
            if (result === 'restored') report.restored += 1;
            else if (result === 'removed') report.removed += 1;
            else if (result !== 'gone') {
              report.conflicts.push({
                line: row.line,
                table: record.table,
                key: record.key,
                message: result.conflict,
              });
            }
          }
        }
        if (rows.length < PAGE) break;
        before = rows[rows.length - 1]!.row_no;
      }
      report.conflicts.reverse();
      await touchWorkspace(trx, workspace.id);
      await updateRun(trx, run.id, {
        status: 'undone',
        undoneAt: report.undoneAt,
        undoReport: report,
      });
      return report;
    }),
  );
}
