import { dialectOf, type Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { byCodePoint, now } from './text.js';

/** Header cell as written (trimmed) → a column of the kind, or null to leave that column out. */
export type MappingColumns = Record<string, string | null>;

/** A mapping saved in a workspace by name, for one import kind. */
export interface SavedMapping {
  name: string;
  kind: string;
  columns: MappingColumns;
  createdAt: string;
  updatedAt: string;
}

const NAME = /^[^\s/][^/]{0,99}$/u;

/** Saves a mapping under its name, replacing one of the same name (a save is what people expect to overwrite). */
export async function saveMapping(
  db: Db,
  workspaceId: number,
  input: { name: string; kind: string; columns: MappingColumns },
): Promise<SavedMapping> {
  const name = input.name.trim();
  if (!NAME.test(name)) {
    throw new AppError(
      'invalid_request',
      `"${input.name}" is not a valid mapping name.`,
      'Use 1 to 100 characters, no "/".',
    );
  }
  const at = now();
  const columns = JSON.stringify(input.columns);
  await db
    .insertInto('saved_mappings')
    .values({ workspace_id: workspaceId, name, kind: input.kind, columns, created_at: at, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'name']).doUpdateSet({ kind: input.kind, columns, updated_at: at }),
    )
    .execute()
    .catch((err: unknown) => {
      if (dialectOf(db).isUniqueViolation(err))
        throw new AppError('already_exists', `A mapping named "${name}" already exists.`);
      throw err;
    });
  return (await findMapping(db, workspaceId, name))!;
}

/** The workspace's saved mappings by name (code-point order), optionally of one kind. */
export async function listMappings(db: Db, workspaceId: number, kind?: string): Promise<SavedMapping[]> {
  let query = db.selectFrom('saved_mappings').selectAll().where('workspace_id', '=', workspaceId);
  if (kind) query = query.where('kind', '=', kind);
  const rows = await query.execute();
  return rows.map(toMapping).sort((a, b) => byCodePoint(a.name, b.name));
}

export async function findMapping(
  db: Db,
  workspaceId: number,
  name: string,
): Promise<SavedMapping | undefined> {
  const row = await db
    .selectFrom('saved_mappings')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && toMapping(row);
}

/** A saved mapping by name, or not_found naming the ones there are. */
export async function requireMapping(db: Db, workspaceId: number, name: string): Promise<SavedMapping> {
  const found = await findMapping(db, workspaceId, name);
  if (found) return found;
  const names = (await listMappings(db, workspaceId)).map((m) => `"${m.name}"`);
  throw new AppError(
    'not_found',
    `No saved mapping "${name}".`,
    names.length
      ? `Saved mappings: ${names.join(', ')}.`
      : 'No mapping is saved yet: roster mappings save NAME --kind K FILE.json.',
  );
}

export async function deleteMapping(db: Db, workspaceId: number, name: string): Promise<void> {
  const result = await db
    .deleteFrom('saved_mappings')
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) await requireMapping(db, workspaceId, name);
}

/** Remembers the column chosen for each header cell, so the next file with that header gets it preselected. */
export async function rememberHeaderChoices(
  db: Db,
  workspaceId: number,
  kind: string,
  columns: MappingColumns,
): Promise<void> {
  const at = now();
  for (const [header, target] of Object.entries(columns)) {
    await db
      .insertInto('header_choices')
      .values({ workspace_id: workspaceId, kind, header, target, chosen_at: at })
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'kind', 'header']).doUpdateSet({ target, chosen_at: at }),
      )
      .execute();
  }
}

/** The columns chosen last for these header cells (those never chosen are absent). */
export async function headerChoices(
  db: Db,
  workspaceId: number,
  kind: string,
  headers: readonly string[],
): Promise<MappingColumns> {
  if (headers.length === 0) return {};
  const rows = await db
    .selectFrom('header_choices')
    .select(['header', 'target'])
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('header', 'in', headers)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.header, r.target]));
}

function toMapping(row: {
  name: string;
  kind: string;
  columns: string;
  created_at: string;
  updated_at: string;
}) {
  return {
    name: row.name,
    kind: row.kind,
    columns: JSON.parse(row.columns) as MappingColumns,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
