import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addField } from '../../src/domain/fields.js';
import { addLabel } from '../../src/domain/labels.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { exportCsv } from '../../src/exports/export-csv.js';
import { expectCountsAddUp } from '../support/assertions.js';
import { buildWorld, importCsv } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('export contacts', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
    for (const name of ['VIP', 'gold', 'Gold']) await addLabel(t.conn.db, ws.id, name);
    await addField(t.conn.db, ws.id, { variable: 'note', type: 'text' }, []);
    await addField(t.conn.db, ws.id, { variable: 'amount', type: 'number' }, []);
    await addField(t.conn.db, ws.id, { variable: 'birthday', type: 'date' }, []);
  });
  afterEach(() => t.cleanup());

  const exported = async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await exportCsv(t.conn.db, ws.id, 'contacts', out);
    return text;
  };

  it('writes labels and custom fields, one row per customer link, and importing it again changes nothing', async () => {
    const setup = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      [
        'email,company_id,labels,amount,note,birthday',
        'john.doe@example.com,CUST004,VIP:gold:Gold,-5,=1+2,',
        'lonely@example.com,,VIP,0.5,,1999-12-31',
      ].join('\n'),
    );
    expect(setup.counts).toMatchObject({ created: 1, updated: 1 });

    const csv = await exported();
    expect(csv.trim().split('\n')).toEqual([
      'email,first_name,last_name,company_id,labels,amount,birthday,note',
      'alice.brown@example.com,Alice,Brown,CUST004,,,,',
      'bob.wilson@example.com,Bob,Wilson,CUST001,,,,',
      'jane.smith@example.com,Jane,Smith,CUST002,,,,',
      "john.doe@example.com,John,Doe,CUST001,Gold:VIP:gold,'-5,,'=1+2",
      "john.doe@example.com,John,Doe,CUST004,Gold:VIP:gold,'-5,,'=1+2",
      'lonely@example.com,,,,VIP,0.5,1999-12-31,',
    ]);

    for (const labels of ['add', 'replace'] as const) {
      const back = await importCsv(t.conn.db, ws, 'contacts', csv, { labels });
      expectCountsAddUp(back);
      expect(back.counts).toMatchObject({ rowsProcessed: 6, unchanged: 6 });
    }
    expect(await exported()).toBe(csv);
  });
});
