import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { UndoReport } from '../../src/imports/undo-import.js';
import { roster } from '../support/cli.js';
import { importCsvByCli, storedRun } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');
const ROWS = 6_000;

describe('an undo killed half-way', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });

  const count = async (table: 'contacts' | 'customer_contacts') =>
    Number(
      (
        await t.conn.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('is carried on by undoing again: nothing undone or counted twice, the conflicts listed once', async () => {
    const contactsBefore = await count('contacts');
    const linksBefore = await count('customer_contacts');
    const lines = ['email,first_name,company_id'];
    for (let i = 0; i < ROWS; i++) lines.push(`u${i}@undo.example,First ${i},CUST00${1 + (i % 4)}`);
    const run = await importCsvByCli(t.env, 'contacts', `${lines.join('\n')}\n`);
    expect(run.counts).toMatchObject({ created: ROWS, updated: 0 });
    // Changed after the run, on the first and the last row: left as they are, listed once each.
    for (const email of ['u0@undo.example', `u${ROWS - 1}@undo.example`]) {
      await t.conn.db
        .updateTable('contacts')
        .set({ first_name: 'Edited' })
        .where('email_ci', '=', email)
        .execute();
    }

    const child = spawn(process.execPath, [BIN, 'imports', 'undo', run.id, '-w', 'acme'], {
      env: { ...process.env, ...t.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it as soon as a page, but not the last, has committed.
    let progress: { next_row: number; removed: number } | undefined;
    for (let i = 0; i < 6000 && !progress; i++) {
      progress = await t.conn.db
        .selectFrom('import_undos')
        .select(['next_row', 'removed'])
        .executeTakeFirst();
      if (!progress) await sleep(5);
    }
    child.kill('SIGKILL');
    await exited;
    expect(stderr).toBe('');
    expect(progress).toBeDefined();
    expect((await storedRun(t.conn.db, run.id)).status).toBe('completed');
    // Part of it is undone: the committed pages stay.
    const left = await count('contacts');
    expect(left).toBeLessThan(contactsBefore + ROWS);
    expect(left).toBeGreaterThan(contactsBefore + 2);

    const again = await roster(['imports', 'undo', run.id, '-w', 'acme', '--json'], t.env);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(3);
    const report = JSON.parse(again.stdout) as UndoReport;
    // Every link removed, and every contact but the two edited ones.
    expect(report).toMatchObject({ status: 'undone', restored: 0, removed: 2 * ROWS - 2 });
    expect(report.conflicts).toEqual([
      {
        line: 2,
        table: 'contacts',
        key: { email_ci: 'u0@undo.example' },
        message: expect.stringContaining('first_name is now "Edited"'),
      },
      {
        line: ROWS + 1,
        table: 'contacts',
        key: { email_ci: `u${ROWS - 1}@undo.example` },
        message: expect.stringContaining('first_name is now "Edited"'),
      },
    ]);
    expect(await count('contacts')).toBe(contactsBefore + 2);
    expect(await count('customer_contacts')).toBe(linksBefore);
    expect(await t.conn.db.selectFrom('import_undos').selectAll().execute()).toEqual([]);
    expect(await t.conn.db.selectFrom('import_undo_conflicts').selectAll().execute()).toEqual([]);

    const stored = await storedRun(t.conn.db, run.id);
    expect(stored.status).toBe('undone');
    expect(JSON.parse(stored.undo_report!)).toEqual(report);
    const twice = await roster(['imports', 'undo', run.id, '-w', 'acme'], t.env);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('already undone');
  });
});
