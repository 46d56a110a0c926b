import type { Session } from '../api/types';

/**
 * What a role may do, as the server enforces it: an admin does everything; a member reads everything,
 * edits customers and contacts, imports every kind but users and undoes its own imports, but does not manage
 * positions, labels, custom fields, users or tokens. The UI hides what the role may not do and says why; the
 * server refuses it anyway (403).
 */
export type Action = 'edit-records' | 'manage-catalog' | 'manage-users' | 'import-users';

export function can(session: Session, action: Action): boolean {
  if (session.user.role === 'admin') return true;
  return action === 'edit-records';
}

/** Whether this session may undo a run: an admin any, a member its own. */
export function canUndo(session: Session, run: { actor: string }): boolean {
  return session.user.role === 'admin' || run.actor === session.user.email;
}

/** Why an action is not offered, for the place where it would be. */
export function whyNot(session: Session, what: string): string {
  return `Only an admin can ${what}; you are signed in as a ${session.user.role}.`;
}
