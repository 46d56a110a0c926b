import { afterEach, describe, expect, it } from 'vitest';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe(`createTestDatabase on ${backend}`, () => {
  let testDb: TestDatabase | undefined;

  afterEach(async () => {
    await testDb?.cleanup();
    testDb = undefined;
  });

  it('opens a migrated database of the backend under test', async () => {
    testDb = await createTestDatabase();
    const { db, dialect } = testDb.conn;
    expect(dialect).toBe(backend);

    await db
      .insertInto('workspaces')
      .values({ slug: 'x', name: 'X', created_at: new Date().toISOString() })
      .execute();
    const rows = await db.selectFrom('workspaces').select(['slug', 'name']).execute();

    expect(rows).toEqual([{ slug: 'x', name: 'X' }]);
  });

  it('gives every test a database of its own', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    try {
      await first.conn.db
        .insertInto('workspaces')
        .values({ slug: 'a', name: 'A', created_at: '2024-01-01' })
        .execute();
      const seen = await second.conn.db.selectFrom('workspaces').selectAll().execute();
      expect(seen).toEqual([]);
      expect(second.env).not.toEqual(first.env);
    } finally {
      await Promise.all([first.cleanup(), second.cleanup()]);
    }
  });

  it('points a subprocess environment at the same database', async () => {
    testDb = await createTestDatabase();
    if (backend === 'postgres') {
      expect(testDb.env.DATABASE_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/roster_test_/);
    } else {
      expect(testDb.env.ROSTER_DATA_DIR).toBeTruthy();
      expect(testDb.env.DATABASE_URL).toBe('');
    }
  });
});
