import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { getContact, type ContactDetail } from './contacts.js';
import { closestMatch } from './did-you-mean.js';
import { recordLinkEdit } from './record-edits.js';
import { now } from './text.js';
import { changeWorkspaceData } from './workspaces.js';

/** What a contact link holds; an absent key keeps its value (new link: none, false). */
export interface ContactLinkInput {
  /** A position name (exact), or null for none. */
  position?: string | null;
  primary?: boolean;
}

/** Creates the contact link of a contact and a customer, or changes its position and primary flag. */
export async function setContactLink(
  db: Db,
  workspaceId: number,
  contactId: number,
  customerId: number,
  input: ContactLinkInput,
  /** Who makes the change (an API edit): recorded in the histories of both. */
  actor?: string,
): Promise<ContactDetail> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const before = await getContact(trx, workspaceId, contactId);
    const customer = await trx
      .selectFrom('customers')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', customerId)
      .executeTakeFirst();
    if (!customer) throw new AppError('not_found', `No customer ${customerId}.`);
    const positionId =
      input.position === undefined ? undefined : await positionIdByName(trx, workspaceId, input.position);
    const current = await trx
      .selectFrom('customer_contacts')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    const at = now();
    const primary = input.primary === undefined ? undefined : input.primary ? (1 as const) : (0 as const);
    if (current) {
      await trx
        .updateTable('customer_contacts')
        .set({
          ...(positionId === undefined ? {} : { position_id: positionId }),
          ...(primary === undefined ? {} : { is_primary: primary }),
          updated_at: at,
        })
        .where('id', '=', current.id)
        .execute();
    } else {
      await trx
        .insertInto('customer_contacts')
        .values({
          workspace_id: workspaceId,
          customer_id: customerId,
          contact_id: contactId,
          position_id: positionId ?? null,
          is_primary: primary ?? 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    if (actor) await recordLink(trx, workspaceId, actor, before, customerId);
  });
  return getContact(db, workspaceId, contactId);
}

/** Removes the contact link of a contact and a customer; both stay. */
export async function removeContactLink(
  db: Db,
  workspaceId: number,
  contactId: number,
  customerId: number,
  /** Who makes the change (an API edit): recorded in the histories of both. */
  actor?: string,
): Promise<void> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const before = await getContact(trx, workspaceId, contactId);
    const result = await trx
      .deleteFrom('customer_contacts')
      .where('workspace_id', '=', workspaceId)
      .where('contact_id', '=', contactId)
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw new AppError('not_found', `Contact ${contactId} is not linked to customer ${customerId}.`);
    }
    if (actor) await recordLink(trx, workspaceId, actor, before, customerId);
  });
}

/** Records the link's change, comparing the contact's links before with what they are now. */
async function recordLink(
  db: Db,
  workspaceId: number,
  actor: string,
  before: ContactDetail,
  customerId: number,
): Promise<void> {
  const after = await getContact(db, workspaceId, before.id);
  const linkOf = (c: ContactDetail) => c.customers.find((l) => l.customerId === customerId);
  await recordLinkEdit(db, workspaceId, actor, after, customerId, linkOf(before), linkOf(after));
}

/** The id of a position named exactly so (as imports match), null for none; a typo gets a did-you-mean. */
async function positionIdByName(db: Db, workspaceId: number, name: string | null): Promise<number | null> {
  const wanted = name?.trim() ?? '';
  if (wanted === '') return null;
  const positions = await db
    .selectFrom('positions')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  const found = positions.find((p) => p.name === wanted);
  if (found) return found.id;
  const guess = closestMatch(
    wanted,
    positions.map((p) => p.name),
  );
  throw new AppError(
    'invalid_request',
    `No position named "${wanted}".`,
    guess
      ? `Did you mean "${guess}"?`
      : 'Create it first (POST /api/positions), or check GET /api/positions.',
  );
}

/** A person of a customer: the contact and its link's position and primary mark. */
export interface PersonView {
  contactId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  position: string | null;
  primary: boolean;
}

/** The persons of a customer by email (code-point order), one window of them. */
export async function personsOfCustomer(
  db: Db,
  workspaceId: number,
  customerId: number,
  page: { limit: number; offset: number },
): Promise<{ items: PersonView[]; total: number; limit: number; offset: number }> {
  const customer = await db
    .selectFrom('customers')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!customer) throw new AppError('not_found', `No customer ${customerId}.`);
  const links = () =>
    db
      .selectFrom('customer_contacts as l')
      .innerJoin('contacts as p', 'p.id', 'l.contact_id')
      .where('l.workspace_id', '=', workspaceId)
      .where('l.customer_id', '=', customerId);
  const [rows, total] = await Promise.all([
    links()
      .leftJoin('positions as pos', 'pos.id', 'l.position_id')
      .select(['p.id', 'p.email', 'p.first_name', 'p.last_name', 'pos.name as position', 'l.is_primary'])
      .orderBy(dialectOf(db).codePointOrder(sql.ref('p.email')))
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    links()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      contactId: r.id,
      email: r.email,
      firstName: r.first_name,
      lastName: r.last_name,
      position: r.position,
      primary: r.is_primary === 1,
    })),
    total: Number(total.n),
    limit: page.limit,
    offset: page.offset,
  };
}
