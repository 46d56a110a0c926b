import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addUser } from '../../src/domain/users.js';
import { useApiWorld } from '../support/api-world.js';
import { Api } from '../support/server.js';
import { backend } from '../support/test-db.js';

/**
 * Another process holds SQLite's write lock (a long `roster imports undo` from the CLI, say). The server's
 * event loop must not wait for it: reads answer, writes give up with 503 `database_busy` and Retry-After.
 * The lock is held for the whole of each check, so a server that waited would not answer at all.
 */
describe.skipIf(backend !== 'sqlite')('another process holding the SQLite write lock', () => {
  const w = useApiWorld();
  let other: SQLite.Database;

  beforeEach(() => {
    other = new SQLite(path.join(w.t.env.ROSTER_DATA_DIR!, 'roster.sqlite'), { timeout: 0 });
  });
  afterEach(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  });

  it('leaves reads answering and writes refused with 503 database_busy, then writes again', async () => {
    await addUser(w.t.conn.db, w.ws.id, {
      email: 'ada@acme.test',
      password: 'ada-password-1',
      role: 'admin',
    });
    other.exec('BEGIN IMMEDIATE');
    expect(other.inTransaction).toBe(true);

    // A write waits (asynchronously) for the lock; reads made meanwhile answer before it gives up.
    const finished: string[] = [];
    const write = w.api.post('/api/positions', { name: 'Auditor' }).then((res) => {
      finished.push('write');
      return res;
    });
    const reads = Promise.all(
      ['/healthz', '/api/customers', '/api/positions', '/api/imports'].map((route) =>
        w.api.get(route).then((res) => {
          finished.push(route);
          return res;
        }),
      ),
    );
    for (const res of await reads) expect(res.status).toBe(200);
    const refused = await write;
    expect(finished.at(-1)).toBe('write');
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('database_busy');
    expect(refused.headers.get('retry-after')).toBe('5');

    // A sign-in writes its session: refused the same way, not a 500 after a minute.
    const signIn = await new Api(w.server.url).signIn('ada@acme.test', 'ada-password-1');
    expect(signIn.status).toBe(503);
    expect(signIn.json.error.code).toBe('database_busy');

    other.exec('ROLLBACK');
    const created = await w.api.post('/api/positions', { name: 'Auditor' });
    expect(created.status).toBe(201);
    expect((await new Api(w.server.url).signIn('ada@acme.test', 'ada-password-1')).status).toBe(200);
  });

  it('lets a write through that waits for a lock released within the wait', async () => {
    other.exec('BEGIN IMMEDIATE');
    const write = w.api.post('/api/positions', { name: 'Buyer' });
    // Released while the server's write is waiting for it (its wait is 5 s).
    await new Promise((resolve) => setTimeout(resolve, 500));
    other.exec('ROLLBACK');
    const res = await write;
    expect(res.status).toBe(201);
    const stored = await w.t.conn.db
      .selectFrom('positions')
      .select('name')
      .where('workspace_id', '=', w.ws.id)
      .where('name', '=', 'Buyer')
      .execute();
    expect(stored).toHaveLength(1);
  });
});
