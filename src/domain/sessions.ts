import { randomBytes } from 'node:crypto';
import type { Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { foldCase, now } from './text.js';
import { sha256 } from './tokens.js';
import type { Workspace } from './workspaces.js';

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Failed sign-ins counted over this window… */
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** …and how many an account, or an address, may have in it before sign-ins are refused. */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

/** One message for every failed sign-in: it never tells which part was wrong. */
export const SIGN_IN_FAILED = 'The email or password is wrong, or the account is not active.';

export interface SessionUser {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: 'admin' | 'member';
}

export interface Session {
  workspace: Workspace;
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
}

let decoy: Promise<string> | undefined;

/**
 * Signs a user in by email and password: an active user whose stored hash (in any format the users import
 * takes) verifies the password. The email names a user in one workspace; when it names users in several,
 * `workspace` says which. Failed attempts are counted per account and per address; past the limits every
 * attempt is refused with `too_many_requests` until the window has passed.
 */
export async function signIn(
  db: Db,
  attempt: { email: string; password: string; workspace?: string; address: string },
): Promise<{ sessionId: string; session: Session }> {
  const emailCi = foldCase(attempt.email.trim());
  const scopes = { account: `account:${emailCi}`, address: `address:${attempt.address}` };
  // Counted as a failure before the (slow) password check and forgotten if it succeeds: guesses sent all
  // at once would otherwise all pass the limit check before any of them had failed.
  const at = now();
  const counted = await db
    .insertInto('sign_in_failures')
    .values([
      { scope: scopes.account, at },
      { scope: scopes.address, at },
    ])
    .returning('id')
    .execute();
  const ids = counted.map((r) => r.id);
  const forget = () => db.deleteFrom('sign_in_failures').where('id', 'in', ids).execute();
  await refuseWhenLimited(db, scopes).catch(async (err: unknown) => {
    await forget();
    throw err;
  });

  let query = db
    .selectFrom('users')
    .innerJoin('workspaces', 'workspaces.id', 'users.workspace_id')
    .select([
      'users.id',
      'users.email',
      'users.first_name',
      'users.last_name',
      'users.role',
      'users.active',
      'users.password_hash',
      'workspaces.id as workspace_id',
      'workspaces.slug',
      'workspaces.name as workspace_name',
    ])
    .where('users.email_ci', '=', emailCi);
  if (attempt.workspace) query = query.where('workspaces.slug', '=', attempt.workspace);
  const candidates = await query.execute();
  if (candidates.length === 0) {
    // As slow as a real check, so the time taken does not tell whether the email exists.
    await verifyPassword(await (decoy ??= hashPassword('decoy password')), attempt.password);
  }
  const matches = [];
  for (const c of candidates) {
    if ((await verifyPassword(c.password_hash, attempt.password)) && c.active === 1) matches.push(c);
  }
  if (matches.length === 0) throw new AppError('unauthorized', SIGN_IN_FAILED);
  await forget();
  if (matches.length > 1) {
    throw new AppError(
      'workspace_required',
      'This email signs in to several workspaces; say which one.',
      'Send the workspace slug with the email and password.',
    );
  }
  const user = matches[0]!;
  await db.deleteFrom('sign_in_failures').where('scope', '=', scopes.account).execute();
  const sessionId = randomBytes(32).toString('base64url');
  const session: Session = {
    workspace: { id: user.workspace_id, slug: user.slug, name: user.workspace_name },
    user: {
      id: user.id,
      email: user.email,
      firstName: user.first_name,
      lastName: user.last_name,
      role: user.role,
    },
    csrfToken: randomBytes(24).toString('base64url'),
    expiresAt: new Date(Date.now() + SESSION_TTL_MS).toISOString(),
  };
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256(sessionId),
      workspace_id: session.workspace.id,
      user_id: user.id,
      csrf_token: session.csrfToken,
      created_at: now(),
      expires_at: session.expiresAt,
    })
    .execute();
  return { sessionId, session };
}

async function refuseWhenLimited(db: Db, scopes: { account: string; address: string }): Promise<void> {
  const since = new Date(Date.now() - FAILURE_WINDOW_MS).toISOString();
  const rows = await db
    .selectFrom('sign_in_failures')
    .select(['scope', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('at').as('first')])
    .where('scope', 'in', [scopes.account, scopes.address])
    .where('at', '>=', since)
    .groupBy('scope')
    .execute();
  for (const r of rows) {
    const limit = r.scope === scopes.account ? MAX_FAILURES_PER_ACCOUNT : MAX_FAILURES_PER_ADDRESS;
    // The count includes the attempt being made.
    if (Number(r.n) > limit) {
      const retryAfter = Math.max(
        1,
        Math.ceil((Date.parse(String(r.first)) + FAILURE_WINDOW_MS - Date.now()) / 1000),
      );
      throw new RateLimited(retryAfter);
    }
  }
}

/** Too many failed sign-ins; says after how many seconds to try again. */
export class RateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'too_many_requests',
      'Too many failed sign-ins for this account or from this address.',
      `Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
    );
  }
}

/** The session a cookie value stands for, unless it is unknown, expired, or its user is no longer active. */
export async function findSession(db: Db, sessionId: string): Promise<Session | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('workspaces', 'workspaces.id', 'sessions.workspace_id')
    .select([
      'sessions.csrf_token',
      'sessions.expires_at',
      'users.id',
      'users.email',
      'users.first_name',
      'users.last_name',
      'users.role',
      'users.active',
      'workspaces.id as workspace_id',
      'workspaces.slug',
      'workspaces.name as workspace_name',
    ])
    .where('sessions.id_hash', '=', sha256(sessionId))
    .executeTakeFirst();
  if (!row || row.active !== 1 || row.expires_at <= now()) return null;
  return {
    workspace: { id: row.workspace_id, slug: row.slug, name: row.workspace_name },
    user: {
      id: row.id,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      role: row.role,
    },
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

export async function signOut(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', sha256(sessionId)).execute();
}

/** Forgets expired sessions and old failed sign-ins. */
export async function pruneSessions(db: Db): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', now()).execute();
  const since = new Date(Date.now() - FAILURE_WINDOW_MS).toISOString();
  await db.deleteFrom('sign_in_failures').where('at', '<', since).execute();
}
