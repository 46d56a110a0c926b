import { AppError } from '../errors.js';

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The rules of the two roles. `admin` does everything. `member` reads everything but API tokens; imports,
 * dry-runs and applies every kind but `users` (a users file sets passwords, so whoever imports one could
 * take over any account); undoes its own runs; saves and deletes column mappings; edits customers, contacts
 * and their links; and changes its own name and password. Every other change is an admin's. Over HTTP, a
 * route a member may change through says so (`config.members`); the import service and the users module
 * check what depends on the run or the user.
 */
/** Who is asking, as far as roles go: a user, an API token or the CLI's operator. */
export interface RoleHolder {
  role: Role;
  /** How the caller is called in a refusal: "you are signed in as a member", "this API token is a member". */
  via?: 'session' | 'token' | 'cli';
}

/** Throws 403 `forbidden` unless the caller is an admin; `what` completes "Only an admin may …". */
export function requireAdmin(caller: RoleHolder, what: string): void {
  if (caller.role === 'admin') return;
  throw new AppError('forbidden', `Only an admin may ${what}; ${asWho(caller)}.`, adminHint(caller));
}

function asWho(caller: RoleHolder): string {
  if (caller.via === 'token') return 'this API token has the member role';
  return 'you are signed in as a member';
}

function adminHint(caller: RoleHolder): string {
  return caller.via === 'token'
    ? 'Use a token made with `roster tokens create --role admin`, or ask an admin of this workspace.'
    : 'Ask an admin of this workspace.';
}

/** Parses a role given by a person (a CLI flag, a form field). */
export function checkedRole(role: string): Role {
  if (!ROLES.includes(role as Role)) {
    throw new AppError('invalid_request', `A role is admin or member, not "${role}".`);
  }
  return role as Role;
}
