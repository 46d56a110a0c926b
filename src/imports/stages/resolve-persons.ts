import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { anyRow, pendingRows, type RunContext } from '../run-context.js';

/**
 * Resolves `email` of the pending rows to a contact that is a person of the row's (already resolved)
 * customer. The email must match exactly unless --ignore-case; a case-only difference gets a hint.
 */
export async function resolvePersons(db: Db, ctx: RunContext): Promise<void> {
  const open = sql`${pendingRows(ctx)} AND contact_id IS NULL`;
  if (await anyRow(db, open)) await resolveUnmatchedEmails(db, ctx, open);

  const linkedElsewhere = sql`FROM customer_contacts l JOIN customers c ON c.id = l.customer_id
    WHERE l.contact_id = import_rows.contact_id`;
  await sql`UPDATE import_rows SET status = 'unmatched', reason = 'person_not_found', column_name = 'email_address',
      message = '"' || email || '" is not a person of customer "' || customer_key || '".',
      hint = CASE WHEN EXISTS (SELECT 1 ${linkedElsewhere})
        THEN 'It is a person of "' || (SELECT min(c.ref) ${linkedElsewhere}) || '". Link it to this customer first (contacts import with company_id).'
        ELSE 'Link it to this customer first (contacts import with company_id).' END
    WHERE ${pendingRows(ctx)} AND NOT EXISTS (SELECT 1 FROM customer_contacts l
      WHERE l.customer_id = import_rows.customer_id AND l.contact_id = import_rows.contact_id)`.execute(db);
}

/** Rows whose email matched no contact exactly: by case with --ignore-case, else a hint; the rest unmatched. */
async function resolveUnmatchedEmails(db: Db, ctx: RunContext, open: RawBuilder<unknown>): Promise<void> {
  const ws = ctx.workspaceId;
  await sql`UPDATE import_rows SET contact_id =
      (SELECT p.id FROM contacts p WHERE p.workspace_id = ${ws} AND p.email = import_rows.email)
    WHERE ${open}`.execute(db);

  const folded = sql`FROM contacts p WHERE p.workspace_id = ${ws} AND p.email_ci = import_rows.email_ci`;
  if (ctx.options.ignoreCase) {
    await sql`UPDATE import_rows SET contact_id = (SELECT p.id ${folded}) WHERE ${open}`.execute(db);
  } else {
    await sql`UPDATE import_rows SET hint = 'Did you mean "' || (SELECT p.email ${folded}) || '"? Write it exactly, or pass --ignore-case.'
      WHERE ${open} AND EXISTS (SELECT 1 ${folded})`.execute(db);
  }
  await sql`UPDATE import_rows SET status = 'unmatched', reason = 'person_not_found', column_name = 'email_address',
      message = 'No contact with email "' || email || '".'
    WHERE ${open}`.execute(db);
}
