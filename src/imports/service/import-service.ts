import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { Db } from '../../db/dialect.js';
import type { RowStatus } from '../../db/schema.js';
import { dataVersion, workspaceById, type Workspace } from '../../domain/workspaces.js';
import { AppError } from '../../errors.js';
import type { ImportOptions } from '../import-options.js';
import { createRun, executeQueuedRun, resumeImport, runImport, type ExecuteOptions } from '../run-import.js';
import { buildReport, listRowOutcomes, type RowOutcomeEntry } from '../run-report.js';
import {
  claimApply,
  deleteRun,
  findRun,
  listRuns,
  listUnfinishedRuns,
  markInterruptedRuns,
  requireRun,
  type ImportRun,
} from '../run-repository.js';
import { writeErrorsCsv } from '../stages/errors-csv.js';
import type { ImportReport, KindName } from '../types.js';
import { undoImport, type UndoReport } from '../undo-import.js';
import { authorize, type Caller } from './caller.js';
import { withRunMapping } from './mapping-service.js';
import { fileKept, isUpload, removeUpload, removeUploadWhenDone } from './uploads.js';

export type { Caller } from './caller.js';

/**
 * What the service works with. `jobs` is the server's background queue: with it, new runs are queued for a
 * worker and undo runs off the event loop; without it (the CLI) they run in this process, at once.
 */
export interface ImportDeps {
  db: Db;
  config: { dataDir: string; lockTimeoutMs: number };
  jobs?: {
    enqueue(job: { workspaceId: number; runId: string }): Promise<void>;
    undo(workspaceId: number, runId: string): Promise<UndoReport>;
  };
}

/** A run of the caller's workspace: by exact id (the API), or by an unambiguous prefix too (the CLI). */
export async function readRun(
  deps: ImportDeps,
  caller: Caller,
  id: string,
  match: 'exact' | 'prefix' = 'exact',
): Promise<ImportRun> {
  authorize(caller, 'read');
  if (match === 'prefix') return requireRun(deps.db, caller.workspace, id);
  const run = await findRun(deps.db, caller.workspace.id, id);
  // Any other id, another workspace's too, is simply not found.
  if (!run || run.publicId !== id) throw new AppError('not_found', `No import ${id}.`);
  return run;
}

/** A page of the caller's runs, newest first. */
export function listImports(
  deps: ImportDeps,
  caller: Caller,
  page: { limit: number; offset?: number },
): Promise<{ items: ImportRun[]; total: number }> {
  authorize(caller, 'read');
  return listRuns(deps.db, caller.workspace.id, page);
}

/** A run's report (so far, for a run still under way). */
export function reportOf(deps: ImportDeps, caller: Caller, run: ImportRun): Promise<ImportReport> {
  authorize(caller, 'read');
  return buildReport(deps.db, run, caller.workspace.slug);
}

/** A run's report once it has finished (or was rejected); null while it is queued or running. */
export async function finalReportOf(
  deps: ImportDeps,
  caller: Caller,
  run: ImportRun,
): Promise<ImportReport | null> {
  return run.status === 'queued' || run.status === 'running' ? null : reportOf(deps, caller, run);
}

/** A page of a run's rows and their outcomes, in file order. */
export function rowsOf(
  deps: ImportDeps,
  caller: Caller,
  run: ImportRun,
  query: { status?: RowStatus; after?: number; limit?: number; withValues?: boolean },
): Promise<RowOutcomeEntry[]> {
  authorize(caller, 'read');
  const { withValues, ...page } = query;
  return listRowOutcomes(deps.db, run.id, { ...page, header: withValues ? run.header : undefined });
}

/** Writes a run's unmatched and invalid rows as a CSV that can be fixed and imported again. */
export function writeErrors(deps: ImportDeps, caller: Caller, run: ImportRun, out: Writable): Promise<void> {
  authorize(caller, 'read');
  return writeErrorsCsv(deps.db, run, out);
}

/** A file to import: where it is, what people call it, and how to read it. */
export interface ImportFile {
  kind: KindName;
  path: string;
  /** The name people know the file by (an upload's original name); default the path's base name. */
  name?: string;
  bytes?: number;
  options: ImportOptions;
}

/** Imports a file in this process, now, and returns its report (the CLI). */
export async function importFile(
  deps: ImportDeps,
  caller: Caller,
  file: ImportFile,
  run: Pick<ExecuteOptions, 'onProgress'> = {},
): Promise<ImportReport> {
  authorize(caller, 'import', file);
  return runImport(deps.db, {
    workspace: caller.workspace,
    kind: file.kind,
    filePath: file.path,
    fileName: file.name,
    actor: caller.actor,
    options: await withRunMapping(deps, caller, file.kind, file.options),
    onProgress: run.onProgress,
    lockTimeoutMs: deps.config.lockTimeoutMs,
  });
}

/** Records a run of an uploaded file and queues it; the upload is deleted if that fails. */
export async function queueImport(deps: ImportDeps, caller: Caller, file: ImportFile): Promise<ImportRun> {
  try {
    authorize(caller, 'import', file);
    const run = await createRun(deps.db, {
      workspace: caller.workspace,
      kind: file.kind,
      filePath: file.path,
      fileName: file.name,
      fileBytes: file.bytes,
      actor: caller.actor,
      options: await withRunMapping(deps, caller, file.kind, file.options),
      status: 'queued',
    });
    await start(deps, run);
    return run;
  } catch (err) {
    await removeUpload(deps, file.path);
    throw err;
  }
}

/**
 * Starts the real run of a completed dry run, if the workspace's data is still what the dry run saw
 * (`preview_outdated` otherwise). The new run is queued; the plan checks the data version again.
 */
export async function applyDryRun(deps: ImportDeps, caller: Caller, dry: ImportRun): Promise<ImportRun> {
  authorize(caller, 'apply', dry);
  const { db } = deps;
  if (!dry.dryRun) throw new AppError('invalid_state', `Import ${dry.publicId} is not a dry run.`);
  if (dry.status !== 'completed') {
    throw new AppError(
      'invalid_state',
      `Dry run ${dry.publicId} is ${dry.status}; only a completed one applies.`,
    );
  }
  if (dry.appliedRunId) {
    const applied = await findRun(db, caller.workspace.id, dry.appliedRunId);
    if (applied && applied.status !== 'failed') {
      throw new AppError(
        'invalid_state',
        `Dry run ${dry.publicId} was applied already, by ${applied.publicId}.`,
      );
    }
  }
  if (dry.dataVersion === null || dry.dataVersion !== (await dataVersion(db, caller.workspace.id))) {
    throw new AppError(
      'preview_outdated',
      'The data changed after this dry run was made, so what it previewed may no longer hold.',
      'Make a new dry run of the file, review it, and apply that one.',
    );
  }
  if (!dry.filePath || !(await fileKept(deps, dry.filePath))) {
    throw new AppError('invalid_state', 'The file of this dry run is no longer kept.', 'Upload it again.');
  }
  // An upload cannot change; a file the CLI read in place can have been edited since its dry run.
  if (!isUpload(deps.config, dry.filePath) && (await sha256Of(dry.filePath)) !== dry.fileSha256) {
    throw new AppError(
      'preview_outdated',
      `${dry.filePath} changed after this dry run was made; nothing was applied.`,
      'Make a new dry run of the file, review it, and apply that one.',
    );
  }
  const run = await createRun(db, {
    workspace: caller.workspace,
    kind: dry.kind,
    filePath: dry.filePath,
    fileName: dry.fileName,
    fileBytes: dry.fileBytes,
    actor: caller.actor,
    options: { ...dry.options, dryRun: false },
    status: 'queued',
    source: { runId: dry.publicId, dataVersion: dry.dataVersion },
  });
  // Only one apply wins, even when two arrive at once.
  if (!(await claimApply(db, dry, run.publicId))) {
    await deleteRun(db, run.id);
    throw new AppError('invalid_state', `Dry run ${dry.publicId} is being applied already.`);
  }
  await start(deps, run);
  return run;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hands a queued run to the workers, or (without a queue) leaves it for `runQueued` in this process. */
async function start(deps: ImportDeps, run: ImportRun): Promise<void> {
  await deps.jobs?.enqueue({ workspaceId: run.workspaceId, runId: run.publicId });
}

/**
 * Claims a queued (or interrupted) run and carries it out; what background workers and the CLI's apply do.
 * Afterwards the run's upload is deleted unless it is still needed (see uploads.ts).
 */
export async function runQueued(
  deps: ImportDeps,
  job: { workspaceId: number; runId: string },
  run: Omit<ExecuteOptions, 'lockTimeoutMs'> = {},
): Promise<ImportReport | undefined> {
  const workspace = await workspaceById(deps.db, job.workspaceId);
  if (!workspace) return undefined;
  try {
    return await executeQueuedRun(deps.db, workspace, job.runId, {
      ...run,
      lockTimeoutMs: deps.config.lockTimeoutMs,
    });
  } finally {
    const done = await findRun(deps.db, workspace.id, job.runId);
    if (done) await removeUploadWhenDone(deps, done);
  }
}

/** Finishes an interrupted run in this process from its last committed batch. */
export function resumeRun(
  deps: ImportDeps,
  caller: Caller,
  id: string,
  run: Pick<ExecuteOptions, 'onProgress'> = {},
): Promise<ImportReport> {
  authorize(caller, 'resume');
  return resumeImport(deps.db, caller.workspace, id, { ...run, lockTimeoutMs: deps.config.lockTimeoutMs });
}

/** Undoes a completed run (off the event loop when the service has a queue). */
export function undoRun(deps: ImportDeps, caller: Caller, run: ImportRun): Promise<UndoReport> {
  authorize(caller, 'undo', run);
  if (deps.jobs) return deps.jobs.undo(caller.workspace.id, run.publicId);
  return undoImport(deps.db, caller.workspace, run.publicId, { lockTimeoutMs: deps.config.lockTimeoutMs });
}

/** Carries out an undo a worker was handed (already authorized by whoever queued it). */
export async function runUndo(
  deps: ImportDeps,
  workspaceId: number,
  runId: string,
  betweenPages?: () => void,
): Promise<UndoReport> {
  const workspace: Workspace | undefined = await workspaceById(deps.db, workspaceId);
  if (!workspace) throw new AppError('not_found', `No workspace ${workspaceId}.`);
  return undoImport(deps.db, workspace, runId, { lockTimeoutMs: deps.config.lockTimeoutMs, betweenPages });
}

/** The runs a starting server must take up again: queued ones, and ones whose process died. */
export async function runsToResume(db: Db): Promise<{ workspaceId: number; runId: string }[]> {
  await markInterruptedRuns(db);
  const runs = await listUnfinishedRuns(db);
  return runs.map((r) => ({ workspaceId: r.workspaceId, runId: r.publicId }));
}
