import type { Db } from '../../db/dialect.js';
import type { ImportRowTable } from '../../db/schema.js';
import type { ColumnSpec } from '../stages/check-header.js';
import type { RowProblem } from '../../domain/row-problem.js';
import type { Cells } from '../stages/check-row.js';
import type { ExtraColumn, StagedLabelsAndValues } from '../stages/stage-labels-values.js';
import type { RunContext } from '../run-context.js';
import type { UndoTable, UndoTableFacts } from '../undo-record.js';
import type { ImportOptions, KindOption } from '../import-options.js';
import type { KindName } from '../types.js';

/** The checked values of one row, before references are resolved. NULL: unchanged; '': clear. */
export type StagedValues = Partial<
  Pick<
    ImportRowTable,
    | 'customer_key'
    | 'email'
    | 'position_name'
    | 'primary_value'
    | 'first_name'
    | 'last_name'
    | 'name'
    | 'erp_id'
    | 'password_hash'
    | 'password_digest'
    | 'active_value'
  >
>;

/** One import kind: its columns, its per-row check, and its set-based plan and apply. */
export interface ImportKind {
  readonly name: KindName;
  /** One line for people choosing a kind. */
  readonly summary: string;
  readonly columns: readonly ColumnSpec[];
  /** The options that change what this kind does (the file's own options apply to every kind). */
  readonly options: readonly KindOption[];
  /** Columns copied into the report's unmatched and invalid entries. */
  readonly keyColumns: readonly string[];
  /**
   * Columns the workspace defines beside `columns` (contacts: custom fields, by name), loaded once before
   * staging; also what `/api/kinds` lists and templates carry after `columns`.
   */
  extraColumns?(db: Db, workspaceId: number): Promise<readonly ExtraColumn[]>;
  /** Checks one row's cells on their own (no database); `extra` is what extraColumns loaded. */
  checkRow(
    cells: Cells,
    options: ImportOptions,
    extra?: readonly ExtraColumn[],
  ): (StagedValues & { labelsAndValues?: StagedLabelsAndValues }) | RowProblem;
  /**
   * Columns whose cells are secret (passwords): blanked before the row is staged, so never stored or listed.
   * The uploaded file of such a kind is kept for a shorter time (see `holdsSecrets`).
   */
  readonly secretColumns?: readonly string[];
  /**
   * Slow work a checked row needs before it is staged (hashing a password), started at once and run off the
   * main thread; what it returns is staged with the row. Undefined when the row needs none.
   */
  prepareRow?(values: StagedValues, ctx: RunContext): Promise<Partial<StagedValues>> | undefined;
  /**
   * Where each valid row's `target_key` (the record it names) is already known while staging: the folded
   * email of contacts and users. Staged with the row, so no whole-run pass of the plan rewrites every row
   * for it.
   */
  readonly stagedTarget?: 'email_ci';
  /** What undo needs to know of each table the kind writes. */
  readonly undoTables: Readonly<Partial<Record<UndoTable, UndoTableFacts>>>;
  /** Resolves references and settles rows of the same target, over the whole run. */
  plan(db: Db, ctx: RunContext): Promise<void>;
  /** Decides each pending row of the batch (and records its changes); applies them unless a dry run. */
  applyBatch(db: Db, ctx: RunContext, from: number, to: number): Promise<void>;
}

/** The value of an optional cell: absent or blank is NULL (unchanged) unless --blank clear makes it ''. */
export function optional(cells: Cells, column: string, options: ImportOptions): string | null {
  const value = cells.get(column);
  if (value === undefined) return null;
  if (value === '') return options.blank === 'clear' ? '' : null;
  return value;
}

/** Whether a kind's files hold secrets (passwords), so that an uploaded file of it is kept only briefly. */
export function holdsSecrets(kind: ImportKind): boolean {
  return (kind.secretColumns?.length ?? 0) > 0;
}
