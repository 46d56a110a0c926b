import type { Db } from '../db/dialect.js';
import type { RecordEditTable } from '../db/schema.js';
import type { ContactDetail } from './contacts.js';
import type { CustomerView } from './customers.js';
import { now } from './text.js';

/** A field's value before and after a change (null: empty), as import rows record them. */
export type FieldChange = [before: unknown, after: unknown];

export interface RecordEdit {
  recordType: RecordEditTable['record_type'];
  recordId: number;
  action: RecordEditTable['action'];
  subject?: string;
  changes: Record<string, FieldChange>;
}

/**
 * Records an edit made through the API in the changing transaction, so a record's history shows it beside
 * the imports that changed it. An update that changed nothing is not recorded.
 */
export async function recordEdit(
  db: Db,
  workspaceId: number,
  actor: string,
  edit: RecordEdit,
): Promise<void> {
  if (edit.action === 'updated' && Object.keys(edit.changes).length === 0) return;
  await db
    .insertInto('record_edits')
    .values({
      workspace_id: workspaceId,
      record_type: edit.recordType,
      record_id: edit.recordId,
      action: edit.action,
      subject: edit.subject ?? null,
      actor,
      at: now(),
      changes: JSON.stringify(edit.changes),
    })
    .execute();
}

/** What changed between two states of a record, in the import's column names; equal values are left out. */
function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (a !== b) changes[key] = [a, b];
  }
  return changes;
}

/** A contact's own columns as the contacts import names them; labels as one sorted ":" list. */
function contactColumns(c: ContactDetail | null): Record<string, unknown> {
  if (!c) return {};
  return {
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    labels: c.labels.map((l) => l.name).join(':') || null,
    ...c.fields,
  };
}

export function contactChanges(
  before: ContactDetail | null,
  after: ContactDetail,
): Record<string, FieldChange> {
  return diff(contactColumns(before), contactColumns(after));
}

export function customerChanges(
  before: CustomerView | null,
  after: CustomerView,
): Record<string, FieldChange> {
  const columns = (c: CustomerView | null) => (c ? { ref: c.ref, name: c.name, erp_id: c.erpId } : {});
  return diff(columns(before), columns(after));
}

type Link = ContactDetail['customers'][number];

/**
 * Records a change of a contact's link to a customer on both records: on the contact (subject: the
 * customer's ref) and on the customer (subject: the contact's email).
 */
export async function recordLinkEdit(
  db: Db,
  workspaceId: number,
  actor: string,
  contact: ContactDetail,
  customerId: number,
  before: Link | undefined,
  after: Link | undefined,
): Promise<void> {
  const link = after ?? before;
  if (!link) return;
  const columns = (l: Link | undefined) => (l ? { position_name: l.position, primary: l.primary } : {});
  const changes = diff(columns(before), columns(after));
  const action = !before ? 'linked' : !after ? 'unlinked' : 'updated';
  if (action === 'linked') changes.company_id = [null, link.ref];
  if (action === 'unlinked') changes.company_id = [link.ref, null];
  await recordEdit(db, workspaceId, actor, {
    recordType: 'contact',
    recordId: contact.id,
    action,
    subject: link.ref,
    changes,
  });
  await recordEdit(db, workspaceId, actor, {
    recordType: 'customer',
    recordId: customerId,
    action,
    subject: contact.email,
    changes,
  });
}
