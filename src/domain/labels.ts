import { randomBytes } from 'node:crypto';
import type { Db } from '../db/dialect.js';
import { AppError, isUniqueViolation } from '../errors.js';
import { foldCase, now } from './text.js';

export interface Label {
  id: string;
  name: string;
}

const LABEL_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Creates a label with a short stable id (given, or generated); both id and name are unique. */
export async function addLabel(db: Db, workspaceId: number, name: string, id?: string): Promise<Label> {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('usage', 'A label needs a name.');
  if (trimmed.includes(':'))
    throw new AppError('usage', 'A label name cannot contain ":" (it separates labels).');
  const publicId = id ?? randomBytes(4).toString('hex');
  if (!LABEL_ID.test(publicId)) {
    throw new AppError(
      'usage',
      `"${publicId}" is not a valid label id.`,
      'Use up to 32 letters, digits, _ or -.',
    );
  }
  try {
    await db
      .insertInto('labels')
      .values({
        workspace_id: workspaceId,
        public_id: publicId,
        name: trimmed,
        name_ci: foldCase(trimmed),
        created_at: now(),
      })
      .execute();
    return { id: publicId, name: trimmed };
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError(
        'already_exists',
        `A label named "${trimmed}" or with id "${publicId}" already exists.`,
      );
    }
    throw err;
  }
}

export async function listLabels(db: Db, workspaceId: number): Promise<Label[]> {
  return db
    .selectFrom('labels')
    .select(['public_id as id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute();
}
