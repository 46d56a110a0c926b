import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/types.js';
import { rosterInProcess } from '../support/cli.js';
import { importCsvByCli } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

describe('roster imports undo', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });
  const run = (...args: string[]) => rosterInProcess(args, t.env);

  it('exits 0 when all is restored, 3 with conflicts, 1 when undone twice', async () => {
    const csv = (position: string) =>
      `customer_ref,email_address,position_name\nCUST001,john.doe@example.com,${position}\n`;
    const first = await importCsvByCli(t.env, 'positions', csv('CEO'));
    const second = await importCsvByCli(t.env, 'positions', csv('Account Manager'));

    const conflicted = await run('imports', 'undo', first.id, '-w', 'acme');
    expect(conflicted.status).toBe(3);
    expect(conflicted.stdout).toContain('0 records restored, 0 removed, 1 conflicts');
    expect(conflicted.stdout).toContain('line 2');

    const clean = await run('imports', 'undo', second.id, '-w', 'acme', '--json');
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ restored: 1, conflicts: [] });

    const twice = await run('imports', 'undo', second.id, '-w', 'acme');
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('already undone');
    const show = JSON.parse(
      (await run('imports', 'show', second.id, '-w', 'acme', '--json')).stdout,
    ) as ImportReport;
    expect(show.status).toBe('undone');
  });
});
