import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import { workspaceById } from '../domain/workspaces.js';
import { AppError } from '../errors.js';
import { undoImport, type UndoReport } from '../imports/undo-import.js';
import { executeQueuedRun, type ExecuteOptions } from '../imports/run-import.js';
import {
  findRun,
  listRunsWithFileIn,
  listUnfinishedRuns,
  markInterruptedRuns,
  type ImportRun,
} from '../imports/run-repository.js';
import type { ImportJob } from './queue.js';

/** Where uploaded files wait for their run (inside the data folder; shared storage when workers are many). */
export function uploadDir(config: Config): string {
  return path.join(config.dataDir, 'uploads');
}

/**
 * Carries out one import job: runs a queued run, or resumes an interrupted one. Afterwards the upload is
 * deleted unless the run is a completed dry run (kept so it can be applied), so passwords in a users file
 * do not outlive their run.
 */
export async function handleImportJob(
  db: Db,
  config: Config,
  job: ImportJob,
  signal: AbortSignal,
  onProgress?: ExecuteOptions['onProgress'],
): Promise<void> {
  const workspace = await workspaceById(db, job.workspaceId);
  if (!workspace) return;
  try {
    await executeQueuedRun(db, workspace, job.runId, {
      signal,
      onProgress,
      lockTimeoutMs: config.lockTimeoutMs,
    });
  } catch {
    // The run records its own failure (status failed, error); nothing is left for the queue to retry.
  } finally {
    const run = await findRun(db, workspace.id, job.runId);
    if (run) removeUploadWhenDone(config, run);
  }
}

/** Undoes a completed run of a workspace (what both queues do for POST /api/imports/:id/undo). */
export async function undoJob(
  db: Db,
  config: Config,
  workspaceId: number,
  runId: string,
): Promise<UndoReport> {
  const workspace = await workspaceById(db, workspaceId);
  if (!workspace) throw new AppError('not_found', `No workspace ${workspaceId}.`);
  return undoImport(db, workspace, runId, { lockTimeoutMs: config.lockTimeoutMs });
}

/** Deletes a run's uploaded file once nothing needs it any more (never a file outside the upload folder). */
export function removeUploadWhenDone(
  config: Config,
  run: Pick<ImportRun, 'status' | 'dryRun' | 'filePath'>,
): void {
  if (!run.filePath || path.dirname(run.filePath) !== uploadDir(config)) return;
  const keep =
    run.status === 'queued' ||
    run.status === 'running' ||
    run.status === 'interrupted' ||
    (run.status === 'completed' && run.dryRun);
  if (!keep) fs.rmSync(run.filePath, { force: true });
}

/** The runs a starting server must take up again: queued ones, and ones whose process died. */
export async function runsToResume(db: Db): Promise<ImportJob[]> {
  await markInterruptedRuns(db);
  const runs = await listUnfinishedRuns(db);
  return runs.map((r) => ({ workspaceId: r.workspaceId, runId: r.publicId }));
}

/** How long the file of a completed dry run is kept for applying it (a users file, with passwords: 1 hour). */
export const DRY_RUN_FILE_TTL_MS = 24 * 60 * 60_000;
export const USERS_DRY_RUN_FILE_TTL_MS = 60 * 60_000;

/** Deletes the kept files of dry runs that were never applied in time, and files no run refers to. */
export async function sweepUploads(db: Db, config: Config): Promise<void> {
  const dir = uploadDir(config);
  if (!fs.existsSync(dir)) return;
  const runs = await listRunsWithFileIn(db, dir);
  const byPath = new Map(runs.map((r) => [r.filePath!, r]));
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const run = byPath.get(file);
    const age = Date.now() - fs.statSync(file).mtimeMs;
    if (!run) {
      // An upload whose run was never recorded (the request failed half-way): gone after an hour.
      if (age > 60 * 60_000) fs.rmSync(file, { force: true });
      continue;
    }
    const ttl = run.kind === 'users' ? USERS_DRY_RUN_FILE_TTL_MS : DRY_RUN_FILE_TTL_MS;
    const finished = run.finishedAt ? Date.now() - Date.parse(run.finishedAt) : 0;
    if (run.status === 'completed' && run.dryRun && finished > ttl) fs.rmSync(file, { force: true });
    else removeUploadWhenDone(config, run);
  }
}
