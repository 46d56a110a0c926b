import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The text a contact's name is searched in: "first last", case-folded as `foldedSql` folds. */
const NAME = (row: string) => `coalesce(${row}first_name, '') || ' ' || coalesce(${row}last_name, '')`;

/**
 * `contacts.name_ci`: the contact's name folded once, when it is written, so a search compares stored text
 * instead of folding every contact's name again on every search (on SQLite that fold is a JavaScript call a
 * row: a search of 200k contacts took ~0.4 s, and on the server's event loop).
 * - PostgreSQL: a generated column over lower(), as the search folded before.
 * - SQLite: a plain column kept by triggers calling `fold_case` (registered on every connection Roster
 *   opens; SQLite cannot add a stored generated column to a table that exists). Every writer is covered,
 *   imports, API edits and undo alike, without any of them naming the column.
 */
export function contactSearchMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        await sql
          .raw(`ALTER TABLE contacts ADD COLUMN name_ci text GENERATED ALWAYS AS (lower(${NAME('')})) STORED`)
          .execute(db);
        return;
      }
      await sql.raw(`ALTER TABLE contacts ADD COLUMN name_ci TEXT`).execute(db);
      await sql.raw(`UPDATE contacts SET name_ci = fold_case(${NAME('')})`).execute(db);
      await sql
        .raw(
          `CREATE TRIGGER contacts_name_ci_insert AFTER INSERT ON contacts BEGIN
             UPDATE contacts SET name_ci = fold_case(${NAME('new.')}) WHERE id = new.id;
           END`,
        )
        .execute(db);
      await sql
        .raw(
          `CREATE TRIGGER contacts_name_ci_update AFTER UPDATE OF first_name, last_name, name_ci ON contacts
           WHEN new.name_ci IS NOT fold_case(${NAME('new.')}) BEGIN
             UPDATE contacts SET name_ci = fold_case(${NAME('new.')}) WHERE id = new.id;
           END`,
        )
        .execute(db);
    },
  };
}
