import type { Insertable } from 'kysely';
import type { ImportRowTable } from '../../db/schema.js';
import type { CheckedHeader } from './check-header.js';
import type { CsvRecord } from './parse.js';

type StagedRow = Insertable<ImportRowTable>;

/**
 * The record as it may be kept (`import_rows.cells`, the report, the errors CSV): secret cells blank. A row
 * with the wrong number of fields keeps no cells at all, since its secret may have shifted into any of them.
 */
export function withoutSecrets(
  record: CsvRecord,
  header: CheckedHeader,
  secretColumns: readonly string[] | undefined,
): CsvRecord {
  if (!secretColumns?.length) return record;
  if (record.cells.length !== header.columns.length) return { line: record.line, cells: [] };
  const cells = record.cells.map((cell, i) => (secretColumns.includes(header.columns[i] ?? '') ? '' : cell));
  return { line: record.line, cells };
}

/**
 * Slow per-row work (hashing a password) started as each row is checked, so that it runs while the file is
 * still being read, and finished before the row's chunk is written: `settle` fills the staged rows in.
 * A failure is kept (not left as an unhandled rejection) and thrown by `settle`.
 */
export class PendingRowWork {
  private work: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  add(row: StagedRow, result: Promise<Partial<StagedRow>> | undefined): void {
    if (result === undefined) return;
    this.work.push(
      result.then(
        (values) => void Object.assign(row, values),
        (error: unknown) => void (this.failure ??= { error }),
      ),
    );
  }

  async settle(): Promise<void> {
    const work = this.work;
    this.work = [];
    await Promise.all(work);
    if (this.failure) throw this.failure.error;
  }
}
