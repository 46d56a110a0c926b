import type { Kysely } from 'kysely';
import { foldCase } from '../../domain/text.js';
import type { DialectName } from '../dialect.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const PAGE = 1000;

/**
 * Case-insensitive keys are folded again with full Unicode case folding (σ, ς and Σ meet, and ß and ss) and
 * emails are stored in NFC (a composed and a decomposed `josé` are one address). Only values with characters
 * outside ASCII change. Two emails of one workspace that would now fold alike (a contact typed in NFC and
 * in NFD) are both left exactly as they were, so the migration never fails on a unique key: they stay two
 * records, to be merged by hand; every new import or edit of either address is then refused as taken.
 */
export function identityFoldMigration(_dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await refold(db, 'customers', [
        ['ref', 'ref_ci'],
        ['erp_id', 'erp_id_ci'],
        ['name', 'name_ci'],
      ]);
      await refold(db, 'positions', [['name', 'name_ci']]);
      await refold(db, 'labels', [['name', 'name_ci']]);
      await refoldEmails(db, 'contacts');
      await refoldEmails(db, 'users');
    },
  };
}

/** Rows of `table` by id, page by page. */
async function* pages(db: Kysely<any>, table: string, columns: string[]) {
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom(table)
      .select(['id', ...columns])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id as number;
  }
}

/** Folded twins without a unique key: each is written again from its value. */
async function refold(db: Kysely<any>, table: string, pairs: [string, string][]): Promise<void> {
  for await (const rows of pages(db, table, pairs.flat())) {
    for (const row of rows) {
      const set: Record<string, string | null> = {};
      for (const [value, folded] of pairs) {
        const next = row[value] === null ? null : foldCase(row[value] as string);
        if (next !== row[folded]) set[folded] = next;
      }
      if (Object.keys(set).length > 0)
        await db.updateTable(table).set(set).where('id', '=', row.id).execute();
    }
  }
}

interface EmailRow {
  id: number;
  workspace_id: number;
  email: string;
  email_ci: string;
  next: { email: string; email_ci: string };
  kept?: true;
}

/** Emails, unique per workspace by email_ci: changed unless the new key would meet another row's. */
async function refoldEmails(db: Kysely<any>, table: 'contacts' | 'users'): Promise<void> {
  const changed: EmailRow[] = [];
  for await (const rows of pages(db, table, ['workspace_id', 'email', 'email_ci'])) {
    for (const row of rows as Omit<EmailRow, 'next'>[]) {
      const email = row.email.normalize('NFC');
      const next = { email, email_ci: foldCase(email) };
      if (next.email !== row.email || next.email_ci !== row.email_ci) changed.push({ ...row, next });
    }
  }
  if (changed.length === 0) return;
  const key = (workspaceId: number, ci: string) => `${workspaceId}\n${ci}`;
  const changedIds = new Set(changed.map((r) => r.id));
  // A new key held by a row this migration does not change: that row stays, so this one must.
  for (const r of changed) {
    const holder = await db
      .selectFrom(table)
      .select('id')
      .where('workspace_id', '=', r.workspace_id)
      .where('email_ci', '=', r.next.email_ci)
      .where('id', '<>', r.id)
      .execute();
    if (holder.some((h) => !changedIds.has(h.id as number))) r.kept = true;
  }
  // Among the changed rows, keys are settled until none is held twice (a kept row holds its old key).
  for (let again = true; again;) {
    again = false;
    const holders = new Map<string, EmailRow[]>();
    for (const r of changed) {
      const k = key(r.workspace_id, r.kept ? r.email_ci : r.next.email_ci);
      holders.set(k, [...(holders.get(k) ?? []), r]);
    }
    for (const group of holders.values()) {
      if (group.length < 2) continue;
      for (const r of group.filter((g) => !g.kept)) {
        r.kept = true;
        again = true;
      }
    }
  }
  const moving = changed.filter((r) => !r.kept);
  // Two steps, so that a row taking a key another row gives up never meets it on the way.
  for (const r of moving) {
    await db
      .updateTable(table)
      .set({ email_ci: `#refold:${r.id}` })
      .where('id', '=', r.id)
      .execute();
  }
  for (const r of moving) await db.updateTable(table).set(r.next).where('id', '=', r.id).execute();
}
