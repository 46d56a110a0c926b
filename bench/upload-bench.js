// Upload memory benchmark: `npm run bench:upload` (builds first; needs DATABASE_URL, a PostgreSQL server
// where it may create and drop databases). See bench/README.md.
//
// Streams a BENCH_UPLOAD_MIB (default 500) MiB file through `roster serve --no-worker` into the database,
// and lets a `roster worker` read it back (the header is one the import rejects, so the whole file is read
// and hashed but no rows are staged). Prints the upload's and the read's speed and how much each process's
// peak resident memory (VmHWM) grew: flat memory means it does not grow with the file.
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../dist/config.js';
import { openDatabase } from '../dist/db/connection.js';
import { createToken } from '../dist/domain/tokens.js';
import { addWorkspace } from '../dist/domain/workspaces.js';
import { createDatabase, startRoster } from './support.js';

const MIB = 2 ** 20;
const mib = Number(process.env.BENCH_UPLOAD_MIB ?? '500');
const log = (line) => process.stderr.write(`${line}\n`);
if (!process.env.DATABASE_URL) {
  log('bench:upload needs DATABASE_URL=postgres://… (a server where it may create databases)');
  process.exit(2);
}
const peak = (pid) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const database = await createDatabase(process.env.DATABASE_URL, 'bench_upload');
const file = path.join(os.tmpdir(), `${database.name}.csv`);
const procs = [];
try {
  const env = { ...process.env, DATABASE_URL: database.url, ROSTER_LOG_LEVEL: 'warn' };
  env.ROSTER_DATA_DIR = path.join(os.tmpdir(), database.name);
  const conn = await openDatabase(loadConfig(env));
  const ws = await addWorkspace(conn.db, 'bench');
  const { token } = await createToken(conn.db, ws.id, 'bench');

  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(MIB, 'not,a,contacts,file\nperson.1234@example.com,Zoë,Dvořák,12\n');
  for (let i = 0; i < mib; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);

  const server = startRoster(['serve', '--no-worker', '--port', '0'], env, /Roster listening on (\S+)/);
  procs.push(server.child);
  const base = await server.line;
  const serverBefore = peak(server.child.pid);
  log(`uploading ${mib} MiB…`);
  const form = new FormData();
  form.set('kind', 'contacts');
  form.set('file', await fs.openAsBlob(file), 'big.csv');
  const t0 = performance.now();
  const res = await fetch(`${base}/api/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const uploadS = (performance.now() - t0) / 1000;
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  const { id } = await res.json();
  const serverGrew = peak(server.child.pid) - serverBefore;

  const worker = startRoster(['worker'], env, /Roster worker waiting for imports/);
  procs.push(worker.child);
  await worker.line;
  const workerBefore = peak(worker.child.pid);
  const t1 = performance.now();
  let run;
  for (;;) {
    const r = await fetch(`${base}/api/imports/${id}`, { headers: { authorization: `Bearer ${token}` } });
    run = await r.json();
    if (run.status !== 'queued' && run.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const readS = (performance.now() - t1) / 1000;
  const workerGrew = peak(worker.child.pid) - workerBefore;
  const left = await conn.db.selectFrom('uploads').select('id').execute();
  await conn.close();
  const ok = run.status === 'rejected' && run.file.bytes === mib * MIB && left.length === 0;
  console.log(
    `${mib} MiB: upload ${uploadS.toFixed(1)} s (${(mib / uploadS).toFixed(0)} MiB/s), server peak RSS +${serverGrew.toFixed(0)} MiB (${peak(server.child.pid).toFixed(0)} MiB); ` +
      `worker read and hashed it in ${readS.toFixed(1)} s, worker peak RSS +${workerGrew.toFixed(0)} MiB (${peak(worker.child.pid).toFixed(0)} MiB); ` +
      `run ${run.status}, ${run.file.bytes} bytes, uploads left ${left.length}${ok ? '' : '  FAIL'}`,
  );
  if (!ok) process.exitCode = 1;
} finally {
  for (const p of procs) p.kill('SIGTERM');
  fs.rmSync(file, { force: true });
  await new Promise((r) => setTimeout(r, 2000));
  await database.drop();
}
