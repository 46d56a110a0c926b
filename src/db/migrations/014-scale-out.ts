import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Scale-out: a running run carries a lease (which worker holds it, until when on the database's clock),
 * and on PostgreSQL uploads live in the database, so a worker on any machine reads what any API process
 * received. An upload is cut into 1 MiB rows of `upload_chunks` (not large objects: rows are deleted with
 * their upload by ON DELETE CASCADE, need no lo_unlink, and go through the pool like any statement).
 * SQLite keeps uploads as files and has no such tables.
 */
export function scaleOutMigration(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('import_runs').addColumn('lease_owner', 'text').execute();
      // Milliseconds since 1970 on the database's clock: two machines' clocks are never compared.
      await db.schema.alterTable('import_runs').addColumn('lease_until', 'bigint').execute();
      // What a claim and the lease sweep look for: a workspace's waiting and running runs.
      await db.schema
        .createIndex('import_runs_workspace_status_idx')
        .on('import_runs')
        .columns(['workspace_id', 'status', 'id'])
        .execute();
      if (dialect !== 'postgres') return;
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('complete', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('upload_chunks')
        .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('data', 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_chunks_pk', ['upload_id', 'seq'])
        .execute();
      // CSV roughly halves with lz4, which writes faster than pglz (the default); a server built without
      // lz4 keeps pglz.
      const { rows } = await sql<{ lz4: boolean }>`
        SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`.execute(
        db,
      );
      if (rows[0]?.lz4)
        await sql`ALTER TABLE upload_chunks ALTER COLUMN data SET COMPRESSION lz4`.execute(db);
    },
  };
}
