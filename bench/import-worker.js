// One child process of the benchmark. It reads its database from the environment like the CLI does
// (DATABASE_URL, or ROSTER_DATA_DIR for SQLite) and prints one JSON line on stdout when it is done.
//
//   node bench/import-worker.js setup <customers.csv>
//   node bench/import-worker.js import <kind> <file.csv>
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../dist/config.js';
import { openDatabase } from '../dist/db/connection.js';
import { addPosition } from '../dist/domain/positions.js';
import { addWorkspace, findWorkspace } from '../dist/domain/workspaces.js';
import { runImport } from '../dist/imports/run-import.js';
import { DEFAULT_OPTIONS } from '../dist/imports/import-options.js';
import { POSITIONS } from './generate.js';
import { median } from './support.js';

const WORKSPACE = 'bench';

function options() {
  const batchSize = process.env.BENCH_BATCH_SIZE
    ? Number(process.env.BENCH_BATCH_SIZE)
    : DEFAULT_OPTIONS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error('BENCH_BATCH_SIZE must be a positive integer');
  return { ...DEFAULT_OPTIONS, dryRun: false, batchSize };
}

/** Runs one import and times it from the call to the report; phases are stamped when first reported. */
async function timedImport(db, workspace, kind, filePath) {
  const marks = {};
  let applyingCalls = 0;
  // ms per 1,000 rows of each batch: the time from the previous progress report to this batch's.
  const batchMs = [];
  let last = { t: 0, rows: 0 };
  const start = performance.now();
  const report = await runImport(db, {
    workspace,
    kind,
    filePath,
    actor: 'bench',
    options: options(),
    onProgress: (p) => {
      const t = (performance.now() - start) / 1000;
      marks[p.phase] ??= t;
      if (p.phase === 'applying') {
        applyingCalls += 1;
        marks.lastApplying = t;
        if (last.phase === 'applying' && p.rowsDone > last.rows)
          batchMs.push(((t - last.t) * 1000 * 1000) / (p.rowsDone - last.rows));
      }
      last = { t, rows: p.rowsDone, phase: p.phase };
    },
  });
  const seconds = (performance.now() - start) / 1000;
  return {
    kind,
    seconds,
    marks,
    batches: applyingCalls,
    batchMsPer1000: edges(batchMs),
    status: report.status,
    counts: report.counts,
    rejection: report.rejection,
    error: report.error ?? null,
    // A few listed rows, so that a failing run says why without dumping 100,000 entries.
    sample: { unmatched: report.unmatched.slice(0, 3), invalid: report.invalid.slice(0, 3) },
  };
}

/** The median ms per 1,000 rows of the first and of the last tenth of the batches (at least one each). */
function edges(ms) {
  if (ms.length === 0) return null;
  const n = Math.max(1, Math.floor(ms.length / 10));
  return { start: median(ms.slice(0, n)), end: median(ms.slice(-n)), batches: ms.length };
}

/** What the database holds afterwards, counted directly (a second check that nothing was dropped). */
async function countState(db, workspaceId) {
  const count = async (table, withPosition = false) => {
    let q = db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('workspace_id', '=', workspaceId);
    if (withPosition) q = q.where('position_id', 'is not', null);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  return {
    customers: await count('customers'),
    contacts: await count('contacts'),
    links: await count('customer_contacts'),
    linksWithPosition: await count('customer_contacts', true),
  };
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  const config = loadConfig();
  const conn = await openDatabase(config);
  try {
    if (mode === 'setup') {
      const [customersFile] = args;
      const workspace = await addWorkspace(conn.db, WORKSPACE, 'Benchmark');
      for (const name of POSITIONS) await addPosition(conn.db, workspace.id, name);
      const imports = [await timedImport(conn.db, workspace, 'customers', customersFile)];
      return { mode, dialect: conn.dialect, imports, state: await countState(conn.db, workspace.id) };
    }
    if (mode === 'state') {
      const workspace = await findWorkspace(conn.db, WORKSPACE);
      return { mode, state: await countState(conn.db, workspace.id) };
    }
    if (mode === 'import') {
      const [kind, file] = args;
      const workspace = await findWorkspace(conn.db, WORKSPACE);
      const rssBefore = process.resourceUsage().maxRSS;
      const result = await timedImport(conn.db, workspace, kind, file);
      // maxRSS is in KiB: the peak of this whole process, which did nothing else but open the database.
      const rssAfter = process.resourceUsage().maxRSS;
      return {
        mode,
        dialect: conn.dialect,
        ...result,
        peakRssMB: rssAfter / 1024,
        peakRssBeforeImportMB: rssBefore / 1024,
        state: await countState(conn.db, workspace.id),
      };
    }
    throw new Error(`unknown mode ${mode}; use setup or import`);
  } finally {
    await conn.close();
  }
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err) => {
    process.stderr.write(`bench worker failed: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
