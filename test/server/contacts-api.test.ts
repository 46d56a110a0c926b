import { beforeAll, describe, expect, it } from 'vitest';
import { addField } from '../../src/domain/fields.js';
import { addLabel } from '../../src/domain/labels.js';
import { dataVersion } from '../../src/domain/workspaces.js';
import { idOf, useApiWorld } from '../support/api-world.js';
import { backend } from '../support/test-db.js';

describe('contacts over HTTP', () => {
  const w = useApiWorld();
  let cust1: number;
  let cust2: number;

  beforeAll(async () => {
    const db = w.t.conn.db;
    await addLabel(db, w.ws.id, 'VIP', 'vip');
    await addLabel(db, w.ws.id, 'Gold', 'gold');
    await addField(db, w.ws.id, { variable: 'amount', type: 'number' }, []);
    await addField(db, w.ws.id, { variable: 'since', type: 'date' }, []);
    await addField(db, w.ws.id, { variable: 'newsletter', type: 'boolean' }, []);
    await addField(db, w.ws.id, { variable: 'note', type: 'text' }, []);
    cust1 = await idOf(w, 'customers', 'ref', 'CUST001');
    cust2 = await idOf(w, 'customers', 'ref', 'CUST002');
  });

  it('lists contacts by email, a page at a time, searched by email or name, or by customer', async () => {
    const emails = (res: { json: { items: { email: string }[] } }) => res.json.items.map((c) => c.email);
    const page = await w.api.get('/api/contacts?limit=2&offset=2');
    expect(page.json).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(emails(page)).toEqual(['jane.smith@example.com', 'john.doe@example.com']);
    expect(emails(await w.api.get('/api/contacts?q=JOHN.DOE'))).toEqual(['john.doe@example.com']);
    expect(emails(await w.api.get('/api/contacts?q=jane%20smith'))).toEqual(['jane.smith@example.com']);
    expect(emails(await w.api.get('/api/contacts?q=WILSON'))).toEqual(['bob.wilson@example.com']);
    expect(emails(await w.api.get(`/api/contacts?customerId=${cust1}`))).toEqual([
      'bob.wilson@example.com',
      'john.doe@example.com',
    ]);
    expect((await w.api.get(`/api/contacts?customerId=${cust1}&q=bob`)).json.total).toBe(1);
  });

  it('creates a contact with labels and field values checked and stored as the import stores them', async () => {
    const res = await w.api.post('/api/contacts', {
      email: 'Zoe.Quinn@Example.com',
      firstName: 'Zoë',
      lastName: 'Quinn',
      labels: ['VIP', 'Gold', 'VIP'],
      fields: { amount: '007.50', since: '2024-02-29', newsletter: 'TRUE', note: 12 },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      email: 'Zoe.Quinn@Example.com',
      firstName: 'Zoë',
      lastName: 'Quinn',
      customers: [],
      labels: [
        { labelId: 'gold', name: 'Gold' },
        { labelId: 'vip', name: 'VIP' },
      ],
      fields: { amount: '7.5', newsletter: 'true', note: '12', since: '2024-02-29' },
    });
    const row = await w.t.conn.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', res.json.id)
      .executeTakeFirst();
    expect(row).toMatchObject({ email: 'Zoe.Quinn@Example.com', email_ci: 'zoe.quinn@example.com' });
    expect((await w.api.get('/api/contacts?q=ZOE.QUINN')).json.total).toBe(1);
    // Names fold beyond ASCII on SQLite; PostgreSQL folds as its locale does (the test cluster's is C).
    if (backend === 'sqlite') expect((await w.api.get('/api/contacts?q=ZO%C3%8B')).json.total).toBe(1);
  });

  it('links a contact to customers with a position and primary flag, and unlinks it', async () => {
    const zoe = await idOf(w, 'contacts', 'email', 'Zoe.Quinn@Example.com');
    const v0 = await dataVersion(w.t.conn.db, w.ws.id);
    const linked = await w.api.request('PUT', `/api/contacts/${zoe}/customers/${cust2}`, {
      position: 'CEO',
      primary: true,
    });
    expect(linked.status).toBe(200);
    expect(linked.json.customers).toEqual([
      { customerId: cust2, ref: 'CUST002', name: 'Initech', position: 'CEO', primary: true },
    ]);
    await w.api.request('PUT', `/api/contacts/${zoe}/customers/${cust1}`, {});
    const changed = await w.api.request('PUT', `/api/contacts/${zoe}/customers/${cust2}`, { primary: false });
    expect(changed.json.customers).toEqual([
      { customerId: cust1, ref: 'CUST001', name: 'Globex', position: null, primary: false },
      { customerId: cust2, ref: 'CUST002', name: 'Initech', position: 'CEO', primary: false },
    ]);
    const cleared = await w.api.request('PUT', `/api/contacts/${zoe}/customers/${cust2}`, { position: null });
    expect(cleared.json.customers[1]).toMatchObject({ position: null });

    const typo = await w.api.request('PUT', `/api/contacts/${zoe}/customers/${cust2}`, { position: 'ceo' });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toEqual({
      code: 'invalid_request',
      message: 'No position named "ceo".',
      hint: 'Did you mean "CEO"?',
    });

    expect((await w.api.delete(`/api/contacts/${zoe}/customers/${cust1}`)).status).toBe(204);
    expect((await w.api.delete(`/api/contacts/${zoe}/customers/${cust1}`)).status).toBe(404);
    // Five changes bumped the data version, each once; the two refused requests did not.
    expect(await dataVersion(w.t.conn.db, w.ws.id)).toBe(v0 + 5);
    const links = await w.t.conn.db
      .selectFrom('customer_contacts')
      .select(['customer_id', 'position_id', 'is_primary'])
      .where('contact_id', '=', zoe)
      .execute();
    expect(links).toEqual([{ customer_id: cust2, position_id: null, is_primary: 0 }]);
  });

  it('replaces labels and sets only the fields a change names', async () => {
    const zoe = await idOf(w, 'contacts', 'email', 'Zoe.Quinn@Example.com');
    const res = await w.api.patch(`/api/contacts/${zoe}`, {
      lastName: null,
      labels: ['Gold'],
      fields: { amount: -0, note: '  ' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      firstName: 'Zoë',
      lastName: null,
      labels: [{ name: 'Gold' }],
      fields: { amount: '0', newsletter: 'true', since: '2024-02-29' },
    });
    expect(res.json.fields).not.toHaveProperty('note');
    const values = await w.t.conn.db
      .selectFrom('contact_field_values')
      .select('value')
      .where('contact_id', '=', zoe)
      .orderBy('value')
      .execute();
    expect(values.map((v) => v.value)).toEqual(['0', '2024-02-29', 'true']);
    expect((await w.api.patch(`/api/contacts/${zoe}`, { labels: [] })).json.labels).toEqual([]);
  });

  it('refuses invalid values, unknown labels and fields with 400, changing nothing', async () => {
    const john = await idOf(w, 'contacts', 'email', 'john.doe@example.com');
    const before = (await w.api.get(`/api/contacts/${john}`)).json;
    const bad = await w.api.patch(`/api/contacts/${john}`, {
      firstName: 'Johnny',
      fields: { amount: '1,5', since: '2023-02-29' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_request');
    expect(bad.json.error.message).toBe(
      '"1,5" in amount is not a number. "2023-02-29" in since is not a date.',
    );
    expect(bad.json.error.hint).toMatch(/plain decimal/);

    const label = await w.api.patch(`/api/contacts/${john}`, { labels: ['vip'] });
    expect(label.json.error).toEqual({
      code: 'invalid_request',
      message: 'No label named "vip".',
      hint: 'Did you mean "VIP"?',
    });
    const field = await w.api.patch(`/api/contacts/${john}`, { fields: { amout: '1' } });
    expect(field.json.error).toMatchObject({
      message: 'No custom field "amout".',
      hint: 'Did you mean "amount"?',
    });
    expect((await w.api.get(`/api/contacts/${john}`)).json).toEqual(before);
  });

  it('checks emails, and keeps them unique in any case', async () => {
    const invalid = await w.api.post('/api/contacts', { email: 'not-an-email' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.message).toBe('"not-an-email" in email is not an email address.');
    const taken = await w.api.post('/api/contacts', { email: 'JOHN.DOE@example.com' });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toEqual({
      code: 'already_exists',
      message: 'A contact with email "john.doe@example.com" exists.',
    });
    const jane = await idOf(w, 'contacts', 'email', 'jane.smith@example.com');
    expect((await w.api.patch(`/api/contacts/${jane}`, { email: 'John.Doe@example.com' })).status).toBe(409);
    // A contact may change the casing of its own email.
    const recased = await w.api.patch(`/api/contacts/${jane}`, { email: 'Jane.Smith@example.com' });
    expect(recased.json.email).toBe('Jane.Smith@example.com');
  });

  it('deletes a contact with its links, labels and values', async () => {
    const db = w.t.conn.db;
    const made = await w.api.post('/api/contacts', {
      email: 'gone@example.com',
      labels: ['VIP'],
      fields: { note: 'x' },
    });
    await w.api.request('PUT', `/api/contacts/${made.json.id}/customers/${cust1}`, { primary: true });
    expect((await w.api.delete(`/api/contacts/${made.json.id}`)).status).toBe(204);
    expect((await w.api.get(`/api/contacts/${made.json.id}`)).status).toBe(404);
    for (const table of ['customer_contacts', 'contact_labels', 'contact_field_values'] as const) {
      const rows = await db
        .selectFrom(table)
        .select('contact_id')
        .where('contact_id', '=', made.json.id)
        .execute();
      expect(rows, table).toEqual([]);
    }
    expect((await w.api.get(`/api/customers/${cust1}`)).json.contacts).toBe(2);
  });
});
