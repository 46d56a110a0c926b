import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCustomer, listCustomers } from '../../src/domain/customers.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { exportCsv, type ExportKind } from '../../src/exports/export-csv.js';
import { buildWorld, importCsv } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('export then import', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  });
  afterEach(() => t.cleanup());

  const exported = async (kind: ExportKind) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await exportCsv(t.conn.db, ws.id, kind, out);
    return text;
  };

  it('keeps values that start with quotes and formula signs exactly as they were', async () => {
    const names = [
      "'=1+2",
      "''=1+2",
      '=1+2',
      "'+1",
      '-5',
      '@SUM(A1)',
      "'",
      "''",
      "'plain",
      'a, "quoted" one',
    ];
    for (const [i, name] of names.entries()) {
      await createCustomer(t.conn.db, ws.id, { ref: `Q${i}`, name, erpId: i % 2 ? `'=E${i}` : null });
    }
    const before = await listCustomers(t.conn.db, ws.id);
    const csv = await exported('customers');
    expect(csv).toContain(`Q0,''=1+2,\nQ1,'''=1+2,''=E1\n`);
    const report = await importCsv(t.conn.db, ws, 'customers', csv);
    expect(report.counts).toMatchObject({ updated: 0, created: 0, invalid: 0 });
    expect(await listCustomers(t.conn.db, ws.id)).toEqual(before);
    expect(await exported('customers')).toBe(csv);
  });
});
