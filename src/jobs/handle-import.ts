import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import type { ExecuteOptions } from '../imports/run-import.js';
import { runQueued, runUndo } from '../imports/service/import-service.js';
import type { UndoReport } from '../imports/undo-import.js';
import type { ImportJob } from './queue.js';

/** Carries out one import job: runs a queued run, or resumes an interrupted one. */
export async function handleImportJob(
  db: Db,
  config: Config,
  job: ImportJob,
  signal: AbortSignal,
  onProgress?: ExecuteOptions['onProgress'],
): Promise<void> {
  try {
    await runQueued({ db, config }, job, { signal, onProgress });
  } catch {
    // The run records its own failure (status failed, error); nothing is left for the queue to retry.
  }
}

/** Undoes a completed run of a workspace (what both queues do for POST /api/imports/:id/undo). */
export function undoJob(
  db: Db,
  config: Config,
  workspaceId: number,
  runId: string,
  betweenPages?: () => void,
): Promise<UndoReport> {
  return runUndo({ db, config }, workspaceId, runId, betweenPages);
}
