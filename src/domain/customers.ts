import type { Db } from '../db/dialect.js';
import { AppError, isUniqueViolation } from '../errors.js';
import { foldCase, now } from './text.js';

export interface Customer {
  ref: string;
  name: string;
  erp_id: string | null;
}

/** Creates one customer (imports create many; this is for the CLI and the demo). */
export async function addCustomer(db: Db, workspaceId: number, c: Customer): Promise<Customer> {
  const ref = c.ref.trim();
  const name = c.name.trim();
  if (!ref || !name) throw new AppError('usage', 'A customer needs a ref and a name.');
  const erp = c.erp_id?.trim() || null;
  try {
    await db
      .insertInto('customers')
      .values({
        workspace_id: workspaceId,
        ref,
        ref_ci: foldCase(ref),
        name,
        name_ci: foldCase(name),
        erp_id: erp,
        erp_id_ci: erp === null ? null : foldCase(erp),
        created_at: now(),
        updated_at: now(),
      })
      .execute();
    return { ref, name, erp_id: erp };
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('already_exists', `A customer with ref "${ref}" or that erp_id exists.`);
    throw err;
  }
}

export async function listCustomers(db: Db, workspaceId: number): Promise<Customer[]> {
  return db
    .selectFrom('customers')
    .select(['ref', 'name', 'erp_id'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('ref')
    .execute();
}
