import type {} from '@fastify/cookie';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import type { Role } from '../domain/roles.js';
import type { SessionUser } from '../domain/sessions.js';
import type { Workspace } from '../domain/workspaces.js';
import type { JobQueue } from '../jobs/queue.js';

/** Who a request acts for: a workspace, through an API token or a signed-in user's session. */
export interface Auth {
  workspace: Workspace;
  via: 'token' | 'session';
  /** What import runs record as their author: the user's email, or `token:<name>`. */
  actor: string;
  /** The session user's role, or the token's. */
  role: Role;
  user?: SessionUser;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    jobs: JobQueue;
  }
  interface FastifyRequest {
    /** Set on every authenticated route; public routes (health, sign-in) have none. */
    auth: Auth | null;
  }
  interface FastifyContextConfig {
    /** Routes anyone may call: health and sign-in. */
    public?: boolean;
    /**
     * A changing route (not GET/HEAD) that members may call too; every other one is an admin's. What
     * depends on the record (whose run, which user) is checked further in, by the service or the domain.
     */
    members?: boolean;
  }
}

/** The request's auth on a route that requires it (the auth hook has already refused anonymous calls). */
export function authOf(req: { auth: Auth | null }): Auth {
  if (!req.auth) throw new Error('route without authentication');
  return req.auth;
}
