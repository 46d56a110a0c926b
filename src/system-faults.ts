import { AppError } from './errors.js';

/** What a fault of the machine or database means for an import run: can it be resumed once it is fixed? */
export interface SystemFault {
  error: AppError;
  /** True when nothing about the file or the request is wrong: resume the run once the cause is gone. */
  resumable: boolean;
}

interface ErrorLike {
  code?: string;
  errno?: number;
  path?: string;
  syscall?: string;
  address?: string;
  port?: number;
  message?: string;
}

/**
 * Turns the errors that the system raises (SQLite, PostgreSQL, the file system, the network) into one
 * AppError each, with a message for people; anything else is left for the caller (a bug: "unexpected").
 */
export function systemFault(err: unknown, opts: { postgresAt?: string } = {}): SystemFault | undefined {
  if (err instanceof AppError) return undefined;
  const e = (err ?? {}) as ErrorLike;
  const code = e.code ?? '';
  const where = e.path ? ` (${e.path})` : '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED') {
    return {
      resumable: true,
      error: new AppError(
        'database_busy',
        'The database is locked by another process (another import, undo or command), and it did not free up in time.',
        'Try again when it has finished, or raise ROSTER_BUSY_TIMEOUT_MS.',
      ),
    };
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') {
    return {
      resumable: true,
      error: new AppError(
        'disk_full',
        `The disk is full${where}: nothing more could be written.`,
        'Free some space; an interrupted import then goes on with `roster imports resume ID`.',
      ),
    };
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return {
      resumable: true,
      error: new AppError(
        'storage_unwritable',
        `Roster cannot write its data${where}: the folder or database file is read-only or not ours.`,
        'Check ROSTER_DATA_DIR: it must be a writable folder (permissions, a read-only mount).',
      ),
    };
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_')) {
    return {
      resumable: true,
      error: new AppError(
        'storage_unwritable',
        `The database file could not be opened or read (${code}).`,
        'Check ROSTER_DATA_DIR: a writable folder on a working disk.',
      ),
    };
  }
  if (code === 'EISDIR') {
    return {
      resumable: false,
      error: new AppError(
        'usage',
        `${e.path ?? 'The file'} is a folder, not a file.`,
        'Give the path of a CSV file.',
      ),
    };
  }
  if (code === 'ENOTDIR' || (code === 'ENOENT' && e.syscall === 'mkdir')) {
    return {
      resumable: false,
      error: new AppError(
        'storage_unwritable',
        `Roster cannot create its data folder${where}: a part of the path is missing or not a folder.`,
        'Set ROSTER_DATA_DIR to a folder Roster may create and write.',
      ),
    };
  }
  if (code === 'ENOENT' && e.path) {
    return {
      resumable: true,
      error: new AppError(
        'file_missing',
        `The file ${e.path} is not there (moved or deleted?).`,
        'Put it back where it was; an interrupted import then goes on with `roster imports resume ID`.',
      ),
    };
  }
  if (
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ETIMEDOUT',
      'ECONNRESET',
    ].includes(code)
  ) {
    const first = (err as { errors?: ErrorLike[] }).errors?.[0] ?? e;
    const at = opts.postgresAt ?? (first.address ? `${first.address}:${first.port ?? 5432}` : 'DATABASE_URL');
    return { resumable: true, error: unreachable(`cannot reach PostgreSQL at ${at} (${code})`) };
  }
  if (/timeout expired|Connection terminated/i.test(e.message ?? '')) {
    const at = opts.postgresAt ? ` at ${opts.postgresAt}` : '';
    return {
      resumable: true,
      error: unreachable(`PostgreSQL${at} accepted the connection but did not answer in time (${e.message})`),
    };
  }
  if (code === '57014' || code === '57P01' || code === '57P03') {
    return {
      resumable: true,
      error: new AppError(
        'database_unreachable',
        `PostgreSQL stopped the statement: ${e.message}.`,
        'The server is shutting down, starting, or the statement ran past its timeout; try again.',
      ),
    };
  }
  return undefined;
}

function unreachable(message: string): AppError {
  return new AppError(
    'database_unreachable',
    message,
    'Check DATABASE_URL (host, port) and that the PostgreSQL server is running and answers.',
  );
}
