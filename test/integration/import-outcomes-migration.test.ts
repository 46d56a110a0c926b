import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { contactHistory, customerHistory } from '../../src/domain/record-history.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { countRows, listRowOutcomes } from '../../src/imports/run-report.js';
import { findRun } from '../../src/imports/run-repository.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { importCsv } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

/**
 * Runs recorded before migration 017 kept their outcomes on the staged rows (import_rows' status, changes
 * and undo_data). The migration moves them to import_outcomes: reports, row lists, history and undo read
 * them as they read a new run's.
 */
describe('migration 017: outcomes of earlier runs', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  /** Puts the database back as it was before 017: outcomes on the staged rows, the old history indexes. */
  async function asBefore017(): Promise<void> {
    const db = t.conn.db;
    await sql`UPDATE import_rows SET status = o.status, changes = o.changes, undo_data = o.undo_data
      FROM import_outcomes o WHERE o.run_id = import_rows.run_id AND o.row_no = import_rows.row_no`.execute(
      db,
    );
    await db.schema.dropTable('import_outcomes').execute();
    for (const column of ['email_ci', 'contact_id', 'customer_id']) {
      await db.schema
        .createIndex(`import_rows_${column}_changed_idx`)
        .on('import_rows')
        .columns([column, 'run_id'])
        .where(sql<boolean>`status IN ('created', 'updated')`)
        .execute();
    }
    await sql`DELETE FROM kysely_migration WHERE name = '017-import-outcomes'`.execute(db);
  }

  it('moves them over: the same counts, rows, history and undo', async () => {
    const db = t.conn.db;
    const customers = await importCsv(
      db,
      ws,
      'customers',
      'ref,name,erp_id\nCUST100,New One,E-100\nCUST001,Globex Renamed,\nCUST002,,E-22\n',
    );
    const contacts = await importCsv(
      db,
      ws,
      'contacts',
      'email,first_name,company_id\nnew.person@example.com,New,CUST100\njohn.doe@example.com,Johnny,\n',
    );
    expect(customers.counts).toMatchObject({ created: 1, updated: 2 });
    expect(contacts.counts).toMatchObject({ created: 1, updated: 1 });
    const run = (id: string) => findRun(db, ws.id, id).then((r) => r!);
    const john = await db.selectFrom('contacts').select('id').where('email', '=', 'john.doe@example.com');
    const johnId = (await john.executeTakeFirstOrThrow()).id;
    const cust100 = await db.selectFrom('customers').select('id').where('ref', '=', 'CUST100');
    const customerId = (await cust100.executeTakeFirstOrThrow()).id;
    const seen = async () => ({
      counts: await Promise.all(
        [customers.id, contacts.id].map(async (id) => countRows(db, (await run(id)).id)),
      ),
      rows: await Promise.all(
        [customers.id, contacts.id].map(async (id) => listRowOutcomes(db, (await run(id)).id)),
      ),
      created: await listRowOutcomes(db, (await run(contacts.id)).id, { status: 'created' }),
      contact: (await contactHistory(db, ws.id, johnId)).items.filter((e) => e.source === 'import'),
      customer: (await customerHistory(db, ws.id, customerId)).items.filter((e) => e.source === 'import'),
    });
    const before = await seen();
    expect(before.created).toHaveLength(1);
    expect(before.contact).toHaveLength(1);
    expect(before.contact[0]!.changes).toEqual({ first_name: ['John', 'Johnny'] });
    // CUST100's history: its creation, and the contact linked to it.
    expect(before.customer.map((e) => e.action).sort()).toEqual(['created', 'linked']);

    await asBefore017();
    const old = await db.selectFrom('import_rows').select('status').where('status', '=', 'created').execute();
    expect(old).toHaveLength(2);
    await migrateToLatest(db, t.conn.dialect);

    const left = await db
      .selectFrom('import_rows')
      .select('status')
      .where('status', '=', 'created')
      .execute();
    expect(left).toHaveLength(0);
    expect(await seen()).toEqual(before);
    // Undo reads the moved undo data: the contacts run, then the customers run, put everything back.
    expect(await undoImport(db, ws, contacts.id)).toMatchObject({
      status: 'undone',
      restored: 1,
      removed: 2,
    });
    expect(await undoImport(db, ws, customers.id)).toMatchObject({
      status: 'undone',
      restored: 2,
      removed: 1,
    });
    const names = await db.selectFrom('customers').select('name').where('ref', '=', 'CUST001').execute();
    expect(names).toEqual([{ name: 'Globex' }]);
  });
});
