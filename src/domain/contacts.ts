import { sql, type ExpressionBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import {
  checkedFieldValues,
  labelIdsByName,
  replaceLabels,
  writeFieldValues,
  type FieldInput,
} from './contact-values.js';
import { checkedEmail, refuseTakenEmail, rethrowTakenEmail } from './emails.js';
import { contains, searchText, totalOf, type Page, type PageQuery } from './paging.js';
import { contactChanges, recordEdit } from './record-edits.js';
import { byCodePoint, foldCase, now } from './text.js';
import { changeWorkspaceData } from './workspaces.js';

/** A contact as lists show it. */
export interface ContactSummary {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A contact with its contact links (`customers`), labels and custom field values. */
export interface ContactDetail extends ContactSummary {
  customers: { customerId: number; ref: string; name: string; position: string | null; primary: boolean }[];
  labels: { id: number; labelId: string; name: string }[];
  fields: Record<string, string>;
}

export interface ContactInput {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  /** Label names: the contact's labels become exactly these. */
  labels?: string[];
  /** Values by variable: set these (null clears one); other fields keep their values. */
  fields?: Record<string, FieldInput>;
}

export interface ContactQuery extends PageQuery {
  /** Only the contacts with a contact link to this customer. */
  customerId?: number;
  /** Only the contacts carrying this label (its record id). */
  labelId?: number;
}

export async function createContact(
  db: Db,
  workspaceId: number,
  input: ContactInput & { email: string },
  /** Who makes the change (an API edit): recorded in the contact's history. */
  actor?: string,
): Promise<ContactDetail> {
  const email = checkedEmail(input.email);
  const id = await changeWorkspaceData(db, workspaceId, async (trx) => {
    await refuseTakenEmail(trx, 'contacts', workspaceId, email, undefined);
    const at = now();
    const row = await trx
      .insertInto('contacts')
      .values({
        workspace_id: workspaceId,
        email,
        email_ci: foldCase(email),
        first_name: input.firstName?.trim() || null,
        last_name: input.lastName?.trim() || null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch(rethrowTakenEmail(trx, 'contacts', email));
    await writeLabelsAndValues(trx, workspaceId, row.id, input);
    if (actor) {
      const changes = contactChanges(null, await getContact(trx, workspaceId, row.id));
      await recordEdit(trx, workspaceId, actor, {
        recordType: 'contact',
        recordId: row.id,
        action: 'created',
        changes,
      });
    }
    return row.id;
  });
  return getContact(db, workspaceId, id);
}

/** Changes what the input names; `labels` replaces the set, `fields` sets only the fields it names. */
export async function updateContact(
  db: Db,
  workspaceId: number,
  id: number,
  patch: ContactInput,
  /** Who makes the change (an API edit): recorded in the contact's history. */
  actor?: string,
): Promise<ContactDetail> {
  const email = patch.email === undefined ? undefined : checkedEmail(patch.email);
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const before = await getContact(trx, workspaceId, id);
    if (email !== undefined) await refuseTakenEmail(trx, 'contacts', workspaceId, email, id);
    await trx
      .updateTable('contacts')
      .set({
        ...(email === undefined ? {} : { email, email_ci: foldCase(email) }),
        ...(patch.firstName === undefined ? {} : { first_name: patch.firstName?.trim() || null }),
        ...(patch.lastName === undefined ? {} : { last_name: patch.lastName?.trim() || null }),
        updated_at: now(),
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute()
      .catch(rethrowTakenEmail(trx, 'contacts', email ?? ''));
    await writeLabelsAndValues(trx, workspaceId, id, patch);
    if (actor) {
      const changes = contactChanges(before, await getContact(trx, workspaceId, id));
      await recordEdit(trx, workspaceId, actor, {
        recordType: 'contact',
        recordId: id,
        action: 'updated',
        changes,
      });
    }
  });
  return getContact(db, workspaceId, id);
}

/** Deletes a contact with its contact links, labels and values (all ON DELETE CASCADE). */
export async function deleteContact(db: Db, workspaceId: number, id: number): Promise<void> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const result = await trx
      .deleteFrom('contacts')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(id);
  });
}

export async function getContact(db: Db, workspaceId: number, id: number): Promise<ContactDetail> {
  const row = await selectContacts(db, workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  const [links, labels, values] = await Promise.all([
    db
      .selectFrom('customer_contacts as l')
      .innerJoin('customers as c', 'c.id', 'l.customer_id')
      .leftJoin('positions as p', 'p.id', 'l.position_id')
      .select(['c.id', 'c.ref', 'c.name', 'p.name as position', 'l.is_primary'])
      .where('l.contact_id', '=', id)
      .where('l.workspace_id', '=', workspaceId)
      .execute(),
    db
      .selectFrom('contact_labels as cl')
      .innerJoin('labels as lb', 'lb.id', 'cl.label_id')
      .select(['lb.id', 'lb.public_id', 'lb.name'])
      .where('cl.contact_id', '=', id)
      .execute(),
    db
      .selectFrom('contact_field_values as v')
      .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
      .select(['f.variable', 'v.value'])
      .where('v.contact_id', '=', id)
      .execute(),
  ]);
  return {
    ...summary(row),
    customers: links
      .sort((a, b) => byCodePoint(a.ref, b.ref))
      .map((l) => ({
        customerId: l.id,
        ref: l.ref,
        name: l.name,
        position: l.position,
        primary: l.is_primary === 1,
      })),
    labels: labels
      .sort((a, b) => byCodePoint(a.name, b.name))
      .map((l) => ({ id: l.id, labelId: l.public_id, name: l.name })),
    fields: Object.fromEntries(
      values.sort((a, b) => byCodePoint(a.variable, b.variable)).map((v) => [v.variable, v.value]),
    ),
  };
}

/** Contacts by email (code-point order); `q` finds a part of the email or of "first last", in any case. */
export async function searchContacts(
  db: Db,
  workspaceId: number,
  query: ContactQuery,
): Promise<Page<ContactSummary>> {
  const q = searchText(query.q);
  const matching = (eb: ExpressionBuilder<Database, 'contacts'>) =>
    eb.and([
      ...(q ? [eb.or([contains(eb.ref('email_ci'), q), contains(eb.ref('name_ci'), q)])] : []),
      ...(query.customerId === undefined
        ? []
        : [
            eb(
              'id',
              'in',
              eb
                .selectFrom('customer_contacts')
                .select('contact_id')
                .where('customer_id', '=', query.customerId)
                .where('workspace_id', '=', workspaceId),
            ),
          ]),
      ...(query.labelId === undefined
        ? []
        : [
            eb(
              'id',
              'in',
              eb.selectFrom('contact_labels').select('contact_id').where('label_id', '=', query.labelId),
            ),
          ]),
    ]);
  const rows = await selectContacts(db, workspaceId)
    .where(matching)
    .orderBy(dialectOf(db).codePointOrder(sql.ref('email')))
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  const total = await totalOf(rows, query, async () => {
    const { n } = await db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where(matching)
      .executeTakeFirstOrThrow();
    return n;
  });
  return { items: rows.map(summary), total, limit: query.limit, offset: query.offset };
}

/** Throws not_found unless the contact is one of the workspace's. */
export async function contactExists(db: Db, workspaceId: number, id: number): Promise<void> {
  const row = await db
    .selectFrom('contacts')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(id);
}

async function writeLabelsAndValues(
  db: Db,
  workspaceId: number,
  id: number,
  input: ContactInput,
): Promise<void> {
  if (input.labels !== undefined) {
    await replaceLabels(db, id, await labelIdsByName(db, workspaceId, input.labels));
  }
  if (input.fields !== undefined) {
    await writeFieldValues(db, id, await checkedFieldValues(db, workspaceId, input.fields));
  }
}

function selectContacts(db: Db, workspaceId: number) {
  return db
    .selectFrom('contacts')
    .select(['id', 'email', 'first_name', 'last_name', 'created_at', 'updated_at'])
    .where('workspace_id', '=', workspaceId);
}

type ContactRow = Awaited<ReturnType<ReturnType<typeof selectContacts>['executeTakeFirstOrThrow']>>;

function summary(r: ContactRow): ContactSummary {
  return {
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function notFound(id: number): AppError {
  return new AppError('not_found', `No contact ${id}.`);
}
