import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../../domain/passwords.js';
import {
  createUser,
  deleteUser,
  getUser,
  searchUsers,
  updateUser,
  type Actor,
} from '../../../domain/users.js';
import { ROLES } from '../../../domain/roles.js';
import { SESSION_COOKIE } from '../../auth.js';
import { authOf } from '../../context.js';
import { ErrorBody } from '../../errors.js';
import { IdParams, ListQuery, NoContent, OptionalName, pageOf, ReadErrors, WriteErrors } from './schemas.js';

const User = z
  .object({
    id: z.number().int(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    role: z.enum(ROLES),
    active: z.boolean().describe('Inactive users cannot sign in'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User', description: 'An internal user; never the password nor its hash' });

const Email = z.string().max(254);
const Password = z
  .string()
  .max(1024)
  .describe(`At least ${MIN_PASSWORD_LENGTH} characters; stored only as an argon2id hash`);

const tags = ['users'];

/** Who makes a change: the caller's role, and the signed-in user (none for an API token). */
function actorOf(req: FastifyRequest): Actor {
  const auth = authOf(req);
  const { role, via } = auth;
  return auth.user
    ? { role, via, userId: auth.user.id, sessionId: req.cookies[SESSION_COOKIE] }
    : { role, via };
}

/** /api/users: internal users: list and search, create, read, change, delete. Never a password hash. */
export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'Users by email; q searches the email and the name',
        querystring: ListQuery,
        response: { 200: pageOf(User, 'UserPage'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => searchUsers(app.db, authOf(req).workspace.id, req.query),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'Create a user',
        body: z.strictObject({
          email: Email,
          password: Password,
          firstName: OptionalName,
          lastName: OptionalName,
          role: z.enum(ROLES).optional().describe('Default admin for the first user, member after'),
          active: z.boolean().optional().describe('Default true'),
        }),
        response: { 201: User, ...WriteErrors },
      },
    },
    async (req, reply) => {
      const user = await createUser(app.db, authOf(req).workspace.id, req.body);
      return reply.code(201).header('location', `/api/users/${user.id}`).send(user);
    },
  );

  app.get(
    '/api/users/:id',
    {
      schema: { tags, summary: 'A user', params: IdParams, response: { 200: User, ...ReadErrors } },
    },
    async (req) => getUser(app.db, authOf(req).workspace.id, req.params.id),
  );

  app.patch(
    '/api/users/:id',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Change a user; a new password or deactivation ends their sessions',
        description:
          'A signed-in user cannot deactivate themselves; one who changes their own password stays signed in.',
        params: IdParams,
        body: z.strictObject({
          email: Email.optional(),
          password: Password.optional(),
          firstName: OptionalName,
          lastName: OptionalName,
          role: z.enum(ROLES).optional(),
          active: z.boolean().optional(),
        }),
        response: { 200: User, ...WriteErrors },
      },
    },
    async (req) => updateUser(app.db, authOf(req).workspace.id, req.params.id, req.body, actorOf(req)),
  );

  app.delete(
    '/api/users/:id',
    {
      schema: {
        tags,
        summary: 'Delete a user and end their sessions (nobody can delete themselves)',
        params: IdParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await deleteUser(app.db, authOf(req).workspace.id, req.params.id, actorOf(req));
      return reply.code(204).send(null);
    },
  );
};
