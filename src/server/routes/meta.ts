import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf } from '../context.js';
import { ErrorBody } from '../errors.js';

/** Health (public), the OpenAPI document, and the caller's workspace. */
export const metaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['meta'],
        summary: 'Whether the server and its database answer',
        security: [],
        response: { 200: z.object({ ok: z.literal(true) }), 503: ErrorBody },
      },
    },
    async () => {
      await sql`SELECT 1`.execute(app.db);
      return { ok: true as const };
    },
  );

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/api/workspace',
    {
      schema: {
        tags: ['meta'],
        summary: 'The workspace the credentials belong to, and who is calling',
        response: {
          200: z.object({
            slug: z.string(),
            name: z.string(),
            actor: z.string(),
            via: z.enum(['token', 'session']),
          }),
          401: ErrorBody,
        },
      },
    },
    async (req) => {
      const auth = authOf(req);
      return { slug: auth.workspace.slug, name: auth.workspace.name, actor: auth.actor, via: auth.via };
    },
  );
};
