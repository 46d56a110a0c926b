import { sql } from 'kysely';
import type { Db } from '../db/dialect.js';
import type { RecordEditTable, RunStatus } from '../db/schema.js';
import { getContact } from './contacts.js';
import { getCustomer } from './customers.js';
import type { FieldChange } from './record-edits.js';
import { foldCase } from './text.js';

/** One change of a record: a row of an import run, or an edit through the API. */
export interface HistoryEntry {
  at: string;
  actor: string;
  source: 'import' | 'edit';
  action: RecordEditTable['action'];
  /** The other side of a link change: a customer's ref on a contact, a contact's email on a customer. */
  subject: string | null;
  changes: Record<string, FieldChange>;
  /** The run that made an import change, and the line of its file. */
  run: { id: string; kind: string; status: RunStatus; fileName: string; line: number } | null;
}

export interface History {
  items: HistoryEntry[];
  /** More changes than `limit` exist (the oldest are left out). */
  more: boolean;
}

interface RowHit {
  public_id: string;
  kind: string;
  status: RunStatus;
  file_name: string;
  actor: string;
  started_at: string;
  finished_at: string | null;
  line: number;
  outcome: 'created' | 'updated';
  changes: string | null;
  subject: string | null;
}

/**
 * A contact's history, newest first: the rows of real (not dry) runs that created or updated it (the contacts
 * import by its email, also any email it had before an API edit changed it; the link kinds by its id), and
 * its API edits. Each source is read through an index and capped at `limit`.
 */
export async function contactHistory(db: Db, workspaceId: number, id: number, limit = 200): Promise<History> {
  const contact = await getContact(db, workspaceId, id);
  const edits = await editsOf(db, workspaceId, 'contact', id, limit);
  const emails = new Set([foldCase(contact.email)]);
  for (const e of edits) {
    const change = e.changes.email;
    if (typeof change?.[0] === 'string') emails.add(foldCase(change[0]));
  }
  const [byEmail, byLink] = await Promise.all([
    rowsWhere(
      db,
      workspaceId,
      limit,
      sql`r.email_ci IN (${sql.join([...emails])}) AND u.kind = 'contacts'`,
      sql`NULL`,
    ),
    rowsWhere(
      db,
      workspaceId,
      limit,
      // The contacts import resolves contact_id too, and is read by email above.
      sql`r.contact_id = ${id} AND u.kind <> 'contacts'`,
      sql`(SELECT c.ref FROM customers c WHERE c.id = r.customer_id)`,
    ),
  ]);
  return merge(limit, edits, byEmail.map(entryOf), byLink.map(entryOf));
}

/**
 * A customer's history, newest first: rows of the customers import that created or updated it, rows that
 * changed one of its persons (the link kinds; contacts rows that linked a contact to it), and its API edits.
 */
export async function customerHistory(
  db: Db,
  workspaceId: number,
  id: number,
  limit = 200,
): Promise<History> {
  await getCustomer(db, workspaceId, id);
  const [edits, rows] = await Promise.all([
    editsOf(db, workspaceId, 'customer', id, limit),
    rowsWhere(
      db,
      workspaceId,
      limit,
      // Every kind that resolves a row's customer_id (customers, contacts, the link kinds) shows here.
      sql`r.customer_id = ${id}`,
      sql`s.email`,
    ),
  ]);
  const entries = rows.map(entryOf).flatMap((e) => {
    if (e.run?.kind !== 'contacts') return [e];
    // A contacts row names its customer only to link the contact: the rest of the row is the contact's.
    const link = e.changes.company_id;
    return link ? [{ ...e, action: 'linked' as const, changes: { company_id: link } }] : [];
  });
  return merge(limit, edits, entries);
}

async function rowsWhere(
  db: Db,
  workspaceId: number,
  limit: number,
  match: ReturnType<typeof sql>,
  subject: ReturnType<typeof sql>,
): Promise<RowHit[]> {
  // `r.status IN (…)` as the partial indexes of migration 017 say it, so SQLite uses them. `r` is the row's
  // outcome, `s` its staged row.
  const { rows } = await sql<RowHit>`SELECT u.public_id, u.kind, u.status, u.file_name, u.actor, u.started_at,
      u.finished_at, s.line, r.status AS outcome, r.changes, ${subject} AS subject
    FROM import_outcomes r JOIN import_runs u ON u.id = r.run_id
      JOIN import_rows s ON s.run_id = r.run_id AND s.row_no = r.row_no
    WHERE r.status IN ('created', 'updated') AND ${match} AND u.workspace_id = ${workspaceId} AND u.dry_run = 0
    ORDER BY r.run_id DESC, r.row_no DESC LIMIT ${limit + 1}`.execute(db);
  return rows;
}

function entryOf(r: RowHit): HistoryEntry {
  return {
    at: r.finished_at ?? r.started_at,
    actor: r.actor,
    source: 'import',
    action: r.outcome,
    subject: r.subject,
    changes: r.changes ? (JSON.parse(r.changes) as Record<string, FieldChange>) : {},
    run: { id: r.public_id, kind: r.kind, status: r.status, fileName: r.file_name, line: r.line },
  };
}

async function editsOf(
  db: Db,
  workspaceId: number,
  type: RecordEditTable['record_type'],
  id: number,
  limit: number,
): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('record_edits')
    .select(['action', 'subject', 'actor', 'at', 'changes'])
    .where('workspace_id', '=', workspaceId)
    .where('record_type', '=', type)
    .where('record_id', '=', id)
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return rows.map((r) => ({
    at: r.at,
    actor: r.actor,
    source: 'edit',
    action: r.action,
    subject: r.subject,
    changes: JSON.parse(r.changes) as Record<string, FieldChange>,
    run: null,
  }));
}

/** Newest first; a source that reached its cap means older entries were left out. */
function merge(limit: number, ...sources: HistoryEntry[][]): History {
  const all = sources.flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return { items: all.slice(0, limit), more: all.length > limit || sources.some((s) => s.length > limit) };
}
