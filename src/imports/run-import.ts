import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { dialectOf, type Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { withWorkspaceLock } from '../db/workspace-lock.js';
import { rememberHeaderChoices } from '../domain/column-mappings.js';
import { now } from '../domain/text.js';
import { dataVersion, touchWorkspace, type Workspace } from '../domain/workspaces.js';
import { AppError } from '../errors.js';
import { systemFault } from '../system-faults.js';
import { KINDS } from './kinds/index.js';
import type { RunContext } from './run-context.js';
import type { ImportOptions } from './import-options.js';
import { buildReport, countRows } from './run-report.js';
import {
  getRun,
  insertRun,
  LeaseLost,
  requireRun,
  updateRun,
  updateRunIf,
  type ImportRun,
  type RunLease,
} from './run-repository.js';
import type { FileInfo } from './stages/decode.js';
import { readFile } from './stages/read-file.js';
import { isDatabaseUpload, runFileInput } from './upload-repository.js';
import { FileRejectedError } from './stages/rejection.js';
import { deleteLabelsAndValues } from './stages/stage-labels-values.js';
import { stageRows } from './stages/stage-rows.js';
import type { ImportProgress, ImportReport, KindName } from './types.js';

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
  /** A worker's lease (PostgreSQL's workers): every write of the run checks the worker still holds it. */
  lease?: RunLease;
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

/** Records a run that has not started. */
export async function createRun(db: Db, run: NewRun): Promise<ImportRun> {
  return insertRun(db, {
    publicId: randomUUID(),
    workspaceId: run.workspace.id,
    kind: run.kind,
    status: run.status,
    actor: run.actor,
    fileName: run.fileName ?? path.basename(run.filePath),
    filePath: isDatabaseUpload(run.filePath) ? run.filePath : path.resolve(run.filePath),
    fileBytes: run.fileBytes ?? 0,
    options: run.options,
    pid: run.status === 'running' ? process.pid : null,
    host: run.status === 'running' ? os.hostname() : null,
    startedAt: now(),
    sourceRunId: run.source?.runId ?? null,
    expectedDataVersion: run.source?.dataVersion ?? null,
  });
}

/**
 * The import pipeline: decode → parse → check headers → check rows (staged in the database) → resolve
 * references and settle same-target rows (plan) → apply in batches, one transaction each → report.
 * Nothing is applied before the whole file has been read, so a rejected file changes nothing.
 */
export async function runImport(db: Db, request: ImportRequest): Promise<ImportReport> {
  const run = await createRun(db, { ...request, status: 'running' });
  return executeRun(db, request.workspace, run, request);
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
      `Run ${run.publicId} is ${run.status}; only an interrupted run can be resumed.`,
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
  const claimed = await updateRunIf(db, run, {
    status: 'running',
    pid: process.pid,
    host: os.hostname(),
    error: null,
  });
  if (!claimed) {
    throw new AppError('invalid_state', `Run ${run.publicId} was taken up by another process.`);
  }
  return executeRun(db, workspace, { ...run, status: 'running' }, opts);
}

/** Carries out a run a worker has claimed under its lease (`claimRun`): a new one, or one taken over. */
export function executeClaimedRun(
  db: Db,
  workspace: Workspace,
  run: ImportRun,
  opts: ExecuteOptions & { lease: RunLease },
): Promise<ImportReport> {
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
  const lease = opts.lease;
  const { options } = run;
  const ctx: RunContext = { runId: run.id, workspaceId: workspace.id, kind: run.kind, options };
  const kind = KINDS[ctx.kind];
  const filePath = run.filePath ?? run.fileName;
  const file = readFile(runFileInput(db, filePath), options);
  let phase = run.phase;
  try {
    if (phase === 'staging') {
      await db.deleteFrom('import_outcomes').where('run_id', '=', run.id).execute();
      await db.deleteFrom('import_rows').where('run_id', '=', run.id).execute();
      await deleteLabelsAndValues(db, run.id);
      const staged = await stageRows(db, ctx, kind, file.records, (rowsDone) =>
        progress({ phase: 'staging', rowsDone, rowsTotal: 0 }),
      );
      await updateRun(
        db,
        run.id,
        {
          ...fileColumns(file.info()),
          header: staged.header.columns,
          mapping: staged.header.mapping,
          warnings: [...file.info().warnings, ...staged.header.warnings],
          rowsTotal: staged.rows,
          phase: 'planning',
        },
        lease,
      );
      phase = 'planning';
    }
    if (signal?.aborted) throw new RunInterrupted();
    const apply = async () => {
      const total = await rowsTotal(db, run.id);
      if (phase === 'planning') {
        progress({ phase: 'planning', rowsDone: 0, rowsTotal: total });
        await dialectOf(db).analyzeStaging(db);
        await inTransaction(db, async (trx) => {
          const version = await dataVersion(trx, workspace.id);
          if (run.expectedDataVersion !== null && run.expectedDataVersion !== version) {
            throw new AppError(
              'preview_outdated',
              `The data changed after the dry run ${run.sourceRunId ?? ''} was made; nothing was applied.`,
              'Make a new dry run of the file, review it, and apply that one.',
            );
          }
          await kind.plan(trx, ctx);
          await updateRun(trx, run.id, { phase: 'applying', dataVersion: version }, lease);
        });
      }
      await applyBatches(db, ctx, total, progress, signal, lease);
      await finish(db, run.id, lease);
      // What people chose for a header is preselected for the next file with that header (the web UI).
      if (!options.dryRun && options.mapping) {
        await rememberHeaderChoices(db, workspace.id, ctx.kind, options.mapping);
      }
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
    // Another worker holds the run now: it is theirs to write, not this one's.
    if (err instanceof LeaseLost) throw err;
    if (err instanceof RunInterrupted) {
      await updateRun(db, run.id, { status: 'interrupted' }, lease);
      return buildReport(db, await getRun(db, run.id), workspace.slug);
    }
    if (!(err instanceof FileRejectedError)) {
      // A fault of the machine (full disk, lost database, the file gone) leaves the run resumable once fixed.
      const fault = systemFault(err);
      await updateRun(
        db,
        run.id,
        fault?.resumable
          ? { status: 'interrupted', error: fault.error.message }
          : {
              status: 'failed',
              error: fault?.error.message ?? String((err as Error).message ?? err),
              finishedAt: now(),
            },
        lease,
      ).catch(() => undefined); // the same fault may stop this write too; the next start marks the run interrupted
      throw fault?.error ?? err;
    }
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('import_outcomes').where('run_id', '=', run.id).execute();
      await trx.deleteFrom('import_rows').where('run_id', '=', run.id).execute();
      await deleteLabelsAndValues(trx, run.id);
      await updateRun(
        trx,
        run.id,
        {
          ...safeInfo(file.info),
          status: 'rejected',
          phase: 'done',
          rejection: err.rejection,
          counts: await countRows(trx, run.id),
          finishedAt: now(),
        },
        lease,
      );
    });
  }
  return buildReport(db, await getRun(db, run.id), workspace.slug);
}

/** Thrown between batches when the run was asked to stop; the run is left `interrupted`. */
class RunInterrupted extends Error {
  constructor() {
    super('The import was stopped; it resumes from its last committed batch.');
  }
}

function fileColumns(info: FileInfo) {
  return {
    fileBytes: info.bytes,
    fileSha256: info.sha256,
    encoding: info.encoding,
    bom: info.bom,
    sheet: info.sheet ?? null,
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
  return (await getRun(db, runId)).rowsTotal;
}

/**
 * How many rows one transaction applies: whole batches of `--batch-size` rows, as many as commit in about
 * TRANSACTION_MS, at most TRANSACTION_ROWS. Each commit rewrites the index pages it touched, so a few large
 * transactions cost far less than many small ones; the time bound keeps short what a waiting writer (an
 * edit, on SQLite) waits, how late a stop is heard, and the work a crash throws away.
 */
const TRANSACTION_MS = 1000;
const TRANSACTION_ROWS = 50_000;

/** The batches of the next transaction, from the last one's: at most twice as many, at least one. */
export function nextBatches(batches: number, ms: number, batchSize: number): number {
  const most = Math.max(1, Math.floor(TRANSACTION_ROWS / batchSize));
  const fit = Math.floor((batches * TRANSACTION_MS) / Math.max(ms, 1));
  return Math.max(1, Math.min(most, batches * 2, fit));
}

/**
 * Applies the staged rows after the last committed one, a transaction of whole batches at a time; the
 * transaction's last row is `rows_done`, committed with it, so a resume starts at a transaction boundary.
 */
async function applyBatches(
  db: Db,
  ctx: RunContext,
  total: number,
  progress: Progress,
  signal: AbortSignal | undefined,
  lease: RunLease | undefined,
): Promise<void> {
  const kind = KINDS[ctx.kind];
  const size = ctx.options.batchSize;
  const { rowsDone } = await getRun(db, ctx.runId);
  let batches = 1;
  for (let from = rowsDone + 1; from <= total;) {
    if (signal?.aborted) throw new RunInterrupted();
    const to = Math.min(total, from + batches * size - 1);
    const started = performance.now();
    await inTransaction(db, async (trx) => {
      await dialectOf(trx).tuneBatchTransaction(trx);
      await kind.applyBatch(trx, ctx, from, to);
      if (!ctx.options.dryRun) await touchWorkspace(trx, ctx.workspaceId);
      await updateRun(trx, ctx.runId, { rowsDone: to }, lease);
    });
    batches = nextBatches(batches, performance.now() - started, size);
    progress({ phase: 'applying', rowsDone: to, rowsTotal: total });
    from = to + 1;
  }
}

async function finish(db: Db, runId: number, lease: RunLease | undefined): Promise<void> {
  await inTransaction(db, async (trx) => {
    await updateRun(
      trx,
      runId,
      { status: 'completed', phase: 'done', counts: await countRows(trx, runId), finishedAt: now() },
      lease,
    );
  });
}
