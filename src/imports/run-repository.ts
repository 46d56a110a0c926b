import os from 'node:os';
import type { Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { processAlive } from '../db/workspace-lock.js';
import type { ImportRunTable, RunStatus } from '../db/schema.js';
import type { Insertable, Selectable, Updateable } from 'kysely';

export type ImportRun = Selectable<ImportRunTable>;

/** Finds a run by its public id (or a prefix of it), or fails with `not_found` and where to look. */
export async function requireRun(
  db: Db,
  workspace: { id: number; slug: string },
  id: string,
): Promise<ImportRun> {
  const run = await findRun(db, workspace.id, id);
  if (!run) {
    throw new AppError(
      'not_found',
      `No import run "${id}" in ${workspace.slug}.`,
      'List them with `roster imports list`.',
    );
  }
  return run;
}

/** Records a new run and returns its internal key. */
export async function insertRun(db: Db, run: Insertable<ImportRunTable>): Promise<number> {
  const row = await db.insertInto('import_runs').values(run).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateRun(db: Db, id: number, changes: Updateable<ImportRunTable>): Promise<void> {
  await db.updateTable('import_runs').set(changes).where('id', '=', id).execute();
}

/** Finds a run of a workspace by its public id, or by an unambiguous prefix of it. */
export async function findRun(db: Db, workspaceId: number, id: string): Promise<ImportRun | undefined> {
  return db
    .selectFrom('import_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('public_id', '=', id), eb('public_id', 'like', `${id.replace(/[%_]/g, '')}%`)]))
    .orderBy('started_at', 'desc')
    .limit(2)
    .execute()
    .then((rows) => (rows.length === 1 || rows[0]?.public_id === id ? rows[0] : undefined));
}

export async function listRuns(db: Db, workspaceId: number, limit = 50): Promise<ImportRun[]> {
  return db
    .selectFrom('import_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
}

/** How many rows of a run ended in each status. */
export async function countRowStatuses(db: Db, runId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('import_rows')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('run_id', '=', runId)
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * A run left `running` by a process that is gone (crash, kill) becomes `interrupted`, ready to resume.
 * Only runs of this machine can be checked; a run of another machine keeps its status.
 */
export async function markInterruptedRuns(db: Db): Promise<number> {
  const running = await db
    .selectFrom('import_runs')
    .select(['id', 'pid'])
    .where('status', '=', 'running')
    .where('host', '=', os.hostname())
    .execute();
  const gone = running
    .filter((r) => r.pid !== null && r.pid !== process.pid && !processAlive(r.pid))
    .map((r) => r.id);
  if (gone.length === 0) return 0;
  await db
    .updateTable('import_runs')
    .set({ status: 'interrupted' })
    .where('id', 'in', gone)
    .where('status', '=', 'running')
    .execute();
  return gone.length;
}

export function isFinal(status: RunStatus): boolean {
  return status !== 'running' && status !== 'queued' && status !== 'interrupted';
}
