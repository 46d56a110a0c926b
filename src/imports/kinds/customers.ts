import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import { foldCase, now } from '../../domain/text.js';
import { changedColumns } from '../undo-record.js';
import { missing } from '../../domain/row-problem.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { markFirstRows, settleSameTargetRows } from '../stages/same-target.js';
import { noteChange, outcome, writeOutcomes, type Change } from '../stages/write-outcomes.js';
import { optional, type ImportKind } from './kind.js';

const NEW_REF = 'CASE WHEN $.customer_id IS NULL THEN $.customer_key END';

async function plan(db: Db, ctx: RunContext): Promise<void> {
  const ws = ctx.workspaceId;
  const open = sql`${pendingRows(ctx)} AND customer_id IS NULL`;
  await sql`UPDATE import_rows SET customer_id = (SELECT c.id FROM customers c WHERE c.workspace_id = ${ws} AND c.ref = import_rows.customer_key)
    WHERE ${open}`.execute(db);
  // A ref that differs from an existing one only in case is a likely typo, not a new customer.
  const folded = sql`FROM customers c WHERE c.workspace_id = ${ws} AND c.ref_ci = import_rows.customer_key_ci`;
  if (ctx.options.ignoreCase) {
    await sql`UPDATE import_rows SET customer_id = (SELECT min(c.id) ${folded})
      WHERE ${open} AND (SELECT count(*) ${folded}) = 1`.execute(db);
  }
  await sql`UPDATE import_rows SET status = 'unmatched', reason = 'customer_not_found', column_name = 'ref',
      message = 'No customer with ref "' || customer_key || '", and a new one would differ from an existing ref only in case.',
      hint = 'Did you mean "' || (SELECT min(c.ref) ${folded}) || '"? Write it exactly, or pass --ignore-case.'
    WHERE ${open} AND EXISTS (SELECT 1 ${folded})`.execute(db);

  await sql`UPDATE import_rows SET target_key = CASE WHEN customer_id IS NULL THEN 'new:' || customer_key_ci
      ELSE 'id:' || CAST(customer_id AS TEXT) END WHERE ${pendingRows(ctx)}`.execute(db);
  await settleSameTargetRows(db, ctx, {
    noun: 'customer',
    fields: [
      { column: 'ref', expr: NEW_REF },
      { column: 'name', expr: '$.name' },
      { column: 'erp_id', expr: '$.erp_id' },
    ],
    effect: [NEW_REF, '$.name', '$.erp_id'],
    setters: [
      ['name', 'name_ci'],
      ['erp_id', 'erp_id_ci'],
    ],
    afterFirstRows: async (trx) => {
      await requireNameOnCreate(trx, ctx);
      await rejectTakenErpIds(trx, ctx);
    },
  });
}

/** The row that creates a customer must name it; rows after an invalid first row get their own turn. */
async function requireNameOnCreate(db: Db, ctx: RunContext): Promise<void> {
  for (;;) {
    const result =
      await sql`UPDATE import_rows SET status = 'invalid', reason = 'missing_value', column_name = 'name',
        message = 'Customer "' || customer_key || '" is new and needs a name.', hint = 'Fill in name for a new customer.'
      WHERE ${pendingRows(ctx)} AND customer_id IS NULL AND is_first = 1 AND name IS NULL`.execute(db);
    if (!result.numAffectedRows) return;
    await markFirstRows(db, ctx);
  }
}

/** erp_id is unique: a value held by another customer, or given to two customers by the file, is refused. */
async function rejectTakenErpIds(db: Db, ctx: RunContext): Promise<void> {
  const holder = sql`FROM customers c WHERE c.workspace_id = ${ctx.workspaceId} AND c.erp_id = import_rows.erp_id
    AND (import_rows.customer_id IS NULL OR c.id <> import_rows.customer_id)`;
  await sql`UPDATE import_rows SET status = 'invalid', reason = 'erp_id_in_use', column_name = 'erp_id',
      message = 'erp_id "' || erp_id || '" already belongs to customer "' || (SELECT min(c.ref) ${holder}) || '".',
      hint = 'Each erp_id can belong to one customer only.'
    WHERE ${pendingRows(ctx)} AND erp_id <> '' AND EXISTS (SELECT 1 ${holder})`.execute(db);
  await sql`UPDATE import_rows SET status = 'invalid', reason = 'erp_id_in_use', column_name = 'erp_id',
      message = 'erp_id "' || import_rows.erp_id || '" is given to more than one customer in this file.',
      hint = 'Each erp_id can belong to one customer only.'
    FROM (SELECT erp_id FROM import_rows WHERE ${pendingRows(ctx)} AND erp_id <> ''
      GROUP BY erp_id HAVING count(DISTINCT target_key) > 1) d
    WHERE import_rows.run_id = ${ctx.runId} AND import_rows.status = 'pending' AND import_rows.erp_id = d.erp_id`.execute(
    db,
  );
}

interface CustomerRow {
  row_no: number;
  is_first: 0 | 1;
  customer_key: string;
  name: string | null;
  erp_id: string | null;
  cur_id: number | null;
  cur_ref: string | null;
  cur_name: string | null;
  cur_erp_id: string | null;
}

async function applyBatch(db: Db, ctx: RunContext, from: number, to: number): Promise<void> {
  const { rows } = await sql<CustomerRow>`SELECT r.row_no, r.is_first, r.customer_key, r.name, r.erp_id,
      c.id AS cur_id, c.ref AS cur_ref, c.name AS cur_name, c.erp_id AS cur_erp_id
    FROM import_rows r LEFT JOIN customers c ON c.id = r.customer_id
    WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}`.execute(
    db,
  );
  const outcomes = rows.map((r) => {
    const changes: Record<string, Change> = {};
    const created = r.is_first === 1 && r.cur_id === null;
    if (created) changes.ref = [null, r.customer_key];
    if (r.name !== null) noteChange(changes, 'name', r.cur_name, r.name);
    const erpId = r.erp_id === null ? undefined : r.erp_id || null;
    if (erpId !== undefined) noteChange(changes, 'erp_id', r.cur_erp_id, erpId);
    const after = {
      name: r.name ?? undefined,
      name_ci: r.name === null ? undefined : foldCase(r.name),
      erp_id: erpId,
      erp_id_ci: erpId === undefined ? undefined : erpId && foldCase(erpId),
    };
    if (created) {
      return outcome(r.row_no, true, changes, [
        { table: 'customers', key: { ref: r.customer_key }, created: true, after },
      ]);
    }
    const before = {
      name: r.cur_name,
      name_ci: r.cur_name && foldCase(r.cur_name),
      erp_id: r.cur_erp_id,
      erp_id_ci: r.cur_erp_id && foldCase(r.cur_erp_id),
    };
    const columns = changedColumns(before, after);
    const key = { ref: r.cur_ref ?? r.customer_key };
    return outcome(r.row_no, false, changes, [columns && { table: 'customers', key, ...columns }]);
  });
  await writeOutcomes(db, ctx, outcomes);
  if (ctx.options.dryRun) return;

  const batch = sql`run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}`;
  const at = now();
  if (outcomes.some((o) => o.status === 'created')) {
    await sql`INSERT INTO customers (workspace_id, ref, ref_ci, name, name_ci, erp_id, erp_id_ci, created_at, updated_at)
      SELECT CAST(${ctx.workspaceId} AS INTEGER), customer_key, customer_key_ci, name, name_ci, NULLIF(erp_id, ''), NULLIF(erp_id_ci, ''), ${at}, ${at}
      FROM import_rows WHERE ${batch} AND status = 'created'`.execute(db);
    // Later rows of a customer created here now update it by id (joined on the target index).
    await sql`UPDATE import_rows SET customer_id = c.id
      FROM (SELECT r.target_key, c.id FROM import_rows r
        JOIN customers c ON c.workspace_id = ${ctx.workspaceId} AND c.ref = r.customer_key
        WHERE r.run_id = ${ctx.runId} AND r.row_no BETWEEN ${from} AND ${to} AND r.status = 'created') c
      WHERE import_rows.run_id = ${ctx.runId} AND import_rows.target_key = c.target_key
        AND import_rows.customer_id IS NULL`.execute(db);
  }
  if (outcomes.some((o) => o.status === 'updated')) {
    await sql`UPDATE customers SET
        name = coalesce(a.name, customers.name), name_ci = coalesce(a.name_ci, customers.name_ci),
        erp_id = CASE WHEN a.erp_id IS NULL THEN customers.erp_id ELSE NULLIF(a.erp_id, '') END,
        erp_id_ci = CASE WHEN a.erp_id IS NULL THEN customers.erp_id_ci ELSE NULLIF(a.erp_id_ci, '') END,
        updated_at = ${at}
      FROM (SELECT customer_id, max(name) AS name, max(name_ci) AS name_ci, max(erp_id) AS erp_id,
          max(erp_id_ci) AS erp_id_ci FROM import_rows
        WHERE ${batch} AND status = 'updated' GROUP BY customer_id) a
      WHERE customers.id = a.customer_id`.execute(db);
  }
}

/** `customers`: creates or updates customers, matched by ref; a new customer needs a name. */
export const customersKind: ImportKind = {
  name: 'customers',
  options: ['ignoreCase', 'blank'],
  summary: 'Create or update customers, matched by ref; a new customer needs a name.',
  columns: [
    { name: 'ref', required: true },
    { name: 'name', required: false },
    { name: 'erp_id', required: false },
  ],
  keyColumns: ['ref', 'name'],
  checkRow(cells, options) {
    const ref = cells.get('ref') ?? '';
    if (ref === '') return missing('ref');
    // A customer always has a name, so a blank name keeps it even with --blank clear.
    return { customer_key: ref, name: cells.get('name') || null, erp_id: optional(cells, 'erp_id', options) };
  },
  plan,
  applyBatch,
};
