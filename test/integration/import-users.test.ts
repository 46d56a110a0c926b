import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateUser } from '../../src/domain/users.js';
import { verifyPassword } from '../../src/domain/passwords.js';
import { addWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import { findRun } from '../../src/imports/run-repository.js';
import { undoImport } from '../../src/imports/undo-import.js';
import { writeErrorsCsv } from '../../src/imports/stages/errors-csv.js';
import type { ImportReport } from '../../src/imports/types.js';
import { expectCountsAddUp, reasonAt } from '../support/assertions.js';
import { importCsv } from '../support/factories.js';
import { FOREIGN_HASHES, FOREIGN_PASSWORD } from '../support/password-hashes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('users import', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await addWorkspace(t.conn.db, 'acme', 'Acme');
  });
  afterEach(() => t.cleanup());

  const importUsers = (csv: string, options = {}) => importCsv(t.conn.db, ws, 'users', csv, options);
  const user = (email: string) =>
    t.conn.db
      .selectFrom('users')
      .select(['email', 'first_name', 'last_name', 'active', 'role', 'password_hash'])
      .where('email_ci', '=', email.toLowerCase())
      .executeTakeFirst();
  const signIn = (email: string, password: string) => authenticateUser(t.conn.db, ws.id, email, password);

  /**
   * What a run leaves behind: the report, the run, its rows and the errors CSV. `shown` is what people see
   * (no hash either); `stored` adds undo_data, which holds hashes (never a password) so undo can restore them.
   */
  async function traces(report: ImportReport): Promise<{ shown: string; stored: string }> {
    const run = await findRun(t.conn.db, ws.id, report.id);
    const out = new PassThrough();
    let csv = '';
    out.on('data', (d: Buffer) => (csv += d.toString()));
    await writeErrorsCsv(t.conn.db, run!, out);
    const rows = await t.conn.db
      .selectFrom('import_rows')
      .selectAll()
      .where('run_id', '=', run!.id)
      .execute();
    // Outcomes (changes, undo data) are kept beside the staged rows (import_outcomes).
    const outcomes = await t.conn.db
      .selectFrom('import_outcomes')
      .selectAll()
      .where('run_id', '=', run!.id)
      .execute();
    const shown = JSON.stringify([report, run, rows, outcomes.map(({ undo_data: _, ...o }) => o)]) + csv;
    return { shown, stored: shown + JSON.stringify(outcomes.map((o) => o.undo_data)) };
  }

  it('creates users whose imported password signs them in, and keeps the password nowhere', async () => {
    const report = await importUsers(
      [
        'email,first_name,last_name,password,active',
        'ada@example.com,Ada,Lovelace,Analytical-1843,',
        'Grace@Example.com,Grace,,c0bol-rules,FALSE',
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ rowsProcessed: 2, created: 2, invalid: 0 });
    const ada = await user('ada@example.com');
    expect(ada).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', active: 1, role: 'member' });
    expect(ada!.password_hash).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    expect(await verifyPassword(ada!.password_hash, 'Analytical-1843')).toBe(true);
    expect(await signIn('ADA@example.com', 'Analytical-1843')).toMatchObject({ email: 'ada@example.com' });
    expect(await signIn('ada@example.com', 'analytical-1843')).toBeNull();
    // An inactive user has a working hash but cannot sign in.
    expect(await user('grace@example.com')).toMatchObject({ email: 'Grace@Example.com', active: 0 });
    expect(await verifyPassword((await user('grace@example.com'))!.password_hash, 'c0bol-rules')).toBe(true);
    expect(await signIn('grace@example.com', 'c0bol-rules')).toBeNull();
    const { shown, stored } = await traces(report);
    expect(stored).not.toContain('Analytical-1843');
    expect(stored).not.toContain('c0bol-rules');
    expect(shown).not.toContain('$argon2');
  });

  it('updates a user by email in any case, keeps the stored casing, and counts a new password as updated', async () => {
    await importUsers('email,first_name,password\nAda@Example.com,Ada,first-pass\n');
    const firstHash = (await user('ada@example.com'))!.password_hash;

    // A blank password keeps the hash; a row that changes nothing is unchanged.
    const blank = await importUsers('email,first_name,password,active\nada@EXAMPLE.com,Ada,,true\n');
    expect(blank.counts).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await user('ada@example.com'))!.password_hash).toBe(firstHash);

    // A password cell always sets a new hash, even the same password: a rerun of such a file updates.
    for (const password of ['second-pass', 'second-pass']) {
      const report = await importUsers(`email,password\nada@example.com,${password}\n`);
      expect(report.counts).toMatchObject({ updated: 1, unchanged: 0 });
    }
    const stored = await user('ada@example.com');
    expect(stored).toMatchObject({ email: 'Ada@Example.com', first_name: 'Ada' });
    expect(stored!.password_hash).not.toBe(firstHash);
    expect(await signIn('ada@example.com', 'second-pass')).not.toBeNull();
    expect(await signIn('ada@example.com', 'first-pass')).toBeNull();

    const changes = await t.conn.db
      .selectFrom('import_outcomes')
      .select('changes')
      .where('status', '=', 'updated')
      .orderBy('run_id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(changes.changes!)).toEqual({ password: ['(hidden)', '(changed)'] });

    const names = await importUsers('email,last_name,active\nADA@example.com,Byron,false\n');
    expect(names.counts).toMatchObject({ updated: 1 });
    expect(await user('ada@example.com')).toMatchObject({ last_name: 'Byron', active: 0 });
    expect((await user('ada@example.com'))!.password_hash).toBe(stored!.password_hash);
  });

  it('reports every row problem of the kind on its line, and leaves password cells out of the errors CSV', async () => {
    await importUsers('email,password\nold@example.com,old-password\n');
    const bcrypt = FOREIGN_HASHES.bcrypt2b;
    const report = await importUsers(
      [
        'email,first_name,password,password_hash,active',
        'new1@example.com,No Password,,,', // 2
        'new2@example.com,,abc12,,', // 3
        `new3@example.com,,,$1$saltsalt$qjXMvbEw8oaL.CzflDugX/,`, // 4
        'new4@example.com,,long-enough,,yes', // 5
        'not-an-email,,long-enough,,', // 6
        ',,long-enough,,', // 7
        `new5@example.com,,long-enough,${bcrypt},`, // 8
        'old@example.com,Still Fine,,,', // 9
        'new6@example.com,,too,many,fields,here', // 10
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(report.invalid.map((i) => [i.line, i.reason, i.column])).toEqual([
      [2, 'password_required', 'password'],
      [3, 'password_too_short', 'password'],
      [4, 'invalid_password_hash', 'password_hash'],
      [5, 'invalid_boolean', 'active'],
      [6, 'invalid_email', 'email'],
      [7, 'missing_value', 'email'],
      [8, 'password_and_hash', 'password_hash'],
      [10, 'wrong_field_count', undefined],
    ]);
    expect(report.counts).toMatchObject({ updated: 1, created: 0, invalid: 8 });
    expect(await user('new1@example.com')).toBeUndefined();
    const { shown, stored } = await traces(report);
    for (const secret of ['abc12', 'long-enough', '$1$saltsalt', bcrypt, 'too,many']) {
      expect(stored).not.toContain(secret);
    }
    expect(shown).toContain('new2@example.com,,,,,3,');
  });

  it('refuses rows of one user that give different passwords, and applies identical rows once', async () => {
    const report = await importUsers(
      [
        'email,first_name,password',
        'twice@example.com,Tw,pass-one', // 2
        'TWICE@example.com,Tw,pass-two', // 3
        'same@example.com,Sam,pass-same', // 4
        'same@example.com,Sam,pass-same', // 5
        `hash@example.com,,pass-word`, // 6
        'hash@example.com,,', // 7: sets nothing, so agrees
      ].join('\n'),
    );
    expectCountsAddUp(report);
    expect(reasonAt(report, 2)).toBe('conflicting_rows');
    expect(reasonAt(report, 3)).toBe('conflicting_rows');
    expect(report.invalid.find((i) => i.line === 2)?.column).toBe('password');
    expect(report.warnings.map((w) => [w.line, w.reason])).toEqual([[5, 'duplicate_row']]);
    expect(report.counts).toMatchObject({ created: 2, duplicates: 1, invalid: 2, unchanged: 1 });
    expect(await user('twice@example.com')).toBeUndefined();
    expect(await signIn('same@example.com', 'pass-same')).not.toBeNull();
    expect(await signIn('hash@example.com', 'pass-word')).not.toBeNull();

    const mixed = await importUsers(
      `email,password,password_hash\nmix@example.com,${FOREIGN_PASSWORD},\nmix@example.com,,${FOREIGN_HASHES.bcrypt2b}\n`,
    );
    expect(mixed.invalid.map((i) => i.reason)).toEqual(['conflicting_rows', 'conflicting_rows']);
  });

  it('takes argon2, bcrypt and scrypt hashes from another system as they are, and those users sign in', async () => {
    const entries = Object.entries(FOREIGN_HASHES);
    // argon2 and scrypt hashes hold commas, so a CSV writer quotes them.
    const csv = ['email,password_hash', ...entries.map(([name, hash]) => `${name}@example.com,"${hash}"`)];
    const report = await importUsers(csv.join('\n'));
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ created: entries.length, invalid: 0 });
    for (const [name, hash] of entries) {
      expect((await user(`${name}@example.com`))!.password_hash).toBe(hash);
      expect(await signIn(`${name}@example.com`, FOREIGN_PASSWORD)).toMatchObject({ role: 'member' });
      expect(await signIn(`${name}@example.com`, 'Imported-pw2')).toBeNull();
    }
    expect(JSON.stringify(report)).not.toContain('$2b$');
  });

  it('undoes a users import: created users go, changed passwords and names come back', async () => {
    await importUsers('email,first_name,password\nkept@example.com,Kept,old-password\n');
    const report = await importUsers(
      'email,first_name,password\nkept@example.com,Renamed,new-password\nnew@example.com,New,new-password\n',
    );
    expect(report.counts).toMatchObject({ created: 1, updated: 1 });
    expect(await signIn('kept@example.com', 'new-password')).not.toBeNull();
    const undo = await undoImport(t.conn.db, ws, report.id);
    expect(undo).toMatchObject({ restored: 1, removed: 1, conflicts: [] });
    expect(await user('new@example.com')).toBeUndefined();
    expect(await user('kept@example.com')).toMatchObject({ first_name: 'Kept' });
    expect(await signIn('kept@example.com', 'old-password')).not.toBeNull();
    expect(await signIn('kept@example.com', 'new-password')).toBeNull();
  });

  it('gives the same outcomes in a dry run without hashing or staging any hash', async () => {
    const csv = [
      'email,password,password_hash',
      'a@example.com,pass-a-1,',
      `b@example.com,,"${FOREIGN_HASHES.scrypt}"`,
      'c@example.com,,',
      'a@example.com,pass-a-2,',
    ].join('\n');
    const dry = await importUsers(csv, { dryRun: true, batchSize: 1 });
    const run = await findRun(t.conn.db, ws.id, dry.id);
    const hashes = await t.conn.db
      .selectFrom('import_rows')
      .select('password_hash')
      .where('run_id', '=', run!.id)
      .where('password_hash', 'is not', null)
      .execute();
    expect(hashes).toEqual([]);
    expect(await user('b@example.com')).toBeUndefined();
    const real = await importUsers(csv, { batchSize: 1 });
    expect(dry.counts).toEqual(real.counts);
    expect(real.counts).toMatchObject({ created: 1, invalid: 3 });
    expect(await signIn('b@example.com', FOREIGN_PASSWORD)).not.toBeNull();
  });
});
