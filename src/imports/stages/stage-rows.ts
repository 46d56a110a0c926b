import type { Insertable } from 'kysely';
import { maxParams, type Db } from '../../db/dialect.js';
import type { ImportRowTable } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { foldCase } from '../../domain/text.js';
import type { ImportKind, StagedValues } from '../kinds/kind.js';
import type { RunContext } from '../run-context.js';

import { checkHeader, type CheckedHeader } from './check-header.js';
import { isProblem, toCells, type RowProblem } from './check-row.js';
import type { CsvRecord } from './parse.js';
import { FileRejectedError } from './rejection.js';

type StagedRow = Insertable<ImportRowTable>;

export interface StagingResult {
  header: CheckedHeader;
  rows: number;
}

/** Columns of one staged row; keeps each chunk's statement under the database's parameter limit. */
const STAGED_COLUMNS = 23;

const fold = (v: string | null | undefined) => (v === null || v === undefined ? null : foldCase(v));

function toStagedRow(
  ctx: RunContext,
  rowNo: number,
  record: CsvRecord,
  result: StagedValues | RowProblem,
): StagedRow {
  // Written out field by field: this runs once per row of the file, and spreads cost more than the insert.
  const problem = isProblem(result) ? result : undefined;
  const v: StagedValues = problem ? {} : (result as StagedValues);
  return {
    run_id: ctx.runId,
    row_no: rowNo,
    line: record.line,
    cells: JSON.stringify(record.cells),
    status: problem ? 'invalid' : 'pending',
    reason: problem?.reason ?? null,
    column_name: problem?.column ?? null,
    message: problem?.message ?? null,
    hint: problem?.hint ?? null,
    is_first: 0,
    customer_key: v.customer_key ?? null,
    customer_key_ci: fold(v.customer_key),
    email: v.email ?? null,
    email_ci: fold(v.email),
    position_name: v.position_name ?? null,
    position_ci: fold(v.position_name),
    primary_value: v.primary_value ?? null,
    first_name: v.first_name ?? null,
    last_name: v.last_name ?? null,
    name: v.name ?? null,
    name_ci: fold(v.name),
    erp_id: v.erp_id ?? null,
    erp_id_ci: fold(v.erp_id),
  };
}

/**
 * Stages the file: checks the header, checks each row on its own and writes rows to `import_rows` in
 * multi-row inserts. Memory holds one chunk of rows at a time. Throws FileRejectedError for the file.
 */
export async function stageRows(
  db: Db,
  ctx: RunContext,
  kind: ImportKind,
  records: AsyncIterable<CsvRecord>,
  onRows: (staged: number) => void,
): Promise<StagingResult> {
  let header: CheckedHeader | undefined;
  let rowNo = 0;
  let chunk: StagedRow[] = [];
  const chunkSize = Math.min(1000, Math.floor(maxParams(db) / STAGED_COLUMNS));
  const flush = async () => {
    if (chunk.length === 0) return;
    const rows = chunk;
    chunk = [];
    await inTransaction(db, (trx) => trx.insertInto('import_rows').values(rows).execute());
    onRows(rowNo);
  };
  for await (const record of records) {
    if (header === undefined) {
      header = checkHeader(record.cells, kind.columns, {
        delimiterGiven: ctx.options.delimiter !== undefined,
      });
      continue;
    }
    const row = toCells(header, record);
    if (row.kind === 'blank') continue;
    rowNo += 1;
    chunk.push(toStagedRow(ctx, rowNo, record, row.problem ?? kind.checkRow(row.cells, ctx.options)));
    if (chunk.length >= chunkSize) await flush();
  }
  if (header === undefined) {
    throw new FileRejectedError({
      reason: 'empty_file',
      line: 1,
      message: 'The file is empty.',
      hint: `The first line must be a header: ${kind.columns.map((c) => c.name).join(',')}`,
    });
  }
  await flush();
  return { header, rows: rowNo };
}
