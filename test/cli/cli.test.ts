import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rosterInProcess } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import type { ImportReport } from '../../src/imports/types.js';
import { useWorldPerFile } from '../support/world.js';

describe('the roster CLI', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });
  const run = (...args: string[]) => rosterInProcess(args, t.env);

  it('creates workspaces and positions, and refuses a duplicate with exit status 1', async () => {
    expect((await run('workspaces', 'add', 'other', '--name', 'Other Ltd')).status).toBe(0);
    const list = await run('workspaces', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([
      { slug: 'acme', name: 'Acme' },
      { slug: 'other', name: 'Other Ltd' },
    ]);
    expect((await run('positions', 'add', 'Buyer', '--workspace', 'acme')).status).toBe(0);
    const again = await run('positions', 'add', 'Buyer', '--workspace', 'acme');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('Position "Buyer" already exists.');
    const positions = JSON.parse((await run('positions', 'list', '-w', 'acme', '--json')).stdout) as {
      name: string;
    }[];
    expect(positions.map((p) => p.name)).toContain('Buyer');
  });

  it('asks which workspace when there are several', async () => {
    const result = await run('positions', 'list');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--workspace');
  });

  it('creates labels and custom fields', async () => {
    expect((await run('labels', 'add', 'VIP', '--id', 'vip', '-w', 'acme')).status).toBe(0);
    expect((await run('fields', 'add', 'birthday', '--type', 'date', '-w', 'acme')).status).toBe(0);
    expect((await run('fields', 'add', 'size', '--type', 'huge', '-w', 'acme')).status).toBe(1);
    expect(JSON.parse((await run('labels', 'list', '-w', 'acme', '--json')).stdout)).toEqual([
      { id: 'vip', name: 'VIP' },
    ]);
    expect(JSON.parse((await run('fields', 'list', '-w', 'acme', '--json')).stdout)).toEqual([
      { variable: 'birthday', label: 'birthday', type: 'date' },
    ]);
  });

  it('exits 0 when every row is applied, and prints a summary', async () => {
    const file = writeCsv('customer_ref,email_address,position_name \nCUST001,john.doe@example.com,CEO\n');
    const result = await run('import', 'positions', file, '-w', 'acme');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 row: 0 created, 1 updated');
    expect(result.stdout).toContain('header_normalized');
  });

  it('exits 3 with unmatched rows, prints the report with --json and writes a neutralised errors CSV', async () => {
    const file = writeCsv(
      'customer_ref,email_address,position_name\n=HYPERLINK("http://x"),john.doe@example.com,CEO\nCUST001,john.doe@example.com,@CEO\n',
    );
    const errors = `${file}.errors.csv`;
    const reportFile = `${file}.report.json`;
    const result = await run(
      'import',
      'positions',
      file,
      '-w',
      'acme',
      '--json',
      '--errors',
      errors,
      '--report',
      reportFile,
    );
    expect(result.status).toBe(3);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report.counts).toMatchObject({ rowsProcessed: 2, unmatched: 2 });
    expect(JSON.parse(fs.readFileSync(reportFile, 'utf8'))).toEqual(report);
    const csv = fs.readFileSync(errors, 'utf8').split('\n');
    expect(csv[0]).toBe('customer_ref,email_address,position_name,_line,_error');
    expect(csv[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/x""\)",john\.doe@example\.com,CEO,2,/);
    expect(csv[2]).toMatch(/^CUST001,john\.doe@example\.com,'@CEO,3,/);
  });

  it('imports a fixed errors CSV again as it is, reading neutralised cells back', async () => {
    const errors = writeCsv(
      `customer_ref,email_address,position_name,_line,_error\nCUST001,john.doe@example.com,'@Lead,3,No position\n`,
    );
    await run('positions', 'add', '@Lead', '-w', 'acme');
    const result = await run('import', 'positions', errors, '-w', 'acme', '--json');
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as ImportReport).counts.updated).toBe(1);
  });

  it('exits 2 for a rejected file and says how to fix it', async () => {
    const file = writeCsv('customer_ref;email_address;position_name\nCUST001;john.doe@example.com;CEO\n');
    const result = await run('import', 'positions', file, '-w', 'acme');
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('Rejected (wrong_delimiter, line 1)');
    expect(result.stdout).toContain('--delimiter ";"');
  });

  it('gives a dry run the exit status of the real run', async () => {
    const file = writeCsv('customer_ref,email_address\nCUST404,john.doe@example.com\n');
    const result = await run('import', 'mark-primary', file, '-w', 'acme', '--dry-run');
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('dry run');
  });

  it('exits 1 on usage errors', async () => {
    expect((await run('import', 'nonsense', 'x.csv', '-w', 'acme')).status).toBe(1);
    const missing = await run('import', 'positions', '/no/such/file.csv', '-w', 'acme');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('No such file');
  });

  it('exports persons sorted by key, and importing the export changes nothing', async () => {
    const exported = await run('export', 'persons', '-w', 'acme');
    expect(exported.status).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines[0]).toBe('customer_ref,email_address,position_name,primary');
    expect(lines.slice(1)).toEqual([...lines.slice(1)].sort());
    const back = await run('import', 'persons', writeCsv(exported.stdout), '-w', 'acme', '--json');
    expect(back.status).toBe(0);
    const report = JSON.parse(back.stdout) as ImportReport;
    expect(report.counts).toMatchObject({ unchanged: lines.length - 1, updated: 0 });
  });

  it('exports customers and contacts in the columns of their imports', async () => {
    const customers = await run('export', 'customers', '-w', 'acme');
    expect(customers.stdout.split('\n')[0]).toBe('ref,name,erp_id');
    const contacts = await run('export', 'contacts', '-w', 'acme');
    // The workspace has the label VIP and the field birthday (created above).
    expect(contacts.stdout.split('\n')[0]).toBe('email,first_name,last_name,company_id,labels,birthday');
    const back = await run('import', 'contacts', writeCsv(contacts.stdout), '-w', 'acme', '--json');
    expect((JSON.parse(back.stdout) as ImportReport).counts).toMatchObject({ created: 0, updated: 0 });
  });

  it('lists past imports and shows one by id', async () => {
    const list = JSON.parse((await run('imports', 'list', '-w', 'acme', '--json')).stdout) as {
      id: string;
    }[];
    expect(list.length).toBeGreaterThan(3);
    const show = await run('imports', 'show', list[0]!.id.slice(0, 8), '-w', 'acme', '--json');
    expect(show.status).toBe(0);
    expect((JSON.parse(show.stdout) as ImportReport).id).toBe(list[0]!.id);
  });

  it("shows each row's outcome and changes of a run", async () => {
    const file = writeCsv(
      'customer_ref,email_address,position_name\nCUST004,alice.brown@example.com,Finance Director\n',
    );
    const report = JSON.parse(
      (await run('import', 'positions', file, '-w', 'acme', '--dry-run', '--json')).stdout,
    ) as ImportReport;
    const rows = await run('imports', 'rows', report.id, '-w', 'acme');
    expect(rows.status).toBe(0);
    expect(rows.stdout).toBe('line 2  updated  position_name: null → "Finance Director"\n');
  });
});
