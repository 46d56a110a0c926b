import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { analyzeStaging, type Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { withWorkspaceLock } from '../db/workspace-lock.js';
import { now } from '../domain/text.js';
import { dataVersion, touchWorkspace, type Workspace } from '../domain/workspaces.js';
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

/** How a run is carried out: progress callbacks, the lock timeout, and a signal that stops it at a batch. */
export interface ExecuteOptions {
  onProgress?: Progress;
  lockTimeoutMs?: number;
  /** When aborted, the run stops after its current batch and is left `interrupted`, ready to resume. */
  signal?: AbortSignal;
}

/** A new run to record: queued (the API's background imports) or running at once (the CLI). */
export interface NewRun {
  workspace: Workspace;
  kind: KindName;
  filePath: string;
  fileName?: string;
  fileBytes?: number;
  actor: string;
  options: ImportOptions;
  status: 'queued' | 'running';
  /** A run applying a reviewed dry run: the dry run's id and the data version it saw. */
  source?: { runId: string; dataVersion: number | null };
}

const DEFAULT_LOCK_TIMEOUT_MS = 600_000;

type Progress = (progress: ImportProgress) => void;

/** Records a run that has not started; returns its public id. */
export async function createRun(db: Db, run: NewRun): Promise<string> {
  const publicId = randomUUID();
  await insertRun(db, {
    public_id: publicId,
    workspace_id: run.workspace.id,
    kind: run.kind,
    status: run.status,
    phase: 'staging',
    dry_run: run.options.dryRun ? 1 : 0,
    actor: run.actor,
    file_name: run.fileName ?? path.basename(run.filePath),
    file_path: path.resolve(run.filePath),
    file_bytes: run.fileBytes ?? 0,
    file_sha256: '',
    encoding: run.options.encoding ?? 'utf-8',
    bom: 0,
    options: JSON.stringify(run.options),
    header: null,
    warnings: '[]',
    counts: null,
    rejection: null,
    error: null,
    rows_total: 0,
    rows_done: 0,
    pid: run.status === 'running' ? process.pid : null,
    host: run.status === 'running' ? os.hostname() : null,
    started_at: now(),
    finished_at: null,
    undone_at: null,
    undo_report: null,
    source_run_id: run.source?.runId ?? null,
    expected_data_version: run.source?.dataVersion ?? null,
  });
  return publicId;
}

/**
 * The import pipeline: decode → parse → check headers → check rows (staged in the database) → resolve
 * references and settle same-target rows (plan) → apply in batches, one transaction each → report.
 * Nothing is applied before the whole file has been read, so a rejected file changes nothing.
 */
export async function runImport(db: Db, request: ImportRequest): Promise<ImportReport> {
  const publicId = await createRun(db, { ...request, status: 'running' });
  const run = await findRun(db, request.workspace.id, publicId);
  return executeRun(db, request.workspace, run!, request);
}

/**
 * Finishes an interrupted run from where it stopped: staging starts over (nothing was applied yet), a plan
 * is made again, batches continue after the last committed one. The report covers the whole file.
 */
export async function resumeImport(
  db: Db,
  workspace: Workspace,
  id: string,
  opts: ExecuteOptions = {},
): Promise<ImportReport> {
  const run = await requireRun(db, workspace, id);
  if (run.status !== 'interrupted') {
    throw new AppError(
      'invalid_state',
      `Run ${run.public_id} is ${run.status}; only an interrupted run can be resumed.`,
    );
  }
  return startRun(db, workspace, run, opts);
}

/**
 * Carries out a queued run, or resumes an interrupted one (what background workers do). A run that is
 * already running elsewhere or finished is left alone and its report returned.
 */
export async function executeQueuedRun(
  db: Db,
  workspace: Workspace,
  id: string,
  opts: ExecuteOptions = {},
): Promise<ImportReport> {
  const run = await requireRun(db, workspace, id);
  if (run.status !== 'queued' && run.status !== 'interrupted') return buildReport(db, run, workspace.slug);
  return startRun(db, workspace, run, opts);
}

/** Claims a queued or interrupted run for this process (only one claimer wins) and executes it. */
async function startRun(
  db: Db,
  workspace: Workspace,
  run: ImportRun,
  opts: ExecuteOptions,
): Promise<ImportReport> {
  const claimed = await db
    .updateTable('import_runs')
    .set({ status: 'running', pid: process.pid, host: os.hostname(), error: null })
    .where('id', '=', run.id)
    .where('status', '=', run.status)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) {
    throw new AppError('invalid_state', `Run ${run.public_id} was taken up by another process.`);
  }
  return executeRun(db, workspace, { ...run, status: 'running' }, opts);
}

async function executeRun(
  db: Db,
  workspace: Workspace,
  run: ImportRun,
  opts: ExecuteOptions,
): Promise<ImportReport> {
  const progress = opts.onProgress ?? (() => {});
  const lockTimeoutMs = opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const signal = opts.signal;
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
    if (signal?.aborted) throw new RunInterrupted();
    const apply = async () => {
      const total = await rowsTotal(db, run.id);
      if (phase === 'planning') {
        progress({ phase: 'planning', rowsDone: 0, rowsTotal: total });
        await analyzeStaging(db);
        await inTransaction(db, async (trx) => {
          const version = await dataVersion(trx, workspace.id);
          if (run.expected_data_version !== null && run.expected_data_version !== version) {
            throw new AppError(
              'preview_outdated',
              `The data changed after the dry run ${run.source_run_id ?? ''} was made; nothing was applied.`,
              'Make a new dry run of the file, review it, and apply that one.',
            );
          }
          await kind.plan(trx, ctx);
          await updateRun(trx, run.id, { phase: 'applying', data_version: version });
        });
      }
      await applyBatches(db, ctx, total, progress, signal);
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
    if (err instanceof RunInterrupted) {
      await updateRun(db, run.id, { status: 'interrupted' });
      const stopped = await findRun(db, workspace.id, run.public_id);
      return buildReport(db, stopped!, workspace.slug);
    }
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

/** Thrown between batches when the run was asked to stop; the run is left `interrupted`. */
class RunInterrupted extends Error {
  constructor() {
    super('The import was stopped; it resumes from its last committed batch.');
  }
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
async function applyBatches(
  db: Db,
  ctx: RunContext,
  total: number,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const kind = KINDS[ctx.kind];
  const size = ctx.options.batchSize;
  const run = await db
    .selectFrom('import_runs')
    .select('rows_done')
    .where('id', '=', ctx.runId)
    .executeTakeFirstOrThrow();
  for (let from = run.rows_done + 1; from <= total; from += size) {
    if (signal?.aborted) throw new RunInterrupted();
    const to = Math.min(total, from + size - 1);
    await inTransaction(db, async (trx) => {
      await kind.applyBatch(trx, ctx, from, to);
      if (!ctx.options.dryRun) await touchWorkspace(trx, ctx.workspaceId);
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
