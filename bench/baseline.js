// The baseline of the benchmark: the same CSV file, the same effect on Roster's schema, with nothing but
// what the database needs. Loads the file into a staging table as fast as the database allows (COPY on
// PostgreSQL, one prepared INSERT in one transaction on SQLite), then runs set-based SQL, all in one
// transaction. No per-row outcomes, no undo data, no checks: what Roster is compared with.
//
//   node bench/baseline.js contacts <contacts.csv>    (email,first_name,last_name,company_id)
//   node bench/baseline.js positions <positions.csv>  (customer_ref,email_address,position_name)
//
// It reads its database from the environment like the CLI (DATABASE_URL, or ROSTER_DATA_DIR for SQLite),
// expects the benchmark's workspace `bench` to exist, and prints one JSON line on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import SQLite from 'better-sqlite3';
import { parse } from 'csv-parse';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { IMPORT_CACHE_KIB } from '../dist/db/sqlite-dialect.js';
import { foldCase } from '../dist/domain/text.js';

const WORKSPACE = 'bench';

const STAGE = {
  contacts: ['email', 'first_name', 'last_name', 'company_id'],
  positions: ['customer_ref', 'email_address', 'position_name'],
};

/** The set-based statements with the effect of a Roster import of the staged file (`$ws`, `$now`). */
function statements(kind, distinct) {
  if (kind === 'contacts') {
    return [
      `UPDATE contacts SET first_name = NULLIF(s.first_name, ''), last_name = NULLIF(s.last_name, ''), updated_at = $now
        FROM stage s WHERE contacts.workspace_id = $ws AND contacts.email_ci = s.email_ci
          AND (contacts.first_name ${distinct} NULLIF(s.first_name, '') OR contacts.last_name ${distinct} NULLIF(s.last_name, ''))`,
      `INSERT INTO contacts (workspace_id, email, email_ci, first_name, last_name, created_at, updated_at)
        SELECT $ws, s.email, s.email_ci, NULLIF(s.first_name, ''), NULLIF(s.last_name, ''), $now, $now FROM stage s
        WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = $ws AND c.email_ci = s.email_ci)`,
      `INSERT INTO customer_contacts (workspace_id, customer_id, contact_id, is_primary, created_at, updated_at)
        SELECT $ws, cu.id, c.id, 0, $now, $now FROM stage s
        JOIN customers cu ON cu.workspace_id = $ws AND cu.ref = s.company_id
        JOIN contacts c ON c.workspace_id = $ws AND c.email_ci = s.email_ci
        WHERE s.company_id <> ''
        ON CONFLICT (customer_id, contact_id) DO NOTHING`,
      `UPDATE workspaces SET data_version = data_version + 1 WHERE id = $ws`,
    ];
  }
  return [
    `UPDATE customer_contacts SET position_id = p.id, updated_at = $now
      FROM stage s
      JOIN customers cu ON cu.workspace_id = $ws AND cu.ref = s.customer_ref
      JOIN contacts c ON c.workspace_id = $ws AND c.email = s.email_address
      JOIN positions p ON p.workspace_id = $ws AND p.name = s.position_name
      WHERE customer_contacts.customer_id = cu.id AND customer_contacts.contact_id = c.id
        AND customer_contacts.position_id ${distinct} p.id`,
    `UPDATE workspaces SET data_version = data_version + 1 WHERE id = $ws`,
  ];
}

async function sqlite(kind, file) {
  const dataDir = process.env.ROSTER_DATA_DIR;
  const db = new SQLite(path.join(dataDir, 'roster.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The page cache Roster gives an import's connection: the same database settings on both sides.
  db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  // Roster's schema calls it (contacts.name_ci, migration 019), as every handle Roster opens has it.
  db.function('fold_case', { deterministic: true }, (v) => (typeof v === 'string' ? foldCase(v) : v));
  try {
    const ws = db.prepare('SELECT id FROM workspaces WHERE slug = ?').get(WORKSPACE).id;
    const start = performance.now();
    const columns = kind === 'contacts' ? [...STAGE[kind], 'email_ci'] : STAGE[kind];
    db.exec(`CREATE TEMP TABLE stage (${columns.map((c) => `${c} TEXT`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO stage VALUES (${columns.map(() => '?').join(', ')})`);
    db.exec('BEGIN IMMEDIATE');
    let rows = 0;
    for await (const record of fs.createReadStream(file).pipe(parse({ from_line: 2 }))) {
      if (kind === 'contacts') record.push(record[0].toLowerCase());
      insert.run(record);
      rows += 1;
    }
    const loaded = performance.now();
    const now = new Date().toISOString();
    for (const statement of statements(kind, 'IS NOT')) db.prepare(statement).run({ ws, now });
    db.exec('COMMIT');
    db.exec('DROP TABLE stage');
    const done = performance.now();
    return { rows, seconds: (done - start) / 1000, loadSeconds: (loaded - start) / 1000 };
  } finally {
    db.close();
  }
}

async function postgres(kind, file) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows: found } = await client.query('SELECT id FROM workspaces WHERE slug = $1', [WORKSPACE]);
    const ws = found[0].id;
    const start = performance.now();
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE stage (${STAGE[kind].map((c) => `${c} text`).join(', ')}) ON COMMIT DROP`,
    );
    const copy = client.query(copyFrom(`COPY stage FROM STDIN (FORMAT csv, HEADER true)`));
    await pipeline(fs.createReadStream(file), copy);
    if (kind === 'contacts') {
      // What Roster folds in JavaScript; the benchmark's emails are ASCII, which lower() folds the same.
      await client.query('ALTER TABLE stage ADD COLUMN email_ci text');
      await client.query('UPDATE stage SET email_ci = lower(email)');
    }
    await client.query('ANALYZE stage');
    // Into an empty workspace (the setup's contacts) the planner, trusting the empty table's statistics,
    // picks a nested loop that rescans contacts, with every row this statement has inserted, per staged row.
    const { rows: empty } = await client.query('SELECT 1 FROM contacts WHERE workspace_id = $1 LIMIT 1', [
      ws,
    ]);
    if (empty.length === 0) await client.query('SET LOCAL enable_nestloop = off');
    const loaded = performance.now();
    const now = new Date().toISOString();
    for (const statement of statements(kind, 'IS DISTINCT FROM')) {
      const params = statement.includes('$now') ? [ws, now] : [ws];
      await client.query(statement.replaceAll('$ws', 'CAST($1 AS integer)').replaceAll('$now', '$2'), params);
    }
    await client.query('COMMIT');
    const done = performance.now();
    return {
      rows: Number(copy.rowCount),
      seconds: (done - start) / 1000,
      loadSeconds: (loaded - start) / 1000,
    };
  } finally {
    await client.end();
  }
}

async function main() {
  const [kind, file] = process.argv.slice(2);
  if (!STAGE[kind]) throw new Error(`unknown kind ${kind}; use contacts or positions`);
  const result = process.env.DATABASE_URL ? await postgres(kind, file) : await sqlite(kind, file);
  return { mode: 'baseline', kind, ...result, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err) => {
    process.stderr.write(`baseline failed: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
