import { describe, expect, it } from 'vitest';
import { withWorkspaceLock } from '../../src/db/workspace-lock.js';
import { roster } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

function customersFile(prefix: string, rows: number, name: string): string {
  const lines = ['ref,name'];
  for (let i = 0; i < rows; i++) lines.push(`${prefix}${i},${name}`);
  return writeCsv(`${lines.join('\n')}\n`);
}

describe('imports into one workspace', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme', 'other'], (db) => {
    t = db;
  });

  it('wait for each other, while an import into another workspace runs side by side', async () => {
    // This test process holds acme's lock, exactly as a running import would.
    const acme = await t.conn.db
      .selectFrom('workspaces')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    const impatient = { ...t.env, ROSTER_LOCK_TIMEOUT_MS: '300' };
    const [same, other, dry] = await withWorkspaceLock(
      t.conn.db,
      { workspaceId: acme.id, runId: 0, timeoutMs: 1000 },
      () =>
        Promise.all([
          roster(['import', 'customers', customersFile('A', 10, 'Same'), '-w', 'acme'], impatient),
          roster(['import', 'customers', customersFile('B', 10, 'Other'), '-w', 'other'], impatient),
          roster(
            ['import', 'customers', customersFile('D', 10, 'Dry'), '-w', 'acme', '--dry-run'],
            impatient,
          ),
        ]),
    );
    expect(same.status).toBe(1);
    expect(same.stderr).toContain('Another import is writing to this workspace');
    expect(other.stderr).toBe('');
    expect(other.status).toBe(0);
    expect(dry.status).toBe(0); // a dry run writes nothing but its own rows: no lock
    // Once the lock is free, the same import goes through.
    const after = await roster(
      ['import', 'customers', customersFile('A', 10, 'Same'), '-w', 'acme'],
      impatient,
    );
    expect(after.status).toBe(0);
  });

  it('apply one after the other, so every recorded before-value is what the other run left', async () => {
    const [a, b] = await Promise.all(
      ['First', 'Second'].map((name) =>
        roster(
          ['import', 'customers', customersFile('Q', 3000, name), '-w', 'acme', '--batch-size', '100'],
          t.env,
        ),
      ),
    );
    expect([a!.status, b!.status]).toEqual([0, 0]);
    const rows = await t.conn.db
      .selectFrom('import_rows')
      .innerJoin('import_runs', 'import_runs.id', 'import_rows.run_id')
      .innerJoin('import_outcomes', (j) =>
        j
          .onRef('import_outcomes.run_id', '=', 'import_rows.run_id')
          .onRef('import_outcomes.row_no', '=', 'import_rows.row_no'),
      )
      .select(['import_runs.public_id as run', 'import_outcomes.changes'])
      .where('import_outcomes.status', 'in', ['created', 'updated'])
      .where('import_rows.customer_key', 'like', 'Q%')
      .execute();
    const byRun = new Map<string, Set<string>>();
    for (const r of rows) {
      const name = (JSON.parse(r.changes!) as { name: [string | null, string] }).name;
      byRun.set(r.run, (byRun.get(r.run) ?? new Set()).add(`${name[0]}→${name[1]}`));
    }
    // One run created all 3000 ("null→X"), the other updated all of them from X: nothing interleaved.
    const effects = [...byRun.values()].map((s) => [...s]).sort();
    expect(effects).toHaveLength(2);
    expect(effects.every((e) => e.length === 1)).toBe(true);
    const created = effects.map((e) => e[0]!).find((e) => e.startsWith('null→'));
    const updated = effects.map((e) => e[0]!).find((e) => e !== created);
    expect(created).toBeDefined();
    expect(updated!.split('→')[0]).toBe(created!.split('→')[1]);
    const final = await t.conn.db
      .selectFrom('customers')
      .select('name')
      .where('ref', 'like', 'Q%')
      .distinct()
      .execute();
    expect(final.map((f) => f.name)).toEqual([updated!.split('→')[1]]);
  });
});
