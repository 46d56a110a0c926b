import { sql, type RawBuilder } from 'kysely';
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

/** The rows of one batch still in play. */
export function pendingBatch(ctx: RunContext, from: number, to: number): RawBuilder<unknown> {
  return sql`run_id = ${ctx.runId} AND status = 'pending' AND row_no BETWEEN ${from} AND ${to}`;
}
