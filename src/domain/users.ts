import type { Db } from '../db/dialect.js';
import { checkedEmail } from './emails.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { foldCase } from './text.js';
import { createUser, type Role } from './user-accounts.js';

export { ROLES, type Role } from './user-accounts.js';

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
