import type { Db } from '../db/dialect.js';
import { AppError, isUniqueViolation } from '../errors.js';
import { foldCase, now } from './text.js';

export interface Position {
  id: number;
  name: string;
}

/** Creates a position; names are unique and case-sensitive. */
export async function addPosition(db: Db, workspaceId: number, name: string): Promise<Position> {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('usage', 'A position needs a name.');
  try {
    return await db
      .insertInto('positions')
      .values({ workspace_id: workspaceId, name: trimmed, name_ci: foldCase(trimmed), created_at: now() })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('already_exists', `Position "${trimmed}" already exists.`);
    throw err;
  }
}

export async function listPositions(db: Db, workspaceId: number): Promise<Position[]> {
  return db
    .selectFrom('positions')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute();
}
