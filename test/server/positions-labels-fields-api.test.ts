import { describe, expect, it } from 'vitest';
import { idOf, useApiWorld } from '../support/api-world.js';

describe('positions, labels and custom fields over HTTP', () => {
  const w = useApiWorld();

  it('lists and searches positions with how many persons hold each', async () => {
    const all = await w.api.get('/api/positions');
    expect(all.json.items.map((p: { name: string; uses: number }) => [p.name, p.uses])).toEqual([
      ['Account Manager', 0],
      ['CEO', 0],
      ['Finance Director', 1],
      ['Operations Manager', 0],
    ]);
    const managers = await w.api.get('/api/positions?q=MANAGER&limit=1');
    expect(managers.json).toMatchObject({ total: 2, items: [{ name: 'Account Manager' }] });
  });

  it('creates, renames and deletes a position, and refuses one in use with its count', async () => {
    const created = await w.api.post('/api/positions', { name: 'Sales Lead' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Sales Lead', uses: 0 });
    expect((await w.api.post('/api/positions', { name: 'Sales Lead' })).json.error).toEqual({
      code: 'already_exists',
      message: 'Position "Sales Lead" already exists.',
    });
    // Names are case-sensitive: another casing is another position.
    expect((await w.api.post('/api/positions', { name: 'sales lead' })).status).toBe(201);
    const renamed = await w.api.patch(`/api/positions/${created.json.id}`, { name: 'Head of Sales' });
    expect(renamed.json).toMatchObject({ id: created.json.id, name: 'Head of Sales' });
    expect((await w.api.delete(`/api/positions/${created.json.id}`)).status).toBe(204);
    expect((await w.api.get(`/api/positions/${created.json.id}`)).status).toBe(404);

    const director = await idOf(w, 'positions', 'name', 'Finance Director');
    const inUse = await w.api.delete(`/api/positions/${director}`);
    expect(inUse.status).toBe(409);
    expect(inUse.json.error).toMatchObject({
      code: 'in_use',
      message: 'Position "Finance Director" is held by 1 person.',
    });
    const ceo = await idOf(w, 'positions', 'name', 'CEO');
    for (const email of ['john.doe@example.com', 'bob.wilson@example.com']) {
      const contact = await idOf(w, 'contacts', 'email', email);
      const cust1 = await idOf(w, 'customers', 'ref', 'CUST001');
      await w.api.request('PUT', `/api/contacts/${contact}/customers/${cust1}`, { position: 'CEO' });
    }
    expect((await w.api.delete(`/api/positions/${ceo}`)).json.error.message).toBe(
      'Position "CEO" is held by 2 persons.',
    );
    expect((await w.api.get(`/api/positions/${ceo}`)).json.uses).toBe(2);
  });

  it('creates labels with a given or generated labelId, renames them, and refuses deleting one in use', async () => {
    const vip = await w.api.post('/api/labels', { name: 'VIP', labelId: 'vip' });
    expect(vip.status).toBe(201);
    expect(vip.json).toMatchObject({ labelId: 'vip', name: 'VIP', uses: 0 });
    const gold = await w.api.post('/api/labels', { name: 'Gold' });
    expect(gold.json.labelId).toMatch(/^[0-9a-f]{8}$/);
    expect((await w.api.post('/api/labels', { name: 'VIP' })).status).toBe(409);
    const badId = await w.api.post('/api/labels', { name: 'Silver', labelId: 'no spaces' });
    expect(badId.status).toBe(400);
    expect(badId.json.error.message).toBe('"no spaces" is not a valid label id.');
    const colon = await w.api.post('/api/labels', { name: 'a:b' });
    expect(colon.json.error.message).toMatch(/cannot contain ":"/);

    const renamed = await w.api.patch(`/api/labels/${gold.json.id}`, { name: 'Golden' });
    expect(renamed.json).toMatchObject({ name: 'Golden', labelId: gold.json.labelId });
    expect((await w.api.get('/api/labels?q=gold')).json.items.map((l: { name: string }) => l.name)).toEqual([
      'Golden',
    ]);

    const jane = await idOf(w, 'contacts', 'email', 'jane.smith@example.com');
    await w.api.patch(`/api/contacts/${jane}`, { labels: ['VIP'] });
    const inUse = await w.api.delete(`/api/labels/${vip.json.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.json.error).toMatchObject({ code: 'in_use', message: 'Label "VIP" is on 1 contact.' });
    expect((await w.api.delete(`/api/labels/${gold.json.id}`)).status).toBe(204);
    expect(
      await w.t.conn.db.selectFrom('labels').select('name').where('workspace_id', '=', w.ws.id).execute(),
    ).toEqual([{ name: 'VIP' }]);
  });

  it('creates, changes and deletes custom fields, checking variable and type', async () => {
    const created = await w.api.post('/api/fields', {
      variable: 'birthday',
      type: 'date',
      label: 'Birthday',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ variable: 'birthday', type: 'date', label: 'Birthday', uses: 0 });
    expect((await w.api.post('/api/fields', { variable: 'birthday', type: 'text' })).status).toBe(409);
    const bad = await w.api.post('/api/fields', { variable: 'Birthday', type: 'date' });
    expect(bad.json.error).toMatchObject({
      code: 'invalid_request',
      message: '"Birthday" is not a valid variable.',
    });
    const reserved = await w.api.post('/api/fields', { variable: 'email', type: 'text' });
    expect(reserved.json.error.message).toBe('"email" is already a column of the contacts import.');
    expect((await w.api.post('/api/fields', { variable: 'x', type: 'money' })).status).toBe(400);

    expect((await w.api.get('/api/fields?q=BIRTH')).json.total).toBe(1);
    const retyped = await w.api.patch(`/api/fields/${created.json.id}`, {
      type: 'text',
      variable: 'born_on',
    });
    expect(retyped.json).toMatchObject({ variable: 'born_on', type: 'text', label: 'Birthday' });

    const alice = await idOf(w, 'contacts', 'email', 'alice.brown@example.com');
    expect((await w.api.patch(`/api/contacts/${alice}`, { fields: { born_on: 'spring' } })).status).toBe(200);
    const typeInUse = await w.api.patch(`/api/fields/${created.json.id}`, { type: 'date' });
    expect(typeInUse.status).toBe(409);
    const inUse = await w.api.delete(`/api/fields/${created.json.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.json.error.message).toBe('Field "born_on" holds values for 1 contact.');

    await w.api.patch(`/api/contacts/${alice}`, { fields: { born_on: null } });
    expect((await w.api.delete(`/api/fields/${created.json.id}`)).status).toBe(204);
    expect(
      await w.t.conn.db
        .selectFrom('custom_fields')
        .select('id')
        .where('workspace_id', '=', w.ws.id)
        .execute(),
    ).toEqual([]);
  });
});
