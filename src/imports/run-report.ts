import type { Db } from '../db/dialect.js';
import type { RowStatus } from '../db/schema.js';
import type { z } from 'zod';
import type { RowOutcomeEntry as RowOutcomeEntrySchema } from './contract.js';
import { KINDS } from './kinds/index.js';
import { countRowStatuses, type ImportRun } from './run-repository.js';
import type { ImportCounts, ImportReport, KindName, RowEntry, Warning } from './types.js';

/** The JSON lists are capped; the errors CSV (and paged reads) always hold every row. */
export const LIST_CAP = 1000;

/** Counts by outcome; every staged row is in exactly one of them. */
export async function countRows(db: Db, runId: number): Promise<ImportCounts> {
  const byStatus = await countRowStatuses(db, runId);
  const n = (s: string) => byStatus.get(s) ?? 0;
  return {
    rowsProcessed: [...byStatus.values()].reduce((a, b) => a + b, 0),
    created: n('created'),
    updated: n('updated'),
    unchanged: n('unchanged'),
    unmatched: n('unmatched'),
    invalid: n('invalid'),
    duplicates: n('duplicate'),
  };
}

interface ListedRow {
  line: number;
  cells: string;
  reason: string | null;
  column_name: string | null;
  message: string | null;
  hint: string | null;
  dup_of_line: number | null;
}

function listRows(db: Db, runId: number, status: RowStatus): Promise<ListedRow[]> {
  return db
    .selectFrom('import_rows')
    .select(['line', 'cells', 'reason', 'column_name', 'message', 'hint', 'dup_of_line'])
    .where('run_id', '=', runId)
    .where('status', '=', status)
    .orderBy('row_no')
    .limit(LIST_CAP)
    .execute();
}

/** A listed row: its line, its key columns as written, the reason, and the fix. */
export function toEntry(kind: KindName, header: (string | null)[], row: ListedRow): RowEntry {
  const cells = JSON.parse(row.cells) as string[];
  const entry: RowEntry = { line: row.line, reason: row.reason ?? 'unknown', message: row.message ?? '' };
  for (const column of KINDS[kind].keyColumns) {
    const at = header.indexOf(column);
    if (at >= 0) entry[column] = (cells[at] ?? '').trim();
  }
  if (row.column_name) entry.column = row.column_name;
  if (row.hint) entry.hint = row.hint;
  return entry;
}

/** Builds the report of SPEC section 4 from what the run recorded. */
export async function buildReport(db: Db, run: ImportRun, workspace: string): Promise<ImportReport> {
  const { kind, header } = run;
  const counts = run.counts ?? (await countRows(db, run.id));
  const [unmatched, invalid, duplicates] = await Promise.all(
    (['unmatched', 'invalid', 'duplicate'] as const).map((s) => listRows(db, run.id, s)),
  );
  const warnings: Warning[] = [
    ...run.warnings,
    ...duplicates!.map((d) => ({
      line: d.line,
      reason: 'duplicate_row',
      message: `Same effect as line ${d.dup_of_line}; applied once.`,
    })),
  ];
  const { dryRun: _dry, ...options } = run.options;
  const report: ImportReport = {
    id: run.publicId,
    kind,
    workspace,
    dryRun: run.dryRun,
    status: run.status,
    file: {
      name: run.fileName,
      bytes: run.fileBytes,
      sha256: run.fileSha256,
      encoding: run.encoding,
      bom: run.bom,
      ...(run.encoding === 'xlsx' && { format: 'xlsx' as const, sheet: run.sheet ?? '' }),
    },
    options,
    counts,
    unmatched: unmatched!.map((r) => toEntry(kind, header, r)),
    invalid: invalid!.map((r) => toEntry(kind, header, r)),
    warnings,
    mapping: run.mapping,
    rejection: run.rejection,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
  const left = {
    unmatched: counts.unmatched - report.unmatched.length,
    invalid: counts.invalid - report.invalid.length,
    warnings: counts.duplicates - duplicates!.length,
  };
  if (left.unmatched + left.invalid + left.warnings > 0) report.truncated = left;
  if (run.error) report.error = run.error;
  return report;
}

/** One row's outcome as recorded by a run (dry or not), for review row by row. */
export type RowOutcomeEntry = z.infer<typeof RowOutcomeEntrySchema>;

/** A page of a run's rows in file order, optionally of one status; `after` is the last line of the previous page. */
export async function listRowOutcomes(
  db: Db,
  runId: number,
  opts: { status?: RowStatus; after?: number; limit?: number; header?: (string | null)[] } = {},
): Promise<RowOutcomeEntry[]> {
  // An applied row's outcome is in import_outcomes (its staged row stays `pending`).
  let query = db
    .selectFrom('import_rows as r')
    .leftJoin('import_outcomes as o', (j) =>
      j.onRef('o.run_id', '=', 'r.run_id').onRef('o.row_no', '=', 'r.row_no'),
    )
    .select(['r.line', 'r.status as staged', 'o.status', 'r.reason', 'r.column_name', 'r.message', 'r.hint'])
    .select(['o.changes', 'r.cells'])
    .where('r.run_id', '=', runId)
    .where('r.line', '>', opts.after ?? 0)
    .orderBy('r.line')
    .limit(opts.limit ?? 100);
  const status = opts.status;
  if (status === 'created' || status === 'updated' || status === 'unchanged') {
    query = query.where('o.status', '=', status);
  } else if (status === 'pending') {
    query = query.where('r.status', '=', status).where('o.status', 'is', null);
  } else if (status) query = query.where('r.status', '=', status);
  const rows = await query.execute();
  const header = opts.header;
  return rows.map((r) => ({
    line: r.line,
    status: r.status ?? r.staged,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.column_name && header ? { column: r.column_name } : {}),
    ...(r.message ? { message: r.message } : {}),
    ...(r.hint && header ? { hint: r.hint } : {}),
    ...(header ? { values: valuesOf(header, r.cells) } : {}),
    ...(r.changes ? { changes: JSON.parse(r.changes) as Record<string, [unknown, unknown]> } : {}),
  }));
}

function valuesOf(header: (string | null)[], cellsJson: string): Record<string, string> {
  const cells = JSON.parse(cellsJson) as string[];
  const values: Record<string, string> = {};
  header.forEach((column, i) => {
    if (column !== null && !column.startsWith('_')) values[column] = (cells[i] ?? '').trim();
  });
  return values;
}
