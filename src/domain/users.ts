import { sql, type ExpressionBuilder } from 'kysely';
import { dialectOf, type Db } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { checkedEmail, refuseTakenEmail, rethrowTakenEmail } from './emails.js';
import { contains, searchText, type Page, type PageQuery } from './paging.js';
import { hashPassword, MIN_PASSWORD_LENGTH, passwordLength, verifyPassword } from './passwords.js';
import { checkedRole, requireAdmin, type Role, type RoleHolder } from './roles.js';
import { foldCase, now } from './text.js';
import { sha256 } from './tokens.js';
import { changeWorkspaceData } from './workspaces.js';

/** A user as the API shows it: never the password nor its hash. */
export interface UserView {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UserInput {
  email?: string;
  password?: string;
  firstName?: string | null;
  lastName?: string | null;
  role?: Role;
  active?: boolean;
}

/**
 * Who makes a change: an admin or a member (a member changes only its own name and password), and the
 * signed-in user if it is one: they cannot lock themselves out, and keep their own session.
 */
export interface Actor extends RoleHolder {
  userId?: number;
  /** The cookie value of their session. */
  sessionId?: string;
}

/** Creates a user with an argon2id hash of the password (hashed before the write transaction starts). */
export async function createUser(
  db: Db,
  workspaceId: number,
  input: UserInput & { email: string; password: string },
): Promise<UserView> {
  const email = checkedEmail(input.email);
  const given = input.role === undefined ? undefined : checkedRole(input.role);
  const passwordHash = await checkedHash(input.password);
  const id = await changeWorkspaceData(db, workspaceId, async (trx) => {
    await refuseTakenEmail(trx, 'users', workspaceId, email, undefined);
    // A workspace's first user runs it: an admin unless said otherwise.
    const role = given ?? ((await activeAdmins(trx, workspaceId)) === 0 ? 'admin' : 'member');
    const at = now();
    const row = await trx
      .insertInto('users')
      .values({
        workspace_id: workspaceId,
        email,
        email_ci: foldCase(email),
        first_name: input.firstName?.trim() || null,
        last_name: input.lastName?.trim() || null,
        password_hash: passwordHash,
        active: input.active === false ? 0 : 1,
        role,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch(rethrowTakenEmail(trx, 'users', email));
    return row.id;
  });
  return getUser(db, workspaceId, id);
}

/** A user in the users import's column names, as `roster users list` prints it: never the password hash. */
export interface UserColumns {
  email: string;
  first_name: string | null;
  last_name: string | null;
  role: Role;
  active: boolean;
}

export interface NewUser {
  email: string;
  password: string;
  first_name?: string | null;
  last_name?: string | null;
  role?: Role;
}

/** Creates one user with an argon2id hash of the password (imports create many; this is for the CLI). */
export async function addUser(db: Db, workspaceId: number, u: NewUser): Promise<UserColumns> {
  const user = await createUser(db, workspaceId, {
    email: u.email,
    password: u.password,
    firstName: u.first_name,
    lastName: u.last_name,
    role: u.role,
  });
  return {
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    role: user.role,
    active: user.active,
  };
}

/** Whether a user with this email (any case) exists; checks the email's form first. */
export async function userExists(db: Db, workspaceId: number, email: string): Promise<boolean> {
  const checked = checkedEmail(email);
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('email_ci', '=', foldCase(checked))
    .executeTakeFirst();
  return row !== undefined;
}

/** Every user of a workspace, by email. */
export async function listUsers(db: Db, workspaceId: number): Promise<UserColumns[]> {
  const rows = await db
    .selectFrom('users')
    .select(['email', 'first_name', 'last_name', 'role', 'active'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('email')
    .execute();
  return rows.map((r) => ({ ...r, active: r.active === 1 }));
}

/** A stand-in hash, so an unknown email costs as much time as a wrong password. */
let decoy: Promise<string> | undefined;

/**
 * Signs a user in: the user when the email (any case) names an active user whose stored hash, in whatever
 * format it was imported, verifies the password; otherwise null. Inactive users cannot sign in.
 */
export async function authenticateUser(
  db: Db,
  workspaceId: number,
  email: string,
  password: string,
): Promise<UserColumns | null> {
  const row = await db
    .selectFrom('users')
    .select(['email', 'first_name', 'last_name', 'role', 'active', 'password_hash'])
    .where('workspace_id', '=', workspaceId)
    .where('email_ci', '=', foldCase(email.trim()))
    .executeTakeFirst();
  if (!row) {
    await verifyPassword(await (decoy ??= hashPassword('decoy password')), password);
    return null;
  }
  const ok = await verifyPassword(row.password_hash, password);
  if (!ok || row.active !== 1) return null;
  const { password_hash: _hash, ...user } = row;
  return { ...user, active: true };
}

/**
 * Changes a user. A new password or deactivation ends the user's sessions (but the session of the user who
 * changes their own password). Nobody can deactivate themselves.
 */
export async function updateUser(
  db: Db,
  workspaceId: number,
  id: number,
  patch: UserInput,
  actor?: Actor,
): Promise<UserView> {
  if (actor) refuseMemberEdit(actor, id, patch);
  const email = patch.email === undefined ? undefined : checkedEmail(patch.email);
  const role = patch.role === undefined ? undefined : checkedRole(patch.role);
  if (patch.active === false && actor?.userId === id) {
    throw new AppError('invalid_state', 'You cannot deactivate the user you are signed in as.');
  }
  const passwordHash = patch.password === undefined ? undefined : await checkedHash(patch.password);
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const before = await getUser(trx, workspaceId, id);
    if (email !== undefined) await refuseTakenEmail(trx, 'users', workspaceId, email, id);
    await trx
      .updateTable('users')
      .set({
        ...(email === undefined ? {} : { email, email_ci: foldCase(email) }),
        ...(patch.firstName === undefined ? {} : { first_name: patch.firstName?.trim() || null }),
        ...(patch.lastName === undefined ? {} : { last_name: patch.lastName?.trim() || null }),
        ...(role === undefined ? {} : { role }),
        ...(patch.active === undefined ? {} : { active: patch.active ? 1 : 0 }),
        ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
        updated_at: now(),
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute()
      .catch(rethrowTakenEmail(trx, 'users', email ?? ''));
    if (role === 'member' || patch.active === false) await keepAnActiveAdmin(trx, workspaceId, before);
    if (passwordHash !== undefined || patch.active === false) {
      const keep = actor?.userId === id && actor.sessionId ? sha256(actor.sessionId) : '';
      await trx.deleteFrom('sessions').where('user_id', '=', id).where('id_hash', '<>', keep).execute();
    }
  });
  return getUser(db, workspaceId, id);
}

/** Deletes a user; their sessions end with them (ON DELETE CASCADE). Nobody can delete themselves. */
export async function deleteUser(db: Db, workspaceId: number, id: number, actor?: Actor): Promise<void> {
  if (actor) requireAdmin(actor, 'delete users');
  if (actor?.userId === id) {
    throw new AppError('invalid_state', 'You cannot delete the user you are signed in as.');
  }
  await changeWorkspaceData(db, workspaceId, async (trx) => {
    const before = await getUser(trx, workspaceId, id);
    const result = await trx
      .deleteFrom('users')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(id);
    await keepAnActiveAdmin(trx, workspaceId, before);
  });
}

/** What a member may change of a user: its own name and password; all else is an admin's. */
function refuseMemberEdit(actor: Actor, id: number, patch: UserInput): void {
  if (actor.role === 'admin') return;
  if (actor.userId !== id) requireAdmin(actor, 'change other users');
  const others = (['email', 'role', 'active'] as const).filter((k) => patch[k] !== undefined);
  if (others.length > 0) requireAdmin(actor, `change a user's ${others.join(', ')}`);
}

/** How many active admins the workspace has. */
export async function activeAdmins(db: Db, workspaceId: number): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Refuses a change (in its transaction, so nothing of it stays) that took the workspace's last active admin
 * away: nobody could then manage users, fields or tokens from the web UI.
 */
async function keepAnActiveAdmin(trx: Db, workspaceId: number, before: UserView): Promise<void> {
  if (before.role !== 'admin' || !before.active || (await activeAdmins(trx, workspaceId)) > 0) return;
  throw new AppError(
    'invalid_state',
    `${before.email} is this workspace's last active admin; nothing was changed.`,
    'Make another user an active admin first.',
  );
}

export async function getUser(db: Db, workspaceId: number, id: number): Promise<UserView> {
  const row = await selectUsers(db, workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return view(row);
}

/** Users by email (code-point order); `q` finds a part of the email or of "first last", in any case. */
export async function searchUsers(db: Db, workspaceId: number, query: PageQuery): Promise<Page<UserView>> {
  const q = searchText(query.q);
  const name = sql`coalesce(first_name, '') || ' ' || coalesce(last_name, '')`;
  const matching = (eb: ExpressionBuilder<Database, 'users'>) =>
    eb.or([contains(eb.ref('email_ci'), q!), contains(dialectOf(db).foldedSql(name), q!)]);
  const [rows, total] = await Promise.all([
    selectUsers(db, workspaceId)
      .$if(q !== undefined, (qb) => qb.where(matching))
      .orderBy(dialectOf(db).codePointOrder(sql.ref('email')))
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .$if(q !== undefined, (qb) => qb.where(matching))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n), limit: query.limit, offset: query.offset };
}

/** Never selects password_hash: what is not read cannot be shown. */
function selectUsers(db: Db, workspaceId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name', 'role', 'active', 'created_at', 'updated_at'])
    .where('workspace_id', '=', workspaceId);
}

type UserRow = Awaited<ReturnType<ReturnType<typeof selectUsers>['executeTakeFirstOrThrow']>>;

function view(r: UserRow): UserView {
  return {
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role,
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

async function checkedHash(password: string): Promise<string> {
  if (passwordLength(password) < MIN_PASSWORD_LENGTH) {
    throw new AppError('invalid_request', `The password is shorter than ${MIN_PASSWORD_LENGTH} characters.`);
  }
  return hashPassword(password);
}

function notFound(id: number): AppError {
  return new AppError('not_found', `No user ${id}.`);
}
