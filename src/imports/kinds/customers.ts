import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import type { UndoTableFacts } from '../undo-record.js';
import { missing } from '../../domain/row-problem.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { markFirstRows, settleSameTargetRows } from '../stages/same-target.js';
import { optional, type ImportKind } from './kind.js';
import { applyUpsertBatch, takeCreatedIds, type UpsertSpec } from './upsert.js';

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

/**
 * erp_id is unique: a value held by another customer, or given to two customers by the file, is refused.
 * An erp_id that the file moves from one customer to another (A's row gives X up, B's row takes it) is
 * refused on both rows: applied in file order, batch by batch, the move would fail or succeed depending on
 * which row comes first and on the batch size, and a rerun would then see another state. Refusing both
 * gives the same outcome on every run, dry or real; two files (A's change first) make the move.
 */
async function rejectTakenErpIds(db: Db, ctx: RunContext): Promise<void> {
  const ws = ctx.workspaceId;
  // The customer holding a row's erp_id, and that customer's own pending rows giving it up.
  const giving = sql`FROM customers c JOIN import_rows a ON a.run_id = ${ctx.runId} AND a.status = 'pending'
      AND a.customer_id = c.id AND a.erp_id IS NOT NULL AND a.erp_id <> c.erp_id
    WHERE c.workspace_id = ${ws} AND c.erp_id = import_rows.erp_id
      AND (import_rows.customer_id IS NULL OR c.id <> import_rows.customer_id)`;
  await sql`UPDATE import_rows SET status = 'invalid', reason = 'erp_id_in_use', column_name = 'erp_id',
      message = 'erp_id "' || erp_id || '" belongs to customer "' || (SELECT min(c.ref) ${giving})
        || '", which this file gives another erp_id (line ' || CAST((SELECT min(a.line) ${giving}) AS TEXT)
        || '): an erp_id cannot move between customers within one file.',
      hint = 'Import the row that frees it in a file of its own first, then this row.'
    WHERE ${pendingRows(ctx)} AND erp_id <> '' AND EXISTS (SELECT 1 ${giving})`.execute(db);
  // The rows giving an erp_id up to a row refused above are refused with it.
  const taking = sql`FROM customers c JOIN import_rows b ON b.run_id = ${ctx.runId} AND b.status = 'invalid'
      AND b.reason = 'erp_id_in_use' AND b.erp_id = c.erp_id
    WHERE c.workspace_id = ${ws} AND c.id = import_rows.customer_id`;
  await sql`UPDATE import_rows SET status = 'invalid', reason = 'erp_id_in_use', column_name = 'erp_id',
      message = 'Customer "' || (SELECT min(c.ref) ${taking}) || '" gives erp_id "' || (SELECT min(c.erp_id) ${taking})
        || '" up to another customer on line ' || CAST((SELECT min(b.line) ${taking}) AS TEXT)
        || ': an erp_id cannot move between customers within one file.',
      hint = 'Import this row in a file of its own first, then the row that takes the erp_id.'
    WHERE ${pendingRows(ctx)} AND customer_id IS NOT NULL AND erp_id IS NOT NULL
      AND EXISTS (SELECT 1 ${taking} AND import_rows.erp_id <> c.erp_id)`.execute(db);
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

/** Customers are matched by id (resolved in the plan); rows after one that creates a customer get its id. */
const upsert: UpsertSpec = {
  table: 'customers',
  key: { column: 'ref', folded: 'ref_ci', staged: 'customer_key', stagedFolded: 'customer_key_ci' },
  fields: [
    // A customer always has a name: checkRow never stages '' for it.
    { column: 'name', folded: 'name_ci', blankClears: false },
    { column: 'erp_id', folded: 'erp_id_ci', blankClears: true },
  ],
  current: () => sql`t.id = r.customer_id`,
  updated: () => ({ from: sql`import_rows r`, id: sql`r.customer_id` }),
  // The ref as stored (an --ignore-case match may spell it otherwise), or as the row creates it.
  undoKey: { ref: sql`coalesce(t.ref, r.customer_key)` },
  keys: { customer_id: sql`t.id` },
  // Later rows of a customer created here now update it by id (joined on the target index).
  afterCreate: takeCreatedIds('customers', 'customer_id', { column: 'ref', staged: 'customer_key' }),
};

/** What undo needs to know of the customers table. */
export const customersUndo: UndoTableFacts = {
  withWorkspace: true,
  timestamped: true,
  dependents: [{ table: 'customer_contacts', column: 'customer_id' }],
};

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
  undoTables: { customers: customersUndo },
  plan,
  applyBatch: (db, ctx, from, to) => applyUpsertBatch(upsert, db, ctx, from, to),
};
