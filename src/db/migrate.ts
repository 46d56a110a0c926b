import { Migrator, type Migration } from 'kysely';
import { AppError } from '../errors.js';
import { systemFault } from '../system-faults.js';
import type { DialectName, Db } from './dialect.js';
import { initialMigration } from './migrations/001-initial.js';
import { usersImportMigration } from './migrations/002-users-import.js';
import { contactLabelsFieldsMigration } from './migrations/003-contact-labels-fields.js';
import { undoResumeMigration } from './migrations/004-undo-resume.js';
import { httpApiMigration } from './migrations/005-http-api.js';
import { entityUseIndexesMigration } from './migrations/006-entity-use-indexes.js';
import { recordHistoryMigration } from './migrations/010-record-history.js';
import { tokenRolesMigration } from './migrations/011-token-roles.js';
import { columnMappingsMigration } from './migrations/012-column-mappings.js';
import { identityFoldMigration } from './migrations/013-identity-fold.js';
import { scaleOutMigration } from './migrations/014-scale-out.js';
import { undoProgressMigration } from './migrations/016-undo-progress.js';
import { importOutcomesMigration } from './migrations/017-import-outcomes.js';
import { contactSearchMigration } from './migrations/019-contact-search.js';
import { rowStatusOrderMigration } from './migrations/020-row-status-order.js';
import { stagedRowRoomMigration } from './migrations/021-staged-row-room.js';
import { runRowsUncheckedMigration } from './migrations/022-run-rows-unchecked.js';

function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '001-initial': initialMigration(dialect),
    '002-users-import': usersImportMigration(dialect),
    '003-contact-labels-fields': contactLabelsFieldsMigration(dialect),
    '004-undo-resume': undoResumeMigration(dialect),
    '005-http-api': httpApiMigration(dialect),
    '006-entity-use-indexes': entityUseIndexesMigration(dialect),
    '010-record-history': recordHistoryMigration(dialect),
    '011-token-roles': tokenRolesMigration(dialect),
    '012-column-mappings': columnMappingsMigration(dialect),
    '013-identity-fold': identityFoldMigration(dialect),
    '014-scale-out': scaleOutMigration(dialect),
    '016-undo-progress': undoProgressMigration(dialect),
    '017-import-outcomes': importOutcomesMigration(dialect),
    '019-contact-search': contactSearchMigration(dialect),
    '020-row-status-order': rowStatusOrderMigration(),
    '021-staged-row-room': stagedRowRoomMigration(dialect),
    '022-run-rows-unchecked': runRowsUncheckedMigration(dialect),
  };
}

/** Brings the schema up to date; run on every start, safe to run from several processes. */
export async function migrateToLatest(db: Db, dialect: DialectName): Promise<void> {
  // Migrations are numbered as work is planned and may land out of order (011 after 012); each one is
  // independent of those numbered after it, so a database that has run a later one still takes an earlier.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    // Unreachable database, full disk, read-only folder: said as such, not as a failed migration.
    if (systemFault(error)) throw error;
    // Kysely's words when the database holds a migration this build lacks: a newer Roster has used it.
    const newer = /previously executed migration (\S+) is missing/.exec(String((error as Error).message));
    if (newer) {
      throw new AppError(
        'invalid_state',
        `This database has been upgraded by a newer version of Roster (it has migration ${newer[1]}, which this version does not know).`,
        'Run the newer version of Roster on it; an older one cannot use it safely.',
      );
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError(
      'internal',
      `Database migration ${failed} failed: ${String((error as Error).message ?? error)}`,
    );
  }
}
