import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { buildApp } from '../../src/server/app.js';
import { buildWorld } from '../support/factories.js';
import { operationsOf, parsePrintedRoutes, type OpenApiDoc } from '../support/openapi.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

/** The routes that exist today; entity routes come on top and are found by comparing with Fastify's list. */
const KNOWN = [
  'GET /healthz',
  'GET /api/workspace',
  'POST /api/session',
  'GET /api/session',
  'DELETE /api/session',
  'GET /api/kinds',
  'GET /api/kinds/{kind}/template.csv',
  'POST /api/imports',
  'GET /api/imports',
  'GET /api/imports/{id}',
  'GET /api/imports/{id}/rows',
  'GET /api/imports/{id}/errors.csv',
  'POST /api/imports/{id}/apply',
  'POST /api/imports/{id}/undo',
];

/** Routes anyone may call; every other one answers 401 without credentials and documents it. */
const PUBLIC = ['GET /healthz', 'POST /api/session'];

describe('the OpenAPI document', () => {
  let t: TestDatabase;
  let server: TestServer;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await createTestDatabase();
    const ws = await buildWorld(t.conn.db);
    server = await startServer(t.env);
    const res = await new Api(server.url, await tokenFor(t.conn.db, ws.id)).get('/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.json as OpenApiDoc;
  });
  afterAll(async () => {
    await server?.stop();
    await t?.cleanup();
  });

  it('validates as OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('lists every route the server registers, and nothing else', async () => {
    // Fastify lists its routes only in print; an app built in-process has the same routes as the server.
    const jobs = {} as JobQueue;
    const app = await buildApp({
      db: t.conn.db,
      config: loadConfig({ ...process.env, ...t.env }),
      jobs,
      logger: false,
    });
    try {
      await app.ready();
      const registered = parsePrintedRoutes(app.printRoutes({ commonPrefix: false }))
        .filter((r) => / \/api\/|^GET \/healthz$/.test(r))
        // The document itself is not an operation of the API it describes.
        .filter((r) => r !== 'GET /api/openapi.json');
      const documented = operationsOf(doc).map((o) => `${o.method} ${o.path}`);
      expect(registered).toEqual(expect.arrayContaining(KNOWN));
      expect([...documented].sort()).toEqual([...registered].sort());
    } finally {
      await app.close();
    }
  });

  it('gives every operation a path under /api/, a summary, tags and its answers', () => {
    for (const { method, path, params, operation } of operationsOf(doc)) {
      const route = `${method} ${path}`;
      if (route !== 'GET /healthz') expect(path, route).toMatch(/^\/api\//);
      expect(operation.summary, route).toMatch(/\w/);
      expect(operation.tags?.length, route).toBeGreaterThan(0);
      const codes = Object.keys(operation.responses ?? {});
      expect(
        codes.some((c) => c.startsWith('2')),
        `${route} documents its success: ${codes}`,
      ).toBe(true);
      if (!PUBLIC.includes(route)) expect(codes, route).toContain('401');
      // A path naming a record (not one of a fixed set of values) answers 404 for one that is not there.
      if (params.some((p) => !p.enum)) expect(codes, route).toContain('404');
    }
  });

  it('marks only health and sign-in as callable without credentials', () => {
    expect(doc).toMatchObject({
      security: expect.arrayContaining([{ token: [] }, { session: [] }]),
    });
    const open = operationsOf(doc)
      .filter((o) => o.operation.security?.length === 0)
      .map((o) => `${o.method} ${o.path}`);
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  it('documents the upload as multipart/form-data with a file and a kind', () => {
    const upload = doc.paths['/api/imports']?.post;
    const form = upload?.requestBody?.content?.['multipart/form-data']?.schema;
    expect(form).toMatchObject({
      type: 'object',
      properties: {
        file: { type: 'string', format: 'binary' },
        kind: { type: 'string', enum: expect.arrayContaining(['contacts', 'positions', 'users']) },
        dryRun: { enum: ['true', 'false'] },
      },
    });
    expect(form?.required).toEqual(expect.arrayContaining(['file', 'kind']));
    expect(Object.keys(upload?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '401', '413']),
    );
  });
});
