// Import benchmark: `npm run bench` (builds first). See bench/README.md.
//
// Generates CSV files of BENCH_ROWS rows in a temp dir, then for each database (SQLite always,
// PostgreSQL when DATABASE_URL is set) sets up a fresh database and times a `contacts` and a
// `positions` import, each in its own child process so that peak RSS is that import's alone.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_OPTIONS } from '../dist/imports/import-options.js';
import { CUSTOMERS, generateFiles } from './generate.js';

const WORKER = fileURLToPath(new URL('./import-worker.js', import.meta.url));
const json = process.argv.includes('--json');
const log = (line) => process.stderr.write(`${line}\n`);

function readRows() {
  const raw = process.env.BENCH_ROWS ?? '100000';
  const rows = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(rows) || rows < 2) throw new Error(`BENCH_ROWS must be an integer ≥ 2, not "${raw}"`);
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// Cleanup: temp files and databases go away on success, failure and Ctrl-C alike.

const cleanups = [];
let child;
let stopping = false;

/** Registers `fn` to run at exit; the returned function runs it now instead (at most once either way). */
function onCleanup(fn) {
  let running;
  const once = () => (running ??= fn());
  cleanups.push(once);
  return once;
}

async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (err) {
      log(`cleanup: ${err?.message ?? err}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopping = true;
    log(`\n${signal}: cleaning up…`);
    child?.kill(signal);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------
// Databases

function sqliteBackend(root) {
  return {
    name: 'sqlite',
    async create() {
      const dataDir = fs.mkdtempSync(path.join(root, 'sqlite-'));
      const env = { ...process.env, ROSTER_DATA_DIR: dataDir };
      delete env.DATABASE_URL;
      return { env, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
    },
  };
}

function postgresBackend(serverUrl) {
  const admin = async (statement) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    async create() {
      const database = `bench_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${database}`);
      const url = new URL(serverUrl);
      url.pathname = `/${database}`;
      return {
        env: { ...process.env, DATABASE_URL: url.toString() },
        drop: () =>
          // WITH (FORCE) needs PostgreSQL 13+; the children have closed their connections anyway.
          admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() =>
            admin(`DROP DATABASE IF EXISTS ${database}`),
          ),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Child processes

/** Runs the worker with `args` and returns the JSON it prints; its stderr goes straight to ours. */
function runWorker(env, args) {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [WORKER, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      child = undefined;
      if (code !== 0) return reject(new Error(`worker ${args.join(' ')} exited with ${signal ?? code}`));
      const last = out.trim().split('\n').pop();
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`worker ${args.join(' ')} printed no JSON result:\n${out}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Checks: every row accounted for, and the database holds what the files say.

function check(result, expected) {
  const problems = [];
  const c = result.counts;
  const expect = (what, actual, wanted) => {
    if (actual !== wanted) problems.push(`${what} is ${actual}, expected ${wanted}`);
  };
  expect('status', result.status, 'completed');
  if (c) {
    const sum = c.created + c.updated + c.unchanged + c.unmatched + c.invalid + c.duplicates;
    expect('rowsProcessed', c.rowsProcessed, expected.rows);
    expect('created+updated+unchanged+unmatched+invalid+duplicates', sum, c.rowsProcessed);
    expect('created+updated+unchanged', c.created + c.updated + c.unchanged, expected.rows);
    for (const key of ['created', 'updated', 'unchanged']) expect(key, c[key], expected.counts[key]);
  } else {
    problems.push('the report has no counts');
  }
  for (const [key, wanted] of Object.entries(expected.state ?? {}))
    expect(`database ${key}`, result.state[key], wanted);
  if (problems.length > 0 && result.sample) {
    const { unmatched, invalid } = result.sample;
    if (unmatched.length > 0) problems.push(`first unmatched: ${JSON.stringify(unmatched)}`);
    if (invalid.length > 0) problems.push(`first invalid: ${JSON.stringify(invalid)}`);
    if (result.rejection) problems.push(`rejection: ${JSON.stringify(result.rejection)}`);
    if (result.error) problems.push(`error: ${result.error}`);
  }
  return problems;
}

/**
 * Phase durations from the times each phase was first reported. `applying` is first reported after the
 * first batch has committed, so one average batch is moved from planning to applying; "finish" is the
 * time from the last batch to the report (final counts, run record, report lists).
 */
function phaseSeconds(result) {
  const m = result.marks;
  if (m.planning === undefined) return null;
  if (m.applying === undefined) return { staging: m.planning, planning: result.seconds - m.planning };
  const batch = result.batches > 1 ? (m.lastApplying - m.applying) / (result.batches - 1) : 0;
  return {
    staging: m.planning,
    planning: Math.max(0, m.applying - m.planning - batch),
    applying: m.lastApplying - m.applying + batch,
    finish: result.seconds - m.lastApplying,
  };
}

// ---------------------------------------------------------------------------------------------------
// The run

async function benchBackend(backend, files, rows, existing) {
  const db = await backend.create();
  const drop = onCleanup(db.drop);
  try {
    log(`[${backend.name}] setup: workspace, positions, ${CUSTOMERS} customers, ${existing} contacts…`);
    const setup = await runWorker(db.env, ['setup', files.customers, files.contactsSetup]);
    const setupProblems = [
      ...check(setup.imports[0], {
        rows: CUSTOMERS,
        counts: { created: CUSTOMERS, updated: 0, unchanged: 0 },
      }),
      ...check(setup.imports[1], { rows: existing, counts: { created: existing, updated: 0, unchanged: 0 } }),
    ];
    if (setupProblems.length > 0)
      throw new Error(`[${backend.name}] setup went wrong:\n  ${setupProblems.join('\n  ')}`);

    const measured = [
      {
        kind: 'contacts',
        file: files.contacts,
        expected: {
          rows,
          counts: { created: rows - existing, updated: existing, unchanged: 0 },
          state: { customers: CUSTOMERS, contacts: rows, links: rows },
        },
      },
      {
        kind: 'positions',
        file: files.positions,
        expected: {
          rows,
          counts: { created: 0, updated: rows, unchanged: 0 },
          state: { contacts: rows, links: rows, linksWithPosition: rows },
        },
      },
    ];
    const results = [];
    for (const { kind, file, expected } of measured) {
      log(`[${backend.name}] ${kind}: importing ${rows} rows…`);
      const r = await runWorker(db.env, ['import', kind, file]);
      const problems = check(r, expected);
      results.push({
        backend: backend.name,
        kind,
        rows,
        seconds: r.seconds,
        rowsPerSecond: rows / r.seconds,
        peakRssMB: r.peakRssMB,
        peakRssBeforeImportMB: r.peakRssBeforeImportMB,
        status: r.status,
        counts: r.counts,
        batches: r.batches,
        phaseMarks: r.marks,
        phaseSeconds: phaseSeconds(r),
        state: r.state,
        ok: problems.length === 0,
        problems,
      });
    }
    return { backend: backend.name, setupSeconds: setup.imports.map((i) => i.seconds), results };
  } finally {
    await drop();
  }
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function printTables(summary) {
  const fixed = (n, d) => (n === undefined || n === null ? '-' : n.toFixed(d));
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const results = summary.backends.flatMap((b) => b.results);
  const out = [
    `Roster import benchmark: ${int(summary.rows)} rows, batch size ${summary.batchSize}, ` +
      `node ${summary.node}, ${summary.cpu}`,
    '',
    table(
      [
        'backend',
        'kind',
        'rows',
        'seconds',
        'rows/s',
        'peak RSS MB',
        'created',
        'updated',
        'unchanged',
        'unmatched',
        'invalid',
        'dups',
        'check',
      ],
      results.map((r) => [
        r.backend,
        r.kind,
        int(r.rows),
        fixed(r.seconds, 2),
        int(r.rowsPerSecond),
        fixed(r.peakRssMB, 0),
        ...['created', 'updated', 'unchanged', 'unmatched', 'invalid', 'duplicates'].map((k) =>
          int(r.counts?.[k] ?? 0),
        ),
        r.ok ? 'ok' : 'FAIL',
      ]),
    ),
    '',
    'Phases (seconds; planning/applying split estimated, see bench/README.md):',
    '',
    table(
      ['backend', 'kind', 'staging', 'planning', 'applying', 'finish', 'batches', 'RSS before MB'],
      results.map((r) => [
        r.backend,
        r.kind,
        fixed(r.phaseSeconds?.staging, 2),
        fixed(r.phaseSeconds?.planning, 2),
        fixed(r.phaseSeconds?.applying, 2),
        fixed(r.phaseSeconds?.finish, 2),
        String(r.batches),
        fixed(r.peakRssBeforeImportMB, 0),
      ]),
    ),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const rows = readRows();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-'));
  onCleanup(async () => fs.rmSync(root, { recursive: true, force: true }));

  const started = Date.now();
  log(`Generating files of ${rows} rows in ${root}…`);
  const { files, existing } = await generateFiles(root, rows);
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const backends = [sqliteBackend(root)];
  if (process.env.DATABASE_URL) backends.push(postgresBackend(process.env.DATABASE_URL));

  const summary = {
    rows,
    batchSize: process.env.BENCH_BATCH_SIZE
      ? Number(process.env.BENCH_BATCH_SIZE)
      : DEFAULT_OPTIONS.batchSize,
    node: process.version,
    cpu: `${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}`,
    backends: [],
  };
  for (const backend of backends) summary.backends.push(await benchBackend(backend, files, rows, existing));

  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printTables(summary);

  const failures = summary.backends.flatMap((b) => b.results).filter((r) => !r.ok);
  for (const r of failures) log(`\nFAIL ${r.backend} ${r.kind}:\n  ${r.problems.join('\n  ')}`);
  if (failures.length > 0) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  if (!stopping) log(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
