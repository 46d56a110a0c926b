import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCustomers } from '../../src/domain/customers.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { expectCountsAddUp } from '../support/assertions.js';
import { buildWorld, importCsv } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('hostile input', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  });
  afterEach(() => t.cleanup());

  it('makes a row with a NUL byte invalid and applies the others, on either database', async () => {
    const report = await importCsv(t.conn.db, ws, 'customers', 'ref,name\nA\0B,x\nC,ok\nD,n\0ame\n');
    expect(report.status).toBe('completed');
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ created: 1, invalid: 2 });
    expect(report.invalid).toEqual([
      expect.objectContaining({ line: 2, column: 'ref', reason: 'invalid_character' }),
      expect.objectContaining({ line: 4, column: 'name', reason: 'invalid_character' }),
    ]);
    const refs = (await listCustomers(t.conn.db, ws.id)).map((c) => c.ref);
    expect(refs).toContain('C');
    expect(refs.some((r) => r.includes('\0'))).toBe(false);
  });

  it('rejects a header cell holding a NUL, showing it escaped', async () => {
    const report = await importCsv(t.conn.db, ws, 'customers', 'ref,na\0me\nA,x\n');
    expect(report.status).toBe('rejected');
    expect(report.rejection).toMatchObject({ reason: 'unknown_column' });
    expect(report.rejection!.message).toBe('Unknown column "na\\u0000me".');
  });

  it('never repeats a huge header name or cell whole in a message', async () => {
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const header = await importCsv(t.conn.db, ws, 'customers', `ref,name,${huge}\nA,x,y\n`);
    expect(header.status).toBe('rejected');
    expect(header.rejection!.message).toMatch(/^Unknown column "x{60}…" \(2097152 characters\)\.$/);
    expect(JSON.stringify(header.rejection).length).toBeLessThan(6000);

    const cell = await importCsv(t.conn.db, ws, 'contacts', `email\n${huge}@example.com\n`);
    expect(cell.invalid).toEqual([expect.objectContaining({ reason: 'invalid_email' })]);
    expect(cell.invalid[0]!.message.length).toBeLessThan(200);
  });

  it('shows bidi and zero-width characters of a value escaped', async () => {
    const report = await importCsv(t.conn.db, ws, 'users', 'email,active\nuser@example.com,tr\u202eue\n');
    expect(report.invalid[0]!.message).toBe('"tr\\u202eue" in active is not true or false.');
  });
});
