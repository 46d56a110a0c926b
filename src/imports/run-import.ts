import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { now } from '../domain/text.js';
import type { Workspace } from '../domain/workspaces.js';
import { KINDS } from './kinds/index.js';
import type { RunContext } from './run-context.js';
import { findRun, insertRun, updateRun } from './run-repository.js';
import { decodeFile, type FileInfo } from './stages/decode.js';
import { parseCsv } from './stages/parse.js';
import { FileRejectedError } from './stages/rejection.js';
import { buildReport, countRows } from './stages/report.js';
import { stageRows } from './stages/stage-rows.js';
import type { ImportOptions, ImportProgress, ImportReport, KindName } from './types.js';

export interface ImportRequest {
  workspace: Workspace;
  kind: KindName;
  filePath: string;
  /** The name people know the file by (an upload's original name); default the path's base name. */
  fileName?: string;
  actor: string;
  options: ImportOptions;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * The import pipeline: decode → parse → check headers → check rows (staged in the database) → resolve
 * references and settle same-target rows (plan) → apply in batches, one transaction each → report.
 * Nothing is applied before the whole file has been read, so a rejected file changes nothing.
 */
export async function runImport(db: Db, request: ImportRequest): Promise<ImportReport> {
  const { workspace, options } = request;
  const kind = KINDS[request.kind];
  const progress = request.onProgress ?? (() => {});
  const publicId = randomUUID();
  const runId = await insertRun(db, {
    public_id: publicId,
    workspace_id: workspace.id,
    kind: request.kind,
    status: 'running',
    phase: 'staging',
    dry_run: options.dryRun ? 1 : 0,
    actor: request.actor,
    file_name: request.fileName ?? path.basename(request.filePath),
    file_bytes: 0,
    file_sha256: '',
    encoding: options.encoding ?? 'utf-8',
    bom: 0,
    options: JSON.stringify(options),
    header: null,
    warnings: '[]',
    counts: null,
    rejection: null,
    error: null,
    rows_total: 0,
    rows_done: 0,
    pid: process.pid,
    started_at: now(),
    finished_at: null,
  });
  const ctx: RunContext = { runId, workspaceId: workspace.id, kind: request.kind, options };

  const file = decodeFile(request.filePath, { encoding: options.encoding });
  const fileColumns = (info: FileInfo) => ({
    file_bytes: info.bytes,
    file_sha256: info.sha256,
    encoding: info.encoding,
    bom: info.bom ? (1 as const) : (0 as const),
  });
  try {
    const records = parseCsv(file.text, {
      delimiter: options.delimiter,
      reopen: () => decodeFile(request.filePath, { encoding: options.encoding }).text,
    });
    const staged = await stageRows(db, ctx, kind, records, (rowsDone) =>
      progress({ phase: 'staging', rowsDone, rowsTotal: 0 }),
    );
    await updateRun(db, ctx.runId, {
      ...fileColumns(file.info()),
      header: JSON.stringify(staged.header.columns),
      warnings: JSON.stringify(staged.header.warnings),
      rows_total: staged.rows,
      phase: 'planning',
    });
    progress({ phase: 'planning', rowsDone: 0, rowsTotal: staged.rows });
    await inTransaction(db, async (trx) => {
      await kind.plan(trx, ctx);
      await updateRun(trx, ctx.runId, { phase: 'applying' });
    });
    await applyBatches(db, ctx, staged.rows, progress);
    await finish(db, ctx.runId);
  } catch (err) {
    if (err instanceof FileRejectedError) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('import_rows').where('run_id', '=', ctx.runId).execute();
        await updateRun(trx, ctx.runId, {
          ...safeInfo(file.info),
          status: 'rejected',
          phase: 'done',
          rejection: JSON.stringify(err.rejection),
          counts: JSON.stringify(await countRows(trx, ctx.runId)),
          finished_at: now(),
        });
      });
    } else {
      await updateRun(db, ctx.runId, {
        status: 'failed',
        error: String((err as Error).message ?? err),
        finished_at: now(),
      });
      throw err;
    }
  }
  const run = await findRun(db, workspace.id, publicId);
  return buildReport(db, run!, workspace.slug);
}

function safeInfo(info: () => FileInfo) {
  try {
    const i = info();
    return {
      file_bytes: i.bytes,
      file_sha256: i.sha256,
      encoding: i.encoding,
      bom: i.bom ? (1 as const) : (0 as const),
    };
  } catch {
    return {};
  }
}

/** Applies the staged rows batch by batch; each batch and its progress commit together. */
async function applyBatches(
  db: Db,
  ctx: RunContext,
  total: number,
  progress: (p: ImportProgress) => void,
): Promise<void> {
  const kind = KINDS[ctx.kind];
  const size = ctx.options.batchSize;
  const run = await db
    .selectFrom('import_runs')
    .select('rows_done')
    .where('id', '=', ctx.runId)
    .executeTakeFirstOrThrow();
  for (let from = run.rows_done + 1; from <= total; from += size) {
    const to = Math.min(total, from + size - 1);
    await inTransaction(db, async (trx) => {
      await kind.applyBatch(trx, ctx, from, to);
      await updateRun(trx, ctx.runId, { rows_done: to });
    });
    progress({ phase: 'applying', rowsDone: to, rowsTotal: total });
  }
}

async function finish(db: Db, runId: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    await updateRun(trx, runId, {
      status: 'completed',
      phase: 'done',
      counts: JSON.stringify(await countRows(trx, runId)),
      finished_at: now(),
    });
  });
}
