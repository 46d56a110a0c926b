import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { anyRow, pendingRows, type RunContext } from '../run-context.js';
import { closestMatch } from '../../domain/did-you-mean.js';

/** Distinct unmatched names that get a near-miss hint; more than this is a wrong file, not a typo. */
const MAX_NEAR_MISS_NAMES = 200;

/**
 * Resolves `position_name` (non-blank) of the pending rows to `position_id`: exact, then with
 * --ignore-case an unambiguous case-insensitive match; unmatched rows get a case or near-miss hint.
 */
export async function resolvePositions(db: Db, ctx: RunContext): Promise<void> {
  const ws = ctx.workspaceId;
  const open = sql`${pendingRows(ctx)} AND position_name IS NOT NULL AND position_name <> '' AND position_id IS NULL`;
  if (!(await anyRow(db, open))) return;
  await sql`UPDATE import_rows SET position_id =
      (SELECT p.id FROM positions p WHERE p.workspace_id = ${ws} AND p.name = import_rows.position_name)
    WHERE ${open}`.execute(db);

  const folded = sql`FROM positions p WHERE p.workspace_id = ${ws} AND p.name_ci = import_rows.position_ci`;
  if (ctx.options.ignoreCase) {
    await sql`UPDATE import_rows SET position_id = (SELECT min(p.id) ${folded})
      WHERE ${open} AND (SELECT count(*) ${folded}) = 1`.execute(db);
  }
  const howToAccept = ctx.options.ignoreCase ? '' : ' Write it exactly, or pass --ignore-case.';
  await sql`UPDATE import_rows SET hint = 'Did you mean "' || (SELECT min(p.name) ${folded}) || '"?' || ${howToAccept}
    WHERE ${open} AND EXISTS (SELECT 1 ${folded})`.execute(db);

  const names = await sql<{ position_name: string }>`SELECT DISTINCT position_name FROM import_rows
    WHERE ${open} AND hint IS NULL LIMIT ${MAX_NEAR_MISS_NAMES}`.execute(db);
  if (names.rows.length > 0) {
    const known = (
      await db.selectFrom('positions').select('name').where('workspace_id', '=', ws).execute()
    ).map((p) => p.name);
    for (const { position_name } of names.rows) {
      const suggestion = closestMatch(position_name, known);
      if (suggestion === undefined) continue;
      await sql`UPDATE import_rows SET hint = ${`Did you mean "${suggestion}"?`}
        WHERE ${open} AND hint IS NULL AND position_name = ${position_name}`.execute(db);
    }
  }

  await sql`UPDATE import_rows SET status = 'unmatched', reason = 'position_not_found', column_name = 'position_name',
      message = 'No position named "' || position_name || '".',
      hint = coalesce(hint, 'Create it first with: roster positions add "' || position_name || '"')
    WHERE ${open}`.execute(db);
}
