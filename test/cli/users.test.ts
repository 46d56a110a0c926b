import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateUser } from '../../src/domain/users.js';
import { findWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import type { ImportReport } from '../../src/imports/types.js';
import { roster, rosterInProcess } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('roster users', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeAll(async () => {
    t = await createTestDatabase();
    expect((await rosterInProcess(['workspaces', 'add', 'acme'], t.env)).status).toBe(0);
    ws = await findWorkspace(t.conn.db, 'acme');
  });
  afterAll(() => t.cleanup());
  // A process of its own where standard input matters (passwords); the rest runs in this process.
  const run = (args: string[], input?: string) => roster(args, t.env, { input });
  const runHere = (args: string[]) => rosterInProcess(args, t.env);

  it('adds a user with a password read from standard input, who can then sign in', async () => {
    const result = await run(
      ['users', 'add', 'Admin@Example.com', '--first-name', 'Ada', '--role', 'admin', '--password-stdin'],
      'stdin-secret-1\n',
    );
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toBe('Created admin Admin@Example.com in acme.\n');
    expect(await authenticateUser(t.conn.db, ws.id, 'admin@example.com', 'stdin-secret-1')).toMatchObject({
      email: 'Admin@Example.com',
      role: 'admin',
    });
    // Only the trailing newline is dropped.
    expect(await authenticateUser(t.conn.db, ws.id, 'admin@example.com', 'stdin-secret-1\n')).toBeNull();
  });

  it('refuses to ask for a password without a terminal, a short password, a taken email and an unknown role', async () => {
    const noTty = await run(['users', 'add', 'someone@example.com']);
    expect(noTty.status).toBe(1);
    expect(noTty.stderr).toContain('not a terminal');
    expect(noTty.stderr).toContain('--password-stdin');
    const short = await run(['users', 'add', 'someone@example.com', '--password-stdin'], 'abc\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('shorter than 6 characters');
    expect(short.stderr).not.toContain('abc');
    const taken = await run(['users', 'add', 'ADMIN@example.com', '--password-stdin'], 'another-one\n');
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('exists');
    const role = await run(
      ['users', 'add', 'x@example.com', '--role', 'owner', '--password-stdin'],
      'secret-x\n',
    );
    expect(role.status).toBe(1);
    expect(role.stderr).toContain('admin, member');
    expect(await authenticateUser(t.conn.db, ws.id, 'someone@example.com', 'another-one')).toBeNull();
  });

  it('lists users without their hashes', async () => {
    const json = await runHere(['users', 'list', '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { email: 'Admin@Example.com', first_name: 'Ada', last_name: null, role: 'admin', active: true },
    ]);
    const table = await runHere(['users', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^email\s+first_name\s+last_name\s+role\s+active$/);
    expect(table.stdout + json.stdout).not.toContain('$argon2');
  });

  it('imports users: exit 3 with invalid rows, and no password in the output or the errors CSV', async () => {
    const file = writeCsv(
      'email,first_name,password,active\nnew@example.com,New,imported-secret,true\nshort@example.com,,abc12,\n',
    );
    const errors = `${file}.errors.csv`;
    const result = await runHere(['import', 'users', file, '--json', '--errors', errors]);
    expect(result.status).toBe(3);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report.counts).toMatchObject({ rowsProcessed: 2, created: 1, invalid: 1 });
    expect(report.invalid[0]).toMatchObject({
      line: 3,
      reason: 'password_too_short',
      email: 'short@example.com',
    });
    const csv = fs.readFileSync(errors, 'utf8');
    expect(csv.split('\n')[1]).toMatch(/^short@example\.com,,,,3,/);
    for (const text of [result.stdout, result.stderr, csv]) {
      expect(text).not.toContain('imported-secret');
      expect(text).not.toContain('abc12');
    }
    const summary = await runHere(['import', 'users', file]);
    expect(summary.stdout + summary.stderr).not.toContain('abc12');
    expect(await authenticateUser(t.conn.db, ws.id, 'new@example.com', 'imported-secret')).not.toBeNull();
  });
});
