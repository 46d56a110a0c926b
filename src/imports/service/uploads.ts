import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dialectOf, type Db } from '../../db/dialect.js';
import { KINDS } from '../kinds/index.js';
import { holdsSecrets } from '../kinds/kind.js';
import { listRunsWithFileIn, listRunsWithFiles, type ImportRun } from '../run-repository.js';
import {
  deleteUpload,
  isDatabaseUpload,
  listUploads,
  saveUpload,
  uploadExists,
} from '../upload-repository.js';

/**
 * Uploads wait for their run in the data folder (SQLite: the server and its worker thread share one disk)
 * or in the database (PostgreSQL: any worker on any machine reads them, `upload-repository.ts`). Either
 * way the same lifetimes: deleted when the run is over, a completed dry run's kept 24 h (1 h with secret
 * cells), one whose run was never recorded an hour.
 */
type Deps = { db: Db; config: { dataDir: string } };

/** Where uploaded files wait for their run on SQLite (inside the data folder). */
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

/**
 * Streams an uploaded file where it waits for its run; memory holds one chunk. Returns what the run records
 * as its file, and the size. Nothing is left behind when it fails.
 */
export async function storeUpload(deps: Deps, body: Readable): Promise<{ path: string; bytes: number }> {
  if (dialectOf(deps.db).uploads === 'database') {
    const saved = await saveUpload(deps.db, body);
    return { path: saved.ref, bytes: saved.bytes };
  }
  const dir = uploadDir(deps.config);
  const target = path.join(dir, `${randomUUID()}.csv`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let bytes = 0;
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    // Owner-only: a users file holds passwords until its run is over.
    await pipeline(body, fs.createWriteStream(target, { mode: 0o600 }));
  } catch (err) {
    fs.rmSync(target, { force: true });
    throw err;
  }
  return { path: target, bytes };
}

/** Whether a file is one the server received (and so deletes when its run no longer needs it). */
export function isUpload(config: { dataDir: string }, file: string | null): file is string {
  return file !== null && (isDatabaseUpload(file) || path.dirname(file) === uploadDir(config));
}

/** Deletes an upload (never a file outside the upload folder, such as the file a CLI user named). */
export async function removeUpload(deps: Deps, file: string): Promise<void> {
  if (isDatabaseUpload(file)) await deleteUpload(deps.db, file);
  else if (isUpload(deps.config, file)) fs.rmSync(file, { force: true });
}

/** True while a run's file can still be read. */
export async function fileKept(deps: Deps, file: string): Promise<boolean> {
  return isDatabaseUpload(file) ? uploadExists(deps.db, file) : fs.existsSync(file);
}

/** How long a run's upload outlives the run: only a completed dry run keeps it, to be applied. */
function keptFor(run: FileRun): number {
  if (run.status === 'queued' || run.status === 'running' || run.status === 'interrupted') return Infinity;
  if (run.status !== 'completed' || !run.dryRun) return 0;
  return holdsSecrets(KINDS[run.kind]) ? SECRET_DRY_RUN_FILE_TTL_MS : DRY_RUN_FILE_TTL_MS;
}

/**
 * Deletes a run's uploaded file once nothing needs it (never a file outside the upload folder), so
 * passwords in a users file do not outlive their run.
 */
export async function removeUploadWhenDone(deps: Deps, run: FileRun): Promise<void> {
  if (!isUpload(deps.config, run.filePath)) return;
  const finished = run.finishedAt ? Date.now() - Date.parse(run.finishedAt) : 0;
  // A completed dry run's file stays for its time to be applied; sweepUploads removes it after.
  const ttl = keptFor(run);
  if (ttl === 0 || (ttl !== Infinity && finished > ttl)) await removeUpload(deps, run.filePath);
}

/** Deletes the kept files of dry runs that were never applied in time, and files no run refers to. */
export async function sweepUploads(db: Db, config: { dataDir: string }): Promise<void> {
  const deps = { db, config };
  if (dialectOf(db).uploads === 'database') {
    const uploads = await listUploads(db);
    const runs = await listRunsWithFiles(
      db,
      uploads.map((u) => u.ref),
    );
    const byRef = new Map(runs.map((r) => [r.filePath!, r]));
    for (const upload of uploads) {
      const run = byRef.get(upload.ref);
      if (run) await removeUploadWhenDone(deps, run);
      else if (Date.now() - Date.parse(upload.createdAt) > ORPHAN_FILE_TTL_MS)
        await deleteUpload(db, upload.ref);
    }
    return;
  }
  const dir = uploadDir(config);
  if (!fs.existsSync(dir)) return;
  const runs = await listRunsWithFileIn(db, dir);
  const byPath = new Map(runs.map((r) => [r.filePath!, r]));
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const run = byPath.get(file);
    if (run) await removeUploadWhenDone(deps, run);
    else if (Date.now() - fs.statSync(file).mtimeMs > ORPHAN_FILE_TTL_MS) fs.rmSync(file, { force: true });
  }
}
