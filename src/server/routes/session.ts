import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findSession, SESSION_TTL_MS, signIn, signOut, type Session } from '../../domain/sessions.js';
import { AppError } from '../../errors.js';
import { SESSION_COOKIE } from '../auth.js';
import { ErrorBody } from '../errors.js';

const SessionBody = z
  .object({
    user: z.object({
      id: z.number().int(),
      email: z.string(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      role: z.enum(['admin', 'member']),
    }),
    workspace: z.object({ slug: z.string(), name: z.string() }),
    csrfToken: z.string().describe('Send it in X-CSRF-Token with every request that changes data'),
    expiresAt: z.string(),
  })
  .meta({ id: 'Session' });

const SignIn = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
  workspace: z.string().optional().describe('Needed only when the email signs in to several workspaces'),
});

function present(s: Session) {
  return {
    user: s.user,
    workspace: { slug: s.workspace.slug, name: s.workspace.name },
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt,
  };
}

/** Sign in with email and password (an HttpOnly, SameSite=Strict cookie), read the session, sign out. */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/session',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Sign in as an internal user',
        security: [],
        body: SignIn,
        response: { 200: SessionBody, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { sessionId, session } = await signIn(app.db, { ...req.body, address: req.ip });
      reply.setCookie(SESSION_COOKIE, sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        path: '/',
        maxAge: SESSION_TTL_MS / 1000,
      });
      req.log.info({ user: session.user.email, workspace: session.workspace.slug }, 'signed in');
      return present(session);
    },
  );

  app.get(
    '/api/session',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'The signed-in user, workspace and CSRF token',
        response: { 200: SessionBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const cookie = req.cookies[SESSION_COOKIE];
      const session = cookie ? await findSession(app.db, cookie) : null;
      if (!session) throw new AppError('unauthorized', 'Not signed in.');
      return present(session);
    },
  );

  app.delete(
    '/api/session',
    {
      config: { members: true },
      schema: { tags: ['session'], summary: 'Sign out', response: { 204: z.null(), 401: ErrorBody } },
    },
    async (req, reply) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) await signOut(app.db, cookie);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
};
