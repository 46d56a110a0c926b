import { requireAdmin, type Role } from '../../domain/roles.js';
import type { KindName } from '../types.js';
import type { Workspace } from '../../domain/workspaces.js';

/** Who asks the import service for something: the CLI's operator, an API token, or a signed-in user. */
export interface Caller {
  workspace: Workspace;
  /** What a run records as its author: a user's email, `token:<name>`, or `cli:<login>`. */
  actor: string;
  /** The session user's or API token's role; the CLI acts as admin (whoever runs it owns the database). */
  role: Role;
  via?: 'session' | 'token' | 'cli';
}

/** What a caller can ask of the import service. */
export type ImportAction = 'import' | 'apply' | 'resume' | 'undo' | 'read';

/** The run (or the file about to become one) an action is about. */
export interface ImportSubject {
  kind: KindName;
  /** Who made the run (none for a new import). */
  actor?: string;
}

/**
 * The one place that decides whether a caller may do an action on imports; every service function asks it
 * first. Admins may do everything; members read every run, import, apply and resume every kind but `users`
 * (a users file sets passwords), and undo their own runs (403 `forbidden` otherwise).
 */
export function authorize(caller: Caller, action: ImportAction, subject?: ImportSubject): void {
  if (caller.role === 'admin' || action === 'read') return;
  if (subject?.kind === 'users') {
    requireAdmin(caller, action === 'import' ? 'import users files' : `${action} imports of users`);
  }
  if (action === 'undo' && subject?.actor !== caller.actor) {
    requireAdmin(caller, `undo an import made by ${subject?.actor ?? 'someone else'}`);
  }
}
