import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { buildWorld } from './factories.js';
import { Api, startServer, tokenFor, type TestServer } from './server.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

/** A database holding the sample world twice, a server on it, and a client with a token of the first. */
export interface ApiWorld {
  t: TestDatabase;
  /** "acme", the workspace of the token. */
  ws: Workspace;
  /** "other": the same sample world, which acme's token must never see. */
  other: Workspace;
  server: TestServer;
  api: Api;
}

/** One ApiWorld for the tests of a describe block (a server costs a second or two to start). */
export function useApiWorld(): ApiWorld {
  const w = {} as ApiWorld;
  beforeAll(async () => {
    w.t = await createTestDatabase();
    w.ws = await buildWorld(w.t.conn.db);
    w.other = await buildWorld(w.t.conn.db, 'other');
    w.server = await startServer(w.t.env);
    w.api = new Api(w.server.url, await tokenFor(w.t.conn.db, w.ws.id));
  });
  afterAll(async () => {
    await w.server?.stop();
    await w.t?.cleanup();
  });
  return w;
}

/** The integer id of a record found by one of its columns, in acme unless `ws` says otherwise. */
export async function idOf(
  w: ApiWorld,
  table: 'customers' | 'contacts' | 'positions' | 'users',
  column: 'ref' | 'email' | 'name',
  value: string,
  ws = w.ws,
): Promise<number> {
  const row = await w.t.conn.db
    .selectFrom(table)
    .select('id')
    .where('workspace_id', '=', ws.id)
    .where(sql.ref(column), '=', value)
    .executeTakeFirstOrThrow();
  return row.id;
}
