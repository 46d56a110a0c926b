import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { addLabel } from '../../src/domain/labels.js';
import { addField } from '../../src/domain/fields.js';
import { importCsv, linkPerson, personsSnapshot, positionOf, storedRun } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

describe('undo', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  const customers = async () =>
    (await t.conn.db.selectFrom('customers').select(['ref', 'name', 'erp_id']).orderBy('ref').execute()).map(
      (c) => `${c.ref} ${c.name} ${c.erp_id ?? '-'}`,
    );

  it('removes created customers and restores updated ones', async () => {
    const before = await customers();
    const report = await importCsv(
      t.conn.db,
      ws,
      'customers',
      'ref,name,erp_id\nCUST100,New One,E-100\nCUST001,Globex Renamed,\nCUST002,,E-22\n',
    );
    expect(report.counts).toMatchObject({ created: 1, updated: 2 });
    const undo = await undoImport(t.conn.db, ws, report.id);
    expect(undo).toMatchObject({ status: 'undone', restored: 2, removed: 1, conflicts: [] });
    expect(await customers()).toEqual(before);
    const ci = await t.conn.db
      .selectFrom('customers')
      .select('name_ci')
      .where('ref', '=', 'CUST001')
      .executeTakeFirstOrThrow();
    expect(ci.name_ci).toBe('globex');
    expect((await storedRun(t.conn.db, report.id)).status).toBe('undone');
  });

  it('puts positions and primary flags back', async () => {
    const before = await personsSnapshot(t.conn.db, ws.id);
    const report = await importCsv(
      t.conn.db,
      ws,
      'persons',
      'customer_ref,email_address,position_name,primary\nCUST001,john.doe@example.com,CEO,true\nCUST002,jane.smith@example.com,,\n',
    );
    expect(report.counts.updated).toBe(2);
    await undoImport(t.conn.db, ws, report.id);
    expect(await personsSnapshot(t.conn.db, ws.id)).toEqual(before);
  });

  it('lists a record that changed again since as a conflict and leaves it as it is', async () => {
    const first = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\nCUST004,alice.brown@example.com,CEO\n',
    );
    await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,Account Manager\n',
    );
    const undo = await undoImport(t.conn.db, ws, first.id);
    expect(undo.restored).toBe(1);
    expect(undo.conflicts).toEqual([
      expect.objectContaining({
        line: 2,
        table: 'customer_contacts',
        message: expect.stringContaining('changed after the run'),
      }),
    ]);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('Account Manager');
    expect(await positionOf(t.conn.db, 'CUST004', 'alice.brown@example.com')).toBeNull();
  });

  it('refuses to undo a run twice, a dry run, or a rejected run', async () => {
    const run = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n',
    );
    await undoImport(t.conn.db, ws, run.id);
    await expect(undoImport(t.conn.db, ws, run.id)).rejects.toThrow('already undone');
    const dry = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n',
      { dryRun: true },
    );
    await expect(undoImport(t.conn.db, ws, dry.id)).rejects.toThrow('dry run');
    const rejected = await importCsv(t.conn.db, ws, 'positions', 'nope\n');
    await expect(undoImport(t.conn.db, ws, rejected.id)).rejects.toThrow('only a completed run');
  });

  it('keeps a customer created by the run that has persons linked since', async () => {
    const report = await importCsv(t.conn.db, ws, 'customers', 'ref,name\nCUST100,New One\n');
    await linkPerson(t.conn.db, ws.id, 'CUST100', 'john.doe@example.com');
    const undo = await undoImport(t.conn.db, ws, report.id);
    expect(undo.removed).toBe(0);
    expect(undo.conflicts[0]?.message).toContain('has links');
    expect(await customers()).toContain('CUST100 New One -');
  });

  /** Contacts with their names, customers, labels and field values, as one sorted list of lines. */
  async function contactsSnapshot(): Promise<string[]> {
    const db = t.conn.db;
    const contacts = await db
      .selectFrom('contacts')
      .select(['id', 'email', 'first_name', 'last_name'])
      .execute();
    const links = await db
      .selectFrom('customer_contacts as l')
      .innerJoin('customers as c', 'c.id', 'l.customer_id')
      .select(['l.contact_id', 'c.ref'])
      .execute();
    const labels = await db
      .selectFrom('contact_labels as cl')
      .innerJoin('labels as l', 'l.id', 'cl.label_id')
      .select(['cl.contact_id', 'l.name'])
      .execute();
    const values = await db
      .selectFrom('contact_field_values as v')
      .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
      .select(['v.contact_id', 'f.variable', 'v.value'])
      .execute();
    return contacts
      .map((c) =>
        [
          c.email,
          c.first_name,
          c.last_name,
          links
            .filter((l) => l.contact_id === c.id)
            .map((l) => l.ref)
            .sort()
            .join('+'),
          labels
            .filter((l) => l.contact_id === c.id)
            .map((l) => l.name)
            .sort()
            .join('+'),
          values
            .filter((v) => v.contact_id === c.id)
            .map((v) => `${v.variable}=${v.value}`)
            .sort()
            .join('+'),
        ].join(' '),
      )
      .sort();
  }

  it('puts contacts back: created ones removed, names, links, labels and field values restored', async () => {
    await addLabel(t.conn.db, ws.id, 'VIP', 'vip');
    await addLabel(t.conn.db, ws.id, 'Gold', 'gold');
    await addField(t.conn.db, ws.id, { variable: 'tier', type: 'number' }, []);
    await importCsv(
      t.conn.db,
      ws,
      'contacts',
      'email,labels,tier\njohn.doe@example.com,VIP,1\njane.smith@example.com,Gold,2\n',
    );
    const before = await contactsSnapshot();
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      [
        'email,first_name,company_id,labels,tier',
        'new@example.com,Nina,CUST001,VIP:Gold,7',
        'new@example.com,Nina,CUST002,VIP:Gold,7',
        'John.Doe@example.com,Johnny,CUST004,Gold,3',
        'jane.smith@example.com,,,,',
      ].join('\n'),
      { labels: 'replace', blank: 'clear', batchSize: 2 },
    );
    expect(report.counts).toMatchObject({ created: 1, updated: 3 });
    expect(await contactsSnapshot()).not.toEqual(before);
    const undo = await undoImport(t.conn.db, ws, report.id);
    expect(undo.conflicts).toEqual([]);
    expect(await contactsSnapshot()).toEqual(before);
  });

  it('undoes a run of many pages as record by record: a contact created early and linked again late is removed', async () => {
    const before = await contactsSnapshot();
    const rows = ['email,first_name,company_id', 'early@example.com,Early,CUST001'];
    for (let i = 0; i < 1500; i++) rows.push(`filler${i}@example.com,Filler,`);
    rows.push('early@example.com,Early,CUST002', 'John.Doe@example.com,Johnny,CUST003');
    const report = await importCsv(t.conn.db, ws, 'contacts', rows.join('\n'));
    expect(report.counts).toMatchObject({ created: 1501, updated: 2 });
    const undo = await undoImport(t.conn.db, ws, report.id);
    // 1,501 contacts and 3 links removed; John's first name put back.
    expect(undo).toMatchObject({ restored: 1, removed: 1504, conflicts: [] });
    expect(await contactsSnapshot()).toEqual(before);
  });

  it('keeps a contact created by the run that has a link or a label added since, and reports it once', async () => {
    await addLabel(t.conn.db, ws.id, 'VIP', 'vip');
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      'email,first_name,company_id\nlinked@example.com,Lin,CUST001\nlabelled@example.com,Lab,\nplain@example.com,Pla,\n',
    );
    await linkPerson(t.conn.db, ws.id, 'CUST002', 'linked@example.com');
    const labelled = await t.conn.db
      .selectFrom('contacts')
      .select('id')
      .where('email_ci', '=', 'labelled@example.com')
      .executeTakeFirstOrThrow();
    const vip = await t.conn.db
      .selectFrom('labels')
      .select('id')
      .where('name', '=', 'VIP')
      .executeTakeFirstOrThrow();
    await t.conn.db
      .insertInto('contact_labels')
      .values({ contact_id: labelled.id, label_id: vip.id })
      .execute();
    const undo = await undoImport(t.conn.db, ws, report.id);
    // The run's own link of linked@ goes; the contact stays for its link to CUST002, labelled@ for its label.
    expect(undo.removed).toBe(2);
    expect(undo.conflicts).toEqual([
      expect.objectContaining({ line: 2, table: 'contacts', message: expect.stringContaining('has links') }),
      expect.objectContaining({ line: 3, table: 'contacts', message: expect.stringContaining('has links') }),
    ]);
    const left = await t.conn.db
      .selectFrom('contacts')
      .select('email_ci')
      .where('email_ci', 'in', ['linked@example.com', 'labelled@example.com', 'plain@example.com'])
      .orderBy('email_ci')
      .execute();
    expect(left.map((c) => c.email_ci)).toEqual(['labelled@example.com', 'linked@example.com']);
    const persons = await personsSnapshot(t.conn.db, ws.id);
    expect(persons).toContain('CUST002 linked@example.com - 0');
    expect(persons).not.toContain('CUST001 linked@example.com - 0');
  });

  it('lists a user whose password changed since as a conflict without showing any hash', async () => {
    await importCsv(t.conn.db, ws, 'users', 'email,first_name,password\nu@example.com,U,First-password-1\n');
    const second = await importCsv(
      t.conn.db,
      ws,
      'users',
      'email,first_name,password\nu@example.com,U,Second-password-2\n',
    );
    expect(second.counts.updated).toBe(1);
    await t.conn.db
      .updateTable('users')
      .set({ password_hash: 'secret-hash-set-since' })
      .where('email_ci', '=', 'u@example.com')
      .execute();
    const undo = await undoImport(t.conn.db, ws, second.id);
    expect(undo).toMatchObject({ restored: 0, removed: 0 });
    expect(undo.conflicts).toEqual([
      {
        line: 2,
        table: 'users',
        key: { email_ci: 'u@example.com' },
        message: 'It changed after the run (password_hash is now (changed)); left as it is.',
      },
    ]);
    expect(JSON.stringify(undo)).not.toContain('$argon2');
    const stored = await t.conn.db
      .selectFrom('users')
      .select('password_hash')
      .where('email_ci', '=', 'u@example.com')
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toBe('secret-hash-set-since');
  });
});
