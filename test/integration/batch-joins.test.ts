import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf, type Db } from '../../src/db/dialect.js';
import { inTransaction } from '../../src/db/transaction.js';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';

// The batch statements that join a batch's rows to whole tables through unique keys run with key probes
// only (joiningByKey); the batch's other statements keep every join the planner has.
describe(`joins of a batch to whole tables on ${backend}`, () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it.runIf(backend === 'postgres')(
    'probe by key inside joiningByKey, and the settings are back after it, in the same transaction',
    async () => {
      t = await createTestDatabase();
      const settings = (db: Db) =>
        sql<{ hash: string; merge: string }>`SELECT current_setting('enable_hashjoin') AS hash,
          current_setting('enable_mergejoin') AS merge`
          .execute(db)
          .then((r) => r.rows[0]);
      const seen = await inTransaction(t.conn.db, async (trx) => {
        const inside = await dialectOf(trx).joiningByKey(trx, () => settings(trx));
        return { inside, after: await settings(trx) };
      });
      expect(seen).toEqual({ inside: { hash: 'off', merge: 'off' }, after: { hash: 'on', merge: 'on' } });
      expect(await settings(t.conn.db)).toEqual({ hash: 'on', merge: 'on' });
    },
  );

  it('answers what the statements inside it answer', async () => {
    t = await createTestDatabase();
    const answer = await inTransaction(t.conn.db, (trx) =>
      dialectOf(trx).joiningByKey(trx, () => sql<{ n: number }>`SELECT 41 + 1 AS n`.execute(trx)),
    );
    expect(Number(answer.rows[0]?.n)).toBe(42);
  });
});
