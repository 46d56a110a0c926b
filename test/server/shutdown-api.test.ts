import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { buildWorld, newContactsCsv } from '../support/factories.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { uploadsLeft } from '../support/uploads.js';

// 40 batches: the stop lands between the first and the last one, whatever the machine's speed.
const ROWS = 20_000;
const BATCH = 500;
/** The sample world's contacts, there before the import. */
const WORLD_CONTACTS = 4;

const POSITIONS = 'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n';

/** Polls until the run is applying its batches (at least one committed), and returns its progress. */
async function untilApplying(api: Api, id: string): Promise<{ rowsDone: number; rowsTotal: number }> {
  const until = Date.now() + 180_000;
  for (;;) {
    const run = (await api.get(`/api/imports/${id}`)).json;
    if (run.status === 'running' && run.progress.rowsDone > 0) return run.progress;
    if (run.status !== 'queued' && run.status !== 'running')
      throw new Error(`run ended early: ${run.status}`);
    if (Date.now() > until) throw new Error('the run never started applying');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until the run has finished; `interrupted` is not final here: a starting server takes it up again. */
async function untilFinished(api: Api, id: string) {
  const until = Date.now() + 240_000;
  for (;;) {
    const run = (await api.get(`/api/imports/${id}`)).json;
    if (!['queued', 'running', 'interrupted'].includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`run still ${run.status} at ${run.progress.rowsDone} rows`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stopping the server in the middle of an import', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let servers: TestServer[];

  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await t?.cleanup();
  });

  const run = (id: string) =>
    t.conn.db.selectFrom('import_runs').selectAll().where('public_id', '=', id).executeTakeFirstOrThrow();
  const contacts = async () =>
    Number(
      (
        await t.conn.db
          .selectFrom('contacts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', ws.id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Starts a server, uploads the big file with small batches, and waits until some batches are in. */
  async function importUntilApplying(): Promise<{ server: TestServer; id: string; token: string }> {
    const server = await startServer(t.env);
    servers.push(server);
    const token = await tokenFor(t.conn.db, ws.id);
    const api = new Api(server.url, token);
    const res = await api.upload(
      'contacts',
      newContactsCsv(ROWS, 'resumed.test'),
      { batchSize: String(BATCH) },
      'many.csv',
    );
    expect(res.status).toBe(202);
    await untilApplying(api, res.json.id);
    return { server, id: res.json.id, token };
  }

  /** Starts a second server on the same database and files; it takes the run up again by itself. */
  async function restartAndFinish(first: TestServer, id: string, token: string) {
    const server = await startServer(t.env, { ROSTER_DATA_DIR: first.dataDir });
    servers.push(server);
    const api = new Api(server.url, token);
    const done = await untilFinished(api, id);
    expect(done, server.output()).toMatchObject({
      status: 'completed',
      progress: { rowsDone: ROWS, rowsTotal: ROWS },
    });
    // Every row applied once: each created exactly one contact, none twice and none lost.
    expect(done.report.counts).toEqual({
      rowsProcessed: ROWS,
      created: ROWS,
      updated: 0,
      unchanged: 0,
      unmatched: 0,
      invalid: 0,
      duplicates: 0,
    });
    expect(await contacts()).toBe(WORLD_CONTACTS + ROWS);
    const emails = await t.conn.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.count<number>('email_ci').distinct().as('n'))
      .where('workspace_id', '=', ws.id)
      .where('email', 'like', '%@resumed.test')
      .executeTakeFirstOrThrow();
    expect(Number(emails.n)).toBe(ROWS);
    return api;
  }

  /**
   * No run holds the workspace lock once every run is over. A run is marked completed inside the lock, which
   * is let go just after: the row goes within moments, so this waits a little for it rather than racing it.
   */
  async function expectNoLocksLeft() {
    const locks = () => t.conn.db.selectFrom('workspace_locks').selectAll().execute();
    for (const until = Date.now() + 10_000; Date.now() < until && (await locks()).length > 0;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await locks()).toEqual([]);
  }

  it('on SIGTERM stops after the current batch, exits 0, and the next server finishes the runs', async () => {
    const { server, id, token } = await importUntilApplying();
    // A second run waits behind the first: queued when the server stops, taken up by the next one too.
    const waiting = await new Api(server.url, token).upload('positions', POSITIONS);
    expect(waiting.status).toBe(202);
    const started = performance.now();
    const code = await server.stop('SIGTERM');
    const seconds = (performance.now() - started) / 1000;
    expect(code, server.output()).toBe(0);
    expect(seconds).toBeLessThan(20);

    const stopped = await run(id);
    console.info(
      `SIGTERM: exited ${code} after ${seconds.toFixed(1)} s, the run interrupted at row ${stopped.rows_done}`,
    );
    expect(stopped).toMatchObject({ status: 'interrupted', phase: 'applying', rows_total: ROWS });
    expect(stopped.rows_done % BATCH).toBe(0);
    expect(stopped.rows_done).toBeGreaterThan(0);
    expect(stopped.rows_done).toBeLessThan(ROWS);
    // What is committed is exactly the finished batches.
    expect(await contacts()).toBe(WORLD_CONTACTS + stopped.rows_done);
    expect(await t.conn.db.selectFrom('workspace_locks').selectAll().execute()).toEqual([]);
    expect(await run(waiting.json.id)).toMatchObject({ status: 'queued', rows_done: 0 });

    const next = await restartAndFinish(server, id, token);
    expect(await untilFinished(next, waiting.json.id)).toMatchObject({
      status: 'completed',
      counts: { updated: 1 },
    });
    await expectNoLocksLeft();
    expect(await uploadsLeft(t, server)).toEqual([]);
  }, 420_000);

  it('after SIGKILL, the next server marks the run interrupted, takes over its lock and finishes it', async () => {
    const { server, id, token } = await importUntilApplying();
    expect(await server.stop('SIGKILL')).toBeNull();

    const killed = await run(id);
    expect(killed).toMatchObject({ status: 'running', phase: 'applying', pid: server.process.pid });
    expect(killed.rows_done % BATCH).toBe(0);
    expect(killed.rows_done).toBeLessThan(ROWS);
    expect(await contacts()).toBe(WORLD_CONTACTS + killed.rows_done);
    if (backend === 'sqlite') {
      // The dead process's lock row stays behind; the next server must take it over.
      expect(await t.conn.db.selectFrom('workspace_locks').select('pid').execute()).toEqual([
        { pid: server.process.pid },
      ]);
    }

    await restartAndFinish(server, id, token);
    await expectNoLocksLeft();
    expect(await uploadsLeft(t, server)).toEqual([]);
  }, 420_000);
});
