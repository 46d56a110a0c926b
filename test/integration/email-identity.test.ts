import { describe, expect, it } from 'vitest';
import { dialectOf } from '../../src/db/dialect.js';
import { identityFoldMigration } from '../../src/db/migrations/013-identity-fold.js';
import { createContact } from '../../src/domain/contacts.js';
import { signIn } from '../../src/domain/sessions.js';
import { createUser } from '../../src/domain/users.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { now } from '../../src/domain/text.js';
import { expectCountsAddUp, reasonAt } from '../support/assertions.js';
import { importCsv } from '../support/factories.js';
import type { TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

const NFC = 'jos\u00e9@example.com';
const NFD = 'jose\u0301@example.com';
/** The sample world's contacts, left out of the lists below. */
const WORLD = ['john.doe', 'jane.smith', 'alice.brown', 'bob.wilson'].map((n) => `${n}@example.com`);

describe('one identity per email', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, world) => {
    t = db;
    ws = world;
  });

  const emails = async (table: 'contacts' | 'users') =>
    (
      await t.conn.db
        .selectFrom(table)
        .select(['email', 'email_ci'])
        .where('workspace_id', '=', ws.id)
        .where('email', 'not in', WORLD)
        .orderBy('id')
        .execute()
    ).map((r) => [r.email, r.email_ci]);

  it('makes josé in NFC and in NFD one contact, stored in NFC', async () => {
    const report = await importCsv(t.conn.db, ws, 'contacts', `email,first_name\n${NFD},José\n${NFC},José\n`);
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ created: 1, duplicates: 1 });
    const rows = await t.conn.db
      .selectFrom('contacts')
      .select('email')
      .where('email', 'like', 'jos%')
      .execute();
    expect(rows).toEqual([{ email: NFC }]);
    expect(
      (await importCsv(t.conn.db, ws, 'contacts', `email,first_name\n${NFD},José\n`)).counts.unchanged,
    ).toBe(1);
    await expect(createContact(t.conn.db, ws.id, { email: NFD, firstName: 'J' })).rejects.toMatchObject({
      code: 'already_exists',
    });
  });

  it('makes josé in NFC and in NFD one user, who signs in either way', async () => {
    await createUser(t.conn.db, ws.id, { email: NFD, password: 'correct horse battery' });
    await expect(
      createUser(t.conn.db, ws.id, { email: NFC, password: 'correct horse battery' }),
    ).rejects.toMatchObject({ code: 'already_exists' });
    const report = await importCsv(t.conn.db, ws, 'users', `email,first_name\n${NFC},José\n`);
    expect(report.counts).toMatchObject({ created: 0, updated: 1 });
    const users = await t.conn.db
      .selectFrom('users')
      .select('email')
      .where('workspace_id', '=', ws.id)
      .execute();
    expect(users).toEqual([{ email: NFC }]);
    const signedIn = await signIn(t.conn.db, {
      workspace: ws.slug,
      email: NFD.toUpperCase(),
      password: 'correct horse battery',
      address: '127.0.0.1',
    });
    expect(signedIn.sessionId).toBeTruthy();
  });

  it('folds σ, ς and Σ alike: ΟΔΟΣ@ and οδοσ@ are one contact', async () => {
    const csv =
      'email,first_name\nΟΔΟΣ@example.gr,A\nοδοσ@example.gr,A\nοδος@example.gr,A\nSTRASSE@example.de,B\n';
    const report = await importCsv(t.conn.db, ws, 'contacts', `${csv}straße@example.de,B\n`);
    expect(report.counts).toMatchObject({ created: 2, duplicates: 3 });
    expect(await emails('contacts')).toEqual([
      ['ΟΔΟΣ@example.gr', 'οδοσ@example.gr'],
      ['STRASSE@example.de', 'strasse@example.de'],
    ]);
  });

  it('refuses emails with a zero-width space or a right-to-left override as invalid_email', async () => {
    const zwsp = 'john.doe\u200b@example.com';
    const rlo = 'john.doe@exa\u202emple.com';
    const report = await importCsv(t.conn.db, ws, 'contacts', `email,first_name\n${zwsp},X\n${rlo},X\n`);
    expect(report.counts).toMatchObject({ invalid: 2, created: 0, updated: 0 });
    expect(reasonAt(report, 2)).toBe('invalid_email');
    expect(reasonAt(report, 3)).toBe('invalid_email');
    expect(report.invalid[0]!.message).toBe(
      '"john.doe\\u200b@example.com" in email holds an invisible or text-direction character.',
    );
    const persons = await importCsv(t.conn.db, ws, 'persons', `customer_ref,email_address\nCUST001,${rlo}\n`);
    expect(reasonAt(persons, 2)).toBe('invalid_email');
    await expect(createContact(t.conn.db, ws.id, { email: zwsp })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      createUser(t.conn.db, ws.id, { email: rlo, password: 'correct horse battery' }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('migration 013 refolds rows stored with the old folding, and leaves two that would collide as they were', async () => {
    const db = t.conn.db;
    const at = now();
    const contact = (email: string, email_ci: string) =>
      db
        .insertInto('contacts')
        .values({ workspace_id: ws.id, email, email_ci, created_at: at, updated_at: at })
        .execute();
    // As toLowerCase() folded them: a final Σ became ς, and a decomposed é stayed decomposed.
    await contact('ΟΔΟΣ@example.gr', 'οδος@example.gr');
    await contact('Marie.Jose\u0301@example.fr', 'marie.jose\u0301@example.fr');
    // Two contacts that the new folding makes one address: neither is touched.
    await contact(NFC, NFC);
    await contact(NFD.toUpperCase(), NFD);
    await db
      .updateTable('customers')
      .set({ name: 'ΟΔΟΣ', name_ci: 'οδος' })
      .where('workspace_id', '=', ws.id)
      .where('ref', '=', 'CUST003')
      .execute();
    await identityFoldMigration(dialectOf(db).name).up(db);
    expect(await emails('contacts')).toEqual([
      ['ΟΔΟΣ@example.gr', 'οδοσ@example.gr'],
      ['Marie.José@example.fr', 'marie.josé@example.fr'],
      [NFC, NFC],
      [NFD.toUpperCase(), NFD],
    ]);
    const umbrella = await db
      .selectFrom('customers')
      .select('name_ci')
      .where('ref', '=', 'CUST003')
      .executeTakeFirstOrThrow();
    expect(umbrella.name_ci).toBe('οδοσ');
    // The refolded contacts are found by their new keys.
    const report = await importCsv(
      db,
      ws,
      'contacts',
      'email,first_name\nοδοσ@example.gr,A\nmarie.josé@example.fr,B\n',
    );
    expect(report.counts).toMatchObject({ created: 0, updated: 2 });
  });
});
