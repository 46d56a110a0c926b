import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addUser } from '../../src/domain/users.js';
import { exportCsv } from '../../src/exports/export-csv.js';
import { Api } from '../support/server.js';
import { idOf, useApiWorld } from '../support/api-world.js';

/** What `roster export KIND` writes, as text. */
async function exported(w: ReturnType<typeof useApiWorld>, kind: 'customers' | 'contacts' | 'persons') {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  await exportCsv(w.t.conn.db, w.ws.id, kind, out);
  return text;
}

describe('what the web UI’s data pages read over HTTP', () => {
  const w = useApiWorld();

  it('sorts customers by name and filters contacts by label', async () => {
    const byName = await w.api.get('/api/customers?sort=name');
    expect(byName.json.items.map((c: { name: string }) => c.name)).toEqual([
      'Globex',
      'Hooli',
      'Initech',
      'Umbrella',
    ]);
    const byRef = await w.api.get('/api/customers');
    expect(byRef.json.items.map((c: { ref: string }) => c.ref)).toEqual([
      'CUST001',
      'CUST002',
      'CUST003',
      'CUST004',
    ]);
    const vip = await w.api.post('/api/labels', { name: 'VIP' });
    const jane = await idOf(w, 'contacts', 'email', 'jane.smith@example.com');
    await w.api.patch(`/api/contacts/${jane}`, { labels: ['VIP'] });
    const tagged = await w.api.get(`/api/contacts?labelId=${vip.json.id}`);
    expect(tagged.json).toMatchObject({ total: 1, items: [{ email: 'jane.smith@example.com' }] });
  });

  it('downloads each export as the CLI writes it', async () => {
    for (const kind of ['customers', 'contacts', 'persons'] as const) {
      const res = await w.api.get(`/api/exports/${kind}.csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="acme-${kind}.csv"`);
      expect(res.text).toBe(await exported(w, kind));
    }
    expect((await w.api.get('/api/exports/users.csv')).status).toBe(400);
  });

  it('shows a contact’s imports and API edits, field by field, newest first', async () => {
    const up = await w.api.upload(
      'contacts',
      'email,first_name,company_id\njohn.doe@example.com,Johnny,CUST002\nnew.one@example.com,New,\n',
    );
    const run = await w.api.waitFor(up.json.id);
    expect(run.status).toBe('completed');
    // A dry run changes nothing, so it is not in any history.
    await w.api.waitFor(
      (await w.api.upload('contacts', 'email,first_name\njohn.doe@example.com,Jo\n', { dryRun: 'true' })).json
        .id,
    );
    const john = await idOf(w, 'contacts', 'email', 'john.doe@example.com');
    await w.api.patch(`/api/contacts/${john}`, { lastName: 'Doe-Smith', firstName: 'Johnny' });
    const cust2 = await idOf(w, 'customers', 'ref', 'CUST002');
    await w.api.request('PUT', `/api/contacts/${john}/customers/${cust2}`, {
      position: 'CEO',
      primary: true,
    });

    const history = await w.api.get(`/api/contacts/${john}/history`);
    expect(history.status).toBe(200);
    expect(history.json.more).toBe(false);
    expect(history.json.items).toMatchObject([
      {
        source: 'edit',
        action: 'updated',
        subject: 'CUST002',
        actor: 'token:test',
        changes: { position_name: [null, 'CEO'], primary: [false, true] },
        run: null,
      },
      { source: 'edit', action: 'updated', changes: { last_name: ['Doe', 'Doe-Smith'] }, run: null },
      {
        source: 'import',
        action: 'updated',
        actor: 'token:test',
        changes: { first_name: ['John', 'Johnny'], company_id: [null, 'CUST002'] },
        run: { id: run.id, kind: 'contacts', status: 'completed', fileName: 'file.csv', line: 2 },
      },
    ]);
    expect(history.json.items).toHaveLength(3);

    const created = await idOf(w, 'contacts', 'email', 'new.one@example.com');
    expect((await w.api.get(`/api/contacts/${created}/history`)).json.items).toMatchObject([
      { action: 'created', changes: { email: [null, 'new.one@example.com'], first_name: [null, 'New'] } },
    ]);

    // The customer sees the link the import made and the position the edit set, with the person's email.
    const customer = await w.api.get(`/api/customers/${cust2}/history`);
    expect(customer.json.items).toMatchObject([
      { source: 'edit', subject: 'john.doe@example.com', changes: { position_name: [null, 'CEO'] } },
      {
        source: 'import',
        action: 'linked',
        subject: 'john.doe@example.com',
        changes: { company_id: [null, 'CUST002'] },
      },
    ]);
    expect(customer.json.items).toHaveLength(2);
    expect((await w.api.get(`/api/contacts/${john}/history`)).json.items).toHaveLength(3);
  });

  it('shows a link kind’s rows in the contact’s and the customer’s history, and no users row', async () => {
    const bob = await idOf(w, 'contacts', 'email', 'bob.wilson@example.com');
    const cust1 = await idOf(w, 'customers', 'ref', 'CUST001');
    const positions = await w.api.upload(
      'positions',
      'customer_ref,email_address,position_name\nCUST001,bob.wilson@example.com,CEO\n',
    );
    expect((await w.api.waitFor(positions.json.id)).status).toBe('completed');
    // A user with the contact's email is another record: its import is in neither history.
    const users = await w.api.upload(
      'users',
      'email,password\nbob.wilson@example.com,correct horse battery\n',
    );
    expect((await w.api.waitFor(users.json.id)).status).toBe('completed');

    const contact = (await w.api.get(`/api/contacts/${bob}/history`)).json.items;
    expect(contact).toMatchObject([
      {
        source: 'import',
        subject: 'CUST001',
        changes: { position_name: [null, 'CEO'] },
        run: { id: positions.json.id, kind: 'positions', line: 2 },
      },
    ]);
    expect(contact).toHaveLength(1);
    const customer = (await w.api.get(`/api/customers/${cust1}/history`)).json.items;
    expect(customer).toMatchObject([
      {
        source: 'import',
        subject: 'bob.wilson@example.com',
        run: { id: positions.json.id, kind: 'positions' },
      },
    ]);
    expect(customer).toHaveLength(1);
  });

  it('keeps a contact’s import history across an email change', async () => {
    const alice = await idOf(w, 'contacts', 'email', 'alice.brown@example.com');
    await w.api.waitFor(
      (await w.api.upload('contacts', 'email,last_name\nalice.brown@example.com,Browne\n')).json.id,
    );
    await w.api.patch(`/api/contacts/${alice}`, { email: 'alice@example.org' });
    const items = (await w.api.get(`/api/contacts/${alice}/history`)).json.items;
    expect(items.map((i: { changes: object }) => Object.keys(i.changes))).toEqual([['email'], ['last_name']]);
  });

  it('lets an admin create, list and revoke API tokens, and refuses a member', async () => {
    const created = await w.api.post('/api/tokens', { name: 'zapier' });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^roster_/);
    const client = new Api(w.server.url, created.json.token);
    expect((await client.get('/api/customers')).status).toBe(200);
    const listed = await w.api.get('/api/tokens');
    expect(listed.json.items.map((t: { name: string }) => t.name)).toEqual(['test', 'zapier']);
    expect(JSON.stringify(listed.json)).not.toContain(created.json.token);
    const revoked = await w.api.delete(`/api/tokens/${created.json.listed.id}`);
    expect(revoked.json.revokedAt).toEqual(expect.any(String));
    expect((await client.get('/api/customers')).status).toBe(401);

    await addUser(w.t.conn.db, w.ws.id, {
      email: 'mo@example.com',
      password: 'member-secret',
      role: 'member',
    });
    const member = new Api(w.server.url);
    await member.signIn('mo@example.com', 'member-secret');
    const refused = await member.get('/api/tokens');
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    expect((await member.post('/api/tokens', { name: 'mine' })).status).toBe(403);
  });
});
