import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/types.js';
import { roster } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');
const ROWS = 20_000;

describe('a run killed half-way', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });

  it('is interrupted after kill -9 and resumes to exactly what an uninterrupted run gives', async () => {
    const lines = ['ref,name,erp_id'];
    for (let i = 0; i < ROWS; i++) lines.push(`K${String(i).padStart(6, '0')},Customer ${i},ERP-${i}`);
    const file = writeCsv(`${lines.join('\n')}\n`);
    const child = spawn(
      process.execPath,
      [BIN, 'import', 'customers', file, '-w', 'acme', '--batch-size', '50'],
      {
        env: { ...process.env, ...t.env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));

    // Kill it as soon as some, but not all, batches have committed.
    let done = 0;
    for (let i = 0; i < 3000 && (done === 0 || done >= ROWS); i++) {
      const run = await t.conn.db
        .selectFrom('import_runs')
        .select(['rows_done', 'phase'])
        .where('kind', '=', 'customers')
        .executeTakeFirst();
      done = run?.phase === 'applying' ? run.rows_done : 0;
      if (done > 0 && done < ROWS) break;
      await sleep(10);
    }
    child.kill('SIGKILL');
    await exited;
    expect(stderr).toBe('');
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(ROWS);

    const list = await roster(['imports', 'list', '-w', 'acme', '--json'], t.env);
    const run = (JSON.parse(list.stdout) as { id: string; status: string; kind: string }[]).find(
      (r) => r.kind === 'customers',
    )!;
    expect(run.status).toBe('interrupted');

    const resumed = await roster(['imports', 'resume', run.id, '-w', 'acme', '--json'], t.env);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    const report = JSON.parse(resumed.stdout) as ImportReport;
    expect(report.status).toBe('completed');
    expect(report.counts).toMatchObject({ rowsProcessed: ROWS, created: ROWS, updated: 0, invalid: 0 });

    const rows = await t.conn.db
      .selectFrom('customers')
      .select(['ref', 'name', 'erp_id'])
      .where('ref', 'like', 'K%')
      .orderBy('ref')
      .execute();
    expect(rows).toHaveLength(ROWS);
    expect(rows[ROWS - 1]).toEqual({
      ref: `K${String(ROWS - 1).padStart(6, '0')}`,
      name: `Customer ${ROWS - 1}`,
      erp_id: `ERP-${ROWS - 1}`,
    });
    expect(new Set(rows.map((r) => r.erp_id)).size).toBe(ROWS);
    // The outcomes of the batches committed before the kill and after the resume (import_outcomes): one per
    // row (its key), each with its undo data and the id of the customer it created (the history's key).
    const outcomes = await t.conn.db
      .selectFrom('import_outcomes')
      .innerJoin('import_runs', 'import_runs.id', 'import_outcomes.run_id')
      .innerJoin('customers', 'customers.id', 'import_outcomes.customer_id')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.count<number>('import_outcomes.undo_data').as('undo'),
      ])
      .where('import_runs.public_id', '=', run.id)
      .where('import_outcomes.status', '=', 'created')
      .where('customers.ref', 'like', 'K%')
      .executeTakeFirstOrThrow();
    expect([Number(outcomes.n), Number(outcomes.undo)]).toEqual([ROWS, ROWS]);

    const again = await roster(['imports', 'resume', run.id, '-w', 'acme'], t.env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('only an interrupted run can be resumed');
  });
});
