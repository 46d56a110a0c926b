import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { now } from '../domain/text.js';
import { AppError } from '../errors.js';
import { dialectOf, type Db } from './dialect.js';
import { inTransaction } from './transaction.js';

/** Namespace of Roster's PostgreSQL advisory locks (the second key is the workspace id). */
const ADVISORY_CLASS = 7_410_001;
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
  const timedOut = () => lock.busy?.() ?? waited(lock.workspaceId, lock.timeoutMs);
  if (dialectOf(db) === 'postgres') {
    return db.connection().execute(async (conn) => {
      for (;;) {
        const { rows } = await sql<{
          ok: boolean;
        }>`SELECT pg_try_advisory_lock(${ADVISORY_CLASS}, ${lock.workspaceId}) AS ok`.execute(conn);
        if (rows[0]?.ok) break;
        if (Date.now() > deadline) throw timedOut();
        await sleep(POLL_MS);
      }
      try {
        return await fn();
      } finally {
        await sql`SELECT pg_advisory_unlock(${ADVISORY_CLASS}, ${lock.workspaceId})`.execute(conn);
      }
    });
  }
  while (!(await tryLockRow(db, lock.workspaceId, lock.runId))) {
    if (Date.now() > deadline) throw timedOut();
    await sleep(POLL_MS);
  }
  try {
    return await fn();
  } finally {
    await db
      .deleteFrom('workspace_locks')
      .where('workspace_id', '=', lock.workspaceId)
      .where('run_id', '=', lock.runId)
      .execute();
  }
}

async function tryLockRow(db: Db, workspaceId: number, runId: number): Promise<boolean> {
  // A plain read first: while a live holder has the lock, waiting costs no write transaction (which, on the
  // server's event loop, would wait for the import's write lock).
  const current = await db
    .selectFrom('workspace_locks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (current && !canTakeOver(current)) return false;
  return inTransaction(db, async (trx) => {
    const holder = await trx
      .selectFrom('workspace_locks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    const host = os.hostname();
    if (holder && !canTakeOver(holder)) return false;
    if (holder) await trx.deleteFrom('workspace_locks').where('workspace_id', '=', workspaceId).execute();
    await trx
      .insertInto('workspace_locks')
      .values({ workspace_id: workspaceId, run_id: runId, pid: process.pid, host, acquired_at: now() })
      .execute();
    return true;
  });
}

/** A lock row left by a process of this machine that is gone (a crash, a kill) may be taken over. */
function canTakeOver(holder: { host: string; pid: number }): boolean {
  return holder.host === os.hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
}
