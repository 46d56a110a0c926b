import { Worker } from 'node:worker_threads';
import type { ReadAnswer, ReadRequest } from './sqlite-reader-thread.js';

interface Reader {
  worker: Worker;
  pending: Map<number, { resolve: (rows: unknown[]) => void; reject: (err: Error) => void }>;
}

/**
 * The server's SQLite reads, on worker threads (sqlite-reader-thread.ts) instead of the event loop.
 *
 * better-sqlite3 runs a statement synchronously: on the event loop, a search that scans 200k contacts
 * (~0.1–0.3 s while an import runs) held up every other request, `/healthz` included, for as long. Here each
 * read goes to the reader with the fewest reads in flight, and the event loop only posts and receives.
 * Each reader has its own read-only handle: in WAL mode a reader never waits for a writer, and sees every
 * transaction committed before its statement starts, as the event loop's own handle would.
 */
export class SqliteReaders {
  private readonly readers: Reader[] = [];
  private nextId = 1;

  private constructor(private readonly script: URL) {}

  /**
   * `size` readers of the database file `file`, each ready (its handle open) when this resolves. `script`:
   * the reader thread's compiled module (tests, which run the TypeScript sources, give the built one).
   */
  static async start(
    file: string,
    size: number,
    script = new URL('./sqlite-reader-thread.js', import.meta.url),
  ): Promise<SqliteReaders> {
    const pool = new SqliteReaders(script);
    try {
      await Promise.all(Array.from({ length: size }, () => pool.add(file)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** How many readers are running. */
  get size(): number {
    return this.readers.length;
  }

  /** The rows of a read-only statement. Fails as the statement would (an Error with SQLite's `code`). */
  read(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    const reader = this.readers.reduce<Reader | undefined>(
      (best, r) => (!best || r.pending.size < best.pending.size ? r : best),
      undefined,
    );
    if (!reader) return Promise.reject(new Error('The database readers have stopped.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      reader.pending.set(id, { resolve, reject });
      reader.worker.postMessage({ id, sql, parameters } satisfies ReadRequest);
    });
  }

  async close(): Promise<void> {
    const readers = this.readers.splice(0);
    for (const r of readers) fail(r, new Error('The database readers have stopped.'));
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }

  private add(file: string): Promise<void> {
    const worker = new Worker(this.script, { workerData: { file } });
    const reader: Reader = { worker, pending: new Map() };
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => {
        worker.off('error', reject);
        this.readers.push(reader);
        worker.on('message', (answer: ReadAnswer) => settle(reader, answer));
        // A reader that dies takes its reads with it; the others go on.
        worker.on('error', (err) => this.drop(reader, err));
        worker.on('exit', () => this.drop(reader, new Error('A database reader stopped.')));
        resolve();
      });
    });
  }

  private drop(reader: Reader, err: Error): void {
    const at = this.readers.indexOf(reader);
    if (at >= 0) this.readers.splice(at, 1);
    fail(reader, err);
  }
}

function settle(reader: Reader, answer: ReadAnswer): void {
  const waiting = reader.pending.get(answer.id);
  if (!waiting) return;
  reader.pending.delete(answer.id);
  if ('rows' in answer) waiting.resolve(answer.rows.map(asBuffers));
  else waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
}

function fail(reader: Reader, err: Error): void {
  for (const waiting of reader.pending.values()) waiting.reject(err);
  reader.pending.clear();
}

/** Blobs cross the thread boundary as Uint8Array; the rest of Roster gets Buffers, as better-sqlite3 gives. */
function asBuffers(row: unknown): unknown {
  if (typeof row !== 'object' || row === null) return row;
  const record = row as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      record[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return record;
}
