import type { Db } from '../db/dialect.js';
import type { FieldType } from '../db/schema.js';
import { AppError, isUniqueViolation } from '../errors.js';
import { now } from './text.js';

export interface CustomField {
  variable: string;
  label: string;
  type: FieldType;
}

export const FIELD_TYPES: readonly FieldType[] = ['text', 'number', 'boolean', 'date'];
const VARIABLE = /^[a-z][a-z0-9_]*$/;

/** Creates a custom field of contacts; `variable` is the CSV column that sets it. */
export async function addField(
  db: Db,
  workspaceId: number,
  field: { variable: string; type: string; label?: string },
  reservedColumns: readonly string[],
): Promise<CustomField> {
  if (!VARIABLE.test(field.variable)) {
    throw new AppError(
      'usage',
      `"${field.variable}" is not a valid variable.`,
      'Use [a-z][a-z0-9_]*, e.g. "birthday".',
    );
  }
  if (reservedColumns.includes(field.variable)) {
    throw new AppError('usage', `"${field.variable}" is already a column of the contacts import.`);
  }
  if (!FIELD_TYPES.includes(field.type as FieldType)) {
    throw new AppError(
      'usage',
      `Unknown field type "${field.type}".`,
      `Use one of ${FIELD_TYPES.join(', ')}.`,
    );
  }
  const row = {
    variable: field.variable,
    label: field.label ?? field.variable,
    type: field.type as FieldType,
  };
  try {
    await db
      .insertInto('custom_fields')
      .values({ ...row, workspace_id: workspaceId, created_at: now() })
      .execute();
    return row;
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('already_exists', `Field "${field.variable}" already exists.`);
    throw err;
  }
}

export async function listFields(db: Db, workspaceId: number): Promise<CustomField[]> {
  return db
    .selectFrom('custom_fields')
    .select(['variable', 'label', 'type'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('variable')
    .execute();
}
