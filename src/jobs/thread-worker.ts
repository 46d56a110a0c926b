/**
 * The embedded database's import worker: a worker thread with its own SQLite connection, so that an
 * import's statements (synchronous in better-sqlite3) never block the HTTP server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { undoImport } from '../imports/undo-import.js';
import { handleImportJob } from './handle-import.js';
import type { ImportJob } from './queue.js';

export type ToWorker =
  | { type: 'import'; job: ImportJob }
  | { type: 'undo'; requestId: number; workspaceId: number; runId: string }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; job: ImportJob }
  | {
      type: 'undone';
      requestId: number;
      report?: unknown;
      error?: { code?: string; message: string; hint?: string };
    }
  | { type: 'stopped' };

const port = parentPort!;
const config = (workerData as { config: Config }).config;
const conn = await openDatabase(config);
const stopping = new AbortController();
let chain: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'import':
      // One import at a time: SQLite has one writer, and the workspace lock would serialise them anyway.
      chain = chain.then(async () => {
        if (!stopping.signal.aborted) await handleImportJob(conn.db, config, message.job, stopping.signal);
        port.postMessage({ type: 'done', job: message.job } satisfies FromWorker);
      });
      break;
    case 'undo':
      void undo(message);
      break;
    case 'stop':
      stopping.abort();
      void chain.then(async () => {
        await conn.close();
        port.postMessage({ type: 'stopped' } satisfies FromWorker);
        port.close();
      });
      break;
  }
});
port.postMessage({ type: 'ready' } satisfies FromWorker);

async function undo(message: Extract<ToWorker, { type: 'undo' }>): Promise<void> {
  try {
    const workspace = await conn.db
      .selectFrom('workspaces')
      .select(['id', 'slug', 'name'])
      .where('id', '=', message.workspaceId)
      .executeTakeFirstOrThrow();
    const report = await undoImport(conn.db, workspace, message.runId, {
      lockTimeoutMs: config.lockTimeoutMs,
    });
    port.postMessage({ type: 'undone', requestId: message.requestId, report } satisfies FromWorker);
  } catch (err) {
    const e = err as { code?: string; message?: string; hint?: string };
    port.postMessage({
      type: 'undone',
      requestId: message.requestId,
      error: { code: e.code, message: String(e.message ?? err), hint: e.hint },
    } satisfies FromWorker);
  }
}
