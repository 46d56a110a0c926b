import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGN_IN_FAILED } from '../../src/domain/sessions.js';
import { buildWorld } from '../support/factories.js';
import { rosterInProcess } from '../support/cli.js';
import { fillPath, operationsOf, sampleJsonBody, type OpenApiDoc } from '../support/openapi.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const ALICE = { email: 'alice@acme.test', password: 'alice-password-1' };
const USERS = `email,first_name,last_name,password,active
${ALICE.email},Alice,Able,${ALICE.password},true
bob@acme.test,Bob,Gone,bob-password-1,false
carol@acme.test,Carol,Cole,carol-password-1,TRUE
dave@acme.test,Dave,Dean,dave-password-1,true
`;
const POSITIONS = 'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n';

/** A client with the same session cookie as `api` but no CSRF token. */
function withoutCsrf(api: Api): Api {
  const bare = new Api(api.url);
  bare.cookie = api.cookie;
  return bare;
}

describe('credentials over HTTP', () => {
  let t: TestDatabase;
  let server: TestServer;
  let token: Api;

  beforeAll(async () => {
    t = await createTestDatabase();
    const ws = await buildWorld(t.conn.db);
    server = await startServer(t.env);
    token = new Api(server.url, await tokenFor(t.conn.db, ws.id));
    const users = await token.waitFor((await token.upload('users', USERS, {}, 'users.csv')).json.id);
    expect(users).toMatchObject({ status: 'completed', counts: { created: 4 } });
  });
  // Failed sign-ins all come from 127.0.0.1 and count per address: each test starts with none.
  beforeEach(async () => {
    await t.conn.db.deleteFrom('sign_in_failures').execute();
    await t.conn.db.deleteFrom('sessions').execute();
  });
  afterAll(async () => {
    await server?.stop();
    await t?.cleanup();
  });

  it('signs in a user of the users import with an HttpOnly SameSite=Strict cookie, and signs out', async () => {
    const api = new Api(server.url);
    const res = await api.signIn(ALICE.email.toUpperCase(), ALICE.password);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      user: { email: ALICE.email, role: 'member' },
      workspace: { slug: 'acme' },
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^roster_session=[\w-]{40,};/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
    // Only a hash of the cookie is kept.
    const sessionId = api.cookie!.split('=')[1]!;
    const stored = await t.conn.db.selectFrom('sessions').selectAll().execute();
    expect(stored.map((s) => s.id_hash)).toEqual([createHash('sha256').update(sessionId).digest('hex')]);

    const session = await api.get('/api/session');
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({ user: { email: ALICE.email }, csrfToken: res.json.csrfToken });
    expect((await api.get('/api/workspace')).json).toEqual({
      slug: 'acme',
      name: 'Acme',
      actor: ALICE.email,
      via: 'session',
    });

    const out = await api.delete('/api/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^roster_session=;/);
    expect((await api.get('/api/session')).status).toBe(401);
    expect((await api.get('/api/imports')).status).toBe(401);
    expect(await t.conn.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });

  it('answers an inactive user, a wrong password and an unknown email with one identical 401', async () => {
    const inactive = await new Api(server.url).signIn('bob@acme.test', 'bob-password-1');
    const wrong = await new Api(server.url).signIn(ALICE.email, 'not-her-password');
    const unknown = await new Api(server.url).signIn('nobody@acme.test', ALICE.password);
    for (const res of [inactive, wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.json).toEqual({ error: { code: 'unauthorized', message: SIGN_IN_FAILED } });
    }
    expect(new Set([inactive.text, wrong.text, unknown.text]).size).toBe(1);

    // Made inactive by a later import, a signed-in user's session stops working at once.
    const dave = new Api(server.url);
    expect((await dave.signIn('dave@acme.test', 'dave-password-1')).status).toBe(200);
    const off = await token.upload('users', 'email,active\ndave@acme.test,false\n');
    expect(await token.waitFor(off.json.id)).toMatchObject({ status: 'completed', counts: { updated: 1 } });
    expect((await dave.get('/api/session')).status).toBe(401);
    expect((await dave.signIn('dave@acme.test', 'dave-password-1')).text).toBe(wrong.text);
  });

  it('refuses the sixth sign-in of an account after five failures, even with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await new Api(server.url).signIn(ALICE.email, `wrong-${i}`)).status).toBe(401);
    }
    const sixth = await new Api(server.url).signIn(ALICE.email, ALICE.password);
    expect(sixth.status).toBe(429);
    expect(sixth.json.error.code).toBe('too_many_requests');
    expect(sixth.headers.get('set-cookie')).toBeNull();
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Counted per account: another user from the same address still signs in.
    expect((await new Api(server.url).signIn('carol@acme.test', 'carol-password-1')).status).toBe(200);
  });

  it('lets no more than five guesses at an account through when they arrive at once', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => new Api(server.url).signIn(ALICE.email, `guess-${i}`)),
    );
    const statuses = guesses.map((g) => g.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Guessing on one at a time after the burst: five were checked in all, not one more.
    for (let i = 0; i < 6; i++) {
      const status = (await new Api(server.url).signIn(ALICE.email, `late-guess-${i}`)).status;
      statuses.push(status);
      if (status === 429) break;
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect((await new Api(server.url).signIn(ALICE.email, ALICE.password)).status).toBe(429);
  });

  it('refuses every sign-in from an address after 20 failures over different emails', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await new Api(server.url).signIn(`someone${i}@acme.test`, 'guess-123')).status).toBe(401);
    }
    const next = await new Api(server.url).signIn(ALICE.email, ALICE.password);
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(next.json.error.code).toBe('too_many_requests');
  });

  it('needs the CSRF token on a session request that changes data, and none with a bearer token', async () => {
    const runs = async () => (await token.get('/api/imports')).json.total as number;
    const run = await token.waitFor((await token.upload('positions', POSITIONS)).json.id);
    expect(run.status).toBe('completed');
    const runsBefore = await runs();
    const session = new Api(server.url);
    await session.signIn(ALICE.email, ALICE.password);
    const bare = withoutCsrf(session);

    expect((await bare.get('/api/imports')).status).toBe(200);
    const undo = await bare.post(`/api/imports/${run.id}/undo`);
    expect(undo.status).toBe(403);
    expect(undo.json.error.code).toBe('forbidden');
    const forged = await bare.request('POST', `/api/imports/${run.id}/undo`, undefined, {
      'x-csrf-token': 'a'.repeat(session.csrf!.length),
    });
    expect(forged.status).toBe(403);
    expect((await token.get(`/api/imports/${run.id}`)).json.status).toBe('completed');
    expect((await bare.upload('positions', POSITIONS)).status).toBe(403);
    expect((await bare.delete('/api/session')).status).toBe(403);
    expect((await bare.get('/api/session')).status).toBe(200);
    expect(await runs()).toBe(runsBefore);

    const upload = await session.upload('positions', POSITIONS);
    expect(upload.status).toBe(202);
    expect(await session.waitFor(upload.json.id)).toMatchObject({ status: 'completed', actor: ALICE.email });
    // Alice is a member: with the CSRF token she undoes her own import (another's is an admin's, see roles).
    expect((await session.post(`/api/imports/${upload.json.id}/undo`)).json).toMatchObject({
      status: 'undone',
    });

    // A bearer token cannot be sent by another site: no CSRF token needed.
    expect(token.cookie).toBeUndefined();
    expect((await token.post(`/api/imports/${run.id}/undo`)).json).toMatchObject({ status: 'undone' });
  });

  it('creates, lists and revokes tokens with the CLI: printed once, kept only as a SHA-256', async () => {
    const created = await rosterInProcess(['tokens', 'create', '--workspace', 'acme', '--name', 'ci'], t.env);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^roster_[\w-]{40,}\n$/);
    const secret = created.stdout.trim();
    const hash = createHash('sha256').update(secret).digest('hex');
    expect(created.stderr).not.toContain(secret);

    const rows = await t.conn.db.selectFrom('api_tokens').selectAll().where('name', '=', 'ci').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hash);
    const everything = JSON.stringify(await t.conn.db.selectFrom('api_tokens').selectAll().execute());
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(-20));

    for (const args of [[], ['--json']]) {
      const list = await rosterInProcess(['tokens', 'list', '--workspace', 'acme', ...args], t.env);
      expect(list.status).toBe(0);
      expect(list.stdout).toContain('ci');
      expect(list.stdout).toContain(rows[0]!.prefix);
      expect(list.stdout + list.stderr).not.toContain(secret);
      expect(list.stdout + list.stderr).not.toContain(hash);
    }

    const api = new Api(server.url, secret);
    expect((await api.get('/api/workspace')).json).toEqual({
      slug: 'acme',
      name: 'Acme',
      actor: 'token:ci',
      via: 'token',
    });
    // Its use is recorded in the background, and listed.
    await expect
      .poll(async () => JSON.parse((await rosterInProcess(['tokens', 'list', '--json'], t.env)).stdout), {
        timeout: 10_000,
      })
      .toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'ci', lastUsedAt: expect.any(String) })]),
      );
    const revoked = await rosterInProcess(
      ['tokens', 'revoke', String(rows[0]!.id), '--workspace', 'acme'],
      t.env,
    );
    expect(revoked.status).toBe(0);
    const refused = await api.get('/api/workspace');
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('unauthorized');
    expect((await token.get('/api/workspace')).status).toBe(200);
  });

  it('answers 401 without credentials on every route but health and sign-in', async () => {
    const runsBefore = (await token.get('/api/imports')).json.total as number;
    const doc = (await token.get('/api/openapi.json')).json as OpenApiDoc;
    const open = ['GET /healthz', 'POST /api/session'];
    const callers = [new Api(server.url), new Api(server.url, 'roster_unknown'), new Api(server.url)];
    callers[2]!.cookie = 'roster_session=not-a-session';
    const operations = operationsOf(doc).filter((o) => !open.includes(`${o.method} ${o.path}`));
    expect(operations.length).toBeGreaterThanOrEqual(12);
    for (const { method, path, params, operation } of operations) {
      const values = Object.fromEntries(
        params.map((p) => [p.name, p.enum?.[0] ?? '00000000-0000-4000-8000-000000000000']),
      );
      const route = fillPath(path, values);
      for (const caller of callers) {
        const res =
          method === 'POST' && path === '/api/imports'
            ? await caller.upload('positions', POSITIONS)
            : await caller.request(method, route, sampleJsonBody(doc, operation));
        expect(res.status, `${method} ${route}`).toBe(401);
        expect(res.json?.error?.code, `${method} ${route}`).toBe('unauthorized');
      }
    }
    for (const caller of callers) expect((await caller.get('/api/openapi.json')).status).toBe(401);
    expect((await new Api(server.url).get('/healthz')).json).toEqual({ ok: true });
    expect((await token.get('/api/imports')).json.total).toBe(runsBefore);
  });
});
