// Worker scale-out benchmark: `npm run bench:workers` (builds first; needs DATABASE_URL, a PostgreSQL
// server where it may create and drop databases). See bench/README.md.
//
// For each worker count in BENCH_WORKERS (default 1,2,4): a fresh database, one `roster serve --no-worker`,
// that many `roster worker` processes (ROSTER_WORKER_CONCURRENCY=BENCH_CONCURRENCY each, default 1), then
// BENCH_WORKSPACES (default 8) workspaces upload a contacts file of BENCH_ROWS (default 5000) rows at once,
// and, once those run, one more workspace uploads a small file of BENCH_SMALL (default 100) rows. Prints
// total rows per second, each workspace's latency (upload to completed) and the small import's latency.
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../dist/config.js';
import { openDatabase } from '../dist/db/connection.js';
import { createToken } from '../dist/domain/tokens.js';
import { addWorkspace } from '../dist/domain/workspaces.js';
import { createDatabase, median, startRoster } from './support.js';

const num = (name, fallback) => Number((process.env[name] ?? fallback).replaceAll('_', ''));
const workerCounts = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const spaces = num('BENCH_WORKSPACES', '8');
const rows = num('BENCH_ROWS', '5000');
const smallRows = num('BENCH_SMALL', '100');
const concurrency = process.env.BENCH_CONCURRENCY ?? '1';
const log = (line) => process.stderr.write(`${line}\n`);

if (!process.env.DATABASE_URL) {
  log('bench:workers needs DATABASE_URL=postgres://… (a server where it may create databases)');
  process.exit(2);
}

function contacts(n, domain) {
  const lines = ['email,first_name,last_name'];
  for (let i = 1; i <= n; i++) lines.push(`person${i}@${domain},First${i},Last${i}`);
  return `${lines.join('\n')}\n`;
}

async function upload(url, token, csv, name) {
  const form = new FormData();
  form.set('kind', 'contacts');
  form.set('file', new Blob([csv]), name);
  const res = await fetch(`${url}/api/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

async function finished(url, token, id) {
  for (;;) {
    const res = await fetch(`${url}/api/imports/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const run = await res.json();
    // The API's rate limit counts these polls too: wait, as a client would.
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (run.status !== 'queued' && run.status !== 'running') {
      if (run.status !== 'completed')
        throw new Error(
          `run ${id} ended ${run.status}: ${JSON.stringify(run.error ?? run.report?.rejection ?? '')}`,
        );
      return performance.now();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function benchOnce(workers) {
  const database = await createDatabase(process.env.DATABASE_URL, 'bench_workers');
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    ROSTER_LOG_LEVEL: 'warn',
    ROSTER_WORKER_CONCURRENCY: concurrency,
    ROSTER_DATA_DIR: path.join(os.tmpdir(), database.name),
  };
  const procs = [];
  try {
    const conn = await openDatabase(loadConfig(env));
    const tokens = [];
    for (let i = 0; i <= spaces; i++) {
      const ws = await addWorkspace(conn.db, `bench-${i}`);
      tokens.push((await createToken(conn.db, ws.id, 'bench')).token);
    }
    await conn.close();
    const server = startRoster(['serve', '--no-worker', '--port', '0'], env, /Roster listening on (\S+)/);
    procs.push(server.child);
    const url = await server.line;
    for (let w = 0; w < workers; w++) {
      const worker = startRoster(['worker'], env, /Roster worker waiting for imports/);
      procs.push(worker.child);
      await worker.line;
    }
    const files = Array.from({ length: spaces }, (_, i) => contacts(rows, `w${i}.example`));
    const t0 = performance.now();
    const ids = await Promise.all(files.map((csv, i) => upload(url, tokens[i], csv, `w${i}.csv`)));
    const done = ids.map((id, i) => finished(url, tokens[i], id));
    // Every wait is awaited below; one that fails first must not go unhandled while the others still poll.
    for (const d of done) d.catch(() => {});
    // The small import arrives once the big ones are under way.
    await new Promise((r) => setTimeout(r, 1000));
    const s0 = performance.now();
    const smallId = await upload(url, tokens[spaces], contacts(smallRows, 'small.example'), 'small.csv');
    const smallDone = finished(url, tokens[spaces], smallId);
    smallDone.catch(() => {});
    const ends = await Promise.all(done);
    const small = (await smallDone) - s0;
    const wall = Math.max(...ends) - t0;
    const latencies = ends.map((t) => t - t0);
    return {
      workers,
      rowsPerSecond: Math.round((spaces * rows) / (wall / 1000)),
      medianLatency: median(latencies),
      maxLatency: Math.max(...latencies),
      small,
    };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    await database.drop();
  }
}

log(
  `${spaces} workspaces × ${rows} rows, then ${smallRows} rows in another; ${os.availableParallelism()} cores; ` +
    `each worker runs ${concurrency} import(s) at once`,
);
const results = [];
for (const workers of workerCounts) {
  log(`${workers} worker process(es)…`);
  results.push(await benchOnce(workers));
}
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log('workers | rows/s total | workspace latency median / max | small import latency');
for (const r of results) {
  console.log(
    `${String(r.workers).padStart(7)} | ${String(r.rowsPerSecond).padStart(12)} | ` +
      `${s(r.medianLatency).padStart(8)} / ${s(r.maxLatency).padEnd(8)}             | ${s(r.small)}`,
  );
}
