import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors.js';
import { dialectOf, type Db } from './dialect.js';

const POLL_MS = 200;

/** True when a process with this pid runs on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function waited(workspaceId: number, timeoutMs: number): AppError {
  return new AppError(
    'database_busy',
    `Another import is writing to this workspace (id ${workspaceId}); waited ${Math.round(timeoutMs / 1000)} s.`,
    'Try again when it has finished (roster imports list), or raise ROSTER_LOCK_TIMEOUT_MS.',
  );
}

/**
 * Runs `fn` while holding the workspace's import lock, so two imports into one workspace never interleave
 * their plan and batches (imports into different workspaces run side by side). PostgreSQL: a session
 * advisory lock, released by the server if the process dies. SQLite: a row in workspace_locks, taken over
 * when the process that holds it is gone.
 */
export async function withWorkspaceLock<T>(
  db: Db,
  lock: { workspaceId: number; runId: number; timeoutMs: number; busy?: () => AppError },
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + lock.timeoutMs;
  const acquire = async (tryLock: () => Promise<boolean>) => {
    while (!(await tryLock())) {
      if (Date.now() > deadline) throw lock.busy?.() ?? waited(lock.workspaceId, lock.timeoutMs);
      await sleep(POLL_MS);
    }
  };
  return dialectOf(db).holdWorkspaceLock(db, lock, acquire, fn);
}
