import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { findRun } from '../../src/imports/run-repository.js';
import type { ImportReport } from '../../src/imports/types.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { importCsv, personsSnapshot } from '../support/factories.js';
import { expectCountsAddUp, reasonAt } from '../support/assertions.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

describe('customers and contacts imports', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  const customer = (ref: string) =>
    t.conn.db
      .selectFrom('customers')
      .select(['ref', 'name', 'erp_id'])
      .where('ref', '=', ref)
      .executeTakeFirst();
  const contact = (email: string) =>
    t.conn.db
      .selectFrom('contacts')
      .select(['email', 'first_name', 'last_name'])
      .where('email_ci', '=', email.toLowerCase())
      .executeTakeFirst();
  const companiesOf = async (email: string) =>
    (
      await t.conn.db
        .selectFrom('customer_contacts as l')
        .innerJoin('contacts as p', 'p.id', 'l.contact_id')
        .innerJoin('customers as c', 'c.id', 'l.customer_id')
        .select('c.ref')
        .where('p.email_ci', '=', email.toLowerCase())
        .execute()
    )
      .map((r) => r.ref)
      .sort();

  it('creates and updates customers matched by ref, and a rerun is unchanged', async () => {
    const csv = 'ref,name,erp_id\nCUST001,Globex Intl,\nCUST100,Société Générale,E-100\n';
    const report = await importCsv(t.conn.db, ws, 'customers', csv);
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ created: 1, updated: 1 });
    expect(await customer('CUST001')).toEqual({ ref: 'CUST001', name: 'Globex Intl', erp_id: 'E-1' });
    expect(await customer('CUST100')).toEqual({ ref: 'CUST100', name: 'Société Générale', erp_id: 'E-100' });
    expect((await importCsv(t.conn.db, ws, 'customers', csv)).counts).toMatchObject({ unchanged: 2 });
  });

  it('needs a name for a new customer and refuses an erp_id that another customer holds', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'customers',
      'ref,name,erp_id\nCUST200,,\nCUST201,New,E-2\nCUST202,A,X-1\nCUST203,B,X-1\n',
    );
    expectCountsAddUp(report);
    expect(report.invalid.map((i) => [i.line, i.reason, i.column])).toEqual([
      [2, 'missing_value', 'name'],
      [3, 'erp_id_in_use', 'erp_id'],
      [4, 'erp_id_in_use', 'erp_id'],
      [5, 'erp_id_in_use', 'erp_id'],
    ]);
    expect(await customer('CUST201')).toBeUndefined();
  });

  it('refuses both rows of an erp_id moved from one customer to another in one file, on every run', async () => {
    // CUST001 holds E-1 and CUST002 holds E-2. Line 2 takes E-1 for a new customer while line 3 moves CUST001
    // to E-9; line 4 takes E-2 while line 5 clears CUST002's (--blank clear); line 6 takes E-4, which CUST004
    // keeps. Applied in order, line 2 would fail and pass on a rerun; refused together, every run agrees.
    const csv =
      'ref,name,erp_id\nCUST300,New,E-1\nCUST001,,E-9\nCUST003,,E-2\nCUST002,,\nCUST301,Other,E-4\nCUST302,Free,E-3\n';
    const before = await t.conn.db.selectFrom('customers').selectAll().orderBy('id').execute();
    const dry = await importCsv(t.conn.db, ws, 'customers', csv, { blank: 'clear', dryRun: true });
    const reports = [dry];
    for (let run = 0; run < 2; run++)
      reports.push(await importCsv(t.conn.db, ws, 'customers', csv, { blank: 'clear' }));
    for (const report of reports) {
      expectCountsAddUp(report);
      expect(report.counts).toMatchObject({ created: report === reports[2] ? 0 : 1, invalid: 5 });
      expect(report.invalid.map((i) => [i.line, i.reason, i.column])).toEqual([
        [2, 'erp_id_in_use', 'erp_id'],
        [3, 'erp_id_in_use', 'erp_id'],
        [4, 'erp_id_in_use', 'erp_id'],
        [5, 'erp_id_in_use', 'erp_id'],
        [6, 'erp_id_in_use', 'erp_id'],
      ]);
    }
    expect(reports[1]!.invalid[0]!.message).toBe(
      'erp_id "E-1" belongs to customer "CUST001", which this file gives another erp_id (line 3): an erp_id cannot move between customers within one file.',
    );
    expect(reports[1]!.invalid[1]!.message).toBe(
      'Customer "CUST001" gives erp_id "E-1" up to another customer on line 2: an erp_id cannot move between customers within one file.',
    );
    expect(reports[1]!.invalid[4]!.message).toBe('erp_id "E-4" already belongs to customer "CUST004".');
    const after = await t.conn.db.selectFrom('customers').selectAll().orderBy('id').execute();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((c) => [c.ref, c.erp_id])).toEqual([['CUST302', 'E-3']]);
    // Two files make the move: the giving row first, then the taking one.
    expect((await importCsv(t.conn.db, ws, 'customers', 'ref,erp_id\nCUST001,E-9\n')).counts.updated).toBe(1);
    expect(
      (await importCsv(t.conn.db, ws, 'customers', 'ref,name,erp_id\nCUST300,New,E-1\n')).counts.created,
    ).toBe(1);
    expect((await customer('CUST300'))?.erp_id).toBe('E-1');
  });

  it('clears an optional field with --blank clear only', async () => {
    await importCsv(t.conn.db, ws, 'customers', 'ref,erp_id\nCUST001,\n');
    expect((await customer('CUST001'))?.erp_id).toBe('E-1');
    const report = await importCsv(t.conn.db, ws, 'customers', 'ref,erp_id\nCUST001,\n', { blank: 'clear' });
    expect(report.counts.updated).toBe(1);
    expect((await customer('CUST001'))?.erp_id).toBeNull();
  });

  it('does not create a customer whose ref differs from an existing one only in case', async () => {
    const report = await importCsv(t.conn.db, ws, 'customers', 'ref,name\ncust001,Typo\n');
    expect(report.unmatched[0]).toMatchObject({
      reason: 'customer_not_found',
      hint: expect.stringContaining('"CUST001"'),
    });
    expect(await customer('cust001')).toBeUndefined();
  });

  it('creates contacts, links them to several customers, and keeps the stored casing on update', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      [
        'email,first_name,last_name,company_id',
        'new.person@example.com,Zoë,Lefèvre,CUST001',
        'New.Person@example.com,,,CUST002',
        'JOHN.DOE@example.com,Johnny,,CUST004',
        'lonely@example.com,Lone,,',
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ created: 2, updated: 2 });
    expect(await contact('new.person@example.com')).toEqual({
      email: 'new.person@example.com',
      first_name: 'Zoë',
      last_name: 'Lefèvre',
    });
    expect(await companiesOf('new.person@example.com')).toEqual(['CUST001', 'CUST002']);
    expect(await contact('john.doe@example.com')).toMatchObject({
      email: 'john.doe@example.com',
      first_name: 'Johnny',
    });
    expect(await companiesOf('john.doe@example.com')).toEqual(['CUST001', 'CUST004']);
    expect(await companiesOf('lonely@example.com')).toEqual([]);
  });

  it('links new contacts to their company when every row of the batch is new', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      'email,company_id\nn1@example.com,CUST001\nn2@example.com,CUST002\n',
    );
    expect(report.counts).toMatchObject({ created: 2 });
    expect(await companiesOf('n1@example.com')).toEqual(['CUST001']);
    expect(await companiesOf('n2@example.com')).toEqual(['CUST002']);
  });

  it('gives the same counts in a dry run as in the real run, with contacts spread over batches', async () => {
    const csv = [
      'email,first_name,last_name,company_id',
      'a@example.com,A,,CUST001',
      'b@example.com,B,,',
      'a@example.com,,Alpha,CUST002',
      'a@example.com,A,,CUST001',
      'b@example.com,,Beta,CUST003',
    ].join('\n');
    const dry = await importCsv(t.conn.db, ws, 'contacts', csv, { dryRun: true, batchSize: 1 });
    expect(await contact('a@example.com')).toBeUndefined();
    const real = await importCsv(t.conn.db, ws, 'contacts', csv, { batchSize: 1 });
    expect(dry.counts).toEqual(real.counts);
    expect(real.counts).toMatchObject({ created: 2, updated: 2, duplicates: 1 });
    expect(await contact('a@example.com')).toMatchObject({ first_name: 'A', last_name: 'Alpha' });
    expect(await companiesOf('b@example.com')).toEqual(['CUST003']);
  });

  it('rejects contact rows that set one field to two values, and reports unknown companies', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      'email,first_name,company_id\nx@example.com,Ann,CUST001\nX@example.com,Anne,CUST002\ny@example.com,Yves,CUST404\n',
    );
    expectCountsAddUp(report);
    expect(reasonAt(report, 2)).toBe('conflicting_rows');
    expect(reasonAt(report, 3)).toBe('conflicting_rows');
    expect(report.unmatched[0]).toMatchObject({
      line: 4,
      reason: 'customer_not_found',
      column: 'company_id',
    });
    expect(await contact('x@example.com')).toBeUndefined();
    expect(await contact('y@example.com')).toBeUndefined();
  });

  /** Each row's stored outcome: status, changes and undo data parsed, and the keys history reads by. */
  const outcomesOf = async (report: ImportReport) => {
    const run = await findRun(t.conn.db, ws.id, report.id);
    const rows = await t.conn.db
      .selectFrom('import_outcomes')
      .selectAll()
      .where('run_id', '=', run!.id)
      .orderBy('row_no')
      .execute();
    const parse = (text: string | null) => (text === null ? null : JSON.parse(text));
    return rows.map((o) => ({
      status: o.status,
      changes: parse(o.changes),
      undo: parse(o.undo_data),
      keys: [o.email_ci, o.contact_id, o.customer_id],
    }));
  };
  const idOf = async (table: 'customers' | 'contacts', column: 'ref' | 'email_ci', value: string) =>
    (
      await t.conn.db
        .selectFrom(table)
        .select('id')
        .where(column, '=', value)
        .where('workspace_id', '=', ws.id)
        .executeTakeFirstOrThrow()
    ).id;

  it("records each contact row's changes and undo data (computed in SQL) exactly, and undo puts all back", async () => {
    const before = {
      persons: await personsSnapshot(t.conn.db, ws.id),
      john: await contact('john.doe@example.com'),
    };
    const csv = [
      'email,first_name,last_name,company_id',
      'new@example.com,Nina,Neu,CUST003', // created, with a link
      'John.Doe@example.com,Johnny,,CUST001', // a name changed, one cleared; already linked
      'jane.smith@example.com,Jane,Smith,CUST003', // a new link only
      'alice.brown@example.com,Alice,Brown,', // nothing new
      'new@example.com,Nina,Neu,CUST004', // a later row of the contact created above: a link only
    ].join('\n');
    const report = await importCsv(t.conn.db, ws, 'contacts', csv, { blank: 'clear' });
    expect(report.counts).toMatchObject({ created: 1, updated: 3, unchanged: 1 });
    const [cust3, cust4] = [
      await idOf('customers', 'ref', 'CUST003'),
      await idOf('customers', 'ref', 'CUST004'),
    ];
    const nina = await idOf('contacts', 'email_ci', 'new@example.com');
    const link = (customer_id: number, email_ci: string) => ({
      table: 'customer_contacts',
      key: { customer_id, email_ci },
      created: true,
      after: { position_id: null, is_primary: 0 },
    });
    expect(await outcomesOf(report)).toEqual([
      {
        status: 'created',
        changes: {
          email: [null, 'new@example.com'],
          first_name: [null, 'Nina'],
          last_name: [null, 'Neu'],
          company_id: [null, 'CUST003'],
        },
        undo: [
          {
            table: 'contacts',
            key: { email_ci: 'new@example.com' },
            created: true,
            after: { first_name: 'Nina', last_name: 'Neu' },
          },
          link(cust3, 'new@example.com'),
        ],
        // History reads a contacts row by email, and by customer where it made the link; no contact id.
        keys: ['new@example.com', null, cust3],
      },
      {
        status: 'updated',
        changes: { first_name: ['John', 'Johnny'], last_name: ['Doe', null] },
        undo: [
          {
            table: 'contacts',
            key: { email_ci: 'john.doe@example.com' },
            before: { first_name: 'John', last_name: 'Doe' },
            after: { first_name: 'Johnny', last_name: null },
          },
        ],
        // Already linked to CUST001: the row is not in that customer's history.
        keys: ['john.doe@example.com', null, null],
      },
      {
        status: 'updated',
        changes: { company_id: [null, 'CUST003'] },
        undo: [link(cust3, 'jane.smith@example.com')],
        keys: ['jane.smith@example.com', null, cust3],
      },
      { status: 'unchanged', changes: null, undo: null, keys: ['alice.brown@example.com', null, null] },
      {
        status: 'updated',
        changes: { company_id: [null, 'CUST004'] },
        undo: [link(cust4, 'new@example.com')],
        keys: ['new@example.com', null, cust4],
      },
    ]);
    expect(nina).toBeGreaterThan(0);

    await undoImport(t.conn.db, ws, report.id);
    expect(await contact('new@example.com')).toBeUndefined();
    expect(await contact('john.doe@example.com')).toEqual(before.john);
    expect(await personsSnapshot(t.conn.db, ws.id)).toEqual(before.persons);
  });

  it('writes no history keys for a dry run, which no history shows', async () => {
    const csv = 'email,first_name,company_id\nnew@example.com,Nina,CUST003\njohn.doe@example.com,Johnny,\n';
    const report = await importCsv(t.conn.db, ws, 'contacts', csv, { dryRun: true });
    expect(report.counts).toMatchObject({ created: 1, updated: 1 });
    expect((await outcomesOf(report)).map((o) => [o.status, o.keys])).toEqual([
      ['created', [null, null, null]],
      ['updated', [null, null, null]],
    ]);
  });

  it('records a customer found by another case under its stored ref, and a new one with its folded twins', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'customers',
      'ref,name,erp_id\ncust001,Globex Corp,\nCUST005,Newco,E-5\n',
      { ignoreCase: true, blank: 'clear' },
    );
    expect(report.counts).toMatchObject({ created: 1, updated: 1 });
    const [globex, newco] = [
      await idOf('customers', 'ref', 'CUST001'),
      await idOf('customers', 'ref', 'CUST005'),
    ];
    expect(await outcomesOf(report)).toEqual([
      {
        status: 'updated',
        changes: { name: ['Globex', 'Globex Corp'], erp_id: ['E-1', null] },
        undo: [
          {
            table: 'customers',
            key: { ref: 'CUST001' },
            before: { name: 'Globex', name_ci: 'globex', erp_id: 'E-1', erp_id_ci: 'e-1' },
            after: { name: 'Globex Corp', name_ci: 'globex corp', erp_id: null, erp_id_ci: null },
          },
        ],
        keys: [null, null, globex],
      },
      {
        status: 'created',
        changes: { ref: [null, 'CUST005'], name: [null, 'Newco'], erp_id: [null, 'E-5'] },
        undo: [
          {
            table: 'customers',
            key: { ref: 'CUST005' },
            created: true,
            after: { name: 'Newco', name_ci: 'newco', erp_id: 'E-5', erp_id_ci: 'e-5' },
          },
        ],
        keys: [null, null, newco],
      },
    ]);
    await undoImport(t.conn.db, ws, report.id);
    expect(await customer('CUST001')).toEqual({ ref: 'CUST001', name: 'Globex', erp_id: 'E-1' });
    expect(await customer('CUST005')).toBeUndefined();
  });
});
