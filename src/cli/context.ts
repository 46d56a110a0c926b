import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Connection } from '../db/connection.js';
import { findWorkspace, type Workspace } from '../domain/workspaces.js';
import { markInterruptedRuns } from '../imports/run-repository.js';

/** Opens the configured database for one command and closes it afterwards, whatever happens. */
export async function withDatabase<T>(fn: (conn: Connection, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const conn = await openDatabase(config);
  try {
    await markInterruptedRuns(conn.db);
    return await fn(conn, config);
  } finally {
    await conn.close();
  }
}

/** Opens the database and finds the workspace named by --workspace, ROSTER_WORKSPACE, or the only one. */
export async function withWorkspace<T>(
  slug: string | undefined,
  fn: (conn: Connection, workspace: Workspace, config: Config) => Promise<T>,
): Promise<T> {
  return withDatabase(async (conn, config) =>
    fn(conn, await findWorkspace(conn.db, slug ?? config.workspace), config),
  );
}

/** Adds --workspace to a command: the slug that withWorkspace looks up. */
export function workspaceOption(cmd: Command): Command {
  return cmd.option('-w, --workspace <slug>', 'workspace (default: ROSTER_WORKSPACE, or the only one)');
}

/** Prints rows as JSON or as an aligned table. */
export function printList(rows: readonly object[], json: boolean | undefined, empty: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const keys = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const widths = keys.map((k) =>
    Math.max(k.length, ...rows.map((r) => cell((r as Record<string, unknown>)[k]).length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(keys)}\n`);
  for (const r of rows)
    process.stdout.write(`${line(keys.map((k) => cell((r as Record<string, unknown>)[k])))}\n`);
}
