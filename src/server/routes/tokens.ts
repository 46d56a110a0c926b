import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createToken, listTokens, revokeToken } from '../../domain/tokens.js';
import { requireAdmin, ROLES } from '../../domain/roles.js';
import { authOf, type Auth } from '../context.js';
import { ErrorBody } from '../errors.js';
import { IdParams, Name, ReadErrors, WriteErrors } from './entities/schemas.js';

const Token = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().describe('The token’s first characters, to tell tokens apart'),
    role: z.enum(ROLES).describe('admin: everything; member: what a member user may'),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken', description: 'A workspace API token as listed: never the token itself' });

/** Only admins see and manage tokens (a token is a key to the whole workspace). */
function refuseMember(auth: Auth): void {
  requireAdmin(auth, 'see and manage API tokens');
}

const tags = ['tokens'];

/** /api/tokens: what `roster tokens list|create|revoke` does, for the web UI's admins. */
export const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/tokens',
    {
      schema: {
        tags,
        summary: 'The workspace’s API tokens, revoked ones too',
        response: { 200: z.object({ items: z.array(Token) }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const auth = authOf(req);
      refuseMember(auth);
      return { items: await listTokens(app.db, auth.workspace.id) };
    },
  );

  app.post(
    '/api/tokens',
    {
      schema: {
        tags,
        summary: 'Create a token; the answer holds it, the only time it is shown',
        body: z.strictObject({
          name: Name,
          role: z.enum(ROLES).optional().describe('Default admin'),
        }),
        response: { 201: z.object({ token: z.string(), listed: Token }), ...WriteErrors },
      },
    },
    async (req, reply) => {
      const auth = authOf(req);
      refuseMember(auth);
      return reply.code(201).send(await createToken(app.db, auth.workspace.id, req.body.name, req.body.role));
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a token: it stops working at once (it stays listed, revoked)',
        params: IdParams,
        response: { 200: Token, ...ReadErrors, 403: ErrorBody },
      },
    },
    async (req) => {
      const auth = authOf(req);
      refuseMember(auth);
      return revokeToken(app.db, auth.workspace, String(req.params.id));
    },
  );
};
