import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { anyRow, pendingRows, type RunContext } from '../run-context.js';
import type { CustomerKey } from '../import-options.js';

const KEY_COLUMNS: Record<CustomerKey, { exact: string; folded: string }> = {
  ref: { exact: 'ref', folded: 'ref_ci' },
  erp_id: { exact: 'erp_id', folded: 'erp_id_ci' },
  name: { exact: 'name', folded: 'name_ci' },
};

/**
 * Resolves `customer_key` of the pending rows to `customer_id` by the chosen customer key: exact match,
 * then (with --ignore-case) an unambiguous case-insensitive one. Rows left over are unmatched, with a
 * did-you-mean hint where case was the only difference. Set-based: one statement per step.
 */
export async function resolveCustomers(db: Db, ctx: RunContext, column: string): Promise<void> {
  const key = ctx.options.customerKey;
  const exact = sql.ref(`c.${KEY_COLUMNS[key].exact}`);
  const folded = sql.ref(`c.${KEY_COLUMNS[key].folded}`);
  const ws = ctx.workspaceId;
  const open = sql`${pendingRows(ctx)} AND customer_key IS NOT NULL AND customer_id IS NULL`;
  const exactMatches = sql`FROM customers c WHERE c.workspace_id = ${ws} AND ${exact} = import_rows.customer_key`;
  const foldedMatches = sql`FROM customers c WHERE c.workspace_id = ${ws} AND ${folded} = import_rows.customer_key_ci`;
  if (!(await anyRow(db, open))) return;

  // Only names can be shared by two customers; refs and erp_ids are unique.
  if (key === 'name') {
    await sql`UPDATE import_rows SET status = 'unmatched', reason = 'customer_ambiguous', column_name = ${column},
        message = ${`Several customers have the ${key} "`} || customer_key || '".',
        hint = 'Name the customer by a unique key instead: --customer-key ref or --customer-key erp_id.'
      WHERE ${open} AND (SELECT count(*) ${exactMatches}) > 1`.execute(db);
  }

  await sql`UPDATE import_rows SET customer_id = (SELECT min(c.id) ${exactMatches})
    WHERE ${open}`.execute(db);

  if (ctx.options.ignoreCase) {
    await sql`UPDATE import_rows SET customer_id = (SELECT min(c.id) ${foldedMatches})
      WHERE ${open} AND (SELECT count(*) ${foldedMatches}) = 1`.execute(db);
  }

  const howToAccept = ctx.options.ignoreCase ? '' : ' Write it exactly, or pass --ignore-case.';
  await sql`UPDATE import_rows SET hint = 'Did you mean "' || (SELECT min(${exact}) ${foldedMatches}) || '"?'
      || CASE WHEN (SELECT count(*) ${foldedMatches}) > 1
         THEN ' Several customers match when case is ignored.' ELSE ${howToAccept} END
    WHERE ${open} AND EXISTS (SELECT 1 ${foldedMatches})`.execute(db);

  await sql`UPDATE import_rows SET status = 'unmatched', reason = 'customer_not_found', column_name = ${column},
      message = ${`No customer with ${key} "`} || customer_key || '".'
    WHERE ${open}`.execute(db);
}
