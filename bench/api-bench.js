// HTTP benchmark: `npm run bench:api` (builds first). See bench/README.md.
//
// Sets up a database like `npm run bench` (SQLite, or PostgreSQL when DATABASE_URL is set: a fresh
// database on that server), starts `roster serve`, uploads the contacts file of BENCH_ROWS rows and polls
// until the run is done, while a second loop keeps asking GET /healthz and GET /api/imports. Prints the
// upload time, the time to completion, the slowest read while the import ran, and the server's peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../dist/config.js';
import { openDatabase } from '../dist/db/connection.js';
import { createToken } from '../dist/domain/tokens.js';
import { findWorkspace } from '../dist/domain/workspaces.js';
import { generateFiles } from './generate.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rows = Number((process.env.BENCH_ROWS ?? '100000').replaceAll('_', ''));
const log = (line) => process.stderr.write(`${line}\n`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-api-bench-'));
const env = { ...process.env, ROSTER_LOG_LEVEL: 'warn', ROSTER_WORKSPACE: '' };
let dropDatabase = async () => {};

if (process.env.DATABASE_URL) {
  const admin = async (statement) => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  const name = `bench_api_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
} else {
  env.ROSTER_DATA_DIR = path.join(tmp, 'data');
  delete env.DATABASE_URL;
}

let server;
try {
  log(`generating ${rows} rows…`);
  const { files } = await generateFiles(tmp, rows);
  log('setup: workspace, customers, existing contacts…');
  const setup = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bench/import-worker.js'), 'setup', files.customers, files.contactsSetup],
    { env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (setup.status !== 0) throw new Error('setup failed');
  const conn = await openDatabase(loadConfig(env));
  const ws = await findWorkspace(conn.db, 'bench');
  const { token } = await createToken(conn.db, ws.id, 'bench');
  await conn.close();

  server = spawn(process.execPath, [path.join(ROOT, 'bin/roster'), 'serve', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /Roster listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const auth = { authorization: `Bearer ${token}` };
  const bytes = fs.statSync(files.contacts).size;

  log(`uploading ${(bytes / 1e6).toFixed(1)} MB (${rows} contacts rows) to ${backendName()}…`);
  const t0 = performance.now();
  const form = new FormData();
  form.set('kind', 'contacts');
  form.set('file', await fs.openAsBlob(files.contacts), 'contacts.csv');
  const accepted = await fetch(`${url}/api/imports`, { method: 'POST', headers: auth, body: form });
  const { id } = await accepted.json();
  const uploaded = performance.now();
  if (accepted.status !== 202) throw new Error(`upload answered ${accepted.status}`);

  let done = false;
  let maxRead = 0;
  let reads = 0;
  const reader = (async () => {
    while (!done) {
      for (const route of ['/healthz', '/api/imports?limit=5']) {
        const s = performance.now();
        await (await fetch(url + route, { headers: auth })).arrayBuffer();
        maxRead = Math.max(maxRead, performance.now() - s);
        reads += 1;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  let run;
  for (;;) {
    run = await (await fetch(`${url}/api/imports/${id}`, { headers: auth })).json();
    if (run.status !== 'queued' && run.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const finished = performance.now();
  done = true;
  await reader;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  const result = {
    backend: backendName(),
    rows,
    status: run.status,
    counts: run.counts,
    uploadSeconds: round((uploaded - t0) / 1000),
    totalSeconds: round((finished - t0) / 1000),
    rowsPerSecond: Math.round(rows / ((finished - t0) / 1000)),
    slowestReadMs: Math.round(maxRead),
    reads,
    serverPeakRssMb: hwm ? Math.round(Number(hwm[1]) / 1024) : null,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  server?.kill('SIGTERM');
  await new Promise((r) => (server && server.exitCode === null ? server.once('exit', r) : r()));
  await dropDatabase();
  fs.rmSync(tmp, { recursive: true, force: true });
}

function backendName() {
  return env.DATABASE_URL ? 'postgres' : 'sqlite';
}

function round(n) {
  return Math.round(n * 100) / 100;
}
