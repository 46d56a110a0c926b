import { sql, type ExpressionBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import type { Database, FieldType } from '../db/schema.js';
import { AppError } from '../errors.js';
import { rethrowTaken } from './already-exists.js';
import { contains, plural, searchText, type Page, type PageQuery } from './paging.js';
import { now } from './text.js';
import { changeWorkspaceData } from './workspaces.js';

export interface CustomField {
  variable: string;
  label: string;
  type: FieldType;
}

/** A custom field as the API shows it. */
export interface FieldView extends CustomField {
  id: number;
  /** How many contacts hold a value of it. */
  uses: number;
  createdAt: string;
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
  const { variable, label, type } = await createField(db, workspaceId, field, reservedColumns);
  return { variable, label, type };
}

export async function createField(
  db: Db,
  workspaceId: number,
  field: { variable: string; type: string; label?: string },
  reservedColumns: readonly string[],
): Promise<FieldView> {
  const row = {
    variable: checkedVariable(field.variable, reservedColumns),
    label: field.label?.trim() || field.variable,
    type: checkedType(field.type),
  };
  const id = await changeWorkspaceData(db, workspaceId, async (trx) => {
    const created = await trx
      .insertInto('custom_fields')
      .values({ ...row, workspace_id: workspaceId, created_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch(rethrowTaken(trx, taken(row.variable)));
    return created.id;
  });
  return getField(db, workspaceId, id);
}

/**
 * Changes a field's label, variable (the CSV column) or type. The type changes only while no contact holds a
 * value: values are stored in their type's canonical form, and another type may not read them.
 */
export async function updateField(
  db: Db,
  workspaceId: number,
  id: number,
  patch: { variable?: string; label?: string; type?: string },
  reservedColumns: readonly string[],
): Promise<FieldView> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const current = await getField(trx, workspaceId, id);
    const type = patch.type === undefined ? current.type : checkedType(patch.type);
    if (type !== current.type && current.uses > 0) {
      throw new AppError(
        'in_use',
        `Field "${current.variable}" holds values for ${plural(current.uses, 'contact')}; its type cannot change.`,
        'Clear those values first, or create a new field of the other type.',
      );
    }
    const variable =
      patch.variable === undefined ? current.variable : checkedVariable(patch.variable, reservedColumns);
    await trx
      .updateTable('custom_fields')
      .set({ variable, type, label: patch.label?.trim() || current.label })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute()
      .catch(rethrowTaken(trx, taken(variable)));
  });
  return getField(db, workspaceId, id);
}

/** Deletes a field no contact holds a value of; one still used is `in_use`, saying by how many. */
export async function deleteField(db: Db, workspaceId: number, id: number): Promise<void> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const field = await getField(trx, workspaceId, id);
    if (field.uses > 0) {
      throw new AppError(
        'in_use',
        `Field "${field.variable}" holds values for ${plural(field.uses, 'contact')}.`,
        'Clear those values first (PATCH the contacts, or a contacts import with --blank clear).',
      );
    }
    await trx
      .deleteFrom('custom_fields')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  });
}

export async function getField(db: Db, workspaceId: number, id: number): Promise<FieldView> {
  const row = await selectFields(db, workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `No field ${id}.`);
  return view(row);
}

/** Fields by variable; `q` finds a part of the variable or the label, in any case. */
export async function searchFields(db: Db, workspaceId: number, query: PageQuery): Promise<Page<FieldView>> {
  const q = searchText(query.q);
  const matching = (eb: ExpressionBuilder<Database, 'custom_fields'>) =>
    eb.or([contains(eb.ref('variable'), q!), contains(dialectOf(db).foldedSql(sql.ref('label')), q!)]);
  const [rows, total] = await Promise.all([
    selectFields(db, workspaceId)
      .$if(q !== undefined, (qb) => qb.where(matching))
      .orderBy(dialectOf(db).codePointOrder(sql.ref('variable')))
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    db
      .selectFrom('custom_fields')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .$if(q !== undefined, (qb) => qb.where(matching))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n), limit: query.limit, offset: query.offset };
}

/** Every custom field of a workspace by variable (the CLI's list). */
export async function listFields(db: Db, workspaceId: number): Promise<CustomField[]> {
  return db
    .selectFrom('custom_fields')
    .select(['variable', 'label', 'type'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('variable')
    .execute();
}

function selectFields(db: Db, workspaceId: number) {
  return db
    .selectFrom('custom_fields')
    .select(['id', 'variable', 'label', 'type', 'created_at'])
    .select((eb) =>
      eb
        .selectFrom('contact_field_values')
        .whereRef('contact_field_values.field_id', '=', 'custom_fields.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('uses'),
    )
    .where('workspace_id', '=', workspaceId);
}

function view(r: CustomField & { id: number; created_at: string; uses: number | null }): FieldView {
  return {
    id: r.id,
    variable: r.variable,
    label: r.label,
    type: r.type,
    uses: Number(r.uses ?? 0),
    createdAt: r.created_at,
  };
}

function checkedVariable(variable: string, reservedColumns: readonly string[]): string {
  if (!VARIABLE.test(variable)) {
    throw new AppError(
      'invalid_request',
      `"${variable}" is not a valid variable.`,
      'Use [a-z][a-z0-9_]*, e.g. "birthday".',
    );
  }
  if (reservedColumns.includes(variable)) {
    throw new AppError('invalid_request', `"${variable}" is already a column of the contacts import.`);
  }
  return variable;
}

function checkedType(type: string): FieldType {
  if (!FIELD_TYPES.includes(type as FieldType)) {
    throw new AppError(
      'invalid_request',
      `Unknown field type "${type}".`,
      `Use one of ${FIELD_TYPES.join(', ')}.`,
    );
  }
  return type as FieldType;
}

function taken(variable: string): string {
  return `Field "${variable}" already exists.`;
}
