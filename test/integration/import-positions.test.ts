import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { importCsv, personsSnapshot, positionOf } from '../support/factories.js';
import { findRun } from '../../src/imports/run-repository.js';
import { listRowOutcomes } from '../../src/imports/run-report.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

const SAMPLE = fs.readFileSync(path.join(import.meta.dirname, '../../examples/positions.csv'));

describe('positions import', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  it('imports the sample file with a header_normalized warning and the right counts', async () => {
    const report = await importCsv(t.conn.db, ws, 'positions', SAMPLE);
    expect(report.status).toBe('completed');
    expect(report.warnings).toEqual([
      expect.objectContaining({ line: 1, reason: 'header_normalized', column: 'position_name' }),
    ]);
    expect(report.counts).toEqual({
      rowsProcessed: 4,
      created: 0,
      updated: 2,
      unchanged: 1,
      unmatched: 1,
      invalid: 0,
      duplicates: 0,
    });
    expect(report.unmatched).toEqual([
      expect.objectContaining({
        line: 4,
        customer_ref: 'CUST003',
        email_address: 'bob.wilson@example.com',
        reason: 'person_not_found',
        hint: expect.stringContaining('CUST001'),
      }),
    ]);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('Account Manager');
    expect(await positionOf(t.conn.db, 'CUST004', 'alice.brown@example.com')).toBe('Operations Manager');
  });

  it('reports everything unchanged on a second run of the same file', async () => {
    await importCsv(t.conn.db, ws, 'positions', SAMPLE);
    const second = await importCsv(t.conn.db, ws, 'positions', SAMPLE);
    expect(second.counts).toMatchObject({ updated: 0, unchanged: 3, unmatched: 1 });
  });

  it('changes nothing in a dry run but reports what would happen', async () => {
    const before = await personsSnapshot(t.conn.db, ws.id);
    const report = await importCsv(t.conn.db, ws, 'positions', SAMPLE, { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.counts).toMatchObject({ updated: 2, unmatched: 1 });
    expect(await personsSnapshot(t.conn.db, ws.id)).toEqual(before);
  });

  it('records each row of a dry run with its changed fields, before and after', async () => {
    const report = await importCsv(t.conn.db, ws, 'positions', SAMPLE, { dryRun: true });
    const run = await findRun(t.conn.db, ws.id, report.id);
    const rows = await listRowOutcomes(t.conn.db, run!.id);
    expect(rows).toEqual([
      { line: 2, status: 'updated', changes: { position_name: [null, 'Account Manager'] } },
      { line: 3, status: 'unchanged' },
      { line: 4, status: 'unmatched', reason: 'person_not_found', message: expect.any(String) },
      { line: 5, status: 'updated', changes: { position_name: [null, 'Operations Manager'] } },
    ]);
    expect(await listRowOutcomes(t.conn.db, run!.id, { status: 'updated', after: 2 })).toHaveLength(1);
  });

  it('sees one person in rows matched exactly and rows matched only with --ignore-case', async () => {
    // Row 2 is matched in the plan's first pass, rows 3 and 4 only by the case-insensitive steps after it:
    // all three name the same person, so they are settled together.
    const csv = [
      'customer_ref,email_address,position_name',
      'CUST001,john.doe@example.com,Account Manager',
      'CUST001,JOHN.DOE@example.com,Finance Director',
      'cust001,john.doe@example.com,Account Manager',
      'CUST004,alice.brown@example.com,Operations Manager',
      'cust004,Alice.Brown@example.com,Operations Manager',
    ].join('\n');
    const report = await importCsv(t.conn.db, ws, 'positions', csv, { ignoreCase: true });
    expect(report.counts).toMatchObject({ updated: 1, invalid: 3, duplicates: 1, unmatched: 0 });
    expect(report.invalid.map((r) => [r.line, r.reason])).toEqual([
      [2, 'conflicting_rows'],
      [3, 'conflicting_rows'],
      [4, 'conflicting_rows'],
    ]);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBeNull();
    expect(await positionOf(t.conn.db, 'CUST004', 'alice.brown@example.com')).toBe('Operations Manager');
  });
});
