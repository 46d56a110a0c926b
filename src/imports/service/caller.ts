import type { Role } from '../../domain/users.js';
import type { Workspace } from '../../domain/workspaces.js';

/** Who asks the import service for something: the CLI's operator, an API token, or a signed-in user. */
export interface Caller {
  workspace: Workspace;
  /** What a run records as its author: a user's email, `token:<name>`, or `cli:<login>`. */
  actor: string;
  /** A session user's role; API tokens and the CLI (whoever runs it owns the database) act as admin. */
  role: Role;
}

/** What a caller can ask of the import service. */
export type ImportAction = 'import' | 'apply' | 'resume' | 'undo' | 'read';

/**
 * The one place that decides whether a caller may do an action; every service function asks it first.
 * Today every role may do everything (SPEC has no roles for imports yet).
 */
export function authorize(caller: Caller, action: ImportAction): void {
  void caller;
  void action;
}
