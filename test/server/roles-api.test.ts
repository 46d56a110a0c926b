import { beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/domain/tokens.js';
import { addUser } from '../../src/domain/users.js';
import { idOf, useApiWorld } from '../support/api-world.js';
import { rosterInProcess } from '../support/cli.js';
import { snapshotData } from '../support/data-state.js';
import { fillPath, operationsOf, sampleJsonBody, type OpenApiDoc } from '../support/openapi.js';
import { Api } from '../support/server.js';

const ADMIN = { email: 'root@acme.test', password: 'root-password-1' };
const MEMBER = { email: 'mia@acme.test', password: 'mia-password-1' };
const POSITIONS = 'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n';
const positions = (position: string) =>
  `customer_ref,email_address,position_name\nCUST002,jane.smith@example.com,${position}\n`;

/** The changing routes a member may call; every other changing route is an admin's. */
const MEMBER_WRITES = new Set([
  'POST /api/imports',
  'POST /api/imports/{id}/apply',
  'POST /api/imports/{id}/undo',
  'POST /api/customers',
  'PATCH /api/customers/{id}',
  'DELETE /api/customers/{id}',
  'POST /api/contacts',
  'PATCH /api/contacts/{id}',
  'DELETE /api/contacts/{id}',
  'PUT /api/contacts/{id}/customers/{customerId}',
  'DELETE /api/contacts/{id}/customers/{customerId}',
  'PATCH /api/users/{id}',
  'DELETE /api/session',
  // Mappings are how files are read: whoever imports may save, replace and delete them.
  'POST /api/mappings',
  'POST /api/mappings/propose',
  'DELETE /api/mappings/{name}',
  'POST /api/kinds/{kind}/header-choices',
]);

/** Reads a member may not make: API tokens are keys to the whole workspace. */
const ADMIN_READS = new Set(['GET /api/tokens']);

describe('roles over HTTP', () => {
  const w = useApiWorld();
  let member: Api;
  let memberToken: Api;
  let admin: Api;

  beforeAll(async () => {
    const db = w.t.conn.db;
    await addUser(db, w.ws.id, { ...ADMIN, role: 'admin' });
    await addUser(db, w.ws.id, { ...MEMBER, role: 'member' });
    member = new Api(w.server.url);
    expect((await member.signIn(MEMBER.email, MEMBER.password)).status).toBe(200);
    admin = new Api(w.server.url);
    expect((await admin.signIn(ADMIN.email, ADMIN.password)).status).toBe(200);
    memberToken = new Api(w.server.url, (await createToken(db, w.ws.id, 'reader', 'member')).token);
  });

  /** Values for every path parameter: real records of acme, so a refusal is the role's and not a 404. */
  async function pathValues(): Promise<Record<string, string>> {
    const run = await w.api.waitFor((await w.api.upload('positions', POSITIONS)).json.id);
    const label = await w.api.post('/api/labels', { name: 'VIP' });
    const field = await w.api.post('/api/fields', { variable: 'tier', label: 'Tier', type: 'text' });
    const tokens = (await w.api.get('/api/tokens')).json.items as { id: number }[];
    const mapping = { name: 'google', kind: 'contacts', columns: { 'E-mail 1 - Value': 'email' } };
    expect((await w.api.post('/api/mappings', mapping)).status).toBe(200);
    return {
      id: String(await idOf(w, 'customers', 'ref', 'CUST001')),
      customerId: String(await idOf(w, 'customers', 'ref', 'CUST002')),
      runId: run.id,
      userId: String(await idOf(w, 'users', 'email', ADMIN.email)),
      contactId: String(await idOf(w, 'contacts', 'email', 'john.doe@example.com')),
      positionId: String(await idOf(w, 'positions', 'name', 'CEO')),
      labelId: String(label.json.id),
      fieldId: String(field.json.id),
      tokenId: String(tokens[0]!.id),
      name: 'google',
    };
  }

  /** The id a route's `{id}` stands for: a record of the route's own collection. */
  function idFor(path: string, v: Record<string, string>): string {
    const collection = /^\/api\/(\w+)/.exec(path)![1]!;
    const ids: Record<string, string | undefined> = {
      imports: v.runId,
      users: v.userId,
      contacts: v.contactId,
      positions: v.positionId,
      labels: v.labelId,
      fields: v.fieldId,
      tokens: v.tokenId,
    };
    return ids[collection] ?? v.id!;
  }

  it('walks every route as a member, by session and by token: reads answer, admin changes are 403', async () => {
    const doc = (await w.api.get('/api/openapi.json')).json as OpenApiDoc;
    const v = await pathValues();
    const before = await snapshotData(w.t.conn.db);
    // What a token is (last_used_at moves with every use).
    const tokens = () =>
      w.t.conn.db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'role', 'revoked_at'])
        .orderBy('id')
        .execute();
    const tokensBefore = await tokens();
    const walked: string[] = [];
    for (const op of operationsOf(doc)) {
      const name = `${op.method} ${op.path}`;
      if (MEMBER_WRITES.has(name) || op.operation.security?.length === 0) continue;
      const values: Record<string, string> = { ...v, id: idFor(op.path, v) };
      for (const p of op.params) if (p.enum) values[p.name] = p.enum[0]!;
      const url = fillPath(op.path, values);
      for (const [who, client] of [
        ['member session', member],
        ['member token', memberToken],
      ] as const) {
        // A token has no session to show.
        if (who === 'member token' && op.path === '/api/session') continue;
        const res = await client.request(op.method, url, sampleJsonBody(doc, op.operation));
        const label = `${who}: ${name}`;
        if (op.method === 'GET' && !ADMIN_READS.has(name)) {
          expect(res.status, label).toBeLessThan(400);
        } else {
          expect(res.status, label).toBe(403);
          expect(res.json.error.code, label).toBe('forbidden');
          expect(res.json.error.message, label).toMatch(/^Only an admin may /);
        }
      }
      walked.push(name);
    }
    // Nothing a refused request touched changed.
    expect(await snapshotData(w.t.conn.db)).toBe(before);
    expect(await tokens()).toEqual(tokensBefore);
    // The walk met the admin routes of every kind of record.
    for (const route of [
      'POST /api/users',
      'DELETE /api/users/{id}',
      'POST /api/positions',
      'PATCH /api/labels/{id}',
      'DELETE /api/fields/{id}',
      'POST /api/tokens',
      'DELETE /api/tokens/{id}',
      'GET /api/tokens',
      'GET /api/customers',
    ]) {
      expect(walked, route).toContain(route);
    }
    // Every route a member may change through exists (the list above is not stale).
    const all = new Set(operationsOf(doc).map((op) => `${op.method} ${op.path}`));
    for (const route of MEMBER_WRITES) expect(all.has(route), route).toBe(true);
  });

  it('a member cannot make an admin, promote itself, or touch an admin; it changes its own password', async () => {
    const adminId = await idOf(w, 'users', 'email', ADMIN.email);
    const self = await idOf(w, 'users', 'email', MEMBER.email);
    const made = await member.post('/api/users', {
      email: 'evil@acme.test',
      password: 'evil-pass-1',
      role: 'admin',
    });
    expect(made.status).toBe(403);
    const promote = await member.patch(`/api/users/${self}`, { role: 'admin' });
    expect(promote.status).toBe(403);
    expect(promote.json.error.message).toBe(
      "Only an admin may change a user's role; you are signed in as a member.",
    );
    expect((await member.patch(`/api/users/${adminId}`, { password: 'taken-over-1' })).status).toBe(403);
    expect((await member.patch(`/api/users/${adminId}`, { active: false })).status).toBe(403);
    expect((await member.delete(`/api/users/${adminId}`)).status).toBe(403);
    expect((await memberToken.patch(`/api/users/${adminId}`, { role: 'member' })).status).toBe(403);
    const users = await w.t.conn.db
      .selectFrom('users')
      .select(['email', 'role', 'active'])
      .orderBy('email')
      .execute();
    expect(users.filter((u) => u.email.endsWith('@acme.test'))).toEqual([
      { email: MEMBER.email, role: 'member', active: 1 },
      { email: ADMIN.email, role: 'admin', active: 1 },
    ]);
    // The admin still signs in with the old password.
    expect((await new Api(w.server.url).signIn(ADMIN.email, ADMIN.password)).status).toBe(200);

    const renamed = await member.patch(`/api/users/${self}`, {
      firstName: 'Mia',
      password: 'mia-password-2',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ firstName: 'Mia', role: 'member' });
    expect((await member.get('/api/session')).status).toBe(200);
    expect((await new Api(w.server.url).signIn(MEMBER.email, 'mia-password-2')).status).toBe(200);
  });

  it('a member imports every kind but users, and undoes its own runs only', async () => {
    const runsBefore = (await w.api.get('/api/imports')).json.total as number;
    const users = await member.upload('users', `email,password\nnew@acme.test,new-password-1\n`);
    expect(users.status).toBe(403);
    expect(users.json.error.message).toBe(
      'Only an admin may import users files; you are signed in as a member.',
    );
    const byToken = await memberToken.upload('users', `email,password\n${ADMIN.email},taken-over-1\n`);
    expect(byToken.status).toBe(403);
    expect(byToken.json.error.message).toMatch(/this API token has the member role/);
    expect((await w.api.get('/api/imports')).json.total).toBe(runsBefore);

    const own = await member.waitFor((await member.upload('positions', positions('CEO'))).json.id);
    expect(own).toMatchObject({ status: 'completed', actor: MEMBER.email });
    const theirs = await w.api.waitFor(
      (await w.api.upload('positions', positions('Account Manager'))).json.id,
    );
    const refused = await member.post(`/api/imports/${theirs.id}/undo`);
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toBe(
      'Only an admin may undo an import made by token:test; you are signed in as a member.',
    );
    expect((await w.api.get(`/api/imports/${theirs.id}`)).json.status).toBe('completed');
    expect((await member.post(`/api/imports/${own.id}/undo`)).json).toMatchObject({ status: 'undone' });
    expect((await admin.post(`/api/imports/${theirs.id}/undo`)).json).toMatchObject({ status: 'undone' });

    // A member applies a dry run it reviewed.
    const dry = await member.waitFor(
      (await member.upload('positions', positions('Operations Manager'), { dryRun: 'true' })).json.id,
    );
    const applied = await member.post(`/api/imports/${dry.id}/apply`);
    expect(applied.status).toBe(202);
    expect(await member.waitFor(applied.json.id)).toMatchObject({ status: 'completed' });
  });

  it('keeps one active admin: the last one cannot be demoted, deactivated or deleted', async () => {
    const db = w.t.conn.db;
    const adminId = await idOf(w, 'users', 'email', ADMIN.email);
    for (const [what, res] of [
      ['demote', await w.api.patch(`/api/users/${adminId}`, { role: 'member' })],
      ['deactivate', await w.api.patch(`/api/users/${adminId}`, { active: false })],
      ['delete', await w.api.delete(`/api/users/${adminId}`)],
    ] as const) {
      expect(res.status, what).toBe(409);
      expect(res.json.error.message, what).toBe(
        `${ADMIN.email} is this workspace's last active admin; nothing was changed.`,
      );
    }
    const users = `email,active\n${ADMIN.email},false\n${MEMBER.email},true\n`;
    const run = await w.api.waitFor((await w.api.upload('users', users)).json.id);
    expect(run.report.counts).toMatchObject({ invalid: 1, unchanged: 1 });
    const rows = (await w.api.get(`/api/imports/${run.id}/rows?status=invalid`)).json.items;
    expect(rows).toMatchObject([{ line: 2, reason: 'last_admin', column: 'active' }]);
    const stored = await db
      .selectFrom('users')
      .select(['role', 'active'])
      .where('id', '=', adminId)
      .executeTakeFirst();
    expect(stored).toEqual({ role: 'admin', active: 1 });

    // With a second admin, the first can step down.
    const mia = await idOf(w, 'users', 'email', MEMBER.email);
    expect((await w.api.patch(`/api/users/${mia}`, { role: 'admin' })).json.role).toBe('admin');
    expect((await w.api.patch(`/api/users/${adminId}`, { role: 'member' })).json.role).toBe('member');
    expect((await w.api.patch(`/api/users/${adminId}`, { role: 'admin' })).json.role).toBe('admin');
  });

  it('tokens carry a role: admin by default, member on request, shown in the list', async () => {
    const made = await w.api.post('/api/tokens', { name: 'reporting', role: 'member' });
    expect(made.status).toBe(201);
    expect(made.json.listed).toMatchObject({ name: 'reporting', role: 'member' });
    const reader = new Api(w.server.url, made.json.token);
    expect((await reader.get('/api/customers')).status).toBe(200);
    expect((await reader.post('/api/positions', { name: 'Intern' })).status).toBe(403);

    const cli = await rosterInProcess(
      ['tokens', 'create', '--workspace', 'acme', '--name', 'etl', '--role', 'member'],
      w.t.env,
    );
    expect(cli.status).toBe(0);
    expect(cli.stderr).toMatch(/"etl" \(member\)/);
    const plain = await rosterInProcess(
      ['tokens', 'create', '--workspace', 'acme', '--name', 'ops'],
      w.t.env,
    );
    expect(plain.stderr).toMatch(/"ops" \(admin\)/);
    const listed = await rosterInProcess(['tokens', 'list', '--workspace', 'acme', '--json'], w.t.env);
    const byName = Object.fromEntries(
      (JSON.parse(listed.stdout) as { name: string; role: string }[]).map((t) => [t.name, t.role]),
    );
    expect(byName).toMatchObject({ etl: 'member', ops: 'admin', reporting: 'member', test: 'admin' });
    const bad = await rosterInProcess(['tokens', 'create', '--workspace', 'acme', '--role', 'root'], w.t.env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--role.*Allowed choices are admin, member/);
  });

  it('makes the first user of a workspace an admin, and later ones members unless told', async () => {
    const other = new Api(w.server.url, (await createToken(w.t.conn.db, w.other.id, 'other')).token);
    const first = await other.post('/api/users', { email: 'first@other.test', password: 'first-pass-1' });
    expect(first.json.role).toBe('admin');
    const second = await other.post('/api/users', { email: 'second@other.test', password: 'second-pass-1' });
    expect(second.json.role).toBe('member');
  });
});
