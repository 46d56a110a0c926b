import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Roles are enforced from here on. API tokens carry a role; tokens made before keep acting as admins, as
 * they did. A workspace whose users are all members (the old default of `roster users add`) would have
 * nobody left to manage its users from the web UI, so its oldest active user becomes its admin.
 */
export function tokenRolesMigration(_dialect: DialectName) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('api_tokens')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('admin'))
        .execute();
      await sql`UPDATE users SET role = 'admin' WHERE id IN (
          SELECT min(u.id) FROM users u WHERE u.active = 1 AND NOT EXISTS (
            SELECT 1 FROM users a WHERE a.workspace_id = u.workspace_id AND a.role = 'admin' AND a.active = 1)
          GROUP BY u.workspace_id)`.execute(db);
    },
  };
}
