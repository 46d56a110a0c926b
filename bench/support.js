// What the bench scripts share: PostgreSQL databases of their own, children started and waited for, medians.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs one statement (CREATE DATABASE, DROP DATABASE) on a connection of its own to `serverUrl`. */
export async function pgAdmin(serverUrl, statement) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates the database `<prefix>_<random hex>` on the server of `serverUrl` (a copy of `template` if given).
 * Returns its name, its URL and `drop()`, which removes it even while connections are open.
 */
export async function createDatabase(serverUrl, prefix = 'bench', template) {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await pgAdmin(serverUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // WITH (FORCE) needs PostgreSQL 13+; without it, once the connections are closed, the plain DROP does.
    drop: () =>
      pgAdmin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() =>
        pgAdmin(serverUrl, `DROP DATABASE IF EXISTS ${name}`),
      ),
  };
}

/**
 * Starts `node <script> <args>` (stderr straight to ours) and returns the child and `line`: a promise of the
 * first match of `ready` in its stdout (the first group if the pattern has one), rejected if it exits first.
 */
export function startChild(script, args, env, ready) {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve(m[1] ?? m[0]);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${path.basename(script)} ${args[0] ?? ''} exited ${code ?? signal}`)),
    );
  });
  return { child, line };
}

/** `startChild` for the `roster` command of this checkout (`serve`, `worker`). */
export const startRoster = (args, env, ready) => startChild(path.join(ROOT, 'bin/roster'), args, env, ready);

/** The median of the numbers among `xs` (the mean of the middle two of an even count); null if none. */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
