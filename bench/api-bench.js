// HTTP benchmark: `npm run bench:api` (builds first). See bench/README.md.
//
// Sets up a database like `npm run bench` (SQLite, or PostgreSQL when DATABASE_URL is set: a fresh
// database on that server), starts `roster serve`, uploads the contacts file of BENCH_ROWS rows and polls
// until the run is done, while eight clients read (health, history, customers, a contacts search, one
// contact). Prints the upload time, the time to completion, p50/p99 of each read during the import and with
// no import running (the baseline, same server, right after), and the server's peak RSS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../dist/config.js';
import { openDatabase } from '../dist/db/connection.js';
import { createToken } from '../dist/domain/tokens.js';
import { findWorkspace } from '../dist/domain/workspaces.js';
import { generateFiles } from './generate.js';
import { createDatabase, startRoster } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rows = Number((process.env.BENCH_ROWS ?? '100000').replaceAll('_', ''));
const CLIENTS = 8;
const IDLE_MS = 10_000;
// Each client waits this long between reads: 8 clients and the poll stay under the server's 1,200
// requests a minute (8 × 60 / 0.5 + 60 = 1,020).
const PAUSE_MS = 500;
const log = (line) => process.stderr.write(`${line}\n`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-api-bench-'));
const env = { ...process.env, ROSTER_LOG_LEVEL: 'warn', ROSTER_WORKSPACE: '' };
let dropDatabase = async () => {};

if (process.env.DATABASE_URL) {
  const database = await createDatabase(process.env.DATABASE_URL, 'bench_api');
  env.DATABASE_URL = database.url;
  dropDatabase = database.drop;
} else {
  env.ROSTER_DATA_DIR = path.join(tmp, 'data');
  delete env.DATABASE_URL;
}

let server;
try {
  log(`generating ${rows} rows…`);
  const { files } = await generateFiles(tmp, rows);
  log('setup: workspace, customers, existing contacts…');
  // As `npm run bench` does: the workspace and customers by import, the existing contacts the fast way.
  for (const args of [
    ['bench/import-worker.js', 'setup', files.customers],
    ['bench/baseline.js', 'contacts', files.contactsSetup],
  ]) {
    const setup = spawnSync(process.execPath, [path.join(ROOT, args[0]), ...args.slice(1)], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (setup.status !== 0) throw new Error(`setup failed: ${args.join(' ')}`);
  }
  const conn = await openDatabase(loadConfig(env));
  const ws = await findWorkspace(conn.db, 'bench');
  const { token } = await createToken(conn.db, ws.id, 'bench');
  await conn.close();

  const started = startRoster(['serve', '--port', '0'], env, /Roster listening on (\S+)/);
  server = started.child;
  const url = await started.line;
  let serverOut = '';
  server.stdout.on('data', (d) => (serverOut = (serverOut + d).slice(-4000)));
  server.once('exit', (code, signal) => log(`server exited (${code ?? signal}): ${serverOut}`));
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

  // Eight clients read as people using the UI would while the import runs: health, the import history, a
  // customers page, a contacts search, one contact. Each latency is kept, for p50 and p99 per route.
  let done = false;
  const failures = [];
  const contactId = await firstContactId(url, auth);
  const routes = [
    '/healthz',
    '/api/imports?limit=5',
    '/api/customers?limit=50',
    '/api/contacts?q=example&limit=50',
    '/api/contacts?q=contact.1234&limit=50',
    `/api/contacts/${contactId}`,
  ];
  const during = Object.fromEntries(routes.map((r) => [r, []]));
  const reader = Promise.all(
    Array.from({ length: CLIENTS }, (_, c) =>
      (async () => {
        for (let i = c; !done; i++) {
          const route = routes[i % routes.length];
          const s = performance.now();
          try {
            const res = await fetch(url + route, { headers: auth });
            await res.arrayBuffer();
            if (res.status !== 200) failures.push(`${route}: ${res.status}`);
          } catch (err) {
            failures.push(`${route}: ${err.cause?.code ?? err.message}`);
          }
          during[route].push(performance.now() - s);
          await new Promise((r) => setTimeout(r, PAUSE_MS));
        }
      })(),
    ),
  );
  let run;
  for (;;) {
    run = await (await fetch(`${url}/api/imports/${id}`, { headers: auth })).json();
    if (!run.status) throw new Error(`GET /api/imports/${id} answered ${JSON.stringify(run)}`);
    if (run.status !== 'queued' && run.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const finished = performance.now();
  done = true;
  await reader;
  // The same reads with no import running: the baseline, measured on the same server right after.
  const idle = Object.fromEntries(routes.map((r) => [r, []]));
  const idleUntil = performance.now() + IDLE_MS;
  await Promise.all(
    Array.from({ length: CLIENTS }, (_, c) =>
      (async () => {
        for (let i = c; performance.now() < idleUntil; i++) {
          const route = routes[i % routes.length];
          const s = performance.now();
          await (await fetch(url + route, { headers: auth })).arrayBuffer();
          idle[route].push(performance.now() - s);
          await new Promise((r) => setTimeout(r, PAUSE_MS));
        }
      })(),
    ),
  );
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  const result = {
    backend: backendName(),
    rows,
    status: run.status,
    counts: run.counts,
    uploadSeconds: round((uploaded - t0) / 1000),
    totalSeconds: round((finished - t0) / 1000),
    rowsPerSecond: Math.round(rows / ((finished - t0) / 1000)),
    readClients: CLIENTS,
    failedReads: failures.length,
    firstFailures: failures.slice(0, 5),
    importNice: process.env.ROSTER_IMPORT_NICE ?? '10 (default)',
    allReadsDuringImport: summary(Object.values(during).flat()),
    allReadsIdle: summary(Object.values(idle).flat()),
    readsDuringImport: Object.fromEntries(routes.map((r) => [r, summary(during[r])])),
    readsIdle: Object.fromEntries(routes.map((r) => [r, summary(idle[r])])),
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

/** Count, p50, p99 and max of a list of latencies (ms). */
function summary(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) };
}

async function firstContactId(url, auth) {
  const page = await (await fetch(`${url}/api/contacts?limit=1`, { headers: auth })).json();
  return page.items[0].id;
}
