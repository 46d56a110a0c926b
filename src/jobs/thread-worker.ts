/**
 * The embedded database's import worker: a worker thread with its own SQLite connection, so that an
 * import's statements (synchronous in better-sqlite3) never block the HTTP server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { recordTokenUse } from '../domain/tokens.js';
import { handleImportJob, undoJob } from './handle-import.js';
import type { ImportJob } from './queue.js';
import { niceThisThread } from './thread-priority.js';
import { WriteTurns } from './write-turns.js';

export type ToWorker =
  | { type: 'import'; job: ImportJob }
  | { type: 'undo'; requestId: number; workspaceId: number; runId: string }
  | { type: 'token-used'; tokenId: number }
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
const data = workerData as { config: Config; stopFlag: Int32Array; writeTurns: BigInt64Array };
const config = data.config;
// Reads on the server's event loop go before the import's batches when the cores are busy.
niceThisThread(config.importNice);
const conn = await openDatabase(config);
const stopping = new AbortController();
const writeTurns = new WriteTurns(data.writeTurns);
let chain: Promise<void> = Promise.resolve();

/**
 * After every batch (and staged chunk). better-sqlite3 is synchronous, so a running import never gives this
 * thread's event loop back and the 'stop' message would wait for the whole run: the stop flag is read from
 * shared memory instead. Then the server's writes waiting for the lock go first.
 */
const betweenBatches = () => {
  if (Atomics.load(data.stopFlag, 0) === 1) stopping.abort();
  writeTurns.letWritersIn();
};

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'import':
      // One import at a time: SQLite has one writer, and the workspace lock would serialise them anyway.
      chain = chain.then(async () => {
        betweenBatches();
        if (!stopping.signal.aborted) {
          await handleImportJob(conn.db, config, message.job, stopping.signal, betweenBatches);
        }
        port.postMessage({ type: 'done', job: message.job } satisfies FromWorker);
      });
      break;
    case 'undo':
      void undo(message);
      break;
    case 'token-used':
      // Bookkeeping only: a failure (the database closing) is not worth reporting.
      recordTokenUse(conn.db, message.tokenId).catch(() => {});
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
    const report = await undoJob(conn.db, config, message.workspaceId, message.runId, betweenBatches);
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
