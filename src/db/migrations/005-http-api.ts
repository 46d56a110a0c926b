import type { Kysely } from 'kysely';
import { idColumnType, type DialectName } from '../dialect.js';

/** What the HTTP API needs: API tokens, sign-in sessions and attempts, data versions, queued and applied runs. */
export function httpApiMigration(dialect: DialectName) {
  const id = idColumnType(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      // Workspace API tokens: only a SHA-256 of the token is kept (tokens are 256 random bits).
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', (c) =>
          c.notNull().references('workspaces.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      // Signed-in users: the cookie holds a random id, the table its SHA-256 and the CSRF token.
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'integer', (c) =>
          c.notNull().references('workspaces.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      // Failed sign-ins, counted per account and per address over a window (shared by every API process).
      await db.schema
        .createTable('sign_in_failures')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sign_in_failures_scope')
        .on('sign_in_failures')
        .columns(['scope', 'at'])
        .execute();
      // Bumped by every change to a workspace's data: a reviewed dry run applies only if it has not moved.
      await db.schema
        .alterTable('workspaces')
        .addColumn('data_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // The data version a run planned against; for an apply, the version its dry run saw.
      await db.schema.alterTable('import_runs').addColumn('data_version', 'integer').execute();
      await db.schema.alterTable('import_runs').addColumn('expected_data_version', 'integer').execute();
      // A dry run applied later: the run that applied it, and on that run, the dry run it came from.
      await db.schema.alterTable('import_runs').addColumn('applied_run_id', 'text').execute();
      await db.schema.alterTable('import_runs').addColumn('source_run_id', 'text').execute();
      await db.schema.createIndex('import_runs_status').on('import_runs').columns(['status']).execute();
    },
  };
}
