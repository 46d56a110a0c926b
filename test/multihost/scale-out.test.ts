import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Connection } from '../../src/db/connection.js';
import { createToken } from '../../src/domain/tokens.js';
import { addWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import { exportCsv } from '../../src/exports/export-csv.js';
import { DEFAULT_OPTIONS } from '../../src/imports/import-options.js';
import { runImport } from '../../src/imports/run-import.js';
import { PG_BIN_DIR } from '../support/pg-cluster.js';
import { Api } from '../support/server.js';
import { makeHosts, netnsUnavailable, type Hosts } from './netns.js';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/roster');
const WORKSPACES = 10;
/** Short, so the takeover comes quickly; a worker renews every third of it. */
const LEASE_MS = 3000;
const BATCH = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`multi-host test skipped: ${unavailable}`);

/** The contacts file of workspace `i`: sizes differ, so the runs end at different times. */
function fileOf(i: number): string {
  const lines = ['email,first_name,last_name'];
  for (let n = 1; n <= 150 + 20 * i; n++) lines.push(`p${n}.w${i}@multi.example,First${n},Last${i}-${n}`);
  return `${lines.join('\n')}\n`;
}

async function exportOf(db: Connection['db'], wsId: number): Promise<string> {
  let text = '';
  for (const kind of ['persons', 'contacts'] as const) {
    const out = new PassThrough();
    out.on('data', (d: Buffer) => (text += d.toString()));
    await exportCsv(db, wsId, kind, out);
  }
  return text;
}

/** Waits for a line in a process's output, or fails with the output so far. */
function ready(child: ChildProcess, pattern: RegExp, name: string): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = pattern.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? m[0]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${output}`));
    });
  });
}

/** A PostgreSQL 15 server in the `db` namespace, listening only on its link; returns its admin URL. */
async function startPostgres(hosts: Hosts, dir: string, children: ChildProcess[]): Promise<string> {
  const ids = await Promise.all(['-u', '-g'].map((f) => run('id', [f, 'postgres'])));
  fs.chownSync(dir, Number(ids[0]!.stdout), Number(ids[1]!.stdout));
  const data = path.join(dir, 'data');
  const asPostgres = (bin: string, ...args: string[]) => [
    '-u',
    'postgres',
    '--',
    path.join(PG_BIN_DIR, bin),
    ...args,
  ];
  await run(
    'runuser',
    asPostgres('initdb', '-D', data, '-U', 'postgres', '-A', 'trust', '--locale=C', '--no-sync'),
    {
      cwd: dir,
    },
  );
  fs.appendFileSync(path.join(data, 'pg_hba.conf'), `\nhost all all ${hosts.address('test')}/24 trust\n`);
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      `listen_addresses = '${hosts.address('db')}'`,
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 200',
      '',
    ].join('\n'),
  );
  children.push(
    hosts.spawn('db', ['runuser', ...asPostgres('postgres', '-D', data)], { ...process.env, LC_ALL: 'C' }),
  );
  const admin = `postgres://postgres@${hosts.address('db')}:5432/postgres`;
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: admin });
    try {
      await client.connect();
      await client.query('CREATE DATABASE roster');
      await client.query('CREATE DATABASE reference');
      await client.end();
      return admin;
    } catch (err) {
      await client.end().catch(() => {});
      if (attempt > 150) throw err;
      await sleep(200);
    }
  }
}

describe.skipIf(unavailable !== null)('Roster on four machines (network namespaces)', () => {
  let hosts: Hosts;
  let dir: string;
  let conn: Connection | undefined;
  let ref: Connection | undefined;
  let dbUrl: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    hosts = makeHosts(['db', 'api', 'w1', 'w2']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-multihost-'));
    const admin = await startPostgres(hosts, dir, children);
    dbUrl = admin.replace(/postgres$/, 'roster');
    // Opened first, so the schema is made once before the processes start.
    conn = await openDatabase(loadConfig({ DATABASE_URL: dbUrl }));
  }, 120_000);

  afterAll(async () => {
    await conn?.close().catch(() => {});
    await ref?.close().catch(() => {});
    // Kills every process of every namespace (PostgreSQL, the API, the workers), then removes them.
    hosts?.destroy();
    for (const child of children) child.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finishes every run exactly once when one worker machine dies mid-run', async () => {
    const t0 = performance.now();
    const at = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    const steps: string[] = [];
    const env = {
      ...process.env,
      DATABASE_URL: dbUrl,
      ROSTER_LEASE_MS: String(LEASE_MS),
      ROSTER_WORKER_CONCURRENCY: '2',
      ROSTER_LOG_LEVEL: 'warn',
      // Every process gets a data folder nobody else sees: uploads can only travel through PostgreSQL.
      ROSTER_DATA_DIR: path.join(dir, 'nowhere'),
    };
    const api = hosts.spawn(
      'api',
      [process.execPath, BIN, 'serve', '--no-worker', '--host', hosts.address('api'), '--port', '3000'],
      { ...env, ROSTER_DATA_DIR: path.join(dir, 'api') },
    );
    const workers = ['w1', 'w2'].map((host) =>
      hosts.spawn(host, [process.execPath, BIN, 'worker'], { ...env, ROSTER_DATA_DIR: path.join(dir, host) }),
    );
    children.push(api, ...workers);
    const db = conn!.db;
    const [url] = await Promise.all([
      ready(api, /Roster listening on (\S+)/, 'roster serve'),
      ...workers.map((w, i) => ready(w, /Roster worker waiting for imports/, `worker ${i + 1}`)),
    ]);

    steps.push(`processes ready ${at()}`);
    const spaces: Workspace[] = [];
    const clients: Api[] = [];
    for (let i = 0; i < WORKSPACES; i++) {
      spaces.push(await addWorkspace(db, `tenant-${i}`));
      clients.push(new Api(url!, (await createToken(db, spaces[i]!.id, 'multihost')).token));
    }
    const uploads = await Promise.all(
      clients.map((c, i) => c.upload('contacts', fileOf(i), { batchSize: String(BATCH) }, `tenant-${i}.csv`)),
    );
    for (const u of uploads) expect(u.status).toBe(202);
    const ids = uploads.map((u) => u.json.id as string);
    const runsOf = () => db.selectFrom('import_runs').selectAll().where('public_id', 'in', ids).execute();

    // As soon as the first worker machine is applying something, pull its plug. (The namespaces share the
    // pid space, so a run's pid is the worker's.)
    const victim = workers[0]!.pid!;
    let held: Awaited<ReturnType<typeof runsOf>> = [];
    for (const until = Date.now() + 120_000; held.length === 0; await sleep(10)) {
      held = (await runsOf()).filter((r) => r.pid === victim && r.phase === 'applying' && r.rows_done > 0);
      expect(Date.now() < until, 'worker 1 never applied a batch').toBe(true);
    }
    const killed = hosts.killAll('w1');
    const killedAt = performance.now();
    expect(killed).toContain(victim);
    const heldIds = new Set(held.map((r) => r.id));
    const deadOwners = new Set(held.map((r) => r.lease_owner));

    // Each run the dead machine held is taken over by the other one; how long did that take?
    const takenOver = new Map<number, number>();
    for (const until = Date.now() + 180_000; ; await sleep(50)) {
      const runs = await runsOf();
      for (const r of runs) {
        if (heldIds.has(r.id) && !deadOwners.has(r.lease_owner) && !takenOver.has(r.id))
          takenOver.set(r.id, performance.now() - killedAt);
      }
      if (runs.every((r) => r.status === 'completed')) break;
      expect(
        runs.filter((r) => !['queued', 'running', 'interrupted', 'completed'].includes(r.status)),
      ).toEqual([]);
      expect(Date.now() < until, 'the runs did not all complete in 3 minutes').toBe(true);
    }
    steps.push(`runs completed ${at()}`);
    const times = [...takenOver.values()].map((ms) => Math.round(ms));
    console.info(
      `killed worker machine 1 holding ${held.length} run(s); taken over after ${times.join(', ')} ms (lease ${LEASE_MS} ms)`,
    );
    expect(takenOver.size).toBe(held.length);

    // The same files imported alone, side by side, into a database nobody else touches.
    ref = await openDatabase(
      loadConfig({ DATABASE_URL: dbUrl.replace(/roster$/, 'reference'), ROSTER_WORKER_CONCURRENCY: '10' }),
    );
    const refDb = ref.db;
    const alone = await Promise.all(
      spaces.map(async (_, i) => {
        const ws = await addWorkspace(refDb, `tenant-${i}`);
        const file = path.join(dir, `tenant-${i}.csv`);
        fs.writeFileSync(file, fileOf(i));
        const options = { ...DEFAULT_OPTIONS, batchSize: BATCH };
        await runImport(refDb, {
          workspace: ws,
          kind: 'contacts',
          filePath: file,
          actor: 'reference',
          options,
        });
        return ws;
      }),
    );
    const runs = await runsOf();
    for (let i = 0; i < WORKSPACES; i++) {
      const done = runs.find((r) => r.public_id === ids[i])!;
      const rows = 150 + 20 * i;
      // A batch applied twice would find its contacts there already and count them unchanged, not created.
      // (The data version is no measure: an import commits as many batches per transaction as fit in
      // about a second, so how often it moves depends on the machine's speed.)
      expect(JSON.parse(done.counts!)).toMatchObject({ created: rows, unchanged: 0, rowsProcessed: rows });
      expect(await exportOf(db, spaces[i]!.id), `tenant-${i}`).toBe(await exportOf(refDb, alone[i]!.id));
    }
    expect(await db.selectFrom('uploads').select('id').execute()).toEqual([]);
    console.info(`multi-host: ${[...steps, `checked ${at()}`].join(', ')}`);
  }, 300_000);
});
