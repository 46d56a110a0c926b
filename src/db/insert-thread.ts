import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * A thread that inserts rows into an SQLite database with a connection of its own, so that the thread that
 * parses and checks a file goes on with the next chunk while SQLite writes this one (staging a 1M-row file:
 * about half JavaScript, half insert, on a machine with a second core).
 *
 * The thread's source is a string (CommonJS, evaluated): the same code runs from the compiled build and
 * from the TypeScript sources the tests run, which a module file next to this one could not do.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const database = new SQLite(workerData.file, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
database.pragma('synchronous = NORMAL');
database.pragma('foreign_keys = ON');
const statements = new Map();
parentPort.on('message', ({ id, table, columns, rows }) => {
  try {
    const text = 'INSERT INTO ' + table + ' (' + columns.join(', ') + ') VALUES (' + columns.map(() => '?').join(', ') + ')';
    let insert = statements.get(text);
    if (!insert) statements.set(text, (insert = database.prepare(text)));
    const values = JSON.parse(rows);
    database.transaction(() => { for (const row of values) insert.run(row); }).immediate();
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message || err), code: err && err.code } });
  }
});
`;

interface Answer {
  id: number;
  error?: { message: string; code?: string };
}

/** One insert thread over the database file of `database`, until `close`. */
export class InsertThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private failed: Error | undefined;

  constructor(database: SQLite.Database) {
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: database.name,
        busyTimeoutMs: database.pragma('busy_timeout', { simple: true }) as number,
      },
    });
    this.worker.on('message', (answer: Answer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.error) {
        waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      } else waiting.resolve();
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('The insert thread stopped.')));
  }

  /** Inserts `rows` (values in the order of `columns`) into `table` in one transaction of the thread's. */
  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // One string crosses the thread boundary faster than structured cloning of the rows' arrays.
      this.worker.postMessage({ id, table, columns, rows: JSON.stringify(rows) });
    });
  }

  /** Stops the thread (its connection closes with it); an insert still under way is abandoned. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
