import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Connection } from '../../src/db/connection.js';

export type TestBackend = 'sqlite' | 'postgres';

/** The database this test project runs on, set by vitest.config.ts (`ROSTER_TEST_DB`). */
export const backend: TestBackend = parseBackend(process.env.ROSTER_TEST_DB);

/** A migrated database of its own for one test (or file), and how a CLI subprocess reaches it. */
export interface TestDatabase {
  conn: Connection;
  /** Environment for a `roster` subprocess: spread it over `process.env` to reach this database. */
  env: Record<string, string>;
  /** Closes the connection and deletes the database. */
  cleanup(): Promise<void>;
}

/** Creates a fresh database on the current backend: a temp dir for SQLite, a new database for PostgreSQL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return backend === 'postgres' ? createPostgresDatabase() : createSqliteDatabase();
}

async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-test-'));
  // An empty DATABASE_URL means "not set" to loadConfig, so one in the parent env cannot leak in here
  // nor into a subprocess started with `{ ...process.env, ...env }`.
  const env = { ROSTER_DATA_DIR: dir, DATABASE_URL: '' };
  try {
    const conn = await openDatabase(loadConfig({ ...process.env, ...env }));
    return { conn, env, cleanup: () => closeThen(conn, () => fs.rm(dir, { recursive: true, force: true })) };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  if (!adminUrl) {
    throw new Error(
      'ROSTER_TEST_DB=postgres but no test cluster was provided: run through the vitest postgres project',
    );
  }
  const name = `roster_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const env = { DATABASE_URL: url.toString() };
  const drop = () => dropDatabase(adminUrl, name);
  try {
    const conn = await openDatabase(loadConfig({ ...process.env, ...env }));
    return { conn, env, cleanup: () => closeThen(conn, drop) };
  } catch (error) {
    await drop();
    throw error;
  }
}

/**
 * pg's Pool.end() resolves before its sockets have closed, and a backend killed by `WITH (FORCE)` in that
 * window sends a FATAL error to the closing pool, which has no error listener: an unhandled error fails
 * the run. A plain DROP waits (up to 5 s, in the server) for those backends to leave; FORCE is only the
 * fallback for connections a test leaked, such as a CLI subprocess still running.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  try {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}"`);
  } catch (error) {
    if ((error as { code?: string }).code !== '55006') throw error; // object_in_use
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function closeThen(conn: Connection, remove: () => Promise<void>): Promise<void> {
  try {
    await conn.close();
  } finally {
    await remove();
  }
}

function parseBackend(value: string | undefined): TestBackend {
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`ROSTER_TEST_DB must be sqlite or postgres, got ${JSON.stringify(value)}`);
}
