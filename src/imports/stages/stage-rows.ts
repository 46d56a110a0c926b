import type { Insertable } from 'kysely';
import { dialectOf, type Db } from '../../db/dialect.js';
import type { ImportRowTable } from '../../db/schema.js';
import { ChunkWriter } from '../../db/insert-many.js';
import { inTransaction } from '../../db/transaction.js';
import { foldCase } from '../../domain/text.js';
import type { ImportKind, StagedValues } from '../kinds/kind.js';
import type { RunContext } from '../run-context.js';

import { checkHeader, type CheckedHeader } from './check-header.js';
import { isProblem, type RowProblem } from '../../domain/row-problem.js';
import { toCells } from './check-row.js';
import type { CsvRecord } from './parse.js';
import { FileRejectedError } from './rejection.js';
import { LabelsAndValuesChunk } from './stage-labels-values.js';
import { PendingRowWork, withoutSecrets } from './stage-secrets.js';

type StagedRow = Insertable<ImportRowTable>;

export interface StagingResult {
  header: CheckedHeader;
  rows: number;
}

/** The columns staging may write; a chunk writes those that any of its rows sets, and the first six. */
const COLUMNS = [
  ...['run_id', 'row_no', 'line', 'cells', 'status', 'is_first'],
  ...['reason', 'column_name', 'message', 'hint', 'customer_key', 'customer_key_ci', 'email', 'email_ci'],
  ...[
    'position_name',
    'position_ci',
    'primary_value',
    'first_name',
    'last_name',
    'name',
    'name_ci',
    'target_key',
  ],
  ...['erp_id', 'erp_id_ci', 'password_hash', 'password_digest', 'active_value'],
] as const satisfies readonly (keyof StagedRow)[];
const ALWAYS = 6;

/** Rows of a chunk: one transaction (SQLite) or one COPY (PostgreSQL) each. */
const CHUNK_ROWS = 5000;

/**
 * Starts writing a chunk of staged rows with the columns its rows use (fewer columns, smaller rows to
 * write); `then` runs once they are written.
 */
async function writeStagedRows(
  writer: ChunkWriter,
  db: Db,
  rows: readonly StagedRow[],
  then: () => Promise<void>,
): Promise<void> {
  const columns = COLUMNS.filter(
    (c, i) => i < ALWAYS || rows.some((r) => r[c] !== null && r[c] !== undefined),
  );
  const values = rows.map((r) => columns.map((c) => r[c] ?? null));
  await writer.write(columns, values, Math.floor(dialectOf(db).maxParams / columns.length), then);
}

const fold = (v: string | null | undefined) => (v === null || v === undefined ? null : foldCase(v));

function toStagedRow(
  kind: ImportKind,
  ctx: RunContext,
  rowNo: number,
  record: CsvRecord,
  result: StagedValues | RowProblem,
): StagedRow {
  // Written out field by field: this runs once per row of the file, and spreads cost more than the insert.
  const problem = isProblem(result) ? result : undefined;
  const v: StagedValues = problem ? {} : (result as StagedValues);
  const email_ci = fold(v.email);
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
    // Every row is its target's first until settleSameTargetRows finds a target named twice.
    is_first: 1,
    customer_key: v.customer_key ?? null,
    customer_key_ci: fold(v.customer_key),
    email: v.email ?? null,
    email_ci,
    target_key: kind.stagedTarget === 'email_ci' && !problem ? email_ci : null,
    position_name: v.position_name ?? null,
    position_ci: fold(v.position_name),
    primary_value: v.primary_value ?? null,
    first_name: v.first_name ?? null,
    last_name: v.last_name ?? null,
    name: v.name ?? null,
    name_ci: fold(v.name),
    erp_id: v.erp_id ?? null,
    erp_id_ci: fold(v.erp_id),
    password_hash: v.password_hash ?? null,
    password_digest: v.password_digest ?? null,
    active_value: v.active_value ?? null,
  };
}

/**
 * Stages the file: checks the header, checks each row on its own and writes rows to `import_rows`, a chunk
 * at a time, the next chunk read and checked while the last one is written. Memory holds two chunks of
 * rows. Throws FileRejectedError for the file, once no chunk is being written any more.
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
  let labelsAndValues = new LabelsAndValuesChunk();
  const extra = (await kind.extraColumns?.(db, ctx.workspaceId)) ?? [];
  const pending = new PendingRowWork();
  // Rows that need slow preparation (password hashing) go in smaller chunks, so that progress moves.
  const chunkSize = kind.prepareRow ? 50 : CHUNK_ROWS;
  const writer = new ChunkWriter(db, 'import_rows');
  const flush = async () => {
    if (chunk.length === 0) return;
    await pending.settle();
    const rows = chunk;
    const sideRows = labelsAndValues;
    const staged = rowNo;
    chunk = [];
    labelsAndValues = new LabelsAndValuesChunk();
    // Each chunk commits on its own: a run killed while staging starts staging over when resumed.
    await writeStagedRows(writer, db, rows, async () => {
      if (!sideRows.empty) await inTransaction(db, (trx) => sideRows.insert(trx));
      onRows(staged);
    });
  };
  try {
    for await (const record of records) {
      if (header === undefined) {
        header = checkHeader(record.cells, kind.columns, {
          kind: kind.name,
          ignoreUnknown: ctx.options.ignoreUnknown,
          mapping: ctx.options.mapping,
          extra: extra.map((c) => c.name),
          delimiterGiven: ctx.options.delimiter !== undefined,
        });
        continue;
      }
      const row = toCells(header, record);
      if (row.kind === 'blank') continue;
      rowNo += 1;
      const checked = row.problem ?? kind.checkRow(row.cells, ctx.options, extra);
      const staged = toStagedRow(
        kind,
        ctx,
        rowNo,
        withoutSecrets(record, header, kind.secretColumns),
        checked,
      );
      chunk.push(staged);
      if (!isProblem(checked)) labelsAndValues.add(ctx.runId, rowNo, checked.labelsAndValues);
      if (!isProblem(checked)) pending.add(staged, kind.prepareRow?.(checked, ctx));
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
    await writer.done();
    return { header, rows: rowNo };
  } catch (err) {
    await writer.abandon();
    throw err;
  }
}
