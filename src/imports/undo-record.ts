import type { Database } from '../db/schema.js';

/** A table an import changes, and so one undo puts back; each kind names those it writes (`undoTables`). */
export type UndoTable = keyof Database;

/**
 * One record an import row created or changed, in database terms: how to find it again (`key`, natural keys
 * that survive the run: ref, email_ci, customer_id…), its columns before and after the row. Written with the
 * change, in the same transaction; undo compares `after` with what the record holds now.
 */
export interface UndoRecord {
  table: UndoTable;
  key: Record<string, string | number>;
  /** The row created the record: undo removes it. */
  created?: true;
  /** The row removed the record (a label, a field value): undo puts it back from `before`. */
  deleted?: true;
  before?: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** What undo needs to know of a table an import kind writes; each kind declares the tables it writes. */
export interface UndoTableFacts {
  /** The table has a workspace_id, so a key is looked up within the workspace. */
  withWorkspace?: true;
  /** The table has updated_at, which undo sets when it puts values back. */
  timestamped?: true;
  /**
   * The rows that refer to a record of this table by its id (`table.column` = id): a record the run created
   * is kept when any still refers to it (added after the run), since removing it would lose them.
   */
  dependents?: readonly { table: UndoTable; column: string }[];
}
