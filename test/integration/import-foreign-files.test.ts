import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addField } from '../../src/domain/fields.js';
import { addWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import { exportCsv } from '../../src/exports/export-csv.js';
import { runImport } from '../../src/imports/run-import.js';
import { findRun } from '../../src/imports/run-repository.js';
import { writeErrorsCsv } from '../../src/imports/stages/errors-csv.js';
import { DEFAULT_OPTIONS, type ImportOptions } from '../../src/imports/import-options.js';
import type { ImportReport } from '../../src/imports/types.js';
import { expectCountsAddUp } from '../support/assertions.js';
import { importCsv, writeCsv } from '../support/factories.js';
import { foreignExports } from '../support/foreign-exports.js';
import type { TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';
import { writeXlsx } from '../support/xlsx.js';

describe('files from other systems', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  const exported = async (workspace: Workspace) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await exportCsv(t.conn.db, workspace.id, 'contacts', out);
    return text;
  };
  const importFile = (path: string, options: Partial<ImportOptions> = {}, workspace = ws) =>
    runImport(t.conn.db, {
      workspace,
      kind: 'contacts',
      filePath: path,
      actor: 'test',
      options: { ...DEFAULT_OPTIONS, ...options },
    });
  const errorsCsvOf = async (report: ImportReport) => {
    const run = await findRun(t.conn.db, ws.id, report.id);
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await writeErrorsCsv(t.conn.db, run!, out);
    return text;
  };

  for (const family of foreignExports()) {
    it(`imports a ${family.family} export with --ignore-unknown alone`, async () => {
      const empty = await addWorkspace(t.conn.db, 'fresh');
      const report = await importCsv(t.conn.db, empty, 'contacts', family.file, {
        ignoreUnknown: true,
        ...(family.headerLine && { headerLine: family.headerLine }),
      });
      expect(report.status).toBe('completed');
      expectCountsAddUp(report);
      expect(report.counts).toMatchObject({ created: 2, invalid: 0, unmatched: 0 });
      expect(report.warnings.filter((w) => w.reason === 'header_mapped').length).toBeGreaterThan(0);
      expect(report.warnings.filter((w) => w.reason === 'columns_ignored')).toHaveLength(1);
      const lines = (await exported(empty)).trim().split(/\r?\n/);
      const header = lines[0]!.split(',');
      const people = lines.slice(1).map((l) => {
        const cells = l.split(',');
        return Object.fromEntries(
          ['email', 'first_name', 'last_name'].map((c) => [c, cells[header.indexOf(c)]]),
        );
      });
      expect(people).toEqual(family.expected);
    });
  }

  it('rejects a foreign export naming every unknown column at once, and changes nothing', async () => {
    const google = foreignExports()[0]!;
    const report = await importCsv(t.conn.db, ws, 'contacts', google.file);
    expect(report.status).toBe('rejected');
    expect(report.rejection!.reason).toBe('unknown_column');
    expect(report.rejection!.columns!.map((c) => c.name)).toContain('Phone 1 - Value');
    expect(report.rejection!.columns).toHaveLength(34);
    expect(report.counts.rowsProcessed).toBe(0);
  });

  it('reads --map columns, records the mapping, and shows it in the report', async () => {
    await addField(t.conn.db, ws.id, { variable: 'tier', type: 'text' }, []);
    const csv = 'Mail,Vorname,Stufe,Telefon\nneu@example.com,Jana,gold,030 1234\n';
    const mapping = { Mail: 'email', Vorname: 'first_name', Stufe: 'tier', Telefon: null };
    const report = await importCsv(t.conn.db, ws, 'contacts', csv, { mapping });
    expect(report.status).toBe('completed');
    expect(report.counts.created).toBe(1);
    expect(report.mapping).toEqual({
      columns: { Mail: 'email', Vorname: 'first_name', Stufe: 'tier' },
      leftOut: ['Telefon'],
    });
    expect(report.options.mapping).toEqual(mapping);
    expect(await exported(ws)).toContain('neu@example.com,Jana,');
  });

  it('writes the errors CSV of a mapped run under the kind’s columns, so it imports again as it is', async () => {
    const csv = 'Mail,Vorname,Telefon\nok@example.com,Ok,1\nnot-an-email,Bad,2\n';
    const report = await importCsv(t.conn.db, ws, 'contacts', csv, {
      mapping: { Mail: 'email', Vorname: 'first_name', Telefon: null },
    });
    expect(report.counts).toMatchObject({ created: 1, invalid: 1 });
    const errors = await errorsCsvOf(report);
    expect(errors.split('\n')[0]).toBe('email,first_name,_line,_error');
    const fixed = errors.replace('not-an-email', 'fixed@example.com');
    const again = await importCsv(t.conn.db, ws, 'contacts', fixed);
    expect(again.status).toBe('completed');
    expect(again.counts).toMatchObject({ created: 1, invalid: 0 });
    expect(again.warnings).toEqual([]);
  });

  it('ignores empty cells past the header, but not a row with more values than the header', async () => {
    const csv = 'email,first_name,\nann@example.com,Ann,,,\nbob@example.com,Bob,extra\n';
    const report = await importCsv(t.conn.db, ws, 'contacts', csv);
    expect(report.counts).toMatchObject({ created: 1, invalid: 1 });
    expect(report.invalid).toEqual([expect.objectContaining({ line: 3, reason: 'wrong_field_count' })]);
  });

  it('reads the header from --header-line, keeping the file’s line numbers', async () => {
    const csv = 'Exported 2024-05-01\nby someone\nemail,first_name\nann@example.com,Ann\nnope,Bob\n';
    const report = await importCsv(t.conn.db, ws, 'contacts', csv, { headerLine: 3 });
    expect(report.counts).toMatchObject({ created: 1, invalid: 1 });
    expect(report.invalid[0]).toMatchObject({ line: 5, reason: 'invalid_email' });
  });

  it('reads Shift-JIS with --encoding shift_jis', async () => {
    const iconv = (await import('iconv-lite')).default;
    const file = iconv.encode('email,first_name,last_name\ntaro@example.jp,太郎,山田\n', 'shift_jis');
    const report = await importCsv(t.conn.db, ws, 'contacts', file, { encoding: 'shift_jis' });
    expect(report.counts.created).toBe(1);
    expect(await exported(ws)).toContain('taro@example.jp,太郎,山田');
  });

  describe('.xlsx workbooks', () => {
    it('reads numbers, dates, booleans, formulas, long digit strings and skips empty rows', async () => {
      await addField(t.conn.db, ws.id, { variable: 'phone', type: 'text' }, []);
      await addField(t.conn.db, ws.id, { variable: 'amount', type: 'number' }, []);
      await addField(t.conn.db, ws.id, { variable: 'joined', type: 'date' }, []);
      await addField(t.conn.db, ws.id, { variable: 'vip', type: 'boolean' }, []);
      await addField(t.conn.db, ws.id, { variable: 'code', type: 'text' }, []);
      const path = await writeXlsx({
        Contacts: [
          ['email', 'first_name', 'phone', 'amount', 'joined', 'vip', 'code'],
          [
            'a@example.com',
            'Ann',
            442079460000123,
            0.1 + 0.2,
            new Date(Date.UTC(2024, 1, 29)),
            true,
            '00012345678901234567',
          ],
          [],
          [
            'b@example.com',
            { formula: 'UPPER("bo")', result: 'BO' },
            12,
            { formula: '1/4', result: 0.25 },
            undefined,
            false,
            '0042',
          ],
        ],
      });
      const report = await importFile(path);
      expect(report.status).toBe('completed');
      expect(report.file).toMatchObject({ encoding: 'xlsx', format: 'xlsx', sheet: 'Contacts' });
      expect(report.counts).toMatchObject({ rowsProcessed: 2, created: 2, invalid: 0 });
      const rows = await t.conn.db
        .selectFrom('contact_field_values as v')
        .innerJoin('contacts as c', 'c.id', 'v.contact_id')
        .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
        .select(['c.email', 'f.variable', 'v.value'])
        .orderBy('c.email')
        .orderBy('f.variable')
        .execute();
      expect(rows.map((r) => `${r.email} ${r.variable}=${r.value}`)).toEqual([
        'a@example.com amount=0.3',
        'a@example.com code=00012345678901234567',
        'a@example.com joined=2024-02-29',
        'a@example.com phone=442079460000123',
        'a@example.com vip=true',
        'b@example.com amount=0.25',
        'b@example.com code=0042',
        'b@example.com phone=12',
        'b@example.com vip=false',
      ]);
      expect(await exported(ws)).toContain('b@example.com,BO,');
    });

    it('gives line numbers as the sheet’s row numbers', async () => {
      const path = await writeXlsx({ Sheet1: [['email'], ['ok@example.com'], [], ['bad']] });
      const report = await importFile(path);
      expect(report.invalid).toEqual([expect.objectContaining({ line: 4, reason: 'invalid_email' })]);
    });

    it('reads the sheet --sheet names, and lists the sheets for a name it lacks', async () => {
      const path = await writeXlsx({
        Notes: [['nothing to see']],
        People: [
          ['E-mail Address', 'First Name'],
          ['sheet@example.com', 'Second'],
        ],
      });
      const report = await importFile(path, { sheet: 'People' });
      expect(report.counts.created).toBe(1);
      expect(report.file.sheet).toBe('People');
      await expect(importFile(path, { sheet: 'Nope' })).rejects.toThrow(/no sheet "Nope".*"Notes", "People"/);
    });

    it('reads a workbook by its content, whatever its name', async () => {
      const path = await writeXlsx({ S: [['email'], ['named@example.com']] }, 'contacts.csv');
      expect((await importFile(path)).counts.created).toBe(1);
    });

    it('rejects a legacy .xls, an encrypted workbook and an .ods as unsupported_format', async () => {
      const ole = Buffer.alloc(2048);
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
      Buffer.from('Workbook', 'utf16le').copy(ole, 1024);
      const encrypted = Buffer.from(ole);
      Buffer.from('EncryptedPackage', 'utf16le').copy(encrypted, 1100);
      const ods = Buffer.concat([
        Buffer.from([0x50, 0x4b, 0x03, 0x04]),
        Buffer.alloc(26),
        Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet'),
      ]);
      for (const [content, text] of [
        [ole, '.xls'],
        [encrypted, 'password'],
        [ods, '.ods'],
      ] as const) {
        const report = await importFile(writeCsv(content, 'book.xlsx'));
        expect(report.status).toBe('rejected');
        expect(report.rejection).toMatchObject({ reason: 'unsupported_format' });
        expect(report.rejection!.message).toContain(text);
        expect(report.rejection!.hint).toMatch(/xlsx|CSV UTF-8/);
      }
    });
  });

  it('keeps only what a run recorded: options and mapping survive in the stored run', async () => {
    const report = await importCsv(t.conn.db, ws, 'contacts', 'E-Mail\nx@example.com\n', {
      mapping: { 'E-Mail': 'email' },
    });
    const run = await findRun(t.conn.db, ws.id, report.id);
    expect(run!.mapping).toEqual({ columns: { 'E-Mail': 'email' }, leftOut: [] });
    expect(fs.existsSync(run!.filePath!)).toBe(true);
  });
});
