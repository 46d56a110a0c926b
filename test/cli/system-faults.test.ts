import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roster, rosterInProcess } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { backend, createTestDatabase, type TestDatabase } from '../support/test-db.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');
const sqliteOnly = backend === 'sqlite' ? describe : describe.skip;

function customersFile(rows: number): string {
  const lines = ['ref,name'];
  for (let i = 0; i < rows; i++)
    lines.push(`R${String(i).padStart(6, '0')},Customer number ${i} with a longer name`);
  return writeCsv(`${lines.join('\n')}\n`);
}

/** No "unexpected error", no stack trace: one message and a hint. */
function expectCleanFailure(res: { status: number | null; stderr: string }, message: RegExp): void {
  expect(res.status).toBe(1);
  expect(res.stderr).toMatch(message);
  expect(res.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

// The CLI runs in this process where the fault is the database's or the file's; where it is another
// process, a mount or a signal, it runs as a process of its own.
describe('system faults in the CLI', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await rosterInProcess(['workspaces', 'add', 'acme'], t.env);
  });
  afterAll(() => t?.cleanup());

  it('says that a folder given as FILE is a folder', async () => {
    const res = await rosterInProcess(['import', 'customers', os.tmpdir(), '-w', 'acme'], t.env);
    expectCleanFailure(res, /is a folder, not a file/);
  });

  it('keeps a run whose file was deleted interrupted, names the file, and resumes it once it is back', async () => {
    const file = customersFile(5);
    const kept = fs.readFileSync(file);
    const first = await rosterInProcess(['import', 'customers', file, '-w', 'acme', '--json'], t.env);
    expect(first.status).toBe(0);
    // The same file's run, put back to interrupted as a crash would leave it, then the file goes away.
    const id = JSON.parse(first.stdout).id as string;
    await t.conn.db
      .updateTable('import_runs')
      .set({ status: 'interrupted', phase: 'staging', finished_at: null })
      .where('public_id', '=', id)
      .execute();
    fs.rmSync(file);
    const resumed = await rosterInProcess(['imports', 'resume', id, '-w', 'acme'], t.env);
    expectCleanFailure(resumed, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not there`));
    const run = await t.conn.db
      .selectFrom('import_runs')
      .selectAll()
      .where('public_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('interrupted');
    expect(run.error).toContain(file);
    fs.writeFileSync(file, kept);
    const again = await rosterInProcess(['imports', 'resume', id, '-w', 'acme'], t.env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('completed');
  });

  it('refuses a database a newer Roster has migrated, saying so, and changes nothing', async () => {
    const t2 = await createTestDatabase();
    const migrations = async () =>
      (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(t2.conn.db)).rows;
    try {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('999-from-a-newer-roster', '2030-01-01')`.execute(
        t2.conn.db,
      );
      const before = await migrations();
      const res = await rosterInProcess(['workspaces', 'list'], t2.env);
      expectCleanFailure(
        res,
        /upgraded by a newer version of Roster \(it has migration 999-from-a-newer-roster/,
      );
      expect(await migrations()).toEqual(before);
    } finally {
      await t2.cleanup();
    }
  });

  it('says that the data folder cannot be created', async () => {
    const notAFolder = writeCsv('x');
    const res = await rosterInProcess(['workspaces', 'list'], {
      ROSTER_DATA_DIR: path.join(notAFolder, 'data'),
      DATABASE_URL: '',
    });
    expectCleanFailure(res, /cannot create its data folder/);
  });
});

sqliteOnly('the embedded database held by another process', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await rosterInProcess(['workspaces', 'add', 'acme'], t.env);
  });
  afterAll(() => t?.cleanup());

  it('gives up after the busy timeout with the database_busy message', async () => {
    const holder = new SQLite(path.join(t.env.ROSTER_DATA_DIR!, 'roster.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const res = await roster(['import', 'customers', customersFile(3), '-w', 'acme'], {
        ...t.env,
        ROSTER_BUSY_TIMEOUT_MS: '300',
      });
      expectCleanFailure(res, /locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

/**
 * Runs a shell script in a mount namespace of its own, where it may mount a small tmpfs (`$DISK`) without
 * touching the machine's mounts. Skipped where namespaces are not allowed.
 */
const run = promisify(execFile);
async function inMountNamespace(script: string, env: Record<string, string>) {
  return run('unshare', ['-rm', 'sh', '-c', script], {
    env: { ...process.env, ...env, ROSTER_BIN: `${process.execPath} ${BIN}` },
    timeout: 170_000,
  }).catch((err: { stdout: string; stderr: string; code: number }) => err);
}
const canUnshare = await run('unshare', ['-rm', 'true']).then(
  () => true,
  () => false,
);

(backend === 'sqlite' && canUnshare ? describe : describe.skip)(
  'a full disk and a read-only data folder',
  () => {
    it('leaves the run interrupted with "the disk is full", and it resumes once there is room', async () => {
      const disk = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-disk-'));
      const file = customersFile(8_000);
      const script = `
      set -u
      mount -t tmpfs -o size=64m tmpfs "$DISK" || exit 90
      $ROSTER_BIN workspaces add acme >/dev/null || exit 91
      # Leave about 150 KB: room for the run's record, not for 8,000 staged rows.
      dd if=/dev/zero of="$DISK/fill" bs=4k 2>/dev/null; truncate -s -150k "$DISK/fill"
      $ROSTER_BIN import customers "$FILE" -w acme 2>"$DISK/err.txt"; echo "import=$?"
      echo "stderr=$(cat "$DISK/err.txt" | tr '\\n' ' ')"
      rm "$DISK/fill"
      id=$($ROSTER_BIN imports list -w acme --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s)[0];console.log(r.id+" "+r.status)})')
      echo "run=$id"
      $ROSTER_BIN imports resume \${id%% *} -w acme >/dev/null; echo "resume=$?"
      $ROSTER_BIN customers list -w acme --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log("customers="+JSON.parse(s).length))'
    `;
      const out = await inMountNamespace(script, {
        DISK: disk,
        FILE: file,
        ROSTER_DATA_DIR: disk,
        DATABASE_URL: '',
      });
      fs.rmSync(disk, { recursive: true, force: true });
      const text = `${out.stdout}\n${out.stderr}`;
      expect(text).toContain('import=1');
      expect(text).toMatch(/stderr=roster: The disk is full/);
      expect(text).not.toMatch(/unexpected error|cannot rollback/);
      expect(text).toMatch(/run=\S+ interrupted/);
      expect(text).toContain('resume=0');
      expect(text).toContain('customers=8000');
    }, 180_000);

    it('says that a read-only data folder cannot be written', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-ro-'));
      const script = `
      $ROSTER_BIN workspaces add acme >/dev/null || exit 91
      mount --bind -o ro "$ROSTER_DATA_DIR" "$ROSTER_DATA_DIR" && mount -o remount,bind,ro "$ROSTER_DATA_DIR" || exit 90
      $ROSTER_BIN customers add C1 --name One -w acme; echo "status=$?"
    `;
      const out = await inMountNamespace(script, { ROSTER_DATA_DIR: dir, DATABASE_URL: '' });
      fs.rmSync(dir, { recursive: true, force: true });
      const text = `${out.stdout}\n${out.stderr}`;
      expect(text).toContain('status=1');
      expect(text).toMatch(/cannot write its data|could not be opened/);
      expect(text).not.toMatch(/unexpected error/);
    });
  },
);

describe('an unreachable PostgreSQL', () => {
  let silent: net.Server;
  let silentPort: number;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers, like a server stuck or a firewall that swallows packets.
    silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    sockets.forEach((s) => s.destroy());
    return new Promise((resolve) => silent.close(resolve));
  });

  it('gives up on a server that never answers after the connect timeout', async () => {
    const res = await rosterInProcess(['workspaces', 'list'], {
      DATABASE_URL: `postgres://roster@127.0.0.1:${silentPort}/roster`,
      ROSTER_CONNECT_TIMEOUT_MS: '500',
    });
    expectCleanFailure(
      res,
      new RegExp(`PostgreSQL at 127.0.0.1:${silentPort} accepted the connection but did not answer`),
    );
  });

  it('says "cannot reach PostgreSQL at HOST:PORT" when the connection is refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await rosterInProcess(['workspaces', 'list'], {
      DATABASE_URL: `postgres://roster@127.0.0.1:${port}/roster`,
    });
    expectCleanFailure(res, new RegExp(`cannot reach PostgreSQL at 127.0.0.1:${port}`));
    expect(res.stderr).not.toContain('migration');
  });
});
