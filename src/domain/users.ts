import type { Db } from '../db/dialect.js';
import { AppError, isUniqueViolation } from '../errors.js';
import { checkEmail, isProblem } from '../imports/stages/check-row.js';
import { hashPassword, MIN_PASSWORD_LENGTH, passwordLength, verifyPassword } from './passwords.js';
import { foldCase, now } from './text.js';

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** An internal user as listed: never the password hash. */
export interface User {
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
export async function addUser(db: Db, workspaceId: number, u: NewUser): Promise<User> {
  const email = checkEmail(u.email.trim(), 'email');
  if (isProblem(email)) throw new AppError('usage', email.message, email.hint);
  const role = u.role ?? 'member';
  if (!ROLES.includes(role)) throw new AppError('usage', `A role is admin or member, not "${String(role)}".`);
  if (passwordLength(u.password) < MIN_PASSWORD_LENGTH) {
    throw new AppError('usage', `The password is shorter than ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const user: User = {
    email,
    first_name: u.first_name?.trim() || null,
    last_name: u.last_name?.trim() || null,
    role,
    active: true,
  };
  const password_hash = await hashPassword(u.password);
  try {
    await db
      .insertInto('users')
      .values({
        workspace_id: workspaceId,
        email,
        email_ci: foldCase(email),
        first_name: user.first_name,
        last_name: user.last_name,
        password_hash,
        active: 1,
        role,
        created_at: now(),
        updated_at: now(),
      })
      .execute();
    return user;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('already_exists', `A user with email "${email}" exists.`);
    throw err;
  }
}

/** Whether a user with this email (any case) exists; checks the email's form first. */
export async function userExists(db: Db, workspaceId: number, email: string): Promise<boolean> {
  const checked = checkEmail(email.trim(), 'email');
  if (isProblem(checked)) throw new AppError('usage', checked.message, checked.hint);
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('email_ci', '=', foldCase(checked))
    .executeTakeFirst();
  return row !== undefined;
}

/** Every user of a workspace, by email. */
export async function listUsers(db: Db, workspaceId: number): Promise<User[]> {
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
): Promise<User | null> {
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
