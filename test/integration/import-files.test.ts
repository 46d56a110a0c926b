import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { importCsv, personsSnapshot, positionOf } from '../support/factories.js';
import { expectCountsAddUp } from '../support/assertions.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

const HEADER = 'customer_ref,email_address,position_name\n';
const GOOD_ROW = 'CUST001,john.doe@example.com,CEO\n';

describe('the file: encodings, delimiters, headers, rejections', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  const rejections: [string, string | Buffer, string, Record<string, unknown>][] = [
    [
      'invalid UTF-8',
      Buffer.concat([
        Buffer.from(HEADER + GOOD_ROW + 'CUST002,jane'),
        Buffer.from([0xff]),
        Buffer.from('@example.com,CEO\n'),
      ]),
      'invalid_utf8',
      { line: 3, byteOffset: Buffer.byteLength(HEADER + GOOD_ROW + 'CUST002,jane') },
    ],
    [
      'a semicolon header',
      'customer_ref;email_address;position_name\nCUST001;john.doe@example.com;CEO\n',
      'wrong_delimiter',
      { line: 1 },
    ],
    [
      'an unterminated quote',
      HEADER + GOOD_ROW + 'CUST002,"jane.smith@example.com,CEO\nCUST004,x,y\n',
      'unterminated_quote',
      { line: 3 },
    ],
    [
      'an unknown column',
      'customer_ref,email_adress,position_name\n' + GOOD_ROW,
      'unknown_column',
      { line: 1 },
    ],
    [
      'a duplicated column',
      'customer_ref,email_address,position_name,Position_Name\n' + GOOD_ROW,
      'duplicate_column',
      { line: 1 },
    ],
    [
      'a missing column',
      'customer_ref,email_address\nCUST001,john.doe@example.com\n',
      'missing_column',
      { line: 1 },
    ],
    ['an empty file', '', 'empty_file', {}],
  ];

  for (const [what, content, reason, extra] of rejections) {
    it(`rejects ${what} and changes nothing`, async () => {
      const before = await personsSnapshot(t.conn.db, ws.id);
      const report = await importCsv(t.conn.db, ws, 'positions', content);
      expect(report.status).toBe('rejected');
      expect(report.rejection).toMatchObject({ reason, ...extra });
      expect(report.rejection!.hint).toBeTruthy();
      expect(report.counts.rowsProcessed).toBe(0);
      expect(await personsSnapshot(t.conn.db, ws.id)).toEqual(before);
      const staged = await t.conn.db
        .selectFrom('import_rows')
        .innerJoin('import_runs', 'import_runs.id', 'import_rows.run_id')
        .select('run_id')
        .where('import_runs.public_id', '=', report.id)
        .execute();
      expect(staged).toEqual([]);
    });
  }

  it('reads a UTF-16 BOM without --encoding, saying so in an encoding_detected warning', async () => {
    const content = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER + GOOD_ROW, 'utf16le')]);
    const report = await importCsv(t.conn.db, ws, 'positions', content);
    expect(report.status).toBe('completed');
    expect(report.file).toMatchObject({ encoding: 'utf-16le', bom: true });
    expect(report.warnings).toContainEqual(expect.objectContaining({ reason: 'encoding_detected', line: 1 }));
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('CEO');
  });

  it('suggests the column meant by a typo', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref,email_adress,position_name\n' + GOOD_ROW,
    );
    expect(report.rejection!.hint).toContain('Did you mean "email_address"?');
  });

  it('reads a semicolon file with --delimiter ";"', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'positions',
      'customer_ref;email_address;position_name\nCUST001;john.doe@example.com;CEO\n',
      {
        delimiter: ';',
      },
    );
    expect(report.counts.updated).toBe(1);
  });

  it('reads a BOM, CRLF line ends, quoted fields, blank lines and note columns', async () => {
    const csv =
      '\uFEFF_note, Customer_Ref ,email_address,position_name\r\n' +
      '"a note, with a comma",CUST001,john.doe@example.com,"CEO"\r\n' +
      '\r\n' +
      ',,,\r\n' +
      '"a note\r\nover two lines",CUST004,alice.brown@example.com,Account Manager\r\n';
    const report = await importCsv(t.conn.db, ws, 'positions', csv);
    expectCountsAddUp(report);
    expect(report.file.bom).toBe(true);
    expect(report.counts).toMatchObject({ rowsProcessed: 2, updated: 2 });
    expect(report.warnings).toContainEqual(
      expect.objectContaining({ reason: 'header_normalized', column: 'customer_ref' }),
    );
    expect(await positionOf(t.conn.db, 'CUST004', 'alice.brown@example.com')).toBe('Account Manager');
  });

  it('numbers rows by the physical line they start on', async () => {
    const csv = HEADER + '"CUST\n999",john.doe@example.com,CEO\n\nCUST998,john.doe@example.com,CEO\n';
    const report = await importCsv(t.conn.db, ws, 'positions', csv);
    expect(report.unmatched.map((u) => u.line)).toEqual([2, 5]);
  });

  it('reads windows-1252 with --encoding, keeping every accent', async () => {
    const bytes = Buffer.from('ref,name\nCUST001,Caf\xe9 \x80 \x9cna\xefve\n', 'latin1');
    const report = await importCsv(t.conn.db, ws, 'customers', bytes, { encoding: 'windows-1252' });
    expect(report.counts.updated).toBe(1);
    const row = await t.conn.db
      .selectFrom('customers')
      .select('name')
      .where('ref', '=', 'CUST001')
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Café € œnaïve');
    expect(report.file.encoding).toBe('windows-1252');
  });

  it('records the file size and sha256 of every run', async () => {
    const report = await importCsv(t.conn.db, ws, 'positions', HEADER + GOOD_ROW);
    expect(report.file.bytes).toBe(Buffer.byteLength(HEADER + GOOD_ROW));
    expect(report.file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  // Staging writes a chunk of 5,000 rows while the next is read (on SQLite from a thread of its own).
  const contactsFile = (rows: number) =>
    'email,first_name,last_name\n' +
    Array.from({ length: rows }, (_, i) => `staged.${i}@example.com,Zoë ${i},Müller\n`).join('');

  async function stagedRowsOf(publicId: string) {
    return t.conn.db
      .selectFrom('import_rows')
      .innerJoin('import_runs', 'import_runs.id', 'import_rows.run_id')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.min('row_no').as('first'),
        eb.fn.max('row_no').as('last'),
      ])
      .where('import_runs.public_id', '=', publicId)
      .executeTakeFirstOrThrow();
  }

  it('stages every row of a file of several chunks, once each, and applies them', async () => {
    const report = await importCsv(t.conn.db, ws, 'contacts', contactsFile(12_345));
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ rowsProcessed: 12_345, created: 12_345 });
    expect(await stagedRowsOf(report.id)).toEqual({ n: 12_345, first: 1, last: 12_345 });
    const last = await t.conn.db
      .selectFrom('contacts')
      .select(['first_name', 'last_name'])
      .where('workspace_id', '=', ws.id)
      .where('email', '=', 'staged.12344@example.com')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ first_name: 'Zoë 12344', last_name: 'Müller' });
  });

  it('rejects a file whose end is broken after chunks of it were staged, and keeps none of them', async () => {
    const before = await t.conn.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      contactsFile(11_000) + '"broken@example.com,Ann,Lee\nlast@example.com,Bo,Ek\n',
    );
    expect(report.status).toBe('rejected');
    expect(report.rejection).toMatchObject({ reason: 'unterminated_quote', line: 11_002 });
    expect(await stagedRowsOf(report.id)).toMatchObject({ n: 0 });
    expect(
      await t.conn.db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ).toEqual(before);
  });
});
