import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addField } from '../../src/domain/fields.js';
import { addLabel } from '../../src/domain/labels.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { findRun } from '../../src/imports/run-repository.js';
import { listRowOutcomes } from '../../src/imports/run-report.js';
import type { ImportReport } from '../../src/imports/types.js';
import { expectCountsAddUp, reasonAt } from '../support/assertions.js';
import { buildWorld, importCsv } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('contacts import: labels and custom fields', () => {
  let t: TestDatabase;
  let ws: Workspace;
  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
    await addLabel(t.conn.db, ws.id, 'VIP', 'vip');
    await addLabel(t.conn.db, ws.id, 'Gold', 'gold');
    await addLabel(t.conn.db, ws.id, 'Partner', 'partner');
    for (const [variable, type] of [
      ['amount', 'number'],
      ['newsletter', 'boolean'],
      ['birthday', 'date'],
      ['note', 'text'],
    ] as const) {
      await addField(t.conn.db, ws.id, { variable, type }, []);
    }
  });
  afterEach(() => t.cleanup());

  const contactId = async (email: string) =>
    (
      await t.conn.db
        .selectFrom('contacts')
        .select('id')
        .where('email_ci', '=', email.toLowerCase())
        .executeTakeFirst()
    )?.id;
  const labelsOf = async (email: string) =>
    (
      await t.conn.db
        .selectFrom('contact_labels as cl')
        .innerJoin('labels as l', 'l.id', 'cl.label_id')
        .innerJoin('contacts as c', 'c.id', 'cl.contact_id')
        .select('l.name')
        .where('c.email_ci', '=', email.toLowerCase())
        .execute()
    )
      .map((r) => r.name)
      .sort();
  const fieldsOf = async (email: string) =>
    Object.fromEntries(
      (
        await t.conn.db
          .selectFrom('contact_field_values as v')
          .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
          .innerJoin('contacts as c', 'c.id', 'v.contact_id')
          .select(['f.variable', 'v.value'])
          .where('c.email_ci', '=', email.toLowerCase())
          .execute()
      ).map((r) => [r.variable, r.value]),
    );
  const rowsOf = async (report: ImportReport) => {
    const run = await findRun(t.conn.db, ws.id, report.id);
    return listRowOutcomes(t.conn.db, run!.id);
  };
  const csv = (...lines: string[]) => lines.join('\n');

  it('adds labels by name and by id, records the change, and a rerun is unchanged', async () => {
    const file = csv(
      'email,labels,labels_id',
      'john.doe@example.com,VIP,gold',
      'new@example.com,Partner: VIP,',
    );
    const report = await importCsv(t.conn.db, ws, 'contacts', file);
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ created: 1, updated: 1 });
    expect(await labelsOf('john.doe@example.com')).toEqual(['Gold', 'VIP']);
    expect(await labelsOf('new@example.com')).toEqual(['Partner', 'VIP']);
    const rows = await rowsOf(report);
    expect(rows[0]!.changes).toEqual({ labels: [[], ['Gold', 'VIP']] });
    expect(rows[1]!.changes).toMatchObject({ labels: [[], ['Partner', 'VIP']] });
    expect((await importCsv(t.conn.db, ws, 'contacts', file)).counts).toMatchObject({ unchanged: 2 });
  });

  it('adds to the labels by default, and replaces them with --labels replace', async () => {
    const john = 'john.doe@example.com';
    await importCsv(t.conn.db, ws, 'contacts', csv('email,labels', `${john},VIP`));
    const added = await importCsv(t.conn.db, ws, 'contacts', csv('email,labels', `${john},Gold`));
    expect((await rowsOf(added))[0]!.changes).toEqual({ labels: [['VIP'], ['Gold', 'VIP']] });
    expect(await labelsOf(john)).toEqual(['Gold', 'VIP']);

    const replaced = await importCsv(t.conn.db, ws, 'contacts', csv('email,labels_id', `${john},partner`), {
      labels: 'replace',
    });
    expect(replaced.counts.updated).toBe(1);
    expect((await rowsOf(replaced))[0]!.changes).toEqual({ labels: [['Gold', 'VIP'], ['Partner']] });
    expect(await labelsOf(john)).toEqual(['Partner']);

    const blank = csv('email,first_name,labels', `${john},,`);
    const kept = await importCsv(t.conn.db, ws, 'contacts', blank, { labels: 'replace' });
    expect(kept.counts.unchanged).toBe(1);
    expect(await labelsOf(john)).toEqual(['Partner']);
    const cleared = await importCsv(t.conn.db, ws, 'contacts', csv('email,labels', `${john},`), {
      labels: 'replace',
      blank: 'clear',
    });
    expect(cleared.counts.updated).toBe(1);
    expect(await labelsOf(john)).toEqual([]);
  });

  it('reports an unknown label as label_not_found with a did-you-mean hint, and applies nothing of that row', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv(
        'email,first_name,labels,labels_id',
        'john.doe@example.com,Johnny,vip,',
        'jane.smith@example.com,Janet,Gld,',
        'bob.wilson@example.com,Bobby,VIP,nope',
        'alice.brown@example.com,Ally,Gold,',
        'x@example.com,X,Nothing Like It,',
      ),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ unmatched: 4, updated: 1 });
    expect(report.unmatched).toEqual([
      expect.objectContaining({
        line: 2,
        reason: 'label_not_found',
        column: 'labels',
        message: 'No label named "vip".',
        hint: 'Did you mean "VIP"? Write it exactly, or pass --ignore-case.',
      }),
      expect.objectContaining({ line: 3, column: 'labels', hint: 'Did you mean "Gold"?' }),
      expect.objectContaining({ line: 4, reason: 'label_not_found', column: 'labels_id' }),
      expect.objectContaining({
        line: 6,
        reason: 'label_not_found',
        hint: 'Create it first with: roster labels add "Nothing Like It"',
      }),
    ]);
    expect(await labelsOf('john.doe@example.com')).toEqual([]);
    expect(await labelsOf('bob.wilson@example.com')).toEqual([]);
    expect(await labelsOf('alice.brown@example.com')).toEqual(['Gold']);
    const john = await t.conn.db
      .selectFrom('contacts')
      .select('first_name')
      .where('email', '=', 'john.doe@example.com')
      .executeTakeFirstOrThrow();
    expect(john.first_name).toBe('John');
    expect(await contactId('x@example.com')).toBeUndefined();

    const again = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv('email,labels,labels_id', 'john.doe@example.com,vip,GOLD'),
      { ignoreCase: true },
    );
    expect(again.counts.updated).toBe(1);
    expect(await labelsOf('john.doe@example.com')).toEqual(['Gold', 'VIP']);
  });

  it('sets custom fields of every type, stores them canonically, and a blank cell leaves a field alone', async () => {
    const john = 'john.doe@example.com';
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv('email,amount,newsletter,birthday,note', `${john},0012.50,TRUE,2024-02-29,  Likes tea  `),
    );
    expectCountsAddUp(report);
    expect(report.counts.updated).toBe(1);
    expect(await fieldsOf(john)).toEqual({
      amount: '12.5',
      newsletter: 'true',
      birthday: '2024-02-29',
      note: 'Likes tea',
    });
    expect((await rowsOf(report))[0]!.changes).toEqual({
      amount: [null, '12.5'],
      newsletter: [null, 'true'],
      birthday: [null, '2024-02-29'],
      note: [null, 'Likes tea'],
    });

    const same = csv('email,amount,newsletter,birthday,note', `${john},12.5,true,,`);
    expect((await importCsv(t.conn.db, ws, 'contacts', same)).counts.unchanged).toBe(1);
    const changed = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv('email,amount,newsletter', `${john},-0.75,False`),
    );
    expect((await rowsOf(changed))[0]!.changes).toEqual({
      amount: ['12.5', '-0.75'],
      newsletter: ['true', 'false'],
    });

    const cleared = await importCsv(t.conn.db, ws, 'contacts', csv('email,amount,note', `${john},,`), {
      blank: 'clear',
    });
    expect((await rowsOf(cleared))[0]!.changes).toEqual({
      amount: ['-0.75', null],
      note: ['Likes tea', null],
    });
    expect(await fieldsOf(john)).toEqual({ newsletter: 'false', birthday: '2024-02-29' });
  });

  it('refuses values that do not fit the field type, naming the column', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv(
        'email,first_name,amount,newsletter,birthday',
        'a@example.com,A,"1,5",,',
        'b@example.com,B,1e3,,',
        'c@example.com,C,,yes,',
        'd@example.com,D,,,2023-02-29',
        'e@example.com,E,,,2024-13-01',
        'f@example.com,F,,,01/02/2024',
        'g@example.com,G,-12.5,false,2023-12-31',
      ),
    );
    expectCountsAddUp(report);
    expect(report.invalid.map((i) => [i.line, i.reason, i.column])).toEqual([
      [2, 'invalid_number', 'amount'],
      [3, 'invalid_number', 'amount'],
      [4, 'invalid_boolean', 'newsletter'],
      [5, 'invalid_date', 'birthday'],
      [6, 'invalid_date', 'birthday'],
      [7, 'invalid_date', 'birthday'],
    ]);
    expect(report.counts).toMatchObject({ invalid: 6, created: 1 });
    expect(await contactId('a@example.com')).toBeUndefined();
    expect(await fieldsOf('g@example.com')).toEqual({
      amount: '-12.5',
      newsletter: 'false',
      birthday: '2023-12-31',
    });
  });

  it('accepts custom field columns in any case, with a header_normalized warning', async () => {
    const report = await importCsv(t.conn.db, ws, 'contacts', csv('email,Amount', 'john.doe@example.com,3'));
    expect(report.warnings).toContainEqual(
      expect.objectContaining({ reason: 'header_normalized', column: 'amount' }),
    );
    expect(await fieldsOf('john.doe@example.com')).toEqual({ amount: '3' });
    const rejected = await importCsv(t.conn.db, ws, 'contacts', csv('email,amout', 'john.doe@example.com,3'));
    expect(rejected.rejection).toMatchObject({
      reason: 'unknown_column',
      hint: expect.stringContaining('"amount"'),
    });
  });

  it('adds up the labels of rows of one contact and rejects rows that set a field to two values', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv(
        'email,labels,amount,note',
        'john.doe@example.com,VIP,1,',
        'JOHN.DOE@example.com,VIP:Gold,,hi',
        'john.doe@example.com,VIP,1,',
        'jane.smith@example.com,,1,',
        'jane.smith@example.com,Gold,1.0,',
        'bob.wilson@example.com,VIP,1,',
        'bob.wilson@example.com,Gold,2,',
      ),
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ updated: 4, duplicates: 1, invalid: 2 });
    expect(report.warnings).toContainEqual(expect.objectContaining({ line: 4, reason: 'duplicate_row' }));
    expect(await labelsOf('john.doe@example.com')).toEqual(['Gold', 'VIP']);
    expect(await fieldsOf('john.doe@example.com')).toEqual({ amount: '1', note: 'hi' });
    const rows = await rowsOf(report);
    expect(rows[1]!.changes).toEqual({ labels: [['VIP'], ['Gold', 'VIP']], note: [null, 'hi'] });
    expect(await labelsOf('jane.smith@example.com')).toEqual(['Gold']);
    expect(reasonAt(report, 7)).toBe('conflicting_rows');
    expect(report.invalid[0]).toMatchObject({ line: 7, column: 'amount' });
    expect(reasonAt(report, 8)).toBe('conflicting_rows');
    expect(await labelsOf('bob.wilson@example.com')).toEqual([]);
  });

  it('with --labels replace, rejects rows of one contact that name different label sets', async () => {
    const report = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      csv(
        'email,labels,labels_id',
        'john.doe@example.com,VIP,',
        'john.doe@example.com,,vip',
        'jane.smith@example.com,VIP,',
        'jane.smith@example.com,Gold,',
      ),
      { labels: 'replace' },
    );
    expectCountsAddUp(report);
    expect(report.counts).toMatchObject({ updated: 1, duplicates: 1, invalid: 2 });
    expect(report.invalid.map((i) => [i.line, i.reason, i.column])).toEqual([
      [4, 'conflicting_rows', 'labels'],
      [5, 'conflicting_rows', 'labels'],
    ]);
    expect(await labelsOf('john.doe@example.com')).toEqual(['VIP']);
    expect(await labelsOf('jane.smith@example.com')).toEqual([]);
  });

  it('computes the same outcomes and changes in a dry run as in the real run, over batches of one row', async () => {
    await importCsv(t.conn.db, ws, 'contacts', csv('email,labels,amount', 'john.doe@example.com,VIP,5'));
    const file = csv(
      'email,first_name,labels,amount,birthday',
      'new@example.com,New,VIP,,',
      'john.doe@example.com,,Gold,5,',
      'new@example.com,,Gold,7,',
      'new@example.com,,VIP:Gold,,2000-01-01',
      'john.doe@example.com,,VIP,,',
      'new@example.com,New,VIP,,',
    );
    const dry = await importCsv(t.conn.db, ws, 'contacts', file, { dryRun: true, batchSize: 1 });
    expect(await contactId('new@example.com')).toBeUndefined();
    const real = await importCsv(t.conn.db, ws, 'contacts', file, { batchSize: 1 });
    expectCountsAddUp(real);
    expect(dry.counts).toEqual(real.counts);
    const dryRows = await rowsOf(dry);
    expect(dryRows).toEqual(await rowsOf(real));
    expect(real.counts).toMatchObject({ created: 1, updated: 3, unchanged: 1, duplicates: 1 });
    expect(dryRows[2]!.changes).toEqual({ labels: [['VIP'], ['Gold', 'VIP']], amount: [null, '7'] });
    expect(dryRows[3]!.changes).toEqual({ birthday: [null, '2000-01-01'] });
    expect(await labelsOf('new@example.com')).toEqual(['Gold', 'VIP']);
    expect(await fieldsOf('new@example.com')).toEqual({ amount: '7', birthday: '2000-01-01' });
    expect(await labelsOf('john.doe@example.com')).toEqual(['Gold', 'VIP']);
  });

  it('computes the same outcomes in a dry run as in the real run when replacing labels over batches', async () => {
    await importCsv(t.conn.db, ws, 'contacts', csv('email,labels', 'john.doe@example.com,VIP:Gold'));
    const file = csv(
      'email,first_name,last_name,labels,labels_id',
      'new@example.com,New,,VIP,',
      'john.doe@example.com,,,Partner,',
      'new@example.com,,Newer,,vip',
      'john.doe@example.com,,,,partner',
      'john.doe@example.com,Jo,,,',
    );
    const dry = await importCsv(t.conn.db, ws, 'contacts', file, {
      dryRun: true,
      batchSize: 1,
      labels: 'replace',
    });
    const real = await importCsv(t.conn.db, ws, 'contacts', file, { batchSize: 1, labels: 'replace' });
    expectCountsAddUp(real);
    expect(dry.counts).toEqual(real.counts);
    expect(await rowsOf(dry)).toEqual(await rowsOf(real));
    expect(real.counts).toMatchObject({ created: 1, updated: 3, duplicates: 1 });
    expect(await labelsOf('john.doe@example.com')).toEqual(['Partner']);
    expect(await labelsOf('new@example.com')).toEqual(['VIP']);
  });
});
