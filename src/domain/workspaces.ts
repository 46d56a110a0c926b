import { withWorkspaceLock } from '../db/workspace-lock.js';
import { dialectOf, type Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import { AppError } from '../errors.js';
import { now } from './text.js';

export interface Workspace {
  id: number;
  slug: string;
  name: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Creates a workspace; a slug already taken is an `already_exists` error. */
export async function addWorkspace(db: Db, slug: string, name?: string): Promise<Workspace> {
  if (!SLUG.test(slug)) {
    throw new AppError(
      'usage',
      `"${slug}" is not a valid workspace slug.`,
      'Use lower-case letters, digits and -.',
    );
  }
  try {
    return await db
      .insertInto('workspaces')
      .values({ slug, name: name ?? slug, created_at: now() })
      .returning(['id', 'slug', 'name'])
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (dialectOf(db).isUniqueViolation(err))
      throw new AppError('already_exists', `Workspace "${slug}" already exists.`);
    throw err;
  }
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  return db.selectFrom('workspaces').select(['id', 'slug', 'name']).orderBy('slug').execute();
}

/**
 * The workspace a command works on: the given slug, or the only workspace when there is exactly one.
 */
export async function findWorkspace(db: Db, slug: string | undefined): Promise<Workspace> {
  if (slug) {
    const ws = await db
      .selectFrom('workspaces')
      .select(['id', 'slug', 'name'])
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (!ws) {
      throw new AppError('not_found', `No workspace "${slug}".`, 'List them with `roster workspaces list`.');
    }
    return ws;
  }
  const all = await listWorkspaces(db);
  if (all.length === 1) return all[0]!;
  if (all.length === 0) {
    throw new AppError(
      'workspace_required',
      'There is no workspace yet.',
      'Create one with `roster workspaces add SLUG`.',
    );
  }
  throw new AppError(
    'workspace_required',
    `There are ${all.length} workspaces; say which one.`,
    'Pass --workspace SLUG or set ROSTER_WORKSPACE.',
  );
}

/**
 * Records that a workspace's data changed (call inside the changing transaction). A dry run remembers the
 * version it saw; applying it is refused once the version has moved.
 */
export async function touchWorkspace(db: Db, workspaceId: number): Promise<void> {
  await db
    .updateTable('workspaces')
    .set((eb) => ({ data_version: eb('data_version', '+', 1) }))
    .where('id', '=', workspaceId)
    .execute();
}

/** The workspace's current data version (see touchWorkspace). */
export async function dataVersion(db: Db, workspaceId: number): Promise<number> {
  const row = await db
    .selectFrom('workspaces')
    .select('data_version')
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return Number(row.data_version);
}

/**
 * Runs a change of a workspace's data in one write transaction that also bumps its data version, so that
 * every edit (API, CLI) outdates the dry runs made before it.
 */
export async function changeWorkspaceData<T>(
  db: Db,
  workspaceId: number,
  change: (trx: Db) => Promise<T>,
): Promise<T> {
  // An edit waits briefly for an import being applied to the workspace: the import's plan ("this email is
  // new") must still hold when its batches apply, so edits never slip in between.
  return withWorkspaceLock(
    db,
    { workspaceId, runId: 0, timeoutMs: EDIT_LOCK_TIMEOUT_MS, busy: importRunning },
    () =>
      inTransaction(db, async (trx) => {
        const result = await change(trx);
        await touchWorkspace(trx, workspaceId);
        return result;
      }),
  );
}

/** How long an edit waits for an import being applied to the same workspace. */
export const EDIT_LOCK_TIMEOUT_MS = 5_000;

function importRunning(): AppError {
  return new AppError(
    'database_busy',
    'An import is being applied to this workspace; the change was not made.',
    'Try again when the import has finished.',
  );
}

/** The workspace with this id, or undefined (background jobs carry ids). */
export async function workspaceById(db: Db, id: number): Promise<Workspace | undefined> {
  return db.selectFrom('workspaces').select(['id', 'slug', 'name']).where('id', '=', id).executeTakeFirst();
}
