// Import benchmark: `npm run bench` (builds first). See bench/README.md.
//
// Generates CSV files of BENCH_ROWS rows in a temp dir, then for each database (SQLite always,
// PostgreSQL when DATABASE_URL is set) sets up a fresh database and times a `contacts` and a
// `positions` import, each in its own child process so that peak RSS is that import's alone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OPTIONS } from '../dist/imports/import-options.js';
import { CUSTOMERS, generateFiles } from './generate.js';
import { createDatabase, median } from './support.js';

const WORKER = fileURLToPath(new URL('./import-worker.js', import.meta.url));
const BASELINE = fileURLToPath(new URL('./baseline.js', import.meta.url));
const json = process.argv.includes('--json');
const log = (line) => process.stderr.write(`${line}\n`);

function readCount(name, fallback, min) {
  const raw = process.env[name] ?? String(fallback);
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, not "${raw}"`);
  return n;
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
  const open = (dataDir) => {
    const env = { ...process.env, ROSTER_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    return {
      env,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
      // The processes that wrote it have closed it, so the WAL is checkpointed: the main file is all of it.
      clone: async () => {
        const copy = fs.mkdtempSync(path.join(root, 'sqlite-'));
        fs.copyFileSync(path.join(dataDir, 'roster.sqlite'), path.join(copy, 'roster.sqlite'));
        return open(copy);
      },
    };
  };
  return { name: 'sqlite', create: async () => open(fs.mkdtempSync(path.join(root, 'sqlite-'))) };
}

function postgresBackend(serverUrl) {
  const create = async (template) => {
    const { name, url, drop } = await createDatabase(serverUrl, 'bench', template);
    return { env: { ...process.env, DATABASE_URL: url }, drop, clone: () => create(name) };
  };
  return { name: 'postgres', create: () => create() };
}

// ---------------------------------------------------------------------------------------------------
// Child processes

/** Runs the worker with `args` and returns the JSON it prints; its stderr goes straight to ours. */
function runWorker(env, args, script = WORKER) {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
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

async function benchBackend(backend, files, plan) {
  const { rows, existing, updates, rounds } = plan;
  const template = await backend.create();
  onCleanup(template.drop);
  log(`[${backend.name}] setup: workspace, positions, ${CUSTOMERS} customers, ${existing} contacts…`);
  const setup = await runWorker(template.env, ['setup', files.customers]);
  const setupProblems = check(setup.imports[0], {
    rows: CUSTOMERS,
    counts: { created: CUSTOMERS, updated: 0, unchanged: 0 },
  });
  // The existing contacts are loaded the fast way: the setup is not what is measured.
  const loaded = await runWorker(template.env, ['contacts', files.contactsSetup], BASELINE);
  if (loaded.rows !== existing) setupProblems.push(`setup loaded ${loaded.rows} contacts, not ${existing}`);
  if (setupProblems.length > 0)
    throw new Error(`[${backend.name}] setup went wrong:\n  ${setupProblems.join('\n  ')}`);

  const contacts = rows - updates + existing;
  const measured = [
    {
      kind: 'contacts',
      file: files.contacts,
      expected: {
        rows,
        counts: { created: rows - updates, updated: updates, unchanged: 0 },
        state: { customers: CUSTOMERS, contacts, links: contacts },
      },
    },
    {
      kind: 'positions',
      file: files.positions,
      expected: {
        rows,
        counts: { created: 0, updated: rows, unchanged: 0 },
        state: { contacts, links: contacts, linksWithPosition: rows },
      },
    },
  ];
  const runs = { roster: {}, baseline: {} };
  for (const m of measured) {
    runs.roster[m.kind] = [];
    runs.baseline[m.kind] = [];
  }
  // Alternating, and in the other order each round, so both sides see the machine alike.
  for (let round = 1; round <= rounds; round++) {
    const sides = round % 2 === 1 ? ['roster', 'baseline'] : ['baseline', 'roster'];
    for (const side of sides) {
      const db = await template.clone();
      const drop = onCleanup(db.drop);
      try {
        for (const { kind, file, expected } of measured) {
          log(`[${backend.name}] round ${round}/${rounds} ${side} ${kind}: ${rows} rows…`);
          if (side === 'roster') {
            const r = await runWorker(db.env, ['import', kind, file]);
            runs.roster[kind].push({ ...r, phaseSeconds: phaseSeconds(r), problems: check(r, expected) });
          } else {
            const r = await runWorker(db.env, [kind, file], BASELINE);
            const { state } = await runWorker(db.env, ['state']);
            const problems = [];
            if (r.rows !== rows) problems.push(`baseline staged ${r.rows} rows, not ${rows}`);
            for (const [key, wanted] of Object.entries(expected.state))
              if (state[key] !== wanted)
                problems.push(`baseline: database ${key} is ${state[key]}, expected ${wanted}`);
            runs.baseline[kind].push({ ...r, state, problems });
          }
        }
      } finally {
        await drop();
      }
    }
  }
  const results = measured.map(({ kind }) =>
    summarize(backend.name, kind, rows, runs.roster[kind], runs.baseline[kind]),
  );
  return { backend: backend.name, setupSeconds: [setup.imports[0].seconds, loaded.seconds], results };
}

function summarize(backend, kind, rows, roster, baseline) {
  const seconds = median(roster.map((r) => r.seconds));
  const baselineSeconds = median(baseline.map((r) => r.seconds));
  const phases = {};
  for (const phase of ['staging', 'planning', 'applying', 'finish'])
    phases[phase] = median(roster.map((r) => r.phaseSeconds?.[phase]));
  const problems = [...roster, ...baseline].flatMap((r) => r.problems);
  return {
    backend,
    kind,
    rows,
    rounds: roster.length,
    seconds,
    secondsAll: roster.map((r) => r.seconds),
    rowsPerSecond: rows / seconds,
    phaseSeconds: phases,
    baselineSeconds,
    baselineSecondsAll: baseline.map((r) => r.seconds),
    baselineLoadSeconds: median(baseline.map((r) => r.loadSeconds)),
    ratio: seconds / baselineSeconds,
    peakRssMB: Math.max(...roster.map((r) => r.peakRssMB)),
    baselinePeakRssMB: Math.max(...baseline.map((r) => r.peakRssMB)),
    batches: roster[0]?.batches,
    batchMsStart: median(roster.map((r) => r.batchMsPer1000?.start)),
    batchMsEnd: median(roster.map((r) => r.batchMsPer1000?.end)),
    counts: roster[0]?.counts,
    ok: problems.length === 0,
    problems,
  };
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function printTables(summary, stream = process.stdout) {
  const fixed = (n, d) => (n === undefined || n === null || Number.isNaN(n) ? '-' : n.toFixed(d));
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const results = summary.backends.flatMap((b) => b.results);
  const out = [
    `Roster import benchmark: ${int(summary.rows)} rows over ${int(summary.existing)} existing contacts, ` +
      `contacts file ${summary.mix ?? 'halves'} (updates and new contacts), ` +
      `batch size ${summary.batchSize}, ${summary.rounds} rounds (medians), node ${summary.node}, ${summary.cpu}, ` +
      `load average ${summary.load.map((l) => l.toFixed(1)).join(' ')} before, ${summary.loadAfter.map((l) => l.toFixed(1)).join(' ')} after`,
    '',
    table(
      [
        'backend',
        'kind',
        'rows',
        'Roster s',
        'baseline s',
        'ratio',
        'rows/s',
        'peak RSS MB',
        'ms/1k start',
        'ms/1k end',
        'check',
      ],
      results.map((r) => [
        r.backend,
        r.kind,
        int(r.rows),
        fixed(r.seconds, 2),
        fixed(r.baselineSeconds, 2),
        `${fixed(r.ratio, 2)}×`,
        int(r.rowsPerSecond),
        fixed(r.peakRssMB, 0),
        fixed(r.batchMsStart, 1),
        fixed(r.batchMsEnd, 1),
        r.ok ? 'ok' : 'FAIL',
      ]),
    ),
    '',
    'Roster phases (median seconds; planning/applying split estimated, see bench/README.md), baseline load:',
    '',
    table(
      [
        'backend',
        'kind',
        'staging',
        'planning',
        'applying',
        'finish',
        'batches',
        'baseline load',
        'baseline RSS MB',
      ],
      results.map((r) => [
        r.backend,
        r.kind,
        fixed(r.phaseSeconds.staging, 2),
        fixed(r.phaseSeconds.planning, 2),
        fixed(r.phaseSeconds.applying, 2),
        fixed(r.phaseSeconds.finish, 2),
        String(r.batches ?? '-'),
        fixed(r.baselineLoadSeconds, 2),
        fixed(r.baselinePeakRssMB, 0),
      ]),
    ),
  ];
  stream.write(`${out.join('\n')}\n`);
}

/** `node bench/run-bench.js --table FILE.json`: the tables of an earlier `--json` run. */
const tableOf = process.argv.indexOf('--table');

async function main() {
  if (tableOf > 0) return printTables(JSON.parse(fs.readFileSync(process.argv[tableOf + 1], 'utf8')));
  const rows = readCount('BENCH_ROWS', 100_000, 2);
  const existing = readCount('BENCH_EXISTING', Math.floor(rows / 2), Math.floor(rows / 2));
  const rounds = readCount('BENCH_ROUNDS', 3, 1);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-'));
  onCleanup(async () => fs.rmSync(root, { recursive: true, force: true }));

  const started = Date.now();
  log(`Generating files of ${rows} rows in ${root}…`);
  // halves: the contacts file updates in its first half and creates in its second; interleaved: row by row.
  const mix = process.env.BENCH_MIX || 'halves';
  const { files, updates } = await generateFiles(root, rows, existing, mix);
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // BENCH_ONLY=postgres (or sqlite) measures one database.
  const only = process.env.BENCH_ONLY;
  const backends = only === 'postgres' ? [] : [sqliteBackend(root)];
  if (process.env.DATABASE_URL && only !== 'sqlite') backends.push(postgresBackend(process.env.DATABASE_URL));

  const summary = {
    rows,
    existing,
    mix,
    rounds,
    load: os.loadavg(),
    batchSize: process.env.BENCH_BATCH_SIZE
      ? Number(process.env.BENCH_BATCH_SIZE)
      : DEFAULT_OPTIONS.batchSize,
    node: process.version,
    cpu: `${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}`,
    backends: [],
  };
  for (const backend of backends)
    summary.backends.push(await benchBackend(backend, files, { rows, existing, updates, rounds }));
  summary.loadAfter = os.loadavg();

  // With --json the tables still go to stderr, beside the progress.
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  printTables(summary, json ? process.stderr : process.stdout);

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
