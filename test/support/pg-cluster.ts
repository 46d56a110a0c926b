import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's postgresql-15 package puts the server binaries. */
export const PG_BIN_DIR = process.env.ROSTER_TEST_PG_BIN || '/usr/lib/postgresql/15/bin';

/** A running throwaway PostgreSQL cluster, reachable only on 127.0.0.1 with trust auth. */
export interface PgCluster {
  readonly port: number;
  /** Superuser URL of the `postgres` database. */
  readonly adminUrl: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** initdb refuses to run as root, so as root every server command runs as the `postgres` system user. */
const asRoot = process.getuid?.() === 0;
const START_ATTEMPTS = 3;

/**
 * Creates a cluster in a fresh temp dir and starts it on a free port. Durability is switched off: the
 * cluster lives for one test run. Throws with the server log when anything fails.
 */
export async function startPgCluster(): Promise<PgCluster> {
  await assertBinariesPresent();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  try {
    if (asRoot) await chownToPostgres(dir);
    const initdb = ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C'];
    await pgCommand(dir, 'initdb', [...initdb, '--no-sync', '--no-instructions']);
    // Written after initdb so the last setting wins; appending keeps the file owned by its owner.
    await fs.appendFile(path.join(dataDir, 'postgresql.conf'), serverSettings(dir));
    const port = await startOnFreePort(dir, dataDir, logFile);
    return {
      port,
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      dir,
      stop: () => stopPgCluster(dir, dataDir),
    };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}

async function startOnFreePort(dir: string, dataDir: string, logFile: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      await pgCommand(dir, 'pg_ctl', [
        'start',
        '-w',
        '-t',
        '60',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-o',
        `-p ${port}`,
      ]);
      return port;
    } catch (error) {
      const log = await fs.readFile(logFile, 'utf8').catch(() => '(no server log)');
      // Another process may have taken the port between probing and binding it; try another one.
      if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(log)) continue;
      throw new Error(
        `PostgreSQL did not start on port ${port}: ${message(error)}\n--- ${logFile} ---\n${log}`,
      );
    }
  }
}

async function stopPgCluster(dir: string, dataDir: string): Promise<void> {
  try {
    await pgCommand(dir, 'pg_ctl', ['stop', '-w', '-m', 'immediate', '-D', dataDir]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

function serverSettings(dir: string): string {
  return [
    '',
    '# roster test cluster',
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    // Every test file runs in parallel with its own pool; leave room for them and the admin connections.
    'max_connections = 300',
    '',
  ].join('\n');
}

/** Asks the OS for a free port by binding port 0 on the loopback interface, then releases it. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

async function pgCommand(dir: string, binary: string, args: string[]): Promise<void> {
  const file = path.join(PG_BIN_DIR, binary);
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  try {
    // cwd: the server user may not be allowed into the directory vitest was started from.
    await run(command, argv, { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${binary} failed: ${stderr || message(error)}`);
  }
}

async function chownToPostgres(dir: string): Promise<void> {
  const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
    throw new Error('running as root, but there is no `postgres` system user to run initdb as');
  });
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await fs.chown(dir, Number(stdout.trim()), Number(gid.trim()));
}

async function assertBinariesPresent(): Promise<void> {
  try {
    await fs.access(path.join(PG_BIN_DIR, 'initdb'), fs.constants.X_OK);
  } catch {
    throw new Error(
      `PostgreSQL 15 server binaries not found in ${PG_BIN_DIR} (apt-get install postgresql-15), ` +
        'or set ROSTER_TEST_PG=skip to run without the postgres test project.',
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
