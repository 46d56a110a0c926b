import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { rethrowTaken } from './already-exists.js';
import { contains, plural, searchText, type Page, type PageQuery } from './paging.js';
import { foldCase, now } from './text.js';
import { changeWorkspaceData } from './workspaces.js';

export interface Label {
  id: string;
  name: string;
}

/** A label as the API shows it: `id` is the internal integer id, `labelId` the short stable id of imports. */
export interface LabelView {
  id: number;
  labelId: string;
  name: string;
  /** How many contacts carry it. */
  uses: number;
  createdAt: string;
}

const LABEL_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Creates a label with a short stable id (given, or generated); both id and name are unique. */
export async function addLabel(db: Db, workspaceId: number, name: string, id?: string): Promise<Label> {
  const created = await createLabel(db, workspaceId, { name, labelId: id });
  return { id: created.labelId, name: created.name };
}

export async function createLabel(
  db: Db,
  workspaceId: number,
  input: { name: string; labelId?: string },
): Promise<LabelView> {
  const name = checkedName(input.name);
  const publicId = input.labelId ?? randomBytes(4).toString('hex');
  if (!LABEL_ID.test(publicId)) {
    throw new AppError(
      'invalid_request',
      `"${publicId}" is not a valid label id.`,
      'Use up to 32 letters, digits, _ or -.',
    );
  }
  const id = await changeWorkspaceData(db, workspaceId, async (trx) => {
    const row = await trx
      .insertInto('labels')
      .values({
        workspace_id: workspaceId,
        public_id: publicId,
        name,
        name_ci: foldCase(name),
        created_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch(rethrowTaken(trx, `A label named "${name}" or with id "${publicId}" already exists.`));
    return row.id;
  });
  return getLabel(db, workspaceId, id);
}

/** Renames a label; its id (what labels_id columns name) stays as it is. */
export async function renameLabel(db: Db, workspaceId: number, id: number, name: string): Promise<LabelView> {
  const trimmed = checkedName(name);
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const result = await trx
      .updateTable('labels')
      .set({ name: trimmed, name_ci: foldCase(trimmed) })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst()
      .catch(rethrowTaken(trx, `A label named "${trimmed}" already exists.`));
    if (Number(result.numUpdatedRows) === 0) throw notFound(id);
  });
  return getLabel(db, workspaceId, id);
}

/** Deletes a label no contact carries; one still carried is `in_use`, saying by how many. */
export async function deleteLabel(db: Db, workspaceId: number, id: number): Promise<void> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const label = await getLabel(trx, workspaceId, id);
    if (label.uses > 0) {
      throw new AppError(
        'in_use',
        `Label "${label.name}" is on ${plural(label.uses, 'contact')}.`,
        'Take it off those contacts first (PATCH their labels, or a contacts import with --labels replace).',
      );
    }
    await trx.deleteFrom('labels').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  });
}

export async function getLabel(db: Db, workspaceId: number, id: number): Promise<LabelView> {
  const row = await selectLabels(db, workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return view(row);
}

/** Labels by name (code-point order); `q` finds a part of the name, in any case. */
export async function searchLabels(db: Db, workspaceId: number, query: PageQuery): Promise<Page<LabelView>> {
  const q = searchText(query.q);
  const [rows, total] = await Promise.all([
    selectLabels(db, workspaceId)
      .$if(q !== undefined, (qb) => qb.where((eb) => contains(eb.ref('name_ci'), q!)))
      .orderBy(dialectOf(db).codePointOrder(sql.ref('name')))
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    db
      .selectFrom('labels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .$if(q !== undefined, (qb) => qb.where((eb) => contains(eb.ref('name_ci'), q!)))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n), limit: query.limit, offset: query.offset };
}

/** Every label of a workspace by name (the CLI's list). */
export async function listLabels(db: Db, workspaceId: number): Promise<Label[]> {
  return db
    .selectFrom('labels')
    .select(['public_id as id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute();
}

/** A label name as stored: trimmed, not empty, without the ":" that separates labels in a CSV cell. */
export function checkedName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('invalid_request', 'A label needs a name.');
  if (trimmed.includes(':'))
    throw new AppError('invalid_request', 'A label name cannot contain ":" (it separates labels).');
  return trimmed;
}

function selectLabels(db: Db, workspaceId: number) {
  return db
    .selectFrom('labels')
    .select(['id', 'public_id', 'name', 'created_at'])
    .select((eb) =>
      eb
        .selectFrom('contact_labels')
        .whereRef('contact_labels.label_id', '=', 'labels.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('uses'),
    )
    .where('workspace_id', '=', workspaceId);
}

function view(r: {
  id: number;
  public_id: string;
  name: string;
  created_at: string;
  uses: number | null;
}): LabelView {
  return { id: r.id, labelId: r.public_id, name: r.name, uses: Number(r.uses ?? 0), createdAt: r.created_at };
}

function notFound(id: number): AppError {
  return new AppError('not_found', `No label ${id}.`);
}
