/**
 * One reader of the server's SQLite database (see sqlite-readers.ts): a worker thread with a read-only
 * handle of its own, so that a long read (a search over every contact) runs beside the event loop, not on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { withFoldCase } from './sqlite-functions.js';

export interface ReadRequest {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

export type ReadAnswer =
  { id: number; rows: unknown[] } | { id: number; error: { message: string; code?: string } };

/** Statements are prepared once each (the server's queries are a fixed set of texts with parameters). */
const CACHE_LIMIT = 500;

const port = parentPort!;
const database = withFoldCase(
  new SQLite((workerData as { file: string }).file, { readonly: true, fileMustExist: true }),
);
const statements = new Map<string, SQLite.Statement>();

port.on('message', ({ id, sql, parameters }: ReadRequest) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= CACHE_LIMIT) statements.clear();
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    port.postMessage({ id, rows: statement.all(parameters as unknown[]) } satisfies ReadAnswer);
  } catch (err) {
    const { message, code } = err as { message?: unknown; code?: unknown };
    port.postMessage({
      id,
      error: { message: String(message ?? err), ...(typeof code === 'string' ? { code } : {}) },
    } satisfies ReadAnswer);
  }
});
port.postMessage({ ready: true });
