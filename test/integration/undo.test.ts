import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { buildWorld, importCsv, personsSnapshot, positionOf } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('undo', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  });
  afterEach(() => t.cleanup());

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
    const run = await t.conn.db
      .selectFrom('import_runs')
      .select('status')
      .where('public_id', '=', report.id)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('undone');
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
    const { linkPerson } = await import('../support/factories.js');
    await linkPerson(t.conn.db, ws.id, 'CUST100', 'john.doe@example.com');
    const undo = await undoImport(t.conn.db, ws, report.id);
    expect(undo.removed).toBe(0);
    expect(undo.conflicts[0]?.message).toContain('has links');
    expect(await customers()).toContain('CUST100 New One -');
  });
});
