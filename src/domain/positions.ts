import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { rethrowTaken } from './already-exists.js';
import { contains, plural, searchText, type Page, type PageQuery } from './paging.js';
import { foldCase, now } from './text.js';
import { changeWorkspaceData } from './workspaces.js';

export interface Position {
  id: number;
  name: string;
}

/** A position as the API shows it. */
export interface PositionView extends Position {
  /** How many contact links hold it. */
  uses: number;
  createdAt: string;
}

/** Creates a position; names are unique and case-sensitive. */
export async function addPosition(db: Db, workspaceId: number, name: string): Promise<Position> {
  const { id, name: created } = await createPosition(db, workspaceId, name);
  return { id, name: created };
}

export async function createPosition(db: Db, workspaceId: number, name: string): Promise<PositionView> {
  const trimmed = checkedName(name);
  const id = await changeWorkspaceData(db, workspaceId, async (trx) => {
    const row = await trx
      .insertInto('positions')
      .values({ workspace_id: workspaceId, name: trimmed, name_ci: foldCase(trimmed), created_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch(rethrowTaken(trx, taken(trimmed)));
    return row.id;
  });
  return getPosition(db, workspaceId, id);
}

/** Renames a position; every contact link holding it holds the new name. */
export async function renamePosition(
  db: Db,
  workspaceId: number,
  id: number,
  name: string,
): Promise<PositionView> {
  const trimmed = checkedName(name);
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const result = await trx
      .updateTable('positions')
      .set({ name: trimmed, name_ci: foldCase(trimmed) })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst()
      .catch(rethrowTaken(trx, taken(trimmed)));
    if (Number(result.numUpdatedRows) === 0) throw notFound(id);
  });
  return getPosition(db, workspaceId, id);
}

/** Deletes a position no contact link holds; one still held is `in_use`, saying by how many. */
export async function deletePosition(db: Db, workspaceId: number, id: number): Promise<void> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const position = await getPosition(trx, workspaceId, id);
    if (position.uses > 0) {
      throw new AppError(
        'in_use',
        `Position "${position.name}" is held by ${plural(position.uses, 'person')}.`,
        'Remove it from them first (a positions import with a blank position_name, or the contact links).',
      );
    }
    await trx.deleteFrom('positions').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  });
}

export async function getPosition(db: Db, workspaceId: number, id: number): Promise<PositionView> {
  const row = await selectPositions(db, workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return view(row);
}

/** Positions by name (code-point order); `q` finds a part of the name, in any case. */
export async function searchPositions(
  db: Db,
  workspaceId: number,
  query: PageQuery,
): Promise<Page<PositionView>> {
  const q = searchText(query.q);
  const [rows, total] = await Promise.all([
    selectPositions(db, workspaceId)
      .$if(q !== undefined, (qb) => qb.where((eb) => contains(eb.ref('name_ci'), q!)))
      .orderBy(dialectOf(db).codePointOrder(sql.ref('name')))
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    db
      .selectFrom('positions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .$if(q !== undefined, (qb) => qb.where((eb) => contains(eb.ref('name_ci'), q!)))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n), limit: query.limit, offset: query.offset };
}

/** Every position of a workspace by name (the CLI's list). */
export async function listPositions(db: Db, workspaceId: number): Promise<Position[]> {
  return db
    .selectFrom('positions')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute();
}

function selectPositions(db: Db, workspaceId: number) {
  return db
    .selectFrom('positions')
    .select(['id', 'name', 'created_at'])
    .select((eb) =>
      eb
        .selectFrom('customer_contacts')
        .whereRef('customer_contacts.position_id', '=', 'positions.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('uses'),
    )
    .where('workspace_id', '=', workspaceId);
}

function view(r: { id: number; name: string; created_at: string; uses: number | null }): PositionView {
  return { id: r.id, name: r.name, uses: Number(r.uses ?? 0), createdAt: r.created_at };
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('invalid_request', 'A position needs a name.');
  return trimmed;
}

function taken(name: string): string {
  return `Position "${name}" already exists.`;
}

function notFound(id: number): AppError {
  return new AppError('not_found', `No position ${id}.`);
}
