import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/dialect.js';
import type { ImportOptions } from './import-options.js';
import type { KindName } from './types.js';

/** What every stage of one run needs to know. */
export interface RunContext {
  /** The run's internal key (import_rows.run_id). */
  readonly runId: number;
  readonly workspaceId: number;
  readonly kind: KindName;
  readonly options: ImportOptions;
}

/** `run_id = … AND status = 'pending'` for the rows of this run still in play (unqualified columns). */
export function pendingRows(ctx: RunContext): RawBuilder<unknown> {
  return sql`run_id = ${ctx.runId} AND status = 'pending'`;
}

/**
 * Whether any staged row is `where`. A resolve step whose passes all look for rows left unmatched asks
 * first: after the exact pass a clean file has none, and each pass scans every pending row of the run to
 * find that out (1M rows: ~0.1 s a pass on SQLite, ~0.3 s on PostgreSQL).
 */
export async function anyRow(db: Db, where: RawBuilder<unknown>): Promise<boolean> {
  const { rows } = await sql`SELECT 1 AS one FROM import_rows WHERE ${where} LIMIT 1`.execute(db);
  return rows.length > 0;
}

/** The rows of one batch still in play. */
export function pendingBatch(ctx: RunContext, from: number, to: number): RawBuilder<unknown> {
  return sql`run_id = ${ctx.runId} AND status = 'pending' AND row_no BETWEEN ${from} AND ${to}`;
}
