import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { contactSearchMigration } from '../../src/db/migrations/019-contact-search.js';
import { createContact, searchContacts, updateContact } from '../../src/domain/contacts.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { importCsv } from '../support/factories.js';
import { backend, type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

/**
 * A contact's name is searched in `contacts.name_ci`, which the database keeps: these tests change names
 * through every writer (import, API edit, undo, the migration itself) and search for old and new names.
 */
describe('contact search by name', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  const found = async (q: string) =>
    (await searchContacts(t.conn.db, ws.id, { q, limit: 50, offset: 0 })).items.map((c) => c.email);

  it('finds names an import creates and changes, and loses them when the import is undone', async () => {
    const created = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      'email,first_name,last_name\nodysseas@example.gr,ΟΔΥΣΣΕΑΣ,Παπαδόπουλος\nmia@example.com,Mia,Kowalski\n',
    );
    expect(created.counts.created).toBe(2);
    expect(await found('mia kow')).toEqual(['mia@example.com']);
    // Full case folding on SQLite; PostgreSQL folds as its locale does (the test cluster's is C: ASCII only).
    if (backend === 'sqlite') expect(await found('οδυσσεας παπαδ')).toEqual(['odysseas@example.gr']);

    const renamed = await importCsv(t.conn.db, ws, 'contacts', 'email,last_name\nmia@example.com,Nowak\n');
    expect(renamed.counts.updated).toBe(1);
    expect(await found('kowalski')).toEqual([]);
    expect(await found('mia nowak')).toEqual(['mia@example.com']);

    await undoImport(t.conn.db, ws, renamed.id);
    expect(await found('nowak')).toEqual([]);
    expect(await found('kowalski')).toEqual(['mia@example.com']);
    await undoImport(t.conn.db, ws, created.id);
    expect(await found('kowalski')).toEqual([]);
  });

  it('finds names as API edits set and clear them', async () => {
    const c = await createContact(t.conn.db, ws.id, {
      email: 'z@example.com',
      firstName: 'Zoe',
      lastName: 'Ng',
    });
    expect(await found('ZOE NG')).toEqual(['z@example.com']);
    await updateContact(t.conn.db, ws.id, c.id, { firstName: null, lastName: 'Okafor' });
    expect(await found('zoe')).toEqual([]);
    expect(await found('okafor')).toEqual(['z@example.com']);
  });

  it('fills the folded name of every contact that existed before the migration', async () => {
    await importCsv(t.conn.db, ws, 'contacts', 'email,first_name,last_name\nold@example.com,Elodie,Brun\n');
    const db = t.conn.db;
    if (backend === 'sqlite') {
      await sql`DROP INDEX contacts_email_idx`.execute(db);
      await sql`CREATE INDEX contacts_email_idx ON contacts (workspace_id, email)`.execute(db);
    }
    await sql`ALTER TABLE contacts DROP COLUMN name_ci`.execute(db);
    await contactSearchMigration(backend).up(db);
    expect(await found('elodie brun')).toEqual(['old@example.com']);
    // The sample world's contacts too.
    expect(await found('jane smith')).toEqual(['jane.smith@example.com']);
  });
});
