import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import { AppError, type AppErrorCode } from '../errors.js';
import type { UndoReport } from '../imports/undo-import.js';
import { runsToResume } from '../imports/service/import-service.js';
import type { ImportJob, JobQueue } from './queue.js';
import type { FromWorker, ToWorker } from './thread-worker.js';
import { WriteTurns } from './write-turns.js';

/** The embedded database's queue: jobs go to one worker thread, in order. */
export class ThreadQueue implements JobQueue {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: UndoReport) => void; reject: (e: Error) => void }
  >();
  private nextRequest = 1;
  private stopped: Promise<void> | undefined;
  /** Set to 1 to stop: shared memory, which the worker reads between batches (see thread-worker.ts). */
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly writeTurns = new WriteTurns();

  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  async start(): Promise<void> {
    const worker = new Worker(new URL('./thread-worker.js', import.meta.url), {
      workerData: { config: { ...this.config }, stopFlag: this.stopFlag, writeTurns: this.writeTurns.cell },
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        else this.receive(m);
      });
    });
    worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    for (const job of await runsToResume(this.db)) await this.enqueue(job);
  }

  /** The event loop's connection, with its writes taking turns with the worker's batches (write-turns.ts). */
  sharingWrites(db: Db): Db {
    return db.withPlugin(this.writeTurns.plugin());
  }

  enqueue(job: ImportJob): Promise<void> {
    this.post({ type: 'import', job });
    return Promise.resolve();
  }

  undo(workspaceId: number, runId: string): Promise<UndoReport> {
    const requestId = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.post({ type: 'undo', requestId, workspaceId, runId });
    });
  }

  recordTokenUse(tokenId: number): void {
    // Dropped once stopping: when a token was last used is not worth holding a shutdown for.
    if (!this.worker || this.stopped) return;
    this.worker.postMessage({ type: 'token-used', tokenId } satisfies ToWorker);
  }

  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopped ??= new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      Atomics.store(this.stopFlag, 0, 1);
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    return this.stopped;
  }

  private post(message: ToWorker): void {
    if (!this.worker || this.stopped) throw new AppError('invalid_state', 'The import worker is stopping.');
    this.worker.postMessage(message);
  }

  private receive(m: FromWorker): void {
    if (m.type !== 'undone') return;
    const p = this.pending.get(m.requestId);
    if (!p) return;
    this.pending.delete(m.requestId);
    if (m.error) {
      p.reject(new AppError((m.error.code as AppErrorCode) ?? 'internal', m.error.message, m.error.hint));
    } else {
      p.resolve(m.report as UndoReport);
    }
  }
}
