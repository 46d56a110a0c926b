// Record history benchmark: `npm run build && node bench/history-bench.js` (SQLite; see bench/README.md).
/* global performance */
//
// A workspace of HISTORY_CONTACTS contacts (default 1,000,000) and 100 runs: run 1 created every contact,
// runs 2…100 each changed the first name of HISTORY_BATCH contacts (default 20,000, a window that moves on
// each run, so a contact is in a few runs). The rows are written with SQL in the form the engine writes
// them (status, email_ci, changes), not by importing ~3M rows, which would take far longer than the lookup
// being measured. Then the history of LOOKUPS random contacts is read with `contactHistory`, as
// GET /api/contacts/:id/history does: median and p95. Then the same without migration 010's indexes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../dist/config.js';
import { openDatabase } from '../dist/db/connection.js';
import { contactHistory } from '../dist/domain/record-history.js';
import { addWorkspace } from '../dist/domain/workspaces.js';

const CONTACTS = Number(process.env.HISTORY_CONTACTS ?? 1_000_000);
const BATCH = Number(process.env.HISTORY_BATCH ?? 20_000);
const RUNS = 100;
const LOOKUPS = Number(process.env.HISTORY_LOOKUPS ?? 200);
const log = (line) => process.stderr.write(`${line}\n`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-history-bench-'));
const { db, close } = await openDatabase(
  loadConfig({ ...process.env, ROSTER_DATA_DIR: dir, DATABASE_URL: '' }),
);
try {
  const ws = await addWorkspace(db, 'bench');
  const at = new Date().toISOString();
  let t = performance.now();
  await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONTACTS})
    INSERT INTO contacts (workspace_id, email, email_ci, first_name, last_name, created_at, updated_at)
    SELECT ${ws.id}, 'person' || i || '@example.com', 'person' || i || '@example.com', 'First' || i, 'Last' || i,
      ${at}, ${at} FROM n`.execute(db);
  for (let run = 1; run <= RUNS; run++) {
    const { id } = await db
      .insertInto('import_runs')
      .values({
        public_id: `00000000-0000-4000-8000-${String(run).padStart(12, '0')}`,
        workspace_id: ws.id,
        kind: 'contacts',
        status: 'completed',
        phase: 'done',
        dry_run: 0,
        actor: 'bench@example.com',
        file_name: `run-${run}.csv`,
        encoding: 'utf-8',
        options: '{}',
        started_at: at,
        finished_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const first = run === 1 ? 1 : (((run - 2) * BATCH) % CONTACTS) + 1;
    const count = run === 1 ? CONTACTS : BATCH;
    const status = run === 1 ? 'created' : 'updated';
    const changes =
      run === 1
        ? sql`'{"email":[null,"person' || i || '@example.com"]}'`
        : sql`'{"first_name":["First' || i || '","Run${sql.raw(String(run))}"]}'`;
    await sql`WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < ${count - 1}),
        m(k, i) AS (SELECT k, CAST(((${first - 1} + k) % ${CONTACTS}) + 1 AS INTEGER) FROM n)
      INSERT INTO import_rows (run_id, row_no, line, cells, status, is_first, email, email_ci, first_name, changes)
      SELECT ${id}, k + 1, k + 2, '[]', ${status}, 1, 'person' || i || '@example.com', 'person' || i || '@example.com',
        'Run${sql.raw(String(run))}', ${changes} FROM m`.execute(db);
  }
  await sql`ANALYZE`.execute(db);
  const rows = await sql`SELECT count(*) AS n FROM import_rows`.execute(db);
  log(
    `setup: ${CONTACTS} contacts, ${RUNS} runs, ${rows.rows[0].n} import rows in ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );

  const ids = Array.from({ length: LOOKUPS }, () => 1 + Math.floor(Math.random() * CONTACTS));
  const measure = async (n) => {
    const times = [];
    let entries = 0;
    for (const id of ids.slice(0, n)) {
      t = performance.now();
      entries += (await contactHistory(db, ws.id, id)).items.length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
    return { median: at(0.5), p95: at(0.95), entries: (entries / n).toFixed(1) };
  };
  const indexed = await measure(LOOKUPS);
  log(
    `with migration 010's indexes: ${LOOKUPS} lookups, median ${indexed.median} ms, p95 ${indexed.p95} ms, ${indexed.entries} entries each`,
  );
  for (const column of ['email_ci', 'contact_id', 'customer_id']) {
    await sql`DROP INDEX ${sql.raw(`import_rows_${column}_changed_idx`)}`.execute(db);
  }
  const bare = await measure(5);
  log(`without them: 5 lookups, median ${bare.median} ms, p95 ${bare.p95} ms`);
  process.stdout.write(
    `${JSON.stringify({ contacts: CONTACTS, runs: RUNS, importRows: Number(rows.rows[0].n), indexed, bare })}\n`,
  );
} finally {
  await close();
  fs.rmSync(dir, { recursive: true, force: true });
}
