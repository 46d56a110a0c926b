import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { addField } from '../../src/domain/fields.js';
import { buildWorld } from '../support/factories.js';
import { foreignExports } from '../support/foreign-exports.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const FOREIGN = 'Mail,Vorname,Notes\nmapped.one@example.com,Erika,call back\n';

describe('column mappings over HTTP', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
    server = await startServer(t.env);
    api = new Api(server.url, await tokenFor(t.conn.db, ws.id));
  });
  afterAll(async () => {
    await server?.stop();
    await t?.cleanup();
  });

  const contact = (email: string) =>
    t.conn.db
      .selectFrom('contacts')
      .select(['email', 'first_name'])
      .where('workspace_id', '=', ws.id)
      .where('email', '=', email)
      .executeTakeFirst();

  it('saves, lists, reads and deletes a mapping by name', async () => {
    const saved = await api.post('/api/mappings', {
      name: 'German CRM',
      kind: 'contacts',
      columns: { Mail: 'email', Vorname: 'first_name', Notes: null },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ name: 'German CRM', kind: 'contacts' });
    expect(
      (await api.get('/api/mappings?kind=contacts')).json.items.map((m: { name: string }) => m.name),
    ).toEqual(['German CRM']);
    expect((await api.get('/api/mappings?kind=users')).json.items).toEqual([]);
    const read = await api.get(`/api/mappings/${encodeURIComponent('German CRM')}`);
    expect(read.json.columns).toEqual({ Mail: 'email', Vorname: 'first_name', Notes: null });

    const gone = await api.delete(`/api/mappings/${encodeURIComponent('German CRM')}`);
    expect(gone.status).toBe(204);
    expect((await api.get(`/api/mappings/${encodeURIComponent('German CRM')}`)).status).toBe(404);
  });

  it('refuses a mapping to a column the kind lacks, listing the valid ones', async () => {
    const res = await api.post('/api/mappings', {
      name: 'bad',
      kind: 'contacts',
      columns: { Mail: 'e_mail' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('"e_mail" (for "Mail") is not a column of contacts');
    expect(res.json.error.message).toContain('first_name');
    expect((await api.get('/api/mappings/bad')).status).toBe(404);
  });

  it('imports an upload through a saved mapping named in the form, records it, and remembers the choices', async () => {
    await api.post('/api/mappings', {
      name: 'crm',
      kind: 'contacts',
      columns: { Mail: 'email', Vorname: 'first_name', Notes: null },
    });
    const run = await api.waitFor((await api.upload('contacts', FOREIGN, { mappingName: 'crm' })).json.id);
    expect(run.status).toBe('completed');
    expect(run.report.options).toMatchObject({ mappingName: 'crm', mapping: { Mail: 'email' } });
    expect(run.report.mapping).toEqual({
      columns: { Mail: 'email', Vorname: 'first_name' },
      leftOut: ['Notes'],
    });
    expect(await contact('mapped.one@example.com')).toEqual({
      email: 'mapped.one@example.com',
      first_name: 'Erika',
    });
    const choices = await api.post('/api/kinds/contacts/header-choices', {
      headers: ['Mail', 'Vorname', 'Notes', 'Never seen'],
    });
    expect(choices.json.choices).toEqual({ Mail: 'email', Vorname: 'first_name', Notes: null });
  });

  it('takes a mapping as JSON in the upload form, on top of a saved one', async () => {
    const file = 'Mail,Vorname,Notes\nmapped.two@example.com,Max,x\n';
    const fields = { mappingName: 'crm', mapping: JSON.stringify({ Vorname: null }), dryRun: 'true' };
    const run = await api.waitFor((await api.upload('contacts', file, fields)).json.id);
    expect(run.status).toBe('completed');
    expect(run.report.mapping).toEqual({ columns: { Mail: 'email' }, leftOut: ['Vorname', 'Notes'] });
    // A dry run remembers nothing and changes nothing.
    expect(await contact('mapped.two@example.com')).toBeUndefined();
  });

  it('answers 400 for a form mapping that is not a JSON object or names no saved mapping', async () => {
    const notJson = await api.upload('contacts', FOREIGN, { mapping: '{Mail: email' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/^mapping: /);
    const unknown = await api.upload('contacts', FOREIGN, { mappingName: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain('"nope"');
  });

  it('proposes a column for each header cell of a Google export, with its first values, and changes nothing', async () => {
    await addField(t.conn.db, ws.id, { variable: 'nickname', type: 'text' }, []);
    const runsBefore = (await t.conn.db.selectFrom('import_runs').select('id').execute()).length;
    const google = foreignExports().find((f) => f.family.startsWith('Google Contacts (current'))!;
    const form = new FormData();
    form.set('kind', 'contacts');
    form.set('file', new Blob([google.file]), 'google.csv');
    const res = await api.post('/api/mappings/propose', form);
    expect(res.status, res.text).toBe(200);
    const byName = Object.fromEntries(
      (res.json.columns as { name: string }[]).map((c) => [c.name, c]),
    ) as unknown as Record<
      string,
      { target: string | null; why: string | null; samples: string[]; note?: string }
    >;
    expect(res.json).toMatchObject({ format: 'csv', headerLine: 1, exact: false });
    expect(byName['E-mail 1 - Value']).toMatchObject({
      target: 'email',
      why: 'alias',
      samples: ['ada@example.com', 'grace@example.org'],
    });
    expect(byName['First Name']).toMatchObject({ target: 'first_name', why: 'alias' });
    expect(byName['E-mail 2 - Value']).toMatchObject({ target: null, why: null });
    // Google's Labels are its groups, not Roster labels: never proposed as labels.
    expect(byName['Labels']!.target).toBeNull();
    expect(byName['Labels']!.note).toContain('Google Contacts');
    // A custom field is a target like the kind's own columns.
    expect(byName['Nickname']).toMatchObject({ target: 'nickname', why: 'alias' });
    expect(res.json.targets).toContainEqual({ name: 'nickname', required: false, custom: true });
    expect(res.json.targets).toContainEqual({ name: 'email', required: true, custom: false });
    const runs = await t.conn.db.selectFrom('import_runs').select('id').execute();
    expect(runs.length).toBe(runsBefore);
  });

  it('proposes what this workspace chose last for a header, and says a header needing no mapping is exact', async () => {
    const propose = async (csv: string) => {
      const form = new FormData();
      form.set('kind', 'contacts');
      form.set('file', new Blob([csv]), 'f.csv');
      const res = await api.post('/api/mappings/propose', form);
      expect(res.status, res.text).toBe(200);
      return res.json;
    };
    // "Mail" and "Vorname" were chosen by the applied run of an earlier test; "Notes" was left out.
    const again = await propose('Mail,Vorname,Notes\nx@example.com,X,y\n');
    expect(again.columns).toEqual([
      { name: 'Mail', target: 'email', why: 'remembered', samples: ['x@example.com'] },
      { name: 'Vorname', target: 'first_name', why: 'remembered', samples: ['X'] },
      { name: 'Notes', target: null, why: 'remembered', samples: ['y'] },
    ]);
    expect((await propose('email,first_name,_note\nx@example.com,X,y\n')).exact).toBe(true);
  });
});
