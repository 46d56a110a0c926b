import type { Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { closestMatch } from './did-you-mean.js';
import { checkFieldValue } from './field-values.js';
import { isProblem } from './row-problem.js';

/** A custom field value as a client may send it; null (or blank) clears the value. */
export type FieldInput = string | number | boolean | null;

/** A checked value for one field: its stored form, or null to clear it. */
export interface FieldValue {
  fieldId: number;
  value: string | null;
}

/**
 * The ids of the labels named (exactly, as imports match them). An unknown name is an `invalid_request`
 * naming every unknown label, with a did-you-mean for a case or spelling slip.
 */
export async function labelIdsByName(
  db: Db,
  workspaceId: number,
  names: readonly string[],
): Promise<number[]> {
  const wanted = [...new Set(names.map((n) => n.trim()))].filter((n) => n !== '');
  if (wanted.length === 0) return [];
  const labels = await db
    .selectFrom('labels')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('name', 'in', wanted)
    .execute();
  const byName = new Map(labels.map((l) => [l.name, l.id]));
  const unknown = wanted.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const all = await db
      .selectFrom('labels')
      .select('name')
      .where('workspace_id', '=', workspaceId)
      .execute();
    const guess = closestMatch(
      unknown[0]!,
      all.map((l) => l.name),
    );
    throw new AppError(
      'invalid_request',
      `No label named ${unknown.map((n) => `"${n}"`).join(', ')}.`,
      guess ? `Did you mean "${guess}"?` : 'Create it first (POST /api/labels), or check GET /api/labels.',
    );
  }
  return wanted.map((n) => byName.get(n)!);
}

/**
 * Checks values by variable against their fields' types, exactly as the contacts import does (numbers come
 * back canonical, `007.50` → `7.5`). Every problem is listed in one `invalid_request`.
 */
export async function checkedFieldValues(
  db: Db,
  workspaceId: number,
  input: Readonly<Record<string, FieldInput>>,
): Promise<FieldValue[]> {
  const variables = Object.keys(input);
  if (variables.length === 0) return [];
  const fields = await db
    .selectFrom('custom_fields')
    .select(['id', 'variable', 'type'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  const byVariable = new Map(fields.map((f) => [f.variable, f]));
  const unknown = variables.filter((v) => !byVariable.has(v));
  if (unknown.length > 0) {
    const guess = closestMatch(unknown[0]!, byVariable.keys());
    throw new AppError(
      'invalid_request',
      `No custom field ${unknown.map((v) => `"${v}"`).join(', ')}.`,
      guess ? `Did you mean "${guess}"?` : 'GET /api/fields lists the fields (by variable).',
    );
  }
  const values: FieldValue[] = [];
  const problems: { message: string; hint?: string }[] = [];
  for (const variable of variables) {
    const field = byVariable.get(variable)!;
    const raw = input[variable];
    const text = raw === null || raw === undefined ? '' : String(raw).trim();
    if (text === '') {
      values.push({ fieldId: field.id, value: null });
      continue;
    }
    const checked = checkFieldValue(field.type, text, variable);
    if (isProblem(checked)) problems.push(checked);
    else values.push({ fieldId: field.id, value: checked });
  }
  if (problems.length > 0) {
    throw new AppError('invalid_request', problems.map((p) => p.message).join(' '), problems[0]!.hint);
  }
  return values;
}

/** Replaces a contact's labels with exactly these. */
export async function replaceLabels(db: Db, contactId: number, labelIds: readonly number[]): Promise<void> {
  await db.deleteFrom('contact_labels').where('contact_id', '=', contactId).execute();
  if (labelIds.length === 0) return;
  await db
    .insertInto('contact_labels')
    .values(labelIds.map((id) => ({ contact_id: contactId, label_id: id })))
    .execute();
}

/** Sets (or, for null, clears) the given field values of a contact; other fields keep theirs. */
export async function writeFieldValues(
  db: Db,
  contactId: number,
  values: readonly FieldValue[],
): Promise<void> {
  const cleared = values.filter((v) => v.value === null).map((v) => v.fieldId);
  if (cleared.length > 0) {
    await db
      .deleteFrom('contact_field_values')
      .where('contact_id', '=', contactId)
      .where('field_id', 'in', cleared)
      .execute();
  }
  const set = values.filter((v) => v.value !== null);
  if (set.length === 0) return;
  await db
    .insertInto('contact_field_values')
    .values(set.map((v) => ({ contact_id: contactId, field_id: v.fieldId, value: v.value! })))
    .onConflict((oc) =>
      oc.columns(['contact_id', 'field_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
    )
    .execute();
}
