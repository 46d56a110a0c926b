import type SQLite from 'better-sqlite3';
import { foldCase } from '../domain/text.js';

/**
 * Registers `fold_case` on a handle: the same case folding as the `*_ci` columns, which lower() is not.
 * Every handle Roster opens has it: the contacts triggers call it (migration 019), and so does foldedSql.
 */
export function withFoldCase(database: SQLite.Database): SQLite.Database {
  database.function('fold_case', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? foldCase(v) : v,
  );
  return database;
}
