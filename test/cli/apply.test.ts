import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/types.js';
import { roster } from '../support/cli.js';
import { positionOf, writeCsv } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

describe('roster imports apply', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });
  const run = (...args: string[]) => roster(args, t.env);
  const positions = (email: string, position: string) =>
    writeCsv(`customer_ref,email_address,position_name\nCUST001,${email},${position}\n`);
  const dryRun = async (file: string) =>
    JSON.parse(
      (await run('import', 'positions', file, '-w', 'acme', '--dry-run', '--json')).stdout,
    ) as ImportReport;

  it('applies a reviewed dry run: the same changes, by a new run that names its dry run', async () => {
    const dry = await dryRun(positions('john.doe@example.com', 'CEO'));
    expect(dry.counts.updated).toBe(1);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBeNull();

    const applied = await run('imports', 'apply', dry.id.slice(0, 8), '-w', 'acme', '--json');
    expect(applied.status).toBe(0);
    const report = JSON.parse(applied.stdout) as ImportReport;
    expect(report).toMatchObject({ dryRun: false, status: 'completed', counts: { updated: 1 } });
    expect(report.id).not.toBe(dry.id);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('CEO');
    const runs = await t.conn.db
      .selectFrom('import_runs')
      .select(['public_id', 'applied_run_id', 'source_run_id'])
      .where('public_id', 'in', [dry.id, report.id])
      .execute();
    expect(runs.find((r) => r.public_id === dry.id)?.applied_run_id).toBe(report.id);
    expect(runs.find((r) => r.public_id === report.id)?.source_run_id).toBe(dry.id);

    const twice = await run('imports', 'apply', dry.id, '-w', 'acme');
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('was applied already');
  });

  it('refuses with exit 1 when the data changed after the dry run, and changes nothing', async () => {
    const dry = await dryRun(positions('bob.wilson@example.com', 'CEO'));
    const other = await run(
      'import',
      'positions',
      positions('john.doe@example.com', 'Account Manager'),
      '-w',
      'acme',
    );
    expect(other.status).toBe(0);

    const refused = await run('imports', 'apply', dry.id, '-w', 'acme');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('The data changed after this dry run was made');
    expect(refused.stderr).toContain('Make a new dry run');
    expect(await positionOf(t.conn.db, 'CUST001', 'bob.wilson@example.com')).toBeNull();
  });

  it('refuses with exit 1 when the file was edited after the dry run', async () => {
    const file = positions('john.doe@example.com', 'Finance Director');
    const dry = await dryRun(file);
    fs.appendFileSync(file, 'CUST001,bob.wilson@example.com,CEO\n');

    const refused = await run('imports', 'apply', dry.id, '-w', 'acme');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('changed after this dry run was made');
    expect(await positionOf(t.conn.db, 'CUST001', 'bob.wilson@example.com')).toBeNull();
  });

  it('answers an unknown id with exit 1 and where to look, and a real run with exit 1', async () => {
    const unknown = await run('imports', 'apply', 'no-such-run', '-w', 'acme');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No import run "no-such-run" in acme');
    expect(unknown.stderr).toContain('roster imports list');

    const real = JSON.parse(
      (await run('import', 'positions', positions('john.doe@example.com', 'CEO'), '-w', 'acme', '--json'))
        .stdout,
    ) as ImportReport;
    const notDry = await run('imports', 'apply', real.id, '-w', 'acme');
    expect(notDry.status).toBe(1);
    expect(notDry.stderr).toContain('is not a dry run');
  });
});
