import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { buildWorld } from './factories.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

type Receive = (t: TestDatabase, ws: Workspace) => void;

/** Each test gets its own database holding the sample world (workspace "acme"), removed after it. */
export function useWorldPerTest(receive: Receive): void {
  let t: TestDatabase | undefined;
  beforeEach(async () => {
    t = await createTestDatabase();
    receive(t, await buildWorld(t.conn.db));
  });
  afterEach(() => t?.cleanup());
}

/** The tests of a file share one database holding the sample world in each of the given workspaces. */
export function useWorldPerFile(slugs: readonly string[], receive: (t: TestDatabase) => void): void {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    for (const slug of slugs) await buildWorld(t.conn.db, slug);
    receive(t);
  });
  afterAll(() => t?.cleanup());
}
