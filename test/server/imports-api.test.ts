import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { buildWorld, positionOf } from '../support/factories.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const POSITIONS = `customer_ref,email_address,position_name
CUST001,john.doe@example.com,CEO
CUST002,jane.smith@example.com,Finance Director
CUST009,bob.wilson@example.com,CEO
CUST004,alice.brown@example.com,not-a-position
`;

describe('imports over HTTP', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let server: TestServer;
  let api: Api;

  // One server for the file (starting one takes seconds); each test has a workspace of its own in it,
  // holding the sample world, and a token of that workspace.
  beforeAll(async () => {
    t = await createTestDatabase();
    server = await startServer(t.env);
  });
  afterAll(async () => {
    await server?.stop();
    await t?.cleanup();
  });
  let workspaces = 0;
  beforeEach(async () => {
    ws = await buildWorld(t.conn.db, `ws${++workspaces}`);
    api = new Api(server.url, await tokenFor(t.conn.db, ws.id));
  });
  const position = (ref: string, email: string) => positionOf(t.conn.db, ref, email, ws.id);

  it('uploads, runs in the background, reports, and serves the errors CSV', async () => {
    const res = await api.upload('positions', POSITIONS, {}, 'positions.csv');
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'queued' });
    expect(res.headers.get('location')).toBe(`/api/imports/${res.json.id}`);

    const run = await api.waitFor(res.json.id);
    expect(run).toMatchObject({
      status: 'completed',
      dryRun: false,
      actor: 'token:test',
      file: { name: 'positions.csv' },
      progress: { rowsDone: 4, rowsTotal: 4 },
    });
    expect(run.report.counts).toEqual({
      rowsProcessed: 4,
      created: 0,
      updated: 1,
      unchanged: 1,
      unmatched: 2,
      invalid: 0,
      duplicates: 0,
    });
    expect(run.report.unmatched.map((e: { line: number; reason: string }) => [e.line, e.reason])).toEqual([
      [4, 'customer_not_found'],
      [5, 'position_not_found'],
    ]);
    expect(await position('CUST001', 'john.doe@example.com')).toBe('CEO');

    const csv = await api.get(`/api/imports/${run.id}/errors.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('customer_ref,email_address,position_name,_line,_error');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'CUST009,bob.wilson@example.com,CEO,4',
      'CUST004,alice.brown@example.com,not-a-position,5',
    ]);

    const history = await api.get('/api/imports');
    expect(history.json.items.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect(history.json.total).toBe(1);
  });

  it('applies a reviewed dry run, and refuses a second apply', async () => {
    const dry = await api.waitFor((await api.upload('positions', POSITIONS, { dryRun: 'true' })).json.id);
    expect(dry).toMatchObject({ status: 'completed', dryRun: true });
    expect(await position('CUST001', 'john.doe@example.com')).toBeNull();

    const rows = await api.get(`/api/imports/${dry.id}/rows?status=updated`);
    expect(rows.json.items).toEqual([
      expect.objectContaining({
        line: 2,
        status: 'updated',
        values: { customer_ref: 'CUST001', email_address: 'john.doe@example.com', position_name: 'CEO' },
        changes: { position_name: [null, 'CEO'] },
      }),
    ]);

    const applied = await api.post(`/api/imports/${dry.id}/apply`);
    expect(applied.status).toBe(202);
    const real = await api.waitFor(applied.json.id);
    expect(real).toMatchObject({ status: 'completed', dryRun: false, sourceRunId: dry.id });
    expect(real.report.counts).toEqual(dry.report.counts);
    expect(await position('CUST001', 'john.doe@example.com')).toBe('CEO');
    expect((await api.get(`/api/imports/${dry.id}`)).json.appliedRunId).toBe(real.id);

    const again = await api.post(`/api/imports/${dry.id}/apply`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('invalid_state');
  });

  it('refuses to apply a dry run once the data it previewed has changed', async () => {
    const dry = await api.waitFor((await api.upload('positions', POSITIONS, { dryRun: 'true' })).json.id);
    const other = await api.waitFor(
      (
        await api.upload(
          'positions',
          'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n',
        )
      ).json.id,
    );
    expect(other.status).toBe('completed');

    const applied = await api.post(`/api/imports/${dry.id}/apply`);
    expect(applied.status).toBe(409);
    expect(applied.json.error.code).toBe('preview_outdated');
    expect((await api.get('/api/imports')).json.total).toBe(2);
  });

  it('undoes a completed run', async () => {
    const run = await api.waitFor((await api.upload('positions', POSITIONS)).json.id);
    expect(await position('CUST001', 'john.doe@example.com')).toBe('CEO');

    const undo = await api.post(`/api/imports/${run.id}/undo`);
    expect(undo.status).toBe(200);
    expect(undo.json).toMatchObject({ id: run.id, status: 'undone', restored: 1, removed: 0, conflicts: [] });
    expect(await position('CUST001', 'john.doe@example.com')).toBeNull();
    expect((await api.get(`/api/imports/${run.id}`)).json).toMatchObject({
      status: 'undone',
      undo: { restored: 1 },
    });

    const twice = await api.post(`/api/imports/${run.id}/undo`);
    expect(twice.status).toBe(409);
  });

  it('answers 401 without credentials and 400 for a bad form', async () => {
    const anonymous = new Api(server.url);
    expect((await anonymous.get('/api/imports')).status).toBe(401);
    expect((await anonymous.upload('positions', POSITIONS)).status).toBe(401);
    expect((await new Api(server.url, 'roster_nope').get('/api/imports')).status).toBe(401);
    expect((await anonymous.get('/healthz')).json).toEqual({ ok: true });

    const bad = await api.upload('people', POSITIONS);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid_request' });
    expect(bad.json.error.message).toMatch(/kind/);
  });

  it('serves which options each kind takes, and the defaults of those left out', async () => {
    const kinds = await api.get('/api/kinds');
    expect(kinds.status).toBe(200);
    const optionsOf = (name: string) =>
      (kinds.json.items as { name: string; options: string[] }[]).find((k) => k.name === name)?.options;
    expect(optionsOf('contacts')).toEqual(['customerKey', 'ignoreCase', 'labels', 'blank']);
    expect(optionsOf('positions')).toEqual(['customerKey', 'ignoreCase']);
    expect(optionsOf('users')).toEqual(['blank']);
    expect(kinds.json.defaults).toEqual({
      customerKey: 'ref',
      ignoreCase: false,
      labels: 'add',
      blank: 'keep',
      batchSize: 1000,
    });
  });

  it('answers 400 naming each bad option of an upload', async () => {
    const bad = await api.upload('positions', POSITIONS, { customerKey: 'email', batchSize: '0' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/customerKey: .*; batchSize: /);
  });
});
