import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/dialect.js';
import { KINDS } from '../kinds/index.js';
import { holdsSecrets } from '../kinds/kind.js';
import { listRunsWithFileIn, type ImportRun } from '../run-repository.js';

/** Where uploaded files wait for their run (inside the data folder; shared storage when workers are many). */
export function uploadDir(config: { dataDir: string }): string {
  return path.join(config.dataDir, 'uploads');
}

/** How long the file of a completed dry run is kept for applying it. */
export const DRY_RUN_FILE_TTL_MS = 24 * 60 * 60_000;
/** The same for a file with secret cells (a users file holds passwords): one hour. */
export const SECRET_DRY_RUN_FILE_TTL_MS = 60 * 60_000;
/** An upload whose run was never recorded (the request failed half-way). */
const ORPHAN_FILE_TTL_MS = 60 * 60_000;

type FileRun = Pick<ImportRun, 'kind' | 'status' | 'dryRun' | 'filePath' | 'finishedAt'>;

/** How long a run's upload outlives the run: only a completed dry run keeps it, to be applied. */
function keptFor(run: FileRun): number {
  if (run.status === 'queued' || run.status === 'running' || run.status === 'interrupted') return Infinity;
  if (run.status !== 'completed' || !run.dryRun) return 0;
  return holdsSecrets(KINDS[run.kind]) ? SECRET_DRY_RUN_FILE_TTL_MS : DRY_RUN_FILE_TTL_MS;
}

/** Whether a file is one the server received (and so deletes when its run no longer needs it). */
export function isUpload(config: { dataDir: string }, file: string | null): file is string {
  return file !== null && path.dirname(file) === uploadDir(config);
}

/**
 * Deletes a run's uploaded file once nothing needs it (never a file outside the upload folder), so
 * passwords in a users file do not outlive their run.
 */
export function removeUploadWhenDone(config: { dataDir: string }, run: FileRun): void {
  if (!isUpload(config, run.filePath)) return;
  const finished = run.finishedAt ? Date.now() - Date.parse(run.finishedAt) : 0;
  // A completed dry run's file stays for its time to be applied; sweepUploads removes it after.
  const ttl = keptFor(run);
  if (ttl === 0 || (ttl !== Infinity && finished > ttl)) fs.rmSync(run.filePath, { force: true });
}

/** Deletes the kept files of dry runs that were never applied in time, and files no run refers to. */
export async function sweepUploads(db: Db, config: { dataDir: string }): Promise<void> {
  const dir = uploadDir(config);
  if (!fs.existsSync(dir)) return;
  const runs = await listRunsWithFileIn(db, dir);
  const byPath = new Map(runs.map((r) => [r.filePath!, r]));
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const run = byPath.get(file);
    if (run) removeUploadWhenDone(config, run);
    else if (Date.now() - fs.statSync(file).mtimeMs > ORPHAN_FILE_TTL_MS) fs.rmSync(file, { force: true });
  }
}
