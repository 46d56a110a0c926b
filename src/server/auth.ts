import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAdmin } from '../domain/roles.js';
import { findSession } from '../domain/sessions.js';
import { findTokenOwner } from '../domain/tokens.js';
import { AppError } from '../errors.js';

export const SESSION_COOKIE = 'roster_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every /api route but the public ones needs a workspace API token (`Authorization: Bearer …`) or a
 * signed-in user's session cookie. A state-changing request made with the cookie must also carry the
 * session's CSRF token in X-CSRF-Token (a bearer token cannot be sent by another site, so it needs none).
 */
export function registerAuth(app: FastifyInstance): void {
  app.decorateRequest('auth', null);
  // When this process last had each token's use recorded: at most once a minute, so reads stay reads.
  const recorded = new Map<number, number>();
  app.addHook('onRequest', async (req) => {
    if (!needsCredentials(req)) return;
    const auth = await authenticate(app, req, recorded);
    req.auth = auth;
    // Roles, on the route the router matched: a member reads, and changes only through routes that say so.
    if (!SAFE_METHODS.has(req.method) && !req.routeOptions.config?.members && req.routeOptions.url) {
      requireAdmin(auth, `${req.method} ${req.routeOptions.url}`);
    }
  });
}

/**
 * Decided on the route the router matched (its pattern), never on the raw URL: `/%61pi/…` is routed to
 * `/api/…`, so a test of the URL string would let it through. A URL no route matches is judged by its
 * decoded path, so an unknown API route still asks for credentials before it answers 404.
 */
function needsCredentials(req: FastifyRequest): boolean {
  if (req.routeOptions.config?.public) return false;
  const route = req.routeOptions.url;
  return isApiPath(route !== undefined && route !== '/*' ? route : decodedPath(req.url));
}

function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

function decodedPath(url: string): string {
  const pathname = url.split('?', 1)[0]!;
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

async function authenticate(app: FastifyInstance, req: FastifyRequest, recorded: Map<number, number>) {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const owner = match ? await findTokenOwner(app.db, match[1]!) : null;
    if (!owner) {
      throw new AppError(
        'unauthorized',
        'The API token is unknown or revoked.',
        'Create one with `roster tokens create --workspace SLUG`.',
      );
    }
    const last = Math.max(recorded.get(owner.tokenId) ?? 0, Date.parse(owner.lastUsedAt ?? '') || 0);
    if (Date.now() - last > 60_000) {
      recorded.set(owner.tokenId, Date.now());
      app.jobs.recordTokenUse(owner.tokenId);
    }
    return {
      workspace: owner.workspace,
      via: 'token' as const,
      actor: `token:${owner.name}`,
      role: owner.role,
    };
  }
  const cookie = req.cookies[SESSION_COOKIE];
  const session = cookie ? await findSession(app.db, cookie) : null;
  if (!session) {
    throw new AppError(
      'unauthorized',
      'Sign in first, or send an API token.',
      'POST /api/session with email and password, or send `Authorization: Bearer <token>`.',
    );
  }
  if (!SAFE_METHODS.has(req.method) && !sameSecret(req.headers[CSRF_HEADER], session.csrfToken)) {
    throw new AppError(
      'forbidden',
      'This request changes data but carries no valid CSRF token.',
      `Send the csrfToken of GET /api/session in the ${CSRF_HEADER} header.`,
    );
  }
  return {
    workspace: session.workspace,
    via: 'session' as const,
    actor: session.user.email,
    role: session.user.role,
    user: session.user,
  };
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
