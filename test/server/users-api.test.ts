import { describe, expect, it } from 'vitest';
import { addUser } from '../../src/domain/users.js';
import { idOf, useApiWorld } from '../support/api-world.js';
import { Api } from '../support/server.js';

describe('users over HTTP', () => {
  const w = useApiWorld();

  it('creates a user and never shows a password or its hash', async () => {
    const res = await w.api.post('/api/users', {
      email: 'Ada@Example.com',
      password: 'secret-1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      role: 'admin',
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      email: 'Ada@Example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      role: 'admin',
      active: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await w.t.conn.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', res.json.id)
      .executeTakeFirst();
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    for (const route of ['/api/users', `/api/users/${res.json.id}`, '/api/users?q=lovelace']) {
      const read = await w.api.get(route);
      expect(read.status, route).toBe(200);
      expect(read.text, route).not.toMatch(/argon2|secret-1|password|hash/i);
    }
    expect((await w.api.get('/api/users?q=ADA%20LOVE')).json.total).toBe(1);
  });

  it('refuses a short password, a bad role and a taken email', async () => {
    const short = await w.api.post('/api/users', { email: 'bo@example.com', password: 'abc' });
    expect(short.status).toBe(400);
    expect(short.json.error.message).toBe('The password is shorter than 6 characters.');
    expect(
      (await w.api.post('/api/users', { email: 'bo@example.com', password: 'secret-2', role: 'root' }))
        .status,
    ).toBe(400);
    const taken = await w.api.post('/api/users', { email: 'ADA@example.com', password: 'secret-2' });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('already_exists');
  });

  it('deactivates and reactivates a user, sets a password, and ends sessions on the way', async () => {
    const db = w.t.conn.db;
    await addUser(db, w.ws.id, { email: 'bea@example.com', password: 'bea-secret-1' });
    const bea = await idOf(w, 'users', 'email', 'bea@example.com');
    const browser = new Api(w.server.url);
    expect((await browser.signIn('bea@example.com', 'bea-secret-1')).status).toBe(200);

    const off = await w.api.patch(`/api/users/${bea}`, { active: false });
    expect(off.json).toMatchObject({ active: false });
    expect(await db.selectFrom('sessions').select('user_id').where('user_id', '=', bea).execute()).toEqual(
      [],
    );
    expect((await browser.get('/api/workspace')).status).toBe(401);
    expect((await new Api(w.server.url).signIn('bea@example.com', 'bea-secret-1')).status).toBe(401);

    const on = await w.api.patch(`/api/users/${bea}`, {
      active: true,
      password: 'bea-secret-2',
      role: 'admin',
    });
    expect(on.json).toMatchObject({ active: true, role: 'admin' });
    expect(on.text).not.toMatch(/bea-secret|argon2/);
    expect((await new Api(w.server.url).signIn('bea@example.com', 'bea-secret-1')).status).toBe(401);
    expect((await browser.signIn('bea@example.com', 'bea-secret-2')).status).toBe(200);

    // Signed in, Bea can change her own password and stay signed in, but not delete herself.
    expect((await browser.patch(`/api/users/${bea}`, { password: 'bea-secret-3' })).status).toBe(200);
    expect((await browser.get('/api/workspace')).status).toBe(200);
    const self = await browser.delete(`/api/users/${bea}`);
    expect(self.status).toBe(409);
    expect(self.json.error.code).toBe('invalid_state');
  });

  it('deletes a user, whose sessions end with them', async () => {
    const db = w.t.conn.db;
    await addUser(db, w.ws.id, { email: 'cy@example.com', password: 'cy-secret-1' });
    const cy = await idOf(w, 'users', 'email', 'cy@example.com');
    const browser = new Api(w.server.url);
    expect((await browser.signIn('cy@example.com', 'cy-secret-1')).status).toBe(200);
    expect(
      await db.selectFrom('sessions').select('user_id').where('user_id', '=', cy).execute(),
    ).toHaveLength(1);

    expect((await w.api.delete(`/api/users/${cy}`)).status).toBe(204);
    expect(await db.selectFrom('sessions').select('user_id').where('user_id', '=', cy).execute()).toEqual([]);
    expect((await browser.get('/api/workspace')).status).toBe(401);
    expect((await w.api.get(`/api/users/${cy}`)).status).toBe(404);
  });
});
