import { sql } from 'kysely';
import { dialectOf, type Db } from '../../db/dialect.js';
import { now } from '../../domain/text.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { resolveCustomers } from '../stages/resolve-customers.js';
import { resolvePersons } from '../stages/resolve-persons.js';
import { resolvePositions } from '../stages/resolve-positions.js';
import { settleSameTargetRows } from '../stages/same-target.js';
import { jsonFlagSql, jsonObjectSql, jsonPairSql, outcomeIs } from '../stages/write-outcomes.js';
import type { UndoTableFacts } from '../undo-record.js';

/*
 * What the kinds positions, mark-primary, unmark-primary and persons share: each row targets an existing
 * link between a customer and a contact (a "person of a customer") and sets its position and/or primary flag.
 */

const POSITION = "CASE WHEN $.position_name = '' THEN -1 ELSE $.position_id END";
const PRIMARY = '$.primary_value';

/** What undo needs to know of customer_contacts (a link's key: customer_id and the contact's email_ci). */
export const linksUndo: UndoTableFacts = { timestamped: true };

/** Resolves customer, person and position; settles rows that name the same person twice. */
export async function planPersonLinks(db: Db, ctx: RunContext): Promise<void> {
  await resolveExactMatches(db, ctx);
  await resolveCustomers(db, ctx, 'customer_ref');
  await resolvePersons(db, ctx);
  await resolvePositions(db, ctx);
  // A row's target is its link, (customer_id, contact_id), as resolved: no target_key is written, so on
  // PostgreSQL the plan's updates leave the row's index entries alone (heap-only tuples, migration 021).
  await settleSameTargetRows(db, ctx, {
    target: ['customer_id', 'contact_id'],
    noun: 'person',
    fields: [
      { column: 'position_name', expr: POSITION },
      { column: 'primary', expr: PRIMARY },
    ],
    effect: [POSITION, PRIMARY],
    setters: [['position_name', 'position_id', 'position_ci'], ['primary_value']],
  });
}

/**
 * The common case in one pass: customer (by a unique key), contact and position matched exactly. Each later
 * resolve step then only touches the rows left without a match. On PostgreSQL every pass over the run
 * rewrites its rows, so one pass instead of three is most of the plan's time (measured: 10.8 s → see note).
 */
async function resolveExactMatches(db: Db, ctx: RunContext): Promise<void> {
  const ws = ctx.workspaceId;
  const key = ctx.options.customerKey;
  // A name may belong to two customers: those rows go through resolveCustomers' ambiguity check instead.
  const customer =
    key === 'name'
      ? sql`customer_id`
      : sql`(SELECT c.id FROM customers c WHERE c.workspace_id = ${ws} AND ${sql.ref(`c.${key}`)} = import_rows.customer_key)`;
  const contact = sql`(SELECT p.id FROM contacts p WHERE p.workspace_id = ${ws} AND p.email = import_rows.email)`;
  await sql`UPDATE import_rows SET customer_id = ${customer}, contact_id = ${contact},
      position_id = CASE WHEN position_name <> '' THEN
        (SELECT ps.id FROM positions ps WHERE ps.workspace_id = ${ws} AND ps.name = import_rows.position_name) END
    WHERE ${pendingRows(ctx)}`.execute(db);
}

/**
 * Decides and (unless a dry run) applies one batch: each row's outcome, changes and undo data computed in
 * one INSERT … SELECT into import_outcomes, then one UPDATE … FROM of the links the batch changes.
 */
export async function applyPersonLinks(db: Db, ctx: RunContext, from: number, to: number): Promise<void> {
  const dialect = dialectOf(db);
  const json = (column: string) => dialect.jsonText(sql.ref(column));
  const newPosition = sql`CASE WHEN r.position_name = '' THEN NULL ELSE r.position_id END`;
  // A row sets a field that it names ('' clears the position) to a value the link does not hold.
  const position = sql`(r.position_name IS NOT NULL
    AND NOT (${newPosition} ${sql.raw(dialect.nullSafeEqual)} l.position_id))`;
  const primary = sql`(r.primary_value IS NOT NULL AND r.primary_value <> l.is_primary)`;
  const changed = sql`(${position} OR ${primary})`;
  const changes = jsonObjectSql([
    { key: 'position_name', when: position, value: jsonPairSql(json('op.name'), json('np.name')) },
    {
      key: 'primary',
      when: primary,
      value: jsonPairSql(jsonFlagSql(sql.ref('l.is_primary')), jsonFlagSql(sql.ref('r.primary_value'))),
    },
  ]);
  const columns = (side: 'before' | 'after') =>
    jsonObjectSql([
      {
        key: 'position_id',
        when: position,
        value: side === 'before' ? json('l.position_id') : dialect.jsonText(newPosition),
      },
      {
        key: 'is_primary',
        when: primary,
        value: json(side === 'before' ? 'l.is_primary' : 'r.primary_value'),
      },
    ]);
  // An UndoRecord of the link (see linksUndo): found again by its customer and its contact's email.
  const undo = sql`'[{"table":"customer_contacts","key":{"customer_id":' || ${json('r.customer_id')}
    || ',"email_ci":' || ${json('r.email_ci')} || '},"before":' || ${columns('before')}
    || ',"after":' || ${columns('after')} || '}]'`;
  // A record's history reads a link row by its contact and its customer (not by email), and no dry run's.
  const keys = ctx.options.dryRun
    ? sql`CAST(NULL AS TEXT), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER)`
    : sql`CAST(NULL AS TEXT), r.contact_id, r.customer_id`;
  await dialect.joiningByKey(db, () =>
    sql`INSERT INTO import_outcomes (run_id, row_no, status, changes, undo_data, email_ci, contact_id, customer_id)
    SELECT CAST(${ctx.runId} AS INTEGER), r.row_no, CASE WHEN ${changed} THEN 'updated' ELSE 'unchanged' END,
      CASE WHEN ${changed} THEN ${changes} END, ${ctx.options.dryRun ? sql`NULL` : sql`CASE WHEN ${changed} THEN ${undo} END`},
      ${keys}
    FROM import_rows r
    JOIN customer_contacts l ON l.customer_id = r.customer_id AND l.contact_id = r.contact_id
    LEFT JOIN positions op ON op.id = l.position_id
    LEFT JOIN positions np ON np.id = r.position_id
    WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}
    ORDER BY r.row_no`.execute(db),
  );
  if (ctx.options.dryRun) return;

  // After keepFirstSetters, at most one row per link and field sets a value, so max() picks it.
  await sql`UPDATE customer_contacts SET
      position_id = CASE WHEN a.position_name IS NULL THEN customer_contacts.position_id
        WHEN a.position_name = '' THEN NULL ELSE a.position_id END,
      is_primary = coalesce(a.primary_value, customer_contacts.is_primary),
      updated_at = ${now()}
    FROM (SELECT customer_id, contact_id, max(position_name) AS position_name, max(position_id) AS position_id,
        max(primary_value) AS primary_value
      FROM import_rows WHERE run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}
        AND ${outcomeIs(ctx, 'import_rows', { from, to }, 'updated')}
      GROUP BY customer_id, contact_id) a
    WHERE customer_contacts.customer_id = a.customer_id AND customer_contacts.contact_id = a.contact_id`.execute(
    db,
  );
}
