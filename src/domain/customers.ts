import { sql, type ExpressionBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { rethrowTaken } from './already-exists.js';
import { contains, searchText, totalOf, type Page, type PageQuery } from './paging.js';
import { customerChanges, recordEdit } from './record-edits.js';
import { foldCase, now } from './text.js';
import { changeWorkspaceData } from './workspaces.js';

export interface Customer {
  ref: string;
  name: string;
  erp_id: string | null;
}

/** A customer as the API shows it. */
export interface CustomerView {
  id: number;
  ref: string;
  name: string;
  erpId: string | null;
  /** How many contact links it has. */
  contacts: number;
  createdAt: string;
  updatedAt: string;
}

/** A customers list: by ref (the default) or by name. */
export interface CustomerQuery extends PageQuery {
  sort?: 'ref' | 'name';
}

export interface CustomerPatch {
  ref?: string;
  name?: string;
  erpId?: string | null;
}

/** Creates one customer (imports create many; this is for the CLI, the API and the demo). */
export async function addCustomer(db: Db, workspaceId: number, c: Customer): Promise<Customer> {
  const created = await createCustomer(db, workspaceId, { ref: c.ref, name: c.name, erpId: c.erp_id });
  return { ref: created.ref, name: created.name, erp_id: created.erpId };
}

export async function createCustomer(
  db: Db,
  workspaceId: number,
  input: CustomerPatch,
  /** Who makes the change (an API edit): recorded in the customer's history. */
  actor?: string,
): Promise<CustomerView> {
  const values = checkedCustomer({
    ref: input.ref ?? '',
    name: input.name ?? '',
    erpId: input.erpId ?? null,
  });
  const id = await changeWorkspaceData(db, workspaceId, async (trx) => {
    await refuseTaken(trx, workspaceId, values, undefined);
    const at = now();
    const row = await trx
      .insertInto('customers')
      .values({ workspace_id: workspaceId, ...values, created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch(rethrowTaken(trx, TAKEN));
    if (actor) {
      const changes = customerChanges(null, await getCustomer(trx, workspaceId, row.id));
      await recordEdit(trx, workspaceId, actor, {
        recordType: 'customer',
        recordId: row.id,
        action: 'created',
        changes,
      });
    }
    return row.id;
  });
  return getCustomer(db, workspaceId, id);
}

/** Changes a customer's ref, name or erp_id (null or blank clears it). */
export async function updateCustomer(
  db: Db,
  workspaceId: number,
  id: number,
  patch: CustomerPatch,
  /** Who makes the change (an API edit): recorded in the customer's history. */
  actor?: string,
): Promise<CustomerView> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const current = await getCustomer(trx, workspaceId, id);
    const values = checkedCustomer({
      ref: patch.ref ?? current.ref,
      name: patch.name ?? current.name,
      erpId: patch.erpId === undefined ? current.erpId : patch.erpId,
    });
    await refuseTaken(trx, workspaceId, values, id);
    await trx
      .updateTable('customers')
      .set({ ...values, updated_at: now() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute()
      .catch(rethrowTaken(trx, TAKEN));
    if (actor) {
      const changes = customerChanges(current, await getCustomer(trx, workspaceId, id));
      await recordEdit(trx, workspaceId, actor, {
        recordType: 'customer',
        recordId: id,
        action: 'updated',
        changes,
      });
    }
  });
  return getCustomer(db, workspaceId, id);
}

/** Deletes a customer; its contact links go with it (ON DELETE CASCADE), the contacts stay. */
export async function deleteCustomer(db: Db, workspaceId: number, id: number): Promise<void> {
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const result = await trx
      .deleteFrom('customers')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(id);
  });
}

export async function getCustomer(db: Db, workspaceId: number, id: number): Promise<CustomerView> {
  const row = await selectCustomers(db, workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return view(row);
}

/**
 * Customers by ref (or by name, then ref; code-point order); `q` finds a part of the ref, name or erp_id, in
 * any case.
 */
export async function searchCustomers(
  db: Db,
  workspaceId: number,
  query: CustomerQuery,
): Promise<Page<CustomerView>> {
  const q = searchText(query.q);
  const matching = (eb: ExpressionBuilder<Database, 'customers'>) =>
    eb.or([
      contains(eb.ref('ref_ci'), q!),
      contains(eb.ref('name_ci'), q!),
      contains(eb.ref('erp_id_ci'), q!),
    ]);
  const rows = await selectCustomers(db, workspaceId)
    .$if(q !== undefined, (qb) => qb.where(matching))
    .$if(query.sort === 'name', (qb) => qb.orderBy(dialectOf(db).codePointOrder(sql.ref('name'))))
    .orderBy(dialectOf(db).codePointOrder(sql.ref('ref')))
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  const total = await totalOf(rows, query, async () => {
    const { n } = await db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .$if(q !== undefined, (qb) => qb.where(matching))
      .executeTakeFirstOrThrow();
    return n;
  });
  return { items: rows.map(view), total, limit: query.limit, offset: query.offset };
}

/** Every customer of a workspace by ref (the CLI's list). */
export async function listCustomers(db: Db, workspaceId: number): Promise<Customer[]> {
  return db
    .selectFrom('customers')
    .select(['ref', 'name', 'erp_id'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('ref')
    .execute();
}

function selectCustomers(db: Db, workspaceId: number) {
  return db
    .selectFrom('customers')
    .select(['id', 'ref', 'name', 'erp_id', 'created_at', 'updated_at'])
    .select((eb) =>
      eb
        .selectFrom('customer_contacts')
        .whereRef('customer_contacts.customer_id', '=', 'customers.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('contacts'),
    )
    .where('workspace_id', '=', workspaceId);
}

type CustomerRow = Awaited<ReturnType<ReturnType<typeof selectCustomers>['executeTakeFirstOrThrow']>>;

function view(r: CustomerRow): CustomerView {
  return {
    id: r.id,
    ref: r.ref,
    name: r.name,
    erpId: r.erp_id,
    contacts: Number(r.contacts ?? 0),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function checkedCustomer(c: { ref: string; name: string; erpId: string | null }) {
  const ref = c.ref.trim();
  const name = c.name.trim();
  if (!ref || !name) throw new AppError('invalid_request', 'A customer needs a ref and a name.');
  const erp = c.erpId?.trim() || null;
  return {
    ref,
    ref_ci: foldCase(ref),
    name,
    name_ci: foldCase(name),
    erp_id: erp,
    erp_id_ci: erp === null ? null : foldCase(erp),
  };
}

/** Names the field that is taken (the unique constraints alone would not say which). */
async function refuseTaken(
  db: Db,
  workspaceId: number,
  c: { ref: string; erp_id: string | null },
  ownId: number | undefined,
): Promise<void> {
  const taken = await db
    .selectFrom('customers')
    .select(['ref', 'erp_id'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('ref', '=', c.ref), ...(c.erp_id ? [eb('erp_id', '=', c.erp_id)] : [])]))
    .$if(ownId !== undefined, (qb) => qb.where('id', '<>', ownId!))
    .executeTakeFirst();
  if (!taken) return;
  throw taken.ref === c.ref
    ? new AppError('already_exists', `A customer with ref "${c.ref}" already exists.`)
    : new AppError('already_exists', `A customer with erp_id "${c.erp_id}" already exists (${taken.ref}).`);
}

const TAKEN = 'A customer with that ref or erp_id exists.';

function notFound(id: number): AppError {
  return new AppError('not_found', `No customer ${id}.`);
}
