import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Connection } from '../../src/db/connection.js';
import { addWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import { createRun } from '../../src/imports/run-import.js';
import { DEFAULT_OPTIONS } from '../../src/imports/import-options.js';
import { claimRun } from '../../src/imports/run-repository.js';
import { buildWorld, newContactsCsv } from '../support/factories.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startWorker, type TestWorker } from '../support/workers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runRow(t: TestDatabase, id: string) {
  return t.conn.db
    .selectFrom('import_runs')
    .selectAll()
    .where('public_id', '=', id)
    .executeTakeFirstOrThrow();
}

/** The contacts of one domain: how many rows, how many distinct emails, and whether every name is right. */
async function contactsOf(t: TestDatabase, wsId: number, domain: string) {
  const rows = await t.conn.db
    .selectFrom('contacts')
    .select(['email', 'first_name', 'last_name'])
    .where('workspace_id', '=', wsId)
    .where('email', 'like', `%@${domain}`)
    .execute();
  const wrong = rows.filter((r) => {
    const n = /^person(\d+)@/.exec(r.email!)![1];
    return r.first_name !== `First${n}` || r.last_name !== `Last${n}`;
  });
  return { rows: rows.length, emails: new Set(rows.map((r) => r.email)).size, wrong: wrong.length };
}

describe.runIf(backend === 'postgres')('workers on PostgreSQL', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let server: TestServer | undefined;
  const workers: TestWorker[] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    await server?.stop();
    server = undefined;
    await t?.cleanup();
  });

  it('take over a run whose worker was killed mid-apply, after its lease, and finish it exactly', async () => {
    server = await startServer(t.env, {}, ['--no-worker']);
    const api = new Api(server.url, await tokenFor(t.conn.db, ws.id));
    const env = { ...t.env, ROSTER_LEASE_MS: '2000', ROSTER_WORKER_CONCURRENCY: '1' };
    workers.push(await startWorker(env), await startWorker(env));
    // 100 batches: the kill lands after the first and long before the last.
    const rows = 1000;
    const queued = await api.upload('contacts', newContactsCsv(rows, 'takeover.example'), {
      batchSize: '10',
    });
    expect(queued.status).toBe(202);
    let run = await runRow(t, queued.json.id);
    while (!(run.status === 'running' && run.phase === 'applying' && run.rows_done > 0)) {
      expect(run.status, 'the run ended before it could be interrupted').toMatch(/queued|running/);
      await sleep(20);
      run = await runRow(t, queued.json.id);
    }
    const victim = workers.find((w) => w.process.pid === run.pid)!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim).toBeDefined();
    await victim.stop('SIGKILL');
    const killedAt = performance.now();
    const doneBefore = (await runRow(t, queued.json.id)).rows_done;
    while ((await runRow(t, queued.json.id)).pid !== survivor.process.pid) await sleep(50);
    const takeoverMs = performance.now() - killedAt;

    const done = await api.waitFor(queued.json.id, 180_000);
    console.info(
      `killed at ${doneBefore}/${rows} rows; taken over after ${Math.round(takeoverMs)} ms (lease 2000 ms)`,
    );
    expect(doneBefore).toBeLessThan(rows);
    expect(done).toMatchObject({ status: 'completed', counts: { created: rows, rowsProcessed: rows } });
    const after = await runRow(t, queued.json.id);
    expect(after.pid).toBe(survivor.process.pid);
    expect(after.lease_owner).toContain(`/${survivor.process.pid}/`);
    expect(await contactsOf(t, ws.id, 'takeover.example')).toEqual({ rows, emails: rows, wrong: 0 });
  }, 300_000);

  it('give a stale run to exactly one of two workers racing for it, and a live one to neither', async () => {
    const conns: Connection[] = await Promise.all(
      [1, 2].map(() => openDatabase(loadConfig({ ...process.env, ...t.env }))),
    );
    try {
      const run = await createRun(t.conn.db, {
        workspace: ws,
        kind: 'contacts',
        filePath: '/nonexistent.csv',
        actor: 'test',
        options: DEFAULT_OPTIONS,
        status: 'queued',
      });
      const id = run.publicId;
      for (let round = 0; round < 20; round++) {
        await t.conn.db
          .updateTable('import_runs')
          .set({ status: 'running', lease_owner: 'dead-worker', lease_until: Date.now() - 60_000 })
          .where('id', '=', run.id)
          .execute();
        const won = await Promise.all(
          conns.map((c, i) => claimRun(c.db, run, { owner: `racer-${i}`, ms: 60_000 })),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        const owner = (await runRow(t, id)).lease_owner;
        expect(owner).toBe(`racer-${won.indexOf(true)}`);
      }
      // The winner's lease is live now: nobody else takes the run.
      const again = await Promise.all(conns.map((c) => claimRun(c.db, run, { owner: 'late', ms: 60_000 })));
      expect(again).toEqual([false, false]);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('let a small import of another workspace pass a big one, and keep a workspace’s runs in order', async () => {
    const beta = await addWorkspace(t.conn.db, 'beta');
    server = await startServer(t.env, {}, ['--no-worker']);
    const alpha = new Api(server.url, await tokenFor(t.conn.db, ws.id));
    const other = new Api(server.url, await tokenFor(t.conn.db, beta.id));
    workers.push(await startWorker(t.env, { ROSTER_WORKER_CONCURRENCY: '2' }));

    // 100 batches: it is held below after its first.
    const big = await alpha.upload('contacts', newContactsCsv(2000, 'big.example'), { batchSize: '20' });
    let row = await runRow(t, big.json.id);
    while (!(row.phase === 'applying' && row.rows_done > 0)) {
      expect(row.status).toMatch(/queued|running/);
      await sleep(50);
      row = await runRow(t, big.json.id);
    }
    // Hold the big run mid-apply, whatever the machine's speed: its next batch waits for this row lock on
    // its workspace (each batch bumps the workspace's data version). Other workspaces are not held.
    let release = () => {};
    const holding = new Promise<void>((r) => (release = r));
    let locked = () => {};
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = t.conn.db.transaction().execute(async (trx) => {
      await trx.updateTable('workspaces').set({ name: 'Held' }).where('id', '=', ws.id).execute();
      locked();
      await holding;
    });
    await isLocked;
    // Two more runs into the busy workspace: they wait for it, in order, without holding the worker.
    const second = await alpha.upload('contacts', newContactsCsv(10, 'second.example'));
    const third = await alpha.upload('contacts', newContactsCsv(10, 'third.example'));
    const small = await other.upload('contacts', newContactsCsv(50, 'small.example'));
    expect(await other.waitFor(small.json.id, 120_000)).toMatchObject({ status: 'completed' });
    const [bigNow, secondNow, thirdNow] = await Promise.all(
      [big, second, third].map((r) => runRow(t, r.json.id)),
    );
    expect(bigNow!.status).toBe('running');
    expect(secondNow!.status).toBe('queued');
    expect(thirdNow!.status).toBe('queued');
    release();
    await holder;

    const finished = [];
    for (const r of [big, second, third]) {
      expect(await alpha.waitFor(r.json.id, 240_000)).toMatchObject({ status: 'completed' });
      finished.push((await runRow(t, r.json.id)).finished_at!);
    }
    expect([...finished].sort()).toEqual(finished);
    expect(await contactsOf(t, ws.id, 'big.example')).toEqual({ rows: 2000, emails: 2000, wrong: 0 });
  }, 300_000);
});
