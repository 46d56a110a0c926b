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
  | 'disk_full'
  | 'storage_unwritable'
  | 'file_missing'
  | 'database_unreachable'
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
