import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/dialect.js';
import { createDemo } from '../../src/cli/commands/demo.js';
import { deleteRun } from '../../src/imports/run-repository.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { backend } from '../support/test-db.js';
import { importCsv } from '../support/factories.js';
import { useWorldPerTest } from '../support/world.js';

/** How many rows of each run table belong to no run. */
async function orphans(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['import_rows', 'import_outcomes', 'import_row_labels', 'import_row_values']) {
    const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${sql.table(table)} x
      WHERE NOT EXISTS (SELECT 1 FROM import_runs r WHERE r.id = x.run_id)`.execute(db);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

/** How many rows `table` holds. */
const count = async (db: Db, table: 'import_runs' | 'import_rows') =>
  Number(
    (await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0]!.n,
  );

const NONE = { import_rows: 0, import_outcomes: 0, import_row_labels: 0, import_row_values: 0 };

// A run's staged rows and outcomes have no foreign key on PostgreSQL (migration 022): deleting runs deletes
// them explicitly, on both databases.
describe(`deleting runs on ${backend}`, () => {
  let db: Db;
  let ws: Workspace;
  useWorldPerTest((t, workspace) => {
    db = t.conn.db;
    ws = workspace;
  });

  it('deletes a run with its staged rows and outcomes, and leaves the other runs alone', async () => {
    const kept = await importCsv(db, ws, 'contacts', 'email,first_name\nkept@example.com,Kept\n');
    const gone = await importCsv(db, ws, 'contacts', 'email,first_name\ngone@example.com,Gone\nbad,Row\n');
    expect(gone.counts).toMatchObject({ created: 1, invalid: 1 });
    const ids = await db.selectFrom('import_runs').select(['id', 'public_id']).execute();
    const goneId = ids.find((r) => r.public_id === gone.id)!.id;
    const keptId = ids.find((r) => r.public_id === kept.id)!.id;

    await deleteRun(db, goneId);

    const rowsOf = async (table: 'import_rows' | 'import_outcomes', runId: number) =>
      (await db.selectFrom(table).select('row_no').where('run_id', '=', runId).execute()).length;
    expect(await rowsOf('import_rows', goneId)).toBe(0);
    expect(await rowsOf('import_outcomes', goneId)).toBe(0);
    expect(await rowsOf('import_rows', keptId)).toBe(1);
    expect(await rowsOf('import_outcomes', keptId)).toBe(1);
    expect(await orphans(db)).toEqual(NONE);
  });

  it('recreating the demo workspace leaves no rows of its old runs behind', async () => {
    await createDemo(db, () => {});
    const runs = await count(db, 'import_runs');
    const staged = await count(db, 'import_rows');
    expect(runs).toBeGreaterThan(0);

    await createDemo(db, () => {});

    expect(await count(db, 'import_runs')).toBe(runs);
    expect(await count(db, 'import_rows')).toBe(staged);
    expect(await orphans(db)).toEqual(NONE);
  });
});
