import { workspaceById } from '../../domain/workspaces.js';
import { executeClaimedRun } from '../run-import.js';
import { claimRun, findRun, getRun, isFinal, LeaseLost, type RunLease } from '../run-repository.js';
import type { ImportDeps } from './import-service.js';
import { removeUploadWhenDone } from './uploads.js';

/** What a worker's lease keeper offers a run it carries out (`src/jobs/lease-keeper.ts`). */
export interface LeaseHolder {
  readonly lease: RunLease;
  /** Registers a claimed run; the signal aborts when its lease is lost. */
  hold(runId: number): AbortSignal;
  release(runId: number): void;
}

/**
 * What became of a job: `done` (ran, or there was nothing to do: finished, or held by a live worker),
 * `wait` (its workspace is applying another run, or one queued before it waits: try again shortly, without
 * holding a worker meanwhile), `stopped` (this worker is stopping; the run is left interrupted for another).
 */
export type LeasedOutcome = 'done' | 'wait' | 'stopped';

/**
 * Carries out one import job on PostgreSQL under a worker's lease: claims the run (queued, interrupted, or
 * running with an expired lease: a takeover), runs it while the keeper renews the lease, then deletes its
 * upload when it is over. A fault after which a retry can succeed (a lost connection, a restarting server:
 * the run is left interrupted at its last committed batch) is thrown, for the queue to retry the job; a
 * run that failed for good, or was taken over by another worker, is not.
 */
export async function runLeased(
  deps: ImportDeps,
  job: { workspaceId: number; runId: string },
  keeper: LeaseHolder,
  stopping: AbortSignal,
): Promise<LeasedOutcome> {
  const workspace = await workspaceById(deps.db, job.workspaceId);
  const run = workspace && (await findRun(deps.db, workspace.id, job.runId));
  if (!workspace || !run || run.publicId !== job.runId || isFinal(run.status)) return 'done';
  if (stopping.aborted) return 'stopped';
  if (!(await claimRun(deps.db, run, keeper.lease))) {
    const now = await getRun(deps.db, run.id);
    // Otherwise another worker holds it with a live lease (the lease sweep queues it again if that worker
    // dies), or it is over.
    return now.status === 'queued' || now.status === 'interrupted' ? 'wait' : 'done';
  }
  const lost = keeper.hold(run.id);
  try {
    await executeClaimedRun(deps.db, workspace, run, {
      signal: AbortSignal.any([stopping, lost]),
      lease: keeper.lease,
      lockTimeoutMs: deps.config.lockTimeoutMs,
    });
  } catch (err) {
    if (err instanceof LeaseLost) return 'done';
    const after = await getRun(deps.db, run.id).catch(() => undefined);
    // Left interrupted by a fault of the moment: the queue retries. Failed: a retry would fail the same way.
    if (after?.status !== 'failed') throw err;
    await removeUploadWhenDone(deps, after);
    return 'done';
  } finally {
    keeper.release(run.id);
  }
  const after = await getRun(deps.db, run.id);
  await removeUploadWhenDone(deps, after);
  return after.status === 'interrupted' && stopping.aborted ? 'stopped' : 'done';
}
