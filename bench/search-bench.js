// Contacts search benchmark: `npm run bench:search` (builds first). See bench/README.md.
//
// On a fresh SQLite database of BENCH_CONTACTS contacts (default 200,000; names with accents, half of the
// emails at bench.example), runs the contacts search of the API (its page of 50 and its count) for a few
// texts, BENCH_ROUNDS times each (default 7), and prints the median wall and CPU milliseconds per search.
// CPU time hardly depends on what else the machine runs, so two builds compare on a busy machine too:
// BENCH_DIST points at another build's dist/ (with node_modules beside it) to measure "before".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './support.js';

const DIST = path.resolve(process.env.BENCH_DIST ?? fileURLToPath(new URL('../dist', import.meta.url)));
const load = (module) => import(pathToFileURL(path.join(DIST, module)).href);
const contacts = Number((process.env.BENCH_CONTACTS ?? '200000').replaceAll('_', ''));
const rounds = Number(process.env.BENCH_ROUNDS ?? '7');
/** Every contact, half of them, ~11 of them (the whole workspace is read to find those), none. */
const TEXTS = ['example', 'müller', 'contact.1234', 'zzz'];
const FIRST = ['Jürgen', 'Renée', 'Zoë', 'Anna', 'Björn', 'José', 'Οδυσσέας', 'Li'];
const LAST = ['Müller', 'Núñez', 'Smith', 'Øvergaard', 'Kowalski'];
const log = (line) => process.stderr.write(`${line}\n`);

const { loadConfig } = await load('config.js');
const { openDatabase } = await load('db/connection.js');
const { addWorkspace } = await load('domain/workspaces.js');
const { searchContacts } = await load('domain/contacts.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-search-bench-'));
const env = { ...process.env, ROSTER_DATA_DIR: tmp };
delete env.DATABASE_URL;
const conn = await openDatabase(loadConfig(env));
try {
  const db = conn.db;
  const workspace = await addWorkspace(db, 'bench', 'Benchmark');
  log(`inserting ${contacts} contacts…`);
  const at = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    for (let from = 0; from < contacts; from += 500) {
      const rows = [];
      for (let i = from; i < Math.min(contacts, from + 500); i++) {
        const email = i % 2 ? `contact.${i}@bench.example` : `person.${i}@sample.org`;
        rows.push({
          workspace_id: workspace.id,
          email,
          email_ci: email,
          first_name: FIRST[i % FIRST.length],
          last_name: LAST[i % LAST.length],
          created_at: at,
          updated_at: at,
        });
      }
      await trx.insertInto('contacts').values(rows).execute();
    }
  });
  const result = { dist: DIST, contacts, rounds, searches: {} };
  for (const q of TEXTS) {
    const wall = [];
    const cpu = [];
    let total;
    for (let r = 0; r < rounds; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      total = (await searchContacts(db, workspace.id, { q, limit: 50, offset: 0 })).total;
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    result.searches[q] = { total, wallMs: Math.round(median(wall)), cpuMs: Math.round(median(cpu)) };
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await conn.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
