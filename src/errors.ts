/** Every failure of the system (not of a row) is an AppError with one of these codes. */
export type AppErrorCode =
  | 'usage'
  | 'config_invalid'
  | 'not_found'
  | 'already_exists'
  | 'workspace_required'
  | 'database_busy'
  | 'invalid_state'
  | 'preview_outdated'
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'in_use'
  | 'too_many_requests'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** True for unique-constraint violations on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** True when SQLite gave up waiting for another writer. */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_BUSY_SNAPSHOT' || e?.code === 'SQLITE_LOCKED';
}
