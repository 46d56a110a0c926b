import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { BossQueue, QUEUE_OPTIONS } from '../../src/jobs/boss-queue.js';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe.runIf(backend === 'postgres')('the PostgreSQL job queue', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('starts on many processes at once against a new database, and makes its queue once', async () => {
    const config = loadConfig({ ...process.env, ...t.env });
    // Workers on several machines start together: pg-boss's create_queue can deadlock between them.
    const queues = Array.from({ length: 6 }, () => new BossQueue(t.conn.db, config, { work: false }));
    const started = await Promise.allSettled(queues.map((q) => q.start()));
    await Promise.all(queues.map((q) => q.stop()));
    expect(started.filter((s) => s.status === 'rejected')).toEqual([]);
    const made = await sql<{ name: string; retry_limit: number; expire_seconds: number }>`
      SELECT name, retry_limit, expire_seconds FROM roster_jobs.queue WHERE name NOT LIKE '\_\_pgboss%'`.execute(
      t.conn.db,
    );
    expect(made.rows).toEqual([
      {
        name: 'roster-import',
        retry_limit: QUEUE_OPTIONS.retryLimit,
        expire_seconds: QUEUE_OPTIONS.expireInSeconds,
      },
    ]);
  });
});
