import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/types.js';
import { rosterInProcess } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { foreignExports } from '../support/foreign-exports.js';
import type { TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

describe('roster import of files from other systems', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });
  const run = (...args: string[]) => rosterInProcess(args, t.env);
  let slugNo = 0;
  const freshWorkspace = async () => {
    const slug = `w${++slugNo}`;
    expect((await run('workspaces', 'add', slug)).status).toBe(0);
    return slug;
  };
  const exportedPeople = async (slug: string) => {
    const out = (await run('export', 'contacts', '-w', slug)).stdout.trim().split(/\r?\n/);
    const header = out[0]!.split(',');
    return out.slice(1).map((l) => {
      const cells = l.split(',');
      return Object.fromEntries(
        ['email', 'first_name', 'last_name'].map((c) => [c, cells[header.indexOf(c)]]),
      );
    });
  };

  for (const family of foreignExports()) {
    it(`imports a ${family.family} export with --ignore-unknown, and export contacts holds its people`, async () => {
      const slug = await freshWorkspace();
      const file = writeCsv(family.file, `${family.family.replace(/\W+/g, '-')}.csv`);
      const headerLine = family.headerLine ? ['--header-line', String(family.headerLine)] : [];
      const result = await run('import', 'contacts', file, '-w', slug, '--ignore-unknown', ...headerLine);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('2 rows: 2 created');
      expect(result.stdout).toContain('columns_ignored');
      expect(await exportedPeople(slug)).toEqual(family.expected);
    });
  }

  it('rejects a foreign file naming every unknown column at once (exit 2)', async () => {
    const file = writeCsv(foreignExports()[2]!.file, 'outlook.csv');
    const result = await run('import', 'contacts', file, '-w', 'acme', '--json');
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report.rejection!.reason).toBe('unknown_column');
    expect(report.rejection!.columns!.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Middle Name', 'E-mail 2 Address', 'Notes']),
    );
    expect(report.rejection!.hint).toContain('--ignore-unknown');
  });

  it('reads --map and --mapping FILE.json, and shows the mapping in the report', async () => {
    const slug = await freshWorkspace();
    const file = writeCsv('Mail,Vorname,Nachname,Telefon\nmax@example.de,Max,Muster,030\n', 'de.csv');
    const mappingFile = path.join(os.tmpdir(), `mapping-${process.pid}.json`);
    fs.writeFileSync(mappingFile, JSON.stringify({ Mail: 'email', Vorname: 'first_name', Telefon: null }));
    const result = await run(
      'import',
      'contacts',
      file,
      '-w',
      slug,
      '--mapping',
      mappingFile,
      '--map',
      'Nachname=last_name',
      '--json',
    );
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report.mapping).toEqual({
      columns: { Mail: 'email', Vorname: 'first_name', Nachname: 'last_name' },
      leftOut: ['Telefon'],
    });
    expect(await exportedPeople(slug)).toEqual([
      { email: 'max@example.de', first_name: 'Max', last_name: 'Muster' },
    ]);
    const again = await run(
      'import',
      'contacts',
      file,
      '-w',
      slug,
      '--mapping',
      mappingFile,
      '--map',
      'Nachname=',
    );
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('  read as: "Mail" → email, "Vorname" → first_name\n');
    expect(again.stdout).toContain('  left out: 2 columns: "Nachname", "Telefon"\n');
  });

  it('saves, lists, shows, uses and deletes a named mapping', async () => {
    const slug = await freshWorkspace();
    const json = path.join(os.tmpdir(), `saved-${process.pid}.json`);
    fs.writeFileSync(json, JSON.stringify({ Courriel: 'email', Prénom: 'first_name', Notes: null }));
    const saved = await run('mappings', 'save', 'french', '--kind', 'contacts', json, '-w', slug);
    expect(saved.status).toBe(0);
    const list = JSON.parse((await run('mappings', 'list', '-w', slug, '--json')).stdout) as {
      name: string;
    }[];
    expect(list.map((m) => m.name)).toEqual(['french']);
    expect(JSON.parse((await run('mappings', 'show', 'french', '-w', slug)).stdout)).toEqual({
      Courriel: 'email',
      Prénom: 'first_name',
      Notes: null,
    });
    const file = writeCsv('Courriel,Prénom,Notes\nzoe@example.fr,Zoé,hello\n', 'fr.csv');
    const result = await run('import', 'contacts', file, '-w', slug, '--mapping', 'french', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report.options).toMatchObject({ mappingName: 'french' });
    expect(await exportedPeople(slug)).toEqual([
      { email: 'zoe@example.fr', first_name: 'Zoé', last_name: '' },
    ]);
    expect((await run('mappings', 'delete', 'french', '-w', slug)).status).toBe(0);
    expect((await run('mappings', 'show', 'french', '-w', slug)).status).toBe(1);
  });

  const usageErrors: [string, string[], string, RegExp][] = [
    [
      'a source the header lacks',
      ['--map', 'Vorname=first_name'],
      'email\nx@example.com\n',
      /header has no column "Vorname".*Columns of the file: "email"/s,
    ],
    [
      'a target the kind lacks',
      ['--map', 'email=e_mail'],
      'email\nx@example.com\n',
      /"e_mail" \(for "email"\) is not a column of contacts.*Columns of contacts: email, first_name/s,
    ],
    [
      'two sources for one target',
      ['--map', 'A=email', '--map', 'B=email'],
      'A,B\nx@example.com,y@example.com\n',
      /"A" and "B" are both mapped to "email"/,
    ],
    ['a --map without =', ['--map', 'email'], 'email\nx@example.com\n', /--map "email" is not SOURCE=TARGET/],
    [
      'an unknown saved mapping',
      ['--mapping', 'nope'],
      'email\nx@example.com\n',
      /neither a mapping file nor a saved mapping/,
    ],
    [
      'an unknown encoding',
      ['--encoding', 'klingon'],
      'email\nx@example.com\n',
      /Unknown encoding "klingon".*shift_jis/s,
    ],
  ];
  for (const [what, flags, csv, message] of usageErrors) {
    it(`refuses ${what} as a usage error (exit 1) listing what is valid`, async () => {
      const result = await run('import', 'contacts', writeCsv(csv), '-w', 'acme', ...flags);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
    });
  }

  it('re-imports the errors CSV of a mapped run as it is', async () => {
    const slug = await freshWorkspace();
    const file = writeCsv('Mail,Vorname,Telefon\nok@example.com,Ok,1\nbroken,Bad,2\n', 'mapped.csv');
    const errors = path.join(os.tmpdir(), `errors-${process.pid}.csv`);
    const first = await run(
      'import',
      'contacts',
      file,
      '-w',
      slug,
      '--map',
      'Mail=email',
      '--map',
      'Vorname=first_name',
      '--map',
      'Telefon=',
      '--errors',
      errors,
    );
    expect(first.status).toBe(3);
    const fixed = fs.readFileSync(errors, 'utf8').replace('broken', 'fixed@example.com');
    expect(fixed.split('\n')[0]).toBe('email,first_name,_line,_error');
    const again = await run('import', 'contacts', writeCsv(fixed), '-w', slug);
    expect(again.status).toBe(0);
    expect((await exportedPeople(slug)).map((p) => p.email)).toEqual(['fixed@example.com', 'ok@example.com']);
  });

  it('reads a UTF-16 file with a BOM without --encoding', async () => {
    const slug = await freshWorkspace();
    const content = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('email,first_name\nu16@example.com,Üte\n', 'utf16le'),
    ]);
    const result = await run('import', 'contacts', writeCsv(content), '-w', slug);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('encoding_detected');
    expect(await exportedPeople(slug)).toEqual([
      { email: 'u16@example.com', first_name: 'Üte', last_name: '' },
    ]);
  });
});
