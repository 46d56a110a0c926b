import { parse as parseContentDisposition } from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../support/factories.js';
import { useApiWorld } from '../support/api-world.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const CUSTOMERS = 'ref,name\nNEW1,New One\n,no ref\n';

/** A raw multipart request (fetch's FormData cannot send a broken one). */
function rawUpload(api: Api, contentType: string, body: string) {
  return fetch(`${api.url}/api/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': contentType },
    body,
  }).then(async (res) => ({ status: res.status, json: (await res.json()) as { error: object } }));
}

const part = (name: string, value: string, filename?: string) =>
  `--XX\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`;

describe('requests that used to slip past the auth hook or answer 500', () => {
  const w = useApiWorld();

  it.each(['/%61pi/openapi.json', '/%61pi/imports', '/%61pi/workspace', '/api/%69mports', '/%61pi/nothing'])(
    'asks for credentials on %s, however its path is encoded',
    async (route) => {
      const res = await new Api(w.server.url).get(route);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    },
  );

  it('answers an encoded path with credentials as the plain one', async () => {
    const res = await w.api.get('/%61pi/workspace');
    expect(res.status).toBe(200);
    expect(res.json.slug).toBe('acme');
  });

  it('echoes a short safe X-Request-Id and replaces anything else with a fresh id', async () => {
    const ok = await w.api.request('GET', '/api/workspace', undefined, { 'x-request-id': 'job-42.retry:1' });
    expect(ok.headers.get('x-request-id')).toBe('job-42.retry:1');
    for (const bad of ['x'.repeat(10_000), '{"admin":true}', 'a b', 'a'.repeat(65)]) {
      const res = await w.api.request('GET', '/api/workspace', undefined, { 'x-request-id': bad });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('marks every answer nosniff: JSON, errors, and CSV', async () => {
    const id = (await w.api.upload('customers', CUSTOMERS)).json.id as string;
    await w.api.waitFor(id);
    for (const res of [
      await w.api.get('/api/workspace'),
      await new Api(w.server.url).get('/api/workspace'),
      await w.api.get(`/api/imports/${id}/errors.csv`),
      await w.api.get('/healthz'),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it.each([
    ['multipart without a boundary', 'multipart/form-data', 'xx', /no boundary/],
    [
      'a multipart body cut off before its end',
      'multipart/form-data; boundary=XX',
      part('kind', 'customers') +
        '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nref,na',
      /ends before its closing boundary/,
    ],
    [
      'two file parts',
      'multipart/form-data; boundary=XX',
      part('kind', 'customers') +
        part('file', CUSTOMERS, 'a.csv') +
        part('file', CUSTOMERS, 'b.csv') +
        '--XX--\r\n',
      /more than one file part/,
    ],
    [
      'more than 20 fields',
      'multipart/form-data; boundary=XX',
      Array.from({ length: 22 }, (_, i) => part(`f${i}`, 'x')).join('') +
        part('file', CUSTOMERS, 'a.csv') +
        '--XX--\r\n',
      /more than 20 form fields/,
    ],
  ])('answers %s with 400 and the error shape', async (_, contentType, body, message) => {
    const res = await rawUpload(w.api, contentType, body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: { code: 'invalid_request', message: expect.stringMatching(message), hint: expect.any(String) },
    });
  });

  it.each([
    ['顧客.csv', '顧客-errors.csv'],
    ['Kundenliste März😀.csv', 'Kundenliste März😀-errors.csv'],
    ['invoice\u202Etxt.exe.csv', 'invoicetxt.exe-errors.csv'],
    ['tab\there\u0007.csv', 'tabhere-errors.csv'],
    ['nul\u0000byte.csv', 'nulbyte-errors.csv'],
  ])('serves the errors CSV of an upload named %j as %j', async (name, download) => {
    const upload = await w.api.upload('customers', CUSTOMERS, {}, name);
    expect(upload.status).toBe(202);
    const run = await w.api.waitFor(upload.json.id);
    expect(run.file.name).toBe(download.replace('-errors', ''));
    const res = await w.api.get(`/api/imports/${upload.json.id}/errors.csv`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('no ref');
    const header = res.headers.get('content-disposition')!;
    expect(header).toMatch(/^attachment; filename=("[\x20-\x7e]*"|[\w.-]+)(; filename\*=UTF-8''[\w.%-]+)?$/);
    expect(parseContentDisposition(header).parameters.filename).toBe(download);
  });

  it('caps a long upload name, keeping its extension', async () => {
    const upload = await w.api.upload('customers', CUSTOMERS, {}, `${'長'.repeat(400)}.csv`);
    const run = await w.api.waitFor(upload.json.id);
    expect([...run.file.name]).toHaveLength(200);
    expect(run.file.name).toMatch(/^長+\.csv$/);
    const res = await w.api.get(`/api/imports/${upload.json.id}/errors.csv`);
    expect(res.status).toBe(200);
    expect(parseContentDisposition(res.headers.get('content-disposition')!).parameters.filename).toMatch(
      /^長+-errors\.csv$/,
    );
  });
});

describe('a server logging at trace', () => {
  let t: TestDatabase;
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    const ws = await buildWorld(t.conn.db);
    token = await tokenFor(t.conn.db, ws.id);
    server = await startServer(t.env, { ROSTER_LOG_LEVEL: 'trace' });
  });
  afterAll(async () => {
    await server?.stop();
    await t?.cleanup();
  });

  it('never writes a bearer token, a session cookie or a CSRF token, even for multipart uploads', async () => {
    const api = new Api(server.url, token);
    const users = await api.upload('users', 'email,password\nlog@acme.test,log-password-1\n');
    expect((await api.waitFor(users.json.id)).status).toBe('completed');
    const session = new Api(server.url);
    expect((await session.signIn('log@acme.test', 'log-password-1')).status).toBe(200);
    await session.waitFor((await session.upload('customers', CUSTOMERS)).json.id);
    await api.waitFor((await api.upload('customers', CUSTOMERS)).json.id);

    const log = server.output();
    expect(log).toContain('busboyOptions'); // the trace line that used to carry the headers
    expect(log).toContain('[redacted]');
    const cookieValue = session.cookie!.split('=')[1]!;
    for (const secret of [token, cookieValue, session.csrf!, 'log-password-1']) {
      expect(log).not.toContain(secret);
    }
  });
});
