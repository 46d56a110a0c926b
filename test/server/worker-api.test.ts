import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/domain/workspaces.js';
import { roster } from '../support/cli.js';
import { buildWorld, newContactsCsv } from '../support/factories.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { storedUploads } from '../support/uploads.js';
import { startWorker, type TestWorker } from '../support/workers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');

describe('separate import workers', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let server: TestServer | undefined;

  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await t?.cleanup();
  });

  it.runIf(backend === 'sqlite')(
    'are refused on the embedded database, with what to do instead',
    async () => {
      const worker = await roster(['worker'], t.env);
      expect(worker.status).toBe(1);
      expect(worker.stderr).toMatch(/embedded database runs imports inside `roster serve`/);
      await expect(startServer(t.env, {}, ['--no-worker'])).rejects.toThrow(/--no-worker needs PostgreSQL/);
    },
  );

  it.runIf(backend === 'sqlite' && process.platform === 'linux')(
    'on the embedded database, the import thread runs at ROSTER_IMPORT_NICE and the event loop at the server’s',
    async () => {
      server = await startServer(t.env);
      const pid = server.process.pid!;
      expect(niceOfThreads(pid).get(pid)).toBe(0);
      expect([...niceOfThreads(pid).values()]).toContain(10);
      await server.stop();

      server = await startServer(t.env, { ROSTER_IMPORT_NICE: '0' });
      expect(new Set(niceOfThreads(server.process.pid!).values())).toEqual(new Set([0]));
    },
  );

  it.runIf(backend === 'postgres')(
    'take the imports a server without a worker queued (pg-boss in the same database)',
    async () => {
      server = await startServer(t.env, {}, ['--no-worker']);
      const api = new Api(server.url, await tokenFor(t.conn.db, ws.id));
      const queued = await api.upload('contacts', newContactsCsv(200, 'worker.example'));
      expect(queued.status).toBe(202);
      // Nobody runs it yet: the server only queues.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await api.get(`/api/imports/${queued.json.id}`)).json.status).toBe('queued');

      const worker = spawn(process.execPath, [BIN, 'worker'], {
        env: { ...process.env, ROSTER_LOG_LEVEL: 'warn', ...t.env, ROSTER_DATA_DIR: server.dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((r) => worker.once('exit', r));
      try {
        const run = await api.waitFor(queued.json.id);
        expect(run).toMatchObject({ status: 'completed', counts: { created: 200, rowsProcessed: 200 } });
        const row = await t.conn.db
          .selectFrom('import_runs')
          .select('pid')
          .where('public_id', '=', queued.json.id)
          .executeTakeFirstOrThrow();
        expect(row.pid).toBe(worker.pid);
      } finally {
        worker.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    },
  );
});

/** Each thread's nice value, by thread id (field 19 of /proc/PID/task/TID/stat, after the command in parens). */
function niceOfThreads(pid: number): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

describe('a worker on another machine', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let server: TestServer | undefined;
  let worker: TestWorker | undefined;

  beforeEach(async () => {
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  });
  afterEach(async () => {
    await worker?.stop('SIGKILL');
    await server?.stop();
    server = worker = undefined;
    await t?.cleanup();
  });

  it.runIf(backend === 'postgres')(
    'reads the upload from the database: it never saw the file on a disk, and it is deleted when done',
    async () => {
      server = await startServer(t.env, {}, ['--no-worker']);
      const api = new Api(server.url, await tokenFor(t.conn.db, ws.id));
      const csv = newContactsCsv(300, 'elsewhere.example');
      const queued = await api.upload('contacts', csv);
      expect(queued.status).toBe(202);
      // The API process kept nothing on its disk: the file is in the database, byte for byte.
      expect(fs.existsSync(path.join(server.dataDir, 'uploads'))).toBe(false);
      const chunks = await t.conn.db.selectFrom('upload_chunks').select('data').orderBy('seq').execute();
      expect(Buffer.concat(chunks.map((c) => c.data)).toString()).toBe(csv);

      // A data folder of its own: what it reads can only come from PostgreSQL.
      worker = await startWorker(t.env);
      const run = await api.waitFor(queued.json.id);
      expect(run).toMatchObject({ status: 'completed', counts: { created: 300, rowsProcessed: 300 } });
      expect(run.report.file).toMatchObject({ bytes: Buffer.byteLength(csv) });
      expect(await storedUploads(t, server)).toEqual([]);
    },
  );
});
