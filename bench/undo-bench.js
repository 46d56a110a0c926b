// Undo benchmark: `npm run bench:undo` (builds first). See bench/README.md.
//
// Per database (SQLite always, PostgreSQL when DATABASE_URL is set) and round, on a fresh database: the
// main bench's contacts world (1,000 customers, BENCH_ROWS/2 contacts with company links), then a timed
// `contacts` import of BENCH_ROWS rows (half updated, half new, each with a company link) and a timed undo
// of that run. Prints the import's apply time, the undo's time and their ratio, medians of BENCH_ROUNDS
// rounds (default 3). Each round runs in its own child process. BENCH_DIST points at another build (a
// copy of main's dist/, to measure "before").
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CUSTOMERS, POSITIONS, generateFiles } from './generate.js';
import { createDatabase, median } from './support.js';

const SELF = fileURLToPath(import.meta.url);
const DIST = path.resolve(process.env.BENCH_DIST ?? fileURLToPath(new URL('../dist', import.meta.url)));
const log = (line) => process.stderr.write(`${line}\n`);
const load = (module) => import(pathToFileURL(path.join(DIST, module)).href);

function readInt(name, fallback, min) {
  const raw = process.env[name] ?? String(fallback);
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, not "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------------
// The child: one round on the database its environment names.

async function round(files) {
  const { loadConfig } = await load('config.js');
  const { openDatabase } = await load('db/connection.js');
  const { addPosition } = await load('domain/positions.js');
  const { addWorkspace } = await load('domain/workspaces.js');
  const { runImport } = await load('imports/run-import.js');
  const { undoImport } = await load('imports/undo-import.js');
  const { DEFAULT_OPTIONS } = await load('imports/import-options.js');
  const conn = await openDatabase(loadConfig());
  try {
    const db = conn.db;
    const workspace = await addWorkspace(db, 'bench', 'Benchmark');
    for (const name of POSITIONS) await addPosition(db, workspace.id, name);
    const options = { ...DEFAULT_OPTIONS, dryRun: false };
    const importFile = async (kind, filePath) => {
      const marks = {};
      let batches = 0;
      const start = performance.now();
      const report = await runImport(db, {
        workspace,
        kind,
        filePath,
        actor: 'bench',
        options,
        onProgress: (p) => {
          const t = (performance.now() - start) / 1000;
          marks[p.phase] ??= t;
          if (p.phase === 'applying') {
            batches += 1;
            marks.lastApplying = t;
          }
        },
      });
      if (report.status !== 'completed') throw new Error(`${kind} import ${report.status}`);
      const seconds = (performance.now() - start) / 1000;
      // As in run-bench.js: the first `applying` comes after the first batch, so add one average batch.
      const batch = batches > 1 ? (marks.lastApplying - marks.applying) / (batches - 1) : 0;
      const applying = marks.applying === undefined ? 0 : marks.lastApplying - marks.applying + batch;
      return { report, seconds, applying };
    };
    await importFile('customers', files.customers);
    await importFile('contacts', files.contactsSetup);
    const run = await importFile('contacts', files.contacts);
    const start = performance.now();
    const undo = await undoImport(db, workspace, run.report.id);
    const undoSeconds = (performance.now() - start) / 1000;
    const count = async (table) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('workspace_id', '=', workspace.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      counts: run.report.counts,
      importSeconds: run.seconds,
      applySeconds: run.applying,
      undoSeconds,
      undo: { restored: undo.restored, removed: undo.removed, conflicts: undo.conflicts.length },
      state: { contacts: await count('contacts'), links: await count('customer_contacts') },
    };
  } finally {
    await conn.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// The parent

function runChild(env, files) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--round', JSON.stringify(files)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`round exited with ${signal ?? code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

const backends = (root) => {
  const list = [
    {
      name: 'sqlite',
      async create() {
        const dataDir = fs.mkdtempSync(path.join(root, 'sqlite-'));
        const env = { ...process.env, ROSTER_DATA_DIR: dataDir };
        delete env.DATABASE_URL;
        return { env, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
      },
    },
  ];
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl)
    list.push({
      name: 'postgres',
      async create() {
        const { url, drop } = await createDatabase(serverUrl);
        return { env: { ...process.env, DATABASE_URL: url }, drop };
      },
    });
  return list;
};

async function main() {
  const rows = readInt('BENCH_ROWS', 100_000, 2);
  const rounds = readInt('BENCH_ROUNDS', 3, 1);
  const only = process.env.BENCH_DB;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-undo-bench-'));
  try {
    const { files, existing } = await generateFiles(root, rows);
    const lines = [
      `Roster undo benchmark: contacts, ${rows.toLocaleString('en-US')} rows (${existing} updated, ` +
        `${rows - existing} new, each linked to one of ${CUSTOMERS} customers), ${rounds} rounds, ` +
        `medians; dist ${DIST}`,
      '',
      'backend   import s  apply s   undo s  undo/apply  restored  removed  conflicts  check',
    ];
    for (const backend of backends(root)) {
      if (only && backend.name !== only) continue;
      const results = [];
      for (let i = 1; i <= rounds; i++) {
        const db = await backend.create();
        try {
          log(`[${backend.name}] round ${i}/${rounds}…`);
          const r = await runChild(db.env, files);
          log(
            `  import ${r.importSeconds.toFixed(2)} s (apply ${r.applySeconds.toFixed(2)} s), ` +
              `undo ${r.undoSeconds.toFixed(2)} s, ${JSON.stringify(r.undo)}`,
          );
          results.push(r);
        } finally {
          await db.drop();
        }
      }
      // After the undo the world is as the setup left it: N/2 contacts, each with its one link.
      const ok = results.every(
        (r) =>
          r.undo.restored === existing &&
          r.undo.removed === 2 * (rows - existing) &&
          r.undo.conflicts === 0 &&
          r.state.contacts === existing &&
          r.state.links === existing,
      );
      const m = (f) => median(results.map(f));
      const cells = [
        backend.name.padEnd(8),
        m((r) => r.importSeconds)
          .toFixed(2)
          .padStart(8),
        m((r) => r.applySeconds)
          .toFixed(2)
          .padStart(8),
        m((r) => r.undoSeconds)
          .toFixed(2)
          .padStart(8),
        m((r) => r.undoSeconds / r.applySeconds)
          .toFixed(2)
          .padStart(10),
        String(results[0].undo.restored).padStart(8),
        String(results[0].undo.removed).padStart(7),
        String(results[0].undo.conflicts).padStart(9),
        ok ? '   ok' : ' FAIL',
      ];
      lines.push(cells.join('  '));
      if (!ok) process.exitCode = 1;
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--round') {
  round(JSON.parse(process.argv[3])).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err) => {
      process.stderr.write(`undo bench round failed: ${err?.stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
} else {
  main().catch((err) => {
    log(`undo bench failed: ${err?.stack ?? err}`);
    process.exitCode = 1;
  });
}
