import { dialectOf, type Db } from '../../db/dialect.js';
import { updateMany } from '../../db/insert-many.js';
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

/** Settles a row: created when it makes a new record, updated when anything changes, else unchanged. */
export function outcome(
  row_no: number,
  created: boolean,
  changes: Record<string, Change>,
  undo: (UndoRecord | undefined)[] = [],
): RowOutcome {
  const changed = Object.keys(changes).length > 0;
  const records = undo.filter((u): u is UndoRecord => u !== undefined);
  return {
    row_no,
    status: created ? 'created' : changed ? 'updated' : 'unchanged',
    changes: changed ? changes : null,
    ...(records.length > 0 ? { undo: records } : {}),
  };
}

const OUTCOME_COLUMNS = [
  { name: 'status', type: 'text' },
  { name: 'changes', type: 'text' },
  { name: 'undo_data', type: 'text' },
] as const;

/** Writes the outcomes of a batch onto its staged rows: status, changes and undo data. */
export async function writeOutcomes(db: Db, ctx: RunContext, outcomes: readonly RowOutcome[]): Promise<void> {
  const rows = outcomes.map((o) => [
    o.row_no,
    o.status,
    o.changes === null ? null : JSON.stringify(o.changes),
    o.undo && !ctx.options.dryRun ? JSON.stringify(o.undo) : null,
  ]);
  const key = { column: 'row_no', fixed: { run_id: ctx.runId } };
  if (await updateMany(db, 'import_rows', key, OUTCOME_COLUMNS, rows)) return;
  // Elsewhere (the server's event-loop handle): an upsert on the row's key, one statement per chunk.
  const { maxParams } = dialectOf(db);
  const chunk = Math.floor(maxParams / 8);
  for (let i = 0; i < outcomes.length; i += chunk) {
    const values = outcomes.slice(i, i + chunk).map((o) => ({
      run_id: ctx.runId,
      row_no: o.row_no,
      line: 0,
      cells: '',
      is_first: 0 as const,
      status: o.status,
      changes: o.changes === null ? null : JSON.stringify(o.changes),
      undo_data: o.undo && !ctx.options.dryRun ? JSON.stringify(o.undo) : null,
    }));
    await db
      .insertInto('import_rows')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['run_id', 'row_no']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          changes: eb.ref('excluded.changes'),
          undo_data: eb.ref('excluded.undo_data'),
        })),
      )
      .execute();
  }
}
