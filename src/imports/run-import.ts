import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { analyzeStaging, type Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { withWorkspaceLock } from '../db/workspace-lock.js';
import { now } from '../domain/text.js';
import type { Workspace } from '../domain/workspaces.js';
import { AppError } from '../errors.js';
import { KINDS } from './kinds/index.js';
import type { RunContext } from './run-context.js';
import { findRun, insertRun, requireRun, updateRun, type ImportRun } from './run-repository.js';
import { decodeFile, type FileInfo } from './stages/decode.js';
import { parseCsv } from './stages/parse.js';
import { FileRejectedError } from './stages/rejection.js';
import { buildReport, countRows } from './stages/report.js';
import { deleteExtras } from './stages/stage-extras.js';
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
  /** How long to wait for another import into the same workspace (ROSTER_LOCK_TIMEOUT_MS). */
  lockTimeoutMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 600_000;

type Progress = (progress: ImportProgress) => void;

/**
 * The import pipeline: decode → parse → check headers → check rows (staged in the database) → resolve
 * references and settle same-target rows (plan) → apply in batches, one transaction each → report.
 * Nothing is applied before the whole file has been read, so a rejected file changes nothing.
 */
export async function runImport(db: Db, request: ImportRequest): Promise<ImportReport> {
  const publicId = randomUUID();
  await insertRun(db, {
    public_id: publicId,
    workspace_id: request.workspace.id,
    kind: request.kind,
    status: 'running',
    phase: 'staging',
    dry_run: request.options.dryRun ? 1 : 0,
    actor: request.actor,
    file_name: request.fileName ?? path.basename(request.filePath),
    file_path: path.resolve(request.filePath),
    file_bytes: 0,
    file_sha256: '',
    encoding: request.options.encoding ?? 'utf-8',
    bom: 0,
    options: JSON.stringify(request.options),
    header: null,
    warnings: '[]',
    counts: null,
    rejection: null,
    error: null,
    rows_total: 0,
    rows_done: 0,
    pid: process.pid,
    host: os.hostname(),
    started_at: now(),
    finished_at: null,
    undone_at: null,
    undo_report: null,
  });
  const run = await findRun(db, request.workspace.id, publicId);
  return executeRun(db, request.workspace, run!, request.onProgress ?? (() => {}), request.lockTimeoutMs);
}

/**
 * Finishes an interrupted run from where it stopped: staging starts over (nothing was applied yet), a plan
 * is made again, batches continue after the last committed one. The report covers the whole file.
 */
export async function resumeImport(
  db: Db,
  workspace: Workspace,
  id: string,
  opts: { onProgress?: Progress; lockTimeoutMs?: number } = {},
): Promise<ImportReport> {
  const run = await requireRun(db, workspace, id);
  if (run.status !== 'interrupted') {
    throw new AppError(
      'invalid_state',
      `Run ${run.public_id} is ${run.status}; only an interrupted run can be resumed.`,
    );
  }
  await updateRun(db, run.id, { status: 'running', pid: process.pid, host: os.hostname(), error: null });
  return executeRun(
    db,
    workspace,
    { ...run, status: 'running' },
    opts.onProgress ?? (() => {}),
    opts.lockTimeoutMs,
  );
}

async function executeRun(
  db: Db,
  workspace: Workspace,
  run: ImportRun,
  progress: Progress,
  lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<ImportReport> {
  const options = JSON.parse(run.options) as ImportOptions;
  const ctx: RunContext = { runId: run.id, workspaceId: workspace.id, kind: run.kind as KindName, options };
  const kind = KINDS[ctx.kind];
  const filePath = run.file_path ?? run.file_name;
  const file = decodeFile(filePath, { encoding: options.encoding });
  let phase = run.phase;
  try {
    if (phase === 'staging') {
      await db.deleteFrom('import_rows').where('run_id', '=', run.id).execute();
      await deleteExtras(db, run.id);
      const records = parseCsv(file.text, {
        delimiter: options.delimiter,
        reopen: () => decodeFile(filePath, { encoding: options.encoding }).text,
      });
      const staged = await stageRows(db, ctx, kind, records, (rowsDone) =>
        progress({ phase: 'staging', rowsDone, rowsTotal: 0 }),
      );
      await updateRun(db, run.id, {
        ...fileColumns(file.info()),
        header: JSON.stringify(staged.header.columns),
        warnings: JSON.stringify(staged.header.warnings),
        rows_total: staged.rows,
        phase: 'planning',
      });
      phase = 'planning';
    }
    const apply = async () => {
      const total = await rowsTotal(db, run.id);
      if (phase === 'planning') {
        progress({ phase: 'planning', rowsDone: 0, rowsTotal: total });
        await analyzeStaging(db);
        await inTransaction(db, async (trx) => {
          await kind.plan(trx, ctx);
          await updateRun(trx, run.id, { phase: 'applying' });
        });
      }
      await applyBatches(db, ctx, total, progress);
      await finish(db, run.id);
      progress({ phase: 'done', rowsDone: total, rowsTotal: total });
    };
    // A dry run writes nothing but its own rows, so it needs no lock; a real run holds the workspace from
    // plan to last batch, so what it planned still holds when it applies.
    if (options.dryRun) await apply();
    else
      await withWorkspaceLock(
        db,
        { workspaceId: workspace.id, runId: run.id, timeoutMs: lockTimeoutMs },
        apply,
      );
  } catch (err) {
    if (!(err instanceof FileRejectedError)) {
      await updateRun(db, run.id, {
        status: 'failed',
        error: String((err as Error).message ?? err),
        finished_at: now(),
      });
      throw err;
    }
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('import_rows').where('run_id', '=', run.id).execute();
      await deleteExtras(trx, run.id);
      await updateRun(trx, run.id, {
        ...safeInfo(file.info),
        status: 'rejected',
        phase: 'done',
        rejection: JSON.stringify(err.rejection),
        counts: JSON.stringify(await countRows(trx, run.id)),
        finished_at: now(),
      });
    });
  }
  const done = await findRun(db, workspace.id, run.public_id);
  return buildReport(db, done!, workspace.slug);
}

function fileColumns(info: FileInfo) {
  return {
    file_bytes: info.bytes,
    file_sha256: info.sha256,
    encoding: info.encoding,
    bom: info.bom ? (1 as const) : (0 as const),
  };
}

function safeInfo(info: () => FileInfo) {
  try {
    return fileColumns(info());
  } catch {
    return {};
  }
}

async function rowsTotal(db: Db, runId: number): Promise<number> {
  const run = await db
    .selectFrom('import_runs')
    .select('rows_total')
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  return run.rows_total;
}

/** Applies the staged rows batch by batch after the last committed one; a batch and its progress commit together. */
async function applyBatches(db: Db, ctx: RunContext, total: number, progress: Progress): Promise<void> {
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
