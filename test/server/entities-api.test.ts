import { describe, expect, it } from 'vitest';
import { addField } from '../../src/domain/fields.js';
import { addLabel } from '../../src/domain/labels.js';
import { addUser } from '../../src/domain/users.js';
import { dataVersion } from '../../src/domain/workspaces.js';
import { idOf, useApiWorld } from '../support/api-world.js';

const refs = (res: { json: { items: { ref: string }[] } }) => res.json.items.map((c) => c.ref);

describe('customers over HTTP', () => {
  const w = useApiWorld();

  it('lists customers a page at a time, by ref, with the total and their contact counts', async () => {
    const page = await w.api.get('/api/customers?limit=2&offset=1');
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(refs(page)).toEqual(['CUST002', 'CUST003']);
    const first = await w.api.get('/api/customers?limit=1');
    expect(first.json.items).toEqual([
      {
        id: expect.any(Number),
        ref: 'CUST001',
        name: 'Globex',
        erpId: 'E-1',
        contacts: 2,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect((await w.api.get('/api/customers')).json).toMatchObject({ total: 4, limit: 50, offset: 0 });
  });

  it('searches customers by a part of the ref, name or erp_id, in any case', async () => {
    expect(refs(await w.api.get('/api/customers?q=GLOB'))).toEqual(['CUST001']);
    expect(refs(await w.api.get('/api/customers?q=e-4'))).toEqual(['CUST004']);
    expect((await w.api.get('/api/customers?q=cust00&limit=3')).json).toMatchObject({ total: 4 });
    // LIKE wildcards in the search text are plain characters.
    expect((await w.api.get('/api/customers?q=%25')).json.total).toBe(0);
    expect((await w.api.get('/api/customers?q=C_ST')).json.total).toBe(0);
  });

  it('creates, changes and deletes a customer, bumping the data version each time', async () => {
    const db = w.t.conn.db;
    const v0 = await dataVersion(db, w.ws.id);
    const created = await w.api.post('/api/customers', { ref: ' CUST005 ', name: 'Wayne', erpId: 'E-5' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ ref: 'CUST005', name: 'Wayne', erpId: 'E-5', contacts: 0 });
    expect(created.headers.get('location')).toBe(`/api/customers/${created.json.id}`);
    expect(await dataVersion(db, w.ws.id)).toBe(v0 + 1);

    const changed = await w.api.patch(`/api/customers/${created.json.id}`, {
      name: 'Wayne Ltd',
      erpId: null,
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ ref: 'CUST005', name: 'Wayne Ltd', erpId: null });
    const row = await db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', created.json.id)
      .executeTakeFirst();
    expect(row).toMatchObject({ name: 'Wayne Ltd', name_ci: 'wayne ltd', erp_id: null, erp_id_ci: null });
    expect(await dataVersion(db, w.ws.id)).toBe(v0 + 2);

    expect((await w.api.delete(`/api/customers/${created.json.id}`)).status).toBe(204);
    expect((await w.api.get(`/api/customers/${created.json.id}`)).status).toBe(404);
    expect(await db.selectFrom('customers').select('id').where('ref', '=', 'CUST005').execute()).toEqual([]);
    expect(await dataVersion(db, w.ws.id)).toBe(v0 + 3);
  });

  it('deletes a customer with its links to contacts, keeping the contacts', async () => {
    const db = w.t.conn.db;
    const customer = (await w.api.post('/api/customers', { ref: 'CUST006', name: 'Stark' })).json;
    const john = await idOf(w, 'contacts', 'email', 'john.doe@example.com');
    expect((await w.api.request('PUT', `/api/contacts/${john}/customers/${customer.id}`, {})).status).toBe(
      200,
    );
    expect((await w.api.get(`/api/customers/${customer.id}`)).json.contacts).toBe(1);

    expect((await w.api.delete(`/api/customers/${customer.id}`)).status).toBe(204);
    const links = await db
      .selectFrom('customer_contacts')
      .select('id')
      .where('customer_id', '=', customer.id)
      .execute();
    expect(links).toEqual([]);
    expect(
      (await w.api.get(`/api/contacts/${john}`)).json.customers.map((c: { ref: string }) => c.ref),
    ).toEqual(['CUST001']);
  });

  it('refuses a taken ref or erp_id with 409, naming it', async () => {
    const dup = await w.api.post('/api/customers', { ref: 'CUST001', name: 'Again' });
    expect(dup.status).toBe(409);
    expect(dup.json.error).toEqual({
      code: 'already_exists',
      message: 'A customer with ref "CUST001" already exists.',
    });
    const cust2 = await idOf(w, 'customers', 'ref', 'CUST002');
    const erp = await w.api.patch(`/api/customers/${cust2}`, { erpId: 'E-1' });
    expect(erp.status).toBe(409);
    expect(erp.json.error.message).toBe('A customer with erp_id "E-1" already exists (CUST001).');
    expect((await w.api.get(`/api/customers/${cust2}`)).json.erpId).toBe('E-2');
  });

  it('answers 400 with a readable message for a body or query that does not fit', async () => {
    const missing = await w.api.post('/api/customers', { ref: 'CUST007' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('invalid_request');
    expect(missing.json.error.message).toMatch(/^body\.name: /);
    const blank = await w.api.post('/api/customers', { ref: 'CUST007', name: '   ' });
    expect(blank.json.error.message).toBe('body.name: must not be empty');
    const typo = await w.api.post('/api/customers', { ref: 'CUST007', name: 'X', erp_id: 'E-7' });
    expect(typo.status).toBe(400);
    expect(typo.json.error.message).toMatch(/erp_id/);
    expect((await w.api.get('/api/customers?limit=501')).status).toBe(400);
    expect((await w.api.get('/api/customers/abc')).status).toBe(400);
    expect((await w.api.get('/api/customers/99999999999')).status).toBe(400);
    expect(
      await w.t.conn.db.selectFrom('customers').select('id').where('ref', '=', 'CUST007').execute(),
    ).toEqual([]);
  });
});

describe('workspaces over HTTP', () => {
  const w = useApiWorld();

  it('answers 404 for a record of another workspace exactly as for a missing one, and changes nothing', async () => {
    const db = w.t.conn.db;
    await addUser(db, w.other.id, { email: 'eve@example.com', password: 'eve-secret-1' });
    await addLabel(db, w.other.id, 'Theirs', 'theirs');
    await addField(db, w.other.id, { variable: 'theirs', type: 'text' }, []);
    const theirs = {
      customers: await idOf(w, 'customers', 'ref', 'CUST001', w.other),
      contacts: await idOf(w, 'contacts', 'email', 'john.doe@example.com', w.other),
      positions: await idOf(w, 'positions', 'name', 'Finance Director', w.other),
      users: await idOf(w, 'users', 'email', 'eve@example.com', w.other),
      labels: (
        await db.selectFrom('labels').select('id').where('public_id', '=', 'theirs').executeTakeFirstOrThrow()
      ).id,
      fields: (
        await db
          .selectFrom('custom_fields')
          .select('id')
          .where('variable', '=', 'theirs')
          .executeTakeFirstOrThrow()
      ).id,
    };
    const v0 = await dataVersion(db, w.other.id);
    for (const [entity, id] of Object.entries(theirs)) {
      const missing = await w.api.get(`/api/${entity}/999999`);
      const other = await w.api.get(`/api/${entity}/${id}`);
      expect(missing.status, entity).toBe(404);
      expect(other.status, entity).toBe(404);
      expect(other.json.error.code, entity).toBe('not_found');
      expect(other.json.error.message, entity).toBe(missing.json.error.message.replace('999999', String(id)));
      const change = entity === 'positions' || entity === 'labels' ? { name: 'Mine now' } : {};
      expect((await w.api.patch(`/api/${entity}/${id}`, change)).status, entity).toBe(404);
      expect((await w.api.delete(`/api/${entity}/${id}`)).status, entity).toBe(404);
    }
    const mine = await idOf(w, 'contacts', 'email', 'john.doe@example.com');
    expect(
      (await w.api.request('PUT', `/api/contacts/${mine}/customers/${theirs.customers}`, {})).status,
    ).toBe(404);
    expect((await w.api.request('PUT', `/api/contacts/${theirs.contacts}/customers/1`, {})).status).toBe(404);
    expect(await dataVersion(db, w.other.id)).toBe(v0);
    expect((await w.api.get('/api/customers/' + theirs.customers)).status).toBe(404);
    expect(
      await db.selectFrom('customers').select('id').where('id', '=', theirs.customers).execute(),
    ).toHaveLength(1);
  });

  it('lists only the records of the caller’s workspace', async () => {
    expect((await w.api.get('/api/contacts?q=john')).json.total).toBe(1);
    expect((await w.api.get('/api/customers')).json.total).toBe(4);
    expect((await w.api.get('/api/labels')).json.items).toEqual([]);
    expect((await w.api.get('/api/fields')).json.items).toEqual([]);
    expect((await w.api.get('/api/users')).json.items).toEqual([]);
  });
});
