import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { addCustomer } from '../../src/domain/customers.js';
import { addPosition } from '../../src/domain/positions.js';
import { findRun } from '../../src/imports/run-repository.js';
import { listRowOutcomes } from '../../src/imports/run-report.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { importCsv, linkPerson, personsSnapshot, positionOf } from '../support/factories.js';
import { expectCountsAddUp, reasonAt } from '../support/assertions.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

describe('imports that set positions and primary flags', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  it('reports each unmatched reference with its reason and a did-you-mean hint', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      [
        'customer_ref,email_address,position_name',
        'CUST999,john.doe@example.com,CEO',
        'cust001,john.doe@example.com,CEO',
        'CUST001,nobody@example.com,CEO',
        'CUST001,John.Doe@example.com,CEO',
        'CUST001,john.doe@example.com,Acount Manager',
        'CUST001,john.doe@example.com,ceo',
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ rowsProcessed: 6, unmatched: 6, updated: 0 });
    expect(report.unmatched.map((u) => [u.line, u.reason, u.column])).toEqual([
      [2, 'customer_not_found', 'customer_ref'],
      [3, 'customer_not_found', 'customer_ref'],
      [4, 'person_not_found', 'email_address'],
      [5, 'person_not_found', 'email_address'],
      [6, 'position_not_found', 'position_name'],
      [7, 'position_not_found', 'position_name'],
    ]);
    expect(report.unmatched[0]!.hint).toBeUndefined();
    expect(report.unmatched[1]!.hint).toContain('Did you mean "CUST001"?');
    expect(report.unmatched[3]!.hint).toContain('Did you mean "john.doe@example.com"?');
    expect(report.unmatched[4]!.hint).toContain('Did you mean "Account Manager"?');
    expect(report.unmatched[5]!.hint).toContain('Did you mean "CEO"?');
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBeNull();
  });

  it('accepts case-only matches with --ignore-case', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\ncust001,John.Doe@Example.com,ceo\n',
      { ignoreCase: true },
    );
    expect(report.counts).toMatchObject({ updated: 1, unmatched: 0 });
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('CEO');
  });

  it('reports a customer name shared by two customers as ambiguous, never a guess', async () => {
    await addCustomer(t.conn.db, ws.id, { ref: 'CUST010', name: 'Globex', erp_id: null });
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nGlobex,john.doe@example.com,CEO\nInitech,jane.smith@example.com,CEO\n',
      { customerKey: 'name' },
    );
    expect(reasonAt(report, 2)).toBe('customer_ambiguous');
    expect(report.counts).toMatchObject({ updated: 1, unmatched: 1 });
    expect(await positionOf(t.conn.db, 'CUST002', 'jane.smith@example.com')).toBe('CEO');
  });

  it('names customers by erp_id with --customer-key erp_id', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nE-1,john.doe@example.com,CEO\n',
      { customerKey: 'erp_id' },
    );
    expect(report.counts.updated).toBe(1);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('CEO');
  });

  it('applies identical rows once with a duplicate_row warning and rejects contradicting ones', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      [
        'customer_ref,email_address,position_name',
        'CUST001,john.doe@example.com,CEO',
        'CUST001,john.doe@example.com,CEO',
        'CUST004,alice.brown@example.com,CEO',
        'CUST004,alice.brown@example.com,Account Manager',
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ updated: 1, duplicates: 1, invalid: 2 });
    expect(report.warnings).toContainEqual(expect.objectContaining({ line: 3, reason: 'duplicate_row' }));
    expect(reasonAt(report, 4)).toBe('conflicting_rows');
    expect(reasonAt(report, 5)).toBe('conflicting_rows');
    expect(report.invalid[0]!.message).toContain('lines 4 to 5');
    expect(await positionOf(t.conn.db, 'CUST004', 'alice.brown@example.com')).toBeNull();
  });

  it('checks each row: missing values, bad emails, wrong field counts', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      [
        'customer_ref,email_address,position_name',
        ',john.doe@example.com,CEO',
        'CUST001,,CEO',
        'CUST001,not-an-email,CEO',
        'CUST001,john.doe@example.com',
        'CUST001,john.doe@example.com,CEO,extra',
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.invalid.map((i) => [i.line, i.reason, i.column])).toEqual([
      [2, 'missing_value', 'customer_ref'],
      [3, 'missing_value', 'email_address'],
      [4, 'invalid_email', 'email_address'],
      [5, 'wrong_field_count', undefined],
      [6, 'wrong_field_count', undefined],
    ]);
  });

  it('removes a position with a blank position_name', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_address,position_name\nCUST002,jane.smith@example.com,\n',
    );
    expect(report.counts.updated).toBe(1);
    expect(await positionOf(t.conn.db, 'CUST002', 'jane.smith@example.com')).toBeNull();
  });

  it('marks and unmarks primary persons, and a second run is unchanged', async () => {
    const csv = 'customer_ref,email_address\nCUST001,john.doe@example.com\nCUST002,jane.smith@example.com\n';
    expect((await importCsv(t.conn.db, ws, 'mark-primary', csv)).counts).toMatchObject({ updated: 2 });
    expect((await importCsv(t.conn.db, ws, 'mark-primary', csv)).counts).toMatchObject({
      updated: 0,
      unchanged: 2,
    });
    expect(await personsSnapshot(t.conn.db, ws.id)).toContain('CUST001 john.doe@example.com - 1');
    const unmark = await importCsv(
      t.conn.db,
      ws,
      'unmark-primary',
      'customer_ref,email_address\nCUST001,john.doe@example.com\n',
    );
    expect(unmark.counts.updated).toBe(1);
    expect(await personsSnapshot(t.conn.db, ws.id)).toContain('CUST001 john.doe@example.com - 0');
  });

  it('sets position and primary together with the persons kind, and checks booleans', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'persons',
      [
        'customer_ref,email_address,position_name,primary',
        'CUST001,john.doe@example.com,CEO,TRUE',
        'CUST002,jane.smith@example.com,,',
        'CUST004,alice.brown@example.com,CEO,yes',
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ updated: 2, invalid: 1 });
    expect(report.invalid[0]).toMatchObject({ line: 4, reason: 'invalid_boolean', column: 'primary' });
    const snapshot = await personsSnapshot(t.conn.db, ws.id);
    expect(snapshot).toContain('CUST001 john.doe@example.com CEO 1');
    expect(snapshot).toContain('CUST002 jane.smith@example.com - 0');
  });

  it('applies compatible rows for one person (one sets the position, one the flag)', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'persons',
      'customer_ref,email_address,position_name,primary\nCUST001,john.doe@example.com,CEO,\nCUST001,john.doe@example.com,CEO,true\n',
    );
    expect(report.counts).toMatchObject({ updated: 2, invalid: 0 });
    expect(await personsSnapshot(t.conn.db, ws.id)).toContain('CUST001 john.doe@example.com CEO 1');
  });

  it('gives the same outcome with batches of 2 rows as in one batch', async () => {
    for (let i = 0; i < 7; i++) await linkPerson(t.conn.db, ws.id, 'CUST003', `p${i}@example.com`);
    const lines = ['customer_ref,email_address,position_name,primary'];
    for (let i = 0; i < 7; i++) lines.push(`CUST003,p${i}@example.com,${i % 2 ? 'CEO' : ''},${i % 3 === 0}`);
    lines.push('CUST003,p0@example.com,,true', 'CUST003,p1@example.com,CEO,');
    const report = await importCsv(t.conn.db, ws, 'persons', lines.join('\n'), { batchSize: 2 });
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ rowsProcessed: 9, duplicates: 1, updated: 5, unchanged: 3 });
    const snapshot = await personsSnapshot(t.conn.db, ws.id);
    expect(snapshot).toContain('CUST003 p1@example.com CEO 0');
    expect(snapshot).toContain('CUST003 p3@example.com CEO 1');
  });

  it("records each row's changes and undo data (computed in SQL) exactly, and undo puts every link back", async () => {
    const before = await personsSnapshot(t.conn.db, ws.id);
    const file = [
      'customer_ref,email_address,position_name,primary',
      'CUST001,john.doe@example.com,CEO,true', // both fields, from nothing
      'CUST002,jane.smith@example.com,,', // clears the position, leaves the flag
      'CUST004,alice.brown@example.com,,false', // nothing to clear, flag already off: unchanged
      'CUST001,bob.wilson@example.com,"Müller ""&"" Söhne",', // quotes and accents, escaped in the JSON
    ].join('\n');
    await addPosition(t.conn.db, ws.id, 'Müller "&" Söhne');
    const report = await importCsv(t.conn.db, ws, 'persons', file);
    expect(report.counts).toMatchObject({ updated: 3, unchanged: 1, unmatched: 0 });
    const run = await findRun(t.conn.db, ws.id, report.id);
    expect((await listRowOutcomes(t.conn.db, run!.id)).map((r) => [r.status, r.changes])).toEqual([
      ['updated', { position_name: [null, 'CEO'], primary: [false, true] }],
      ['updated', { position_name: ['Finance Director', null] }],
      ['unchanged', undefined],
      ['updated', { position_name: [null, 'Müller "&" Söhne'] }],
    ]);
    const stored = await t.conn.db
      .selectFrom('import_outcomes')
      .select(['undo_data', 'email_ci', 'contact_id', 'customer_id'])
      .where('run_id', '=', run!.id)
      .orderBy('row_no')
      .execute();
    const ids = async (ref: string, email: string) => {
      const row = await t.conn.db
        .selectFrom('customer_contacts as l')
        .innerJoin('customers as c', 'c.id', 'l.customer_id')
        .innerJoin('contacts as p', 'p.id', 'l.contact_id')
        .select(['l.customer_id', 'l.contact_id', 'l.position_id'])
        .where('c.ref', '=', ref)
        .where('p.email', '=', email)
        .executeTakeFirstOrThrow();
      return row;
    };
    const john = await ids('CUST001', 'john.doe@example.com');
    const bob = await ids('CUST001', 'bob.wilson@example.com');
    const jane = await ids('CUST002', 'jane.smith@example.com');
    const finance = await t.conn.db
      .selectFrom('positions')
      .select('id')
      .where('workspace_id', '=', ws.id)
      .where('name', '=', 'Finance Director')
      .executeTakeFirstOrThrow();
    const link = (customer_id: number, email_ci: string, b: object, a: object) => [
      { table: 'customer_contacts', key: { customer_id, email_ci }, before: b, after: a },
    ];
    expect(stored.map((o) => (o.undo_data === null ? null : JSON.parse(o.undo_data)))).toEqual([
      link(
        john.customer_id,
        'john.doe@example.com',
        { position_id: null, is_primary: 0 },
        { position_id: john.position_id, is_primary: 1 },
      ),
      link(jane.customer_id, 'jane.smith@example.com', { position_id: finance.id }, { position_id: null }),
      null,
      link(
        bob.customer_id,
        'bob.wilson@example.com',
        { position_id: null },
        { position_id: bob.position_id },
      ),
    ]);
    // History reads a link row by its contact and its customer, not by email.
    expect(stored[0]).toMatchObject({
      email_ci: null,
      contact_id: john.contact_id,
      customer_id: john.customer_id,
    });
    expect(jane.position_id).toBeNull();

    await undoImport(t.conn.db, ws, report.id);
    expect(await personsSnapshot(t.conn.db, ws.id)).toEqual(before);
  });
});
